"""An activity report across runs: the snapshot each fetch adds to history, and the trends.

A snapshot has the shared fields (fetched_at, windows; snapshots.py checks them) with an empty
funnel `headline`, and `metrics`: {metric key: total} of this run and `compared_metrics` of the
compared period. Trend charts draw each requested metric's total over the runs, from zero.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from reportrunner.kinds.activity.metricinfo import MetricInfo
from reportrunner.site.charts import TrendChart, trend_chart
from reportrunner.site.filters import Formatter
from reportrunner.site.snapshots import Snapshot
from reportrunner.site.trendview import run_labels
from reportrunner.windows import parse_rfc3339


def _totals(answer: Any) -> dict[str, Any] | None:
    aggregations = answer.get("aggregations") if isinstance(answer, dict) else None
    totals = aggregations.get("totals") if isinstance(aggregations, dict) else None
    return dict(totals) if isinstance(totals, dict) else None


def snapshot(data: dict[str, Any]) -> Snapshot:
    answers = (data.get("responses") or {}).get("activity") or {}
    return {
        "fetched_at": data["fetched_at"],
        "windows": data.get("windows", {}),
        "headline": {},
        "compared_headline": None,
        "stages": {},
        "metrics": _totals(answers.get("base")) or {},
        "compared_metrics": _totals(answers.get("compared")),
    }


def metric_trends(
    metrics: Sequence[MetricInfo],
    history: Sequence[dict[str, Any]],
    fmt: Formatter,
    cur: str,
    zone: str,
) -> list[TrendChart]:
    """One chart per metric over the runs (a metric missing from older runs starts later)."""
    moments = [parse_rfc3339(item["fetched_at"]) for item in history]
    texts = [fmt.moment(moment, zone) for moment in moments]
    when = list(zip(texts, run_labels(moments, texts, fmt, zone), strict=True))
    charts = []
    for metric in metrics:
        values = [
            (tooltip, axis, (item.get("metrics") or {}).get(metric.key))
            for (tooltip, axis), item in zip(when, history, strict=True)
        ]
        draw = functools.partial(fmt.metric, kind=metric.kind, currency=cur)
        chart = trend_chart("run-" + metric.key.replace(".", "-"), metric.label, values, draw)
        if chart is not None:
            charts.append(chart)
    return charts
