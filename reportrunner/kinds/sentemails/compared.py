"""What a sent e-mails page says about its comparison, and whether a change may be judged.

The plan (kinds/dated.py) already decided with `reportrunner.comparison` which answer the
report may fairly be judged against and wrote it as `judged_against` in data.json:
"compared" (two complete periods), "compared_to_date" (a running period: its complete days
so far against the same days of the compared period) or null (the period's first day, or
periods of different lengths). A data.json without the field (hand-made, older) is decided
here with the same rules on its windows. The names of the compared period come from the
spec's `compare:` ("the previous period", "the same days last month").
"""

from __future__ import annotations

from typing import Any

from reportrunner.comparison import decide
from reportrunner.fetch.plan import as_window
from reportrunner.kinds.periods import compare_words, span_words
from reportrunner.site.compareview import ComparisonView, days_text
from reportrunner.site.filters import Formatter
from reportrunner.windows import Progress, parse_rfc3339, progress


def answers(data: dict[str, Any]) -> dict[str, Any]:
    """`responses.sent_emails` of a data.json: role → answer (only objects kept)."""
    found = (data.get("responses") or {}).get("sent_emails") or {}
    return {role: answer for role, answer in found.items() if isinstance(answer, dict)}


def whole_period(data: dict[str, Any]) -> dict[str, Any] | None:
    """The report's whole period: `windows.period` when the base covers only its first days."""
    windows = data.get("windows") or {}
    for name in ("period", "report"):
        window = windows.get(name)
        if isinstance(window, dict):
            return window
    return None


def period_progress(data: dict[str, Any]) -> Progress | None:
    """How far the report's whole period was at `fetched_at` (None: over, or no dates)."""
    period = whole_period(data) or {}
    whole = as_window(period)
    if whole is None:
        return None
    relative = period.get("value") if period.get("kind") == "relative" else None
    return progress(whole, parse_rfc3339(str(data["fetched_at"])), relative)


def _against(data: dict[str, Any]) -> str | None:
    """The role the change is judged against, or None (not fairly comparable)."""
    if "judged_against" in data:
        role = data["judged_against"]
        return role if role in ("compared", "compared_to_date") else None
    windows = data.get("windows") or {}
    report, compared = windows.get("report") or {}, windows.get("compared")
    base, whole = as_window(report), as_window(compared)
    if base is None or whole is None:
        return None
    relative = report.get("value") if report.get("kind") == "relative" else None
    fetched = parse_rfc3339(str(data["fetched_at"]))
    decision = decide(base, whole, fetched, relative=relative)
    return "compared" if decision.kind == "like-for-like" else None


def sent_comparison(data: dict[str, Any], fmt: Formatter) -> ComparisonView | None:
    """The comparison of one sent e-mails data.json, or None without a compared answer."""
    windows = data.get("windows") or {}
    found = answers(data)
    compared = windows.get("compared")
    whole = as_window(compared) if isinstance(compared, dict) else None
    if whole is None or "compared" not in found:
        return None
    assert isinstance(compared, dict)
    mode = str(compared.get("value") or "previous-period")
    name = compare_words(mode)
    label = name.removeprefix("the ").capitalize()  # "Previous period: 1,204"
    span = f" ({days_text(whole, fmt)})"
    role = _against(data)
    if role == "compared":
        return ComparisonView(
            "like-for-like",
            True,
            "compared",
            label,
            "",
            f"Compared like for like with {name}{span}.",
        )
    to_date = as_window(windows.get("compared_to_date"))
    if role == "compared_to_date" and "compared_to_date" in found and to_date is not None:
        report = as_window(windows.get("report"))
        days = days_text(report, fmt) if report else "its complete days"
        source = span_words(mode)  # "last month": "all of the same days last month" is a knot
        running = period_progress(data)
        unit = running.unit if running else "period"
        note = (
            f"This {unit} is in progress, so its complete days so far ({days}) are compared "
            f"with the same days of {source}: {days_text(to_date, fmt)}. "
            f"All of {source} is shown too."
        )
        return ComparisonView(
            "to-date", True, "compared_to_date", f"Same days of {source}", f"All of {source}", note
        )
    period = whole_period(data) or {}
    base = as_window(period)
    relative = period.get("value") if period.get("kind") == "relative" else None
    fetched = parse_rfc3339(str(data["fetched_at"]))
    running = progress(base, fetched, relative) if base else None
    if running is not None:
        why = (
            "as this report asks"
            if data.get("comparison") == "full-period"
            else "as it has no complete day yet"
        )
        note = (
            f"This {running.unit} is in progress ({running.words()}) and is shown against all "
            f"of {name}{span}, {why}; the change is not judged until the {running.unit} ends."
        )
        return ComparisonView("full-period", False, "compared", f"All of {name}", "", note)
    note = (
        f"No verdict: this report's period and {name}{span} differ in length, "
        "so both figures are shown without judging the change."
    )
    return ComparisonView("different-lengths", False, "compared", label, "", note)
