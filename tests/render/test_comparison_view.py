"""What pages say about a comparison, from data.json: to date, old files, lengths, verdicts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from reportrunner.fetch.plan import build_plan
from reportrunner.model import Spec
from reportrunner.site.compareview import comparison_view
from reportrunner.site.filters import Formatter
from reportrunner.site.indexview import index_entry
from reportrunner.site.viewmodel import report_view
from reportrunner.spec.validate import request_problems

FMT = Formatter()
FIXTURE = Path(__file__).parent / "fixtures" / "data.json"


def _data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data.update(copy.deepcopy(changes))
    return data


def _won(data: dict[str, Any]) -> Any:
    return next(m for m in report_view(data, FMT).headline if m.key == "value_total_won")


def test_running_month_is_judged_against_the_same_span_and_shows_the_whole_month() -> None:
    data = _data()
    versus = comparison_view(data, FMT)
    assert versus is not None and versus.kind == "to-date" and versus.judged
    won = _won(data)
    assert (
        won.compared
        == data["responses"]["totals"]["compared_to_date"]["aggregations"]["value_total_won"]
    )
    assert won.full_text == "$306,000.00" and won.judgement == "better"
    assert won.change_text == "▲ up $59,100.00 (21%) (better)"
    view = report_view(data, FMT)
    assert view.progress_text == "month to date, day 30 of 30"
    zoe = next(u for u in view.users if u.name == "Zoë Ødegaard")
    assert zoe.won_judgement == "worse" and "56,700.00" in zoe.won_delta_text


def test_an_old_data_json_without_the_to_date_answer_is_shown_but_not_judged() -> None:
    data = _data()
    del data["responses"]["totals"]["compared_to_date"]
    del data["windows"]["compared_to_date"]
    versus = comparison_view(data, FMT)
    assert versus is not None and not versus.judged and versus.role == "compared"
    assert "not judged until the month ends" in versus.note
    won = _won(data)
    assert won.judgement == "none" and won.verdict == "not judged"
    assert won.change_text == "▲ up $28,500.00 (9%) (not judged)"


def test_full_period_choice_is_not_judged_while_the_month_runs() -> None:
    data = _data(comparison="full-period")
    versus = comparison_view(data, FMT)
    assert versus is not None and versus.kind == "full-period" and not versus.judged
    assert "as this report asks" in versus.note and versus.label == "All of last month"


def test_a_month_against_a_year_shows_both_figures_and_says_why_there_is_no_verdict() -> None:
    year = {"kind": "relative", "value": "last-year"}
    year |= {"start": "2025-01-01T00:00:00+01:00", "end": "2026-01-01T00:00:00+01:00"}
    data = _data()
    data["windows"]["compared"] = year
    versus = comparison_view(data, FMT)
    assert versus is not None and versus.kind == "different-lengths" and not versus.judged
    assert "differ in length" in versus.note
    won = _won(data)
    assert won.compared_text == "$306,000.00" and won.delta_text == "" and won.verdict == ""
    # Per-day rates, labelled, instead of a verdict: fetched Nov 30 10:00 in Berlin, so this
    # month has run 29 days and 10 hours; last year had 365 days.
    per_day_now = 33450000 / (29 + 10 / 24) / 100
    assert won.rate_text == f"Per day: ${per_day_now:,.2f} · last year $838.36"
    headline = {m.key: m for m in report_view(data, FMT).headline}
    assert headline["count_win_rate"].rate_text == "", "ratios have no per-day rate"
    # An average or a velocity does not add up over days: a "per day" of it means nothing.
    for key in ("average_value_annualized_per_won_opportunity", "sales_velocity"):
        assert key in headline and headline[key].rate_text == "", key
    assert headline["count"].rate_text.startswith("Per day: ")


def test_the_index_row_says_why_a_month_against_a_year_has_no_change() -> None:
    """Without it, a row with no arrows reads as "nothing changed"."""
    year = {"kind": "relative", "value": "last-year"}
    year |= {"start": "2025-01-01T00:00:00+01:00", "end": "2026-01-01T00:00:00+01:00"}
    data = _data()
    data["windows"]["compared"] = year
    entry = index_entry("x", "X", "specs/x.yaml", "ok", None, report_view(data, FMT), {})
    assert entry.comparison_note == "Not judged against last year: the periods differ in length."
    assert all(metric.delta_text == "" for metric in entry.headline)
    # Like for like (or to date): the arrows say it all, no note.
    like = index_entry("x", "X", "specs/x.yaml", "ok", None, report_view(_data(), FMT), {})
    assert like.comparison_note == ""


def test_finished_periods_are_like_for_like() -> None:
    data = _data(fetched_at="2026-12-03T09:00:00Z")
    versus = comparison_view(data, FMT)
    assert versus is not None and versus.kind == "like-for-like" and versus.judged
    assert report_view(data, FMT).progress_text == ""
    assert _won(data).change_text == "▲ up $28,500.00 (9%) (better)"


def _spec(**request: Any) -> Spec:
    body = {"pipeline": "pipe_4vukv2FUlFh9FDiVYAop1U", "type": "created-cohort"} | request
    return Spec(id="x", title="x", request=body, source="specs/x.yaml", timezone="Europe/Berlin")


def test_plan_adds_a_to_date_request_that_close_accepts_only_when_needed() -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 12, 2, 3, 13, tzinfo=timezone.utc)
    month = _spec(cohort_relative_range="this-month", compared_relative_range="last-month")
    (report,) = build_plan([month], now).reports
    extra = [r for r in report.requests if r.role == "compared_to_date"]
    assert [r.endpoint for r in extra] == ["totals", "stages"]
    assert extra[0].body["compared_custom_range"] == {
        "start": "2026-11-01T00:00:00+01:00",
        "end": "2026-11-02T04:13:00+01:00",
    }
    assert "compared_relative_range" not in extra[0].body
    assert [p for p in request_problems(extra[0].body) if p.severity == "error"] == []
    assert report.windows["compared_to_date"] is not None
    full = Spec(**{**month.__dict__, "comparison": "full-period"})
    year = _spec(cohort_relative_range="this-month", compared_relative_range="last-year")
    for spec in (full, year):
        roles = {r.role for r in build_plan([spec], now).reports[0].requests}
        assert roles == {"base", "compared"}
