"""A status-change answer parsed once into typed rows, after shape.py has accepted it.

Templates and tables then read attributes, never `row.get(…)` chains over Close's JSON. A label
is Close's, made one line of plain text; a status without a label is named by its id. A
transition's labels come from the overview when it lists that status, so one status reads the
same everywhere; `source` None is a record created in the period (Close's null `from_*`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportrunner.escaping import plain_text

#: The numbers of one status a page may show, in the order its table shows them:
#: The two stocks, the two moves, what they did to the stock, and the net change; on a phone
#: the table's cards pair them (started | ended, entered | left, gained | lost).
FIELDS = ("started", "ended", "entered", "left", "gained", "lost", "change")


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    deleted: bool


@dataclass(frozen=True)
class StatusCounts:
    status: Status
    #: Close's numbers by FIELDS name; a field Close left out (an overall report) is absent.
    values: dict[str, float | None]
    change_percent: float | None  # Close's own, an integer percent; checked, never shown blindly


@dataclass(frozen=True)
class Move:
    source: Status | None  # None: created in the period
    target: Status
    count: float


@dataclass(frozen=True)
class StatusAnswer:
    statuses: list[StatusCounts]
    transitions: list[Move]
    summary: list[Move]

    def counts_of(self, status_id: str) -> StatusCounts | None:
        for row in self.statuses:
            if row.status.id == status_id:
                return row
        return None


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _status(status_id: Any, label: Any, deleted: Any, known: dict[str, Status]) -> Status:
    ident = plain_text(status_id)
    if ident in known:
        return known[ident]
    return Status(ident, plain_text(label) or ident, deleted is True)


def _moves(rows: Any, known: dict[str, Status]) -> list[Move]:
    found = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or _number(row.get("count")) is None:
            continue
        source = None
        if row.get("from_status_id") is not None:
            source = _status(
                row["from_status_id"],
                row.get("from_status_label"),
                row.get("from_status_is_deleted"),
                known,
            )
        target = _status(
            row.get("to_status_id"),
            row.get("to_status_label"),
            row.get("to_status_is_deleted"),
            known,
        )
        found.append(Move(source, target, row["count"]))
    return found


def parse_answer(answer: Any) -> StatusAnswer:
    """The typed rows of one answer (anything not of the accepted shape is left out)."""
    if not isinstance(answer, dict):
        return StatusAnswer([], [], [])
    statuses = []
    known: dict[str, Status] = {}
    for row in answer.get("status_overview") or []:
        if not isinstance(row, dict) or not isinstance(row.get("status_id"), str):
            continue
        status = _status(
            row["status_id"], row.get("status_label"), row.get("status_is_deleted"), {}
        )
        known.setdefault(status.id, status)
        values = {name: _number(row.get(name)) for name in FIELDS if name in row}
        statuses.append(StatusCounts(status, values, _number(row.get("change_percent"))))
    return StatusAnswer(
        statuses,
        _moves(answer.get("status_transitions"), known),
        _moves(answer.get("status_transitions_summary"), known),
    )
