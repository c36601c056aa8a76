"""What an activity page shows, computed from one data.json so its templates only loop and print.

The headline has one card per requested metric: its total, and with `compare:` the compared
total and the signed change, coloured by the metric's own direction (activitymetrics: up is
better except for lost deals) and only when the periods are like for like (comparison.py). An
overview adds one chart per metric over Close's periods (buckets that start after the data was
fetched are not drawn: a week on Wednesday has no Thursday yet); a comparison adds the
leaderboard by user with each rep's share of the team. Trends over runs come from history.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from reportrunner import __version__
from reportrunner.kinds.activity.compared import activity_comparison
from reportrunner.kinds.activity.metricinfo import MetricInfo, metric_info
from reportrunner.kinds.activity.runs import metric_trends
from reportrunner.kinds.activity.tables import (
    LeaderRow,
    PeriodRow,
    leaderboard,
    period_rows,
    periods_csv,
    users_csv,
)
from reportrunner.kinds.activity.words import coverage
from reportrunner.kinds.pagehead import page_head
from reportrunner.site.charts import TrendChart, trend_chart
from reportrunner.site.compareview import ComparisonView, base_progress
from reportrunner.site.csvtables import CsvTable
from reportrunner.site.describe import filters_in_words
from reportrunner.site.filters import Formatter, zone_info
from reportrunner.site.viewmodel import MetricView, StageView
from reportrunner.windows import offset_zone, parse_rfc3339


@dataclass
class ActivityView:
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
    report_type: str  # overview | comparison
    coverage: list[str]
    filters: list[tuple[str, str]]
    comparison: ComparisonView | None
    progress_text: str
    metrics: list[MetricInfo]
    headline: list[MetricView]
    charts: list[TrendChart]  # overview: one per metric over the periods
    periods: list[PeriodRow]
    leaders: list[LeaderRow]
    trends: list[TrendChart]
    history_runs: int
    csv: CsvTable | None
    files: dict[str, str] = field(default_factory=dict)
    stages: list[StageView] = field(default_factory=list)  # none: the index reads it
    version: str = __version__

    @property
    def has_compared(self) -> bool:
        return self.comparison is not None

    @property
    def leader_metric(self) -> MetricInfo | None:
        return self.metrics[0] if self.metrics else None

    @property
    def shared(self) -> list[MetricInfo]:
        """The metrics whose team share the leaderboard shows."""
        return [metric for metric in self.metrics if metric.additive]


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def headline_metric(
    info: MetricInfo,
    value: Any,
    compared: Any,
    versus: ComparisonView | None,
    fmt: Formatter,
    currency: str,
    full: Any = None,
) -> MetricView:
    """One card: the value, the compared value and the change judged by the metric's direction."""
    value, compared, full = _number(value), _number(compared), _number(full)
    direction, judgement = "none", "none"
    if versus is not None and value is not None and compared is not None:
        diff = value - compared
        direction = "flat" if diff == 0 else ("up" if diff > 0 else "down")
        if versus.judged and info.up_is_better is not None:
            judgement = (
                "same" if diff == 0 else ("better" if (diff > 0) == info.up_is_better else "worse")
            )
    shown = versus is not None and versus.kind != "different-lengths"
    return MetricView(
        key=info.key,
        label=info.label,
        kind=info.kind,
        value=value,
        compared=compared,
        text=fmt.metric(value, info.kind, currency),
        compared_text=fmt.metric(compared, info.kind, currency) if versus else "",
        delta_text=fmt.delta(value, compared, info.kind, currency) if shown else "",
        direction=direction,
        judgement=judgement,
        full_text=fmt.metric(full, info.kind, currency) if versus and versus.full_label else "",
    )


def _totals(answer: Any) -> dict[str, Any]:
    aggregations = answer.get("aggregations") if isinstance(answer, dict) else None
    totals = aggregations.get("totals") if isinstance(aggregations, dict) else None
    return totals if isinstance(totals, dict) else {}


def _rows(answer: Any) -> list[dict[str, Any]]:
    rows = answer.get("data") if isinstance(answer, dict) else None
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _names(data: dict[str, Any], answer: Any) -> dict[str, str]:
    """User names: the run's look-ups first, then the answer's own `lookup`, then the id."""
    found: dict[str, str] = {}
    lookup = answer.get("lookup") if isinstance(answer, dict) else None
    users = lookup.get("user") if isinstance(lookup, dict) else None
    for user_id, entry in (users or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("display"), str):
            found[user_id] = entry["display"]
    known = (data.get("names") or {}).get("users") or {}
    found.update({key: value for key, value in known.items() if value and value != key})
    return found


def _series(rows: Sequence[PeriodRow], metric: MetricInfo, fmt: Formatter, cur: str) -> Any:
    values = [(row.label, row.axis, row.raw[metric.key]) for row in rows]
    label = f"{metric.label} by period"
    return trend_chart(
        "period-" + metric.key.replace(".", "-"),
        label,
        values,
        functools.partial(fmt.metric, kind=metric.kind, currency=cur),
        unit="periods",
    )


def activity_view(
    data: dict[str, Any],
    fmt: Formatter,
    *,
    history: Sequence[dict[str, Any]] = (),
    status: str = "ok",
    error: str | None = None,
) -> ActivityView:
    """Everything the activity templates show for one data.json dict."""
    cur = str(data.get("currency") or "USD")
    zone = str(data.get("timezone") or "UTC")
    request = data.get("request") or {}
    keys = request.get("metrics")
    metrics = (
        [metric_info(key) for key in keys if isinstance(key, str)] if isinstance(keys, list) else []
    )
    answers = (data.get("responses") or {}).get("activity") or {}
    base = answers.get("base") or {}
    versus = activity_comparison(data, fmt)
    against = _totals(answers.get(versus.role)) if versus else {}
    full = _totals(answers.get("compared"))
    totals = _totals(base)
    headline = [
        headline_metric(m, totals.get(m.key), against.get(m.key), versus, fmt, cur, full.get(m.key))
        for m in metrics
    ]
    fetched = parse_rfc3339(str(data["fetched_at"]))
    report_window = (data.get("windows") or {}).get("report") or {}
    end = report_window.get("end")
    upto = parse_rfc3339(end) if isinstance(end, str) else None
    kind = "comparison" if request.get("type") == "comparison" else "overview"
    periods: list[PeriodRow] = []
    leaders: list[LeaderRow] = []
    if kind == "overview":
        # Periods read in the spec's zone (DST included), whatever offset Close dates them in.
        requested = offset_zone(float(data.get("tz_offset") or 0.0))
        every = period_rows(
            _rows(base), metrics, upto, zone_info(zone), fmt, cur, fetched, requested
        )
        periods = [row for row in every if row.start <= fetched]
    else:
        leaders = leaderboard(_rows(base), metrics, _names(data, base), fmt, cur)
        if versus is not None and metrics:
            leaders = _with_changes(leaders, answers.get(versus.role), metrics[0], versus, fmt, cur)
    running = base_progress(data)
    return ActivityView(
        **page_head(data, fmt, zone, status=status, error=error, currency=cur),
        report_type=kind,
        coverage=coverage(data, fmt),
        filters=filters_in_words(data),
        comparison=versus,
        progress_text=running.words() if running else "",
        metrics=metrics,
        headline=headline,
        charts=[c for c in (_series(periods, m, fmt, cur) for m in metrics) if c is not None],
        periods=periods,
        leaders=leaders,
        trends=metric_trends(metrics, history, fmt, cur, zone) if len(history) >= 2 else [],
        history_runs=len(history),
        csv=(
            periods_csv(periods, metrics, cur)
            if kind == "overview"
            else users_csv(leaders, metrics, cur)
        ),
    )


def _with_changes(
    leaders: list[LeaderRow],
    compared: Any,
    metric: MetricInfo,
    versus: ComparisonView,
    fmt: Formatter,
    cur: str,
) -> list[LeaderRow]:
    """Each rep's first metric against the compared period (n/a without a compared row)."""
    before = {row.get("user_id"): row.get(metric.key) for row in _rows(compared)}
    changed = []
    for row in leaders:
        card = headline_metric(metric, row.raw[metric.key], before.get(row.id), versus, fmt, cur)
        changed.append(replace(row, change_text=card.delta_text, judgement=card.judgement))
    return changed
