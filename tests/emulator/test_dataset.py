"""The synthetic organization: deterministic per seed, realistic, fast to generate."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from reportrunner.emulator import org
from reportrunner.emulator.dataset import LOST, PERIOD_MULTIPLIER, _generate, generate

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = generate(11, NOW)
    again = _generate(11, NOW)  # generated afresh: generate() would answer from its cache
    assert again is not first
    other = generate(12, NOW)
    assert first.opportunities == again.opportunities
    assert first.opportunities != other.opportunities


def test_shape_of_the_organization() -> None:
    data = generate(3, NOW)
    assert 8 <= len(data.users) <= 12
    assert sum(not u.active for u in data.users) == 1
    assert any(not u.full_name.isascii() for u in data.users)
    assert 2 <= len(data.groups) <= 3
    assert len(data.opportunities) >= 2000
    owners = {o.user_id for o in data.opportunities}
    inactive = next(u.id for u in data.users if not u.active)
    assert inactive in owners  # the deactivated user still owns opportunities
    assert {o.value_period for o in data.opportunities} == set(PERIOD_MULTIPLIER)
    assert len({o.id for o in data.opportunities}) == len(data.opportunities)


def test_histories_are_consistent() -> None:
    data = generate(4, NOW)
    now = NOW.timestamp()
    earliest = now - 24 * 31 * 86400
    outcomes = {"active": 0, "won": 0, "lost": 0}
    for opp in data.opportunities:
        shape = data.shapes[opp.pipeline_id]
        won = len(shape.active)
        assert earliest <= opp.created <= now
        assert opp.stages[0] == 0 and opp.times[0] == opp.created
        assert list(opp.times) == sorted(opp.times) and opp.times[-1] <= now
        forward = [s for s in opp.stages if s != LOST]
        assert forward == list(range(len(forward)))  # one stage at a time, never backwards
        assert LOST not in opp.stages[:-1]
        assert opp.annualized == opp.value * PERIOD_MULTIPLIER[opp.value_period]
        assert 0 <= opp.confidence <= 100
        last = opp.stages[-1]
        outcomes["lost" if last == LOST else "won" if last == won else "active"] += 1
    assert all(count > 100 for count in outcomes.values()), outcomes


def test_recent_windows_always_have_opportunities() -> None:
    for now in (NOW, datetime(2027, 1, 4, 0, 0, 5, tzinfo=timezone.utc)):  # a Monday, 00:00:05
        data = generate(9, now)
        for pipeline in data.pipelines:
            created = [o.created for o in data.by_pipeline[pipeline.id]]
            assert max(created) <= now.timestamp()
            assert now.timestamp() - max(created) <= 1  # created a second ago


def test_saved_searches_are_real_subsets() -> None:
    from reportrunner.emulator.dataset import matches_saved_search

    data = generate(1, NOW)
    for search in data.saved_searches:
        hits = sum(matches_saved_search(search, o) for o in data.opportunities)
        assert 0 < hits < len(data.opportunities), search.name
    bad = org.SavedSearch("save_x", "x", "", "nonsense")
    with pytest.raises(ValueError, match="unknown rule"):
        matches_saved_search(bad, data.opportunities[0])


def test_generation_is_fast() -> None:
    started = time.perf_counter()
    generate(1234, NOW - timedelta(days=3))  # a fresh (uncached) dataset
    assert time.perf_counter() - started < 5.0  # hang guard; typically ~50 ms (bench/)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate(1, datetime(2026, 1, 1))
