"""Invariants of the activity report over real HTTP: sums, periods, and the funnel's numbers.

Per-user rows add up to the totals, per-period rows add up to the totals, and the opportunity
metrics equal what the funnel endpoints say for the same window, users and saved search
(summed over the pipelines, since activity metrics are pipeline-independent).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from reportrunner.emulator import Emulator
from reportrunner.emulator.activitycatalogue import CATALOGUE, resolve

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
    ],
)
def test_opportunity_metrics_equal_the_funnels(
    emulator: Emulator, window: str, filters: dict[str, Any], offset: str
) -> None:
    metrics = [
        "opportunities.won.all.count",
        "opportunities.won.all.sum_annualized_value",
        "opportunities.created.all.count",
    ]
    body = {"type": "comparison", "relative_range": window, "metrics": metrics, **filters}
    totals = _post(emulator, ACTIVITY, body, **{"X-TZ-Offset": offset})["aggregations"]["totals"]
    active = {"type": "active-stage-cohort", "report_relative_range": window, **filters}
    cohort = {"type": "created-cohort", "cohort_relative_range": window, **filters}
    headers = {"X-TZ-Offset": offset}
    assert totals[metrics[0]] > 0
    assert totals[metrics[0]] == _funnel_sum(emulator, active, "count_total_won", **headers)
    assert totals[metrics[1]] == _funnel_sum(emulator, active, "value_total_won", **headers)
    assert totals[metrics[2]] == _funnel_sum(emulator, cohort, "count", **headers)
