"""The status-change pages in a real browser: the checks every page gets, plus what they add.

A site built from the three status fixtures (fetched by the real runner from the emulator) over
three daily runs (trends), a stale opportunity report (its last refresh failed) and one full of
hostile labels, checked at 1280x800 and on a 390x844 phone: no console errors, nothing
external, no sideways scrolling, no text under 12 px, axe clean; each status a card on the
phone, the flow's bars as long as their counts, labels shown as text.
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
FIXTURES = Path(__file__).resolve().parents[1] / "render" / "fixtures"
NAMES = ("opportunity-statuses", "lead-statuses", "lead-statuses-overall")


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def _hostile(data: dict[str, Any]) -> dict[str, Any]:
    hostile = copy.deepcopy(data)
    hostile.update(id="hostile-statuses", title='<script>alert(1)</script> "Moves" & ' + "W" * 90)
    for answer in hostile["responses"]["opportunity_statuses"].values():
        for row in answer["status_overview"]:
            row["status_label"] = "Ünïcode <img src=x onerror=alert(1)> " + "S" * 60
        for move in answer["status_transitions"] + answer["status_transitions_summary"]:
            move["to_status_label"] = "<img src=x>"
    return hostile


def build_status_site(out: Path) -> Path:
    loaded = {name: _load(name) for name in NAMES}
    project = Project(root=out.parent, site_title="Acme Robotics — statuses")
    start = datetime(2026, 12, 1, 9, 30, 5, tzinfo=timezone.utc)
    for day in range(3):
        moment = start + timedelta(days=day)
        outcomes = []
        for name, data in loaded.items():
            run = copy.deepcopy(data)
            run["fetched_at"] = f"{moment:%Y-%m-%dT%H:%M:%SZ}"
            if name == "opportunity-statuses" and day == 2:
                outcomes.append(
                    ReportOutcome(
                        run["id"], "o", "specs/o.yaml", "failed", error="Close answered 503"
                    )
                )
                continue
            outcomes.append(ReportOutcome(run["id"], "s", "specs/s.yaml", "ok", run))
        hostile = _hostile(loaded["opportunity-statuses"])
        outcomes.append(ReportOutcome(hostile["id"], "h", "specs/h.yaml", "ok", hostile))
        publish(out, project, outcomes, now=moment)
    return out


@pytest.fixture(scope="module")
def status_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_status_site(tmp_path_factory.mktemp("statuses") / "site")


def test_status_site_pages(open_page: Any, status_site: Path) -> None:
    pages = _pages(status_site)
    assert len(pages) == 5, "index + opportunity + lead + overall + hostile"
    for path in pages:
        _check_page(open_page, path)


def test_each_status_is_a_card_on_a_phone(open_page: Any, status_site: Path) -> None:
    page = open_page(status_site / "pipeline-movement-last-week" / "index.html", 390).page
    rows = page.locator("section[aria-labelledby=statuses] tbody tr")
    assert rows.count() == 12
    first = rows.first
    text = first.inner_text()
    assert "Qualified" in text and "\u2212" in text  # a real minus in the net change
    label = first.locator("td").first.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '"Started"'  # each number says what it is on a phone
    box = first.bounding_box()
    assert box is not None and box["width"] <= 390
    assert "the latest refresh failed" in page.inner_text("body")  # stale, said in words
    assert (
        page.get_by_role("heading", name="Trend over 2 runs").count() == 1
    )  # the failed run adds none


def test_the_flow_s_bars_follow_the_counts(open_page: Any, status_site: Path) -> None:
    page = open_page(status_site / "lead-flow-this-month" / "index.html", 1280).page
    flow = page.get_by_role("list", name="Top transitions")
    items = flow.locator("li")
    assert 1 <= items.count() <= 10
    counts = [int(c.split()[0].replace(",", "")) for c in items.locator(".count").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    widths = [
        bar.bounding_box()["width"]  # type: ignore[index]
        for bar in items.locator(".bar span").all()
    ]
    track = items.first.locator(".bar").bounding_box()
    assert track is not None and widths[0] == pytest.approx(track["width"], abs=1)
    for count, width in zip(counts, widths, strict=True):
        assert width == pytest.approx(track["width"] * count / counts[0], abs=1.5)
    assert "New" in items.first.inner_text() or "New" in flow.inner_text()
    # A fair comparison: each change is judged, coloured or (this fixture's small counts)
    # "within chance", uncoloured.
    judged = page.locator(".delta.better, .delta.worse, .delta.chance")
    assert judged.count() >= 1
    assert "within chance" in page.inner_text("main")


def test_hostile_labels_stay_text(open_page: Any, status_site: Path) -> None:
    check = open_page(status_site / "hostile-statuses" / "index.html")
    assert check.page.locator("img").count() == 0
    assert "<img src=x onerror=alert(1)>" in check.page.inner_text(
        "section[aria-labelledby=statuses]"
    )
    # A transition names its statuses as the overview does (one label per status everywhere).
    flow = check.page.inner_text("section[aria-labelledby=transitions]")
    assert "<img src=x onerror=alert(1)>" in flow and "<img src=x>\n" not in flow
