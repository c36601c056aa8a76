"""Headless Chromium for the page tests, and the two sites they load over file://.

The browser is Debian's /usr/bin/chromium driven by Playwright (Playwright's own download is not
reachable here). Without it the tests skip with a reason, unless `CI` is set: then they fail, so
CI can never silently stop checking the pages.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # --import-mode=importlib: make demosite.py importable
    sys.path.insert(0, _HERE)

from demosite import build_demo_site  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "render" / "fixtures" / "data.json"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser tests must run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _variant(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    copied = copy.deepcopy(data)
    copied.update(changes)
    return copied


def build_fixture_site(out: Path, *, hostile_report: bool = True) -> Path:
    """A site from the hand-built fixture: four weekly runs (trend), a stale, a failed report,
    a totals-only report without comparison, and one full of hostile strings."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    project = Project(root=out.parent, site_title="Acme Robotics — revenue reports")
    totals_only = _variant(
        data,
        id="pipeline-totals",
        title="Pipeline totals — all time",
        description="Every opportunity ever created in New Business; totals only.",
        spec_file="specs/pipeline-totals.yaml",
        tags=["monthly"],
        endpoints=["totals"],
        formats=["html", "md", "csv"],
        windows={
            "report": None,
            "compared": None,
            "cohort": {"kind": "relative", "value": "all-time", "start": None, "end": None},
        },
    )
    totals_only["responses"] = {"totals": {"base": data["responses"]["totals"]["base"]}}
    hostile = _variant(
        data,
        id="hostile",
        title='<script>alert(1)</script> "Deals" & <b>more</b> ' + "W" * 120,
        description='| pipes | =HYPERLINK("x") \u202eRTL\u202c ' + "long " * 60,
        tags=["<i>tag</i>"],
    )
    for user_id in hostile["names"]["users"]:
        hostile["names"]["users"][user_id] = "Ünïcode <img src=x onerror=alert(1)> " + "N" * 80
    start = datetime(2026, 11, 9, 9, tzinfo=timezone.utc)
    for week in range(4):
        fetched = f"{start + timedelta(days=7 * week):%Y-%m-%dT%H:%M:%SZ}"
        scale = 0.7 + 0.1 * week
        run = _variant(data, fetched_at=fetched)
        aggregations = run["responses"]["totals"]["base"]["aggregations"]
        for key in ("count", "count_total_won", "value_total_won", "sales_velocity"):
            aggregations[key] = round(aggregations[key] * scale)
        aggregations["count_win_rate"] = (0.41, 0.47, 0.44, 0.5)[week]
        aggregations["average_time_to_win"] = (25.5, 23.1, 21.8, 20.2)[week] * 86400
        outcomes = [
            ReportOutcome(
                id=run["id"], title=run["title"], source=run["spec_file"], status="ok", data=run
            ),
            ReportOutcome(
                id="pipeline-totals",
                title="t",
                source="specs/totals.yaml",
                status="ok",
                data=_variant(totals_only, fetched_at=fetched),
            ),
        ]
        if hostile_report:
            outcomes.append(
                ReportOutcome(
                    id="hostile",
                    title="h",
                    source="specs/h.yaml",
                    status="ok",
                    data=_variant(hostile, fetched_at=fetched),
                )
            )
        if week < 3:  # renewals worked until the last run, which failed: stale
            outcomes.append(
                ReportOutcome(
                    id="renewals-q4",
                    title="Renewals — Q4",
                    source="specs/renewals.yaml",
                    status="ok",
                    data=_variant(
                        data,
                        id="renewals-q4",
                        title="Renewals — Q4",
                        description="Renewal opportunities created this quarter.",
                        spec_file="specs/renewals.yaml",
                        fetched_at=fetched,
                        tags=["quarterly"],
                    ),
                )
            )
        else:
            outcomes.append(
                ReportOutcome(
                    id="renewals-q4",
                    title="Renewals — Q4",
                    source="specs/renewals.yaml",
                    status="failed",
                    error="Close answered 503 Service Unavailable three times for https://api.close.com/api/v1/report/funnel/opportunity/totals/",
                )
            )
            outcomes.append(
                ReportOutcome(
                    id="churn-watch",
                    title="Churn watch",
                    source="specs/churn.yaml",
                    status="failed",
                    error="invalid spec: specs/churn.yaml:4:3: 'pipeline' is required",
                )
            )
        publish(out, project, outcomes, now=datetime.fromisoformat(fetched.replace("Z", "+00:00")))
    return out


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_site(tmp_path_factory.mktemp("fixture") / "site")


@pytest.fixture(scope="session")
def clean_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site without the hostile report: what the README screenshots show."""
    return build_fixture_site(tmp_path_factory.mktemp("clean") / "site", hostile_report=False)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site a new user sees from `run --emulator`, plus a stale and a failed report."""
    try:
        return build_demo_site(tmp_path_factory.mktemp("demo") / "site")
    except RuntimeError as exc:
        pytest.fail(str(exc))
