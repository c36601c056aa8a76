"""What a report page shows, computed from one data.json dict so templates stay simple.

`report_view` turns the raw API responses (docs/data-format.md) into labelled, formatted rows:
headline metrics with compared values and deltas, funnel stages with conversion and lost, the
per-user table sorted by won value with names resolved, the covered windows in words, charts and
the raw CSV tables. Templates only loop and print; every number is formatted by `filters`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reportrunner import __version__
from reportrunner.escaping import plain_text
from reportrunner.kinds.funnel.metrics import ADDITIVE, FIELD, STAGE_FIELDS, TOTALS_FIELDS
from reportrunner.site import tablerows
from reportrunner.site.charts import FunnelChart, FunnelInput, TrendChart, funnel_chart
from reportrunner.site.compareview import ComparisonView, base_progress, comparison_view
from reportrunner.site.csvtables import CsvTable, stage_label, stages_csv, totals_csv
from reportrunner.site.describe import coverage, filters_in_words
from reportrunner.site.filters import Formatter
from reportrunner.site.history import HEADLINE_KEYS
from reportrunner.site.statuswords import stale_words
from reportrunner.site.trendview import trends
from reportrunner.windows import parse_rfc3339


@dataclass(frozen=True)
class MetricView:
    key: str
    label: str
    kind: str
    value: Any
    compared: Any
    text: str
    compared_text: str  # the value of the span compared against (to date when running)
    delta_text: str  # "▲ up 5 (12%)"; "" when periods of different lengths are not compared
    direction: str  # up | down | flat | none
    judgement: str  # better | worse | same | none (for colour; words carry the meaning)
    full_text: str = ""  # the whole compared period, when the change is taken to date
    rate_text: str = ""  # periods of different lengths: "Per day: 3.5 · last year 1.9"

    @property
    def delta_arrow(self) -> str:
        """The arrow of `delta_text` alone (HTML hides it from screen readers)."""
        return self.delta_text[0] if self.delta_text[:1] in ("▲", "▼", "=") else ""

    @property
    def delta_words(self) -> str:
        """`delta_text` without its arrow: "up 5 (12%)"."""
        return self.delta_text[2:] if self.delta_arrow else self.delta_text

    @property
    def verdict(self) -> str:
        """ "better", "worse", "within chance", "not judged" or "" (no change, or nothing
        compared). "chance": a fair comparison whose change is smaller than chance explains."""
        if self.judgement in ("better", "worse"):
            return self.judgement
        if not (self.delta_text and self.direction in ("up", "down")):
            return ""
        return "within chance" if self.judgement == "chance" else "not judged"

    @property
    def change_text(self) -> str:
        """`delta_text` with its verdict, as report.md and the index write it."""
        return f"{self.delta_text} ({self.verdict})" if self.verdict else self.delta_text


@dataclass(frozen=True)
class StageView:
    id: str
    label: str
    type: str
    raw: dict[str, Any]
    text: dict[str, str]
    short: dict[str, str]  # compact money for the table cells; `text` goes in their title


@dataclass(frozen=True)
class UserRow:
    id: str
    name: str
    raw: dict[str, Any]
    text: dict[str, str]
    short: dict[str, str]  # compact money for the table cells; `text` goes in their title
    #: Won value against the compared period ("" without a comparison; n/a when the user has
    #: no row there).
    won_delta_text: str = ""
    won_judgement: str = "none"

    @property
    def anchor(self) -> str:
        """A stable fragment for this person's row: `user-<id without user_>`."""
        return "user-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.id.removeprefix("user_"))


@dataclass
class ReportView:
    id: str
    title: str
    description: str
    tags: list[str]
    spec_file: str
    currency: str
    timezone: str
    status: str  # ok | stale
    error: str | None  # the technical error, shown behind a "Technical details" toggle
    status_words: str  # for a stale report: how old its numbers are and why, in plain words
    fetched_at: str
    fetched_text: str
    pipeline: str
    coverage: list[str]
    filters: list[tuple[str, str]]  # ("Users", "Ada, Grace"), ("Saved search", "Large deals")
    has_totals: bool
    has_stages: bool
    has_compared: bool
    comparison: ComparisonView | None
    progress_text: str  # "month to date, day 2 of 31" while the period runs, else ""
    headline: list[MetricView]
    stages: list[StageView]
    funnel_charts: list[FunnelChart]
    user_columns: list[tuple[str, str, str]]
    users: list[UserRow]
    trends: list[TrendChart]
    history_runs: int
    files: dict[str, str]
    totals_csv: CsvTable | None
    stages_csv: CsvTable | None
    version: str = __version__

    @functools.cached_property
    def stage_rows(self) -> Markup:
        """The stage table's body rows as HTML (site/tablerows.py), made when first shown."""
        return tablerows.stage_rows(self.stages)

    @functools.cached_property
    def funnel_bars(self) -> list[Markup]:
        """Each funnel chart's bars as SVG (site/tablerows.py), made when first shown."""
        return [tablerows.funnel_bars(chart) for chart in self.funnel_charts]

    @functools.cached_property
    def user_rows(self) -> Markup:
        """The user table's body rows as HTML (site/tablerows.py), made when first shown."""
        return tablerows.user_rows(self.users, self.user_columns, self.has_compared)


def _metric(
    key: str,
    value: Any,
    compared: Any,
    versus: ComparisonView | None,
    fmt: Formatter,
    cur: str,
    full: Any = None,
) -> MetricView:
    label, kind, higher_better = FIELD[key]
    direction, judgement = "none", "none"
    if versus is not None and value is not None and compared is not None:
        diff = value - compared
        direction = "flat" if diff == 0 else ("up" if diff > 0 else "down")
        if versus.judged:
            judgement = (
                "same" if diff == 0 else ("better" if (diff > 0) == higher_better else "worse")
            )
    show_delta = versus is not None and versus.kind != "different-lengths"
    rate = ""
    if versus and versus.days and key in ADDITIVE and None not in (value, compared):
        # At least a day: an hour into the month must not read as a day's pace times 24.
        pairs = zip((value, compared), versus.days, strict=True)
        per_day = [amount / max(days, 1.0) for amount, days in pairs]
        texts = [fmt.number(x, 1) if kind == "count" else fmt.money(x, cur) for x in per_day]
        rate = f"Per day: {texts[0]} · {versus.label.lower()} {texts[1]}"
    return MetricView(
        key=key,
        label=label,
        kind=kind,
        value=value,
        compared=compared,
        text=fmt.metric(value, kind, cur),
        compared_text=fmt.metric(compared, kind, cur) if versus else "",
        delta_text=fmt.delta(value, compared, kind, cur) if show_delta else "",
        direction=direction,
        judgement=judgement,
        full_text=fmt.metric(full, kind, cur) if versus and versus.full_label else "",
        rate_text=rate,
    )


def _stages(data: dict[str, Any], fmt: Formatter, cur: str) -> list[StageView]:
    response = ((data.get("responses") or {}).get("stages") or {}).get("base") or {}
    statuses = (data.get("names") or {}).get("statuses") or {}
    views = []
    for stage in (response.get("aggregations") or {}).get("stages") or []:
        status_id, label, kind = stage_label(stage, statuses)
        raw = {key: stage.get(key) for key, _ in STAGE_FIELDS}
        text = {key: fmt.metric(stage.get(key), unit, cur) for key, unit in STAGE_FIELDS}
        short = {key: fmt.short(stage.get(key), unit, cur) for key, unit in STAGE_FIELDS}
        views.append(StageView(status_id, label, kind, raw, text, short))
    return views


def _funnel(stages: Sequence[StageView], fmt: Formatter) -> list[FunnelChart]:
    if not stages:
        return []
    charts = []
    for amount_key, lost_key, rate_key, title in (
        ("count", "count_lost", "count_conversion_rate", "Funnel by count"),
        ("value", "value_lost", "value_conversion_rate", "Funnel by value"),
    ):
        inputs = []
        for stage in stages:
            note = f"{stage.text[lost_key]} lost"
            if stage.type != "won":
                note = f"{stage.text[rate_key]} advance · " + note
            inputs.append(
                FunnelInput(
                    stage.label,
                    stage.type,
                    float(stage.raw[amount_key] or 0),
                    float(stage.raw[lost_key] or 0),
                    stage.text[amount_key],
                    note,
                )
            )
        parts = "; ".join(f"{item.label}: {item.value_text}, {item.note}" for item in inputs)
        charts.append(funnel_chart(title, f"{title}, one bar per stage. {parts}.", inputs))
    return charts


def _users(
    data: dict[str, Any], fmt: Formatter, cur: str, versus: ComparisonView | None
) -> list[UserRow]:
    totals = (data.get("responses") or {}).get("totals") or {}
    compared = totals.get(versus.role) if versus else None
    before = {
        str(item.get("user_id", "")): item.get("value_total_won")
        for item in (compared or {}).get("data") or []
    }
    names = (data.get("names") or {}).get("users") or {}
    rows = []
    for item in (totals.get("base") or {}).get("data") or []:
        user_id = str(item.get("user_id", ""))
        raw = {key: item.get(key) for key, _, _, _ in TOTALS_FIELDS}
        text = {key: fmt.metric(raw[key], kind, cur) for key, _, kind, _ in TOTALS_FIELDS}
        short = {key: fmt.short(raw[key], kind, cur) for key, _, kind, _ in TOTALS_FIELDS}
        delta, judgement = "", "none"
        if isinstance(compared, dict):
            won = _metric(
                "value_total_won", raw["value_total_won"], before.get(user_id), versus, fmt, cur
            )
            delta, judgement = won.delta_text, won.judgement
        name = plain_text(names.get(user_id, user_id))
        rows.append(UserRow(user_id, name, raw, text, short, delta, judgement))
    rows.sort(key=lambda row: (-(row.raw["value_total_won"] or 0), row.name.casefold(), row.id))
    return rows


def report_view(
    data: dict[str, Any],
    fmt: Formatter,
    *,
    history: Sequence[dict[str, Any]] = (),
    status: str = "ok",
    error: str | None = None,
) -> ReportView:
    """Everything the report templates show for one data.json dict."""
    cur = str(data.get("currency") or "USD")
    zone = str(data.get("timezone") or "UTC")
    responses = data.get("responses") or {}
    totals = responses.get("totals") or {}
    base_agg = (totals.get("base") or {}).get("aggregations") or {}
    versus = comparison_view(data, fmt)
    against = (totals.get(versus.role) or {}).get("aggregations") or {} if versus else {}
    full = (totals.get("compared") or {}).get("aggregations") or {}
    headline = [
        _metric(key, base_agg.get(key), against.get(key), versus, fmt, cur, full.get(key))
        for key in HEADLINE_KEYS
        if totals
    ]
    stages = _stages(data, fmt, cur)
    users = _users(data, fmt, cur, versus)
    running = base_progress(data)
    fetched = parse_rfc3339(data["fetched_at"])
    return ReportView(
        id=str(data["id"]),
        title=plain_text(data.get("title") or data["id"]),
        description=plain_text(data.get("description") or ""),
        tags=[plain_text(tag) for tag in data.get("tags") or []],
        spec_file=plain_text(data.get("spec_file") or ""),
        currency=cur,
        timezone=zone,
        status=status,
        error=plain_text(error) if error else None,
        status_words=stale_words(fmt.day(fetched, zone), error) if status == "stale" else "",
        fetched_at=data["fetched_at"],
        fetched_text=fmt.moment(fetched, zone),
        pipeline=plain_text(((data.get("names") or {}).get("pipeline") or {}).get("name") or ""),
        coverage=coverage(data, fmt),
        filters=filters_in_words(data),
        has_totals=bool(totals),
        has_stages=bool(stages),
        has_compared=versus is not None,
        comparison=versus,
        progress_text=running.words() if running else "",
        headline=headline,
        stages=stages,
        funnel_charts=_funnel(stages, fmt),
        user_columns=[(key, label, kind) for key, label, kind, _ in TOTALS_FIELDS],
        users=users,
        trends=(
            trends([(stage.id, stage.label) for stage in stages], history, fmt, cur, zone)
            if len(history) >= 2
            else []
        ),
        history_runs=len(history),
        files={},  # filled by Renderer.report_files with the outputs the spec asks for
        totals_csv=totals_csv([(u.id, u.name, u.raw) for u in users], cur) if totals else None,
        stages_csv=stages_csv(data, cur) if "stages" in responses else None,
    )
