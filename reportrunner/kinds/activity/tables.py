"""The rows of an activity page: one per period (overview) or one per user (comparison).

Overview rows are Close's buckets (one per day for a week or a month); each is labelled by the
days it covers, up to the next bucket or the end of the report's window, in the report's own
offset (a bucket Close dates in UTC still reads as the local day). Comparison rows are the
leaderboard: sorted by the first metric, with each rep's share of the team for the metrics
that add up (counts, total durations, values; never averages). The CSV tables keep Close's raw
units with the unit in the column name, then money in currency units and durations in minutes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from reportrunner.escaping import plain_text
from reportrunner.kinds.activity.metricinfo import MetricInfo
from reportrunner.site.csvtables import CsvTable
from reportrunner.site.filters import Formatter
from reportrunner.windows import parse_rfc3339

_UNIT_SUFFIX = {"money": "_cents", "duration": "_seconds", "count": ""}


@dataclass(frozen=True)
class PeriodRow:
    start: datetime
    label: str  # "Nov 30, 2026", or the bucket's days "Nov 1 – 30, 2026"
    axis: str  # the first day alone, for a chart's axis: "Nov 1, 2026"
    raw: dict[str, Any]
    text: dict[str, str]


@dataclass(frozen=True)
class Cell:
    """One leaderboard cell as the page draws it (built here: a template reads 4 fields)."""

    label: str  # the metric's name (the cell's label on a phone)
    text: str  # compact money for narrow cells ("$48.5K")
    title: str  # the exact value when `text` is compact, else ""
    share: str  # "36% of team", "" for averages
    bar: str  # the share bar's width ("35.8%") on the first metric only, else ""


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    id: str
    name: str
    raw: dict[str, Any]
    text: dict[str, str]
    short: dict[str, str]
    share: dict[str, float | None]  # of the team's sum, additive metrics only
    share_text: dict[str, str]
    change_text: str = ""  # the first metric against the compared period
    judgement: str = "none"
    cells: tuple[Cell, ...] = ()

    @property
    def anchor(self) -> str:
        """A stable fragment for this person's row: `user-<id without user_>`."""
        return "user-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.id.removeprefix("user_"))


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _local(start: datetime, zone: tzinfo | None, requested: tzinfo | None) -> datetime:
    """A period's start as the report's clock read it.

    Close dates periods in the zone of the request's X-TZ-Offset (a fixed offset). A start
    already in the spec zone's own offset at that moment (across a DST change) is kept; any
    other (a UTC date, the fixed offset of a quarter that began in summer time) is read in the
    requested offset, where Close's period boundaries are midnights.
    """
    if zone is None or start.utcoffset() == start.astimezone(zone).utcoffset():
        return start
    return start.astimezone(requested) if requested else start.astimezone(zone)


def _next_start(start: datetime, before: datetime | None, end: datetime | None) -> datetime | None:
    """Where the last period ends: a day, week, month or year after it starts, as the one
    before it did (Close's periods have one length), but never past the window's end."""
    if before is None:
        return end
    gap = (start - before).days
    if gap >= 365:
        following = start.replace(year=start.year + 1, month=1, day=1)
    elif gap >= 28:
        following = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    else:
        following = start + timedelta(days=max(gap, 1))
    return following if end is None else min(following, end)


def period_rows(
    rows: Sequence[dict[str, Any]],
    metrics: Sequence[MetricInfo],
    end: datetime | None,
    zone: tzinfo | None,
    fmt: Formatter,
    currency: str,
    now: datetime | None = None,
    requested: tzinfo | None = None,
) -> list[PeriodRow]:
    """Overview rows in time order, each labelled by the days up to the next one; the period
    running at `now` (the fetch) is labelled "so far", so its low numbers are not a slump."""
    dated = sorted(
        ((parse_rfc3339(str(row["datetime"])), row) for row in rows if "datetime" in row),
        key=lambda pair: pair[0],
    )
    found = []
    for index, (start, row) in enumerate(dated):
        local = _local(start, zone, requested)
        if index + 1 < len(dated):
            upto: datetime | None = dated[index + 1][0]
        else:  # the last period is as long as the one before it, within the window
            upto = _next_start(local, dated[index - 1][0] if index else None, end)
        label = (
            fmt.day(local) if upto is None else fmt.date_range(local, _local(upto, zone, requested))
        )
        if now is not None and start <= now and (upto is None or now < upto):
            label += " (so far)"
        raw = {m.key: _number(row.get(m.key)) for m in metrics}
        text = {m.key: fmt.metric(raw[m.key], m.kind, currency) for m in metrics}
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        found.append(PeriodRow(local, label, fmt.date_range(day, day), raw, text))
    return found


def leaderboard(
    rows: Sequence[dict[str, Any]],
    metrics: Sequence[MetricInfo],
    names: dict[str, str],
    fmt: Formatter,
    currency: str,
) -> list[LeaderRow]:
    """One row per user, the first metric's leader first; shares of the team's sum."""
    if not metrics:
        return []
    people = [row for row in rows if isinstance(row.get("user_id"), str)]
    sums = {
        m.key: sum(_number(row.get(m.key)) or 0 for row in people) for m in metrics if m.additive
    }
    first = metrics[0].key

    def name_of(row: dict[str, Any]) -> str:
        return plain_text(names.get(row["user_id"]) or row["user_id"])

    people.sort(key=lambda row: (-(_number(row.get(first)) or 0), name_of(row).casefold()))
    board: list[LeaderRow] = []
    for place, row in enumerate(people, start=1):
        raw = {m.key: _number(row.get(m.key)) for m in metrics}
        # Ties share a rank (1, 1, 3): two reps with 120 calls are both first.
        tied = board and board[-1].raw.get(first) == raw.get(first)
        rank = board[-1].rank if tied else place
        share: dict[str, float | None] = {}
        for key, total in sums.items():
            value = raw[key]
            share[key] = value / total if value is not None and total else None
        text = {m.key: fmt.metric(raw[m.key], m.kind, currency) for m in metrics}
        short = {m.key: fmt.short(raw[m.key], m.kind, currency) for m in metrics}
        share_text = {key: fmt.percent(value, 0) for key, value in share.items()}
        cells = []
        for index, m in enumerate(metrics):
            part = share.get(m.key)
            cells.append(
                Cell(
                    label=m.label,
                    text=short[m.key],
                    title=text[m.key] if short[m.key] != text[m.key] else "",
                    share=f"{share_text[m.key]} of team" if m.additive else "",
                    bar=f"{part * 100:.1f}%" if index == 0 and part is not None else "",
                )
            )
        board.append(
            LeaderRow(
                rank=rank,
                id=row["user_id"],
                name=name_of(row),
                raw=raw,
                text=text,
                short=short,
                share=share,
                share_text=share_text,
                cells=tuple(cells),
            )
        )
    return board


def _friendly(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "money":
        return (Decimal(str(value)) / 100).quantize(Decimal("0.01"))
    return round(value / 60, 2)


def _metric_columns(
    metrics: Sequence[MetricInfo], currency: str
) -> tuple[list[str], list[MetricInfo]]:
    friendly = [m for m in metrics if m.kind in ("money", "duration")]
    header = [m.key + _UNIT_SUFFIX[m.kind] for m in metrics]
    header += [m.key + (f"_{currency}" if m.kind == "money" else "_minutes") for m in friendly]
    return header, friendly


def periods_csv(
    rows: Sequence[PeriodRow], metrics: Sequence[MetricInfo], currency: str
) -> CsvTable:
    """report.csv of an overview: one row per period."""
    header, friendly = _metric_columns(metrics, currency)
    body = [
        [
            row.start.isoformat(),
            *(row.raw[m.key] for m in metrics),
            *(_friendly(row.raw[m.key], m.kind) for m in friendly),
        ]
        for row in rows
    ]
    return CsvTable(["period_start", *header], body)


def users_csv(rows: Sequence[LeaderRow], metrics: Sequence[MetricInfo], currency: str) -> CsvTable:
    """report.csv of a comparison: one row per user, with each additive metric's team share."""
    header, friendly = _metric_columns(metrics, currency)
    shared = [m for m in metrics if m.additive]
    header += [f"{m.key}_share" for m in shared]
    body = [
        [
            row.id,
            row.name,
            *(row.raw[m.key] for m in metrics),
            *(_friendly(row.raw[m.key], m.kind) for m in friendly),
            *(
                None if row.share[m.key] is None else round(row.share[m.key] or 0, 4)
                for m in shared
            ),
        ]
        for row in rows
    ]
    return CsvTable(["user_id", "user_name", *header], body)
