"""What a status-change page says about its comparison, by the rules every kind shares.

`reportrunner.comparison.decide` judges the report's window against the compared one at the
time of the fetch (like for like, to date, different lengths); this module turns that decision
into the `ComparisonView` the shared headline partial shows, in the activity pages' words, and
compares each status's entries and net change with the compared span (`versus.role`: the
whole compared period, or its same span to date while this period runs). A change is coloured
only when the comparison is judged fair and the status's direction is known (an opportunity
status of type won or lost); every other change keeps its sign and words, uncoloured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reportrunner.comparison import decide
from reportrunner.fetch.plan import as_window
from reportrunner.kinds.activity.periods import compare_words, span_words
from reportrunner.kinds.statuses.answer import StatusAnswer
from reportrunner.kinds.statuses.tables import StatusRow, computed_change, signed
from reportrunner.site.compareview import ComparisonView, days_text
from reportrunner.site.filters import Formatter
from reportrunner.windows import parse_rfc3339


@dataclass(frozen=True)
class CompareRow:
    id: str
    label: str
    entered: str
    compared_entered: str
    entered_change: str  # "▲ up 5 (12%)", "= no change"
    judgement: str  # better | worse | same | none
    change: str  # this period's net change, signed
    compared_change: str


def statuses_comparison(
    data: dict[str, Any], endpoint: str, fmt: Formatter
) -> ComparisonView | None:
    """The comparison of one status-change data.json, or None without a compared answer."""
    windows = data.get("windows") or {}
    answers = (data.get("responses") or {}).get(endpoint) or {}
    compared = windows.get("compared")
    if not isinstance(compared, dict) or not isinstance(answers.get("compared"), dict):
        return None
    mode = str(compared.get("value") or data.get("compare") or "previous-period")
    name = compare_words(mode)
    report = windows.get("report") or {}
    base, whole = as_window(report), as_window(compared)
    if base is None or whole is None:
        return None
    relative = report.get("value") if report.get("kind") == "relative" else None
    decision = decide(base, whole, parse_rfc3339(str(data["fetched_at"])), relative=relative)
    span = f" ({days_text(whole, fmt)})"
    label = name.removeprefix("the ").capitalize()
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
        source = span_words(mode)
        note = (
            f"This {running.unit} is in progress ({running.words()}), so it is compared with "
            f"the same span of {source}: {days_text(to_date, fmt)}. All of {name} is shown too."
        )
        return ComparisonView(
            "to-date", True, "compared_to_date", f"Same span of {source}", f"All of {name}", note
        )
    note = (
        f"This {running.unit} is in progress ({running.words()}) and is shown against all of "
        f"{name}{span}; the change is not judged until the {running.unit} ends."
    )
    return ComparisonView("full-period", False, "compared", f"All of {name}", "", note)


def judgement(diff: float, versus: ComparisonView, up_is_better: bool | None) -> str:
    """better | worse | same, only for a fair comparison of a figure whose direction is known."""
    if not versus.judged or up_is_better is None:
        return "none"
    if diff == 0:
        return "same"
    return "better" if (diff > 0) == up_is_better else "worse"


def compare_rows(
    rows: list[StatusRow],
    against: StatusAnswer,
    versus: ComparisonView,
    directions: Mapping[str, bool],
    fmt: Formatter,
) -> list[CompareRow]:
    """Each status's entries and net change beside the compared span's (n/a when absent)."""
    found = []
    for row in rows:
        before = against.counts_of(row.id)
        entered = row.raw.get("entered")
        was = before.values.get("entered") if before else None
        card = "" if versus.kind == "different-lengths" else fmt.delta(entered, was, "count")
        verdict = "none"
        if entered is not None and was is not None:
            verdict = judgement(entered - was, versus, directions.get(row.id))
        found.append(
            CompareRow(
                id=row.id,
                label=row.label,
                entered=fmt.count(entered),
                compared_entered=fmt.count(was),
                entered_change=card,
                judgement=verdict,
                change=signed(row.raw.get("change"), fmt) if "change" in row.raw else "",
                compared_change=signed(computed_change(before), fmt) if before else fmt.count(None),
            )
        )
    return found
