"""Golden tests of the status-change pages: three fixture data.json files as reviewed snapshots.

Fetched by the real runner from the emulator (tests/render/fixtures/*statuses*.json): last
week's opportunity movement against the previous period (like for like, a deleted status), this
month's lead flow on its third day (its two complete days against the same days of last month)
and an overall lead report (no dates: only the fields Close returns). The opportunity report has
two earlier runs so the trend charts are drawn. After an intended change, regenerate and review:

    REPORTRUNNER_UPDATE_GOLDEN=1 pytest tests/render/test_statuses_golden.py
    git diff tests/render/golden/lead-statuses tests/render/golden/opportunity-statuses
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
from reportrunner.kinds import kind_named
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

HERE = Path(__file__).resolve().parent
UPDATE = os.environ.get("REPORTRUNNER_UPDATE_GOLDEN") == "1"
NOW = datetime(2026, 12, 3, 9, 30, 5, tzinfo=timezone.utc)
MOVEMENT, FLOW, OVERALL = "pipeline-movement-last-week", "lead-flow-this-month", "leads-overall"
FILES = {
    "opportunity-statuses/last-week.html": f"{MOVEMENT}/index.html",
    "opportunity-statuses/last-week.md": f"{MOVEMENT}/report.md",
    "opportunity-statuses/last-week.csv": f"{MOVEMENT}/report.csv",
    "opportunity-statuses/last-week-transitions.csv": f"{MOVEMENT}/transitions.csv",
    "opportunity-statuses/last-week-history.json": f"history/{MOVEMENT}.json",
    "opportunity-statuses/index.html": "index.html",
    "lead-statuses/this-month.html": f"{FLOW}/index.html",
    "lead-statuses/this-month.md": f"{FLOW}/report.md",
    "lead-statuses/this-month.csv": f"{FLOW}/report.csv",
    "lead-statuses/overall.html": f"{OVERALL}/index.html",
    "lead-statuses/overall.md": f"{OVERALL}/report.md",
    "lead-statuses/overall.csv": f"{OVERALL}/report.csv",
}


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / "fixtures" / f"{name}.json").read_text("utf-8"))
    return loaded


def earlier(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Two earlier runs (two weeks and a week before) with smaller figures."""
    snapshot = kind_named(data["kind"]).snapshot(data)
    runs = []
    for day, factor in ((19, 0.6), (26, 0.8)):
        metrics = {key: round(value * factor) for key, value in snapshot["metrics"].items()}
        runs.append({**snapshot, "fetched_at": f"2026-11-{day}T09:30:05Z", "metrics": metrics})
    return runs


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("statuses")
    old = root / "earlier"
    (old / "history").mkdir(parents=True)
    outcomes = []
    for name in ("opportunity-statuses", "lead-statuses", "lead-statuses-overall"):
        data = fixture(name)
        if name == "opportunity-statuses":
            document = {"id": data["id"], "snapshots": earlier(data)}
            (old / "history" / f"{data['id']}.json").write_text(json.dumps(document), "utf-8")
        outcomes.append(
            ReportOutcome(data["id"], data["title"], data["spec_file"], "ok", data=data)
        )
    out = root / "site"
    project = Project(root=root, site_title="Acme Robotics — pipeline movement")
    result = publish(
        out, project, outcomes, earlier=read_source(str(old), [o.id for o in outcomes]), now=NOW
    )
    assert result.warnings == [] and [r.status for r in result.reports] == ["ok"] * 3
    return out


def _normalized(text: str) -> str:
    return text.replace(f"reportrunner {__version__}", "reportrunner VERSION")


@pytest.mark.parametrize("golden", sorted(FILES))
def test_status_page_matches_golden_file(site: Path, golden: str) -> None:
    actual = _normalized((site / FILES[golden]).read_text(encoding="utf-8"))
    path = HERE / "golden" / golden
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.is_file(), f"{path} is missing; run with REPORTRUNNER_UPDATE_GOLDEN=1 and review"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{FILES[golden]} differs from {path}; if intended, regenerate with "
        "REPORTRUNNER_UPDATE_GOLDEN=1 and review `git diff tests/render/golden`"
    )


def _words(site: Path, name: str) -> str:
    page = (site / FILES[name]).read_text(encoding="utf-8")
    return page.replace("\u2009", " ").replace("\u202f", " ")


def test_the_opportunity_page_says_what_a_reader_needs(site: Path) -> None:
    page = _words(site, "opportunity-statuses/last-week.html")
    for needle in (
        "Opportunity status changes last week — Nov 23 – 29, 2026, Europe/Berlin",
        "Compared like for like with the previous period (Nov 16 – 22, 2026).",
        "<h3>Won</h3>",
        "<h3>Open pipeline, net change</h3>",
        '<th scope="row" class="deleted"><bdi>Churned (deleted)</bdi></th>',
        '<span class="from created"><bdi>New</bdi></span>',
        "Top transitions",
        "From start to end",
        "Trend over 3 runs",
        "\u2212",  # a real minus sign somewhere in the net changes
        'href="report.csv">CSV per status',
        'href="transitions.csv">CSV of the transitions',
    ):
        assert needle in page, needle


def test_the_running_lead_page_says_which_days_it_compares(site: Path) -> None:
    page = _words(site, "lead-statuses/this-month.html")
    for needle in (
        "Lead status changes this month — Dec 1 – 2, 2026 (complete days so far: 2 of 31)",
        '<span class="status running">In progress</span>',
        "its complete days so far (Dec 1 – 2, 2026) are compared with the same days of last "
        "month (Nov 1 – 2, 2026)",
        "Same days of last month:",
        "All of last month:",
        "<h3>New leads</h3>",
    ):
        assert needle in page, needle
    overall = _words(site, "lead-statuses/overall.html")
    assert "over all time (an overall report)" in overall
    assert ">Started<" not in overall and ">Gained<" not in overall and ">Ended<" in overall
