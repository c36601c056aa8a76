"""The headline of a status-change page: the few numbers a sales leader reads first.

Chosen per kind (docs/reports.md says so to users):

- **opportunities**: *Won* and *Lost* (opportunities that entered a status of type won or
  lost), *Open pipeline, net change* (ended − started summed over the active statuses; not in
  an overall report, which has no start) and *New opportunities* (created in the period);
- **leads**: *New leads* (created in the period), *Status changes* (moves between two
  statuses) and *Became Customer* (entered the status labelled Customer, Close's default, when
  the organisation has one).

Status types come from the run's pipeline look-up (data.json `names.statuses`); without it
(an older data.json, a failed look-up) a status labelled "Won" or "Lost" stands for its type
and the open pipeline card is left out rather than guessed. Each card is compared with the
compared span like every kind's cards, coloured only when fair and the direction is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from reportrunner.kinds.statuses.answer import StatusAnswer
from reportrunner.kinds.statuses.compared import judgement
from reportrunner.kinds.statuses.flows import changed_total, created_total
from reportrunner.kinds.statuses.subject import Subject
from reportrunner.kinds.statuses.tables import computed_change, signed
from reportrunner.site.compareview import ComparisonView
from reportrunner.site.filters import Formatter
from reportrunner.site.viewmodel import MetricView


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    compute: Callable[[StatusAnswer], float | None]
    up_is_better: bool | None


StatusType = Literal["active", "won", "lost"]
_TYPES: tuple[StatusType, ...] = ("active", "won", "lost")


def _typed(text: Any) -> StatusType | None:
    for kind in _TYPES:
        if text == kind:
            return kind
    return None


def status_types(names: Any, answer: StatusAnswer) -> dict[str, StatusType]:
    """Status id → its type from the run's names, else from a "Won"/"Lost" label."""
    known = names.get("statuses") if isinstance(names, Mapping) else None
    types: dict[str, StatusType] = {}
    for status_id, entry in (known or {}).items():
        kind = _typed(entry.get("type")) if isinstance(entry, Mapping) else None
        if kind is not None:
            types[str(status_id)] = kind
    if any(row.status.id in types for row in answer.statuses):
        return types
    found: dict[str, StatusType] = {}
    for row in answer.statuses:
        kind = _typed(row.status.label.casefold())
        if kind in ("won", "lost"):
            found[row.status.id] = kind
    return found


def _entered(answer: StatusAnswer, ids: set[str]) -> float | None:
    values = [row.values.get("entered") for row in answer.statuses if row.status.id in ids]
    numbers = [value for value in values if value is not None]
    return sum(numbers) if numbers else (0 if not values else None)


def _net(answer: StatusAnswer, ids: set[str]) -> float | None:
    changes = [computed_change(row) for row in answer.statuses if row.status.id in ids]
    numbers = [change for change in changes if change is not None]
    return sum(numbers) if numbers and len(numbers) == len(changes) else None


def _labelled(answer: StatusAnswer, label: str) -> set[str]:
    return {row.status.id for row in answer.statuses if row.status.label.casefold() == label}


def figures(subject: Subject, base: StatusAnswer, types: Mapping[str, StatusType]) -> list[Figure]:
    """The headline figures of one report (which exist depends on its statuses)."""
    created = Figure(
        "created", f"New {subject.plural}", lambda a: created_total(a.transitions), True
    )
    if subject.name == "lead":
        found = [
            created,
            Figure("moves", "Status changes", lambda a: changed_total(a.transitions), None),
        ]
        customer = _labelled(base, "customer")
        if customer:
            found.append(
                Figure("customer", "Became Customer", lambda a: _entered(a, customer), True)
            )
        return found
    won = {key for key, kind in types.items() if kind == "won"}
    lost = {key for key, kind in types.items() if kind == "lost"}
    active = {key for key, kind in types.items() if kind == "active"}
    found = []
    if won:
        found.append(Figure("won", "Won", lambda a: _entered(a, won), True))
    if lost:
        found.append(Figure("lost", "Lost", lambda a: _entered(a, lost), False))
    if active and _net(base, active) is not None:
        found.append(
            Figure("open_change", "Open pipeline, net change", lambda a: _net(a, active), None)
        )
    found.append(created)
    return found


def directions(
    subject: Subject, base: StatusAnswer, types: Mapping[str, StatusType]
) -> dict[str, bool]:
    """Status id → whether more entries are better (won, Customer) or worse (lost)."""
    if subject.name == "lead":
        return dict.fromkeys(_labelled(base, "customer"), True)
    return {key: kind == "won" for key, kind in types.items() if kind in ("won", "lost")}


def _delta(value: float | None, compared: float | None, key: str, fmt: Formatter) -> str:
    """The change as every kind words it; a net change (which may cross zero) without a
    percentage: from +1 to −2 is "down 3", not "down 300%"."""
    text = fmt.delta(value, compared, "count")
    if key != "open_change" or value is None or compared is None or value == compared:
        return text
    arrow, word = ("▲", "up") if value > compared else ("▼", "down")
    return f"{arrow} {word} {fmt.count(abs(value - compared))}"


def _signed(value: float | None, fmt: Formatter, key: str) -> str:
    return signed(value, fmt) if key == "open_change" else fmt.count(value)


def cards(
    chosen: list[Figure],
    base: StatusAnswer,
    against: StatusAnswer | None,
    full: StatusAnswer | None,
    versus: ComparisonView | None,
    fmt: Formatter,
) -> list[MetricView]:
    """One card per figure: its value, and with a comparison the compared value and change."""
    found = []
    for figure in chosen:
        value = figure.compute(base)
        compared = figure.compute(against) if against is not None and versus else None
        whole = figure.compute(full) if full is not None and versus and versus.full_label else None
        direction, verdict = "none", "none"
        if versus is not None and value is not None and compared is not None:
            diff = value - compared
            direction = "flat" if diff == 0 else ("up" if diff > 0 else "down")
            verdict = judgement(diff, versus, figure.up_is_better)
        shown = versus is not None and versus.kind != "different-lengths"
        found.append(
            MetricView(
                key=figure.key,
                label=figure.label,
                kind="count",
                value=value,
                compared=compared,
                text=_signed(value, fmt, figure.key),
                compared_text=_signed(compared, fmt, figure.key) if versus else "",
                delta_text=_delta(value, compared, figure.key, fmt) if shown else "",
                direction=direction,
                judgement=verdict,
                full_text=_signed(whole, fmt, figure.key) if versus and versus.full_label else "",
            )
        )
    return found
