"""A status-change report across runs: the snapshot each fetch adds to history, and trends.

A snapshot has the shared fields (fetched_at, windows; snapshots.py checks them) with an empty
funnel `headline`, and `metrics` by key: the headline figures ("won", "created", …) and, per
status, `entered:<status id>` and `ended:<status id>` (at most `MAX_STATUSES` statuses, so a
snapshot stays within what snapshots.py keeps); `compared_metrics` holds the compared period's
headline figures. Trend charts draw each headline figure over the runs, from zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportrunner.kinds.statuses.answer import parse_answer
from reportrunner.kinds.statuses.headline import figures, status_types
from reportrunner.kinds.statuses.subject import Subject
from reportrunner.site.charts import TrendChart
from reportrunner.site.filters import Formatter
from reportrunner.site.snapshots import Snapshot, metric_snapshot
from reportrunner.site.trendview import metric_charts
from reportrunner.site.viewmodel import MetricView

#: Statuses whose counts a snapshot keeps (2 numbers each, under snapshots.py's 200 keys).
MAX_STATUSES = 90


def snapshot(data: dict[str, Any], subject: Subject) -> Snapshot:
    answers = (data.get("responses") or {}).get(subject.endpoint) or {}
    base = parse_answer(answers.get("base"))
    chosen = figures(subject, base, status_types(data.get("names"), base))
    metrics: dict[str, Any] = {figure.key: figure.compute(base) for figure in chosen}
    for row in base.statuses[:MAX_STATUSES]:
        for name in ("entered", "ended"):
            if row.values.get(name) is not None:
                metrics[f"{name}:{row.status.id}"] = row.values[name]
    compared = answers.get("compared")
    against = parse_answer(compared) if isinstance(compared, dict) else None
    compared_metrics = (
        {figure.key: figure.compute(against) for figure in chosen} if against else None
    )
    return metric_snapshot(data, metrics, compared_metrics)


def figure_trends(
    headline: Sequence[MetricView], history: Sequence[dict[str, Any]], fmt: Formatter, zone: str
) -> list[TrendChart]:
    """One chart per headline figure over the runs (missing from older runs: starts later)."""
    wanted = [("run-" + card.key, card.key, card.label, fmt.count) for card in headline]
    return metric_charts(history, fmt, zone, wanted)
