"""Pacing against every limiter model of the emulator: the matrix of issue 14, in one command.

For each limiter model (`reportrunner emulator --limiter`), each `--jobs` in {1, 4, 32} and
both rate settings (10 req/s with burst 10, and 1 req/s with burst 1; both with 0.25 s
latency), it starts the emulator in a child process, runs N generated specs with the real
runner and prints the wall time against the bound and the share of requests answered 429. The
bound is the rate-limit bound `(successful requests - burst) / rate + latency`, or, when
fewer workers than that rate can keep busy, the latency bound `sent x latency / jobs` (one
worker at 0.25 s a request sends at most 4 a second: no pacer reaches 10 req/s with --jobs 1).
The ratio to the bound is last.

At 1 req/s every request costs a second: N is smaller there (default 12 specs, about 30
requests with the look-ups) so the whole matrix runs in about half an hour. The ratio stays
meaningful because each cell still spends dozens of requests past its burst of 1, which is
where a pacer's mistakes (waiting too little, or too long) show.

    python bench/bench_pacing.py                       # the whole matrix
    python bench/bench_pacing.py --models token-bucket --jobs 4 --settings fast
    python bench/bench_pacing.py --models retry-after --jobs 4 --settings slow --specs 200
"""

from __future__ import annotations

import argparse
import contextlib
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from bench_run import KEY, emulator_process, generate_specs

from reportrunner.emulator.limiters import LIMITERS
from reportrunner.fetch.runner import RunSettings, run_reports

LATENCY = 0.25


@dataclass(frozen=True)
class Setting:
    name: str
    rate: float
    burst: int
    specs: int


SETTINGS = {"fast": Setting("fast", 10.0, 10, 200), "slow": Setting("slow", 1.0, 1, 12)}


def emulator(model: str, setting: Setting) -> contextlib.AbstractContextManager[str]:
    """The emulator playing `model`; the probe took no token, so it starts with a full bucket."""
    options = (
        "--latency", str(LATENCY), "--rate-limit", str(setting.rate),
        "--burst", str(setting.burst), "--limiter", model,
    )  # fmt: skip
    return emulator_process(*options, settle=setting.burst / setting.rate + 0.2)


def cell(model: str, jobs: int, setting: Setting) -> tuple[float, float, int, int]:
    """(ratio to the bound, share of 429s, requests sent, reports failed) of one run."""
    specs = generate_specs(setting.specs)
    with emulator(model, setting) as base_url:
        settings = RunSettings(
            specs=specs, base_url=base_url, api_key=KEY, jobs=jobs, now=datetime.now(timezone.utc)
        )
        started = time.monotonic()
        result = run_reports(settings)
        wall = time.monotonic() - started
    stats = result.stats
    successful = stats.requests - stats.rate_limited - stats.retries
    bound = max(
        max(0, successful - setting.burst) / setting.rate + LATENCY,
        stats.requests * LATENCY / jobs,
    )
    share = stats.rate_limited / stats.requests if stats.requests else 0.0
    return (wall / bound if bound else math.nan), share, stats.requests, result.failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(LIMITERS), choices=LIMITERS)
    parser.add_argument("--jobs", nargs="+", type=int, default=[1, 4, 32])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=SETTINGS)
    parser.add_argument(
        "--specs", type=int, help="specs per cell instead of the setting's (200 is the issue's)"
    )
    args = parser.parse_args()
    if args.specs:
        for name, value in SETTINGS.items():
            SETTINGS[name] = Setting(value.name, value.rate, value.burst, args.specs)
    print(f"latency {LATENCY} s; " + "; ".join(
        f"{s.name}: {s.rate:g} req/s, burst {s.burst}, {s.specs} specs" for s in SETTINGS.values()
    ))  # fmt: skip
    print(
        f"{'model':<15}{'setting':<8}{'jobs':>5}{'sent':>6}{'failed':>7}{'429s':>7}{'x bound':>9}"
    )
    worst = 0.0
    for setting in (SETTINGS[name] for name in args.settings):
        for model in args.models:
            for jobs in args.jobs:
                ratio, share, sent, failed = cell(model, jobs, setting)
                worst = max(worst, ratio)
                print(
                    f"{model:<15}{setting.name:<8}{jobs:>5}{sent:>6}{failed:>7}"
                    f"{share:>7.1%}{ratio:>9.2f}",
                    flush=True,
                )
    print(f"worst ratio to the bound: {worst:.2f}")


if __name__ == "__main__":
    main()
