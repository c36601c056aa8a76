"""What a page says about its comparison: which span the change is judged against, and why.

`reportrunner.comparison` decides (like for like, to date, full period, different lengths); this
module reads that decision back from one data.json dict and puts it in a reader's words. A
data.json written before to-date requests existed (no `compared_to_date` answer) is still
readable: a running period is then shown against the whole compared period, not judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from reportrunner.comparison import MODES, Comparison, ComparisonKind, ComparisonMode, decide
from reportrunner.fetch.plan import as_window, primary_window
from reportrunner.site.filters import Formatter
from reportrunner.windows import Progress, Window, parse_rfc3339, progress

_NAMED = {
    "last-week": "last week",
    "last-month": "last month",
    "last-quarter": "last quarter",
    "last-year": "last year",
    "yesterday": "yesterday",
}


@dataclass(frozen=True)
class ComparisonView:
    kind: ComparisonKind
    judged: bool
    role: str  # the responses role the change is computed from: compared | compared_to_date
    label: str  # the column/line name of the compared figure: "Same days of last month"
    full_label: str  # the whole compared period when the headline is to date, else ""
    note: str  # one sentence saying what is compared with what and why it is (not) judged
    #: Days covered so far by this period and by the compared one, when their lengths differ:
    #: the page then shows per-day rates, clearly labelled, instead of a verdict.
    days: tuple[float, float] | None = None


def days_text(window: Window, fmt: Formatter) -> str:
    """The calendar days a window touches ("Nov 1 – 2, 2026"), also for a to-date end."""
    assert window.start is not None and window.end is not None
    end = window.end
    if end.time() != time(0) or end.tzinfo is None:
        end = datetime.combine(end.date() + timedelta(days=1), time(0), tzinfo=end.tzinfo)
    start = datetime.combine(window.start.date(), time(0), tzinfo=window.start.tzinfo)
    return fmt.date_range(start, end)


def so_far(window: Window, running: Progress, fmt: Formatter) -> str:
    """ "Dec 1 – 2, 2026 (month to date, day 2 of 31)": a running window, never its full span."""
    assert window.start is not None
    days = days_text(Window(window.start, window.start + running.elapsed), fmt)
    return f"{days} ({running.words()})"


def base_progress(data: dict[str, Any]) -> Progress | None:
    """How far the report's own period is at `fetched_at` (None when it is over)."""
    windows = data.get("windows") or {}
    primary = primary_window(windows, (data.get("request") or {}).get("type"))
    base = as_window(primary)
    if base is None or primary is None:
        return None
    relative = primary.get("value") if primary.get("kind") == "relative" else None
    return progress(base, parse_rfc3339(str(data["fetched_at"])), relative)


def _name(window: dict[str, Any]) -> str:
    value = window.get("value")
    if window.get("kind") == "relative" and isinstance(value, str):
        return _NAMED.get(value, value.replace("-", " "))
    if window.get("kind") == "same-days" and isinstance(value, str):
        return "the " + value.replace("-", " ")
    return "the compared period"


def _decision(data: dict[str, Any]) -> Comparison | None:
    windows = data.get("windows") or {}
    primary = primary_window(windows, (data.get("request") or {}).get("type"))
    base, compared = as_window(primary), as_window(windows.get("compared"))
    if base is None or compared is None or primary is None:
        return None
    relative = primary.get("value") if primary.get("kind") == "relative" else None
    mode: ComparisonMode = "full-period" if data.get("comparison") == MODES[1] else MODES[0]
    return decide(
        base, compared, parse_rfc3339(str(data["fetched_at"])), mode=mode, relative=relative
    )


def _days(data: dict[str, Any], decision: Comparison) -> tuple[float, float] | None:
    """Days so far of the base period and days of the compared one (for per-day rates)."""
    windows = data.get("windows") or {}
    base = as_window(primary_window(windows, (data.get("request") or {}).get("type")))
    compared = decision.compared
    if base is None or None in (base.start, base.end, compared.start, compared.end):
        return None
    assert base.start and base.end and compared.start and compared.end
    so_far = decision.progress.elapsed if decision.progress else base.end - base.start
    day = 86400.0
    return so_far.total_seconds() / day, (compared.end - compared.start).total_seconds() / day


def comparison_view(data: dict[str, Any], fmt: Formatter) -> ComparisonView | None:
    """The comparison of one report, or None when it has no compared period."""
    windows = data.get("windows") or {}
    compared = windows.get("compared")
    totals = (data.get("responses") or {}).get("totals") or {}
    if not isinstance(compared, dict) or not isinstance(totals.get("compared"), dict):
        return None
    name = _name(compared)
    decision = _decision(data)
    whole = as_window(compared)
    span = f" ({days_text(whole, fmt)})" if whole else ""
    if decision is None:  # all-time on either side: nothing to measure a length by
        note = (
            f"The change is not judged: {name} or this report covers all time, "
            "so the two have no comparable length."
        )
        return ComparisonView("different-lengths", False, "compared", name.capitalize(), "", note)
    unit = decision.progress.unit if decision.progress else "period"
    if decision.kind == "different-lengths":
        note = (
            f"No verdict: this report's period and {name}{span} differ in length, "
            "so both figures are shown without judging the change."
        )
        lengths = _days(data, decision)
        label = name.capitalize()
        return ComparisonView(decision.kind, False, "compared", label, "", note, lengths)
    if decision.kind == "like-for-like":
        note = f"Compared like for like with {name}{span}."
        return ComparisonView(decision.kind, True, "compared", name.capitalize(), "", note)
    running = decision.progress
    assert running is not None
    to_date = as_window(windows.get("compared_to_date"))
    if decision.kind == "to-date" and isinstance(totals.get("compared_to_date"), dict) and to_date:
        days = days_text(to_date, fmt)
        note = (
            f"This {unit} is in progress ({running.words()}), so it is compared with the same "
            f"span of {name}: {days}. The whole of {name} is shown too."
        )
        label = f"Same span of {name}"
        return ComparisonView("to-date", True, "compared_to_date", label, f"All of {name}", note)
    reason = (
        "as this report asks"
        if decision.kind == "full-period"
        else "fetched before to-date comparisons"
    )
    note = (
        f"This {unit} is in progress ({running.words()}) and is shown against all of {name}{span}, "
        f"{reason}; the change is not judged until the {unit} ends."
    )
    return ComparisonView("full-period", False, "compared", f"All of {name}", "", note)
