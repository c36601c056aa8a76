"""Child of bench_publish.py: times publishing with whichever reportrunner is on sys.path.

Run once per revision (PYTHONPATH points at a checkout of it), so both sides run exactly the
same steps on the same machine: fetch N reports from an in-process emulator without latency
(fetch time per report), publish them once the emulator has stopped (`site.publish`, as
`reportrunner run` does), then give 200 reports a history of
365 daily snapshots and rebuild the site from it (`site.rerender`). Prints one JSON line:
wall times, and CPU times (this process and its worker processes), which a busy machine
disturbs less.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench_run import generate_specs

from reportrunner.emulator import Emulator
from reportrunner.model import Project

try:
    from reportrunner.fetch.runner import RunSettings, run_reports
    from reportrunner.site import build as site
except ImportError:  # a revision before the stage packages (bench_publish.py --rev)
    from reportrunner.runner import RunSettings, run_reports

    from reportrunner import site

NOW = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
KEY = "bench-key"


def fetch(emu: Emulator, count: int) -> tuple[list[Any], float]:
    specs = generate_specs(count)
    specs = [dataclasses.replace(spec, id=f"bench-{i:05d}") for i, spec in enumerate(specs)]
    settings = RunSettings(specs=specs, api_key=KEY, base_url=emu.base_url, jobs=4, now=NOW)
    started = time.perf_counter()
    result = run_reports(settings)
    seconds = time.perf_counter() - started
    failed = [outcome for outcome in result.outcomes if outcome.status != "ok"]
    if failed:
        raise SystemExit(f"{len(failed)} reports failed, e.g. {failed[0].error}")
    return list(result.outcomes), seconds


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes), user + system."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def with_history(folder: Path, days: int) -> None:
    """Every report's history becomes `days` daily snapshots ending at NOW."""
    for path in sorted((folder / "history").glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        last = document["snapshots"][-1]
        snapshots = []
        for day in range(days):
            snapshot = json.loads(json.dumps(last))
            snapshot["fetched_at"] = (NOW - timedelta(days=days - 1 - day)).isoformat()
            headline = snapshot["headline"]
            for key, value in headline.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    headline[key] = type(value)(value * (0.5 + (day * 37 % 100) / 100))
            snapshots.append(snapshot)
        document["snapshots"] = snapshots
        path.write_text(json.dumps(document), "utf-8")


def main() -> None:
    counts = [int(part) for part in sys.argv[1].split(",")]
    publish_n = int(sys.argv[2])
    history_n, days = 200, 365
    figures: dict[str, Any] = {"fetch_per_report_ms": {}}
    work = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    project = Project(root=work)
    try:
        published: list[Any] = []
        with Emulator(api_key=KEY, now=NOW) as emu:
            for count in counts:
                outcomes, seconds = fetch(emu, count)
                figures["fetch_per_report_ms"][str(count)] = 1000 * seconds / count
                if count == publish_n:
                    published = outcomes
            outcomes, _ = fetch(emu, history_n)
        # Published once the emulator has stopped, as `reportrunner run` does (cli/run_cmd.py
        # stops it before publishing): while its server thread runs, the site is built in
        # this process only (site/pool.workers forks no workers beside other threads).
        started, cpu = time.perf_counter(), cpu_seconds()
        site.publish(work / "site", project, published, now=NOW)
        figures["publish_s"] = time.perf_counter() - started
        figures["publish_cpu_s"] = cpu_seconds() - cpu
        site.publish(work / "hist", project, outcomes, now=NOW)
        with_history(work / "hist", days)
        started, cpu = time.perf_counter(), cpu_seconds()
        site.rerender(work / "hist", project, out=work / "hist2", now=NOW)
        figures["render_history_s"] = time.perf_counter() - started
        figures["render_history_cpu_s"] = cpu_seconds() - cpu
        pages = [path.stat().st_size for path in (work / "hist2").glob("*/index.html")]
        figures["page_kb_max"] = max(pages) / 1000
        data = json.loads(next((work / "hist2").glob("*/data.json")).read_text("utf-8"))
        figures["snapshots_kept"] = len(
            json.loads((work / "hist2" / "history" / f"{data['id']}.json").read_text())["snapshots"]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
