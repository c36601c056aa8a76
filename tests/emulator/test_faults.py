"""Fault scripting and rate limiting: the token bucket with a fake clock, every fault over HTTP."""

from __future__ import annotations

import json
import time

import pytest
import requests

from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.faults import TokenBucket, ratelimit_header, retry_after

AUTH = ("test-key", "")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_burst_then_refill() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    states = [bucket.acquire("k") for _ in range(4)]
    assert [s.allowed for s in states] == [True, True, True, False]
    assert [s.remaining for s in states[:3]] == [2, 1, 0]
    assert states[2].reset == pytest.approx(1.5)  # three tokens missing at 2/s
    assert states[3].reset == pytest.approx(0.5)  # the next token, not the full bucket
    clock.now += 0.5
    assert bucket.acquire("k").allowed
    assert bucket.acquire("other").allowed  # buckets are per key


def test_header_read_as_a_fixed_window_is_never_refused_and_keeps_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=20.0, burst=5, clock=clock)
    started, sent = clock.now, 0
    while sent < 200:
        # A window-minded client: one answer says `remaining` and `reset`; it spends the
        # remaining requests at 1 ms intervals (ignoring their answers), then waits out `reset`
        # counted from that first answer and expects a fresh `limit`.
        first = bucket.acquire("k")
        assert first.allowed, sent
        window_end = clock.now + first.reset
        sent += 1
        for _ in range(first.remaining):
            clock.now += 0.001
            assert bucket.acquire("k").allowed, sent
            sent += 1
        clock.now = max(clock.now, window_end)
    achieved = sent / (clock.now - started)
    assert 0.9 * 20 <= achieved <= 20 * 1.3  # burst on top of the steady rate


def test_unenforced_bucket_counts_but_never_refuses() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1.0, burst=2, enforce=False, clock=clock)
    states = [bucket.acquire("k") for _ in range(5)]
    assert all(s.allowed for s in states)
    assert [s.remaining for s in states] == [1, 0, 0, 0, 0]


def test_header_formats() -> None:
    assert ratelimit_header(10, 3, 0.25) == "limit=10, remaining=3, reset=0.250"
    assert retry_after(0.25) == "1" and retry_after(2.0) == "2" and retry_after(2.01) == "3"


def test_fault_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="style"):
        Fault.rate_limit(style="colon")
    with pytest.raises(ValueError):
        Fault.status(700)
    with pytest.raises(ValueError):
        Fault.delay(-1)


def test_real_rate_limit_answers_429_with_retry_after() -> None:
    with Emulator(api_key="k", seed=1, rate_limit=2, burst=2) as emu, requests.Session() as s:
        s.auth = ("k", "")
        codes = [s.get(emu.base_url + "/me/", timeout=5) for _ in range(3)]
        assert [r.status_code for r in codes] == [200, 200, 429]
        limited = codes[2]
        assert limited.headers["RateLimit"].startswith("limit=2, remaining=0, reset=0.")
        reset = float(limited.headers["RateLimit"].rsplit("=", 1)[1])
        assert limited.headers["Retry-After"] == "1"
        assert limited.json() == {"error": "API call count exceeded for this period"}
        time.sleep(reset + 0.05)
        assert s.get(emu.base_url + "/me/", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("style", "present", "absent"),
    [
        ("comma", {"RateLimit", "Retry-After"}, set()),
        ("semicolon", {"RateLimit"}, {"Retry-After"}),
        (
            "separate",
            {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"},
            {"RateLimit", "Retry-After"},
        ),
        ("retry-after", {"Retry-After"}, {"RateLimit"}),
        ("legacy-nested", set(), {"RateLimit", "Retry-After"}),
        ("legacy-flat", set(), {"RateLimit", "Retry-After"}),
    ],
)
def test_rate_limit_styles(
    emulator: Emulator, style: str, present: set[str], absent: set[str]
) -> None:
    emulator.inject(Fault.rate_limit(style=style, reset=0.4))
    response = requests.get(emulator.base_url + "/me/", auth=AUTH, timeout=5)
    assert response.status_code == 429
    assert present <= set(response.headers), response.headers
    assert not absent & set(response.headers), response.headers
    body = response.json()
    if style == "semicolon":
        assert response.headers["RateLimit"].endswith("; remaining=0; reset=0.400")
    if style == "legacy-nested":
        assert body["error"]["rate_reset"] == 0.4
    if style == "legacy-flat":
        assert body["rate_reset"] == "0.400000"
    if style == "retry-after":
        assert response.headers["Retry-After"] == "1"
    # The fault is consumed: the next request is normal.
    assert requests.get(emulator.base_url + "/me/", auth=AUTH, timeout=5).status_code == 200


def test_faults_apply_in_order_to_matching_paths_only(emulator: Emulator) -> None:
    emulator.inject(Fault.status(503), Fault.status(500, body={"error": "boom"}), path="/user/")
    assert requests.get(emulator.base_url + "/me/", auth=AUTH, timeout=5).status_code == 200
    first = requests.get(emulator.base_url + "/user/", auth=AUTH, timeout=5)
    second = requests.get(emulator.base_url + "/user/", auth=AUTH, timeout=5)
    third = requests.get(emulator.base_url + "/user/", auth=AUTH, timeout=5)
    assert (first.status_code, second.status_code, third.status_code) == (503, 500, 200)
    assert second.json() == {"error": "boom"}
    assert "RateLimit" in first.headers


def test_truncated_json_html_drop(emulator: Emulator) -> None:
    emulator.inject(Fault.truncated_json(), Fault.html(502), Fault.drop())
    truncated = requests.get(emulator.base_url + "/pipeline/", auth=AUTH, timeout=5)
    assert truncated.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.text)
    page = requests.get(emulator.base_url + "/pipeline/", auth=AUTH, timeout=5)
    assert page.status_code == 502 and page.headers["Content-Type"].startswith("text/html")
    assert "<html>" in page.text
    with pytest.raises(requests.ConnectionError):
        requests.get(emulator.base_url + "/pipeline/", auth=AUTH, timeout=5)
    assert emulator.requests[-1].status == 0
    assert requests.get(emulator.base_url + "/pipeline/", auth=AUTH, timeout=5).ok


def test_delay_slower_than_client_timeout(emulator: Emulator) -> None:
    emulator.inject(Fault.delay(30.0))
    started = time.monotonic()
    with pytest.raises(requests.Timeout):  # the timeout, not the 30 s answer, ended the call
        requests.get(emulator.base_url + "/me/", auth=AUTH, timeout=0.3)
    assert time.monotonic() - started < 10  # hang guard
    emulator.inject(Fault.delay(0.2))
    assert requests.get(emulator.base_url + "/me/", auth=AUTH, timeout=5).status_code == 200


def test_fail_rate_and_latency() -> None:
    with Emulator(api_key="k", seed=5, fail_rate=0.5, latency=0.01) as emu:
        with requests.Session() as session:
            session.auth = ("k", "")
            started = time.monotonic()
            codes = [session.get(emu.base_url + "/me/", timeout=5).status_code for _ in range(40)]
            elapsed = time.monotonic() - started
        assert set(codes) == {200, 503}
        assert 8 <= codes.count(503) <= 32
        assert elapsed >= 0.4  # 40 × 10 ms of latency
    with Emulator(api_key="k", seed=5, fail_rate=1.0) as emu:
        assert requests.get(emu.base_url + "/me/", auth=("k", ""), timeout=5).status_code == 503


def test_wire_fault_arguments_are_checked() -> None:
    for make in (Fault.drip, Fault.stall_headers, Fault.stall_body):
        for bad in (0.0, -1.0, float("nan"), float("inf")):
            with pytest.raises(ValueError, match="finite number > 0"):
                make(bad)
    for sized in (Fault.oversized, Fault.gzip_bomb, Fault.endless, Fault.lying_length):
        with pytest.raises(ValueError, match="at least 1 byte"):
            sized(0)


def test_status_fault_headers_replace_the_ratelimit_header(emulator: Emulator) -> None:
    emulator.inject(Fault.status(429, {"error": "x"}, headers={"Retry-After": "0"}))
    answer = requests.get(emulator.base_url + "/me/", auth=AUTH, timeout=5)
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "0"
    assert "RateLimit" not in answer.headers
