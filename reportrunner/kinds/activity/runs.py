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
from reportrunner.site.charts import TrendChart
from reportrunner.site.filters import Formatter
from reportrunner.site.snapshots import Snapshot, metric_snapshot
from reportrunner.site.trendview import metric_charts


def _totals(answer: Any) -> dict[str, Any] | None:
    aggregations = answer.get("aggregations") if isinstance(answer, dict) else None
    totals = aggregations.get("totals") if isinstance(aggregations, dict) else None
    return dict(totals) if isinstance(totals, dict) else None


def snapshot(data: dict[str, Any]) -> Snapshot:
    answers = (data.get("responses") or {}).get("activity") or {}
    return metric_snapshot(data, _totals(answers.get("base")), _totals(answers.get("compared")))


def metric_trends(
    metrics: Sequence[MetricInfo],
    history: Sequence[dict[str, Any]],
    fmt: Formatter,
    cur: str,
    zone: str,
) -> list[TrendChart]:
    """One chart per metric over the runs (a metric missing from older runs starts later)."""
    wanted = [
        (
            "run-" + metric.key.replace(".", "-"),
            metric.key,
            metric.label,
            functools.partial(fmt.metric, kind=metric.kind, currency=cur),
        )
        for metric in metrics
    ]
    return metric_charts(history, fmt, zone, wanted)
