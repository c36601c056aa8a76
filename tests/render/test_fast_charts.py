"""Trend lines drawn from unrounded values pick exactly the runs the rounded y would pick.

`charts.kept_values` stands in for `kept_runs` over every run's rounded y (the careful path:
round all 365 runs, then pick each column's lowest and highest). It places only the runs it
keeps, so these tests hold it to the careful path on values built to tie after rounding:
near-equal values, repeats, integers and floats mixed, negative and all-zero lines.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from reportrunner.site.charts import (
    TREND_HEIGHT,
    WIDTH,
    kept_runs,
    kept_values,
    run_chart,
)


def _y_of(values: list[float]) -> Callable[[float], float]:
    """A chart's y of a value, as `run_chart` computes it for these values."""
    bottom, top = float(TREND_HEIGHT - 26), 24.0
    low, high = min(0.0, min(values)), max(0.0, max(values))
    span, height = high - low, bottom - top
    return lambda value: round(bottom - ((value - low) / span if span else 0.0) * height, 2)


def _per_unit(values: list[float]) -> float:
    span = max(0.0, max(values)) - min(0.0, min(values))
    return (TREND_HEIGHT - 26 - 24.0) / span if span else 0.0


def _lines(pick: random.Random) -> list[list[float]]:
    runs = pick.choice([2, 40, 96, 97, 150, 365, 500])
    base = pick.choice([0, 1, 1e6, 123456.789, -5e4])
    kinds = ["noise", "near", "repeats", "ints", "steps", "zero", "mixed", "one step", "one step"]
    kind = pick.choice(kinds)
    if kind == "noise":
        line = [base + pick.uniform(-1, 1) * pick.choice([1, 1e3, 1e9]) for _ in range(runs)]
    elif kind == "near":  # differences far below one rounding step: ties everywhere
        line = [base + 1e9 + pick.randint(0, 30) for _ in range(runs)]
    elif kind == "repeats":
        line = [pick.choice([base, base + 1, base + 2.5]) for _ in range(runs)]
    elif kind == "ints":
        line = [pick.randint(0, 12) for _ in range(runs)]
    elif kind == "steps":
        line = [float(index // 17) for index in range(runs)]
    elif kind == "zero":
        line = [0.0] * runs
    elif kind == "one step":  # y 0.01 apart per unit of value: rounding decides every tie
        line = [10_000.0] + [
            4321 + pick.choice([0, 0.4, 0.5, 0.6, 1, 1.1, 1.5]) for _ in range(runs)
        ]
    else:
        line = [pick.choice([3, 3.0, 3.0000001, -2, 10**15, 1e15]) for _ in range(runs)]
    return line


def test_kept_values_are_the_careful_choice_of_rounded_runs() -> None:
    pick = random.Random(14)
    for _ in range(3000):
        line = _lines(pick)
        y_of = _y_of(line)
        columns = pick.choice([48, 48, 5, 1])
        careful = kept_runs([y_of(value) for value in line], columns)
        assert kept_values(line, y_of, _per_unit(line), columns) == careful, line


@pytest.mark.parametrize("seed", range(40))
def test_a_long_chart_is_the_one_drawn_from_every_rounded_run(seed: int) -> None:
    pick = random.Random(seed)
    line: list[float | None] = list(_lines(pick))
    if pick.random() < 0.3:
        line[pick.randrange(len(line))] = None
    tooltips = [f"t{index}" for index in range(len(line))]
    chart = run_chart("k", "K", tooltips, tooltips, line, lambda value: f"{value}")
    numbers = [value for value in line if value is not None]
    if len(numbers) < 2:
        assert chart is None
        return
    assert chart is not None
    y_of = _y_of(numbers)
    ys = [y_of(value) for value in numbers]  # the careful path: every run rounded
    step = (WIDTH - 16.0) / (len(numbers) - 1)
    careful = " ".join(f"{round(8.0 + i * step, 2):g},{ys[i]:g}" for i in kept_runs(ys))
    assert chart.polyline == careful
    assert [point.y for point in chart.points] == [
        ys[i] for i in (range(len(ys)) if len(ys) <= 40 else (0, len(ys) - 1))
    ]
