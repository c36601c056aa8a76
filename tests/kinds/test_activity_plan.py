"""The requests of an activity spec: the body as written, and the compared ones `compare:` adds."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from reportrunner.fetch.plan import build_plan
from reportrunner.model import Spec

METRICS = ["calls.outbound.all.count", "emails.sent.all.count"]
WEDNESDAY = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)  # 10:30 in Berlin


def spec(request: dict[str, Any], compare: str = "none", zone: str = "Europe/Berlin") -> Spec:
    return Spec(
        id="team",
        title="Team",
        request=request,
        source="specs/team.yaml",
        kind="activity",
        compare=compare,
        endpoints=("activity",),
        timezone=zone,
    )


def roles(found: Spec, now: datetime = WEDNESDAY) -> dict[str, dict[str, Any]]:
    report = build_plan([found], now).reports[0]
    return {request.role: request.body for request in report.requests}


def test_without_compare_the_body_is_sent_exactly_as_written() -> None:
    body = {
        "type": "comparison",
        "relative_range": "this-week",
        "metrics": METRICS,
        "users": ["group_57P6QUf8b4BlepZJYgRj5W"],
        "query": {"type": "saved_search", "saved_search_id": "save_x"},
    }
    report = build_plan([spec(body)], WEDNESDAY).reports[0]
    assert [(r.endpoint, r.role, r.path) for r in report.requests] == [
        ("activity", "base", "/report/activity/")
    ]
    assert report.requests[0].body == body
    assert report.requests[0].headers()["X-TZ-Offset"] == "1"
    assert report.windows["report"] == {
        "kind": "relative",
        "value": "this-week",
        "start": "2026-11-30T00:00:00+01:00",
        "end": "2026-12-07T00:00:00+01:00",
    }
    assert report.windows["compared"] is None
    assert report.extra == {"compare": "none"}


def test_a_running_week_is_compared_with_the_same_span_of_the_previous_one() -> None:
    body = {"type": "overview", "relative_range": "this-week", "metrics": METRICS}
    found = roles(spec(body, "previous-period"))
    assert found["base"] == body
    # The compared body: the same fields, the range replaced by the compared datetime_range.
    assert found["compared"] == {
        "type": "overview",
        "metrics": METRICS,
        "datetime_range": {
            "start": "2026-11-23T00:00:00+01:00",
            "end": "2026-11-30T00:00:00+01:00",
        },
    }
    # Two days and 10½ hours into this week: the same span of last week.
    assert found["compared_to_date"]["datetime_range"] == {
        "start": "2026-11-23T00:00:00+01:00",
        "end": "2026-11-25T10:30:00+01:00",
    }


def test_a_finished_period_needs_no_to_date_request() -> None:
    body = {"type": "comparison", "relative_range": "last-month", "metrics": METRICS}
    found = roles(spec(body, "same-days-last-month"))
    assert sorted(found) == ["base", "compared"]
    assert found["compared"]["datetime_range"] == {
        "start": "2026-10-01T00:00:00+02:00",
        "end": "2026-11-01T00:00:00+01:00",
    }


def test_the_compared_request_carries_the_zone_s_offset_of_its_own_period() -> None:
    """Close buckets an overview by days of X-TZ-Offset: October in Berlin is +2."""
    body = {"type": "overview", "relative_range": "last-month", "metrics": METRICS}
    report = build_plan([spec(body, "same-days-last-month")], WEDNESDAY).reports[0]
    offsets = {r.role: r.headers()["X-TZ-Offset"] for r in report.requests}
    assert offsets == {"base": "1", "compared": "2"}


def test_a_datetime_range_is_shifted_and_other_fields_kept() -> None:
    body = {
        "type": "overview",
        "datetime_range": {
            "start": "2028-02-01T00:00:00+01:00",
            "end": "2028-03-01T00:00:00+01:00",
        },
        "metrics": METRICS,
        "users": ["user_1"],
    }
    found = roles(spec(body, "same-days-last-year"))
    assert found["compared"] == {
        "type": "overview",
        "metrics": METRICS,
        "users": ["user_1"],
        "datetime_range": {
            "start": "2027-02-01T00:00:00+01:00",
            "end": "2027-03-01T00:00:00+01:00",
        },
    }


def test_all_time_has_no_previous_period() -> None:
    body = {"type": "overview", "relative_range": "all-time", "metrics": METRICS}
    report = build_plan([spec(body, "previous-period")], WEDNESDAY).reports[0]
    assert [r.role for r in report.requests] == ["base"]
    assert report.windows["compared"] is None


@pytest.mark.parametrize(
    "mode",
    [
        "previous-period",
        "same-days-last-week",
        "same-days-last-month",
        "same-days-last-quarter",
        "same-days-last-year",
    ],
)
def test_every_mode_plans_a_compared_request_and_identical_ones_are_fetched_once(mode: str) -> None:
    body = {"type": "comparison", "relative_range": "yesterday", "metrics": METRICS}
    twice = [spec(body, mode), spec(body, mode)]
    plan = build_plan(twice, WEDNESDAY)
    assert [r.role for r in plan.reports[0].requests] == ["base", "compared"]
    assert len(plan.unique()) == 2


def test_funnel_specs_are_planned_as_before() -> None:
    funnel = Spec(
        id="nb",
        title="NB",
        request={
            "pipeline": "pipe_1",
            "type": "created-cohort",
            "cohort_relative_range": "last-month",
        },
        source="specs/nb.yaml",
    )
    report = build_plan([funnel], WEDNESDAY).reports[0]
    assert [(r.endpoint, r.role) for r in report.requests] == [
        ("totals", "base"),
        ("stages", "base"),
    ]


def test_a_relative_quarter_is_compared_with_the_local_days_of_the_last_one() -> None:
    """Close resolves this quarter in today's fixed offset (+01:00 in December), but the
    quarter before is July to September in Berlin's summer time (+02:00)."""
    body = {"type": "overview", "relative_range": "this-quarter", "metrics": METRICS}
    report = build_plan([spec(body, "same-days-last-quarter")], WEDNESDAY).reports[0]
    assert report.windows["report"] is not None
    assert report.windows["report"]["start"] == "2026-10-01T00:00:00+01:00"
    compared = report.windows["compared"]
    assert compared is not None
    assert (compared["start"], compared["end"]) == (
        "2026-07-01T00:00:00+02:00",
        "2026-10-01T00:00:00+02:00",
    )
    previous = build_plan([spec(body, "previous-period")], WEDNESDAY).reports[0]
    window = previous.windows["compared"]
    assert window is not None
    # 92 local days before 1 October (00:00 in Berlin): 1 July.
    assert (window["start"], window["end"]) == (
        "2026-07-01T00:00:00+02:00",
        "2026-10-01T00:00:00+02:00",
    )
