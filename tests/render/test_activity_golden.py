"""Golden tests of the activity pages: the two fixture data.json files as reviewed snapshots.

An overview (this week, running, compared with the same span of the previous week) and a
comparison (last month's leaderboard against the same days of the month before), each with two
earlier runs so the trend charts are drawn. After an intended change, regenerate and review:

    REPORTRUNNER_UPDATE_GOLDEN=1 pytest tests/render/test_activity_golden.py
    git diff tests/render/golden/activity
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from reportrunner import __version__
from reportrunner.fetch.earlier import read_source
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "activity"
UPDATE = os.environ.get("REPORTRUNNER_UPDATE_GOLDEN") == "1"
NOW = datetime(2026, 12, 2, 9, 30, 5, tzinfo=timezone.utc)
OVERVIEW = "team-activity-this-week"
COMPARISON = "rep-leaderboard-last-month"
FILES = {
    "overview.html": f"{OVERVIEW}/index.html",
    "overview.md": f"{OVERVIEW}/report.md",
    "overview.csv": f"{OVERVIEW}/report.csv",
    "comparison.html": f"{COMPARISON}/index.html",
    "comparison.md": f"{COMPARISON}/report.md",
    "comparison.csv": f"{COMPARISON}/report.csv",
    "index.html": "index.html",
    "overview-history.json": f"history/{OVERVIEW}.json",
}


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / "fixtures" / f"{name}.json").read_text("utf-8"))
    return loaded


def earlier(data: dict[str, Any], scale: float) -> list[dict[str, Any]]:
    """Two earlier runs (a week and two weeks before) with smaller totals."""
    totals = data["responses"]["activity"]["base"]["aggregations"]["totals"]
    runs = []
    for days, factor in ((14, scale * 0.8), (7, scale)):
        runs.append(
            {
                "fetched_at": f"2026-11-{2 + 28 - days:02d}T09:30:05Z",
                "windows": {},
                "headline": {},
                "compared_headline": None,
                "stages": {},
                "metrics": {
                    key: None if value is None else round(value * factor, 2)
                    for key, value in totals.items()
                },
            }
        )
    return runs


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("activity")
    old = root / "earlier"
    (old / "history").mkdir(parents=True)
    outcomes = []
    for name, scale in (("activity-overview", 0.9), ("activity-comparison", 0.7)):
        data = fixture(name)
        document = {"id": data["id"], "snapshots": earlier(data, scale)}
        (old / "history" / f"{data['id']}.json").write_text(json.dumps(document), "utf-8")
        outcomes.append(
            ReportOutcome(data["id"], data["title"], data["spec_file"], "ok", data=data)
        )
    out = root / "site"
    project = Project(root=root, site_title="Acme Robotics — activity")
    result = publish(
        out, project, outcomes, earlier=read_source(str(old), [o.id for o in outcomes]), now=NOW
    )
    assert result.warnings == [] and [r.status for r in result.reports] == ["ok", "ok"]
    return out


def _normalized(text: str) -> str:
    return text.replace(f"reportrunner {__version__}", "reportrunner VERSION")


@pytest.mark.parametrize("golden", sorted(FILES))
def test_activity_page_matches_golden_file(site: Path, golden: str) -> None:
    actual = _normalized((site / FILES[golden]).read_text(encoding="utf-8"))
    path = GOLDEN / golden
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.is_file(), f"{path} is missing; run with REPORTRUNNER_UPDATE_GOLDEN=1 and review"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{FILES[golden]} differs from {path}; if intended, regenerate with "
        "REPORTRUNNER_UPDATE_GOLDEN=1 and review `git diff tests/render/golden/activity`"
    )


def _words(site: Path, name: str) -> str:
    page = (site / FILES[name]).read_text(encoding="utf-8")
    return page.replace("\u2009", " ").replace("\u202f", " ")


def test_overview_page_says_what_a_reader_needs(site: Path) -> None:
    page = _words(site, "overview.html")
    for needle in (
        "Activity this week — Nov 30 – Dec 2, 2026 (week to date, day 3 of 7), Europe/Berlin",
        "Compared with the previous period — Nov 23 – 29, 2026",
        "compared with the same span of the previous period: Nov 23 – 25, 2026",
        "Same span of the previous period: 98",
        "All of the previous period: 191",
        '<p class="delta better"><span aria-hidden="true">▲</span> up 12 (12%)',
        # Lost deals up: red, whatever the template might have guessed from the arrow.
        '<p class="delta worse"><span aria-hidden="true">▲</span> up 2 (200%)',
        "Outbound Calls - All Types by period",
        "Every period (3)",
        "Trend over 3 runs",
        'href="report.csv">CSV per period',
    ):
        assert needle in page, needle
    assert "Dec 3, 2026" not in page  # days after the fetch are not drawn


def test_comparison_page_ranks_reps_with_their_share(site: Path) -> None:
    page = _words(site, "comparison.html")
    for needle in (
        "Activity per user last month — Nov 1 – 30, 2026, Europe/Berlin",
        "Compared like for like with the same days last month (Oct 1 – 31, 2026).",
        '<span class="rank">1.</span> <bdi>Ava Thompson</bdi>',
        '<span class="rank">1.</span> <bdi>Zoë Ødegaard</bdi>',
        '<span class="rank">3.</span> <bdi>Noah Müller</bdi>',
        "36% of team",
        'style="width: 35.8%"',
        '<th scope="row">Team</th>',
        "Liam O&#39;Brien",
        "<strong>Groups:</strong> <bdi>EMEA</bdi>",
    ):
        assert needle in page, needle
    assert page.index("Ava Thompson") < page.index("Noah Müller") < page.index("Liam O&#39;Brien")
