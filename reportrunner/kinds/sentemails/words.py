"""What a sent e-mails report covers, in words: its period, the days it counted so far, the
period it is compared with and the user it is limited to.

While a period runs, the plan (kinds/dated.py) asks Close for its complete days only (Close
counts whole days), so the page says "Nov 30 – Dec 1, 2026 (so far: 2 of 7 days)", never the
whole week.
"""

from __future__ import annotations

from typing import Any

from reportrunner.escaping import plain_text
from reportrunner.fetch.plan import as_window
from reportrunner.kinds.periods import compare_words
from reportrunner.kinds.sentemails.compared import period_progress, whole_period
from reportrunner.site.compareview import days_text, so_far
from reportrunner.site.filters import Formatter

SUBJECT = "Sent e-mails"


def _range_words(window: dict[str, Any]) -> str:
    value = window.get("value")
    if window.get("kind") == "relative" and isinstance(value, str):
        return value.replace("-", " ")
    if window.get("kind") == "overall":
        return "at any time"
    return "in the chosen period"


def _span(data: dict[str, Any], fmt: Formatter) -> str:
    """The days counted: the whole period, or its days so far while it runs."""
    windows = data.get("windows") or {}
    report = windows.get("report") or {}
    whole, counted = as_window(whole_period(data) or report), as_window(report)
    if whole is None or counted is None:
        return ""
    running = period_progress(data)
    if running is None:
        return fmt.date_range(whole.start, whole.end)
    if windows.get("period") is None:  # the whole running period was asked for: up to now
        return so_far(whole, running, fmt)
    done = running.day - 1
    return f"{days_text(counted, fmt)} (so far: {done} of {running.days} days)"


def coverage(data: dict[str, Any], fmt: Formatter) -> list[str]:
    """ "Sent e-mails last week — Nov 23 – 29, 2026, Europe/Berlin", then the comparison."""
    windows = data.get("windows") or {}
    zone = data.get("timezone", "UTC")
    lines = []
    report = windows.get("report")
    if isinstance(report, dict):
        period = whole_period(data) or report
        span = _span(data, fmt)
        where = f" — {span}, {zone}" if span else f" ({zone})"
        lines.append(f"{SUBJECT} {_range_words(period)}{where}")
    compared = windows.get("compared")
    asked = data.get("compare")
    if compared is None and isinstance(asked, str) and asked != "none":
        lines.append(f"Not compared with {compare_words(asked)}: this report has no bounded period")
    whole = as_window(compared) if isinstance(compared, dict) else None
    if isinstance(compared, dict):
        name = compare_words(str(compared.get("value") or "previous-period"))
        span = fmt.date_range(whole.start, whole.end) if whole else ""
        lines.append(f"Compared with {name}" + (f" — {span}" if span else ""))
    return lines


def filters(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The user the report is limited to (`user_id`), by name when the run found it."""
    user = (data.get("request") or {}).get("user_id")
    if not isinstance(user, str) or not user:
        return []
    users = (data.get("names") or {}).get("users") or {}
    name = users.get(user) if isinstance(users, dict) else None
    return [("Sent by", plain_text(name if isinstance(name, str) and name else user))]
