"""What an activity page shows, from data.json: arrows by the metric's direction, periods, ranks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from reportrunner.kinds import kind_named
from reportrunner.kinds.activity.view import ActivityView, activity_view
from reportrunner.site.filters import Formatter

FIXTURES = Path(__file__).resolve().parents[1] / "render" / "fixtures"
FMT = Formatter("en_US")


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def overview() -> dict[str, Any]:
    return load("activity-overview")


@pytest.fixture
def comparison() -> dict[str, Any]:
    return load("activity-comparison")


def cards(view: ActivityView) -> dict[str, tuple[str, str, str]]:
    return {m.key: (m.text, m.delta_text, m.judgement) for m in view.headline}


def test_a_running_week_is_judged_against_the_same_span_by_each_metric_s_direction(
    overview: dict[str, Any],
) -> None:
    view = activity_view(overview, FMT)
    assert view.comparison is not None and view.comparison.kind == "to-date"
    assert view.comparison.label == "Same span of the previous period"
    assert "Nov 23 – 25, 2026" in view.comparison.note.replace("\u2009", " ")
    assert cards(view) == {
        "calls.outbound.all.count": ("110", "▲ up 12 (12%)", "better"),
        "calls.outbound.all.avg_duration": ("3 minutes", "▲ up 1.5 seconds (1%)", "better"),
        "emails.sent.all.count": ("293", "▲ up 32 (12%)", "better"),
        # More lost deals is bad news: the catalogue says so, not the template.
        "opportunities.lost.all.count": ("3", "▲ up 2 (200%)", "worse"),
    }
    # The whole previous week is shown beside the to-date figure.
    assert [m.full_text for m in view.headline] == ["191", "2.7 minutes", "495", "2"]
    assert view.progress_text == "week to date, day 3 of 7"


def test_an_overview_draws_one_chart_per_metric_over_the_periods_so_far(
    overview: dict[str, Any],
) -> None:
    view = activity_view(overview, FMT)
    # Close's answer has all seven days; the four after the fetch have not happened yet.
    # The day still running is said to be so: its low numbers are not a slump.
    assert [row.label for row in view.periods] == [
        "Nov 30, 2026",
        "Dec 1, 2026",
        "Dec 2, 2026 (so far)",
    ]
    assert [chart.title for chart in view.charts] == [
        "Outbound Calls - All Types by period",
        "Outbound Calls - Average Duration by period",
        "Sent Emails - All Types by period",
        "Opportunities - Lost by period",
    ]
    calls = view.charts[0]
    assert calls.latest_text == "17" and calls.top_text == "51"
    assert "over 3 periods from Nov 30, 2026 to Dec 2, 2026" in calls.description
    assert view.leaders == []
    assert view.csv is not None
    assert view.csv.header[:2] == ["period_start", "calls.outbound.all.count"]
    assert "calls.outbound.all.avg_duration_seconds" in view.csv.header
    assert [row[0] for row in view.csv.rows] == [
        "2026-11-30T00:00:00+01:00",
        "2026-12-01T00:00:00+01:00",
        "2026-12-02T00:00:00+01:00",
    ]


def test_periods_dated_in_utc_read_as_the_report_s_days(overview: dict[str, Any]) -> None:
    rows = overview["responses"]["activity"]["base"]["data"]
    for row in rows:
        row["datetime"] = row["datetime"].replace("T00:00:00+01:00", "T00:00:00+00:00")
        # Close wrote the Berlin days as UTC midnights: 01:00 in Berlin, the same day.
    view = activity_view(overview, FMT)
    assert view.periods[0].label.startswith("Nov 30, 2026")


def test_weekly_and_monthly_periods_are_labelled_by_their_days(overview: dict[str, Any]) -> None:
    base = overview["responses"]["activity"]["base"]
    base["data"] = [
        {"datetime": "2026-09-01T00:00:00+02:00", "calls.outbound.all.count": 1},
        {"datetime": "2026-10-01T00:00:00+02:00", "calls.outbound.all.count": 2},
        {"datetime": "2026-11-01T00:00:00+01:00", "calls.outbound.all.count": 3},
    ]
    overview["windows"]["report"].update(
        start="2026-09-01T00:00:00+02:00", end="2027-01-01T00:00:00+01:00"
    )
    labels = [row.label.replace("\u2009", " ") for row in activity_view(overview, FMT).periods]
    assert labels == ["Sep 1 – 30, 2026", "Oct 1 – 31, 2026", "Nov 1 – 30, 2026"]


def test_the_leaderboard_ranks_reps_with_their_share_of_the_team(
    comparison: dict[str, Any],
) -> None:
    view = activity_view(comparison, FMT)
    board = [(row.rank, row.name, row.text["calls.outbound.all.count"]) for row in view.leaders]
    # Two reps with 120 calls share first place; names break the tie in the order shown.
    assert board == [
        (1, "Ava Thompson", "120"),
        (1, "Zoë Ødegaard", "120"),
        (3, "Noah Müller", "95"),
        (4, "Liam O'Brien", "0"),
    ]
    shares = [row.share["calls.outbound.all.count"] or 0 for row in view.leaders]
    assert sum(shares) == pytest.approx(1.0)
    assert view.leaders[0].share_text["opportunities.won.all.sum_annualized_value"] == "70%"
    # The per-rep change of the first metric; a rep with no row last month has none.
    assert [(row.change_text, row.judgement) for row in view.leaders] == [
        ("▲ up 20 (20%)", "better"),
        ("▲ up 60 (100%)", "better"),
        ("▼ down 15 (14%)", "worse"),
        ("n/a", "none"),
    ]
    assert view.comparison is not None and view.comparison.kind == "like-for-like"
    assert view.comparison.label == "Same days last month"
    assert view.filters == [("Groups", "EMEA"), ("Saved search", "Large deals")]


def test_averages_get_no_team_share(comparison: dict[str, Any]) -> None:
    comparison["request"]["metrics"].append("calls.outbound.all.avg_duration")
    for row in comparison["responses"]["activity"]["base"]["data"]:
        row["calls.outbound.all.avg_duration"] = 95.5
    view = activity_view(comparison, FMT)
    assert "calls.outbound.all.avg_duration" not in view.leaders[0].share
    assert view.leaders[0].text["calls.outbound.all.avg_duration"] == "1.6 minutes"
    assert view.csv is not None
    assert "calls.outbound.all.avg_duration_share" not in view.csv.header
    assert "calls.outbound.all.count_share" in view.csv.header


def test_names_fall_back_to_the_answer_s_lookup_then_to_the_id(
    comparison: dict[str, Any],
) -> None:
    comparison["names"]["users"] = {}
    base = comparison["responses"]["activity"]["base"]
    del base["lookup"]["user"]["user_liam"]
    names = [row.name for row in activity_view(comparison, FMT).leaders]
    assert names == ["Ava Thompson", "Zoë Ødegaard", "Noah Müller", "user_liam"]


def test_a_metric_the_catalogue_does_not_know_is_shown_but_never_judged(
    comparison: dict[str, Any],
) -> None:
    key = "meetings.all.all.count"
    comparison["request"]["metrics"].insert(0, key)
    comparison["responses"]["activity"]["base"]["aggregations"]["totals"][key] = 9
    comparison["responses"]["activity"]["compared"]["aggregations"]["totals"][key] = 4
    card = activity_view(comparison, FMT).headline[0]
    assert (card.label, card.text, card.delta_text) == (key, "9", "▲ up 5 (125%)")
    assert card.judgement == "none" and card.verdict == "not judged"


def test_without_compare_there_is_no_comparison(overview: dict[str, Any]) -> None:
    answers = overview["responses"]["activity"]
    del answers["compared"], answers["compared_to_date"]
    overview["windows"]["compared"] = None
    overview["compare"] = "none"
    view = activity_view(overview, FMT)
    assert view.comparison is None
    assert all(m.delta_text == "" and m.compared_text == "" for m in view.headline)
    assert view.coverage[1:] == []


def test_csv_cells_stay_text_in_a_spreadsheet(comparison: dict[str, Any]) -> None:
    comparison["names"]["users"]["user_liam"] = '=HYPERLINK("http://x","y")'
    kind = kind_named("activity")
    view = kind.view(comparison, FMT)
    from reportrunner.site.filters import csv_row

    lines = [csv_row(row) for row in view.csv.rows]
    assert any(line.startswith("user_liam,\"'=HYPERLINK(") for line in lines), lines


def test_the_snapshot_keeps_the_totals_and_the_trend_draws_them(
    overview: dict[str, Any],
) -> None:
    kind = kind_named("activity")
    first = kind.snapshot(overview)
    assert first["metrics"]["calls.outbound.all.count"] == 110
    assert first["compared_metrics"]["calls.outbound.all.count"] == 191
    later = copy.deepcopy(overview)
    later["fetched_at"] = "2026-12-03T09:30:05Z"
    later["responses"]["activity"]["base"]["aggregations"]["totals"]["calls.outbound.all.count"] = (
        160
    )
    second = kind.snapshot(later)
    view = activity_view(later, FMT, history=[first, second])
    assert view.history_runs == 2
    calls = next(chart for chart in view.trends if chart.title == "Outbound Calls - All Types")
    assert calls.latest_text == "160" and calls.first_text == "Dec 2, 2026"


def test_the_kind_s_outputs_follow_the_spec_s_formats(overview: dict[str, Any]) -> None:
    kind = kind_named("activity")
    view = kind.view(overview, FMT)
    assert kind.outputs(view, ["html", "md"]) == [
        ("index.html", "activity/report.html"),
        ("report.md", "activity/report.md"),
    ]
    assert kind.outputs(view, ["csv"]) == [("report.csv", "activity/report.csv")]


def test_compare_with_all_time_says_why_nothing_is_compared(overview: dict[str, Any]) -> None:
    answers = overview["responses"]["activity"]
    del answers["compared"], answers["compared_to_date"]
    overview["windows"] = {
        "report": {"kind": "relative", "value": "all-time", "start": None, "end": None},
        "compared": None,
    }
    view = activity_view(overview, FMT)
    assert view.comparison is None
    assert view.coverage == [
        "Activity at any time (Europe/Berlin)",
        "Not compared with the previous period: this report covers all time",
    ]
