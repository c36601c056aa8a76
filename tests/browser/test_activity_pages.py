"""The activity pages in a real browser: the same checks as every page, plus what they add.

A site built from the two activity fixtures over three daily runs (trends), a stale
leaderboard (its last refresh failed) and a leaderboard full of hostile names, checked at
1280x800 and on a 390x844 phone: no console errors, nothing external, no sideways scrolling,
no text under 12 px, axe clean; each rep a card on the phone, charts labelled.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import test_pages

from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

pytestmark = pytest.mark.browser
#: The page checks and the `open_page` fixture of test_pages.py, shared with it.
open_page = test_pages.open_page
_check_page, _pages = test_pages._check_page, test_pages._pages
FIXTURES = Path(__file__).resolve().parents[1] / "render" / "fixtures"


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def _scaled(data: dict[str, Any], fetched: str, scale: float) -> dict[str, Any]:
    run = copy.deepcopy(data)
    run["fetched_at"] = fetched
    totals = run["responses"]["activity"]["base"]["aggregations"]["totals"]
    for key, value in totals.items():
        totals[key] = None if value is None else round(value * scale, 2)
    return run


def _hostile(data: dict[str, Any]) -> dict[str, Any]:
    hostile = copy.deepcopy(data)
    hostile.update(id="hostile-board", title='<script>alert(1)</script> "Reps" & ' + "W" * 90)
    for user_id in hostile["names"]["users"]:
        hostile["names"]["users"][user_id] = "Ünïcode <img src=x onerror=alert(1)> " + "N" * 70
    return hostile


def build_activity_site(out: Path) -> Path:
    overview, board = _load("activity-overview"), _load("activity-comparison")
    project = Project(root=out.parent, site_title="Acme Robotics — activity")
    start = datetime(2026, 11, 30, 9, 30, 5, tzinfo=timezone.utc)
    for day in range(3):
        moment = start + timedelta(days=day)
        fetched = f"{moment:%Y-%m-%dT%H:%M:%SZ}"
        scale = 0.6 + 0.2 * day
        outcomes = [
            ReportOutcome(
                overview["id"], "o", "specs/o.yaml", "ok", _scaled(overview, fetched, scale)
            ),
            ReportOutcome(
                "hostile-board", "h", "specs/h.yaml", "ok", _hostile(_scaled(board, fetched, 1))
            ),
        ]
        if day < 2:
            outcomes.append(
                ReportOutcome(
                    board["id"], "b", "specs/b.yaml", "ok", _scaled(board, fetched, scale)
                )
            )
        else:  # the leaderboard's last refresh failed: it keeps its numbers, marked stale
            outcomes.append(
                ReportOutcome(
                    board["id"], "b", "specs/b.yaml", "failed", error="Close answered 503"
                )
            )
        publish(out, project, outcomes, now=moment)
    return out


@pytest.fixture(scope="module")
def activity_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_activity_site(tmp_path_factory.mktemp("activity") / "site")


def test_activity_site_pages(open_page: Any, activity_site: Path) -> None:
    pages = _pages(activity_site)
    assert len(pages) == 4, "index + overview + leaderboard + hostile leaderboard"
    for path in pages:
        _check_page(open_page, path)


def test_overview_charts_and_trends_are_labelled(open_page: Any, activity_site: Path) -> None:
    page = open_page(activity_site / "team-activity-this-week" / "index.html", 390).page
    charts = page.locator("svg.chart")
    # Four metrics: one chart each over the periods, one each over the three runs.
    assert charts.count() == 4 + 4
    for label in charts.evaluate_all("els => els.map(e => e.getAttribute('aria-labelledby'))"):
        assert label and all(page.locator(f"[id='{part}']").count() == 1 for part in label.split())
    assert page.get_by_role("heading", name="Trend over 3 runs").count() == 1
    assert page.locator(".delta.worse").count() >= 1  # more lost deals: worse, in red


def test_each_rep_is_a_card_on_a_phone_with_the_team_share(
    open_page: Any, activity_site: Path
) -> None:
    page = open_page(activity_site / "rep-leaderboard-last-month" / "index.html", 390).page
    rows = page.locator("section[aria-labelledby=leaders] tbody tr")
    assert rows.count() == 4
    first = rows.first
    assert "Ava Thompson" in first.inner_text() and "of team" in first.inner_text()
    box = first.bounding_box()
    assert box is not None and box["width"] <= 390
    # The stale banner says how old the numbers are, in words.
    assert "the latest refresh failed" in page.inner_text("body")
    bar = page.locator(".share-bar span").first.bounding_box()
    track = page.locator(".share-bar").first.bounding_box()
    assert bar is not None and track is not None
    assert 0.3 < bar["width"] / track["width"] < 0.4  # Ava's 36% of the team's calls


def test_hostile_names_stay_text(open_page: Any, activity_site: Path) -> None:
    check = open_page(activity_site / "hostile-board" / "index.html")
    assert check.page.locator("img").count() == 0
    assert "<img src=x" in check.page.inner_text("section[aria-labelledby=leaders]")


def test_demo_site_publishes_the_activity_examples_beside_the_funnel_ones(demo_site: Path) -> None:
    manifest = json.loads((demo_site / "manifest.json").read_text(encoding="utf-8"))
    statuses = {report["id"]: report["status"] for report in manifest["reports"]}
    assert statuses["team-activity"] == "ok" and statuses["emea-rep-leaderboard"] == "ok"
    assert statuses["new-business-last-month"] == "ok"
    board = (demo_site / "emea-rep-leaderboard" / "index.html").read_text(encoding="utf-8")
    assert "Leaderboard" in board and "of team" in board and "Same span of" in board
    overview = (demo_site / "team-activity" / "index.html").read_text(encoding="utf-8")
    assert "by period" in overview and "Same span of last quarter" in overview
