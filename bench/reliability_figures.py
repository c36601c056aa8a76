"""The fault campaign behind RELIABILITY.md: inject, run, count what was lost.

Two campaigns against the Close emulator over real HTTP, both seeded (same seed, same faults):

* in process (`--runs`, default 300): each run draws a fault sequence (kinds from the twelve
  the emulator scripts, paths among the report endpoints, the look-ups and any path), runs three
  reports with `run_reports` on a virtual clock (backoff and rate-limit pauses cost no wall
  time; timeouts are real) and publishes the site. *Transient* runs hold at most three failing
  answers (one fewer than the attempts a request gets) plus any number of 429s: every report
  must be ok. *Persistent* runs put four or more failing answers of one kind on the stages
  endpoint, which only report `b` uses: `b` must fail with its own reason, the others be ok.
* through the CLI (`--cli-runs`, default 20): the same kind of transient sequences through a
  real `reportrunner run` subprocess with real waiting; the exit status must be 0, and stdout
  and stderr must hold no traceback and no "internal error".
* interruption (`--signal-rounds`, default 10): SIGINT and SIGTERM sent to a real run once a
  report request is in flight (emulator latency 0.3 s); exit 130 expected, time to exit shown.

Counted: runs, faults injected (by kind) and consumed, reports expected / ok / failed / lost
(missing from the outcomes or the manifest), wrong verdicts, tracebacks (an exception escaping
`run_reports`/`publish`, or a traceback in CLI output).

    python bench/reliability_figures.py
    python bench/reliability_figures.py --runs 1000 --cli-runs 50 --seed 7
    python bench/reliability_figures.py --runs 0 --cli-runs 0   # signals only
    python bench/reliability_figures.py --runs 0 --cli-runs 0 --signal-rounds 0 \
        --boundary-rounds 40   # the known race: signals in the 50 ms after fetching
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "reliability"))

from relhelp import (  # noqa: E402  (the tests' harness, shared on purpose)
    FAILING_KINDS,
    FAULT_KINDS,
    NEW_BUSINESS,
    SHORT_TIMEOUT,
    STAGES_PATH,
    TOTALS_PATH,
    VirtualTime,
    cli_env,
    run_cli,
    spec_yaml,
    tree_snapshot,
    write_specs,
)

from reportrunner.emulator import Emulator, Fault  # noqa: E402
from reportrunner.fetch.runner import RunSettings, run_reports  # noqa: E402
from reportrunner.model import Project, Spec  # noqa: E402
from reportrunner.site.build import publish  # noqa: E402

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
KEY = "figures-key"
COHORT = {"pipeline": NEW_BUSINESS, "type": "created-cohort"}
SPECS = [
    Spec("a", "A", {**COHORT, "cohort_relative_range": "this-month"}, "specs/a.yaml",
         endpoints=("totals",)),
    Spec("b", "B", {**COHORT, "cohort_relative_range": "last-month"}, "specs/b.yaml",
         endpoints=("stages",)),
    Spec("c", "C", {**COHORT, "cohort_relative_range": "this-quarter",
                    "compared_relative_range": "last-quarter"}, "specs/c.yaml",
         endpoints=("totals",)),
]  # fmt: skip
PATHS = [TOTALS_PATH, STAGES_PATH, "/report/", "/user/", "/pipeline/", None]
RATE_LIMITS = [name for name in FAULT_KINDS if name.startswith("429")]


@dataclass
class Tally:
    runs: int = 0
    transient_runs: int = 0
    persistent_runs: int = 0
    injected: Counter[str] = field(default_factory=Counter)
    unconsumed: int = 0
    expected_reports: int = 0
    ok: int = 0
    failed: int = 0
    lost: int = 0
    wrong: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    seconds: float = 0.0
    virtual_wait: float = 0.0


def draw_sequence(rng: random.Random, persistent: bool) -> list[tuple[str, str | None]]:
    """(kind, path) pairs; at most three failing answers in a transient sequence."""
    faults: list[tuple[str, str | None]] = []
    for _ in range(rng.randint(0, 4)):
        faults.append((rng.choice(RATE_LIMITS), rng.choice(PATHS)))
    failing = rng.randint(1, 3)
    for _ in range(failing):
        faults.append((rng.choice(FAILING_KINDS), rng.choice(PATHS)))
    rng.shuffle(faults)
    if persistent:
        kind = rng.choice(FAILING_KINDS)
        # Four or more in a row on the stages endpoint: b's only request exhausts its attempts.
        faults = [(kind, STAGES_PATH)] * rng.randint(4, 6) + [
            f for f in faults if f[1] not in (STAGES_PATH, "/report/", None)
        ]
    return faults


def one_run(rng: random.Random, tally: Tally, out: Path) -> None:
    persistent = rng.random() < 0.3
    faults = draw_sequence(rng, persistent)
    tally.runs += 1
    tally.persistent_runs += persistent
    tally.transient_runs += not persistent
    with Emulator(api_key=KEY, now=NOW) as emu:
        for kind, path in faults:
            emu.inject(FAULT_KINDS[kind], path=path)
            tally.injected[kind] += 1
        clock = VirtualTime()
        settings = RunSettings(
            specs=SPECS, base_url=emu.base_url, api_key=KEY, now=NOW, timeout=SHORT_TIMEOUT
        )
        tally.expected_reports += len(SPECS)
        label = f"run {tally.runs} ({'persistent' if persistent else 'transient'}: {faults})"
        try:
            result = run_reports(settings, clock=clock.clock, sleep=clock.sleep)
            site = publish(out, Project(root=out.parent), result.outcomes, now=NOW)
        except Exception:  # counted, and shown: this is what the campaign looks for
            tally.tracebacks.append(f"{label}\n{traceback.format_exc()}")
            tally.lost += len(SPECS)
            return
        if not persistent:
            tally.unconsumed += emu.faults.pending()
    tally.virtual_wait += clock.slept
    outcomes = {o.id: o for o in result.outcomes}
    listed = {r.id for r in site.reports}
    tally.lost += sum(1 for spec in SPECS if spec.id not in outcomes or spec.id not in listed)
    for outcome in outcomes.values():
        tally.ok += outcome.status == "ok"
        tally.failed += outcome.status != "ok"
        if outcome.error and "internal error" in outcome.error:
            tally.tracebacks.append(f"{label}: {outcome.error}")
    expected = {"a": "ok", "b": "failed" if persistent else "ok", "c": "ok"}
    got = {key: o.status for key, o in outcomes.items()}
    if got != expected:
        tally.wrong.append(f"{label}: expected {expected}, got {got}")
    failed_b = outcomes.get("b")
    if persistent and failed_b and not (failed_b.error or "").startswith("specs/b.yaml: "):
        tally.wrong.append(f"{label}: b's error does not name its spec: {failed_b.error}")


def in_process(runs: int, seed: int) -> Tally:
    rng = random.Random(seed)
    tally = Tally()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rr-figures-") as tmp:
        for _ in range(runs):
            one_run(rng, tally, Path(tmp) / "site")
    tally.seconds = time.monotonic() - started
    return tally


def through_cli(runs: int, seed: int) -> Tally:
    rng = random.Random(seed + 1)
    tally = Tally()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rr-figures-cli-") as tmp:
        root = Path(tmp)
        write_specs(
            root,
            {
                "a": spec_yaml("a", endpoints=["totals"]),
                "b": spec_yaml("b", endpoints=["stages"], cohort="last-month"),
                "c": spec_yaml("c", endpoints=["totals", "stages"], cohort="this-quarter"),
            },
        )
        for index in range(runs):
            faults = [(k, p) for k, p in draw_sequence(rng, False) if k != "slower than --timeout"]
            with Emulator(api_key=KEY, now=NOW) as emu:
                for kind, path in faults:
                    fault = FAULT_KINDS[kind]
                    if kind in RATE_LIMITS:  # real waiting here: keep the pauses short
                        fault = Fault.rate_limit(fault.style, 0.1)
                    emu.inject(fault, path=path)
                    tally.injected[kind] += 1
                run = run_cli(["run", "--out", "site"], cwd=root, env=cli_env(emu.base_url, KEY))
                tally.unconsumed += emu.faults.pending()
            tally.runs += 1
            tally.transient_runs += 1
            tally.expected_reports += 3
            if run.traceback:
                tally.tracebacks.append(f"cli run {index}: {faults}\n{run.explain()}")
            if run.returncode != 0:
                tally.wrong.append(f"cli run {index}: {faults}\n{run.explain()}")
            manifest = json.loads((root / "site/manifest.json").read_text(encoding="utf-8"))
            statuses = {r["id"]: r["status"] for r in manifest["reports"]}
            tally.lost += sum(1 for rid in "abc" if rid not in statuses)
            tally.ok += sum(1 for s in statuses.values() if s == "ok")
            tally.failed += sum(1 for s in statuses.values() if s != "ok")
    tally.seconds = time.monotonic() - started
    return tally


def signals(rounds: int) -> dict[str, Any]:
    """Time from SIGINT/SIGTERM (sent once a report request is in flight) to the exit."""
    import signal
    import statistics
    import subprocess

    times: dict[str, list[float]] = {"SIGINT": [], "SIGTERM": []}
    problems = 0
    with tempfile.TemporaryDirectory(prefix="rr-figures-sig-") as tmp:
        root = Path(tmp)
        write_specs(root, {c: spec_yaml(c, cohort=c) for c in ("this-month", "last-month")})
        with Emulator(api_key=KEY, now=NOW, latency=0.3) as emu:
            env = cli_env(emu.base_url, KEY)
            for _ in range(rounds):
                for name, signum in (("SIGINT", signal.SIGINT), ("SIGTERM", signal.SIGTERM)):
                    emu.clear_requests()
                    process = subprocess.Popen(
                        [sys.executable, "-m", "reportrunner", "run", "--out", "site"],
                        cwd=root,
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                    while not any(r.method == "POST" for r in emu.requests):
                        time.sleep(0.002)
                    sent = time.monotonic()
                    process.send_signal(signum)
                    _, stderr = process.communicate(timeout=30)
                    times[name].append(time.monotonic() - sent)
                    problems += process.returncode != 130 or "Traceback" in stderr
    print("\n## Interruption (`reportrunner run`, a report request in flight)")
    for name, values in times.items():
        print(
            f"{name}: {len(values)} runs, exit 130 with a message; stopped after median "
            f"{statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
        )
    print(f"wrong exits or tracebacks: {problems}")
    return {"lost": 0, "tracebacks": problems, "wrong": 0}


def boundary(rounds: int) -> dict[str, Any]:
    """Signals in the first 50 ms after fetching ends (a known race): count what goes wrong."""
    import signal
    import subprocess
    import threading

    outcomes: Counter[str] = Counter()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="rr-figures-edge-") as tmp:
        root = Path(tmp)
        cohorts = ["this-month", "last-month", "this-quarter", "last-quarter", "this-year"]
        write_specs(
            root, {f"r{i:02d}": spec_yaml(f"r{i:02d}", cohort=cohorts[i % 5]) for i in range(80)}
        )
        with Emulator(api_key=KEY, now=NOW) as emu:
            env = cli_env(emu.base_url, KEY)
            run_cli(["run", "--out", "site"], cwd=root, env=env)
            before = tree_snapshot(root / "site")
            for index in range(rounds):
                signum = (signal.SIGINT, signal.SIGTERM)[index % 2]
                process = subprocess.Popen(
                    [sys.executable, "-m", "reportrunner", "run", "--out", "site", "--jobs", "8"],
                    cwd=root,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                lines: list[str] = []
                reader = threading.Thread(target=lines.extend, args=(process.stderr,), daemon=True)
                reader.start()
                while not any("[80/80]" in line for line in lines) and process.poll() is None:
                    time.sleep(0.001)
                time.sleep(rng.uniform(0.0, 0.05))
                process.send_signal(signum)
                process.wait(timeout=30)
                reader.join(timeout=5)
                left = [p.name for p in root.iterdir() if p.name.startswith(".site.")]
                after = tree_snapshot(root / "site")
                verdict = f"exit {process.returncode}, site " + (
                    "unchanged" if after == before else "replaced"
                )
                verdict += ", staging folder left" if left else ""
                before = after
                outcomes[verdict] += 1
                for name in left:
                    shutil.rmtree(root / name, ignore_errors=True)
    print("\n## Signal in the first 50 ms after fetching (see RELIABILITY.md, known limits)")
    for verdict, count in sorted(outcomes.items()):
        print(f"  {count:4}  {verdict}")
    # Expected: stopped (130, old site) or already finished (0, new site); anything else counts.
    fine = {"exit 130, site unchanged", "exit 0, site replaced"}
    wrong = sum(count for verdict, count in outcomes.items() if verdict not in fine)
    return {"lost": 0, "tracebacks": 0, "wrong": wrong}


def report(name: str, tally: Tally) -> dict[str, Any]:
    kinds = len(tally.injected)
    total = sum(tally.injected.values())
    print(f"\n## {name}")
    waits = (
        f"; waits a real run would make: {tally.virtual_wait:.0f} s" if tally.virtual_wait else ""
    )
    print(
        f"runs: {tally.runs} ({tally.transient_runs} transient, {tally.persistent_runs} "
        f"persistent) in {tally.seconds:.1f} s{waits}"
    )
    print(f"faults injected: {total:,} across {kinds} kinds; left unconsumed: {tally.unconsumed}")
    for kind, count in sorted(tally.injected.items()):
        print(f"  {count:6,}  {kind}")
    print(
        f"reports: {tally.expected_reports:,} expected, {tally.ok:,} ok, {tally.failed:,} failed, "
        f"lost: {tally.lost}"
    )
    print(f"wrong verdicts: {len(tally.wrong)}; tracebacks: {len(tally.tracebacks)}")
    for problem in (tally.wrong + tally.tracebacks)[:5]:
        print("  " + problem.replace("\n", "\n  ")[:2000])
    return {
        "lost": tally.lost,
        "tracebacks": len(tally.tracebacks),
        "wrong": len(tally.wrong),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300, help="in-process runs (default 300)")
    parser.add_argument("--cli-runs", type=int, default=20, help="CLI runs (default 20)")
    parser.add_argument("--signal-rounds", type=int, default=10, help="SIGINT+SIGTERM pairs")
    parser.add_argument(
        "--boundary-rounds", type=int, default=0, help="signals right after fetching (race)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = [report("In process (run_reports + publish)", in_process(args.runs, args.seed))]
    if args.cli_runs:
        results.append(report("Through `reportrunner run`", through_cli(args.cli_runs, args.seed)))
    if args.signal_rounds:
        results.append(signals(args.signal_rounds))
    if args.boundary_rounds:
        results.append(boundary(args.boundary_rounds))
    bad = sum(r["lost"] + r["tracebacks"] + r["wrong"] for r in results)
    print("\nheld" if not bad else f"\nFAILED: {bad} problems")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
