"""What a status-change report covers, in words: its period (in progress said as such), or
"all time" for an overall report, and the period it is compared with."""

from __future__ import annotations

from typing import Any

from reportrunner.kinds.activity.periods import compare_words
from reportrunner.kinds.statuses.subject import Subject
from reportrunner.site.compareview import so_far
from reportrunner.site.filters import Formatter
from reportrunner.windows import datetime_window, parse_rfc3339, progress


def is_overall(data: dict[str, Any]) -> bool:
    """An overall report: no dates were sent, so Close counts all time without a start."""
    report = (data.get("windows") or {}).get("report")
    return not isinstance(report, dict) or not report.get("start") or not report.get("end")


def _range_words(window: dict[str, Any]) -> str:
    value = window.get("value")
    if window.get("kind") == "relative" and isinstance(value, str):
        return value.replace("-", " ")
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


def coverage(data: dict[str, Any], subject: Subject, fmt: Formatter) -> list[str]:
    """ "Opportunity status changes last week — Nov 23 – 29, 2026, Europe/Berlin"."""
    windows = data.get("windows") or {}
    now = parse_rfc3339(str(data["fetched_at"]))
    zone = data.get("timezone", "UTC")
    if is_overall(data):
        lines = [f"{subject.title} over all time (an overall report), {zone}"]
    else:
        report = windows["report"]
        lines = [f"{subject.title} {_range_words(report)} — {_span(report, fmt, now)}, {zone}"]
    compared = windows.get("compared")
    asked = data.get("compare")
    if compared is None and isinstance(asked, str) and asked != "none":
        lines.append(f"Not compared with {compare_words(asked)}: this report covers all time")
    if isinstance(compared, dict) and compared.get("start"):
        name = compare_words(str(compared.get("value") or "previous-period"))
        lines.append(f"Compared with {name} — {_span(compared, fmt)}")
    return lines
