"""The transitions of a status-change page as a ranked flow: from → to, count, and a bar.

Close lists each move between two statuses (`status_transitions`, a record that went A→B→C
counts twice) and the moves summarised from the status at the start to the status at the end
(`status_transitions_summary`, A→C once). Both read as a list ranked by count, the largest
first, each with a bar as long as its share of the largest; a record created in the period
comes from "New". The first `TOP` rows are the flow; every row is in the full table below it
and in transitions CSV columns of report.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportrunner.kinds.statuses.answer import Move
from reportrunner.kinds.statuses.tables import status_name
from reportrunner.site.csvtables import CsvTable
from reportrunner.site.filters import Formatter

#: Transitions drawn as the flow; the rest are behind "every transition".
TOP = 10
NEW = "New"


@dataclass(frozen=True)
class FlowRow:
    rank: int
    source: str  # "New" for records created in the period
    created: bool
    target: str
    source_id: str  # "" for a record created in the period
    target_id: str
    count: float
    text: str
    share_text: str  # of all moves in the list: "23%"
    bar: str  # width of the bar against the largest row: "64.0%"


def flow_rows(moves: Sequence[Move], fmt: Formatter) -> list[FlowRow]:
    """Every move ranked by count (ties share a rank and keep Close's order)."""
    ordered = sorted(moves, key=lambda move: -move.count)  # stable: Close's order within ties
    total = sum(move.count for move in ordered)
    largest = ordered[0].count if ordered else 0
    rows: list[FlowRow] = []
    for place, move in enumerate(ordered, start=1):
        tied = rows and rows[-1].count == move.count
        rows.append(
            FlowRow(
                rank=rows[-1].rank if tied else place,
                source=NEW if move.source is None else status_name(move.source),
                created=move.source is None,
                target=status_name(move.target),
                source_id="" if move.source is None else move.source.id,
                target_id=move.target.id,
                count=move.count,
                text=fmt.count(move.count),
                share_text=fmt.percent(move.count / total, 0) if total else "—",
                bar=f"{100 * move.count / largest:.1f}%" if largest else "0.0%",
            )
        )
    return rows


def transitions_csv(moves: Sequence[FlowRow], summary: Sequence[FlowRow]) -> CsvTable:
    """transitions.csv: every move (`list` "transitions") then Close's start-to-end summary
    (`list` "summary"), ranked; a record created in the period has an empty from_status_id."""
    header = ["list", "rank", "from_status_id", "from_status_label", "to_status_id"]
    header += ["to_status_label", "count"]
    rows = [
        [name, row.rank, row.source_id, row.source, row.target_id, row.target, row.count]
        for name, rows in (("transitions", moves), ("summary", summary))
        for row in rows
    ]
    return CsvTable(header, rows)


def created_total(moves: Sequence[Move]) -> float:
    """Records created in the period (moves from nothing)."""
    return sum(move.count for move in moves if move.source is None)


def changed_total(moves: Sequence[Move]) -> float:
    """Moves between two statuses (creations left out)."""
    return sum(move.count for move in moves if move.source is not None)
