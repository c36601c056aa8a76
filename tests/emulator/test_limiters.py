"""The emulator's limiter models: each one's verdicts and headers, on a fake clock and over HTTP."""

from __future__ import annotations

import pytest
import requests

from reportrunner.cli import emulator_cmd
from reportrunner.emulator import Emulator
from reportrunner.emulator.limiters import LIMITERS, build, group_of
from reportrunner.fetch.ratelimit import parse_headers


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _spend(limiter: object, count: int, key: str = "k", group: str = "reports") -> list[bool]:
    return [limiter.acquire(key, group).allowed for _ in range(count)]  # type: ignore[attr-defined]


def test_token_bucket_resets_at_the_next_token_not_a_whole_window() -> None:
    clock = Clock()
    bucket = build("token-bucket", 10, 5, clock)
    assert _spend(bucket, 6) == [True] * 5 + [False]
    refused = bucket.acquire("k", "reports")
    assert refused.remaining == 0 and refused.reset == pytest.approx(0.1)
    clock.now += refused.reset + 1e-6
    assert _spend(bucket, 2) == [True, False]  # one token came back, not five


def test_fixed_window_resets_at_its_end_with_a_fresh_limit() -> None:
    clock = Clock()
    window = build("fixed-window", 10, 5, clock)  # 5 per 0.5 s, from the first request
    assert _spend(window, 1) == [True]
    clock.now += 0.2
    second = window.acquire("k", "reports")
    assert second.remaining == 3 and second.reset == pytest.approx(0.3)
    assert _spend(window, 4) == [True] * 3 + [False]
    clock.now += 0.3
    assert _spend(window, 6) == [True] * 5 + [False]


def test_sliding_window_counts_the_last_span() -> None:
    clock = Clock()
    window = build("sliding-window", 10, 2, clock)  # 2 per 0.2 s
    assert _spend(window, 1) == [True]
    clock.now += 0.15
    assert _spend(window, 2) == [True, False]
    refused = window.acquire("k", "reports")
    assert refused.reset == pytest.approx(0.05)  # when the first request leaves the window
    clock.now += 0.05
    assert _spend(window, 2) == [True, False]


def test_per_group_limits_reports_and_lookups_apart() -> None:
    limiter = build("per-group", 1, 2, Clock())
    assert _spend(limiter, 3, group="reports") == [True, True, False]
    assert _spend(limiter, 3, group="lookups") == [True, True, False]
    assert group_of("/report/funnel/opportunity/totals/") == "reports"
    assert group_of("/user/") == "lookups"


def test_org_limit_is_three_keys_worth() -> None:
    limiter = build("org", 1, 2, Clock())
    for key in ("a", "b", "c"):
        assert _spend(limiter, 3, key) == [True, True, False]  # each key's own limit
    assert _spend(limiter, 1, "d") == [False]  # a fourth key: the organisation's is spent
    assert limiter.acquire("d", "reports").limit == 6


@pytest.mark.parametrize("name", ["default", *LIMITERS[1:]])
def test_bad_numbers_and_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        build(name, 0, 1)
    with pytest.raises(ValueError, match="burst"):
        build(name, 1, 0)
    with pytest.raises(ValueError, match="unknown limiter"):
        build("leaky", 1, 1)


def test_cli_lists_the_same_limiters() -> None:
    assert emulator_cmd.LIMITERS == LIMITERS


def _post(emu: Emulator, key: str = "k") -> requests.Response:
    body = {
        "pipeline": emu.dataset.pipelines[0].id,
        "type": "created-cohort",
        "cohort_relative_range": "this-month",
    }
    url = emu.base_url + "/report/funnel/opportunity/totals/"
    return requests.post(url, json=body, auth=(key, ""), timeout=10)


@pytest.mark.parametrize("name", LIMITERS)
def test_every_model_over_http_refuses_past_its_burst(name: str) -> None:
    # A slow rate: the burst is spent long before a token could come back.
    with Emulator(api_key="k", rate_limit=0.05, burst=2, limiter=name) as emu:
        answers = [_post(emu) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429], name
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) >= 1
    info = parse_headers(refused.headers)
    if name == "retry-after":
        assert info is None and all("ratelimit" not in h.lower() for h in answers[0].headers)
    else:
        assert info is not None and info.remaining == 0 and info.reset is not None
        assert parse_headers(answers[0].headers) is not None


def test_org_model_over_http_shares_the_limit_between_keys() -> None:
    keys = ["k1", "k2", "k3", "k4"]
    with Emulator(api_key="k1", other_keys=keys[1:], rate_limit=0.05, burst=1, limiter="org") as e:
        statuses = [_post(e, key).status_code for key in keys]
        assert _post(e, "stranger").status_code in (401, 429)
    assert statuses == [200, 200, 200, 429]


def test_a_model_without_a_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a rate_limit"):
        Emulator(limiter="fixed-window")
    with pytest.raises(ValueError, match="unknown limiter"):
        Emulator(limiter="leaky", rate_limit=1)


def test_the_emulator_command_serves_several_keys_of_one_organisation() -> None:
    import threading

    from reportrunner.cli.emulator_cmd import EmulatorOptions, organisation_keys, serve

    assert organisation_keys("k", 3) == ["k", "k-2", "k-3"]
    stop, started = threading.Event(), threading.Event()
    ready: list[tuple[str, str]] = []

    def on_ready(url: str, keys: str) -> None:
        ready.append((url, keys))
        started.set()

    options = EmulatorOptions(
        port=0, api_key="k", keys=4, rate_limit=0.05, burst=1, limiter="org", latency=0.0
    )
    thread = threading.Thread(target=serve, args=(options, on_ready, stop))
    thread.start()
    try:
        assert started.wait(60)
        url, keys = ready[0]
        assert keys == "k,k-2,k-3,k-4"
        body = {"pipeline": "x", "type": "created-cohort", "cohort_relative_range": "this-month"}
        statuses = [
            requests.post(
                url + "/report/funnel/opportunity/totals/", json=body, auth=(k, ""), timeout=10
            ).status_code
            for k in keys.split(",")
        ]
        # Each key's burst of 1 is free, but the organisation's 3 are spent by the first three.
        assert statuses[3] == 429 and 429 not in statuses[:3], statuses
    finally:
        stop.set()
        thread.join(60)
