"""The requests of a sent e-mails spec: one GET per role through the shared dated plan."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from reportrunner.fetch.plan import build_plan
from reportrunner.model import Spec

WEDNESDAY = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)  # 10:30 in Berlin
PATH = "/report/sent_emails/{organization_id}/"


def spec(rng: Any, compare: str = "none", request: dict[str, str] | None = None) -> Spec:
    return Spec(
        id="templates",
        title="Templates",
        request=request or {},
        source="specs/templates.yaml",
        kind="sent-emails",
        compare=compare,
        endpoints=("sent_emails",),
        timezone="Europe/Berlin",
        range=rng,
    )


def targets(found: Spec) -> dict[str, str]:
    report = build_plan([found], WEDNESDAY).reports[0]
    assert all(r.method == "GET" and r.endpoint == "sent_emails" for r in report.requests)
    assert all(r.path == PATH and r.needs_organization for r in report.requests)
    return {request.role: request.target() for request in report.requests}


def test_last_week_against_the_previous_period() -> None:
    found = spec("last-week", "previous-period", {"user_id": "user_ava"})
    assert targets(found) == {
        "base": PATH + "?date_end=2026-11-30&date_start=2026-11-23&user_id=user_ava",
        "compared": PATH + "?date_end=2026-11-23&date_start=2026-11-16&user_id=user_ava",
    }
    report = build_plan([found], WEDNESDAY).reports[0]
    assert report.extra == {"compare": "previous-period", "judged_against": "compared"}
    assert report.requests[0].headers()["X-TZ-Offset"] == "1"


def test_a_running_week_asks_for_its_complete_days_and_the_same_days_before() -> None:
    found = targets(spec("this-week", "previous-period"))
    assert found == {
        "base": PATH + "?date_end=2026-12-02&date_start=2026-11-30",
        "compared": PATH + "?date_end=2026-11-30&date_start=2026-11-23",
        "compared_to_date": PATH + "?date_end=2026-11-25&date_start=2026-11-23",
    }


def test_without_dates_the_overall_report_is_one_plain_get() -> None:
    assert targets(spec(None)) == {"base": PATH}
    dated = spec({"start": "2026-10-01", "end": "2026-11-01"}, "same-days-last-year")
    assert targets(dated) == {
        "base": PATH + "?date_end=2026-11-01&date_start=2026-10-01",
        "compared": PATH + "?date_end=2025-11-01&date_start=2025-10-01",
    }
