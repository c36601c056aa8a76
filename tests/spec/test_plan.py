"""build_plan: base/compared requests, headers, time-zone offsets, windows, deduplication."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from reportrunner import __version__
from reportrunner.fetch.plan import build_plan
from reportrunner.model import Spec

PIPE = "pipe_4vukv2FUlFh9FDiVYAop1U"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def spec(report_id: str, request: dict[str, Any], **extra: Any) -> Spec:
    body = {"pipeline": PIPE, "type": "created-cohort", "cohort_relative_range": "this-month"}
    return Spec(
        id=report_id, title=report_id, request=body | request, source="specs/x.yaml", **extra
    )


def test_without_comparison_one_request_per_endpoint() -> None:
    plan = build_plan([spec("a", {})], NOW)
    (report,) = plan.reports
    assert [(r.endpoint, r.role, r.path) for r in report.requests] == [
        ("totals", "base", "/report/funnel/opportunity/totals/"),
        ("stages", "base", "/report/funnel/opportunity/stages/"),
    ]
    assert report.requests[0].body == report.spec.request


def test_comparison_gives_base_without_the_field_and_compared_as_written() -> None:
    s = spec("a", {"compared_relative_range": "last-month"}, endpoints=("totals",))
    base, compared, to_date = build_plan([s], NOW).reports[0].requests
    assert (base.role, compared.role, to_date.role) == ("base", "compared", "compared_to_date")
    assert "compared_relative_range" not in base.body
    assert compared.body == s.request


def test_headers_and_offsets_follow_the_spec_zone() -> None:
    kolkata = spec("a", {}, timezone="Asia/Kolkata")
    berlin_summer = spec("b", {}, timezone="Europe/Berlin")
    plan = build_plan([kolkata], NOW)
    request = plan.reports[0].requests[0]
    assert request.tz_offset == 5.5
    assert request.headers() == {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": f"reportrunner/{__version__}",
        "X-TZ-Offset": "5.5",
    }
    july = datetime(2026, 7, 1, tzinfo=timezone.utc)
    assert build_plan([berlin_summer], july).reports[0].requests[0].headers()["X-TZ-Offset"] == "2"
    assert build_plan([berlin_summer], NOW).reports[0].requests[0].headers()["X-TZ-Offset"] == "1"


def test_identical_requests_are_fetched_once() -> None:
    a = spec("a", {"compared_relative_range": "last-month"})
    b = spec("b", {"compared_relative_range": "last-year"})
    plan = build_plan([a, b], NOW)
    # a (month against month, still running) also asks for last month to date; b does not.
    assert sum(len(r.requests) for r in plan.reports) == 10
    unique = plan.unique()
    assert len(unique) == 8  # both base requests are the same body
    assert unique[0] is plan.reports[0].requests[0]
    other_zone = build_plan([a, spec("c", {}, timezone="Asia/Tokyo")], NOW)
    assert len(other_zone.unique()) == 8  # same body, different offset: not the same request


def test_windows_for_relative_ranges_in_the_offset_zone() -> None:
    s = spec(
        "a",
        {"compared_relative_range": "last-month", "report_relative_range": "all-time"},
        timezone="Europe/Berlin",
    )
    windows = build_plan([s], NOW).reports[0].windows
    assert windows["cohort"] == {
        "kind": "relative",
        "value": "this-month",
        "start": "2026-11-01T00:00:00+01:00",
        "end": "2026-12-01T00:00:00+01:00",
    }
    assert windows["compared"]["start"] == "2026-10-01T00:00:00+01:00"
    assert windows["report"] == {
        "kind": "relative",
        "value": "all-time",
        "start": None,
        "end": None,
    }


def test_windows_for_datetime_same_days_and_custom() -> None:
    q1 = {"start": "2026-01-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}
    dated = {
        "pipeline": PIPE,
        "type": "active-stage-cohort",
        "report_datetime_range": q1,
        "compared_datetime_range": "same-days-last-year",
    }
    custom = {
        "pipeline": PIPE,
        "type": "active-stage-cohort",
        "report_relative_range": "this-month",
        "cohort_relative_range": "today",
        "compared_custom_range": {"start": "2025-01-01T00:00:00Z", "end": "2025-02-01T00:00:00Z"},
    }
    plan = build_plan([Spec("d", "d", dated, "s"), Spec("c", "c", custom, "s")], NOW)
    windows = plan.reports[0].windows
    assert windows["report"] == {"kind": "datetime", "value": None, **q1}
    assert windows["compared"] == {
        "kind": "same-days",
        "value": "same-days-last-year",
        "start": "2025-01-01T00:00:00Z",
        "end": "2025-04-01T00:00:00Z",
    }
    custom_windows = plan.reports[1].windows
    assert custom_windows["compared"]["kind"] == "custom"
    assert custom_windows["cohort"] is None  # Close ignores it on active-stage-cohort reports
