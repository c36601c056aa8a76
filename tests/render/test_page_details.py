"""Details a reader relies on: run times on trends, stage trends, spreadsheet columns, zones."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish
from reportrunner.site.filters import Formatter
from reportrunner.site.history import snapshot_of
from reportrunner.site.render import Renderer
from reportrunner.site.viewmodel import report_view

FMT = Formatter()


def _runs(data: dict[str, Any], *times: str) -> list[dict[str, Any]]:
    snapshots = []
    for number, moment in enumerate(times):
        snapshot = snapshot_of(data | {"fetched_at": moment})
        snapshot["headline"] = dict(snapshot["headline"], count=40 + number)
        snapshot["stages"] = {key: count + number for key, count in snapshot["stages"].items()}
        snapshots.append(snapshot)
    return snapshots


def test_runs_on_one_day_are_labelled_by_time_and_stage_counts_get_trends(
    data: dict[str, Any],
) -> None:
    history = _runs(data, "2026-12-02T08:00:00Z", "2026-12-02T14:30:00Z")
    view = report_view(data, FMT, history=history)
    count = next(chart for chart in view.trends if chart.key == "count")
    # Europe/Berlin is UTC+1 in December.
    assert (count.first_text, count.last_text) == ("9:00\u202fAM", "3:30\u202fPM")
    stage_charts = [chart for chart in view.trends if chart.key.startswith("stage-")]
    assert [chart.title for chart in stage_charts] == [
        f"Opportunities in {stage.label}" for stage in view.stages
    ]
    assert all(chart.description for chart in view.trends), "every chart has a text alternative"
    spread = report_view(
        data, FMT, history=_runs(data, "2026-11-02T08:00:00Z", "2026-12-02T08:00:00Z")
    )
    assert spread.trends[0].first_text == "Nov 2, 2026"
    # Runs within one minute (a retried schedule, the demo) are told apart by their seconds.
    close = report_view(
        data, FMT, history=_runs(data, "2026-12-02T08:00:05Z", "2026-12-02T08:00:40Z")
    )
    assert (close.trends[0].first_text, close.trends[0].last_text) == (
        "9:00:05\u202fAM",
        "9:00:40\u202fAM",
    )


def test_older_snapshots_without_stage_counts_draw_no_stage_trend(data: dict[str, Any]) -> None:
    history = _runs(data, "2026-11-02T08:00:00Z", "2026-11-09T08:00:00Z")
    for snapshot in history:
        del snapshot["stages"]
    view = report_view(data, FMT, history=history)
    assert view.trends and not [c for c in view.trends if c.key.startswith("stage-")]


def test_csv_has_raw_units_and_spreadsheet_columns(data: dict[str, Any], project: Project) -> None:
    view = report_view(data, FMT)
    files = Renderer(project).report_files(view, ["csv"])
    rows = list(csv.DictReader(io.StringIO(files["report.csv"].lstrip("\ufeff"))))
    ava = next(row for row in rows if row["user_name"] == "Ava Thompson")
    assert ava["value_total_won_cents"] == "14200000" and ava["value_total_won_USD"] == "142000.00"
    assert (
        ava["average_time_to_win_seconds"] == "1641600"
        and ava["average_time_to_win_days"] == "19.0"
    )
    stages = list(csv.DictReader(io.StringIO(files["stages.csv"].lstrip("\ufeff"))))
    assert {"value_cents", "value_USD", "average_time_to_advance_days"} <= set(stages[0])


def test_index_times_are_in_the_site_zone_and_each_page_keeps_its_own(
    tmp_path: Path,
    data: dict[str, Any],
    now: datetime,
    make_outcome: Callable[..., ReportOutcome],
) -> None:
    project = Project(root=tmp_path, site_title="Acme", site_timezone="Asia/Tokyo")
    publish(tmp_path / "site", project, [make_outcome(data)], now=now)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8").replace("\u202f", " ")
    # Fetched 09:00 UTC: 6:00 PM in Tokyo on the index, 10:00 AM Berlin time on the page.
    assert "Data from Nov 30, 2026, 6:00 PM" in index and "times in Asia/Tokyo" in index
    page = (tmp_path / "site" / data["id"] / "index.html").read_text(encoding="utf-8")
    assert "Nov 30, 2026, 10:00\u202fAM</time> (Europe/Berlin)" in page


def test_site_timezone_and_comparison_are_validated(tmp_path: Path) -> None:
    from reportrunner.spec.validate import validate_paths

    (tmp_path / "specs").mkdir()
    (tmp_path / "reportrunner.yaml").write_text("site:\n  timezone: Europe/Berln\n", "utf-8")
    spec = (
        "title: T\ncomparison: {mode}\nrequest:\n  pipeline: pipe_4vukv2FUlFh9FDiVYAop1U\n"
        "  type: created-cohort\n  cohort_relative_range: this-month\n"
        "  compared_relative_range: last-month\n"
    )
    (tmp_path / "specs" / "a.yaml").write_text(spec.format(mode="full-period"), "utf-8")
    (tmp_path / "specs" / "b.yaml").write_text(spec.format(mode="to-today"), "utf-8")
    result = validate_paths([tmp_path / "specs"], root=tmp_path)
    messages = [str(d) for d in result.diagnostics]
    assert any("reportrunner.yaml:2" in m and "did you mean 'Europe/Berlin'" in m for m in messages)
    assert any(
        "b.yaml:2" in m and "comparison must be one of to-date, full-period" in m for m in messages
    )
    assert [spec.comparison for spec in result.specs] == ["full-period"]


def test_every_person_has_a_stable_anchor_and_a_link_to_it(
    data: dict[str, Any], project: Project
) -> None:
    view = report_view(data, FMT)
    page = Renderer(project).report_files(view, ["html"])["index.html"]
    anchors = [user.anchor for user in view.users]
    assert len(anchors) > 1 and len(set(anchors)) == len(anchors), "one anchor per person"
    ava = "user-Ova4RGFG7pztSeJiiMFdN7O2MFl71nD0uGO3bIOo4Wk"  # from the user id: stable
    assert ava in anchors
    assert f'<tr id="{ava}">' in page and f'href="#{ava}"' in page
