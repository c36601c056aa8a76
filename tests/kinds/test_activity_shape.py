"""Close's activity answers are untrusted: a wrong shape fails its report with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from reportrunner.kinds.activity.shape import shape_problem

OVERVIEW = {
    "aggregations": {"totals": {"calls.outbound.all.count": 3, "calls.all.all.avg_duration": None}},
    "data": [
        {"datetime": "2026-11-30T00:00:00+01:00", "calls.outbound.all.count": 1},
        {"datetime": "2026-12-01T00:00:00+00:00", "calls.outbound.all.count": 2},
    ],
    "queries": {"leads": {"calls.outbound.all.count": ['call(direction: "outbound")']}},
}
COMPARISON = {
    "aggregations": {"totals": {"emails.sent.all.count": 12.0}},
    "data": [{"user_id": "user_1", "emails.sent.all.count": 12.0}],
    "lookup": {"user": {"user_1": {"display": "Ava Thompson"}}},
}


@pytest.mark.parametrize("answer", [OVERVIEW, COMPARISON, {}, {"data": []}])
def test_documented_shapes_pass(answer: dict[str, Any]) -> None:
    assert shape_problem("activity", answer) is None


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ([], "the answer is a list, expected an object"),
        ({"aggregations": []}, "/aggregations is a list"),
        ({"aggregations": {"totals": {"k": "12"}}}, "/aggregations/totals/k is a string"),
        ({"aggregations": {"totals": {"k": True}}}, "/aggregations/totals/k is a boolean"),
        ({"aggregations": {"totals": {"k": 1e300}}}, "beyond any plausible value"),
        ({"aggregations": {"totals": {"k": float("nan")}}}, "beyond any plausible value"),
        ({"data": {"datetime": "x"}}, "/data is an object, expected a list"),
        ({"data": ["row"]}, "/data/0 is a string"),
        ({"data": [{"k": 1}]}, "/data/0 has neither 'datetime' (overview) nor 'user_id'"),
        ({"data": [{"datetime": "yesterday"}]}, "/data/0/datetime is 'yesterday', not an RFC 3339"),
        ({"data": [{"datetime": 20261130}]}, "/data/0/datetime is a number"),
        ({"data": [{"user_id": None}]}, "/data/0/user_id is null, expected a string"),
        ({"data": [{"user_id": "u" * 501}]}, "longer than 500 characters"),
        ({"data": [{"user_id": "u", "k": [1]}]}, "/data/0/k is a list, expected a number"),
        ({"lookup": {"user": []}}, "/lookup/user is a list"),
        ({"lookup": {"user": {"u": "Ava"}}}, "/lookup/user/u is a string"),
        ({"lookup": {"user": {"u": {"display": 7}}}}, "display is a number"),
        ({"lookup": "x"}, "/lookup is a string"),
    ],
)
def test_wrong_shapes_are_named(answer: Any, reason: str) -> None:
    problem = shape_problem("activity", answer)
    assert problem is not None and reason in problem, problem
