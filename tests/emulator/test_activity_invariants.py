"""Invariants of the activity report over real HTTP: sums, periods, and the funnel's numbers.

Per-user rows add up to the totals, per-period rows add up to the totals, and the opportunity
metrics equal what the funnel endpoints say for the same window, users and saved search
(summed over the pipelines, since activity metrics are pipeline-independent).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reportrunner.emulator import Emulator
from reportrunner.emulator.activitycatalogue import CATALOGUE, resolve
from reportrunner.windows import iso_z

ACTIVITY = "/report/activity/"
TOTALS = "/report/funnel/opportunity/totals/"
EMEA = "group_57P6QUf8b4BlepZJYgRj5W"
LARGE_DEALS = "save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239"
#: Every key whose values add up (counts and sums; not means, not distinct leads).
ADDITIVE = [
    e["key"]
    for e in CATALOGUE
    if (m := resolve(e["key"])) is not None and m.aggregation in ("count", "sum")
]


def _post(emu: Emulator, path: str, body: Any, **headers: str) -> Any:
    response = requests.post(
        emu.base_url + path, json=body, auth=("test-key", ""), headers=headers, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "extra",
    [
        {"relative_range": "last-quarter"},
        {"relative_range": "this-week", "users": [EMEA]},
        {
            "relative_range": "all-time",
            "query": {"type": "saved_search", "saved_search_id": LARGE_DEALS},
        },
        {"datetime_range": {"start": "2026-03-10T12:00:00+02:00", "end": "2026-04-02T00:00:00Z"}},
    ],
)
def test_per_user_and_per_period_sums_equal_the_totals(
    emulator: Emulator, extra: dict[str, Any]
) -> None:
    comparison = _post(emulator, ACTIVITY, {"type": "comparison", "metrics": ADDITIVE, **extra})
    overview = _post(emulator, ACTIVITY, {"type": "overview", "metrics": ADDITIVE, **extra})
    totals = comparison["aggregations"]["totals"]
    assert overview["aggregations"]["totals"] == totals
    assert totals["calls.all.all.count"] > 0
    for key in ADDITIVE:
        assert sum(row[key] for row in comparison["data"]) == totals[key], key
        assert sum(row[key] for row in overview["data"]) == totals[key], key


def test_means_are_overall_means_not_means_of_rows(emulator: Emulator) -> None:
    keys = ["calls.all.all.sum_duration", "calls.all.all.count", "calls.all.all.avg_duration"]
    body = {"type": "comparison", "relative_range": "last-month", "metrics": keys}
    totals = _post(emulator, ACTIVITY, body)["aggregations"]["totals"]
    assert totals[keys[2]] == round(totals[keys[0]] / totals[keys[1]], 2)


def _funnel_sum(emu: Emulator, body: dict[str, Any], field: str, **headers: str) -> int:
    total = 0
    for pipeline in emu.dataset.pipelines:
        answer = _post(emu, TOTALS, {**body, "pipeline": pipeline.id}, **headers)
        total += answer["aggregations"][field]
    return total


@pytest.mark.parametrize(
    ("window", "filters", "offset"),
    [
        ("last-quarter", {}, "0"),
        ("this-year", {"users": [EMEA]}, "-4"),
        ("last-month", {"query": {"type": "saved_search", "saved_search_id": LARGE_DEALS}}, "5.5"),
        ("all-time", {"users": ["user_Zq70EKmESpu6LfsL6g38YLE3KkTJw2gjGkQTMAlxUgQ"]}, "0"),
        ({"start": "2026-02-03T04:05:06-07:00", "end": "2026-06-01T00:00:00Z"}, {}, "-7"),
    ],
)
def test_opportunity_metrics_equal_the_funnels(
    emulator: Emulator, window: str | dict[str, str], filters: dict[str, Any], offset: str
) -> None:
    metrics = [
        "opportunities.won.all.count",
        "opportunities.won.all.sum_annualized_value",
        "opportunities.created.all.count",
    ]
    form = "datetime_range" if isinstance(window, dict) else "relative_range"
    body = {"type": "comparison", form: window, "metrics": metrics, **filters}
    totals = _post(emulator, ACTIVITY, body, **{"X-TZ-Offset": offset})["aggregations"]["totals"]
    active = {"type": "active-stage-cohort", f"report_{form}": window, **filters}
    cohort = {"type": "created-cohort", f"cohort_{form}": window, **filters}
    headers = {"X-TZ-Offset": offset}
    assert totals[metrics[0]] > 0
    assert totals[metrics[0]] == _funnel_sum(emulator, active, "count_total_won", **headers)
    assert totals[metrics[1]] == _funnel_sum(emulator, active, "value_total_won", **headers)
    assert totals[metrics[2]] == _funnel_sum(emulator, cohort, "count", **headers)


def test_contacted_leads_add_up_over_users_but_not_over_days(emulator: Emulator) -> None:
    key = "leads.contacted.all.count"
    body = {"relative_range": "last-month", "metrics": [key]}
    by_user = _post(emulator, ACTIVITY, {"type": "comparison", **body})
    by_day = _post(emulator, ACTIVITY, {"type": "overview", **body})
    total = by_user["aggregations"]["totals"][key]
    assert by_day["aggregations"]["totals"][key] == total > 0
    # A lead belongs to one rep, so reps' distinct leads add up; a lead touched on several
    # days is one lead in the month, so days add up to more.
    assert sum(row[key] for row in by_user["data"]) == total
    assert sum(row[key] for row in by_day["data"]) > total


def test_concurrent_first_requests_agree() -> None:
    """Months generated on first use: simultaneous first requests wait for one generation."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import datetime, timezone

    now = datetime(2026, 5, 6, 7, 8, 9, tzinfo=timezone.utc)  # a dataset no other test uses
    body = {"type": "comparison", "relative_range": "all-time", "metrics": ["calls.all.all.count"]}
    with Emulator(api_key="test-key", now=now) as emu, ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: _post(emu, ACTIVITY, body), range(6)))
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["aggregations"]["totals"]["calls.all.all.count"] > 10_000


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start_days=st.floats(min_value=-760, max_value=3),
    length_days=st.floats(min_value=0.01, max_value=800),
    offset_quarters=st.integers(min_value=-48, max_value=56),
    user_indexes=st.lists(st.integers(0, 9), max_size=3, unique=True),
    search=st.booleans(),
)
@example(start_days=-760, length_days=40, offset_quarters=-48, user_indexes=[], search=False)
@example(start_days=2, length_days=5, offset_quarters=22, user_indexes=[9], search=True)
@example(start_days=-0.2, length_days=0.01, offset_quarters=0, user_indexes=[0], search=False)
def test_any_window_zone_and_filter_keeps_the_sums(
    emulator: Emulator,
    start_days: float,
    length_days: float,
    offset_quarters: int,
    user_indexes: list[int],
    search: bool,
) -> None:
    """Random windows (partial first periods, past now, before the organisation) and zones."""
    now = emulator.current_time()
    start = now + timedelta(days=start_days)
    window = {"start": iso_z(start), "end": iso_z(start + timedelta(days=length_days))}
    body: dict[str, Any] = {"datetime_range": window, "metrics": ADDITIVE}
    if user_indexes:
        body["users"] = [emulator.dataset.users[i].id for i in user_indexes]
    if search:
        body["query"] = {"type": "saved_search", "saved_search_id": LARGE_DEALS}
    offset = {"X-TZ-Offset": str(offset_quarters / 4)}
    comparison = _post(emulator, ACTIVITY, {"type": "comparison", **body}, **offset)
    overview = _post(emulator, ACTIVITY, {"type": "overview", **body}, **offset)
    totals = comparison["aggregations"]["totals"]
    assert overview["aggregations"]["totals"] == totals
    for key in ADDITIVE:
        assert sum(row[key] for row in comparison["data"]) == totals[key], key
        assert sum(row[key] for row in overview["data"]) == totals[key], key
    starts = [datetime.fromisoformat(row["datetime"]) for row in overview["data"]]
    assert starts == sorted(starts) and all(s < now for s in starts)
    if starts:
        assert starts[0] == start  # the first period starts with the window, even partial
