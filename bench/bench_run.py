"""Benchmark `run_reports` against the emulator under Close-like latency and a rate limit.

For each N (default 40 and 200 generated specs) it starts the emulator in a separate process
(`reportrunner emulator --latency 0.25 --rate-limit 10`, so the runner's own memory is measured
alone), runs every report with the real runner, then restarts the emulator and sends the same
unique requests with a plain sequential `requests` loop (a 429 there waits Retry-After). It
prints wall time against the rate-limit bound `(successful requests - burst) / rate + latency`,
the 429 share, failures and the peak resident memory of this process.

    python bench/bench_run.py            # N = 40 and 200
    python bench/bench_run.py --n 40 --jobs 8
"""

from __future__ import annotations

import argparse
import contextlib
import math
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any

import requests

from reportrunner.emulator.org import GROUPS, PIPELINES, SAVED_SEARCHES, USERS
from reportrunner.model import Spec

try:
    from reportrunner.fetch.plan import build_plan
    from reportrunner.fetch.runner import RunSettings, run_reports
except ImportError:  # a revision before the stage packages (bench_publish.py --rev)
    from reportrunner.plan import build_plan
    from reportrunner.runner import RunSettings, run_reports

KEY = "bench-key"
RANGES = ("this-month", "last-month", "this-quarter", "last-quarter", "this-year", "last-week")
ZONES = ("UTC", "Europe/Berlin", "Asia/Kolkata", "America/New_York")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def emulator_process(*options: str, settle: float) -> Iterator[str]:
    """`reportrunner emulator OPTIONS…` in a child process; yields its base URL once it answers
    and `settle` seconds have passed (a full token bucket, as a fresh Close window would be)."""
    port = free_port()
    command = [
        sys.executable, "-m", "reportrunner", "emulator", "--port", str(port),
        "--api-key", KEY, *options,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    _, err = process.communicate(timeout=10)
                    message = err.decode(errors="replace")
                    raise SystemExit(f"emulator did not start: {message}") from None
                time.sleep(0.05)
        time.sleep(settle)
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def emulator(latency: float, rate: float) -> contextlib.AbstractContextManager[str]:
    """The emulator with Close-like latency and a rate limit (its default bucket)."""
    return emulator_process("--latency", str(latency), "--rate-limit", str(rate), settle=1.2)


def generate_specs(count: int) -> list[Spec]:
    """Valid, varied specs; one in ten repeats another's request (deduplication happens)."""
    specs: list[Spec] = []
    for index in range(count):
        source = index - 7 if index % 10 == 9 and index >= 7 else index
        pipeline = PIPELINES[source % len(PIPELINES)].id
        rng = RANGES[source % len(RANGES)]
        request: dict[str, Any] = {"pipeline": pipeline}
        prefix = "cohort" if source % 2 == 0 else "report"
        request["type"] = "created-cohort" if prefix == "cohort" else "active-stage-cohort"
        if source % 3 == 0:
            request[f"{prefix}_relative_range"] = rng
            request["compared_relative_range"] = RANGES[(source + 1) % len(RANGES)]
        else:
            # A window of its own per spec, so that most requests are distinct (as in real use).
            start = date(2026, 1, 1) + timedelta(days=source)
            request[f"{prefix}_datetime_range"] = {
                "start": f"{start.isoformat()}T00:00:00Z",
                "end": f"{(start + timedelta(days=7 + source % 60)).isoformat()}T00:00:00Z",
            }
        if source % 4 == 1:
            request["users"] = [USERS[source % len(USERS)].id, GROUPS[source % len(GROUPS)].id]
        if source % 5 == 2:
            search = SAVED_SEARCHES[source % len(SAVED_SEARCHES)].id
            request["query"] = {"type": "saved_search", "saved_search_id": search}
        specs.append(
            Spec(
                id=f"bench-{index:03d}",
                title=f"Bench report {index}",
                request=request,
                source=f"specs/bench-{index:03d}.yaml",
                timezone=ZONES[source % len(ZONES)],
            )
        )
    return specs


def sequential(base_url: str, specs: list[Spec], now: datetime) -> tuple[float, int, int]:
    """The peer: a plain loop of requests.post (and the same name GETs), one at a time."""
    session_free = (KEY, "")
    plan = build_plan(specs, now)
    calls: list[tuple[str, str, Any, dict[str, str]]] = [
        ("POST", base_url + r.path, r.body, r.headers()) for r in plan.unique()
    ]
    started = time.monotonic()
    sent = limited = 0

    def call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        nonlocal sent, limited
        while True:
            sent += 1
            answer = requests.request(
                method, url, json=body, headers=headers, auth=session_free, timeout=60
            )
            if answer.status_code != 429:
                answer.raise_for_status()
                return answer.json()
            limited += 1
            time.sleep(float(answer.headers.get("Retry-After", "1")))

    skip = 0
    while True:  # the same name look-ups the runner makes
        page = call("GET", f"{base_url}/user/" + (f"?_skip={skip}" if skip else ""))
        skip += len(page["data"])
        if not page["has_more"]:
            break
    orgs = {o for user in page["data"] for o in user["organizations"]}
    for org in orgs:
        call("GET", f"{base_url}/organization/{org}/")
    for group in call("GET", f"{base_url}/group/")["data"]:
        call("GET", f"{base_url}/group/{group['id']}/")
    call("GET", f"{base_url}/pipeline/")
    searches = {r.body["query"]["saved_search_id"] for r in plan.unique() if "query" in r.body}
    for search in searches:
        call("GET", f"{base_url}/saved_search/{search}/")
    for method, url, body, headers in calls:
        call(method, url, body, headers)
    return time.monotonic() - started, sent, limited


def bench(count: int, jobs: int, latency: float, rate: float) -> dict[str, Any]:
    specs = generate_specs(count)
    now = datetime.now(timezone.utc)
    with emulator(latency, rate) as base_url:
        settings = RunSettings(specs=specs, base_url=base_url, api_key=KEY, jobs=jobs, now=now)
        started = time.monotonic()
        result = run_reports(settings)
        wall = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stats = result.stats
    successful = stats.requests - stats.rate_limited - stats.retries
    burst = max(1, round(rate))
    bound = max(0, successful - burst) / rate + latency
    with emulator(latency, rate) as base_url:
        seq_wall, seq_sent, seq_limited = sequential(base_url, specs, now)
    return {
        "n": count,
        "jobs": jobs,
        "reports_ok": result.ok,
        "reports_failed": result.failed,
        "planned": result.planned_requests,
        "unique": result.unique_requests,
        "requests": stats.requests,
        "successful": successful,
        "rate_limited": stats.rate_limited,
        "share_429": stats.rate_limited / stats.requests if stats.requests else 0.0,
        "retries": stats.retries,
        "wall": wall,
        "bound": bound,
        "ratio": wall / bound if bound else math.nan,
        "sequential": seq_wall,
        "sequential_requests": seq_sent,
        "sequential_429": seq_limited,
        "peak_mb": peak_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[40, 200])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--rate-limit", type=float, default=10.0)
    args = parser.parse_args()
    print(
        f"emulator: latency {args.latency} s, rate limit {args.rate_limit}/s "
        f"(burst {round(args.rate_limit)}); runner: --jobs {args.jobs}"
    )
    header = (
        f"{'N':>4} {'ok':>4} {'fail':>4} {'planned':>7} {'unique':>6} {'sent':>5} {'429s':>9} "
        f"{'wall s':>7} {'bound s':>7} {'x bound':>7} {'seq s':>7} {'speed-up':>8} {'peak MB':>7}"
    )
    print(header)
    for count in args.n:
        row = bench(count, args.jobs, args.latency, args.rate_limit)
        print(
            f"{row['n']:>4} {row['reports_ok']:>4} {row['reports_failed']:>4} "
            f"{row['planned']:>7} {row['unique']:>6} {row['requests']:>5} "
            f"{row['rate_limited']:>3} ({row['share_429']:>4.1%}) "
            f"{row['wall']:>7.2f} {row['bound']:>7.2f} {row['ratio']:>7.2f} "
            f"{row['sequential']:>7.2f} {row['sequential'] / row['wall']:>7.2f}x "
            f"{row['peak_mb']:>7.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
