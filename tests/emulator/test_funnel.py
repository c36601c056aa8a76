"""Funnel arithmetic: Close's documented example reproduced exactly, and the invariants."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportrunner.emulator import funnel, org
from reportrunner.emulator.dataset import LOST, Dataset, Opportunity, generate

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
UTC = timezone.utc
RANGES = ("today", "this-week", "this-month", "last-month", "last-quarter", "this-year", "all-time")
TOTAL_SUMS = (
    "count",
    "count_total_complete",
    "count_total_won",
    "value_total_complete",
    "value_total_won",
)
STAGE_SUMS = ("count", "count_lost", "value", "value_lost", "weighted_value")
RATES = (
    "count_win_rate",
    "value_win_rate",
    "count_conversion_rate",
    "count_lost_ratio",
    "value_conversion_rate",
    "value_lost_ratio",
    "weighted_value_conversion_rate",
)


# --- Close's documented example (close-api.md §2.4, §2.5) ---------------------------------------

U1 = "user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA"
U2 = "user_Ova4RGFG7pztSeJiiMFdN7O2MFl71nD0uGO3bIOo4Wk"
PIPE = org.Pipeline(
    "pipe_4vukv2FUlFh9FDiVYAop1U",
    "Example",
    (
        org.Status("stat_initial", "Initial", "active"),
        org.Status("stat_won", "Won", "won"),
        org.Status("stat_lost", "Lost", "lost"),
    ),
)


def _example_dataset() -> Dataset:
    created = datetime(2019, 1, 2, 10, 0, tzinfo=UTC).timestamp()
    common: dict[str, Any] = {
        "pipeline_id": PIPE.id,
        "lead_source": "website",
        "created": created,
        "value": 1_000_000,
        "value_period": "one_time",
        "annualized": 1_000_000,
        "confidence": 50,
    }
    won = Opportunity(
        id="oppo_1", user_id=U1, stages=(0, 1), times=(created, created + 3600), **common
    )
    lost = Opportunity(
        id="oppo_2", user_id=U2, stages=(0, LOST), times=(created, created + 7200), **common
    )
    users = tuple(u for u in org.USERS if u.id in (U1, U2))
    return Dataset(
        seed=0, now=NOW, opportunities=(won, lost), users=users, groups=(), pipelines=(PIPE,)
    )


EXAMPLE_TOTALS = {
    "count": 2,
    "count_total_complete": 2,
    "count_total_won": 1,
    "count_win_rate": 0.5,
    "value_total_complete": 2_000_000,
    "value_total_won": 1_000_000,
    "value_win_rate": 0.5,
    "average_time_to_win": 3600,
    "average_value_annualized_per_won_opportunity": 1_000_000,
    "sales_velocity": 1_000_000,
}
EXAMPLE_USER2 = {
    "count": 1,
    "count_total_complete": 1,
    "count_total_won": 0,
    "count_win_rate": 0.0,
    "value_total_complete": 1_000_000,
    "value_total_won": 0,
    "value_win_rate": 0.0,
    "average_time_to_win": None,
    "average_value_annualized_per_won_opportunity": 0,
    "sales_velocity": 0,
}


@pytest.mark.parametrize("report_type", ["active-stage-cohort", "created-cohort"])
def test_documented_example_is_reproduced(report_type: str) -> None:
    dataset = _example_dataset()
    window = {"start": "2019-01-01T00:00:00Z", "end": "2019-01-08T00:00:00Z"}
    stem = "report" if report_type == "active-stage-cohort" else "cohort"
    body = {"pipeline": PIPE.id, "type": report_type, f"{stem}_datetime_range": window}
    scope = funnel.resolve_scope(dataset, body, UTC, NOW)
    totals = funnel.totals_report(dataset, scope)
    assert totals["aggregations"] == EXAMPLE_TOTALS
    rows = {row.pop("user_id"): row for row in totals["data"]}
    assert rows[U2] == EXAMPLE_USER2
    assert rows[U1]["count_win_rate"] == 1 and rows[U1]["sales_velocity"] == 1_000_000
    stages = funnel.stages_report(dataset, scope)["aggregations"]["stages"]
    initial, won = stages
    assert initial == {
        "status": {"id": "stat_initial", "label": "Initial", "type": "active"},
        "count": 2,
        "count_lost": 1,
        "count_conversion_rate": 0.5,
        "count_lost_ratio": 0.5,
        "value": 2_000_000,
        "value_lost": 1_000_000,
        "value_conversion_rate": 0.5,
        "value_lost_ratio": 0.5,
        "weighted_value": 1_000_000,
        "weighted_value_conversion_rate": 1.0,
        "average_time_to_advance": 3600,
    }
    assert won["count"] == 1 and won["value"] == 1_000_000 and won["weighted_value"] == 1_000_000
    assert won["count_conversion_rate"] == 0 and won["count_lost"] == 0
    assert won["average_time_to_advance"] is None


def test_empty_user_has_null_rates_and_zero_money() -> None:
    dataset = _example_dataset()
    window = {"start": "2020-01-01T00:00:00Z", "end": "2020-01-08T00:00:00Z"}
    body = {"pipeline": PIPE.id, "type": "created-cohort", "cohort_datetime_range": window}
    scope = funnel.resolve_scope(dataset, body, UTC, NOW)
    totals = funnel.totals_report(dataset, scope)["aggregations"]
    assert totals["count"] == 0 and totals["count_win_rate"] is None
    assert totals["average_time_to_win"] is None and totals["sales_velocity"] == 0
    for stage in funnel.stages_report(dataset, scope)["aggregations"]["stages"]:
        assert stage["count"] == 0
        assert all(stage[name] is None for name in RATES if name in stage)


# --- invariants over the synthetic organization -------------------------------------------------


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return generate(1, NOW)


def _bodies(dataset: Dataset) -> list[dict[str, Any]]:
    bodies = []
    group = dataset.groups[0]
    filters: list[dict[str, Any]] = [
        {},
        {"users": [dataset.users[0].id, dataset.users[-1].id]},
        {"users": [group.id]},
        {"query": {"type": "saved_search", "saved_search_id": dataset.saved_searches[0].id}},
    ]
    for pipeline, kind, name, extra in itertools.product(
        dataset.pipelines, ("created-cohort", "active-stage-cohort"), RANGES, filters
    ):
        stem = "cohort" if kind == "created-cohort" else "report"
        bodies.append(
            {"pipeline": pipeline.id, "type": kind, f"{stem}_relative_range": name, **extra}
        )
    return bodies


def _check_totals(report: dict[str, Any]) -> None:
    for name in TOTAL_SUMS:
        assert sum(row[name] for row in report["data"]) == report["aggregations"][name], name
    for row in [report["aggregations"], *report["data"]]:
        assert 0 <= row["count_total_won"] <= row["count_total_complete"] <= row["count"]
        for name in ("count_win_rate", "value_win_rate"):
            assert row[name] is None or 0 <= row[name] <= 1, (name, row)
        assert (row["average_time_to_win"] is None) == (row["count_total_won"] == 0)


def _check_stages(report: dict[str, Any], created: bool) -> None:
    aggregate = report["aggregations"]["stages"]
    for index, stage in enumerate(aggregate):
        for name in STAGE_SUMS:
            total = sum(row["stages"][index][name] for row in report["data"])
            assert total == stage[name], name
    for stages in [aggregate, *(row["stages"] for row in report["data"])]:
        assert stages[-1]["status"]["type"] == "won"
        assert all(s["status"]["type"] == "active" for s in stages[:-1])
        for stage in stages:
            assert 0 <= stage["count_lost"] <= stage["count"]
            for name in RATES:
                value = stage.get(name)
                assert value is None or 0 <= value <= 1, (name, stage)
            assert (stage["count_conversion_rate"] is None) == (stage["count"] == 0)
        if created:
            counts = [s["count"] for s in stages]
            assert counts == sorted(counts, reverse=True), counts


def test_invariants_hold_for_every_range_filter_and_type(dataset: Dataset) -> None:
    bodies = _bodies(dataset)
    assert len(bodies) >= 100
    for body in bodies:
        scope = funnel.resolve_scope(dataset, body, UTC, NOW)
        _check_totals(funnel.totals_report(dataset, scope))
        _check_stages(funnel.stages_report(dataset, scope), body["type"] == "created-cohort")


def test_stage_count_matches_totals_for_created_cohort(dataset: Dataset) -> None:
    body = {
        "pipeline": dataset.pipelines[0].id,
        "type": "created-cohort",
        "cohort_relative_range": "last-quarter",
    }
    scope = funnel.resolve_scope(dataset, body, UTC, NOW)
    totals = funnel.totals_report(dataset, scope)["aggregations"]
    stages = funnel.stages_report(dataset, scope)["aggregations"]["stages"]
    assert stages[0]["count"] == totals["count"]  # everybody starts in the first stage
    assert stages[-1]["count"] == totals["count_total_won"]
    assert (
        sum(s["count_lost"] for s in stages)
        == totals["count_total_complete"] - totals["count_total_won"]
    )


def test_users_filter_returns_only_those_users_and_expands_groups(dataset: Dataset) -> None:
    group = dataset.groups[1]
    pick = dataset.users[0].id
    body = {
        "pipeline": dataset.pipelines[0].id,
        "type": "created-cohort",
        "cohort_relative_range": "this-year",
        "users": [group.id, pick],
    }
    scope = funnel.resolve_scope(dataset, body, UTC, NOW)
    rows = funnel.totals_report(dataset, scope)["data"]
    assert {row["user_id"] for row in rows} == {*group.member_ids, pick}
    everybody = dict(body, users=[])
    all_rows = funnel.totals_report(dataset, funnel.resolve_scope(dataset, everybody, UTC, NOW))
    assert len(all_rows["data"]) > len(rows)


def test_per_user_rows_include_active_users_with_nothing(dataset: Dataset) -> None:
    renewals = dataset.pipelines[1]
    body = {"pipeline": renewals.id, "type": "created-cohort", "cohort_relative_range": "all-time"}
    rows = funnel.totals_report(dataset, funnel.resolve_scope(dataset, body, UTC, NOW))["data"]
    counts = {row["user_id"]: row["count"] for row in rows}
    assert set(counts) >= {u.id for u in dataset.users if u.active}
    assert 0 in counts.values()  # Yuki sells only new business
    names = [dataset.user(uid).full_name.casefold() for uid in counts]  # type: ignore[union-attr]
    assert names == sorted(names)


def test_saved_search_selects_a_real_subset(dataset: Dataset) -> None:
    base = {
        "pipeline": dataset.pipelines[0].id,
        "type": "created-cohort",
        "cohort_relative_range": "all-time",
    }
    everything = funnel.totals_report(dataset, funnel.resolve_scope(dataset, base, UTC, NOW))
    for search in dataset.saved_searches:
        body = dict(base, query={"type": "saved_search", "saved_search_id": search.id})
        subset = funnel.totals_report(dataset, funnel.resolve_scope(dataset, body, UTC, NOW))
        count = subset["aggregations"]["count"]
        assert 0 < count < everything["aggregations"]["count"], search.name


def test_offsets_change_windows_around_midnight(dataset: Dataset) -> None:
    # 23:30 UTC: in UTC+2 it is already tomorrow, so "today" covers different opportunities.
    late = datetime(2026, 11, 17, 23, 30, tzinfo=UTC)
    data = generate(1, late)
    body = {
        "pipeline": data.pipelines[0].id,
        "type": "active-stage-cohort",
        "report_relative_range": "yesterday",
    }
    utc = funnel.resolve_scope(data, body, UTC, late)
    plus2 = funnel.resolve_scope(data, body, timezone(timedelta(hours=2)), late)
    assert utc.report != plus2.report
    assert funnel.totals_report(data, utc) != funnel.totals_report(data, plus2)


def test_compared_windows(dataset: Dataset) -> None:
    pipe = dataset.pipelines[0].id
    base = {"pipeline": pipe, "type": "created-cohort", "cohort_relative_range": "this-month"}
    compared = dict(base, compared_relative_range="last-month")
    direct = dict(base, cohort_relative_range="last-month")
    report = lambda body: funnel.totals_report(  # noqa: E731
        dataset, funnel.resolve_scope(dataset, body, UTC, NOW)
    )
    assert report(compared) == report(direct)
    window = {"start": "2026-10-01T00:00:00Z", "end": "2026-10-15T00:00:00Z"}
    shifted = {"start": "2026-09-01T00:00:00Z", "end": "2026-09-15T00:00:00Z"}
    same_days = {
        "pipeline": pipe,
        "type": "active-stage-cohort",
        "report_datetime_range": window,
        "compared_datetime_range": "same-days-last-month",
    }
    plain = {"pipeline": pipe, "type": "active-stage-cohort", "report_datetime_range": shifted}
    assert report(same_days) == report(plain)
    custom = dict(base, compared_custom_range=shifted)
    by_hand = {"pipeline": pipe, "type": "created-cohort", "cohort_datetime_range": shifted}
    assert report(custom) == report(by_hand)
    assert report(custom) != report(base)


def test_unknown_ids_are_rejected_on_their_field(dataset: Dataset) -> None:
    base = {
        "pipeline": dataset.pipelines[0].id,
        "type": "created-cohort",
        "cohort_relative_range": "all-time",
    }
    cases = {
        "pipeline": dict(base, pipeline="pipe_unknown"),
        "users": dict(base, users=["user_unknown"]),
        "query": dict(base, query={"type": "saved_search", "saved_search_id": "save_nope"}),
    }
    for field, body in cases.items():
        with pytest.raises(funnel.RequestInvalid) as caught:
            funnel.resolve_scope(dataset, body, UTC, NOW)
        assert caught.value.field_errors == {field: "Object does not exist."}


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start_days=st.floats(min_value=-800, max_value=5),
    length_days=st.floats(min_value=0.001, max_value=400),
    report_type=st.sampled_from(["created-cohort", "active-stage-cohort"]),
    pipeline_index=st.integers(0, 1),
    user_indexes=st.lists(st.integers(0, len(org.USERS) - 1), max_size=4, unique=True),
    with_report_end=st.booleans(),
)
def test_invariants_for_arbitrary_windows(
    dataset: Dataset,
    start_days: float,
    length_days: float,
    report_type: str,
    pipeline_index: int,
    user_indexes: list[int],
    with_report_end: bool,
) -> None:
    start = NOW + timedelta(days=start_days)
    end = start + timedelta(days=length_days)
    window = {"start": start.isoformat(), "end": end.isoformat()}
    body: dict[str, Any] = {"pipeline": dataset.pipelines[pipeline_index].id, "type": report_type}
    if report_type == "created-cohort":
        body["cohort_datetime_range"] = window
        if with_report_end:
            report_end = end + timedelta(days=30)
            body["report_datetime_range"] = {
                "start": start.isoformat(),
                "end": report_end.isoformat(),
            }
    else:
        body["report_datetime_range"] = window
    if user_indexes:
        body["users"] = [dataset.users[i].id for i in user_indexes]
    scope = funnel.resolve_scope(dataset, body, UTC, NOW)
    totals = funnel.totals_report(dataset, scope)
    _check_totals(totals)
    stages = funnel.stages_report(dataset, scope)
    _check_stages(stages, report_type == "created-cohort")
    if user_indexes:
        assert {row["user_id"] for row in totals["data"]} == set(body["users"])
    if report_type == "created-cohort":
        assert stages["aggregations"]["stages"][0]["count"] == totals["aggregations"]["count"]
