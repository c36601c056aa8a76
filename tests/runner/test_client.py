"""CloseClient over real HTTP against the emulator: auth, retries, 429 forms, error mapping."""

from __future__ import annotations

import base64
import random
import threading
import time
from collections.abc import Iterator

import pytest

from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.org import PIPELINES
from reportrunner.errors import ApiError, ApiUnreachable, AuthError
from reportrunner.fetch.client import (
    CallStats,
    ClientSettings,
    CloseClient,
    RequestRejected,
    WaitBudget,
)

KEY = "canary_client_key_7c1f0e"
TOTALS = "/report/funnel/opportunity/totals/"
BODY = {"pipeline": PIPELINES[0].id, "type": "created-cohort", "cohort_relative_range": "all-time"}


class Sleeps:
    """Records sleeps without waiting; `clock` is real time plus everything slept so far."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.offset = 0.0

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.offset += seconds

    def clock(self) -> float:
        return time.monotonic() + self.offset


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(api_key=KEY) as server:
        yield server


def _client(base_url: str, sleep: Sleeps, **overrides: float) -> CloseClient:
    settings = ClientSettings(base_url=base_url, api_key=KEY, **overrides)  # type: ignore[arg-type]
    return CloseClient(settings, clock=sleep.clock, sleep=sleep, rng=random.Random(1))


def test_post_sends_basic_auth_and_headers(emu: Emulator) -> None:
    sleep = Sleeps()
    with _client(emu.base_url, sleep) as client:
        answer = client.post_json(TOTALS, BODY, headers={"X-TZ-Offset": "5.5"})
    assert "aggregations" in answer and "data" in answer
    recorded = emu.requests[-1]
    assert recorded.method == "POST" and recorded.path.endswith(TOTALS)
    assert recorded.body == BODY
    headers = {k.lower(): v for k, v in recorded.headers.items()}
    assert headers["x-tz-offset"] == "5.5"
    assert headers["accept"] == "application/json"
    assert headers["user-agent"].startswith("reportrunner/")
    assert "authorization" not in headers  # the emulator never records it
    assert sleep.calls == []


@pytest.mark.parametrize(
    "fault",
    [Fault.status(503), Fault.truncated_json(), Fault.html(502), Fault.drop()],
    ids=["503", "truncated-json", "html-502", "dropped"],
)
def test_transient_failure_then_success(emu: Emulator, fault: Fault) -> None:
    emu.inject(fault, path="/report/")
    sleep = Sleeps()
    stats = CallStats()
    with _client(emu.base_url, sleep) as client:
        answer = client.post_json(TOTALS, BODY, stats=stats)
    assert "aggregations" in answer
    assert stats.requests == 2 and stats.retries == 1
    assert len(sleep.calls) == 1 and 0.25 <= sleep.calls[0] < 0.75  # base 0.5 with jitter


def test_read_timeout_then_success(emu: Emulator) -> None:
    emu.inject(Fault.delay(1.5), path="/report/")
    stats = CallStats()
    with _client(emu.base_url, Sleeps(), timeout=0.5) as client:
        answer = client.post_json(TOTALS, BODY, stats=stats)
    assert "aggregations" in answer
    assert stats.retries == 1


def test_gives_up_after_max_attempts_with_last_error(emu: Emulator) -> None:
    emu.inject(*[Fault.status(503)] * 4, path="/report/")
    sleep = Sleeps()
    stats = CallStats()
    with _client(emu.base_url, sleep) as client, pytest.raises(ApiError) as caught:
        client.post_json(TOTALS, BODY, stats=stats)
    assert not isinstance(caught.value, ApiUnreachable)
    assert "after 4 attempts" in str(caught.value) and "503" in str(caught.value)
    assert caught.value.url == emu.base_url + TOTALS
    assert stats.requests == 4
    # Exponential: each nominal delay doubles (0.5, 1, 2), jitter within [0.5, 1.5).
    for slept, nominal in zip(sleep.calls, (0.5, 1.0, 2.0), strict=True):
        assert 0.5 * nominal <= slept < 1.5 * nominal


@pytest.mark.parametrize(
    "style", ["comma", "semicolon", "separate", "retry-after", "legacy-nested", "legacy-flat"]
)
def test_429_each_form_waits_announced_time_and_is_not_a_failure(emu: Emulator, style: str) -> None:
    emu.inject(Fault.rate_limit(style=style, reset=0.3), path="/report/")
    sleep = Sleeps()
    stats = CallStats()
    with _client(emu.base_url, sleep, max_attempts=1) as client:
        answer = client.post_json(TOTALS, BODY, stats=stats)
    assert "aggregations" in answer
    assert stats.rate_limited == 1 and stats.retries == 0 and stats.requests == 2
    expected = 1.0 if style == "retry-after" else 0.3  # Retry-After rounds up to whole seconds
    # The announced wait, plus at most the pacer's small safety margin on a reset.
    assert sum(sleep.calls) == pytest.approx(expected, abs=0.03)
    assert stats.rate_limit_wait == pytest.approx(expected, abs=0.03)


def test_429_wait_budget_exhausted_fails_clearly(emu: Emulator) -> None:
    emu.inject(Fault.rate_limit(style="comma", reset=5.0), path="/report/")
    with _client(emu.base_url, Sleeps()) as client, pytest.raises(ApiError) as caught:
        client.post_json(TOTALS, BODY, budget=WaitBudget(2.0))
    assert caught.value.status == 429
    assert "429" in str(caught.value) and "2 s allowed per report" in str(caught.value)


def test_400_names_field_and_close_text(emu: Emulator) -> None:
    body = dict(BODY, cohort_relative_range="next-decade")
    with _client(emu.base_url, Sleeps()) as client, pytest.raises(RequestRejected) as caught:
        client.post_json(TOTALS, body)
    error = caught.value
    assert error.status == 400
    assert "cohort_relative_range" in error.field_errors
    assert "cohort_relative_range" in str(error)


def test_404_is_a_rejection(emu: Emulator) -> None:
    with _client(emu.base_url, Sleeps()) as client, pytest.raises(RequestRejected) as caught:
        client.get_json("/saved_search/save_doesnotexist/")
    assert caught.value.status == 404 and "not found" in str(caught.value)


def test_401_raises_auth_error_without_the_key(emu: Emulator) -> None:
    settings = ClientSettings(base_url=emu.base_url, api_key="wrong_key_canary_99")
    client = CloseClient(settings, clock=time.monotonic, sleep=Sleeps())
    with client, pytest.raises(AuthError) as caught:
        client.post_json(TOTALS, BODY)
    text = str(caught.value) + repr(caught.value.__dict__)
    assert "401" in text and "rejected the API key" in text
    assert "wrong_key_canary_99" not in text
    assert base64.b64encode(b"wrong_key_canary_99:").decode() not in text
    assert len(emu.requests) == 1  # no retry


def test_unreachable_api(closed_port: int) -> None:
    port = closed_port
    sleep = Sleeps()
    url = f"http://user:{KEY}@127.0.0.1:{port}/api/v1"
    settings = ClientSettings(base_url=url, api_key=KEY, max_attempts=2)
    client = CloseClient(settings, clock=sleep.clock, sleep=sleep)
    with client, pytest.raises(ApiUnreachable) as caught:
        client.get_json("/user/")
    text = str(caught.value)
    assert "cannot reach the Close API" in text and f"127.0.0.1:{port}" in text
    assert KEY not in text and KEY not in (caught.value.url or "")
    assert len(sleep.calls) == 1


def test_one_session_per_thread(emu: Emulator) -> None:
    with _client(emu.base_url, Sleeps()) as client:
        threads = [threading.Thread(target=client.get_json, args=("/pipeline/",)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        client.get_json("/pipeline/")
        assert len(client._sessions) == 4


def test_after_a_rejected_key_nothing_more_is_sent(emu: Emulator) -> None:
    settings = ClientSettings(base_url=emu.base_url, api_key="revoked-key")
    client = CloseClient(settings, clock=time.monotonic, sleep=Sleeps())
    with client:
        for _ in range(3):
            with pytest.raises(AuthError, match="401"):
                client.get_json("/pipeline/")
    assert len(emu.requests) == 1
