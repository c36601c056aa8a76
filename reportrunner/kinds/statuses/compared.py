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

from reportrunner.comparison import same_length
from reportrunner.fetch.plan import as_window
from reportrunner.kinds.periods import compare_words, span_words
from reportrunner.kinds.statuses.answer import StatusAnswer
from reportrunner.kinds.statuses.tables import StatusRow, computed_change, signed
from reportrunner.site.compareview import ComparisonView, days_text
from reportrunner.site.filters import Formatter
from reportrunner.windows import Progress, parse_rfc3339, progress


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


def period_window(data: dict[str, Any]) -> dict[str, Any]:
    """The whole named period: `windows.period` while it runs (the base then covers only its
    complete days), else the report's own window."""
    windows = data.get("windows") or {}
    found = windows.get("period") or windows.get("report")
    return found if isinstance(found, dict) else {}


def period_progress(data: dict[str, Any]) -> Progress | None:
    """How far the named period is at `fetched_at` (None when it is over or unbounded)."""
    window = period_window(data)
    bounds = as_window(window)
    if bounds is None:
        return None
    relative = window.get("value") if window.get("kind") == "relative" else None
    return progress(bounds, parse_rfc3339(str(data["fetched_at"])), relative)


def statuses_comparison(
    data: dict[str, Any], endpoint: str, fmt: Formatter
) -> ComparisonView | None:
    """The comparison of one status-change data.json, or None without a compared answer.

    The plan (kinds/dated.py) decided which answer the base may be judged against and wrote
    it as `judged_against`; None means the numbers are shown side by side, not judged.
    """
    windows = data.get("windows") or {}
    answers = (data.get("responses") or {}).get(endpoint) or {}
    compared = windows.get("compared")
    whole = as_window(compared if isinstance(compared, dict) else None)
    if whole is None or not isinstance(answers.get("compared"), dict):
        return None
    assert isinstance(compared, dict)
    mode = str(compared.get("value") or data.get("compare") or "previous-period")
    name = compare_words(mode)
    span = f" ({days_text(whole, fmt)})"
    label = name.removeprefix("the ").capitalize()  # "Previous period: 26"
    against = data.get("judged_against")
    to_date = as_window(windows.get("compared_to_date"))
    report = as_window(windows.get("report"))
    running = period_progress(data)
    has_to_date = isinstance(answers.get("compared_to_date"), dict)
    if against == "compared_to_date" and has_to_date and to_date and report and running:
        source = span_words(mode)
        note = (
            f"This {running.unit} is in progress ({running.words()}): its complete days so far "
            f"({days_text(report, fmt)}) are compared with the same days of {source} "
            f"({days_text(to_date, fmt)}). All of {source} is shown too."
        )
        days = f"Same days of {source}"
        return ComparisonView("to-date", True, "compared_to_date", days, f"All of {source}", note)
    if against == "compared":
        note = f"Compared like for like with {name}{span}."
        return ComparisonView("like-for-like", True, "compared", label, "", note)
    period = as_window(period_window(data))
    if period is not None and not same_length(period, whole):
        note = (
            f"No verdict: this report's period and {name}{span} differ in length, "
            "so both figures are shown without judging the change."
        )
        return ComparisonView("different-lengths", False, "compared", label, "", note)
    if running is not None and running.day == 1:
        reason = "its first day is not over, so no complete day can be compared yet"
    else:
        reason = "the change is not judged until it ends"
    unit = running.unit if running else "period"
    note = f"This {unit} is shown against all of {name}{span}; {reason}."
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
