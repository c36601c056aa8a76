"""Geometry of the inline SVG charts: the funnel (count and value bars) and the trend lines.

Templates only place the rectangles, lines and labels computed here, so chart arithmetic is
tested in Python and every template (built-in or the user's) draws the same numbers. Charts use a
fixed `viewBox` and scale to their container, which keeps them readable on a 390 px phone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 400
ROW_HEIGHT = 58
LABEL_CHARS = 34
TREND_HEIGHT = 150
#: Runs up to which every point gets a dot with a tooltip; a longer history draws the line with
#: dots on its ends only (500 tooltips per chart would double the page and its render time).
MAX_DOTS = 40
#: Columns of a long trend line: each keeps its lowest and highest run (in run order), so no
#: spike is lost, and a line of 365 runs draws at most 98 points (with both ends) on a chart
#: 384 units wide (a phone shows no more). data.json and history keep every run; the
#: description's lowest, highest and latest come from every run too.
LINE_COLUMNS = 48


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """Text cut to `limit` characters with an ellipsis (the full text stays in the tables)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class FunnelBar:
    label: str  # shortened stage label drawn in the chart
    full_label: str
    kind: str  # status type: active | won
    y: float
    width: float  # the whole stage
    lost_x: float  # where the lost part of the bar starts
    lost_width: float
    value_text: str
    note: str  # "45.0% advance · 12 lost"


@dataclass(frozen=True)
class FunnelChart:
    title: str
    description: str
    width: int
    height: int
    bars: tuple[FunnelBar, ...]


@dataclass(frozen=True)
class FunnelInput:
    label: str
    kind: str
    amount: float
    lost: float
    value_text: str
    note: str


def funnel_chart(title: str, description: str, stages: Sequence[FunnelInput]) -> FunnelChart:
    """One horizontal bar per stage, scaled to the largest stage, lost part drawn separately."""
    top = 4
    track = WIDTH - 2
    biggest = max((max(stage.amount, 0.0) for stage in stages), default=0.0)
    bars = []
    for index, stage in enumerate(stages):
        amount = max(stage.amount, 0.0)
        width = track * amount / biggest if biggest > 0 else 0.0
        lost = min(max(stage.lost, 0.0), amount)
        lost_width = width * lost / amount if amount > 0 else 0.0
        bars.append(
            FunnelBar(
                label=shorten(stage.label),
                full_label=stage.label,
                kind=stage.kind,
                y=top + index * ROW_HEIGHT,
                width=round(width, 2),
                lost_x=round(1 + width - lost_width, 2),
                lost_width=round(lost_width, 2),
                value_text=stage.value_text,
                note=stage.note,
            )
        )
    return FunnelChart(title, description, WIDTH, top + len(bars) * ROW_HEIGHT, tuple(bars))


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    label: str  # "Nov 30, 2026: 42" for the point's tooltip


@dataclass(frozen=True)
class TrendTick:
    y: float
    text: str  # the value at this grid line ("0", "$400K")


@dataclass(frozen=True)
class TrendChart:
    key: str
    title: str
    description: str
    width: int
    height: int
    points: tuple[TrendPoint, ...]  # the dots drawn, each with its tooltip
    polyline: str  # the line through every run
    axis_y: float  # the baseline: zero (or the lowest value when some are below zero)
    ticks: tuple[TrendTick, ...]  # value labels on horizontal grid lines, baseline first
    top_text: str  # the largest value
    bottom_text: str  # the smallest value
    first_text: str  # the first run on the x axis (a day, or a time when runs share a day)
    last_text: str  # the last run
    latest_text: str


def kept_runs(ys: Sequence[float], columns: int = LINE_COLUMNS) -> list[int]:
    """The indices of a line's points worth drawing: all of a short one; of a long one, per
    column of equal width the lowest and highest point in their order (the ends always)."""
    if len(ys) <= 2 * columns:
        return list(range(len(ys)))
    kept: set[int] = {0, len(ys) - 1}
    for start, end in _columns(len(ys), columns):
        chunk = ys[start:end]  # SVG y grows downwards: the highest value has the smallest y
        kept.add(start + chunk.index(max(chunk)))
        kept.add(start + chunk.index(min(chunk)))
    return sorted(kept)


def downsample(
    xy: Sequence[tuple[float, float]], columns: int = LINE_COLUMNS
) -> list[tuple[float, float]]:
    """The points of a line worth drawing (`kept_runs` of their y)."""
    return [xy[index] for index in kept_runs([y for _, y in xy], columns)]


#: Two runs whose y before rounding differs by more than this are drawn at different heights:
#: rounding to 0.01 moves each by at most 0.005, and the float error of y is below 1e-12.
APART = 0.011


def kept_values(
    values: Sequence[float],
    y_of: Callable[[float], float],
    per_unit: float,
    columns: int = LINE_COLUMNS,
) -> list[int]:
    """`kept_runs([y_of(value) for value in values], columns)`, with few values drawn.

    `y_of` is a chart's y of a value: it falls by `per_unit` per unit of value, and is then
    rounded, so a column's highest y is its lowest value's and its lowest y its highest
    value's. Which run comes first with that y is decided exactly: only runs before the
    extreme value's first place could share its rounded y; when the nearest of them is
    `APART` from it none does, and otherwise they are drawn, in order, to find the first.
    """
    if len(values) <= 2 * columns:
        return list(range(len(values)))
    kept: set[int] = {0, len(values) - 1}
    bounds = _columns(len(values), columns)
    chunks = [list(values[start:end]) for start, end in bounds]
    for extreme in (min, max):
        # Each column's extreme and its first place, by C loops over all columns at once.
        best = list(map(extreme, chunks))
        firsts = list(map(list.index, chunks, best))
        for (start, _), chunk, value, first in zip(bounds, chunks, best, firsts, strict=True):
            # All runs before `first` lie on one side of `value`: their extreme is nearest.
            if first and abs(value - extreme(chunk[:first])) * per_unit <= APART:
                first = _first_drawn_as(chunk, value, first, y_of)
            kept.add(start + first)
    return sorted(kept)


@functools.lru_cache(maxsize=64)
def _columns(count: int, columns: int) -> tuple[tuple[int, int], ...]:
    """The (start, end) of each column's runs, none empty (`count` > 2 x `columns`)."""
    size = count / columns
    return tuple((round(c * size), round((c + 1) * size)) for c in range(columns))


def _first_drawn_as(
    chunk: Sequence[float], value: float, first: int, y_of: Callable[[float], float]
) -> int:
    """The first index in `chunk` whose y is that of `value`, its extreme at `first`, when
    runs before it may share that rounded y (the caller has ruled the rest out)."""
    target = y_of(value)
    return next(
        (index for index, other in enumerate(chunk[:first]) if y_of(other) == target), first
    )


@functools.lru_cache(maxsize=64)
def _x_texts(runs: int) -> tuple[str, ...]:
    """The x of each of `runs` equally spaced runs as the polyline spells it, with its comma
    (every chart of a report, and most reports, have the same number of runs)."""
    left, right = 8.0, WIDTH - 8.0
    step = (right - left) / (runs - 1)
    return tuple(f"{round(left + index * step, 2):g}," for index in range(runs))


def trend_chart(
    key: str,
    title: str,
    values: Sequence[tuple[str, str, float | None]],
    fmt: Callable[[float | None], str],
    unit: str = "runs",
) -> TrendChart | None:
    """A line over the runs (equally spaced, oldest left); None when fewer than 2 values.

    `values` holds (moment for the tooltip, x-axis label, value) per run (or per `unit`: the
    periods of a report), oldest first. The
    y axis starts at zero, so 351 → 378 looks like the 7% it is, not like a crash; it goes
    below zero only for negative values. Grid lines at zero, half and the top carry labels.
    """
    tooltips = [when for when, _, _ in values]
    labels = [day for _, day, _ in values]
    return run_chart(key, title, tooltips, labels, [value for _, _, value in values], fmt, unit)


def run_chart(
    key: str,
    title: str,
    tooltips: Sequence[str],
    labels: Sequence[str],
    raw: Sequence[float | None],
    fmt: Callable[[float | None], str],
    unit: str = "runs",
) -> TrendChart | None:
    """`trend_chart` of runs given as columns (a long history builds no tuple per run)."""
    if None in raw:
        runs: Sequence[int] = [index for index, value in enumerate(raw) if value is not None]
        numbers: list[float] = [raw[index] for index in runs]  # type: ignore[misc]
    else:  # every run has a value (the usual case)
        runs, numbers = range(len(raw)), list(raw)  # type: ignore[arg-type]
    if len(runs) < 2:
        return None
    axis = TREND_HEIGHT - 26
    left, right, top, bottom = 8.0, WIDTH - 8.0, 24.0, float(axis)
    low_value, high_value = min(numbers), max(numbers)
    low, high = min(0.0, low_value), max(0.0, high_value)
    span = high - low
    step = (right - left) / (len(runs) - 1)
    height = bottom - top

    def y_of(value: float) -> float:
        # All zero: the line lies on the baseline, where zero is.
        return round(bottom - ((value - low) / span if span else 0.0) * height, 2)

    def x_of(index: int) -> float:
        return round(left + index * step, 2)

    # A long history draws few of its runs: only theirs are placed (`kept_values`).
    drawn = kept_values(numbers, y_of, height / span if span else 0.0)
    xs = _x_texts(len(runs))
    shown = range(len(runs)) if len(runs) <= MAX_DOTS else (0, len(runs) - 1)
    points = tuple(
        TrendPoint(
            x_of(index), y_of(numbers[index]), f"{tooltips[runs[index]]}: {fmt(numbers[index])}"
        )
        for index in shown
    )
    marks = [low, high] if span else [low]
    if span:
        marks.insert(1, low + span / 2)
    ticks = tuple(TrendTick(y_of(mark), fmt(mark)) for mark in marks)
    first, last = labels[runs[0]], labels[runs[-1]]
    lowest, highest, latest = fmt(low_value), fmt(high_value), fmt(numbers[-1])
    description = (
        f"{title} over {len(runs)} {unit} from {first} to {last}: "
        f"lowest {lowest}, highest {highest}, latest {latest}."
    )
    return TrendChart(
        key=key,
        title=title,
        description=description,
        width=WIDTH,
        height=TREND_HEIGHT,
        points=points,
        polyline=" ".join([xs[index] + format(y_of(numbers[index]), "g") for index in drawn]),
        axis_y=y_of(0.0) if low <= 0 <= high else bottom,
        ticks=ticks,
        top_text=highest,
        bottom_text=lowest,
        first_text=first,
        last_text=last,
        latest_text=latest,
    )
