"""Bookkeeping and publishing, side by side with another revision (default: where main was).

Both sides run bench/publish_child.py on this machine, one after the other: this checkout, and
REV exported with `git archive` into a temporary folder and put first on PYTHONPATH. Figures:
fetch time per report at 1k, 2k, 5k and 10k reports against the emulator without latency (it
must stay flat: bookkeeping linear), publishing 1,000 reports, and rebuilding 200 reports with
365 daily snapshots each (render time and the largest page). With --repeat N the two sides
alternate N times and each time figure is the best of its N runs (the machine is shared: the
best run is the one least disturbed by others). The ratios come last.

    python bench/bench_publish.py            # against 8c331ea, the main issue 14 began from
    python bench/bench_publish.py --rev main --counts 1000,2000
    python bench/bench_publish.py --counts 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE_REV = "8c331ea"
TREE = ("reportrunner", "templates", "schema")  # what a run imports and reads


def export(rev: str, folder: Path) -> Path:
    """The tree of `rev` (the package, its templates and schemas) unpacked into `folder`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, *TREE],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def measure(source: Path, counts: str, publish_n: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = [sys.executable, str(HERE / "publish_child.py"), counts, str(publish_n)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{source}: the benchmark failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each time figure at its lowest over `runs` (sizes and counts are the same in all)."""
    figures = dict(runs[0])
    for key in ("publish_s", "render_history_s", "publish_cpu_s", "render_history_cpu_s"):
        figures[key] = min(run[key] for run in runs)
    per = runs[0]["fetch_per_report_ms"]
    figures["fetch_per_report_ms"] = {
        count: min(run["fetch_per_report_ms"][count] for run in runs) for count in per
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default=BASE_REV, help="the revision to compare with")
    parser.add_argument("--counts", default="1000,2000,5000,10000")
    parser.add_argument("--publish", type=int, default=1000, help="reports published")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side, alternating")
    args = parser.parse_args()
    if str(args.publish) not in args.counts.split(","):
        raise SystemExit("--publish must be one of --counts")
    base_runs: list[dict[str, Any]] = []
    head_runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-base-") as temp:
        source = export(args.rev, Path(temp))
        for _ in range(max(1, args.repeat)):
            base_runs.append(measure(source, args.counts, args.publish))
            head_runs.append(measure(ROOT, args.counts, args.publish))
    base, head = best(base_runs), best(head_runs)
    print(f"load average before the end: {os.getloadavg()[0]:.1f} (2 cores, shared)")
    if args.repeat > 1:
        print(f"time figures: the best of {args.repeat} alternating runs of each side")
    print(f"{'figure':<34}{args.rev:>12}{'this tree':>12}")
    for count in args.counts.split(","):
        name = f"fetch ms per report at {count}"
        base_ms, head_ms = base["fetch_per_report_ms"][count], head["fetch_per_report_ms"][count]
        print(f"{name:<34}{base_ms:>12.2f}{head_ms:>12.2f}")
    name = f"publish {args.publish} reports (s)"
    print(f"{name:<34}{base['publish_s']:>12.2f}{head['publish_s']:>12.2f}")
    name = "  CPU of it (s, all processes)"
    print(f"{name:<34}{base['publish_cpu_s']:>12.2f}{head['publish_cpu_s']:>12.2f}")
    render = "render 200 x 365 snapshots (s)"
    print(f"{render:<34}{base['render_history_s']:>12.2f}{head['render_history_s']:>12.2f}")
    name = "  CPU of it (s, all processes)"
    print(f"{name:<34}{base['render_history_cpu_s']:>12.2f}{head['render_history_cpu_s']:>12.2f}")
    page = "largest page at 365 snapshots (KB)"
    print(f"{page:<34}{base['page_kb_max']:>12.1f}{head['page_kb_max']:>12.1f}")
    print(
        f"{'snapshots kept in history':<34}{base['snapshots_kept']:>12}{head['snapshots_kept']:>12}"
    )
    per = head["fetch_per_report_ms"]
    counts = args.counts.split(",")
    flat = per[counts[-1]] / per[counts[0]]
    print(f"fetch per report, {counts[-1]} vs {counts[0]} reports: {flat:.2f}x")
    cpu = base["publish_cpu_s"] / head["publish_cpu_s"]
    print(f"CPU: publishing {cpu:.1f}x less", end="; ")
    print(f"render {base['render_history_cpu_s'] / head['render_history_cpu_s']:.1f}x less")
    print(f"publishing speed-up: {base['publish_s'] / head['publish_s']:.1f}x")
    print(
        f"render speed-up (200 x 365): {base['render_history_s'] / head['render_history_s']:.1f}x"
    )


if __name__ == "__main__":
    main()
