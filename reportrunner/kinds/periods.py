"""The period a spec's `compare:` names, for every kind whose endpoint has no compared field.

The runner builds the compared request itself (the same request for another period); the
compared period of a report covering a window is

- `previous-period`: the period of equal length that ends where this one starts. A period of
  whole days (both bounds at midnight) is counted in calendar days of the spec's zone, so the
  7 days before a week that starts after a DST change are still 7 calendar days (one of them
  23 or 25 hours long); any other period is moved back by its exact duration;
- `same-days-last-week|month|quarter|year`: the same days one week, month, quarter or year
  back, by `reportrunner.windows.shift_same_days` (a day that does not exist in the shorter
  month is clamped to its last day: 31 Mar → 28/29 Feb, 29 Feb 2028 → 28 Feb 2027).

Both are computed in the spec's IANA zone (wall-clock time), then written with the offset that
zone has at each bound: "Oct 1 00:00 in Berlin" is `2026-10-01T00:00:00+02:00` even when the
report runs in November (+01:00). A bound whose offset is not the zone's (a range written in
UTC for a Berlin spec) keeps its own fixed offset, so the days the author wrote are kept.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from reportrunner.windows import SAME_DAYS_SHIFTS, Window, shift_same_days

CompareMode = Literal[
    "none",
    "previous-period",
    "same-days-last-week",
    "same-days-last-month",
    "same-days-last-quarter",
    "same-days-last-year",
]
COMPARE_MODES: tuple[str, ...] = ("none", "previous-period", *SAME_DAYS_SHIFTS)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The moment as wall time of `zone` when its offset is the zone's there, else as is."""
    in_zone = moment.astimezone(zone)
    return in_zone if in_zone.utcoffset() == moment.utcoffset() else moment


def _fixed(moment: datetime) -> datetime:
    """A wall time made real (a time in a DST gap moves forward) with a fixed offset."""
    zone: tzinfo | None = moment.tzinfo
    assert zone is not None
    real = moment.astimezone(timezone.utc).astimezone(zone)
    offset = real.utcoffset()
    assert offset is not None
    return real.replace(tzinfo=timezone(offset))


def _whole_days(window: Window) -> bool:
    assert window.start is not None and window.end is not None
    return window.start.time() == time(0) == window.end.time()


def previous_period(window: Window, zone: ZoneInfo) -> Window:
    """The period of equal length just before `window` (see the module's words)."""
    assert window.start is not None and window.end is not None
    if not _whole_days(window):
        return Window(window.start - (window.end - window.start), window.start)
    days = (window.end.date() - window.start.date()).days
    start = _local(window.start, zone)
    return Window(_fixed(start - timedelta(days=days)), window.start)


def compared_window(
    window: Window, mode: str, zone_name: str, *, wall: bool = False
) -> Window | None:
    """The window `compare: mode` names for a report covering `window`.

    `wall`: the bounds' clock times are the zone's (a relative range, which Close resolves in
    the fixed X-TZ-Offset of today: this quarter's "Oct 1 00:00+01:00" means local midnight).
    None for `none` and for a window without bounds (all-time has no previous period).
    """
    if mode == "none" or window.start is None or window.end is None:
        return None
    zone = ZoneInfo(zone_name)
    if wall:
        start, end = window.start.replace(tzinfo=zone), window.end.replace(tzinfo=zone)
        window = Window(start, end)
    if mode == "previous-period":
        return previous_period(window, zone)
    if mode not in SAME_DAYS_SHIFTS:
        raise ValueError(f"unknown compare mode {mode!r}; expected one of {COMPARE_MODES}")
    # Wall-clock arithmetic in the zone: aware datetimes of one ZoneInfo shift by their
    # local date and time, and take the offset that zone has on the shifted day.
    assert window.start is not None and window.end is not None
    local = Window(_local(window.start, zone), _local(window.end, zone))
    shifted = shift_same_days(local, mode)
    assert shifted.start is not None and shifted.end is not None
    return Window(_fixed(shifted.start), _fixed(shifted.end))


def compare_words(mode: str) -> str:
    """How a page names the compared period: "the previous period", "the same days last month"."""
    if mode == "previous-period":
        return "the previous period"
    return "the " + mode.replace("-", " ")


def span_words(mode: str) -> str:
    """The period a to-date span is taken from: "the previous period", "last month"."""
    if mode == "previous-period":
        return "the previous period"
    return mode.removeprefix("same-days-").replace("-", " ")
