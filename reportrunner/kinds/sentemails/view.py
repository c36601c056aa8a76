"""What a sent e-mails page shows, computed from one data.json so its templates only print.

The headline has three cards — e-mails sent, open rate, reply rate — from the "All Emails"
row (or, when Close sent none, the sum of the template rows, said as such). With `compare:`
each card has the compared figure and the signed change, coloured only when the periods are
compared fairly (compared.py) and both have enough sends (stats.py). Below: the templates
ranked by sends with their rates and changes, the "All Emails" row as the total line, a flag
for every template whose open or reply rate fell, and the templates that had sends before and
none now. Notes say when Close's counts or rounded percentages disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportrunner import __version__
from reportrunner.kinds.pagehead import page_head
from reportrunner.kinds.sentemails.compared import answers, period_progress, sent_comparison
from reportrunner.kinds.sentemails.rows import (
    NOT_COMPARED,
    Judging,
    TemplateRow,
    template_row,
    template_table,
)
from reportrunner.kinds.sentemails.runs import metric_trends
from reportrunner.kinds.sentemails.stats import (
    MIN_SENDS,
    Stats,
    rate_verdict,
    read_answer,
    sends_verdict,
)
from reportrunner.kinds.sentemails.tables import notes, templates_csv
from reportrunner.kinds.sentemails.words import coverage, filters
from reportrunner.site.charts import TrendChart
from reportrunner.site.compareview import ComparisonView
from reportrunner.site.csvtables import CsvTable
from reportrunner.site.filters import Formatter
from reportrunner.site.viewmodel import MetricView, StageView


@dataclass
class SentEmailsView:
    id: str
    title: str
    description: str
    tags: list[str]
    spec_file: str
    currency: str
    timezone: str
    status: str  # ok | stale
    error: str | None
    status_words: str
    fetched_at: str
    fetched_text: str
    coverage: list[str]
    filters: list[tuple[str, str]]
    comparison: ComparisonView | None
    progress_text: str
    headline: list[MetricView]
    templates: list[TemplateRow]  # ranked by sends
    total: TemplateRow | None  # the "All Emails" line
    gone: list[TemplateRow]
    idle: list[str]
    notes: list[str]
    headline_note: str  # why a fair comparison's headline carries no verdict ("" otherwise)
    trends: list[TrendChart]
    history_runs: int
    csv: CsvTable
    min_sends: int = MIN_SENDS
    files: dict[str, str] = field(default_factory=dict)
    stages: list[StageView] = field(default_factory=list)  # none: the index reads it
    version: str = __version__

    @property
    def has_compared(self) -> bool:
        return self.comparison is not None

    @property
    def against_words(self) -> str:
        """What the changes are against: "the previous period", "the same days of last month"."""
        if self.comparison is None:
            return ""
        label = self.comparison.label  # "Previous period", "Same days of last month", "All of …"
        words = label[:1].lower() + label[1:]
        return words if words.startswith("all of ") else "the " + words

    @property
    def flagged(self) -> list[TemplateRow]:
        """The templates whose open or reply rate fell (judged by stats.rate_verdict)."""
        return [row for row in self.templates if row.flags]


#: A fair comparison whose change is within noise is "chance": the card says "within
#: chance", uncoloured, as the status pages do; "not judged" stays for comparisons that are
#: not fair and for too few sends (the page says why).
_VERDICT_JUDGEMENT = {"fell": "worse", "rose": "better", "steady": "chance"}
_CARDS = (("sent", "E-mails sent"), ("open_rate", "Open rate"), ("reply_rate", "Reply rate"))


def _value(row: Stats | None, key: str) -> float | None:
    if row is None:
        return None
    if key == "sent":
        return row.sent
    return row.open_rate if key == "open_rate" else row.reply_rate


def _judgement(key: str, now: Stats | None, before: Stats | None, fair: bool) -> str:
    """better | worse | chance | none for one card, by the rules of stats.py."""
    if now is None or before is None:
        return "none"
    if key == "sent":
        verdict = sends_verdict(now.sent, before.sent, fair=fair)
    elif key == "open_rate":
        verdict = rate_verdict(now.opened, now.sent, before.opened, before.sent, fair=fair)
    else:
        verdict = rate_verdict(now.replied, now.sent, before.replied, before.sent, fair=fair)
    return _VERDICT_JUDGEMENT.get(verdict, "none")


def _text(value: float | None, kind: str, fmt: Formatter) -> str:
    return "—" if value is None else fmt.metric(value, kind)


def headline(
    now: Stats | None,
    before: Stats | None,
    full: Stats | None,
    versus: ComparisonView | None,
    fmt: Formatter,
) -> list[MetricView]:
    """The three cards: sends, open rate, reply rate (with changes when compared)."""
    fair = versus is not None and versus.judged
    shown = versus is not None and versus.kind != "different-lengths"
    cards = []
    for key, label in _CARDS:
        kind = "count" if key == "sent" else "ratio"
        value, compared = _value(now, key), _value(before, key)
        if key == "sent" and value is None:
            value = 0
        direction, delta = "none", ""
        if versus is not None and value is not None and compared is not None:
            if kind == "ratio":  # to the 0.1 points shown: no "up 0 pts" for 52.51 % → 52.53 %
                value, compared = round(value, 3), round(compared, 3)
            diff = value - compared
            direction = "flat" if diff == 0 else ("up" if diff > 0 else "down")
            delta = fmt.delta(value, compared, kind) if shown else ""
        cards.append(
            MetricView(
                key=key,
                label=label,
                kind=kind,
                value=value,
                compared=compared,
                text=_text(value, kind, fmt),
                compared_text=_text(compared, kind, fmt) if versus else "",
                delta_text=delta,
                direction=direction,
                judgement=_judgement(key, now, before, fair) if versus else "none",
                full_text=_text(_value(full, key), kind, fmt)
                if versus and versus.full_label
                else "",
            )
        )
    return cards


def headline_note(now: Stats | None, before: Stats | None, how: Judging) -> str:
    """A sentence when a fair comparison is too small to judge (few sends on either side)."""
    if not how.fair or now is None or before is None:
        return ""
    if min(now.sent, before.sent) >= MIN_SENDS:
        return ""
    return (
        f"Fewer than {MIN_SENDS} e-mails were sent in one of the two periods "
        f"({now.sent:,} against {before.sent:,}): the changes are shown without a verdict."
    )


def judging(versus: ComparisonView | None) -> Judging:
    """How the template rows are compared (not at all without a comparison)."""
    if versus is None:
        return NOT_COMPARED
    return Judging(True, versus.judged, versus.kind != "different-lengths")


def sent_emails_view(
    data: dict[str, Any],
    fmt: Formatter,
    *,
    history: Sequence[dict[str, Any]] = (),
    status: str = "ok",
    error: str | None = None,
) -> SentEmailsView:
    """Everything the sent e-mails templates show for one data.json dict."""
    zone = str(data.get("timezone") or "UTC")
    found = answers(data)
    versus = sent_comparison(data, fmt)
    base = read_answer(found.get("base"))
    now = base.totals()
    against = read_answer(found[versus.role]) if versus and versus.role in found else None
    before = against.totals() if against is not None else None
    full = read_answer(found.get("compared")).totals() if versus and versus.full_label else None
    how = judging(versus)
    table = template_table(base, against, fmt, how)
    total = template_row(now, before, fmt, how) if now is not None else None
    running = period_progress(data)
    return SentEmailsView(
        **page_head(data, fmt, zone, status=status, error=error),
        coverage=coverage(data, fmt),
        filters=filters(data),
        comparison=versus,
        progress_text=running.words() if running else "",
        headline=headline(now, before, full, versus, fmt),
        templates=table.ranked,
        total=total,
        gone=table.gone,
        idle=table.idle,
        notes=notes(base, now),
        headline_note=headline_note(now, before, how),
        trends=metric_trends(history, fmt, zone) if len(history) >= 2 else [],
        history_runs=len(history),
        csv=templates_csv(table, total, versus is not None),
    )
