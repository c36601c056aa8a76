"""Golden tests: the pages of the fixture data.json match reviewed snapshot files.

After an intended change to a template or formatter, regenerate and review the diff:

    REPORTRUNNER_UPDATE_GOLDEN=1 pytest tests/render/test_golden.py && git diff tests/render/golden
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from reportrunner import __version__
from reportrunner.fetch.earlier import read_source
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("REPORTRUNNER_UPDATE_GOLDEN") == "1"
FILES = {
    "index.html": "index.html",
    "report.html": "new-business-this-month/index.html",
    "report.md": "new-business-this-month/report.md",
    "report.csv": "new-business-this-month/report.csv",
    "stages.csv": "new-business-this-month/stages.csv",
    "manifest.json": "manifest.json",
    "history.json": "history/new-business-this-month.json",
}


@pytest.fixture
def site(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    now: datetime,
    earlier_snapshots: list[dict[str, Any]],
    make_outcome: Callable[..., ReportOutcome],
) -> Path:
    earlier = tmp_path / "earlier"
    (earlier / "history").mkdir(parents=True)
    document = {"id": data["id"], "snapshots": earlier_snapshots}
    (earlier / "history" / f"{data['id']}.json").write_text(json.dumps(document))
    out = tmp_path / "site"
    failed = make_outcome(id="renewals-q4", title="Renewals — Q4", source="specs/renewals.yaml")
    ids = [data["id"], failed.id]
    publish(
        out, project, [make_outcome(data), failed], earlier=read_source(str(earlier), ids), now=now
    )
    return out


def _normalized(text: str) -> str:
    # The version changes with every release; the pages around it must not.
    return text.replace(f"reportrunner {__version__}", "reportrunner VERSION").replace(
        f'"reportrunner_version": "{__version__}"', '"reportrunner_version": "VERSION"'
    )


@pytest.mark.parametrize("golden", sorted(FILES))
def test_page_matches_golden_file(site: Path, golden: str) -> None:
    actual = _normalized((site / FILES[golden]).read_text(encoding="utf-8"))
    path = GOLDEN / golden
    if UPDATE:
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.is_file(), f"{path} is missing; run with REPORTRUNNER_UPDATE_GOLDEN=1 and review"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{FILES[golden]} differs from {path}; if the change is intended, regenerate with "
        "REPORTRUNNER_UPDATE_GOLDEN=1 and review `git diff tests/render/golden`"
    )


def test_golden_files_hold_what_a_reader_needs(site: Path) -> None:
    """Independent of the snapshots: key facts are on the page in words."""
    page = (site / FILES["report.html"]).read_text(encoding="utf-8")
    # Babel puts thin and narrow no-break spaces in ranges and times; compare words.
    page = page.replace("\u2009", " ").replace("\u202f", " ")
    for needle in (
        # Fetched on Nov 30: the month is still running and says so.
        "Opportunities created this month — Nov 1 – 30, 2026 (month to date, day 30 of 30)",
        "Compared with last month — Oct 1 – 31, 2026",
        "so it is compared with the same span of last month: Oct 1 – 30, 2026",
        "$334,500.00",  # won value
        "All of last month: $306,000.00",  # the whole compared month is still shown
        # ... but the change is judged against the same span of last month.
        '<span aria-hidden="true">▲</span> up $59,100.00 (21%) <span class="muted">(better)',
        '<span aria-hidden="true">▼</span> down 3.6 days (15%) <span class="muted">(better)',
        "50.0%",
        "Zoë Ødegaard",
        "Liam O&#39;Brien",
        "Large deals",
        "EMEA",
        "Trend over 4 runs",
        'href="report.md"',
        'href="data.json"',
    ):
        assert needle in page, needle
    assert page.index("Ava Thompson") < page.index("Noah Müller") < page.index("Zoë Ødegaard")
