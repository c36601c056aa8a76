"""The CSV of a sent e-mails report and the notes saying where Close's numbers disagree.

report.csv has one row per template in the page's order (ranked, then the templates with no
sends now), then the "All Emails" total line: raw counts as Close sent them, rates as 0..1
ratios computed from the counts (4 decimals; empty without sends), Close's own rounded
percentages beside them for checking, and with a comparison the compared counts, the rate
changes in percentage points and the flags.
"""

from __future__ import annotations

from typing import Any

from reportrunner.kinds.sentemails.rows import TemplateRow, TemplateTable
from reportrunner.kinds.sentemails.stats import Answer, Stats
from reportrunner.site.csvtables import CsvTable

HEADER = [
    "rank", "status", "template_id", "template_name", "shared",
    "sent", "opened", "replied", "open_rate", "reply_rate",
    "close_percentage_opened", "close_percentage_replied",
]  # fmt: skip
COMPARED = [
    "compared_sent", "compared_opened", "compared_replied",
    "compared_open_rate", "compared_reply_rate",
    "open_rate_change_points", "reply_rate_change_points", "flags",
]  # fmt: skip
#: A rounded percentage further than this from the counts' rate (in points) "disagrees".
TOLERANCE = 1.0


def _ratio(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def _points(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round((now - before) * 100, 1)


def _cells(row: TemplateRow, status: str, compared: bool) -> list[Any]:
    now, before = row.stats, row.before
    cells: list[Any] = [
        row.rank, status, row.template_id, row.name, row.shared_text,
        now.sent if now else 0, now.opened if now else 0, now.replied if now else 0,
        _ratio(now.open_rate if now else None), _ratio(now.reply_rate if now else None),
        now.close_opened if now else None, now.close_replied if now else None,
    ]  # fmt: skip
    if compared:
        cells += [
            before.sent if before else None, before.opened if before else None,
            before.replied if before else None,
            _ratio(before.open_rate if before else None),
            _ratio(before.reply_rate if before else None),
            _points(now.open_rate if now else None, before.open_rate if before else None),
            _points(now.reply_rate if now else None, before.reply_rate if before else None),
            "; ".join(row.flags),
        ]  # fmt: skip
    return cells


def templates_csv(table: TemplateTable, total: TemplateRow | None, compared: bool) -> CsvTable:
    """report.csv: the templates in page order, then the total line."""
    header = HEADER + (COMPARED if compared else [])
    rows = [_cells(row, row.status, compared) for row in table.ranked]
    rows += [_cells(row, "no sends now", compared) for row in table.gone]
    if total is not None:
        rows.append(_cells(total, "total", compared))
    return CsvTable(header, rows)


def _quoted(row: Stats) -> str:
    return f"“{row.name[:60]}”"


def notes(answer: Answer, total: Stats | None) -> list[str]:
    """Sentences for the page when Close's rows contradict themselves or each other."""
    found = []
    rows = ([answer.overall] if answer.overall else []) + answer.templates
    odd = [row for row in rows if row.contradicts]
    if odd:
        first = odd[0]
        found.append(
            f"Close's counts contradict each other in {len(odd)} row(s) (e.g. {_quoted(first)}: "
            f"{first.opened:,} opened and {first.replied:,} replied of {first.sent:,} sent), "
            "so no rate is shown where a count is larger than the sends."
        )
    disagree = []
    for row in rows:
        for mine, theirs, what in (
            (row.open_rate, row.close_opened, "opened"),
            (row.reply_rate, row.close_replied, "replied"),
        ):
            if mine is not None and theirs is not None and abs(mine * 100 - theirs) > TOLERANCE:
                disagree.append((row, what, mine, theirs))
                break
    if disagree:
        row, what, mine, theirs = disagree[0]
        found.append(
            f"Close's rounded percentages disagree with its counts in {len(disagree)} row(s) "
            f"(e.g. {_quoted(row)}: Close says {theirs:g}% {what}, the counts give "
            f"{mine * 100:.1f}%). Every rate on this page is computed from the counts."
        )
    if answer.overall is None and answer.templates:
        found.append(
            "Close sent no “All Emails” row: the totals are the sum of the templates, "
            "without e-mails sent without a template."
        )
    elif answer.overall is not None and total is not None:
        templated = sum(row.sent for row in answer.templates)
        if templated < total.sent:
            found.append(
                f"{total.sent - templated:,} of the {total.sent:,} e-mails sent used no template: "
                "they count in the total line only."
            )
        elif templated > total.sent:
            found.append(
                f"The templates' sends add up to {templated:,}, more than the {total.sent:,} of "
                "“All Emails”: Close's rows disagree; both are shown as Close sent them."
            )
    return found
