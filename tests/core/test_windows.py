"""The relative-range conventions shared by the runner and the emulator."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from reportrunner.windows import (
    RELATIVE_RANGES,
    SAME_DAYS_SHIFTS,
    Window,
    datetime_window,
    format_offset,
    offset_zone,
    parse_offset_header,
    parse_rfc3339,
    resolve_relative,
    shift_same_days,
    zone_offset_hours,
)

UTC = timezone.utc
# Monday 30 Nov 2026, 23:30 UTC: already Tuesday 1 Dec in UTC+1.
NOW = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def _dates(window: Window) -> tuple[str, str]:
    assert window.start is not None and window.end is not None
    return window.start.date().isoformat(), window.end.date().isoformat()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("today", ("2026-11-30", "2026-12-01")),
        ("yesterday", ("2026-11-29", "2026-11-30")),
        ("this-week", ("2026-11-30", "2026-12-07")),
        ("last-week", ("2026-11-23", "2026-11-30")),
        ("this-month", ("2026-11-01", "2026-12-01")),
        ("last-month", ("2026-10-01", "2026-11-01")),
        ("this-quarter", ("2026-10-01", "2027-01-01")),
        ("last-quarter", ("2026-07-01", "2026-10-01")),
        ("this-year", ("2026-01-01", "2027-01-01")),
        ("last-year", ("2025-01-01", "2026-01-01")),
    ],
)
def test_relative_ranges_in_utc(name: str, expected: tuple[str, str]) -> None:
    window = resolve_relative(name, NOW, UTC)
    assert _dates(window) == expected
    assert window.start is not None and window.start.utcoffset() == timedelta(0)


def test_offset_changes_the_window_around_midnight() -> None:
    in_utc = resolve_relative("today", NOW, UTC)
    in_berlin_winter = resolve_relative("today", NOW, offset_zone(1))
    assert _dates(in_utc) == ("2026-11-30", "2026-12-01")
    assert _dates(in_berlin_winter) == ("2026-12-01", "2026-12-02")
    # A new month and quarter have begun an hour ahead of UTC.
    assert _dates(resolve_relative("this-month", NOW, offset_zone(1)))[0] == "2026-12-01"


def test_all_time_is_unbounded() -> None:
    window = resolve_relative("all-time", NOW, UTC)
    assert window == Window(None, None)
    assert window.contains(datetime(1999, 1, 1, tzinfo=UTC))
    assert window.to_json() == {"start": None, "end": None}


def test_every_relative_range_is_handled() -> None:
    for name in RELATIVE_RANGES:
        resolve_relative(name, NOW, offset_zone(-4))
    with pytest.raises(ValueError, match="unknown relative range 'next-week'"):
        resolve_relative("next-week", NOW, UTC)


def test_windows_are_half_open() -> None:
    window = resolve_relative("this-month", NOW, UTC)
    assert window.start is not None and window.end is not None
    assert window.contains(window.start)
    assert not window.contains(window.end)
    assert window.contains(window.end - timedelta(microseconds=1))


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        resolve_relative("today", datetime(2026, 1, 1), UTC)


@pytest.mark.parametrize(
    ("shift", "expected"),
    [
        ("same-days-last-week", ("2026-03-24", "2026-03-31")),
        ("same-days-last-month", ("2026-02-28", "2026-03-07")),  # 31 Mar → clamped to 28 Feb
        ("same-days-last-quarter", ("2025-12-31", "2026-01-07")),
        ("same-days-last-year", ("2025-03-31", "2025-04-07")),
    ],
)
def test_same_days_shifts(shift: str, expected: tuple[str, str]) -> None:
    window = datetime_window({"start": "2026-03-31T00:00:00Z", "end": "2026-04-07T00:00:00Z"})
    assert _dates(shift_same_days(window, shift)) == expected


def test_same_days_keeps_unbounded_sides_and_rejects_unknown() -> None:
    assert shift_same_days(Window(None, None), SAME_DAYS_SHIFTS[0]) == Window(None, None)
    with pytest.raises(ValueError, match="unknown comparison"):
        shift_same_days(Window(None, None), "same-days-last-decade")


def test_offsets() -> None:
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 12, tzinfo=UTC)
    assert zone_offset_hours("Asia/Kolkata", winter) == 5.5
    assert zone_offset_hours("Europe/Berlin", winter) == 1
    assert zone_offset_hours("Europe/Berlin", summer) == 2
    assert zone_offset_hours("America/St_Johns", winter) == -3.5
    assert format_offset(5.5) == "5.5"
    assert format_offset(1.0) == "1"
    assert format_offset(-2.5) == "-2.5"
    assert parse_offset_header(None) == UTC
    assert parse_offset_header("-2.5").utcoffset(None) == timedelta(hours=-2.5)
    for bad in ("abc", "24", "nan"):
        with pytest.raises(ValueError):
            parse_offset_header(bad)


def test_rfc3339() -> None:
    assert parse_rfc3339("2026-01-01T00:00:00Z") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_rfc3339("2026-01-01T02:00:00+02:00") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_rfc3339("2026-01-01T00:00:00.5Z") == datetime(2026, 1, 1, 0, 0, 0, 500000, UTC)
    assert parse_rfc3339("2026-01-01t00:00:00.1234567z").microsecond == 123456
    with pytest.raises(ValueError, match="no time-zone offset"):
        parse_rfc3339("2026-01-01T00:00:00")
    for bad in ("2026-01-01", "yesterday", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00Z"):
        with pytest.raises(ValueError):
            parse_rfc3339(bad)
