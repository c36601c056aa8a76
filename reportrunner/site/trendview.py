"""The trend charts of a report page, from its history: headline metrics and stage counts.

One chart per metric over the runs (charts.py draws them from zero). Runs are labelled by day,
or by time when two runs share a day ("Dec 2, 2026 … Dec 2, 2026" says nothing). A run's
time is formatted when a chart first shows it and then reused: a long history draws dots (and
tooltips) at the ends of each line only, so most runs are never formatted at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, overload

from reportrunner.kinds.funnel.metrics import FIELD, TREND_KEYS
from reportrunner.site.charts import TrendChart, run_chart, trend_chart
from reportrunner.site.filters import Formatter, zone_info
from reportrunner.site.snapshots import fetched_moment


def _fmt_metric(fmt: Formatter, kind: str, currency: str, value: float | None) -> str:
    return fmt.metric(value, kind, currency)


class Lazy(Sequence[str]):
    """`count` texts, each made by `make(index)` when first read, then remembered.

    The same texts as the list `[make(i) for i in range(count)]`, for callers that read a few.
    """

    def __init__(self, count: int, make: Callable[[int], str]) -> None:
        self._count = count
        self._make = make
        self._made: dict[int, str] = {}

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        text = self._made.get(index)
        if text is None:
            text = self._made[index] = self._make(index)
        return text


def run_labels(
    moments: Sequence[datetime], texts: Sequence[str], fmt: Formatter, zone: str
) -> Sequence[str]:
    """The x-axis label of each run: its day, or its time when two runs share a day.

    `texts` are the moments already formatted (the tooltips): reused rather than formatting
    each run a third time. Each label is formatted when first read; which kind of label every
    run gets is decided from all of them.
    """
    local = zone_info(zone)
    dates = [moment.astimezone(local).date() for moment in moments]
    if len(set(dates)) == len(dates):
        return Lazy(len(moments), lambda index: fmt.day(moments[index], zone))
    if len(set(dates)) == 1:  # all on one day: the day is in the tooltips and the caption
        # Runs a few seconds apart (a retried schedule, a demo) would all read "4:52 AM".
        minutes = {moment.replace(second=0, microsecond=0) for moment in moments}
        seconds = len(minutes) < len(moments)
        return Lazy(len(moments), lambda index: fmt.time(moments[index], zone, seconds=seconds))
    return texts


def metric_charts(
    history: Sequence[dict[str, Any]],
    fmt: Formatter,
    zone: str,
    wanted: Sequence[tuple[str, str, str, Callable[[float | None], str]]],
) -> list[TrendChart]:
    """One chart per (chart id, snapshot metric key, title, value formatter) over the runs,
    for the kinds whose snapshots keep `metrics` by key; a run without the metric leaves a
    gap (a metric newer than the history starts later), a metric no run has draws nothing."""
    moments = [fetched_moment(item["fetched_at"]) for item in history]
    texts = [fmt.moment(moment, zone) for moment in moments]
    when = list(zip(texts, run_labels(moments, texts, fmt, zone), strict=True))
    charts = []
    for chart_id, key, title, draw in wanted:
        values = [
            (tooltip, axis, (item.get("metrics") or {}).get(key))
            for (tooltip, axis), item in zip(when, history, strict=True)
        ]
        chart = trend_chart(chart_id, title, values, draw)
        if chart is not None:
            charts.append(chart)
    return charts


def trends(
    stages: Sequence[tuple[str, str]],
    history: Sequence[dict[str, Any]],
    fmt: Formatter,
    cur: str,
    zone: str,
) -> list[TrendChart]:
    # The runs' times are parsed once, and formatted once each when a chart first shows them.
    moments = [fetched_moment(item["fetched_at"]) for item in history]
    texts = Lazy(len(moments), lambda index: fmt.moment(moments[index], zone))
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
