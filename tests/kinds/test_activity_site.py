"""Activity reports in the site: stale keeps the last good pages, render --from rebuilds them,
and data.json from an earlier site is untrusted (a bad one fails that report, not the site)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish, rerender

FIXTURES = Path(__file__).resolve().parents[1] / "render" / "fixtures"
NOW = datetime(2026, 12, 2, 9, 30, 5, tzinfo=timezone.utc)


@pytest.fixture
def overview() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (FIXTURES / "activity-overview.json").read_text(encoding="utf-8")
    )
    return loaded


def ok(data: dict[str, Any]) -> ReportOutcome:
    return ReportOutcome(data["id"], data["title"], data["spec_file"], "ok", data=data)


def test_a_failed_refresh_keeps_the_last_good_activity_pages_as_stale(
    overview: dict[str, Any], tmp_path: Path
) -> None:
    out, project = tmp_path / "site", Project(root=tmp_path)
    publish(out, project, [ok(overview)], now=NOW)
    failed = ReportOutcome(
        overview["id"], "t", "specs/t.yaml", "failed", error="Close answered 503"
    )
    result = publish(out, project, [failed], now=NOW)
    assert [r.status for r in result.reports] == ["stale"]
    page = (out / overview["id"] / "index.html").read_text(encoding="utf-8")
    assert "Stale data." in page and "By period" in page


def test_render_from_rebuilds_the_same_activity_pages(
    overview: dict[str, Any], tmp_path: Path
) -> None:
    out, project = tmp_path / "site", Project(root=tmp_path)
    publish(out, project, [ok(overview)], now=NOW)
    before = (out / overview["id"] / "report.md").read_text(encoding="utf-8")
    again = tmp_path / "again"
    rerender(out, project, out=again, now=NOW)
    assert (again / overview["id"] / "report.md").read_text(encoding="utf-8") == before
    assert (again / overview["id"] / "report.csv").is_file()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kind": "pipeline-velocity"}, "unknown report kind 'pipeline-velocity'"),
        ({"kind": 7}, "unknown report kind 7"),
    ],
)
def test_data_of_an_unknown_kind_fails_that_report_only(
    overview: dict[str, Any], tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    strange = copy.deepcopy(overview) | change | {"id": "strange"}
    result = publish(
        tmp_path / "site", Project(root=tmp_path), [ok(overview), ok(strange)], now=NOW
    )
    statuses = {r.id: (r.status, r.error or "") for r in result.reports}
    assert statuses[overview["id"]][0] == "ok"
    assert statuses["strange"][0] == "failed" and reason in statuses["strange"][1]


def test_odd_fields_in_an_activity_data_json_do_not_stop_the_site(
    overview: dict[str, Any], tmp_path: Path
) -> None:
    odd = copy.deepcopy(overview)
    odd["id"] = "odd"
    odd["request"]["metrics"] = "calls.outbound.all.count"  # a text, not a list
    odd["responses"]["activity"]["base"]["data"] = ["row", {"datetime": "2026-11-30T00:00:00Z"}]
    broken = copy.deepcopy(overview)
    broken["id"] = "broken"
    broken["responses"]["activity"]["base"]["data"] = [{"datetime": "yesterday"}]
    outcomes = [ok(overview), ok(odd), ok(broken)]
    result = publish(tmp_path / "site", Project(root=tmp_path), outcomes, now=NOW)
    statuses = {r.id: r.status for r in result.reports}
    assert statuses == {overview["id"]: "ok", "odd": "ok", "broken": "failed"}
    assert "could not build the pages" in (result.reports[2].error or "")


def test_report_md_tables_hold_together_with_hostile_names(
    overview: dict[str, Any], tmp_path: Path
) -> None:
    """Every table row of report.md has its header's cells; no name becomes HTML or a link."""
    from markdown_it import MarkdownIt

    board: dict[str, Any] = json.loads(
        (FIXTURES / "activity-comparison.json").read_text(encoding="utf-8")
    )
    for user_id in board["names"]["users"]:
        board["names"]["users"][user_id] = "a | b <img src=x> [link](http://x) `code` *"
    out = tmp_path / "site"
    publish(out, Project(root=tmp_path), [ok(overview), ok(board)], now=NOW)
    md = MarkdownIt("commonmark").enable("table")
    for report in (overview["id"], board["id"]):
        tokens = md.parse((out / report / "report.md").read_text(encoding="utf-8"))
        assert not [t for t in tokens if t.type == "html_block"], report
        inline = [child for t in tokens if t.children for child in t.children]
        assert not [t for t in inline if t.type == "html_inline"], report
        hrefs = {str(t.attrs.get("href")) for t in inline if t.type == "link_open"}
        assert hrefs == {"index.html", "report.csv", "data.json"}, (report, hrefs)
        widths: list[int] = []
        cells = 0
        for token in tokens:
            if token.type == "tr_open":
                cells = 0
            elif token.type in ("th_open", "td_open"):
                cells += 1
            elif token.type == "tr_close":
                widths.append(cells)
            elif token.type == "table_close":
                assert len(set(widths)) == 1, (report, widths)
                widths = []
