"""The sent-emails report over real HTTP: shape, 400s, 404, and the invariants of docs/emulator.md.

The "All Emails" row is the activity report's e-mail numbers for the same window, user and
zone; the template rows split it (never more than it, e-mails without a template only there).
"""

from __future__ import annotations

import json
import math
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import requests

from reportrunner.emulator import DEFAULT_API_KEY, Emulator, org, sentdata
from reportrunner.emulator.dataset import generate

NOW = datetime(2026, 3, 18, 15, 30, tzinfo=timezone.utc)  # a Wednesday afternoon
ORG = org.ORGANIZATION_ID
ROW_KEYS = [
    "name",
    "template_id",
    "template_url",
    "is_shared",
    "total",
    "opened",
    "responded",
    "percentage_opened",
    "percentage_responded",
    "_queries",
]
REPLIES = [f"emails.sent.{kind}_with_reply.count" for kind in ("manual", "sequences", "bulk")]
EMAIL_METRICS = ["emails.sent.all.count", "emails.opened.all.count", *REPLIES]


@pytest.fixture(scope="module")
def emu():
    with Emulator(seed=7, now=NOW) as running:
        yield running


def _get(emu: Emulator, tz: str | None = None, org_id: str = ORG, **params: str) -> Any:
    headers = {"X-TZ-Offset": tz} if tz is not None else {}
    url = f"{emu.base_url}/report/sent_emails/{org_id}/"
    return requests.get(url, params=params, headers=headers, auth=(DEFAULT_API_KEY, ""), timeout=60)


def _rows(emu: Emulator, tz: str | None = None, **params: str) -> list[dict[str, Any]]:
    answer = _get(emu, tz, **params)
    assert answer.status_code == 200, answer.text
    assert list(answer.json()) == ["sent_email_stats"]
    rows: list[dict[str, Any]] = answer.json()["sent_email_stats"]
    return rows


def _whole_percent(count: int, total: int) -> int:
    return math.floor(100 * count / total + 0.5) if total else 0


def test_start_up_generates_nothing() -> None:
    dataset = generate(98, NOW)
    with Emulator(seed=98, now=NOW) as running:
        assert sentdata.stored(dataset) is None
        _rows(running, date_start="2026-03-16", date_end="2026-03-17")
        store = sentdata.stored(dataset)
        assert store is not None and store.assigned_months == {(2026, 3)}


def test_shape_follows_closes_example(emu) -> None:
    rows = _rows(emu, date_start="2026-02-01", date_end="2026-03-01")
    first = rows[0]
    assert list(first) == ROW_KEYS
    assert first["name"] == "All Emails" and first["is_shared"] is True
    assert first["template_id"] is None and first["template_url"] is None
    assert first["_queries"] == {
        "total": "email(direction:sent)",
        "opened": "email(direction:sent opened:yes)",
        "responded": "email(direction:sent has_reply:yes)",
    }
    assert len(rows) > 5
    for row in rows[1:]:
        assert list(row) == ROW_KEYS
        assert re.fullmatch(r"tmpl_[0-9A-Za-z]{43}", row["template_id"])
        assert row["template_url"] == f"/organization/{ORG}/email_templates/{row['template_id']}/"
        assert isinstance(row["is_shared"], bool)
        for key in ("total", "opened", "responded", "percentage_opened"):
            assert type(row[key]) is int
        assert row["_queries"]["total"].startswith("email(direction:sent template:")
    quoted = next(r for r in rows if '"' in r["name"])  # a name with quotes is escaped
    assert quoted["_queries"]["opened"] == (
        'email(direction:sent template:"Case study: \\"Northwind\\"" opened:yes)'
    )
    assert {r["is_shared"] for r in rows} == {True, False}  # personal templates too


@pytest.mark.parametrize(
    "window",
    [("2026-02-01", "2026-03-01"), ("2026-03-16", "2026-03-19"), ("2025-01-01", "2026-01-01")],
)
def test_rows_split_all_emails(emu, window: tuple[str, str]) -> None:
    rows = _rows(emu, date_start=window[0], date_end=window[1])
    everything, templates = rows[0], rows[1:]
    for row in rows:
        assert 0 <= row["responded"] <= row["opened"] <= row["total"]  # a reply is an open
        assert row["percentage_opened"] == _whole_percent(row["opened"], row["total"])
        assert row["percentage_responded"] == _whole_percent(row["responded"], row["total"])
    for key in ("total", "opened", "responded"):
        # Manual e-mails written without a template count only in All Emails.
        assert sum(r[key] for r in templates) < everything[key]
    assert all(r["total"] > 0 for r in templates)  # no rows for templates that sent nothing
    order = [(-r["total"], r["name"].casefold()) for r in templates]
    assert order == sorted(order)
    assert len({r["template_id"] for r in templates}) == len(templates)


def _activity(emu: Emulator, start: str, end: str, user: str | None, tz: str | None) -> Any:
    body: dict[str, Any] = {
        "type": "overview",
        "metrics": EMAIL_METRICS,
        "datetime_range": {"start": start, "end": end},
    }
    if user is not None:
        body["users"] = [user]
    headers = {"X-TZ-Offset": tz} if tz is not None else {}
    answer = requests.post(
        f"{emu.base_url}/report/activity/",
        json=body,
        headers=headers,
        auth=(DEFAULT_API_KEY, ""),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["aggregations"]["totals"]


def test_sequence_templates_are_the_activity_reports_sequences(emu) -> None:
    """Every sequence e-mail uses a sequence template: their rows add up to the activity's."""
    window = ("2026-01-05", "2026-02-02")
    rows = _rows(emu, date_start=window[0], date_end=window[1], user_id=org.USERS[2].id)
    names = {t.name for t in sentdata.TEMPLATES if t.kind == "sequences"}
    sequences = [r for r in rows[1:] if r["name"] in names]
    assert len(sequences) == len(names)
    body: dict[str, Any] = {
        "type": "overview",
        "metrics": [
            "emails.sent.sequences.count",
            "emails.opened.sequences.count",
            "emails.sent.sequences_with_reply.count",
        ],
        "datetime_range": {"start": f"{window[0]}T00:00:00Z", "end": f"{window[1]}T00:00:00Z"},
        "users": [org.USERS[2].id],
    }
    answer = requests.post(
        f"{emu.base_url}/report/activity/", json=body, auth=(DEFAULT_API_KEY, ""), timeout=60
    )
    totals = answer.json()["aggregations"]["totals"]
    assert sum(r["total"] for r in sequences) == totals["emails.sent.sequences.count"]
    assert sum(r["opened"] for r in sequences) == totals["emails.opened.sequences.count"]
    assert (
        sum(r["responded"] for r in sequences) == totals["emails.sent.sequences_with_reply.count"]
    )


@pytest.mark.parametrize(
    ("window", "user", "tz", "offset"),
    [
        (("2026-02-01", "2026-03-01"), None, None, "+00:00"),
        (("2026-03-09", "2026-03-16"), org.USERS[1].id, None, "+00:00"),
        (("2026-03-02", "2026-03-18"), org.USERS[4].id, "-5", "-05:00"),
        (("2025-11-03", "2025-11-05"), None, "5.5", "+05:30"),
        (("2025-06-01", "2025-12-01"), org.USERS[-1].id, None, "+00:00"),  # deactivated user
    ],
)
def test_all_emails_is_the_activity_reports_emails(
    emu, window: tuple[str, str], user: str | None, tz: str | None, offset: str
) -> None:
    params = {"date_start": window[0], "date_end": window[1]}
    if user is not None:
        params["user_id"] = user
    everything = _rows(emu, tz, **params)[0]
    start, end = (f"{day}T00:00:00{offset}" for day in window)
    totals = _activity(emu, start, end, user, tz)
    assert everything["total"] == totals["emails.sent.all.count"] > 0
    assert everything["opened"] == totals["emails.opened.all.count"]
    assert everything["responded"] == sum(totals[key] for key in REPLIES)


def test_no_dates_is_all_time(emu) -> None:
    rows = _rows(emu)
    totals = _activity(emu, "2020-01-01T00:00:00Z", "2027-01-01T00:00:00Z", None, None)
    assert rows[0]["total"] == totals["emails.sent.all.count"]
    assert rows[0]["responded"] == sum(totals[key] for key in REPLIES)


def test_user_rows_add_up_to_everybodys(emu) -> None:
    window = {"date_start": "2026-01-01", "date_end": "2026-02-01"}
    every = {r["name"]: r for r in _rows(emu, **window)}
    summed: dict[str, int] = {}
    owners: dict[str, set[str]] = {}
    for user in org.USERS:
        for row in _rows(emu, user_id=user.id, **window):
            summed[row["name"]] = summed.get(row["name"], 0) + row["total"]
            owners.setdefault(row["name"], set()).add(user.id)
    assert summed == {name: row["total"] for name, row in every.items()}
    personal = [name for name, row in every.items() if not row["is_shared"]]
    assert personal and all(len(owners[name]) == 1 for name in personal)


def test_unknown_user_sends_nothing(emu) -> None:
    rows = _rows(emu, user_id="user_" + "x" * 43, date_start="2026-01-01")
    assert len(rows) == 1
    assert rows[0]["total"] == rows[0]["percentage_opened"] == rows[0]["percentage_responded"] == 0


def test_date_end_is_exclusive(emu) -> None:
    def totals(first: str, last: str) -> dict[str | None, int]:
        rows = _rows(emu, date_start=first, date_end=last)
        return {r["template_id"]: r["total"] for r in rows}

    left, right = totals("2026-02-02", "2026-02-09"), totals("2026-02-09", "2026-02-16")
    whole = totals("2026-02-02", "2026-02-16")
    assert whole == {k: left.get(k, 0) + right.get(k, 0) for k in whole}
    assert set(whole) == set(left) | set(right)


def test_open_end_runs_to_now(emu) -> None:
    tomorrow = (NOW.date() + timedelta(days=1)).isoformat()
    assert _rows(emu, date_start="2026-03-01") == _rows(
        emu, date_start="2026-03-01", date_end=tomorrow
    )


def test_zone_offset_moves_the_days(emu) -> None:
    utc = _rows(emu, date_start="2026-03-10", date_end="2026-03-11")[0]["total"]
    east = _rows(emu, "10", date_start="2026-03-10", date_end="2026-03-11")[0]["total"]
    assert utc != east  # 14:00 UTC is midnight at +10: the day holds other hours' e-mails


def test_declining_templates_rates_fell_last_week(emu) -> None:
    """The demo's "rates fell" flag: two templates do worse in the last calendar week."""
    monday = NOW.date() - timedelta(days=NOW.weekday())

    def week(first: date) -> dict[str, dict[str, Any]]:
        last = first + timedelta(days=7)
        rows = _rows(emu, date_start=first.isoformat(), date_end=last.isoformat())
        return {r["name"]: r for r in rows}

    last, before = week(monday - timedelta(days=7)), week(monday - timedelta(days=14))
    month = week(monday - timedelta(days=35))  # a week before the decline began
    for template in sentdata.TEMPLATES:
        if template.declining:
            now_row, then_row = last[template.name], before[template.name]
            assert now_row["opened"] / now_row["total"] < then_row["opened"] / then_row["total"]
            old_row = month[template.name]
            assert now_row["responded"] / now_row["total"] < old_row["responded"] / old_row["total"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_start": "2026-1-1"}, "date_start"),
        ({"date_end": "01/02/2026"}, "date_end"),
        ({"date_start": "2026-02-30"}, "date_start"),
        ({"date_start": "2026-02-01", "date_end": "2026-02-01"}, "date_end"),
        ({"user_id": "bob"}, "user_id"),
        ({"query": "x"}, "query"),  # the status reports' filters are not this report's
        ({"smart_view_id": org.SAVED_SEARCHES[0].id}, "smart_view_id"),
        ({"surprise": "1"}, "surprise"),
    ],
)
def test_rules_answer_400_in_closes_shape(emu, params: dict[str, str], field: str) -> None:
    answer = _get(emu, **params)
    assert answer.status_code == 400
    assert field in json.loads(answer.text)["field-errors"]


def test_bad_zone_offset_is_400(emu) -> None:
    answer = _get(emu, "Europe/Paris", date_start="2026-03-01")
    assert answer.status_code == 400
    assert "X-TZ-Offset" in answer.text


def test_another_organisation_is_404_and_post_is_405(emu) -> None:
    answer = _get(emu, org_id="orga_" + "x" * 43)
    assert answer.status_code == 404 and "Not found" in answer.json()["error"]
    posted = requests.post(
        f"{emu.base_url}/report/sent_emails/{ORG}/", auth=(DEFAULT_API_KEY, ""), timeout=30
    )
    assert posted.status_code == 405


def test_same_seed_same_answer_other_seed_other_answer(emu) -> None:
    window = {"date_start": "2026-03-02", "date_end": "2026-03-09"}
    with Emulator(seed=7, now=NOW) as twin, Emulator(seed=8, now=NOW) as other:
        assert _rows(twin, **window) == _rows(emu, **window)
        assert _rows(other, **window) != _rows(emu, **window)
    # A fresh store (not the cached one) assigns the same templates to the same e-mails.
    dataset = generate(7, NOW)
    start = datetime(2026, 3, 2, tzinfo=timezone.utc).timestamp()
    fresh = sentdata.SentStore(dataset).months(start, start + 7 * 86400)
    assert fresh == sentdata.store_for(dataset).months(start, start + 7 * 86400)


def test_concurrent_first_requests_agree() -> None:
    window = {"date_start": "2026-02-09", "date_end": "2026-02-16"}
    with Emulator(seed=97, now=NOW) as fresh, ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: _rows(fresh, **window), range(6)))
    assert all(answer == answers[0] for answer in answers)


def test_another_organisation_has_its_own_template_ids() -> None:
    with Emulator(seed=1, now=NOW, org_seed=5) as other:
        org_id = other.dataset.organization_id
        assert _get(other, org_id=ORG).status_code == 404
        answer = _get(other, org_id=org_id, date_start="2026-03-02", date_end="2026-03-09")
        rows = answer.json()["sent_email_stats"]
    assert rows[0]["total"] > 0
    assert all(r["template_url"].startswith(f"/organization/{org_id}/") for r in rows[1:])
    ours = {sentdata.template_id(generate(1, NOW), t) for t in sentdata.TEMPLATES}
    assert not ours & {r["template_id"] for r in rows}
