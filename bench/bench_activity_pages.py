"""Publishing activity reports side by side with funnel reports of the same count.

Both kinds go through the same site builder; an activity page (headline, a chart per metric
over 31 days, or a leaderboard of 40 reps, trends over 30 runs) must not cost much more than a
funnel page. The reports are built from the test fixtures (tests/render/fixtures), each with
its own id, and published into a temporary folder; the figure is milliseconds per report, the
best of `--repeat` runs, and the ratio activity ÷ funnel.

    python bench/bench_activity_pages.py               # 200 reports of each kind
    python bench/bench_activity_pages.py --reports 500 --repeat 3
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from reportrunner.fetch.earlier import read_source
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "render" / "fixtures"
NOW = datetime(2026, 12, 2, 9, 30, 5, tzinfo=timezone.utc)


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def _month_overview() -> dict[str, Any]:
    """The overview fixture over a whole month: 31 daily periods."""
    data = _load("activity-overview")
    base = data["responses"]["activity"]["base"]
    start = datetime(2026, 10, 1, tzinfo=timezone(timedelta(hours=2)))
    keys = list(base["aggregations"]["totals"])
    base["data"] = [
        {"datetime": (start + timedelta(days=day)).isoformat(), **dict.fromkeys(keys, day % 7)}
        for day in range(31)
    ]
    data["windows"]["report"].update(start=start.isoformat(), end="2026-11-01T00:00:00+01:00")
    return data


def _big_board() -> dict[str, Any]:
    """The comparison fixture with 40 reps."""
    data = _load("activity-comparison")
    base = data["responses"]["activity"]["base"]
    keys = list(base["aggregations"]["totals"])
    base["data"] = [
        {"user_id": f"user_{n}", **dict.fromkeys(keys, n * 37 % 101)} for n in range(40)
    ]
    data["names"]["users"] = {f"user_{n}": f"Rep {n}" for n in range(40)}
    return data


def _history(data: dict[str, Any], runs: int, activity: bool) -> list[dict[str, Any]]:
    snapshots = []
    for run in range(runs):
        moment = NOW - timedelta(days=runs - run)
        snapshot: dict[str, Any] = {
            "fetched_at": f"{moment:%Y-%m-%dT%H:%M:%SZ}",
            "windows": {},
            "headline": {},
            "stages": {},
        }
        if activity:
            totals = data["responses"]["activity"]["base"]["aggregations"]["totals"]
            snapshot["metrics"] = {k: (v or 0) * (0.5 + run / runs) for k, v in totals.items()}
        else:
            snapshot["headline"] = {"count": 30 + run, "value_total_won": 1000 * run}
        snapshots.append(snapshot)
    return snapshots


def _site(kind: str, reports: int, runs: int, folder: Path) -> tuple[list[ReportOutcome], Path]:
    """Outcomes of `reports` reports of one kind, and an earlier site holding their history."""
    sources = [_load("data")] if kind == "funnel" else [_month_overview(), _big_board()]
    earlier = folder / "earlier"
    (earlier / "history").mkdir(parents=True)
    outcomes = []
    for number in range(reports):
        data = copy.deepcopy(sources[number % len(sources)])
        data["id"] = f"{kind}-{number}"
        document = {"id": data["id"], "snapshots": _history(data, runs, kind == "activity")}
        (earlier / "history" / f"{data['id']}.json").write_text(json.dumps(document), "utf-8")
        outcomes.append(ReportOutcome(data["id"], data["title"], data["spec_file"], "ok", data))
    return outcomes, earlier


def measure(kind: str, reports: int, runs: int, repeat: int) -> float:
    """Best milliseconds per report of publishing `reports` reports of `kind`."""
    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="bench-activity-") as tmp:
        folder = Path(tmp)
        outcomes, earlier = _site(kind, reports, runs, folder)
        for attempt in range(repeat):
            out = folder / f"site-{attempt}"
            started = time.perf_counter()
            past = read_source(str(earlier), [o.id for o in outcomes])
            publish(out, Project(root=folder), outcomes, earlier=past, now=NOW)
            best = min(best, (time.perf_counter() - started) * 1000 / reports)
            shutil.rmtree(out)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30, help="history snapshots per report")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    funnel = measure("funnel", args.reports, args.runs, args.repeat)
    activity = measure("activity", args.reports, args.runs, args.repeat)
    print(
        f"publish {args.reports} reports, {args.runs} runs of history each (best of {args.repeat})"
    )
    print(f"{'kind':<10} {'ms per report':>14}")
    print(f"{'funnel':<10} {funnel:>14.2f}")
    print(f"{'activity':<10} {activity:>14.2f}")
    print(f"activity / funnel: {activity / funnel:.2f}x")


if __name__ == "__main__":
    main()
