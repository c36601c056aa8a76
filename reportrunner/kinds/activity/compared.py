"""What an activity page says about its comparison, in the funnel's words and by its rules.

`reportrunner.comparison.decide` judges the two windows (like for like, to date, different
lengths) at the time the data was fetched; this module turns that decision into the
`ComparisonView` the shared headline partial shows. The compared period's name comes from the
spec's `compare:` ("the previous period", "the same days last month").
"""

from __future__ import annotations

from typing import Any

from reportrunner.comparison import decide
from reportrunner.fetch.plan import as_window
from reportrunner.kinds.periods import compare_words, span_words
from reportrunner.site.compareview import ComparisonView, days_text
from reportrunner.site.filters import Formatter
from reportrunner.windows import parse_rfc3339


def activity_comparison(data: dict[str, Any], fmt: Formatter) -> ComparisonView | None:
    """The comparison of one activity data.json, or None without a compared answer."""
    windows = data.get("windows") or {}
    answers = (data.get("responses") or {}).get("activity") or {}
    compared = windows.get("compared")
    if not isinstance(compared, dict) or not isinstance(answers.get("compared"), dict):
        return None
    mode = str(compared.get("value") or "previous-period")
    name = compare_words(mode)
    report = windows.get("report") or {}
    base, whole = as_window(report), as_window(compared)
    if base is None or whole is None:
        return None
    relative = report.get("value") if report.get("kind") == "relative" else None
    decision = decide(base, whole, parse_rfc3339(str(data["fetched_at"])), relative=relative)
    span = f" ({days_text(whole, fmt)})"
    label = name.removeprefix("the ").capitalize()  # "Same days last month: 270"
    if decision.kind == "different-lengths":
        note = (
            f"No verdict: this report's period and {name}{span} differ in length, "
            "so both figures are shown without judging the change."
        )
        return ComparisonView(decision.kind, False, "compared", label, "", note)
    if decision.kind == "like-for-like":
        note = f"Compared like for like with {name}{span}."
        return ComparisonView(decision.kind, True, "compared", label, "", note)
    running = decision.progress
    assert running is not None
    to_date = as_window(windows.get("compared_to_date"))
    if isinstance(answers.get("compared_to_date"), dict) and to_date is not None:
        source = span_words(mode)  # "last month": "the same span of the same days…" is a knot
        note = (
            f"This {running.unit} is in progress ({running.words()}), so it is compared with "
            f"the same span of {source}: {days_text(to_date, fmt)}. All of {name} is shown too."
        )
        span_label = f"Same span of {source}"
        whole_label = f"All of {name}"
        return ComparisonView("to-date", True, "compared_to_date", span_label, whole_label, note)
    note = (
        f"This {running.unit} is in progress ({running.words()}) and is shown against all of "
        f"{name}{span}; the change is not judged until the {running.unit} ends."
    )
    return ComparisonView("full-period", False, "compared", f"All of {name}", "", note)
