"""The view models: windows in words, deltas, sorting, fallbacks, charts, odd data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reportrunner.model import Project
from reportrunner.site.charts import LINE_COLUMNS, downsample, trend_chart
from reportrunner.site.describe import coverage, filters_in_words
from reportrunner.site.filters import Formatter
from reportrunner.site.render import Renderer
from reportrunner.site.viewmodel import report_view

FMT = Formatter()


def _plain(lines: list[str]) -> list[str]:
    return [line.replace("\u2009", " ") for line in lines]


@pytest.mark.parametrize(
    ("windows", "request_type", "expected"),
    [
        (
            {"cohort": {"kind": "relative", "value": "all-time", "start": None, "end": None}},
            "created-cohort",
            ["Opportunities created at any time (UTC)"],
        ),
        (
            {
                "report": {
                    "kind": "datetime",
                    "start": "2026-01-01T00:00:00Z",
                    "end": "2026-04-01T00:00:00Z",
                },
                "compared": {
                    "kind": "same-days",
                    "value": "same-days-last-year",
                    "start": "2025-01-01T00:00:00Z",
                    "end": "2025-04-01T00:00:00Z",
                },
            },
            "active-stage-cohort",
            [
                "Opportunities active, won or lost in the chosen period"
                " — Jan 1 – Mar 31, 2026, UTC",
                "Compared with the same days last year — Jan 1 – Mar 31, 2025",
            ],
        ),
        (
            {
                "cohort": {
                    "kind": "relative",
                    "value": "last-quarter",
                    "start": "2026-07-01T00:00:00Z",
                    "end": "2026-10-01T00:00:00Z",
                },
                "report": {
                    "kind": "relative",
                    "value": "this-week",
                    "start": "2026-11-30T00:00:00Z",
                    "end": "2026-12-07T00:00:00Z",
                },
                "compared": {
                    "kind": "custom",
                    "start": "2026-01-01T06:00:00Z",
                    "end": "2026-01-02T18:00:00Z",
                },
            },
            "created-cohort",
            [
                "Opportunities created last quarter — Jul 1 – Sep 30, 2026, UTC",
                "Measured this week — Nov 30 – Dec 6, 2026, UTC",
                "Compared with a custom period — Jan 1, 2026, 6:00 AM – Jan 2, 2026, 6:00 PM",
            ],
        ),
    ],
)
def test_coverage_in_words(windows: dict[str, Any], request_type: str, expected: list[str]) -> None:
    data = {"windows": windows, "timezone": "UTC", "request": {"type": request_type}}
    assert [line.replace("\u202f", " ") for line in _plain(coverage(data, FMT))] == expected


def test_filters_name_users_groups_and_saved_search_with_id_fallback() -> None:
    data = {
        "request": {"users": ["user_a", "group_b", "user_unknown"]},
        "names": {
            "users": {"user_a": "Ada"},
            "groups": {"group_b": "EMEA"},
            "saved_search": {"id": "save_x", "name": "Large deals"},
        },
    }
    assert filters_in_words(data) == [
        ("Users", "Ada, user_unknown"),
        ("Groups", "EMEA"),
        ("Saved search", "Large deals"),
    ]


def test_without_comparison_there_are_no_deltas(data: dict[str, Any]) -> None:
    del data["responses"]["totals"]["compared"]
    data["windows"]["compared"] = None
    view = report_view(data, FMT)
    assert not view.has_compared
    assert all(m.delta_text == "" and m.judgement == "none" for m in view.headline)
    assert (
        "Previous period"
        not in Renderer(Project(root=Path())).report_files(view, ["md"])["report.md"]
    )


def test_judgement_knows_that_a_shorter_time_to_win_is_better(data: dict[str, Any]) -> None:
    view = report_view(data, FMT)
    by_key = {m.key: m for m in view.headline}
    assert by_key["average_time_to_win"].direction == "down"
    assert by_key["average_time_to_win"].judgement == "better"
    assert by_key["average_value_annualized_per_won_opportunity"].judgement == "worse"


def test_users_sorted_by_won_value_and_names_fall_back_to_ids(data: dict[str, Any]) -> None:
    rows = data["responses"]["totals"]["base"]["data"]
    rows.append({"user_id": "user_gone", "value_total_won": None, "count": 1})
    view = report_view(data, FMT)
    won = [u.raw["value_total_won"] or 0 for u in view.users]
    assert won == sorted(won, reverse=True)
    gone = next(u for u in view.users if u.id == "user_gone")
    assert gone.name == "user_gone" and gone.text["count_win_rate"] == "n/a"


def test_stage_label_falls_back_to_the_names_table(data: dict[str, Any]) -> None:
    stage = data["responses"]["stages"]["base"]["aggregations"]["stages"][0]
    stage["status"] = {"id": stage["status"]["id"]}
    assert report_view(data, FMT).stages[0].label == "Qualified"


def test_minimal_data_renders_every_format(data: dict[str, Any]) -> None:
    minimal = {
        "id": "minimal",
        "fetched_at": "2026-11-30T09:00:00Z",
        "responses": {
            "totals": {"base": {"aggregations": {}, "data": []}},
            "stages": {"base": {"aggregations": {"stages": []}, "data": []}},
        },
    }
    renderer = Renderer(Project(root=Path()))
    view = report_view(minimal, renderer.formatter)
    files = renderer.report_files(view, ["html", "md", "csv"])
    assert set(files) == {"index.html", "report.md", "report.csv", "stages.csv"}
    assert all(m.text == "n/a" for m in view.headline)
    assert files["report.csv"].count("\r\n") == 1  # the header only


def test_trend_chart_geometry() -> None:
    fmt = FMT.count
    assert trend_chart("count", "Opportunities", [("a", "a", 3)], fmt) is None
    assert trend_chart("count", "Opportunities", [("a", "a", 3), ("b", "b", None)], fmt) is None
    rising = trend_chart(
        "count", "Opportunities", [("a", "d1", 1), ("b", "d2", None), ("c", "d3", 9)], fmt
    )
    assert rising is not None
    assert [p.x for p in rising.points] == [8.0, 392.0]
    assert rising.points[0].y > rising.points[1].y, "higher values are drawn higher"
    assert rising.first_text == "d1" and rising.last_text == "d3" and rising.latest_text == "9"
    # Zero is the baseline, and the grid lines are labelled 0, half and the top.
    assert [tick.text for tick in rising.ticks] == ["0", "4", "9"]
    assert rising.ticks[0].y == rising.axis_y == 124
    assert rising.ticks[-1].y == rising.points[1].y == 24


def test_a_small_change_looks_small_because_the_axis_starts_at_zero() -> None:
    chart = trend_chart("count", "Opportunities", [("a", "d1", 351), ("b", "d2", 378)], FMT.count)
    assert chart is not None
    drop = chart.points[0].y - chart.points[1].y
    assert drop < 0.1 * (chart.axis_y - chart.points[1].y), "351 → 378 is a 7% rise, drawn so"
    flat = trend_chart("count", "Opportunities", [("a", "d1", 0), ("b", "d2", 0)], FMT.count)
    assert flat is not None and {p.y for p in flat.points} == {flat.axis_y}
    below = trend_chart("money", "Velocity", [("a", "d1", -5), ("b", "d2", 5)], FMT.count)
    assert below is not None and below.ticks[0].text == "-5" and below.axis_y == 74


def test_a_long_history_draws_every_run_but_dots_only_its_ends() -> None:
    values = [(f"run {i}", f"d{i}", float(i)) for i in range(2 * LINE_COLUMNS)]
    chart = trend_chart("count", "Opportunities", values, FMT.count)
    assert chart is not None and len(chart.polyline.split()) == 2 * LINE_COLUMNS
    assert [p.label for p in chart.points] == ["run 0: 0", "run 95: 95"]
    short = trend_chart("count", "Opportunities", values[:40], FMT.count)
    assert short is not None and len(short.points) == 40


def test_a_year_of_runs_draws_a_line_of_at_most_98_points_keeping_every_spike() -> None:
    values: list[tuple[str, str, float | None]] = [
        (f"run {i}", f"d{i}", float(100 + i % 7)) for i in range(365)
    ]
    values[200] = ("run 200", "d200", 900.0)  # a spike in one run
    values[201] = ("run 201", "d201", 0.0)  # and a dip right after it
    values[300] = ("run 300", "d300", None)  # a run without the figure is not drawn
    chart = trend_chart("count", "Opportunities", values, FMT.count)
    assert chart is not None
    drawn = [tuple(float(n) for n in point.split(",")) for point in chart.polyline.split()]
    assert len(drawn) <= 2 * LINE_COLUMNS + 2  # two per column, and both ends
    assert [x for x, _ in drawn] == sorted({x for x, _ in drawn})  # left to right, once each
    xs = {round(8 + i * 384 / 363, 2) for i in (0, 363)}  # 364 known runs: both ends
    assert xs <= {x for x, _ in drawn}
    assert min(y for _, y in drawn) == 24.0  # the spike reaches the top
    assert max(y for _, y in drawn) == 124.0  # the dip reaches the baseline
    # The words come from every run, not from the points drawn.
    assert "over 364 runs" in chart.description and "highest 900" in chart.description


def test_downsample_keeps_a_short_line_whole() -> None:
    line = [(float(i), float(i % 3)) for i in range(2 * LINE_COLUMNS)]
    assert downsample(line) == line
    longer = [*line, (999.0, 5.0)]
    # Four columns of 24: each one's lowest (y 0) and highest (y 2; the last: the 5) point.
    kept = [longer.index(point) for point in downsample(longer, columns=4)]
    assert kept == [0, 2, 24, 26, 48, 50, 75, 96]
