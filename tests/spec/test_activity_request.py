"""request_problems for activity bodies: each rule of Close's page, one valid and one invalid.

These are the words the emulator answers a bad POST /report/activity/ with, and the cases the
fast-path agreement tests (test_fastcheck.py) start from.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from reportrunner.spec.validate import request_problems

USER = "user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA"
GROUP = "group_57P6QUf8b4BlepZJYgRj5W"
SAVE = "save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239"
WEEK = {"start": "2019-01-01T00:00:00Z", "end": "2019-01-08T00:00:00Z"}
QUERY = {"type": "saved_search", "saved_search_id": SAVE}


def body(**extra: Any) -> dict[str, Any]:
    base = {"type": "overview", "relative_range": "this-week", "metrics": ["calls.all.all.count"]}
    return {key: value for key, value in (base | extra).items() if value is not None}


ACTIVITY_VALID = [
    body(),
    body(type="comparison"),
    # Close's own example (§6.3).
    {
        "datetime_range": {"end": "2019-01-08T00:00:00Z", "start": "2019-01-01T00:00:00Z"},
        "metrics": ["calls.outbound.all.count", "emails.sent.all.count"],
        "query": QUERY,
        "type": "overview",
        "users": [USER, "user_Ova4RGFG7pztSeJiiMFdN7O2MFl71nD0uGO3bIOo4Wk"],
    },
    body(
        relative_range=None,
        datetime_range={"start": "2026-01-01T00:00:00+01:00", "end": "2026-01-08T00:00:00Z"},
    ),
    body(users=[GROUP, USER]),
    body(users=[]),
    body(relative_range="all-time"),
    body(metrics=["opportunities.won.all.sum_annualized_value", "calls.inbound.all.avg_duration"]),
]

# (body, pointer of the problem, words the message must contain)
ACTIVITY_INVALID = [
    (body(type=None), "", "missing the required key 'type'"),
    (body(type="created-cohort"), "/type", "must be one of overview, comparison"),
    (body(type="overveiw"), "/type", "did you mean 'overview'?"),
    (body(metrics=None), "", "missing the required key 'metrics'"),
    (body(metrics=[]), "/metrics", "metrics must not be empty"),
    (body(metrics="calls.all.all.count"), "/metrics", "must be a list"),
    (body(metrics=["calls.all.all.count"] * 2), "/metrics", "more than once"),
    (body(metrics=["calls"]), "/metrics/0", "must be a metric key such as"),
    (body(metrics=["Calls.All.All.Count"]), "/metrics/0", "did you mean 'calls.all.all.count'?"),
    (body(metrics=[7]), "/metrics/0", "found the number 7"),
    (body(relative_range=None), "", "need relative_range or datetime_range"),
    (body(datetime_range=WEEK), "/datetime_range", "not both"),
    (body(relative_range="this-wek"), "/relative_range", "did you mean 'this-week'?"),
    (body(relative_range="last-7-days"), "/relative_range", "must be one of today"),
    (
        body(relative_range=None, datetime_range={"start": WEEK["start"]}),
        "/datetime_range",
        "missing the required key 'end'",
    ),
    (
        body(relative_range=None, datetime_range={**WEEK, "start": "2019-01-01"}),
        "/datetime_range/start",
        "add the time and offset",
    ),
    (
        body(relative_range=None, datetime_range={**WEEK, "end": "2019-01-08T00:00:00"}),
        "/datetime_range/end",
        "RFC 3339 date-time with an offset",
    ),
    (
        body(relative_range=None, datetime_range={**WEEK, "end": "2019-02-30T00:00:00Z"}),
        "/datetime_range/end",
        "not a real date",
    ),
    (
        body(relative_range=None, datetime_range={**WEEK, "tz": "UTC"}),
        "/datetime_range/tz",
        "unknown key 'tz'",
    ),
    (
        body(relative_range=None, datetime_range={"start": WEEK["end"], "end": WEEK["start"]}),
        "/datetime_range",
        "must be before end",
    ),
    (body(users=["bob"]), "/users/0", "user id (user_…) or group id (group_…)"),
    (body(users=[USER, USER]), "/users", "more than once"),
    (body(query={"type": "smart_view", "saved_search_id": SAVE}), "/query/type", "saved_search"),
    (body(query={"type": "saved_search"}), "/query", "missing the required key 'saved_search_id'"),
    (
        body(query={"type": "saved_search", "saved_search_id": "x"}),
        "/query/saved_search_id",
        "save_",
    ),
    (body(pipeline="pipe_4vukv2FUlFh9FDiVYAop1U"), "/pipeline", "unknown key 'pipeline'"),
    (body(metric=["calls.all.all.count"]), "/metric", "did you mean 'metrics'?"),
    ("overview", "", "the request body must be a mapping"),
]


@pytest.mark.parametrize("valid", ACTIVITY_VALID)
def test_valid_activity_bodies_have_no_problems(valid: dict[str, Any]) -> None:
    assert request_problems(valid, "activity") == []


@pytest.mark.parametrize(("invalid", "pointer", "words"), ACTIVITY_INVALID)
def test_invalid_activity_bodies_say_what_and_where(invalid: Any, pointer: str, words: str) -> None:
    problems = [p for p in request_problems(invalid, "activity") if p.severity == "error"]
    assert problems, f"no problem found for {invalid}"
    matching = [p for p in problems if p.pointer == pointer and words in p.message]
    assert matching, f"expected {words!r} at {pointer!r}, got {problems}"
    missing = re.search(r"missing the required key '(\w+)'", words)
    expected = pointer.split("/")[1] if pointer else (missing.group(1) if missing else "")
    assert matching[0].field == expected


def test_an_unknown_metric_is_a_warning_offline_and_an_error_against_a_catalogue() -> None:
    unknown = body(metrics=["calls.outbound.all.cuont"])
    offline = request_problems(unknown, "activity")
    assert [(p.severity, p.pointer) for p in offline] == [("warning", "/metrics/0")]
    assert "did you mean 'calls.outbound.all.count'?" in offline[0].message
    served = request_problems(unknown, "activity", metrics=["calls.outbound.all.count"])
    assert [(p.severity, p.field) for p in served] == [("error", "metrics")]
    # An account may offer keys outside the documented catalogue.
    extra = body(metrics=["emails.sent.manual_with_reply.count"])
    assert (
        request_problems(extra, "activity", metrics=["emails.sent.manual_with_reply.count"]) == []
    )


def test_a_funnel_body_is_not_an_activity_body() -> None:
    funnel = {
        "pipeline": "pipe_4vukv2FUlFh9FDiVYAop1U",
        "type": "created-cohort",
        "cohort_relative_range": "this-month",
    }
    assert request_problems(funnel) == []
    fields = {p.field for p in request_problems(funnel, "activity") if p.severity == "error"}
    # "" is the body as a whole: no range at all (the funnel's "needs a cohort range" alike).
    assert fields == {"pipeline", "type", "cohort_relative_range", "metrics", ""}
    assert {p.field for p in request_problems(body())} >= {"metrics", "relative_range"}
