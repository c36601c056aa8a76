"""Relative date ranges and time-zone offsets, shared by the runner and the emulator.

Close resolves `*_relative_range` values in the zone given by the `X-TZ-Offset` header (hours,
decimals allowed). Close does not document its conventions, so we choose and write them down
(docs/emulator.md); the runner shows exactly the windows the emulator computes because both call
this module:

- windows are half-open `[start, end)` in the offset's fixed zone;
- weeks start on Monday (ISO 8601);
- quarters are calendar quarters (Jan, Apr, Jul, Oct);
- `this-*` windows cover the whole period (this-month = 1st of this month to 1st of next);
- `all-time` is unbounded on both sides (start and end are None);
- `same-days-last-X` shifts a window back by one X; a day that does not exist in the shorter
  month is clamped to its last day (31 Mar shifted one month is 28/29 Feb).
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

RELATIVE_RANGES: tuple[str, ...] = (
    "today",
    "this-week",
    "this-month",
    "this-quarter",
    "this-year",
    "yesterday",
    "last-week",
    "last-month",
    "last-quarter",
    "last-year",
    "all-time",
)

SAME_DAYS_SHIFTS: tuple[str, ...] = (
    "same-days-last-week",
    "same-days-last-month",
    "same-days-last-quarter",
    "same-days-last-year",
)


@dataclass(frozen=True)
class Window:
    """A half-open time window `[start, end)`; None means unbounded on that side."""

    start: datetime | None
    end: datetime | None

    def contains(self, moment: datetime) -> bool:
        if self.start is not None and moment < self.start:
            return False
        return not (self.end is not None and moment >= self.end)

    def to_json(self) -> dict[str, str | None]:
        return {
            "start": iso_z(self.start) if self.start else None,
            "end": iso_z(self.end) if self.end else None,
        }


def iso_z(moment: datetime) -> str:
    """RFC 3339 text of a moment in its own offset, `Z` for UTC."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def offset_zone(hours: float) -> timezone:
    """The fixed zone for an `X-TZ-Offset` value in hours (5.5 → UTC+05:30)."""
    if not math.isfinite(hours) or abs(hours) >= 24:
        raise ValueError(f"time-zone offset must be between -24 and 24 hours, got {hours!r}")
    return timezone(timedelta(minutes=round(hours * 60)))


def parse_offset_header(value: str | None) -> timezone:
    """Parse an `X-TZ-Offset` header; absent means UTC. Raises ValueError when malformed."""
    if value is None or not value.strip():
        return timezone.utc
    return offset_zone(float(value.strip()))


def zone_offset_hours(zone_name: str, at: datetime) -> float:
    """The UTC offset in hours of an IANA zone at a moment (Asia/Kolkata → 5.5)."""
    offset = at.astimezone(ZoneInfo(zone_name)).utcoffset()
    assert offset is not None  # ZoneInfo always answers for an aware datetime
    return offset.total_seconds() / 3600


def format_offset(hours: float) -> str:
    """Render hours for the header: 1.0 → "1", 5.5 → "5.5", -2.5 → "-2.5"."""
    return f"{hours:g}"


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def resolve_relative(name: str, now: datetime, zone: tzinfo) -> Window:
    """The window a relative range names, seen at `now` from `zone`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(zone).date()
    if name == "all-time":
        return Window(None, None)
    if name in ("today", "yesterday"):
        day = today if name == "today" else today - timedelta(days=1)
        return Window(_midnight(day, zone), _midnight(day + timedelta(days=1), zone))
    if name in ("this-week", "last-week"):
        monday = today - timedelta(days=today.weekday())
        if name == "last-week":
            monday -= timedelta(days=7)
        return Window(_midnight(monday, zone), _midnight(monday + timedelta(days=7), zone))
    if name in ("this-month", "last-month"):
        first = today.replace(day=1)
        if name == "last-month":
            first = _add_months(first, -1)
        return Window(_midnight(first, zone), _midnight(_add_months(first, 1), zone))
    if name in ("this-quarter", "last-quarter"):
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        if name == "last-quarter":
            first = _add_months(first, -3)
        return Window(_midnight(first, zone), _midnight(_add_months(first, 3), zone))
    if name in ("this-year", "last-year"):
        year = today.year if name == "this-year" else today.year - 1
        return Window(_midnight(date(year, 1, 1), zone), _midnight(date(year + 1, 1, 1), zone))
    expected = ", ".join(RELATIVE_RANGES)
    raise ValueError(f"unknown relative range {name!r}; expected one of {expected}")


def _shift(moment: datetime, months: int, days: int) -> datetime:
    if months:
        shifted = _add_months(moment.date(), months)
        return datetime.combine(shifted, moment.timetz())
    return moment - timedelta(days=days)


def shift_same_days(window: Window, shift: str) -> Window:
    """The compared window of `compared_datetime_range` (e.g. same-days-last-month)."""
    shifts = {
        "same-days-last-week": (0, 7),
        "same-days-last-month": (-1, 0),
        "same-days-last-quarter": (-3, 0),
        "same-days-last-year": (-12, 0),
    }
    if shift not in shifts:
        expected = ", ".join(SAME_DAYS_SHIFTS)
        raise ValueError(f"unknown comparison {shift!r}; expected one of {expected}")
    months, days = shifts[shift]
    return Window(
        _shift(window.start, months, days) if window.start else None,
        _shift(window.end, months, days) if window.end else None,
    )


_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?"
)


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 date-time with an offset (`Z` or `+02:00`); ValueError otherwise.

    Done by hand rather than by `datetime.fromisoformat` alone: before Python 3.11 that accepts
    neither `Z` nor fractions other than 3 or 6 digits, which RFC 3339 allows.
    """
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not an RFC 3339 date-time such as 2026-01-01T00:00:00Z")
    day, clock, fraction, offset = match.groups()
    if offset is None:
        raise ValueError(f"{text!r} has no time-zone offset; add Z or +HH:MM")
    micro = f".{(fraction or '')[:6]:0<6}" if fraction else ""
    zone = "+00:00" if offset in ("Z", "z") else offset
    return datetime.fromisoformat(f"{day}T{clock}{micro}{zone}")


def datetime_window(value: dict[str, str]) -> Window:
    """A `{start, end}` request range as a Window."""
    return Window(parse_rfc3339(value["start"]), parse_rfc3339(value["end"]))


#: The period word of an in-progress relative range ("month to date").
_UNITS = {
    "today": "day",
    "this-week": "week",
    "this-month": "month",
    "this-quarter": "quarter",
    "this-year": "year",
}


@dataclass(frozen=True)
class Progress:
    """How far `now` is into a window that has begun and not ended (days in the window's zone).

    `day` counts the calendar day `now` falls on (day 1 is the window's first day); `days` is
    the window's length in calendar days; `unit` names the period ("month") when known.
    """

    day: int
    days: int
    unit: str
    elapsed: timedelta  # start → now, the span a to-date comparison uses

    def words(self) -> str:
        """ "month to date, day 2 of 31" (the page, the index card and report.md say this)."""
        return f"{self.unit} to date, day {self.day} of {self.days}"


def progress(window: Window, now: datetime, relative: str | None = None) -> Progress | None:
    """The progress of a window at `now`, or None when it is complete, future or unbounded."""
    if window.start is None or window.end is None or not window.contains(now):
        return None
    zone = window.start.tzinfo
    local_now = now.astimezone(zone)
    last = window.end - timedelta(microseconds=1)
    day = (local_now.date() - window.start.date()).days + 1
    days = (last.astimezone(zone).date() - window.start.date()).days + 1
    unit = _UNITS.get(relative or "", "period")
    return Progress(day, days, unit, now - window.start)
