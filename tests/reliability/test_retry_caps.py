"""Retries capped in number as well as time, with a floor on the wait (issue 10, item 5).

A server that answers 429 with `Retry-After: 0`, a date in the past, a negative, huge or
garbage value, or that answers 503 for ever, must cost at most the documented number of
requests (docs/running.md: `max_attempts` failures plus `max_rate_limited` 429s per request),
counted by the emulator, and every wait is at least the floor. Waiting runs on a virtual clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from relhelp import NEW_BUSINESS, VirtualTime

from reportrunner.emulator import Emulator, Fault
from reportrunner.errors import ApiError
from reportrunner.fetch.client import ClientSettings, CloseClient
from reportrunner.fetch.ratelimit import MIN_WAIT
from reportrunner.fetch.runner import RunSettings, run_reports
from reportrunner.model import Spec

KEY = "retry-key"
SETTINGS = ClientSettings(base_url="", api_key=KEY)
CAP = SETTINGS.max_attempts + SETTINGS.max_rate_limited  # requests per request, documented
STORM = 200  # far more faults than any cap: the client must stop by itself


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(api_key=KEY) as running:
        yield running


def _too_many(retry_after: str) -> Fault:
    body = {"error": "API call count exceeded for this period"}
    return Fault.status(429, body, headers={"Retry-After": retry_after})


RETRY_AFTER = {
    "zero": "0",
    "a date in the past": "Wed, 21 Oct 2015 07:28:00 GMT",
    "negative": "-5",
    "garbage": "soon, probably",
    "tiny decimal": "0.001",
    "empty": "",
}


@pytest.mark.parametrize("name", list(RETRY_AFTER))
def test_a_429_storm_is_capped_in_number_and_waits_at_least_the_floor(
    emu: Emulator, name: str
) -> None:
    emu.inject(*[_too_many(RETRY_AFTER[name])] * STORM, path="/me/")
    clock = VirtualTime()
    settings = ClientSettings(base_url=emu.base_url, api_key=KEY)
    client = CloseClient(settings, clock=clock.clock, sleep=clock.sleep)
    with client, pytest.raises(ApiError) as caught:
        client.get_json("/me/")
    sent = len(emu.requests)
    assert sent == settings.max_rate_limited, f"{name}: {sent} requests"
    assert sent <= CAP
    assert f"429 Too Many Requests {settings.max_rate_limited} times" in str(caught.value)
    # Every pause between two 429s honoured the floor: no spinning.
    assert clock.sleeps >= sent - 1
    assert clock.slept >= (sent - 1) * MIN_WAIT * 0.99


def test_a_huge_retry_after_gives_up_at_once_within_the_budget(emu: Emulator) -> None:
    emu.inject(*[_too_many("99999999999")] * 5, path="/me/")
    clock = VirtualTime()
    settings = ClientSettings(base_url=emu.base_url, api_key=KEY)
    client = CloseClient(settings, clock=clock.clock, sleep=clock.sleep)
    with client, pytest.raises(ApiError, match="would exceed the 600 s allowed per report"):
        client.get_json("/me/")
    assert len(emu.requests) == 1
    assert clock.slept == 0


@pytest.mark.parametrize(
    "storm",
    [
        [Fault.status(503)] * STORM,
        [Fault.drop()] * STORM,
        [Fault.truncated_json()] * STORM,
        [_too_many("0"), Fault.status(503)] * STORM,  # mixed: both caps apply
    ],
    ids=["503", "dropped", "truncated", "429+503"],
)
def test_a_failure_storm_is_capped(emu: Emulator, storm: list[Fault]) -> None:
    emu.inject(*storm, path="/me/")
    clock = VirtualTime()
    settings = ClientSettings(base_url=emu.base_url, api_key=KEY)
    client = CloseClient(settings, clock=clock.clock, sleep=clock.sleep)
    with client, pytest.raises(ApiError):
        client.get_json("/me/")
    assert len(emu.requests) <= CAP


def test_a_run_against_a_429_storm_stays_within_the_per_request_cap(emu: Emulator) -> None:
    specs = [
        Spec(
            id=f"r{index}",
            title=f"R{index}",
            endpoints=("totals",),
            request={
                "pipeline": NEW_BUSINESS,
                "type": "created-cohort",
                "cohort_relative_range": r,
            },
            source=f"specs/r{index}.yaml",
        )
        for index, r in enumerate(["this-month", "last-month", "this-quarter"])
    ]
    emu.inject(*[_too_many("0")] * STORM, path="/report/")
    clock = VirtualTime()
    result = run_reports(
        RunSettings(
            specs=specs,
            base_url=emu.base_url,
            api_key=KEY,
            jobs=2,
            now=datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc),
        ),
        clock=clock.clock,
        sleep=clock.sleep,
    )
    posts = sum(1 for r in emu.requests if r.method == "POST")
    assert [o.status for o in result.outcomes] == ["failed"] * 3
    assert posts <= 3 * CAP, posts
