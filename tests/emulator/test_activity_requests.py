"""Every rule of the activity request answers a 400 in Close's shape, under the right field.

The words are `reportrunner validate`'s (the project's one set of rules, as for the funnel);
the ids the organisation lacks are the emulator's own check.

Also: the emulator's options (faults, limiters, another organisation) apply to the activity
endpoints as to the funnel ones, and Close's own client calls both endpoints.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from closeio_api import API, ValidationError

from reportrunner.emulator import Emulator, Fault

ACTIVITY = "/report/activity/"
METRICS = "/report/activity/metrics/"
GOOD: dict[str, Any] = {
    "type": "comparison",
    "relative_range": "this-week",
    "metrics": ["calls.outbound.all.count", "emails.sent.all.count"],
    "users": ["group_57P6QUf8b4BlepZJYgRj5W"],
    "query": {
        "type": "saved_search",
        "saved_search_id": "save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239",
    },
}
RANGE = {"start": "2026-11-01T00:00:00Z", "end": "2026-11-08T00:00:00+01:00"}


def _with(**changes: Any) -> dict[str, Any]:
    body = {**GOOD, **changes}
    return {key: value for key, value in body.items() if value is not DROP}


DROP = object()


def _post(emu: Emulator, body: Any, raw: bytes | None = None) -> requests.Response:
    return requests.post(
        emu.base_url + ACTIVITY,
        json=None if raw is not None else body,
        data=raw,
        auth=("test-key", ""),
        timeout=30,
    )


# (body, field, a fragment of the message)
CASES: list[tuple[dict[str, Any], str, str]] = [
    (_with(type=DROP), "type", "This field is required."),
    (_with(type="leaderboard"), "type", "type must be one of overview, comparison"),
    (_with(metrics=DROP), "metrics", "This field is required."),
    (_with(metrics=[]), "metrics", "metrics must not be empty"),
    (_with(metrics="calls.outbound.all.count"), "metrics", "metrics must be a list"),
    (_with(metrics=["calls.outbound.all.count", 3]), "metrics", "each metric must be a metric key"),
    (
        _with(metrics=["emails.sent.all.count", "emails.sent.all.count"]),
        "metrics",
        'metrics lists "emails.sent.all.count" more than once',
    ),
    (
        _with(metrics=["calls.outbund.all.count"]),
        "metrics",
        "not offered by this Close account; did you mean 'calls.outbound.all.count'?",
    ),
    (_with(relative_range=DROP), "", "need relative_range or datetime_range (exactly one)"),
    (_with(datetime_range=RANGE), "datetime_range", "use either relative_range or datetime_range"),
    (
        _with(relative_range="next-week"),
        "relative_range",
        "relative_range must be one of today, this-week",
    ),
    (
        _with(relative_range=DROP, datetime_range="2026-11"),
        "datetime_range",
        "datetime_range must be a mapping",
    ),
    (
        _with(relative_range=DROP, datetime_range={"start": RANGE["start"]}),
        "datetime_range",
        "datetime_range is missing the required key 'end'",
    ),
    (
        _with(relative_range=DROP, datetime_range={**RANGE, "start": "2026-11-01T00:00:00"}),
        "datetime_range",
        "datetime_range.start must be an RFC 3339 date-time with an offset",
    ),
    (
        _with(relative_range=DROP, datetime_range={**RANGE, "end": "next monday"}),
        "datetime_range",
        "datetime_range.end must be an RFC 3339 date-time with an offset",
    ),
    (
        _with(relative_range=DROP, datetime_range={**RANGE, "tz": "UTC"}),
        "datetime_range",
        "unknown key 'tz' in datetime_range",
    ),
    (
        _with(relative_range=DROP, datetime_range={"start": RANGE["end"], "end": RANGE["start"]}),
        "datetime_range",
        "must be before end",
    ),
    (
        _with(relative_range=DROP, datetime_range={"start": RANGE["start"], "end": RANGE["start"]}),
        "datetime_range",
        "must be before end",
    ),
    (_with(pipeline="pipe_4vukv2FUlFh9FDiVYAop1U"), "pipeline", "unknown key 'pipeline'"),
    (
        _with(compared_relative_range="last-week"),
        "compared_relative_range",
        "unknown key 'compared_relative_range'",
    ),
    (
        _with(users="user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA"),
        "users",
        "users must be a list",
    ),
    (
        _with(users=["stefan"]),
        "users",
        "each entry of users must be a user id (user_…) or group id (group_…)",
    ),
    (
        _with(users=["group_57P6QUf8b4BlepZJYgRj5W", "group_57P6QUf8b4BlepZJYgRj5W"]),
        "users",
        "more than once",
    ),
    (_with(users=["user_doesNotExist0000000000"]), "users", "Object does not exist."),
    (_with(users=["group_doesNotExist00000000"]), "users", "Object does not exist."),
    (_with(query="save_abc"), "query", "query must be a mapping"),
    (
        _with(query={"type": "smart_view", "saved_search_id": "save_abc"}),
        "query",
        "query type must be saved_search",
    ),
    (_with(query={"type": "saved_search"}), "query", "missing the required key 'saved_search_id'"),
    (
        _with(query={"type": "saved_search", "saved_search_id": "abc"}),
        "query",
        "saved_search_id must be a Close saved-search id",
    ),
    (
        _with(query={"type": "saved_search", "saved_search_id": "save_abc", "x": 1}),
        "query",
        "unknown key 'x' in query",
    ),
    (
        _with(query={"type": "saved_search", "saved_search_id": "save_doesNotExist"}),
        "query",
        "Object does not exist.",
    ),
]


def test_the_good_body_is_accepted(emulator: Emulator) -> None:
    assert _post(emulator, GOOD).status_code == 200


@pytest.mark.parametrize(("body", "field", "fragment"), CASES)
def test_each_rule_is_a_field_error(
    emulator: Emulator, body: dict[str, Any], field: str, fragment: str
) -> None:
    response = _post(emulator, body)
    assert response.status_code == 400, response.text
    answer = response.json()
    if not field:  # a rule about the body as a whole
        assert answer["field-errors"] == {}, answer
        assert any(fragment in error for error in answer["errors"]), answer
        return
    assert answer["errors"] == []
    assert list(answer["field-errors"]) == [field], answer
    assert fragment in answer["field-errors"][field]


def test_every_problem_is_reported_at_once(emulator: Emulator) -> None:
    body = {"type": "x", "metrics": [], "relative_range": "x", "users": "me", "y": 1}
    errors = _post(emulator, body).json()["field-errors"]
    assert set(errors) == {"y", "type", "metrics", "relative_range", "users"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [(b"{not json", "not valid JSON"), (b"[1, 2]", "must be a JSON object"), (b"", "object")],
)
def test_bodies_that_are_not_objects(emulator: Emulator, raw: bytes, message: str) -> None:
    response = _post(emulator, None, raw=raw)
    assert response.status_code == 400
    assert response.json()["field-errors"] == {}
    assert message in response.json()["errors"][0]


def test_faults_reach_the_activity_endpoints(emulator: Emulator) -> None:
    emulator.inject(Fault.status(503), Fault.truncated_json(), path=ACTIVITY)
    assert _post(emulator, GOOD).status_code == 503
    truncated = _post(emulator, GOOD)
    assert truncated.status_code == 200
    with pytest.raises(ValueError):
        truncated.json()
    assert _post(emulator, GOOD).json()["data"]


def test_activity_requests_count_in_the_report_group() -> None:
    with Emulator(api_key="k", rate_limit=2, burst=2, limiter="per-group") as emu:
        auth = ("k", "")
        for _ in range(2):
            ok = requests.get(emu.base_url + METRICS, auth=auth, timeout=10)
            assert ok.status_code == 200
        refused = requests.post(emu.base_url + ACTIVITY, json=GOOD, auth=auth, timeout=10)
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        # The look-up group has its own bucket.
        assert requests.get(emu.base_url + "/me/", auth=auth, timeout=10).status_code == 200


def test_another_organisation_has_its_own_users_and_activities(emulator: Emulator) -> None:
    with Emulator(api_key="test-key", now=emulator.now, org_seed=7) as other:
        body = {"type": "comparison", "relative_range": "last-month", "metrics": GOOD["metrics"]}
        rows = _post(other, body).json()["data"]
        assert {r["user_id"] for r in rows} == {u.id for u in other.dataset.active_users}
        assert all(r["calls.outbound.all.count"] > 0 for r in rows)
        refused = _post(other, GOOD)  # the documented organisation's ids mean nothing here
        assert refused.json()["field-errors"] == {"query": "Object does not exist."}


def test_closes_own_client_calls_both_endpoints(emulator: Emulator) -> None:
    api = API(emulator.base_url + "/", api_key="test-key", max_retries=1)
    keys = {m["key"] for m in api.get("report/activity/metrics")["metrics"]}
    assert set(GOOD["metrics"]) <= keys
    report = api.post("report/activity", data=GOOD)
    assert report["aggregations"]["totals"]["calls.outbound.all.count"] >= 0
    assert {row["user_id"] for row in report["data"]} == set(report["lookup"]["user"])
    overview = api.post("report/activity", data={**GOOD, "type": "overview"})
    assert overview["data"][0]["datetime"].startswith("2026-11-16T00:00:00")
    with pytest.raises(ValidationError) as caught:
        api.post("report/activity", data={"type": "overview", "relative_range": "today"})
    assert caught.value.field_errors == {"metrics": "This field is required."}
