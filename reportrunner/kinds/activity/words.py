"""What an activity report covers, in words: its period (in progress said as such) and the
period it is compared with, as the funnel pages say theirs."""

from __future__ import annotations

from typing import Any

from reportrunner.kinds.periods import compare_words
from reportrunner.site.compareview import so_far
from reportrunner.site.filters import Formatter
from reportrunner.windows import datetime_window, parse_rfc3339, progress

_SUBJECT = {"overview": "Activity", "comparison": "Activity per user"}


def _range_words(window: dict[str, Any]) -> str:
    value = window.get("value")
    if window.get("kind") == "relative" and isinstance(value, str):
        return "at any time" if value == "all-time" else value.replace("-", " ")
    return "in the chosen period"


def _span(window: dict[str, Any], fmt: Formatter, now: Any = None) -> str:
    start, end = window.get("start"), window.get("end")
    if not start or not end:
        return ""
    bounds = datetime_window({"start": str(start), "end": str(end)})
    relative = window.get("value") if window.get("kind") == "relative" else None
    running = progress(bounds, now, relative) if now is not None else None
    if running is not None:
        return so_far(bounds, running, fmt)
    return fmt.date_range(bounds.start, bounds.end)


def coverage(data: dict[str, Any], fmt: Formatter) -> list[str]:
    """ "Activity this week — Nov 30 – Dec 2, 2026 (week to date, day 3 of 7), Europe/Berlin"."""
    windows = data.get("windows") or {}
    now = parse_rfc3339(str(data["fetched_at"]))
    zone = data.get("timezone", "UTC")
    subject = _SUBJECT.get(str((data.get("request") or {}).get("type")), "Activity")
    lines = []
    report = windows.get("report")
    if isinstance(report, dict):
        span = _span(report, fmt, now)
        where = f" — {span}, {zone}" if span else f" ({zone})"
        lines.append(f"{subject} {_range_words(report)}{where}")
    compared = windows.get("compared")
    asked = data.get("compare")
    if compared is None and isinstance(asked, str) and asked != "none":
        # compare: with all-time: there is no period before the beginning of time.
        lines.append(f"Not compared with {compare_words(asked)}: this report covers all time")
    if isinstance(compared, dict):
        span = _span(compared, fmt)
        name = compare_words(str(compared.get("value") or "previous-period"))
        lines.append(f"Compared with {name}" + (f" — {span}" if span else ""))
    return lines
