"""Several keys against the emulator's organisation limit (issue 14, point 5), in one command.

For 1, 2, 3 and 4 keys it starts `reportrunner emulator --limiter org --keys N` in a child
process (per key `--rate-limit 5 --burst 5`, so the organisation admits 15 req/s with 15 in
reserve; 0.25 s latency), puts the keys into CLOSE_API_KEY as a user would (commas between
them), runs N generated specs with the real runner in this one process and prints the
throughput (successful requests a second), the share of 429s and the throughput's ratio to one
key's, last. Close's rule (close-api.md §4): two keys ≈ 2×, three ≈ 3×, a fourth adds nothing.

    python bench/bench_keys.py                   # 200 specs, --jobs 16
    python bench/bench_keys.py --n 100 --keys 1 4
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from datetime import datetime, timezone

from bench_run import KEY, emulator_process, generate_specs

from reportrunner.cli._env import key_and_url_from_env
from reportrunner.cli.emulator_cmd import organisation_keys
from reportrunner.fetch.runner import RunSettings, run_reports

LATENCY = 0.25
RATE = 5.0  # per key; the organisation's is 3x (limiters.ORG_FACTOR)
BURST = 5


def emulator(keys: int) -> contextlib.AbstractContextManager[str]:
    """The org limiter serving `keys` keys; started with full buckets (settled)."""
    options = (
        "--latency", str(LATENCY), "--rate-limit", str(RATE), "--burst", str(BURST),
        "--limiter", "org", "--keys", str(keys),
    )  # fmt: skip
    return emulator_process(*options, settle=3 * BURST / RATE + 0.2)


def cell(keys: int, count: int, jobs: int) -> tuple[float, float, int, int, float]:
    """(successful requests a second, share of 429s, requests sent, reports failed, wall)."""
    specs = generate_specs(count)
    with emulator(keys) as base_url:
        os.environ["CLOSE_API_KEY"] = ",".join(organisation_keys(KEY, keys))
        api_key, _ = key_and_url_from_env(base_url, needed_for="the bench", hint="")
        settings = RunSettings(
            specs=specs, base_url=base_url, api_key=api_key, jobs=jobs,
            now=datetime.now(timezone.utc),
        )  # fmt: skip
        started = time.monotonic()
        result = run_reports(settings)
        wall = time.monotonic() - started
    stats = result.stats
    successful = stats.requests - stats.rate_limited - stats.retries
    share = stats.rate_limited / stats.requests if stats.requests else 0.0
    return successful / wall, share, stats.requests, result.failed, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="specs per run")
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--keys", nargs="+", type=int, default=[1, 2, 3, 4])
    args = parser.parse_args()
    print(
        f"org limiter: per key {RATE:g} req/s, burst {BURST}; organisation 3x; "
        f"latency {LATENCY} s; {args.n} specs; --jobs {args.jobs}"
    )
    print(f"{'keys':>4}{'sent':>6}{'failed':>7}{'429s':>7}{'wall s':>8}{'req/s':>8}{'x 1 key':>9}")
    first: float | None = None
    for keys in args.keys:
        rate, share, sent, failed, wall = cell(keys, args.n, args.jobs)
        first = first or rate
        print(
            f"{keys:>4}{sent:>6}{failed:>7}{share:>7.1%}{wall:>8.1f}{rate:>8.2f}"
            f"{rate / first:>9.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
