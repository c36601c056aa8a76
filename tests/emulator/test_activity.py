"""The activity endpoints over HTTP: catalogue, shapes, periods, users, zones, CSV, determinism."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
import requests

from reportrunner.emulator import Emulator
from reportrunner.kinds.activity import catalogue as activitymetrics
from reportrunner.windows import RELATIVE_RANGES, parse_offset_header, resolve_relative

ACTIVITY = "/report/activity/"
METRICS = "/report/activity/metrics/"
EMEA = "group_57P6QUf8b4BlepZJYgRj5W"
ZOE = "user_Zq70EKmESpu6LfsL6g38YLE3KkTJw2gjGkQTMAlxUgQ"
LARGE_DEALS = "save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239"
KEYS = ["calls.outbound.all.count", "emails.sent.all.count", "calls.all.all.avg_duration"]


def _post(emu: Emulator, body: Any, **headers: str) -> requests.Response:
    return requests.post(
        emu.base_url + ACTIVITY, json=body, auth=("test-key", ""), headers=headers, timeout=30
    )


def _ok(emu: Emulator, body: Any, **headers: str) -> Any:
    response = _post(emu, body, **headers)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    return response.json()


def _body(report_type: str = "overview", **extra: Any) -> dict[str, Any]:
    return {"type": report_type, "relative_range": "this-week", "metrics": KEYS, **extra}


def test_catalogue_has_every_documented_key_once(emulator: Emulator) -> None:
    response = requests.get(emulator.base_url + METRICS, auth=("test-key", ""), timeout=10)
    assert response.status_code == 200
    assert "RateLimit" in response.headers
    metrics = response.json()["metrics"]
    keys = [m["key"] for m in metrics]
    assert len(keys) == len(set(keys))
    # The project's one list comes first, as it is; the extensions after, marked as such.
    documented = [m.to_json() for m in activitymetrics.METRICS]
    assert metrics[: len(documented)] == documented and len(documented) == 50
    assert all(m["description"].startswith("Emulator extension") for m in metrics[50:])
    assert all(set(m) == {"key", "name", "description"} and m["description"] for m in metrics)
    names = {m["key"]: m["name"] for m in metrics}
    assert names["opportunities.won.all.sum_annualized_value"] == "Opportunities - Won - Annualized"


def test_every_catalogue_key_can_be_requested(emulator: Emulator) -> None:
    metrics = requests.get(emulator.base_url + METRICS, auth=("test-key", ""), timeout=10)
    keys = [m["key"] for m in metrics.json()["metrics"]]
    body = _ok(emulator, _body("comparison", metrics=keys, relative_range="last-month"))
    totals = body["aggregations"]["totals"]
    assert list(totals) == keys  # every key, in the request's order
    assert all(list(row)[1:] == keys for row in body["data"])
    # Plausible volumes for a team of nine over a month.
    assert totals["calls.outbound.all.count"] > 1000
    assert totals["emails.sent.all.count"] > totals["emails.opened.all.count"] > 0
    assert totals["calls.all.all.count"] > totals["calls.all.answered.count"] > 0
    assert 60 < totals["calls.all.all.avg_duration"] < 600
    assert totals["meetings.all.all.sum_duration"] % 900 == 0  # 15-minute multiples


def test_wrong_methods_are_405(emulator: Emulator) -> None:
    get = requests.get(emulator.base_url + ACTIVITY, auth=("test-key", ""), timeout=10)
    post = requests.post(emulator.base_url + METRICS, auth=("test-key", ""), timeout=10)
    assert (get.status_code, post.status_code) == (405, 405)
    assert "use POST" in get.json()["error"] and "use GET" in post.json()["error"]


def test_overview_has_a_row_per_day_up_to_now(emulator: Emulator) -> None:
    # Pinned now: Wednesday 2026-11-18 15:30 UTC, so this-week has Monday to Wednesday.
    body = _ok(emulator, _body())
    assert [row["datetime"] for row in body["data"]] == [
        "2026-11-16T00:00:00+00:00",
        "2026-11-17T00:00:00+00:00",
        "2026-11-18T00:00:00+00:00",
    ]
    assert set(body) == {"aggregations", "data", "queries"}
    assert all(row["calls.outbound.all.count"] > 0 for row in body["data"])


@pytest.mark.parametrize(
    ("relative", "rows", "step"),
    [
        ("today", 1, "day"),
        ("last-month", 31, "day"),
        ("last-quarter", 14, "week"),
        ("this-year", 11, "month"),
        ("all-time", 25, "month"),
    ],
)
def test_period_granularity_follows_the_window(
    emulator: Emulator, relative: str, rows: int, step: str
) -> None:
    data = _ok(emulator, _body(relative_range=relative))["data"]
    starts = [datetime.fromisoformat(row["datetime"]) for row in data]
    assert len(starts) == rows
    for earlier, later in pairwise(starts[1:]):  # the first period may be partial
        if step == "day":
            assert later - earlier == timedelta(days=1)
        elif step == "week":
            assert later.weekday() == 0 and later - earlier == timedelta(days=7)
        else:
            assert later.day == 1 and later.hour == 0


def test_x_tz_offset_moves_the_days(emulator: Emulator) -> None:
    utc = _ok(emulator, _body())
    west = _ok(emulator, _body(), **{"X-TZ-Offset": "-4"})
    assert west["data"][0]["datetime"] == "2026-11-16T00:00:00-04:00"
    # Work happens 08-18 in the organisation's zone (UTC): UTC+10's midnight (14:00 UTC) cuts
    # working days in two, so its days hold other numbers.
    local = _ok(emulator, _body(), **{"X-TZ-Offset": "10"})
    assert local["data"][0]["datetime"] == "2026-11-16T00:00:00+10:00"
    assert [r["calls.outbound.all.count"] for r in local["data"]] != [
        r["calls.outbound.all.count"] for r in utc["data"]
    ]
    half = _ok(emulator, _body(relative_range="today"), **{"X-TZ-Offset": "5.5"})
    assert half["data"][0]["datetime"] == "2026-11-18T00:00:00+05:30"
    bad = _post(emulator, _body(), **{"X-TZ-Offset": "EST"})
    assert bad.status_code == 400 and "X-TZ-Offset" in bad.json()["errors"][0]


def test_comparison_rows_users_and_lookup(emulator: Emulator) -> None:
    dataset = emulator.dataset
    active = {u.id for u in dataset.active_users}
    this_week = _ok(emulator, _body("comparison"))
    assert {row["user_id"] for row in this_week["data"]} == active  # Zoë left 120 days ago
    assert set(this_week) == {"aggregations", "data", "lookup", "queries"}
    names = [dataset.user_name(row["user_id"]).casefold() for row in this_week["data"]]
    assert names == sorted(names)
    lookup = this_week["lookup"]["user"]
    assert lookup[dataset.users[0].id] == {"id": dataset.users[0].id, "display": "Stefan Wojcik"}
    year = _ok(emulator, _body("comparison", relative_range="this-year"))
    assert {row["user_id"] for row in year["data"]} == active | {ZOE}  # she has data then
    emea = _ok(emulator, _body("comparison", users=[EMEA]))
    members = next(g for g in dataset.groups if g.id == EMEA).member_ids
    assert {row["user_id"] for row in emea["data"]} == set(members)  # named: Zoë's zeros too
    zoe = next(row for row in emea["data"] if row["user_id"] == ZOE)
    assert zoe["calls.outbound.all.count"] == 0 and zoe["calls.all.all.avg_duration"] is None
    assert f'user in ("{members[0]}"' in emea["queries"]["leads"][KEYS[0]][0]


def test_saved_search_keeps_its_leads_only(emulator: Emulator) -> None:
    metrics = ["calls.all.all.count", "opportunities.created.all.count", "sms.sent.all.count"]
    body = _body("overview", relative_range="last-quarter", metrics=metrics)
    everything = _ok(emulator, body)["aggregations"]["totals"]
    query = {"type": "saved_search", "saved_search_id": LARGE_DEALS}
    large = _ok(emulator, {**body, "query": query})
    for key in metrics:
        assert 0 < large["aggregations"]["totals"][key] < everything[key], key
    assert large["queries"]["leads"][metrics[0]][0].endswith(f' and in:"{LARGE_DEALS}"')


def test_future_window_has_no_rows(emulator: Emulator) -> None:
    future = {"start": "2027-01-01T00:00:00Z", "end": "2027-01-08T00:00:00Z"}
    body = _body("overview", datetime_range=future)
    del body["relative_range"]
    answer = _ok(emulator, body)
    assert answer["data"] == []
    assert answer["aggregations"]["totals"] == {KEYS[0]: 0, KEYS[1]: 0, KEYS[2]: None}


@pytest.mark.parametrize("report_type", ["overview", "comparison"])
def test_csv_has_the_json_numbers(emulator: Emulator, report_type: str) -> None:
    as_json = _ok(emulator, _body(report_type))
    response = _post(emulator, _body(report_type), Accept="text/csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.endswith(b"\r\n")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    first = ["datetime"] if report_type == "overview" else ["user_id", "user_name"]
    assert rows[0] == first + KEYS
    assert len(rows) == len(as_json["data"]) + 1
    for line, row in zip(rows[1:], as_json["data"], strict=True):
        cells = line[len(first) :]
        assert cells == ["" if row[k] is None else str(row[k]) for k in KEYS]
    if report_type == "comparison":
        names = {u.id: u.full_name for u in emulator.dataset.users}
        assert all(line[1] == names[line[0]] for line in rows[1:])


def test_same_request_same_bytes_and_the_seed_matters(emulator: Emulator) -> None:
    first = _post(emulator, _body("comparison", relative_range="last-quarter"))
    second = _post(emulator, _body("comparison", relative_range="last-quarter"))
    assert first.content == second.content
    with Emulator(api_key="test-key", seed=2, now=emulator.now) as other:
        third = _post(other, _body("comparison", relative_range="last-quarter"))
    assert third.status_code == 200 and third.content != first.content


@pytest.mark.parametrize("relative", RELATIVE_RANGES)
@pytest.mark.parametrize("offset", ["0", "-4", "5.5"])
def test_every_relative_range_starts_where_windows_py_says(
    emulator: Emulator, relative: str, offset: str
) -> None:
    zone = parse_offset_header(offset)
    window = resolve_relative(relative, emulator.current_time(), zone)
    body = _ok(emulator, _body(relative_range=relative), **{"X-TZ-Offset": offset})
    first = datetime.fromisoformat(body["data"][0]["datetime"])
    expected = window.start or emulator.dataset.org_created
    assert first == expected and first.utcoffset() == zone.utcoffset(None)
    key = KEYS[0]
    assert sum(row[key] for row in body["data"]) == body["aggregations"]["totals"][key]


def test_hostile_names_reach_lookup_and_csv_intact(emulator: Emulator) -> None:
    stefan = emulator.dataset.users[0].id
    hostile = '=HYPERLINK("x"),\n<script>"Bobby"</script>'
    with Emulator(api_key="test-key", now=emulator.now, names={stefan: hostile}) as emu:
        body = _body("comparison")
        assert _ok(emu, body)["lookup"]["user"][stefan]["display"] == hostile
        text = _post(emu, body, Accept="text/csv").content.decode("utf-8")
    row = next(r for r in csv.reader(io.StringIO(text)) if r[0] == stefan)
    assert row[1] == hostile  # quoted by the CSV rules, not altered


def test_the_path_needs_its_trailing_slash(emulator: Emulator) -> None:
    response = requests.post(
        emulator.base_url + "/report/activity", json=_body(), auth=("test-key", ""), timeout=10
    )
    assert response.status_code == 404
    assert "/api/v1/report/activity/" in response.json()["error"]
