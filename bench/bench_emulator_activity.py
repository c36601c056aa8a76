"""The emulator's activity report: the cost of a first request, and of a warm one over HTTP.

Activities are generated a calendar month at a time when a report first needs the month
(reportrunner/emulator/activitygen.py). This prints, for windows of growing length, how many
months a first request generates and its time beside the peer that generating everything up
front would cost (all 25 months: the all-time row), each the best of `--rounds` fresh stores;
then warm requests over real HTTP (keep-alive), overview and comparison, with 3 metrics and
with the whole catalogue.

    python bench/bench_emulator_activity.py
    python bench/bench_emulator_activity.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timezone

import requests

from reportrunner.emulator import Emulator
from reportrunner.emulator.activity import comparison, measured
from reportrunner.emulator.activitycatalogue import KEYS
from reportrunner.emulator.activitygen import build
from reportrunner.emulator.activityrequest import parse
from reportrunner.emulator.dataset import generate

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
WINDOWS = ("today", "this-week", "this-month", "last-quarter", "this-year", "all-time")


def first_requests(rounds: int) -> None:
    dataset = generate(1, NOW)
    rows = []
    for window in WINDOWS:
        body = {"type": "comparison", "relative_range": window, "metrics": [KEYS[0]]}
        request = parse(dataset, body, timezone.utc, NOW)
        best = float("inf")
        for _ in range(rounds):
            store = build(dataset)
            started = time.perf_counter()
            comparison(dataset, store, request, NOW)
            best = min(best, time.perf_counter() - started)
        months = len(store.source.months_between(*measured(request, NOW).seconds))
        rows.append((window, months, best))
    everything = rows[-1][2]
    print("| window | months generated | first request | × all months up front |")
    print("|---|---:|---:|---:|")
    for window, months, seconds in rows:
        print(f"| {window} | {months} | {seconds * 1000:.0f} ms | {seconds / everything:.2f} |")


def warm_requests(rounds: int) -> None:
    print("\n| report | window | metrics | warm request over HTTP |")
    print("|---|---|---:|---:|")
    with Emulator(api_key="k", now=NOW) as emu, requests.Session() as session:
        session.auth = ("k", "")
        url = emu.base_url + "/report/activity/"
        for window in ("this-week", "last-quarter", "all-time"):
            for kind in ("overview", "comparison"):
                for metrics in (list(KEYS[:3]), list(KEYS)):
                    body = {"type": kind, "relative_range": window, "metrics": metrics}
                    session.post(url, json=body).raise_for_status()  # generate the months
                    best = float("inf")
                    for _ in range(rounds):
                        started = time.perf_counter()
                        session.post(url, json=body).raise_for_status()
                        best = min(best, time.perf_counter() - started)
                    print(f"| {kind} | {window} | {len(metrics)} | {best * 1000:.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="best of N (default 3)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    first_requests(args.rounds)
    warm_requests(max(args.rounds, 5))


if __name__ == "__main__":
    main()
