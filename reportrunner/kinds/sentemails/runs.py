"""A sent e-mails report across runs: the snapshot each fetch adds to history, and the trends.

A snapshot has the shared fields (fetched_at, windows; snapshots.py checks them) with an empty
funnel `headline`, and `metrics`: the "All Emails" counts and rates of this run (`sent`,
`opened`, `replied`, `open_rate`, `reply_rate`; rates 0..1 or null without sends) and
`compared_metrics` of the compared period. Trend charts draw sends and the two rates.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from reportrunner.kinds.sentemails.stats import read_answer
from reportrunner.site.charts import TrendChart
from reportrunner.site.filters import Formatter
from reportrunner.site.snapshots import Snapshot, metric_snapshot
from reportrunner.site.trendview import metric_charts

#: (metric key, chart title, formatter kind) of the trend charts, in page order.
TRENDS = (("sent", "E-mails sent", "count"), ("open_rate", "Open rate", "ratio"),
          ("reply_rate", "Reply rate", "ratio"))  # fmt: skip


def metrics(answer: Any) -> dict[str, Any] | None:
    """The totals of one answer as snapshot metrics (None: no answer)."""
    if not isinstance(answer, dict):
        return None
    row = read_answer(answer).totals()
    if row is None:
        return {"sent": 0, "opened": 0, "replied": 0, "open_rate": None, "reply_rate": None}
    return {
        "sent": row.sent,
        "opened": row.opened,
        "replied": row.replied,
        "open_rate": row.open_rate,
        "reply_rate": row.reply_rate,
    }


def snapshot(data: dict[str, Any]) -> Snapshot:
    found = (data.get("responses") or {}).get("sent_emails") or {}
    return metric_snapshot(data, metrics(found.get("base")), metrics(found.get("compared")))


def metric_trends(history: Sequence[dict[str, Any]], fmt: Formatter, zone: str) -> list[TrendChart]:
    """One chart per headline figure over the runs (a run without it leaves a gap)."""
    wanted = [
        ("run-" + key.replace("_", "-"), key, title, functools.partial(fmt.metric, kind=kind))
        for key, title, kind in TRENDS
    ]
    return metric_charts(history, fmt, zone, wanted)
