"""The status reports over real HTTP: shapes, 400s, and the invariants of docs/emulator.md."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

import pytest
import requests

from reportrunner.emulator import DEFAULT_API_KEY, Emulator, org, statusdata
from reportrunner.emulator.dataset import generate

NOW = datetime(2026, 3, 18, 15, 30, tzinfo=timezone.utc)
ORG = org.ORGANIZATION_ID


@pytest.fixture(scope="module")
def emu():
    with Emulator(seed=7, now=NOW) as running:
        yield running


def _get(emu, kind: str, **params: str) -> requests.Response:
    url = f"{emu.base_url}/report/statuses/{kind}/{ORG}/"
    return requests.get(url, params=params, auth=(DEFAULT_API_KEY, ""), timeout=30)


def test_start_up_builds_no_histories() -> None:
    dataset = generate(99, NOW)
    with Emulator(seed=99, now=NOW):
        assert not statusdata.stored(dataset)


@pytest.mark.parametrize("kind", ["lead", "opportunity"])
@pytest.mark.parametrize(
    "window",
    [("2026-01-01", "2026-02-01"), ("2025-03-01", "2026-03-18"), ("2026-03-16", "2026-03-19")],
)
def test_invariants(emu, kind: str, window: tuple[str, str]) -> None:
    answer = _get(emu, kind, date_start=window[0], date_end=window[1])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    moves_in: dict[str, int] = {}
    moves_out: dict[str, int] = {}
    for move in body["status_transitions"]:
        moves_in[move["to_status_id"]] = moves_in.get(move["to_status_id"], 0) + move["count"]
        if move["from_status_id"]:
            moves_out[move["from_status_id"]] = (
                moves_out.get(move["from_status_id"], 0) + move["count"]
            )
    for row in body["status_overview"]:
        assert row["started"] + row["gained"] - row["lost"] == row["ended"]
        assert row["change"] == row["ended"] - row["started"]
        if row["started"]:
            ratio = 100 * row["change"] / row["started"]  # rounded half away from zero
            assert row["change_percent"] == math.copysign(math.floor(abs(ratio) + 0.5), ratio)
        assert moves_in.get(row["status_id"], 0) == row["entered"]
        assert moves_out.get(row["status_id"], 0) == row["left"]
    total = sum(r["entered"] for r in body["status_overview"])
    assert total == sum(m["count"] for m in body["status_transitions"])
    assert total > 0


def test_won_matches_the_activity_report(emu) -> None:
    """Opportunities that moved into a won status = the activity report's won, same window."""
    user = org.USERS[0].id
    body = _get(
        emu, "opportunity", date_start="2025-06-01", date_end="2026-01-01", user_id=user
    ).json()
    won_ids = {s.id for p in org.PIPELINES for s in p.statuses if s.type == "won"}
    won = sum(r["entered"] for r in body["status_overview"] if r["status_id"] in won_ids)
    activity = requests.post(
        f"{emu.base_url}/report/activity/",
        json={
            "datetime_range": {
                "start": "2025-06-01T00:00:00+00:00",
                "end": "2026-01-01T00:00:00+00:00",
            },
            "type": "overview",
            "metrics": ["opportunities.won.all.count"],
            "users": [user],
        },
        auth=(DEFAULT_API_KEY, ""),
        timeout=30,
    )
    assert activity.status_code == 200, activity.text
    assert won == activity.json()["aggregations"]["totals"]["opportunities.won.all.count"]
    assert won > 0


def test_overall_report_drops_period_fields(emu) -> None:
    row = _get(emu, "lead").json()["status_overview"][0]
    assert "started" not in row and "gained" not in row and "ended" in row


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"query": "x", "smart_view_id": org.SAVED_SEARCHES[0].id}, "query"),
        ({"date_start": "2026-1-1"}, "date_start"),
        ({"date_start": "2026-02-01", "date_end": "2026-01-01"}, "date_end"),
        ({"smart_view_id": "nope"}, "smart_view_id"),
        ({"user_id": "bob"}, "user_id"),
        ({"surprise": "1"}, "surprise"),
    ],
)
def test_rules_answer_400_in_closes_shape(emu, params: dict[str, str], field: str) -> None:
    answer = _get(emu, "opportunity", **params)
    assert answer.status_code == 400
    assert field in json.loads(answer.text)["field-errors"]


def test_lead_report_takes_no_user_id(emu) -> None:
    assert _get(emu, "lead", user_id=org.USERS[0].id).status_code == 400


def test_queries_follow_closes_shape(emu) -> None:
    body = _get(emu, "lead", date_start="2026-01-01", date_end="2026-02-01").json()
    row = body["status_overview"][0]
    assert row["_queries"]["started"] == (
        f'lead_status(status:"{row["status_label"]}" on:"2026-01-01 00:00:00")'
    )
    assert row["_queries"]["ended"].endswith('on:"2026-01-31 23:59:59")')
    assert row["_leads_page_urls"]["ended"].startswith("/search/lead_status%28status%3A%22")
    opp = _get(emu, "opportunity", date_start="2026-01-01", date_end="2026-02-01").json()
    assert opp["status_transitions"][0]["_query"].startswith("opportunity(")


def test_opportunity_page_urls_keep_closes_odd_form() -> None:
    """The example's strings (close-reporting-endpoints.md §11.3), rebuilt from its inputs."""
    from datetime import date

    from reportrunner.emulator.statusqueries import opportunities_page

    active = ("stat_3FD9DnGUCJzccBKTh8LiiKoyVPpMJsOkJdcGoA5AYKH", "Active")
    lost = ("stat_Rq9QVdie9GhRKuEyYnRXfE6JDs6vhlwqh0GW7owibPD", "Lost")
    days = (date(2014, 1, 1), date(2014, 6, 1))
    started = 'opportunity(status(status:"Active" on:"2014-01-01 08:00:00"))'
    assert opportunities_page("started", active, started, days) == (
        "/opportunities/custom_filter_start_status_id=stat_3FD9DnGUCJzccBKTh8LiiKoyVPpMJsOkJdcGoA5AYKH"
        "&custom_filter_start_status_label=Active&custom_filter_date_start=2014-01-01"
        "&custom_filter_date_end=2014-06-01&query=status%28status%3A%22Active%22+on%3A%222014-01-01"
        "+08%3A00%3A00%22%29&custom_filter_type=started/"
    )
    ended = 'opportunity(status(status:"Active" on:"2014-06-01 06:59:59"))'
    assert opportunities_page("ended", active, ended, days) == (
        "/opportunities/custom_filter_end_status_label=Active&custom_filter_date_start=2014-01-01"
        "&custom_filter_date_end=2014-06-01&query=status%28status%3A%22Active%22+on%3A%222014-06-01"
        "+06%3A59%3A59%22%29&custom_filter_type=ended"
        "&custom_filter_end_status_id=stat_3FD9DnGUCJzccBKTh8LiiKoyVPpMJsOkJdcGoA5AYKH/"
    )
    move = (
        'opportunity(status_change(old_status:"Active" new_status:"Lost" and date >= '
        '"2014-01-01 08:00:00" and date <= "2014-06-01 06:59:59"))'
    )
    assert opportunities_page("transition", lost, move, days, active) == (
        "/opportunities/custom_filter_start_status_id=stat_3FD9DnGUCJzccBKTh8LiiKoyVPpMJsOkJdcGoA5AYKH"
        "&custom_filter_end_status_label=Lost&custom_filter_start_status_label=Active"
        "&custom_filter_date_start=2014-01-01&custom_filter_date_end=2014-06-01"
        "&query=status_change%28old_status%3A%22Active%22+new_status%3A%22Lost%22+and+date+%3E%3D+"
        "%222014-01-01+08%3A00%3A00%22+and+date+%3C%3D+%222014-06-01+06%3A59%3A59%22%29"
        "&custom_filter_type=transition"
        "&custom_filter_end_status_id=stat_Rq9QVdie9GhRKuEyYnRXfE6JDs6vhlwqh0GW7owibPD/"
    )


def test_the_opportunity_report_carries_opportunity_page_urls(emu) -> None:
    body = _get(emu, "opportunity", date_start="2026-01-01", date_end="2026-02-01").json()
    for row in body["status_overview"]:
        urls = row["_opportunities_page_urls"]
        assert set(urls) == set(row["_queries"])
        assert all(url.startswith("/opportunities/custom_filter_") for url in urls.values())
        assert "custom_filter_date_end=2026-02-01" in urls["ended"]
    moves = body["status_transitions"] + body["status_transitions_summary"]
    assert moves and all(
        "custom_filter_type=transition" in m["_opportunities_page_url"] for m in moves
    )
    lead = _get(emu, "lead", date_start="2026-01-01", date_end="2026-02-01").json()
    assert "_opportunities_page_urls" not in lead["status_overview"][0]
