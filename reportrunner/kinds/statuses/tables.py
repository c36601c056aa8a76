"""The per-status table of a status-change page, and its CSV: one row per status.

Each row shows Close's counts (started, entered, left, gained, lost, ended) and the net change
with its sign. The change and its percentage are computed from the counts (`ended − started`,
of `started`), never taken from Close blindly: when Close's `change` or `change_percent`
disagrees with its own counts, the row shows the computed figure and the page says so in
`notes`. A status that had no records at the start has no percentage ("new" when it gained
some). Columns are the fields the answer has: an overall report omits started, gained, lost and
the change, and so does the table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportrunner.kinds.statuses.answer import FIELDS, Status, StatusAnswer, StatusCounts
from reportrunner.site.csvtables import CsvTable
from reportrunner.site.filters import Formatter

MINUS = "\u2212"  # a real minus sign, as wide as the plus
LABELS = {
    "started": "Started",
    "entered": "Entered",
    "left": "Left",
    "gained": "Gained",
    "lost": "Lost",
    "ended": "Ended",
    "change": "Net change",
}
#: What each column means, for the page's legend (Close's definitions, shortened).
MEANINGS = {
    "started": "in the status when the period started",
    "entered": "moved into it (or were created in it) during the period",
    "left": "moved out of it during the period",
    "gained": "in it at the end but not at the start",
    "lost": "in it at the start but not at the end",
    "ended": "in it when the period ended",
    "change": "ended minus started",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    meaning: str


@dataclass(frozen=True)
class StatusRow:
    id: str
    name: str  # Close's label
    deleted: bool
    raw: dict[str, float | None]  # FIELDS present in the answer; `change` computed
    text: dict[str, str]
    percent: float | None  # change ÷ started, None without a start
    percent_text: str  # "+4%", "−9%", "new", "—"

    @property
    def label(self) -> str:
        """The label as the page shows it, "(deleted)" when Close says so."""
        return f"{self.name} (deleted)" if self.deleted else self.name

    @property
    def anchor(self) -> str:
        """A stable fragment for this status's row: `status-<id without stat_>`."""
        return "status-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.id.removeprefix("stat_"))


def signed(value: float | None, fmt: Formatter) -> str:
    """+77, −23 or 0 (n/a when unknown): the sign always written, with a real minus."""
    if value is None:
        return fmt.count(None)
    if value == 0:
        return "0"
    return ("+" if value > 0 else MINUS) + fmt.count(abs(value))


def signed_percent(ratio: float | None, fmt: Formatter) -> str:
    if ratio is None:
        return "—"
    if ratio == 0:
        return fmt.percent(0, 0)
    # Under 10% one decimal, so +5 of 1,963 reads +0.3%, not a flat-looking 0%.
    digits = 1 if abs(ratio) < 0.1 else 0
    return ("+" if ratio > 0 else MINUS) + fmt.percent(abs(ratio), digits)


def status_name(status: Status) -> str:
    """A status as a page names it: its label, marked when Close says it was deleted."""
    return f"{status.label} (deleted)" if status.deleted else status.label


def columns(answer: StatusAnswer) -> list[Column]:
    """The fields at least one status has, in FIELDS order; the change needs both ends."""
    present = {name for row in answer.statuses for name in row.values}
    if {"started", "ended"} <= present:
        present.add("change")
    else:
        present.discard("change")
    return [Column(key, LABELS[key], MEANINGS[key]) for key in FIELDS if key in present]


def computed_change(row: StatusCounts) -> float | None:
    started, ended = row.values.get("started"), row.values.get("ended")
    return None if started is None or ended is None else ended - started


def _percent(row: StatusCounts, change: float | None) -> tuple[float | None, str]:
    started = row.values.get("started")
    if change is None or started is None:
        return None, "—"
    if started == 0:
        return None, "new" if change > 0 else "—"
    return change / started, ""


def status_rows(answer: StatusAnswer, shown: Sequence[Column], fmt: Formatter) -> list[StatusRow]:
    """One row per status, in Close's order (the organisation's own order of statuses)."""
    rows = []
    for counts in answer.statuses:
        change = computed_change(counts)
        raw = {column.key: counts.values.get(column.key) for column in shown}
        if "change" in raw:
            raw["change"] = change
        ratio, words = _percent(counts, change)
        text = {
            key: signed(value, fmt) if key == "change" else fmt.count(value)
            for key, value in raw.items()
        }
        rows.append(
            StatusRow(
                id=counts.status.id,
                name=counts.status.label,
                deleted=counts.status.deleted,
                raw=raw,
                text=text,
                percent=ratio,
                percent_text=words or signed_percent(ratio, fmt),
            )
        )
    return rows


def disagreements(answer: StatusAnswer, fmt: Formatter) -> list[str]:
    """Where Close's own change figures contradict its counts, in a reader's words."""
    notes = []
    for counts in answer.statuses:
        name = status_name(counts.status)
        change = computed_change(counts)
        told = counts.values.get("change")
        if change is not None and told is not None and told != change:
            notes.append(
                f"{name}: Close's net change ({signed(told, fmt)}) is not ended − started "
                f"({signed(change, fmt)}); the page shows ended − started."
            )
        started = counts.values.get("started")
        if change is not None and started and counts.change_percent is not None:
            exact = 100 * change / started
            if abs(exact - counts.change_percent) > 1:  # Close rounds to whole percents
                notes.append(
                    f"{name}: Close's change of {counts.change_percent:g}% does not match its "
                    f"counts ({signed_percent(change / started, fmt)}); the page shows the "
                    "percentage computed from the counts."
                )
        gained, lost, ended = (counts.values.get(key) for key in ("gained", "lost", "ended"))
        if None not in (started, gained, lost, ended):
            assert started is not None and gained is not None and lost is not None
            if started + gained - lost != ended:
                notes.append(
                    f"{name}: started + gained − lost is not ended in Close's answer; "
                    "its counts are shown as Close sent them."
                )
    return notes


def statuses_csv(rows: Sequence[StatusRow], shown: Sequence[Column]) -> CsvTable:
    """report.csv: one row per status, Close's counts, the computed change and its ratio."""
    header = ["status_id", "status_label", "status_is_deleted", *(c.key for c in shown)]
    has_change = any(c.key == "change" for c in shown)
    if has_change:
        header.append("change_ratio")
    body = []
    for row in rows:
        line: list[object] = [row.id, row.name, row.deleted]
        line += [row.raw.get(c.key) for c in shown]
        if has_change:
            line.append(None if row.percent is None else round(row.percent, 4))
        body.append(line)
    return CsvTable(header, body)
