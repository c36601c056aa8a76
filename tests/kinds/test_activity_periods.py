"""The compared period of every `compare:` mode, in the spec's zone: month ends, leap years, DST."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from reportrunner.kinds.periods import COMPARE_MODES, compared_window, previous_period
from reportrunner.windows import Window, datetime_window, iso_z


def window(start: str, end: str) -> Window:
    return datetime_window({"start": start, "end": end})


def shown(found: Window | None) -> tuple[str | None, str | None]:
    assert found is not None
    return found.to_json()["start"], found.to_json()["end"]


@pytest.mark.parametrize(
    ("mode", "start", "end", "expected"),
    [
        # A whole week in UTC: every mode.
        (
            "previous-period",
            "2026-11-30T00:00:00Z",
            "2026-12-07T00:00:00Z",
            ("2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z"),
        ),
        (
            "same-days-last-week",
            "2026-11-30T00:00:00Z",
            "2026-12-07T00:00:00Z",
            ("2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z"),
        ),
        (
            "same-days-last-month",
            "2026-11-30T00:00:00Z",
            "2026-12-07T00:00:00Z",
            ("2026-10-30T00:00:00Z", "2026-11-07T00:00:00Z"),
        ),
        (
            "same-days-last-quarter",
            "2026-11-30T00:00:00Z",
            "2026-12-07T00:00:00Z",
            ("2026-08-30T00:00:00Z", "2026-09-07T00:00:00Z"),
        ),
        (
            "same-days-last-year",
            "2026-11-30T00:00:00Z",
            "2026-12-07T00:00:00Z",
            ("2025-11-30T00:00:00Z", "2025-12-07T00:00:00Z"),
        ),
        # Month ends: 31 March one month back is the last day of February (clamped)...
        (
            "same-days-last-month",
            "2026-03-31T00:00:00Z",
            "2026-04-01T00:00:00Z",
            ("2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z"),
        ),
        # ... in a leap year the 29th.
        (
            "same-days-last-month",
            "2028-03-31T00:00:00Z",
            "2028-04-01T00:00:00Z",
            ("2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z"),
        ),
        # 31 May one quarter back would be 31 February: clamped to the 28th.
        (
            "same-days-last-quarter",
            "2026-05-31T00:00:00Z",
            "2026-06-01T00:00:00Z",
            ("2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z"),
        ),
        # The leap day one year back is 28 February 2027.
        (
            "same-days-last-year",
            "2028-02-29T00:00:00Z",
            "2028-03-01T00:00:00Z",
            ("2027-02-28T00:00:00Z", "2027-03-01T00:00:00Z"),
        ),
        # The previous period of February 2028 is the 29 days before it (from 3 January).
        (
            "previous-period",
            "2028-02-01T00:00:00Z",
            "2028-03-01T00:00:00Z",
            ("2028-01-03T00:00:00Z", "2028-02-01T00:00:00Z"),
        ),
        # A period that is not whole days moves back by its exact length.
        (
            "previous-period",
            "2026-12-02T09:00:00Z",
            "2026-12-02T17:30:00Z",
            ("2026-12-02T00:30:00Z", "2026-12-02T09:00:00Z"),
        ),
    ],
)
def test_every_mode_in_utc(mode: str, start: str, end: str, expected: tuple[str, str]) -> None:
    assert shown(compared_window(window(start, end), mode, "UTC")) == expected


def test_none_and_unbounded_windows_have_no_compared_period() -> None:
    assert (
        compared_window(window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"), "none", "UTC")
        is None
    )
    assert compared_window(Window(None, None), "previous-period", "UTC") is None


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown compare mode"):
        compared_window(window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"), "yesterday", "UTC")


def test_the_modes_are_the_spec_format_s() -> None:
    assert COMPARE_MODES == (
        "none",
        "previous-period",
        "same-days-last-week",
        "same-days-last-month",
        "same-days-last-quarter",
        "same-days-last-year",
    )


def test_same_days_last_month_over_the_autumn_dst_change_in_berlin() -> None:
    """November in Berlin (+01:00) against October, which is +02:00 until the 25th."""
    november = window("2026-11-01T00:00:00+01:00", "2026-12-01T00:00:00+01:00")
    found = compared_window(november, "same-days-last-month", "Europe/Berlin")
    assert shown(found) == ("2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00")
    assert found is not None and found.start is not None and found.end is not None
    # Local midnight to local midnight: 31 days and the hour given back on 25 October.
    assert found.end - found.start == timedelta(days=31, hours=1)


def test_previous_week_across_the_new_york_dst_end_is_seven_calendar_days() -> None:
    """DST ended on Sunday 1 November 2026: the week before Monday 2 November is 7 days + 1 h."""
    week = window("2026-11-02T00:00:00-05:00", "2026-11-09T00:00:00-05:00")
    for mode in ("previous-period", "same-days-last-week"):
        found = compared_window(week, mode, "America/New_York")
        assert shown(found) == ("2026-10-26T00:00:00-04:00", "2026-11-02T00:00:00-05:00"), mode


def test_spring_forward_week_is_seven_calendar_days_too() -> None:
    """Berlin's clocks went forward on 29 March 2026: the week after starts at +02:00."""
    week = window("2026-03-30T00:00:00+02:00", "2026-04-06T00:00:00+02:00")
    found = previous_period(week, ZoneInfo("Europe/Berlin"))
    assert shown(found) == ("2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00")


def test_a_local_midnight_that_does_not_exist_moves_to_the_first_real_moment() -> None:
    """Santiago went from 00:00 to 01:00 on 6 September 2026: that day starts at 01:00."""
    day = window("2026-10-06T00:00:00-03:00", "2026-10-07T00:00:00-03:00")
    found = compared_window(day, "same-days-last-month", "America/Santiago")
    assert shown(found) == ("2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00")


def test_a_range_written_in_another_offset_keeps_its_days() -> None:
    """A UTC range in a Berlin spec is shifted as the UTC days its author wrote."""
    november_utc = window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")
    found = compared_window(november_utc, "same-days-last-month", "Europe/Berlin")
    assert shown(found) == ("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")


def test_compared_bounds_are_aware_and_written_with_their_offset() -> None:
    found = compared_window(
        window("2026-07-01T00:00:00+05:30", "2026-08-01T00:00:00+05:30"),
        "same-days-last-year",
        "Asia/Kolkata",
    )
    assert found is not None and found.start is not None
    assert iso_z(found.start) == "2025-07-01T00:00:00+05:30"
    assert found.start.utcoffset() == timedelta(hours=5, minutes=30)
    assert found.start.astimezone(timezone.utc) == datetime(
        2025, 6, 30, 18, 30, tzinfo=timezone.utc
    )
