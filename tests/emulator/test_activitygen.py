"""The generated activities look like a sales team's: rhythm, hours, volumes, employment, leads."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from reportrunner.emulator.activitydata import ActivityStore, Series, store_for
from reportrunner.emulator.activitygen import build
from reportrunner.emulator.dataset import DAY, Dataset, generate

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
OLIVIA = "user_d0xdjWXZHrz1CenB68Ft8VMtOq5zmDYoE81QSuHLjOy"
ZOE = "user_Zq70EKmESpu6LfsL6g38YLE3KkTJw2gjGkQTMAlxUgQ"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return generate(1, NOW)


@pytest.fixture(scope="module")
def store(dataset: Dataset) -> ActivityStore:
    return store_for(dataset)


def _everything(store: ActivityStore) -> dict[str, dict[str, list[Series]]]:
    """Every user's series by leaf over the whole history (one per month, and the opportunities)."""
    found: dict[str, dict[str, list[Series]]] = {}
    for piece in store.pieces(None, -math.inf, math.inf):
        for user, leaves in piece.items():
            for leaf, series in leaves.items():
                found.setdefault(user, {}).setdefault(leaf, []).append(series)
    return found


def _moments(store: ActivityStore, prefix: str = "", user: str | None = None) -> list[float]:
    return [
        t
        for who, leaves in _everything(store).items()
        if user in (None, who)
        for leaf, parts in leaves.items()
        if leaf.startswith(prefix) and not leaf.startswith("opp.")
        for series in parts
        for t in series.times
    ]


def test_same_inputs_same_activities(dataset: Dataset, store: ActivityStore) -> None:
    again = build(dataset)
    last_month = (2026, 10)
    # A month is the same whether it is generated first or after others.
    assert again.source.month(last_month) == store.source.month(last_month)
    assert _everything(again) == _everything(store)
    other = build(generate(2, NOW))
    assert other.source.month(last_month) != store.source.month(last_month)


def test_weekdays_are_busy_and_weekends_quiet(store: ActivityStore) -> None:
    by_weekday = Counter(datetime.fromtimestamp(t, timezone.utc).weekday() for t in _moments(store))
    weekday, weekend = min(by_weekday[d] for d in range(5)), max(by_weekday[5], by_weekday[6])
    assert weekday > 8 * weekend
    assert by_weekday[1] > by_weekday[4]  # Tuesday busier than Friday


def test_activities_happen_in_working_hours_and_never_after_now(store: ActivityStore) -> None:
    moments = _moments(store)
    hours = Counter(datetime.fromtimestamp(t, timezone.utc).hour for t in moments)
    assert set(hours) <= set(range(8, 18))
    assert hours[10] > hours[16]  # the morning peak
    assert max(moments) < NOW.timestamp()
    assert min(moments) >= NOW.timestamp() - 731 * DAY


def test_plausible_daily_volumes_per_rep(dataset: Dataset, store: ActivityStore) -> None:
    # Last quarter's working days (65) for a rep employed throughout.
    start, end = (
        datetime(2026, 7, 1, tzinfo=timezone.utc),
        datetime(2026, 10, 1, tzinfo=timezone.utc),
    )
    stefan = dataset.users[0].id

    def per_day(prefix: str) -> float:
        moments = _moments(store, prefix, stefan)
        return len([t for t in moments if start.timestamp() <= t < end.timestamp()]) / 66

    assert 8 < per_day("call.outbound.") < 40
    assert 1 < per_day("call.inbound.") < 10
    assert 15 < per_day("email.sent.") < 60
    assert 0.5 < per_day("meeting") < 3


def test_calls_answered_have_durations_and_missed_none(store: ActivityStore) -> None:
    for leaves in _everything(store).values():
        for leaf, parts in leaves.items():
            for series in parts if leaf.startswith("call.") or leaf == "meeting" else ():
                durations = [b - a for a, b in pairwise(series.prefix["duration"])]
                if leaf.endswith(".missed"):
                    assert set(durations) <= {0}, leaf
                else:
                    assert all(d > 0 for d in durations), leaf


def test_nobody_works_outside_their_employment(dataset: Dataset, store: ActivityStore) -> None:
    olivia = min(_moments(store, "", OLIVIA))
    assert olivia >= NOW.timestamp() - 241 * DAY
    zoe = _moments(store, "", ZOE)
    assert zoe and max(zoe) < NOW.timestamp() - 119 * DAY


def test_leads_are_the_reps_own_opportunities_or_prospects(
    dataset: Dataset, store: ActivityStore
) -> None:
    owners = [o.user_id for o in dataset.opportunities]
    kinds = Counter()
    for user, leaves in _everything(store).items():
        for leaf, parts in leaves.items():
            for lead in (lead for series in parts for lead in series.leads):
                if lead >= 0:
                    assert owners[lead] == user, leaf
                kinds["opportunity" if lead >= 0 else "prospect"] += 1
    assert 0.3 < kinds["opportunity"] / sum(kinds.values()) < 0.7


def test_generated_organisation_works_in_its_own_zone() -> None:
    other = generate(1, NOW, org_seed=3)
    zone = ZoneInfo(other.timezone)
    moments = _moments(build(other), "call.")
    hours = {datetime.fromtimestamp(t, zone).hour for t in moments}
    assert moments and hours <= set(range(8, 18))


def test_months_are_generated_only_when_a_report_needs_them() -> None:
    from datetime import timedelta

    import requests

    from reportrunner.emulator import Emulator
    from reportrunner.emulator.activitydata import stored

    now = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)  # a dataset no other test uses
    with Emulator(api_key="k", now=now) as emu:
        funnel = {
            "pipeline": emu.dataset.pipelines[0].id,
            "type": "created-cohort",
            "cohort_relative_range": "this-month",
        }
        url = emu.base_url + "/report/"
        requests.post(url + "funnel/opportunity/totals/", json=funnel, auth=("k", ""), timeout=30)
        assert stored(emu.dataset) is None  # the funnel alone generates no activity
        body = {
            "type": "overview",
            "relative_range": "this-week",
            "metrics": ["sms.sent.all.count"],
        }
        assert requests.post(url + "activity/", json=body, auth=("k", ""), timeout=30).ok
        store = stored(emu.dataset)
        assert store is not None
        assert store.generated_months == {(2026, 3)}  # Monday 2 March on
        start = (now - timedelta(days=60)).isoformat()
        body = {**body, "datetime_range": {"start": start, "end": now.isoformat()}}
        del body["relative_range"]
        assert requests.post(url + "activity/", json=body, auth=("k", ""), timeout=30).ok
        assert store.generated_months == {(2026, 1), (2026, 2), (2026, 3)}
