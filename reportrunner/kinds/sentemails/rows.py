"""The template table: templates ranked by sends, their rates, and their change with flags.

A template's row compares it with the same template (by id, or by name for a row without one)
in the answer the report is judged against. A template only in this period is "new"; one that
had sends in the compared period and none now is listed apart ("no sends now"), with its
earlier figures. Rate changes are in percentage points with a real minus sign, and a rate is
flagged as fallen only by `stats.rate_verdict` (enough sends, a large enough and more than
chance move, fair periods).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reportrunner.escaping import plain_text
from reportrunner.kinds.sentemails.stats import Answer, Stats, Verdict, rate_verdict
from reportrunner.site.filters import Formatter

MINUS = "\u2212"
#: No rate (no sends), as the pages write it.
NO_RATE = "—"
_JUDGEMENT = {"fell": "worse", "rose": "better"}
Status = Literal["ranked", "new", "gone"]


def signed(value: float, text: str) -> str:
    """ "+12", "−3" (real minus sign) or "0": the sign of `value` before its formatted size."""
    if value > 0:
        return "+" + text
    return MINUS + text if value < 0 else text


def rate_text(rate: float | None, fmt: Formatter) -> str:
    return NO_RATE if rate is None else fmt.percent(rate)


def points_text(now: float | None, before: float | None, fmt: Formatter) -> str:
    """The signed change of a rate in percentage points ("−5.2 pts"), "—" without both."""
    if now is None or before is None:
        return NO_RATE
    diff = (now - before) * 100
    return signed(round(diff, 1), fmt.number(abs(diff), 1)) + " pts"


@dataclass(frozen=True)
class Judging:
    """How the rows are compared with the compared period."""

    compared: bool = False  # there is a compared answer
    fair: bool = False  # a change may be judged (compared.py, reportrunner.comparison)
    #: Sends of the two periods may be set side by side (False: different lengths; rates,
    #: being per e-mail, still are).
    counts: bool = True


NOT_COMPARED = Judging()


@dataclass(frozen=True)
class RateCell:
    text: str  # "42.0%" or "—"
    change: str  # "+3.1 pts", "−6.0 pts", "—"; "" without a comparison
    verdict: Verdict

    @property
    def judgement(self) -> str:
        """better | worse | none: the colour, only for a judged move."""
        return _JUDGEMENT.get(self.verdict, "none")

    @property
    def why_not(self) -> str:
        """Why a change is not judged, in two words ("few sends"), or ""."""
        return "few sends" if self.verdict == "few-sends" else ""


@dataclass(frozen=True)
class TemplateRow:
    key: str
    name: str
    template_id: str
    shared_text: str  # "shared" | "personal" | ""
    status: Status
    rank: int | None
    stats: Stats | None  # this period (None: no row now)
    before: Stats | None  # the compared period's row (None: none, or no comparison)
    sent_text: str
    sent_change: str  # "+12", "−3", "new", "" without a comparison
    opened: RateCell
    replied: RateCell
    flags: list[str] = field(default_factory=list)  # "Open rate fell", "Reply rate fell"
    #: The compared period's sends, open and reply rate ("" without a compared row).
    then: tuple[str, str, str] = ("", "", "")

    @property
    def anchor(self) -> str:
        return "template-" + "".join(c if c.isalnum() else "-" for c in self.key)[:80]


def _shared(row: Stats) -> str:
    return "" if row.shared is None else ("shared" if row.shared else "personal")


def _cell(
    now: Stats | None,
    before: Stats | None,
    which: Literal["opened", "replied"],
    fmt: Formatter,
    judging: Judging,
) -> RateCell:
    rate = None if now is None else (now.open_rate if which == "opened" else now.reply_rate)
    if not judging.compared:
        return RateCell(rate_text(rate, fmt), "", "none")
    old = None if before is None else (before.open_rate if which == "opened" else before.reply_rate)
    verdict: Verdict = "none"
    if now is not None and before is not None:
        count = now.opened if which == "opened" else now.replied
        old_count = before.opened if which == "opened" else before.replied
        verdict = rate_verdict(count, now.sent, old_count, before.sent, fair=judging.fair)
    return RateCell(rate_text(rate, fmt), points_text(rate, old, fmt), verdict)


def template_row(
    now: Stats | None,
    before: Stats | None,
    fmt: Formatter,
    judging: Judging,
    *,
    status: Status = "ranked",
    rank: int | None = None,
) -> TemplateRow:
    """One row of the table (also the "All Emails" total line, with `rank` None)."""
    row = now or before
    assert row is not None
    sent = now.sent if now else 0
    change = ""
    if judging.compared:
        if before is None or (before.sent == 0 and sent > 0):
            change = "new"
        elif judging.counts:
            change = signed(sent - before.sent, fmt.count(abs(sent - before.sent)))
    opened = _cell(now, before, "opened", fmt, judging)
    replied = _cell(now, before, "replied", fmt, judging)
    flags = [
        f"{label} rate fell"
        for label, cell in (("Open", opened), ("Reply", replied))
        if cell.verdict == "fell"
    ]
    return TemplateRow(
        key=row.key,
        name=plain_text(row.name) or "(no name)",
        template_id=row.template_id or "",
        shared_text=_shared(row),
        status="new" if change == "new" and status == "ranked" else status,
        rank=rank,
        stats=now,
        before=before,
        sent_text=fmt.count(sent),
        sent_change=change,
        opened=opened,
        replied=replied,
        flags=flags,
        then=(
            (
                fmt.count(before.sent),
                rate_text(before.open_rate, fmt),
                rate_text(before.reply_rate, fmt),
            )
            if before
            else ("", "", "")
        ),
    )


@dataclass(frozen=True)
class TemplateTable:
    ranked: list[TemplateRow]  # sends now, most first
    gone: list[TemplateRow]  # sends in the compared period, none now
    idle: list[str]  # names of templates without sends in either period


def template_table(
    answer: Answer, against: Answer | None, fmt: Formatter, judging: Judging
) -> TemplateTable:
    """Every template of this period ranked by sends (then by name), and those gone quiet."""
    before = against.by_key() if against else {}
    active = sorted(
        (row for row in answer.templates if row.sent > 0),
        key=lambda row: (-row.sent, row.name.casefold(), row.key),
    )
    ranked = [
        template_row(row, before.get(row.key), fmt, judging, rank=rank)
        for rank, row in enumerate(active, start=1)
    ]
    now = answer.by_key()
    quiet = [row for row in (against.templates if against else []) if row.sent > 0]
    gone = [
        template_row(now.get(row.key), row, fmt, judging, status="gone")
        for row in sorted(quiet, key=lambda row: (-row.sent, row.name.casefold()))
        if now.get(row.key) is None or now[row.key].sent == 0
    ]
    gone_keys = {row.key for row in gone}
    idle = [
        plain_text(row.name)
        for row in answer.templates
        if row.sent == 0 and row.key not in gone_keys
    ]
    return TemplateTable(ranked, gone, idle)
