"""Rate-limit parsing (every wire form Close has used) and the shared Pacer, on a fake clock."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from reportrunner.ratelimit import (
    ANSWER_POLL,
    DEFAULT_RETRY_WAIT,
    MIN_WAIT,
    Pacer,
    RateLimitInfo,
    WaitTooLong,
    parse_headers,
    parse_legacy_body,
    parse_ratelimit_header,
    parse_retry_after,
    retry_wait,
)


class FakeClock:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("limit=100, remaining=50, reset=5", RateLimitInfo(100, 50, 5.0)),
        ("limit=100; remaining=100; reset=1", RateLimitInfo(100, 100, 1.0)),
        ("limit=10,remaining=0,reset=0.595956", RateLimitInfo(10, 0, 0.595956)),
        ("reset=2.5; remaining=3; limit=40", RateLimitInfo(40, 3, 2.5)),
        ('limit=5, remaining=1, reset="0.4", policy="5;w=1"', RateLimitInfo(5, 1, 0.4)),
        ("LIMIT=7 ; Remaining = 2 ; RESET = 1.25", RateLimitInfo(7, 2, 1.25)),
        ("remaining=0", RateLimitInfo(None, 0, None)),
    ],
)
def test_ratelimit_header_forms(value: str, expected: RateLimitInfo) -> None:
    assert parse_ratelimit_header(value) == expected


@pytest.mark.parametrize("value", [None, "", "garbage", "limit=abc", "reset=-1", "reset=nan"])
def test_ratelimit_header_unusable(value: str | None) -> None:
    assert parse_ratelimit_header(value) is None


def test_separate_headers_case_insensitive() -> None:
    headers = {"ratelimit-limit": "100", "RateLimit-Remaining": "99", "RATELIMIT-RESET": "0.7"}
    assert parse_headers(headers) == RateLimitInfo(100, 99, 0.7)


def test_combined_header_wins_and_separate_fill_gaps() -> None:
    headers = {"RateLimit": "remaining=3, reset=1.5", "RateLimit-Limit": "20"}
    assert parse_headers(headers) == RateLimitInfo(20, 3, 1.5)
    headers = {"RateLimit": "limit=5, remaining=0, reset=0.2", "RateLimit-Remaining": "4"}
    assert parse_headers(headers) == RateLimitInfo(5, 0, 0.2)


def test_legacy_x_rate_limit_headers() -> None:
    headers = {
        "X-Rate-Limit-Limit": "600",
        "X-Rate-Limit-Remaining": "599",
        "X-Rate-Limit-Reset": "14.51",
    }
    assert parse_headers(headers) == RateLimitInfo(600, 599, 14.51)


def test_no_rate_limit_headers() -> None:
    assert parse_headers({"Content-Type": "application/json"}) is None


def test_retry_after_seconds_and_date() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    now = datetime(2026, 11, 30, 9, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Mon, 30 Nov 2026 09:00:07 GMT", now=now) == 7.0
    assert parse_retry_after("Mon, 30 Nov 2026 08:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": {"rate_reset": 1, "message": "API call count exceeded"}}, 1.0),
        ({"error": {"rate_reset": "0.870663"}}, 0.870663),
        ({"rate_reset": "0.595956", "rate_limit": 320, "rate_window": 8}, 0.595956),
        ({"rate_reset": 2.25}, 2.25),
        ({"error": "The server could not verify"}, None),
        ({"error": {"rate_reset": "later"}}, None),
        ([1, 2], None),
        (None, None),
    ],
)
def test_legacy_body(body: object, expected: float | None) -> None:
    assert parse_legacy_body(body) == expected


def test_retry_wait_prefers_exhausted_ratelimit_header() -> None:
    headers = {"RateLimit": "limit=10; remaining=0; reset=0.35", "Retry-After": "1"}
    assert retry_wait(headers) == pytest.approx(0.35)


def test_retry_wait_other_limit_uses_body_then_retry_after() -> None:
    # remaining > 0: a stricter limit was hit; the header's reset is about another limit.
    headers = {"RateLimit": "limit=100, remaining=40, reset=9", "Retry-After": "2"}
    assert retry_wait(headers, {"error": {"rate_reset": 0.8}}) == pytest.approx(0.8)
    assert retry_wait(headers) == 2.0


def test_retry_wait_fallbacks() -> None:
    assert retry_wait({"RateLimit-Reset": "1.5"}) == 1.5
    assert retry_wait({}) == DEFAULT_RETRY_WAIT
    assert retry_wait({"Retry-After": "0"}) == MIN_WAIT


def test_pacer_waits_for_reset_when_remaining_reaches_zero() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    assert pacer.acquire() == 0.0
    pacer.release(RateLimitInfo(limit=2, remaining=1, reset=0.8))
    assert pacer.acquire() == 0.0  # the one remaining slot
    pacer.release(RateLimitInfo(limit=2, remaining=0, reset=0.5))
    waited = pacer.acquire()  # window exhausted: wait for its end
    assert waited == pytest.approx(0.5)
    assert clock.sleeps == [pytest.approx(0.5)]
    # The new window starts with the full limit: two requests without waiting.
    pacer.release(None)
    assert pacer.acquire() == 0.0
    assert pacer.total_wait == pytest.approx(0.5)


class Worker:
    """One thread of its own (the pacer remembers each thread's request), driven step by step."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)

    def acquire(self, pacer: Pacer) -> float:
        return self._pool.submit(pacer.acquire).result()

    def release(self, pacer: Pacer, info: RateLimitInfo | None, *, refused: bool = False) -> None:
        self._pool.submit(pacer.release, info, refused=refused).result()


def test_pacer_discounts_other_requests_in_flight() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    first, second, third = Worker(), Worker(), Worker()
    for worker in (first, second, third):
        worker.acquire(pacer)
    # Two others still in flight: the server may not have counted them yet.
    first.release(pacer, RateLimitInfo(limit=10, remaining=2, reset=1.0))
    assert pacer.peek() == ANSWER_POLL  # wait for the next answer, not the whole window
    # The newest answer is the truth: the bucket refilled meanwhile.
    third.release(pacer, RateLimitInfo(limit=10, remaining=4, reset=0.6))
    assert pacer.peek() == 0.0


def test_pacer_ignores_answers_older_than_one_applied() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    older, newer = Worker(), Worker()
    older.acquire(pacer)
    newer.acquire(pacer)
    newer.release(pacer, RateLimitInfo(limit=10, remaining=0, reset=1.0))
    # Sent earlier, answered later: its larger count must not undo the newer one.
    older.release(pacer, RateLimitInfo(limit=10, remaining=5, reset=1.0))
    assert pacer.peek() == pytest.approx(1.0)


def test_pacer_hold_blocks_everyone() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.hold(1.5)
    assert pacer.peek() == pytest.approx(1.5)
    assert pacer.acquire() == pytest.approx(1.5)
    pacer.release(None)
    assert pacer.acquire() == 0.0


def test_pacer_max_wait_raises_without_sleeping_past_budget() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    pacer.hold(30)
    with pytest.raises(WaitTooLong) as caught:
        pacer.acquire(max_wait=10)
    assert caught.value.needed == pytest.approx(30)
    assert clock.sleeps == []


def test_pacer_shared_across_threads_never_exceeds_window() -> None:
    """Eight threads, a window of 5 requests per second: never more than 5 sent per window."""
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    sent: list[float] = []
    lock = threading.Lock()
    window = {"start": clock(), "used": 0}

    def server() -> RateLimitInfo:
        # A fixed-window server: 5 per second.
        with lock:
            now = clock()
            if now >= window["start"] + 1.0:
                window["start"], window["used"] = now, 0
            window["used"] += 1
            sent.append(now)
            return RateLimitInfo(
                limit=5, remaining=5 - window["used"], reset=window["start"] + 1.0 - now
            )

    def worker() -> None:
        for _ in range(5):
            pacer.acquire()
            pacer.release(server())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == 40
    assert all(count <= 5 for count in _per_window(sent, 1.0).values()), sent


def _per_window(times: list[float], length: float) -> dict[int, int]:
    counts: dict[int, int] = {}
    start = min(times)
    for moment in times:
        index = int((moment - start + 1e-9) // length)
        counts[index] = counts.get(index, 0) + 1
    return counts


def test_after_a_429_one_probe_goes_first() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    first, second = Worker(), Worker()
    first.acquire(pacer)
    first.release(pacer, RateLimitInfo(limit=5, remaining=0, reset=0.05), refused=True)
    pacer.hold(0.05)
    assert second.acquire(pacer) == pytest.approx(0.05)  # the probe
    assert pacer.peek() > 0  # everyone else waits for the probe's answer
    second.release(pacer, RateLimitInfo(limit=5, remaining=3, reset=0.1))
    assert pacer.peek() == 0.0


def test_probe_without_answer_lets_another_probe() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    probe = Worker()
    pacer.hold(0.1)
    probe.acquire(pacer)
    assert pacer.peek() > 0
    probe.release(pacer, None)  # the connection failed: nothing learned
    assert pacer.peek() == 0.0
