"""Fast publishing keeps every byte: worker processes, the threaded site writer, quick checks.

The speed-ups of issue 14 (bench/bench_publish.py) must not change what a site says. Each test
builds the same site two ways and compares every file, or feeds the fast path what the slow
path refuses and expects the same verdict.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reportrunner.errors import RenderError, UsageError
from reportrunner.model import Project, ReportOutcome
from reportrunner.redact import MASK
from reportrunner.site import pool as sitepool
from reportrunner.site.build import publish, rerender
from reportrunner.site.render import Renderer
from reportrunner.site.report import ReportItem
from reportrunner.site.snapshots import BadSnapshot, checked, clean
from reportrunner.site.writer import SiteWriter

Outcome = Callable[..., ReportOutcome]
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
needs_workers = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods() or CPUS < 2,
    reason="worker processes need fork and 2 CPUs",
)


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _outcomes(data: dict[str, Any], make_outcome: Outcome, count: int) -> list[ReportOutcome]:
    """`count` reports: most fine, one failed, one whose data cannot be rendered."""
    outcomes = []
    for number in range(count):
        report = copy.deepcopy(data)
        report["id"] = f"report-{number:03d}"
        report["title"] = f"Report {number}"
        report["responses"]["totals"]["base"]["aggregations"]["count"] += number
        outcomes.append(make_outcome(report))
    broken = dict(copy.deepcopy(data), id="bad-shape")
    broken["responses"] = {"totals": {"base": {"aggregations": [], "data": "x"}}}
    return [*outcomes, make_outcome(broken), make_outcome(id="failed-one")]


def _with_history(site: Path, runs: int, now: datetime) -> None:
    """Every report's history becomes `runs` daily snapshots ending a day before `now`."""
    for path in sorted((site / "history").glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        last = document["snapshots"][-1]
        snapshots = []
        for day in range(runs):
            snapshot = copy.deepcopy(last)
            snapshot["fetched_at"] = (now - timedelta(days=runs - day)).isoformat()
            snapshot["headline"]["count"] = (day * 37) % 100
            snapshots.append(snapshot)
        document["snapshots"] = snapshots
        path.write_text(json.dumps(document), "utf-8")


@pytest.fixture
def no_stray_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers are forked only while no other thread runs; an idle thread another test of the
    same session left behind (a finished server's) must not turn this file's workers off."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    def switch() -> None:
        monkeypatch.setattr(sitepool, "MIN_REPORTS", 1_000_000)

    return switch


@needs_workers
@pytest.mark.usefixtures("no_stray_threads")
def test_workers_build_the_very_same_site(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    now: datetime,
    make_outcome: Outcome,
    in_process: Callable[[], None],
) -> None:
    outcomes = _outcomes(data, make_outcome, sitepool.MIN_REPORTS + 2)
    items = [ReportItem(o.id, o.title, o.source, "ok", None, o.data) for o in outcomes]
    with sitepool.Builder(Renderer(project), items, {}, tmp_path, tmp_path) as builder:
        assert builder._pool is not None, "a site this large is built by workers"
    parallel = publish(tmp_path / "parallel", project, outcomes, now=now)
    _with_history(tmp_path / "parallel", 120, now)
    rerender(tmp_path / "parallel", project, out=tmp_path / "parallel-again", now=now)
    in_process()
    serial = publish(tmp_path / "serial", project, outcomes, now=now)
    _with_history(tmp_path / "serial", 120, now)
    rerender(tmp_path / "serial", project, out=tmp_path / "serial-again", now=now)
    assert parallel.warnings == serial.warnings and len(serial.warnings) == 1
    assert [r.to_json() for r in parallel.reports] == [r.to_json() for r in serial.reports]
    assert _files(tmp_path / "parallel") == _files(tmp_path / "serial")
    assert _files(tmp_path / "parallel-again") == _files(tmp_path / "serial-again")
    histories = (tmp_path / "parallel-again" / "history").glob("*.json")
    assert {len(json.loads(p.read_text())["snapshots"]) for p in histories} == {120}


@needs_workers
@pytest.mark.usefixtures("no_stray_threads")
def test_workers_mask_the_secrets_and_raise_template_errors_whole(
    tmp_path: Path, data: dict[str, Any], make_outcome: Outcome
) -> None:
    secret = "api_k3y_from_the_run"
    data["responses"]["totals"]["base"]["aggregations"]["count"] = 7
    data["title"] = f"Leaked {secret} here"
    outcomes = _outcomes(data, make_outcome, sitepool.MIN_REPORTS)
    for outcome in outcomes:
        outcome.title = f"Leaked {secret} here"
    project = Project(root=tmp_path)
    publish(tmp_path / "site", project, outcomes, secrets=[secret])
    texts = b"".join(_files(tmp_path / "site").values()).decode("utf-8", "replace")
    assert secret not in texts and secret.replace("_", "\\_") not in texts
    assert MASK in texts
    # A user's template with a runtime error stops the site with its file and line, as
    # when the report is built in this process (exceptions do not cross processes whole).
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.md").write_text("# {{ report.title }}\n{{ report.no_such_field }}\n")
    broken = Project(root=tmp_path, templates=Path("templates"))
    before = _files(tmp_path / "site")
    with pytest.raises(RenderError) as caught:
        publish(tmp_path / "site", broken, outcomes)
    assert str(caught.value).startswith(f"{templates / 'report.md'}:2: ")
    # The workers, which write into the staging folder, stopped before it was removed: no
    # file of theirs is left beside the site, and the site is as it was.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "templates"]
    assert _files(tmp_path / "site") == before
    # Only a late report's page fails: the other workers are still writing when it does.
    late = outcomes[-5].id
    (templates / "report.md").write_text(
        f"# {{{{ report.title }}}}\n{{% if report.id == '{late}' %}}{{{{ report.no_such_field }}}}"
        "{% endif %}\n"
    )
    with pytest.raises(RenderError):
        publish(tmp_path / "site", broken, outcomes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "templates"]
    assert _files(tmp_path / "site") == before


@needs_workers
@pytest.mark.usefixtures("no_stray_threads")
def test_a_worker_that_dies_leaves_its_reports_to_the_main_process(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    now: datetime,
    make_outcome: Outcome,
    monkeypatch: pytest.MonkeyPatch,
    in_process: Callable[[], None],
) -> None:
    outcomes = _outcomes(data, make_outcome, sitepool.MIN_REPORTS)
    parent = os.getpid()
    build_one = sitepool.build_one

    def dying(*args: Any) -> Any:
        if os.getpid() != parent and args[2].id == "report-005":
            os._exit(9)  # killed (out of memory, a signal) in the middle of the site
        return build_one(*args)

    monkeypatch.setattr(sitepool, "build_one", dying)
    publish(tmp_path / "survived", project, outcomes, now=now)
    in_process()
    publish(tmp_path / "serial", project, outcomes, now=now)
    assert _files(tmp_path / "survived") == _files(tmp_path / "serial")


@needs_workers
def test_no_workers_while_another_thread_runs() -> None:
    """A lock another thread holds would stay held in a forked child: no fork then."""
    assert sitepool.workers(sitepool.MIN_REPORTS) > 0 or threading.active_count() > 1
    assert sitepool.workers(sitepool.MIN_REPORTS - 1) == 0
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert sitepool.workers(10_000) == 0
    finally:
        stop.set()
        other.join()


def test_the_quick_check_gives_the_careful_verdict(now: datetime) -> None:
    good = {
        "fetched_at": "2026-11-29T09:00:00Z",
        "windows": {"report": {"kind": "relative", "value": "this-month", "start": None}},
        "headline": {"count": 3, "value_total_won": 1.5, "later_metric": 9},
        "compared_headline": {"count": 2},
        "stages": {"stat_1": 4, "stat_2": None},
        "extra": "dropped",
    }
    items = [dict(good, fetched_at=f"2026-11-{day:02d}T09:00:00Z") for day in range(1, 29)]
    quick, warning = checked(items, "h.json", now)
    assert warning == "" and quick == [clean(item, now) for item in items]
    assert "later_metric" not in quick[0]["headline"] and "extra" not in quick[0]
    assert quick[0]["headline"] is not items[0]["headline"], "rebuilt, not shared"
    hostile: list[Any] = [
        ("headline", {"count": float("nan")}),
        ("headline", {"count": 10**400}),
        ("headline", {"count": True}),
        ("headline", {"count": "12"}),
        ("headline", {"count": 1e16}),
        ("compared_headline", [1]),
        ("stages", {"x" * 201: 1}),
        ("stages", {"stat_1": float("inf")}),
        ("windows", {"report": {"kind": "k" * 201}}),
        ("windows", {"report": "this-month"}),
        ("fetched_at", "2026-11-30T09:00:00"),
        ("fetched_at", "1999-12-31T23:59:59Z"),
        ("fetched_at", (now + timedelta(days=2)).isoformat()),
    ]
    for key, value in hostile:
        bad = [*items[:5], dict(good, **{key: value}), *items[5:]]
        kept, warning = checked(bad, "h.json", now)
        assert kept == quick, (key, value)
        assert warning.startswith("ignored 1 of 29 snapshot(s) in h.json (snapshot 6: ")
        with pytest.raises(BadSnapshot):
            clean(bad[5], now)


def test_the_writer_refuses_links_and_raises_a_failed_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "elsewhere").write_text("keep")
    with pytest.raises(OSError), SiteWriter(out) as writer:  # raised by close()
        writer.mkdir("report")
        writer.text(("report", "report.md"), "fine")
        (out / "report" / "index.html").symlink_to(tmp_path / "elsewhere")
        with pytest.raises(UsageError, match="outside"):
            writer.text(("..", "escape.html"), "x")
        writer.text(("report", "index.html"), "through a link?")  # fails in the background
    assert (tmp_path / "elsewhere").read_text() == "keep", "no link is written through"
    assert (out / "report" / "report.md").read_text() == "fine"
