"""The trend charts of a report page, from its history: headline metrics and stage counts.

One chart per metric over the runs (charts.py draws them from zero). Runs are labelled by day,
or by time when two runs share a day ("Dec 2, 2026 … Dec 2, 2026" says nothing). Every run's
time is formatted once and reused: Babel dominates the cost of a 500-run history.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reportrunner.kinds.funnel.metrics import FIELD, TREND_KEYS
from reportrunner.site.charts import TrendChart, run_chart
from reportrunner.site.filters import Formatter, zone_info
from reportrunner.site.snapshots import fetched_moment


def _fmt_metric(fmt: Formatter, kind: str, currency: str, value: float | None) -> str:
    return fmt.metric(value, kind, currency)


def run_labels(
    moments: Sequence[datetime], texts: Sequence[str], fmt: Formatter, zone: str
) -> list[str]:
    """The x-axis label of each run: its day, or its time when two runs share a day.

    `texts` are the moments already formatted (the tooltips): reused rather than formatting
    each run a third time, since Babel is the slow part of rendering a long history.
    """
    local = zone_info(zone)
    dates = [moment.astimezone(local).date() for moment in moments]
    if len(set(dates)) == len(dates):
        return [fmt.day(moment, zone) for moment in moments]
    if len(set(dates)) == 1:  # all on one day: the day is in the tooltips and the caption
        # Runs a few seconds apart (a retried schedule, a demo) would all read "4:52 AM".
        minutes = {moment.replace(second=0, microsecond=0) for moment in moments}
        seconds = len(minutes) < len(moments)
        return [fmt.time(moment, zone, seconds=seconds) for moment in moments]
    return list(texts)


def trends(
    stages: Sequence[tuple[str, str]],
    history: Sequence[dict[str, Any]],
    fmt: Formatter,
    cur: str,
    zone: str,
) -> list[TrendChart]:
    # The runs' times are parsed and formatted once, not once per metric.
    moments = [fetched_moment(item["fetched_at"]) for item in history]
    texts = [fmt.moment(moment, zone) for moment in moments]
    labels = run_labels(moments, texts, fmt, zone)
    series: list[tuple[str, str, str, list[Any]]] = []
    heads = [item.get("headline") or {} for item in history]
    for key in TREND_KEYS:
        label, kind, _ = FIELD[key]
        series.append((key, label, kind, [head.get(key) for head in heads]))
    counted = [item.get("stages") or {} for item in history] if stages else []
    for number, (stage_id, stage_label) in enumerate(stages, start=1):
        counts = [per_run.get(stage_id) for per_run in counted]
        series.append((f"stage-{number}", f"Opportunities in {stage_label}", "count", counts))
    charts = []
    for key, label, kind, raw in series:
        metric = functools.partial(_fmt_metric, fmt, kind, cur)
        chart = run_chart(key, label, texts, labels, raw, metric)
        if chart is not None:
            charts.append(chart)
    return charts
