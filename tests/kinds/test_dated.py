"""The plan of a dated GET report: `range:` → date_start/date_end, compared and to-date days."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from reportrunner.kinds.dated import plan_dated
from reportrunner.model import Spec

PATH = "/report/statuses/lead/{organization_id}/"
WEDNESDAY = datetime(2026, 12, 2, 14, 0, tzinfo=timezone.utc)


def spec(
    range_: str | dict[str, str] | None,
    compare: str = "none",
    request: dict[str, Any] | None = None,
    zone: str = "Europe/Berlin",
) -> Spec:
    return Spec(
        id="moves",
        title="Moves",
        request=request if request is not None else {"smart_view_id": "save_1"},
        source="specs/moves.yaml",
        kind="lead-statuses",
        endpoints=("lead_statuses",),
        range=range_,
        compare=compare,
        timezone=zone,
    )


def queries(plan_spec: Spec, now: datetime = WEDNESDAY) -> dict[str, dict[str, str]]:
    plan = plan_dated(plan_spec, now, endpoint="lead_statuses", path=PATH)
    return {request.role: dict(request.query or ()) for request in plan.requests}


def test_a_finished_relative_range_becomes_whole_days_with_an_exclusive_end() -> None:
    plan = plan_dated(spec("last-week"), WEDNESDAY, endpoint="lead_statuses", path=PATH)
    (request,) = plan.requests
    assert request.method == "GET" and request.path == PATH
    assert dict(request.query or ()) == {
        "date_start": "2026-11-23",
        "date_end": "2026-11-30",
        "smart_view_id": "save_1",
    }
    assert request.tz_offset == 1.0  # Berlin in November
    report = plan.windows["report"]
    assert report is not None
    assert report["kind"] == "relative" and report["value"] == "last-week"
    assert report["start"] == "2026-11-23T00:00:00+01:00"
    assert report["end"] == "2026-11-30T00:00:00+01:00"
    assert plan.extra == {"compare": "none", "judged_against": None}


def test_a_finished_period_is_judged_against_the_whole_compared_period() -> None:
    plan = plan_dated(
        spec("last-week", "previous-period"), WEDNESDAY, endpoint="lead_statuses", path=PATH
    )
    assert [r.role for r in plan.requests] == ["base", "compared"]
    assert dict(plan.requests[1].query or ())["date_start"] == "2026-11-16"
    assert dict(plan.requests[1].query or ())["date_end"] == "2026-11-23"
    assert plan.extra["judged_against"] == "compared"


def test_a_running_period_compares_its_complete_days_with_as_many_days() -> None:
    plan = plan_dated(
        spec("this-week", "previous-period"), WEDNESDAY, endpoint="lead_statuses", path=PATH
    )
    found = {r.role: dict(r.query or ()) for r in plan.requests}
    # Monday and Tuesday are over; Wednesday is not, so it is left out of both sides.
    assert (found["base"]["date_start"], found["base"]["date_end"]) == (
        "2026-11-30",
        "2026-12-02",
    )
    assert (found["compared_to_date"]["date_start"], found["compared_to_date"]["date_end"]) == (
        "2026-11-23",
        "2026-11-25",
    )
    assert (found["compared"]["date_start"], found["compared"]["date_end"]) == (
        "2026-11-23",
        "2026-11-30",
    )
    period = plan.windows["period"]
    assert period is not None and period["date_end"] == "2026-12-07"
    assert plan.extra["judged_against"] == "compared_to_date"


def test_without_compare_a_running_period_is_asked_for_whole() -> None:
    found = queries(spec("this-week"))
    assert (found["base"]["date_start"], found["base"]["date_end"]) == ("2026-11-30", "2026-12-07")


def test_on_the_first_day_nothing_is_judged() -> None:
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
    plan = plan_dated(
        spec("this-week", "previous-period"), monday, endpoint="lead_statuses", path=PATH
    )
    assert [r.role for r in plan.requests] == ["base", "compared"]
    assert dict(plan.requests[0].query or ())["date_end"] == "2026-12-07"
    assert plan.extra["judged_against"] is None
    today = plan_dated(
        spec("today", "previous-period"), WEDNESDAY, endpoint="lead_statuses", path=PATH
    )
    assert today.extra["judged_against"] is None


def test_the_to_date_days_never_run_past_the_compared_period() -> None:
    # 30 complete days of December against November (30 days): all of November, no more.
    late = datetime(2026, 12, 31, 12, 0, tzinfo=timezone.utc)
    found = queries(spec("this-month", "same-days-last-month"), late)
    assert (found["base"]["date_start"], found["base"]["date_end"]) == ("2026-12-01", "2026-12-31")
    assert (found["compared_to_date"]["date_start"], found["compared_to_date"]["date_end"]) == (
        "2026-11-01",
        "2026-12-01",
    )


def test_a_compared_period_that_shifts_to_nothing_is_not_asked_for() -> None:
    # 29-31 March, the same days last month: 28-28 February (clamped), an empty period.
    plan = plan_dated(
        spec({"start": "2026-03-29", "end": "2026-03-31"}, "same-days-last-month"),
        WEDNESDAY,
        endpoint="lead_statuses",
        path=PATH,
    )
    assert [r.role for r in plan.requests] == ["base"]
    assert plan.windows["compared"] is None and plan.extra["judged_against"] is None


def test_a_written_range_is_judged_against_the_same_days_shifted() -> None:
    plan = plan_dated(
        spec({"start": "2026-03-01", "end": "2026-03-11"}, "same-days-last-month"),
        WEDNESDAY,
        endpoint="lead_statuses",
        path=PATH,
    )
    compared = plan.windows["compared"]
    assert compared is not None
    assert (compared["date_start"], compared["date_end"]) == ("2026-02-01", "2026-02-11")
    assert plan.extra["judged_against"] == "compared"


def test_written_dates_and_request_dates_and_overall() -> None:
    found = queries(spec({"start": "2026-11-01", "end": "2026-12-01"}))
    assert (found["base"]["date_start"], found["base"]["date_end"]) == ("2026-11-01", "2026-12-01")
    direct = queries(spec(None, request={"date_start": "2026-10-01", "query": "x y"}))
    assert direct["base"] == {"date_start": "2026-10-01", "query": "x y"}
    for overall in (spec(None), spec("all-time", "previous-period")):
        plan = plan_dated(overall, WEDNESDAY, endpoint="lead_statuses", path=PATH)
        (request,) = plan.requests
        assert dict(request.query or ()) == {"smart_view_id": "save_1"}
        report = plan.windows["report"]
        assert report is not None and report["kind"] == "overall"
        assert report["date_start"] is None and report["date_end"] is None


def test_the_zone_decides_the_days_and_each_period_its_offset() -> None:
    # 23:30 UTC on Tuesday is already Wednesday in Tokyo.
    late = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)
    found = queries(spec("yesterday", zone="Asia/Tokyo"), late)
    assert found["base"]["date_start"] == "2026-12-01"
    # A summer period of a Berlin report is sent with Berlin's summer offset.
    plan = plan_dated(
        spec({"start": "2026-07-01", "end": "2026-08-01"}, "same-days-last-month"),
        WEDNESDAY,
        endpoint="lead_statuses",
        path=PATH,
    )
    assert [r.tz_offset for r in plan.requests] == [2.0, 2.0]


@pytest.mark.parametrize("value", [True, 3])
def test_query_values_are_sent_as_text(value: object) -> None:
    found = queries(spec("last-week", request={"flag": value}))
    assert found["base"]["flag"] == ("true" if value is True else "3")


def test_equal_requests_of_two_reports_share_one_dedup_key() -> None:
    one = plan_dated(spec("last-week"), WEDNESDAY, endpoint="lead_statuses", path=PATH)
    two = plan_dated(spec("last-week"), WEDNESDAY, endpoint="lead_statuses", path=PATH)
    other = plan_dated(spec("last-month"), WEDNESDAY, endpoint="lead_statuses", path=PATH)
    assert one.requests[0].key == two.requests[0].key != other.requests[0].key
