"""Benchmark: `reportrunner validate DIR --format json` against check-jsonschema on the same specs.

Generates N varied, valid specs (both report types, relative and datetime ranges, every kind of
comparison, users, groups, saved searches, some matrices) into a temporary folder, then runs
the two tools as whole processes, alternating them so that machine noise hits both alike, and
prints the medians side by side. Our validator also checks semantics and computes line numbers;
check-jsonschema only checks the schema.

    python bench/bench_validate.py            # N=1,000 (7 runs) and 10,000 (3)
    python bench/bench_validate.py --sizes 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIPES = ["pipe_4vukv2FUlFh9FDiVYAop1U", "pipe_Db7hIm3lXSbJROEjrwqX7J"]
USERS = [
    "user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA",
    "user_Ova4RGFG7pztSeJiiMFdN7O2MFl71nD0uGO3bIOo4Wk",
    "group_57P6QUf8b4BlepZJYgRj5W",
    "group_H7tle2gL7DeSTVxuTGSaOa",
]
SEARCHES = [
    "save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239",
    "save_DrbZtnWUFexr8x7Ki7Z2ImetWwqMG3SLseBWXF5U5qF",
]
RELATIVE = ["this-week", "this-month", "this-quarter", "last-month", "last-quarter", "this-year"]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]


def spec_text(index: int, rng: random.Random) -> str:
    kind = index % 6
    lines = [
        "# yaml-language-server: $schema=../schema/report-spec.schema.json",
        f"id: bench-{index:05d}",
        f"title: Benchmark report {index}",
        f"description: Generated spec number {index} for the validation benchmark.",
        f"timezone: {rng.choice(ZONES)}",
        f"tags: [bench, group-{index % 7}]",
    ]
    if index % 5 == 0:
        lines.append("endpoints: [totals]")
    if kind == 5:
        lines.append("matrix:")
        lines.append("  compared_relative_range: [last-month, last-year]")
    lines += ["request:", f"  pipeline: {rng.choice(PIPES)}"]
    year = 2020 + index % 6
    window = [f"    start: {year}-01-01T00:00:00Z", f"    end: {year}-04-01T00:00:00+02:00"]
    prefix = "cohort" if kind in (0, 1, 2, 5) else "report"
    report_type = "created-cohort" if prefix == "cohort" else "active-stage-cohort"
    lines.append(f"  type: {report_type}")
    if kind in (0, 3, 5):
        lines.append(f"  {prefix}_relative_range: {rng.choice(RELATIVE)}")
        if kind != 5:
            lines.append(f"  compared_relative_range: {rng.choice(RELATIVE)}")
    elif kind in (1, 4):
        lines += [f"  {prefix}_datetime_range:", *window]
        lines.append("  compared_datetime_range: same-days-last-year")
    else:
        lines += [f"  {prefix}_relative_range: this-quarter", "  compared_custom_range:", *window]
    if index % 3:
        chosen = rng.sample(USERS, k=1 + index % 3)
        lines.append(f"  users: [{', '.join(chosen)}]")
    if index % 4 == 0:
        lines.append(f"  query: {{type: saved_search, saved_search_id: {rng.choice(SEARCHES)}}}")
    return "\n".join(lines) + "\n"


def generate(folder: Path, count: int) -> list[Path]:
    rng = random.Random(count)
    paths = []
    for index in range(count):
        path = folder / f"bench-{index:05d}.yaml"
        path.write_text(spec_text(index, rng), encoding="utf-8")
        paths.append(path)
    return paths


def timed(command: list[str], cwd: Path, expect: int = 0) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        raise SystemExit(
            f"{command[0]} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--repeat", type=int, default=0, help="runs per tool (default 7, or 3 at 10,000)"
    )
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    ours = str(bindir / "reportrunner")
    theirs = shutil.which("check-jsonschema") or str(bindir / "check-jsonschema")
    schema = str(ROOT / "schema" / "report-spec.schema.json")
    print(f"{'N':>7}  {'runs':>4}  {'reportrunner':>13}  {'check-jsonschema':>17}  {'ratio':>6}")
    for size in args.sizes:
        repeat = args.repeat or (7 if size <= 2000 else 3)
        with tempfile.TemporaryDirectory() as temp:
            work = Path(temp)
            (work / "specs").mkdir()
            paths = generate(work / "specs", size)
            files = [str(p.relative_to(work)) for p in paths]
            our_times, their_times = [], []
            for _ in range(repeat):
                our_times.append(timed([ours, "validate", "specs", "--format", "json"], work))
                # check-jsonschema cannot expand a matrix; its checks are the schema only.
                their_times.append(timed([theirs, "--schemafile", schema, *files], work))
            ours_median = statistics.median(our_times)
            theirs_median = statistics.median(their_times)
            print(
                f"{size:>7,}  {repeat:>4}  {ours_median:>12.2f}s  {theirs_median:>16.2f}s  "
                f"{ours_median / theirs_median:>6.2f}"
            )


if __name__ == "__main__":
    main()
