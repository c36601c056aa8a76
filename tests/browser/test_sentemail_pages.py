"""The sent e-mails pages in a real browser: the same checks as every page, plus what they add.

A site built from the two golden fixtures over three daily runs (trends), a stale copy of last
week's report (its latest refresh failed) and one whose template names are hostile, checked at
1280x800 and on a 390x844 phone: no console errors, nothing external, no sideways scrolling, no
text under 12 px, axe clean; each template a card on the phone with its flag visible.
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
open_page = test_pages.open_page
_check_page, _pages = test_pages._check_page, test_pages._pages
FIXTURES = Path(__file__).resolve().parents[1] / "render" / "golden" / "sent-emails" / "fixtures"


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def _run(data: dict[str, Any], fetched: str, scale: float) -> dict[str, Any]:
    run = copy.deepcopy(data)
    run["fetched_at"] = fetched
    for row in run["responses"]["sent_emails"]["base"]["sent_email_stats"]:
        row["total"] = round(row["total"] * scale) + row["opened"]
    return run


def _hostile(data: dict[str, Any]) -> dict[str, Any]:
    hostile = copy.deepcopy(data)
    hostile.update(id="hostile-templates", title='<script>alert(1)</script> "Mail" & ' + "W" * 90)
    for answer in hostile["responses"]["sent_emails"].values():
        for row in answer["sent_email_stats"][1:]:
            row["name"] = "Ünïcode <img src=x onerror=alert(1)> " + row["name"] + " " + "N" * 70
    return hostile


def build_sent_site(out: Path) -> Path:
    last, week = _load("last-week"), _load("this-week")
    project = Project(root=out.parent, site_title="Acme Robotics — e-mail templates")
    start = datetime(2026, 11, 30, 9, 30, 5, tzinfo=timezone.utc)
    for day in range(3):
        moment = start + timedelta(days=day)
        fetched = f"{moment:%Y-%m-%dT%H:%M:%SZ}"
        scale = 0.8 + 0.1 * day
        hostile = _hostile(_run(last, fetched, 1))
        outcomes = [
            ReportOutcome(week["id"], "w", "specs/w.yaml", "ok", _run(week, fetched, scale)),
            ReportOutcome("hostile-templates", "h", "specs/h.yaml", "ok", hostile),
        ]
        if day < 2:
            outcomes.append(
                ReportOutcome(last["id"], "l", "specs/l.yaml", "ok", _run(last, fetched, scale))
            )
        else:  # the latest refresh failed: the page keeps its numbers, marked stale
            outcomes.append(
                ReportOutcome(last["id"], "l", "specs/l.yaml", "failed", error="Close answered 503")
            )
        publish(out, project, outcomes, now=moment)
    return out


@pytest.fixture(scope="module")
def sent_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sent_site(tmp_path_factory.mktemp("sentemails") / "site")


def test_sent_emails_site_pages(open_page: Any, sent_site: Path) -> None:
    pages = _pages(sent_site)
    assert len(pages) == 4, "index + last week + this week + hostile names"
    for path in pages:
        _check_page(open_page, path)


def test_each_template_is_a_card_on_a_phone_with_its_flag(open_page: Any, sent_site: Path) -> None:
    page = open_page(sent_site / "templates-last-week" / "index.html", 390, height=844).page
    rows = page.locator("section[aria-labelledby=templates] tbody tr")
    assert rows.count() == 4
    first = rows.first
    text = first.inner_text()
    assert "Cold intro" in text and "Open rate fell" in text
    box = first.bounding_box()
    assert box is not None and box["width"] <= 390
    flag = first.locator(".badge.flag").bounding_box()
    assert flag is not None and flag["x"] + flag["width"] <= 390
    assert page.locator("tfoot").inner_text().count("All Emails") == 1
    assert "the latest refresh failed" in page.inner_text("body")
    assert page.locator("td.delta.worse").count() >= 1
    # A tiny sample's drop is shown uncoloured, with the reason.
    pricing = rows.nth(3)
    assert "few sends" in pricing.inner_text() and pricing.locator(".delta.worse").count() == 0


def test_the_desktop_table_fits_and_numbers_are_right_aligned(
    open_page: Any, sent_site: Path
) -> None:
    page = open_page(sent_site / "templates-last-week" / "index.html", 1280).page
    table = page.locator("table.templates").bounding_box()
    assert table is not None and table["width"] <= 1280
    align = page.locator("table.templates tbody td").first.evaluate(
        "e => getComputedStyle(e).textAlign"
    )
    assert align == "right"
    assert page.get_by_role("heading", name="Trend over 2 runs").count() == 1


def test_hostile_names_stay_text(open_page: Any, sent_site: Path) -> None:
    check = open_page(sent_site / "hostile-templates" / "index.html")
    assert check.page.locator("img").count() == 0
    assert "<img src=x" in check.page.inner_text("section[aria-labelledby=templates]")
