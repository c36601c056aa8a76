"""What a status-change report covers, in words: its period (in progress said as such, with
the complete days a running period's numbers cover), "all time" for an overall report, and
the period it is compared with."""

from __future__ import annotations

from typing import Any

from reportrunner.fetch.plan import as_window
from reportrunner.kinds.periods import compare_words
from reportrunner.kinds.statuses.compared import period_progress, period_window
from reportrunner.kinds.statuses.subject import Subject
from reportrunner.site.compareview import days_text, so_far
from reportrunner.site.filters import Formatter
from reportrunner.windows import parse_rfc3339


def is_overall(data: dict[str, Any]) -> bool:
    """An overall report: no dates were sent, so Close counts all time without a start."""
    report = (data.get("windows") or {}).get("report")
    if not isinstance(report, dict) or report.get("kind") == "overall":
        return True
    return not report.get("start") and not report.get("end")


def _range_words(window: dict[str, Any]) -> str:
    value = window.get("value")
    if window.get("kind") == "relative" and isinstance(value, str):
        return value.replace("-", " ")
    return "in the chosen period"


def _open_span(window: dict[str, Any], fmt: Formatter) -> str:
    """A window with one open side (request dates): "from Nov 1, 2026", "until Nov 30, 2026"."""
    start, end = window.get("start"), window.get("end")
    if start:
        return "from " + fmt.day(parse_rfc3339(str(start)))
    return "before " + fmt.day(parse_rfc3339(str(end))) if end else "in the chosen period"


def coverage(data: dict[str, Any], subject: Subject, fmt: Formatter) -> list[str]:
    """ "Opportunity status changes last week — Nov 23 – 29, 2026, Europe/Berlin"."""
    windows = data.get("windows") or {}
    zone = data.get("timezone", "UTC")
    if is_overall(data):
        lines = [f"{subject.title} over all time (an overall report), {zone}"]
    else:
        report = windows["report"]
        period = period_window(data)
        covered, whole = as_window(report), as_window(period)
        running = period_progress(data)
        if covered is None or whole is None:
            span = _open_span(report, fmt)
        elif running is not None and covered.end == whole.end:
            span = so_far(covered, running, fmt)  # "Dec 1, 2026 (month to date, day 1 of 31)"
        elif running is not None:
            complete = running.day - 1
            span = f"{days_text(covered, fmt)} (complete days so far: {complete} of {running.days})"
        else:
            span = fmt.date_range(covered.start, covered.end)
        lines = [f"{subject.title} {_range_words(period)} — {span}, {zone}"]
    compared = windows.get("compared")
    asked = data.get("compare")
    if compared is None and isinstance(asked, str) and asked != "none":
        lines.append(f"Not compared with {compare_words(asked)}: this report covers all time")
    whole_compared = as_window(compared if isinstance(compared, dict) else None)
    if isinstance(compared, dict) and whole_compared is not None:
        name = compare_words(str(compared.get("value") or "previous-period"))
        lines.append(
            f"Compared with {name} — {fmt.date_range(whole_compared.start, whole_compared.end)}"
        )
    return lines
