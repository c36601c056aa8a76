"""The shared Pacer against every limiter model of the emulator, on a simulated clock.

A small discrete-event simulation: `jobs` workers, each on a thread of its own (the pacer
remembers each thread's request), ask the pacer for a slot whenever it says one is free; the
limiter model (reportrunner/emulator/limiters.py, the same code the emulator serves) counts
each request `latency` seconds after it was sent and the answer carries the headers the
emulator would send. Nothing waits for real: the clock jumps from event to event.
"""

from __future__ import annotations

import heapq
import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from reportrunner.emulator import faults, limiters
from reportrunner.fetch.pacer import ANSWER_POLL, SHARED, Pacer, WaitTooLong
from reportrunner.fetch.ratelimit import RateLimitInfo, parse_headers, retry_wait

LATENCY = 0.25


class SimClock:
    """A clock moved by the simulation; `sleep` is never expected to be called."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Worker:
    """One thread of its own, driven step by step."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)

    def acquire(self, pacer: Pacer, **options: object) -> float:
        return self._pool.submit(lambda: pacer.acquire(**options)).result()  # type: ignore[arg-type]

    def release(self, pacer: Pacer, info: RateLimitInfo | None, *, refused: bool = False) -> None:
        self._pool.submit(lambda: pacer.release(info, refused=refused)).result()

    def hold(self, pacer: Pacer, seconds: float) -> None:
        self._pool.submit(pacer.hold, seconds).result()

    def close(self) -> None:
        self._pool.shutdown()


@dataclass
class Outcome:
    sent: int
    refused: int
    elapsed: float
    bound: float

    @property
    def share(self) -> float:
        return self.refused / self.sent

    @property
    def ratio(self) -> float:
        return self.elapsed / self.bound


def simulate(
    model: str, *, jobs: int, requests: int, rate: float = 10.0, burst: int = 10
) -> Outcome:
    """`requests` successful report requests through the pacer against `model`."""
    clock = SimClock()
    limiter = limiters.build(model, rate, burst, clock)
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    workers = [Worker() for _ in range(jobs)]
    idle = list(range(jobs))
    events: list[tuple[float, int, int]] = []  # (time, order, worker) of each answer
    order = itertools.count()
    start, done, sent, refused = clock.now, 0, 0, 0
    try:
        while done < requests:
            while idle and done + len(events) < requests and pacer.peek(group="reports") <= 0:
                worker = idle.pop()
                assert workers[worker].acquire(pacer, group="reports") == 0.0
                sent += 1
                heapq.heappush(events, (clock.now + LATENCY, next(order), worker))
            wait = pacer.peek(group="reports") if idle else float("inf")
            if events and events[0][0] <= clock.now + wait:
                clock.now, _, worker = heapq.heappop(events)
                state = limiter.acquire("key", "reports")  # counted as the answer leaves
                headers = (
                    {
                        "RateLimit": faults.ratelimit_header(
                            state.limit, state.remaining, state.reset
                        )
                    }
                    if limiter.announces
                    else {}
                )
                if state.allowed:
                    done += 1
                    workers[worker].release(pacer, parse_headers(headers) or RateLimitInfo())
                else:
                    refused += 1
                    headers["Retry-After"] = faults.retry_after(state.reset)
                    workers[worker].release(pacer, parse_headers(headers), refused=True)
                    workers[worker].hold(pacer, retry_wait(headers))
                idle.append(worker)
            else:
                clock.now += max(wait, 1e-6)
    finally:
        for worker in workers:
            worker.close()
    assert clock.sleeps == []
    bound = max((requests - burst) / rate + LATENCY, (requests + refused) * LATENCY / jobs)
    return Outcome(sent, refused, clock.now - start, bound)


MODELS = [m for m in limiters.LIMITERS if m != "per-group"]


@pytest.mark.parametrize("jobs", [1, 4, 32])
@pytest.mark.parametrize("model", MODELS)
def test_pacing_holds_on_every_model(model: str, jobs: int) -> None:
    """The issue's target on the simulated clock: near the bound, next to no 429s (300
    requests: what the issue's 200 specs send with their look-ups)."""
    outcome = simulate(model, jobs=jobs, requests=300)
    assert outcome.share <= 0.03, outcome
    assert outcome.ratio <= 1.10, outcome


@pytest.mark.parametrize("model", MODELS)
def test_one_request_a_second_with_burst_one(model: str) -> None:
    """The reset wait starts at the send, not the answer: not latency + 1 s per request."""
    outcome = simulate(model, jobs=4, requests=30, rate=1.0, burst=1)
    if model == "retry-after":  # no header: 429s are all it learns from (docs/running.md)
        assert outcome.refused <= 3, outcome
        assert outcome.ratio <= 1.2, outcome
    else:
        assert outcome.refused == 0, outcome
        assert outcome.ratio <= 1.08, outcome


def test_first_answer_probes_alone() -> None:
    """Nothing known yet: one request goes, the others wait for its answer."""
    clock = SimClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    first, second = Worker(), Worker()
    assert first.acquire(pacer) == 0.0
    assert pacer.peek() == ANSWER_POLL
    first.release(pacer, RateLimitInfo(limit=10, remaining=9, reset=0.1))
    assert pacer.peek() == 0.0
    second.acquire(pacer)
    first.close()
    second.close()


def test_remaining_counts_every_request_sent_after_it() -> None:
    clock = SimClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    workers = [Worker() for _ in range(4)]
    workers[0].acquire(pacer)
    workers[0].release(pacer, RateLimitInfo(limit=3, remaining=2, reset=1.0))
    workers[1].acquire(pacer)
    workers[2].acquire(pacer)
    assert pacer.peek() > 0  # two granted since the answer that said 2 were left
    for worker in workers:
        worker.close()


def test_a_fixed_window_is_recognised_and_refills_whole() -> None:
    """After a window's end the whole limit comes back at once; the pacer learns that."""
    outcome = simulate("fixed-window", jobs=32, requests=120)
    assert outcome.refused <= 3, outcome
    assert outcome.ratio <= 1.08, outcome


def test_header_less_server_is_not_paced_one_at_a_time() -> None:
    """Only Retry-After on 429s: after the first 429 the pacer sends at a learned rate."""
    outcome = simulate("retry-after", jobs=4, requests=150)
    one_at_a_time = 150 * LATENCY
    assert outcome.elapsed < 0.6 * one_at_a_time, outcome


def test_hold_blocks_everyone_and_max_wait_raises() -> None:
    clock = SimClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    worker = Worker()
    worker.acquire(pacer)
    worker.release(pacer, RateLimitInfo(limit=5, remaining=0, reset=1.5), refused=True)
    worker.hold(pacer, 1.5)
    assert pacer.peek() == pytest.approx(1.5)
    with pytest.raises(WaitTooLong) as caught:
        pacer.acquire(max_wait=1.0)
    assert caught.value.needed == pytest.approx(1.5)
    assert clock.sleeps == []
    assert pacer.acquire() == pytest.approx(1.5, abs=0.05)
    worker.close()


def test_lost_answer_lets_another_request_probe() -> None:
    clock = SimClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    probe = Worker()
    probe.acquire(pacer)
    assert pacer.peek() > 0
    probe.release(pacer, None)  # the connection failed: nothing learned
    assert pacer.peek() == 0.0
    probe.close()


@pytest.mark.parametrize("jobs", [4, 32])
def test_a_sliding_window_is_paced_exactly(jobs: int) -> None:
    """Once its length is measured, a sliding window is paced from the pacer's own log: no
    429s, and the bound within a few percent (the probe and the first window cost a little)."""
    outcome = simulate("sliding-window", jobs=jobs, requests=300)
    assert outcome.refused == 0, outcome
    assert outcome.ratio <= 1.05, outcome


def test_header_less_pacing_stays_below_the_rate_that_drew_a_429() -> None:
    """At 1 req/s with a burst of 1 and no RateLimit header, the rate grows back to just
    below the one that drew the last 429 instead of climbing into 429 after 429."""
    outcome = simulate("retry-after", jobs=4, requests=60, rate=1.0, burst=1)
    assert outcome.refused <= 2, outcome
    assert outcome.ratio <= 1.06, outcome


def test_a_larger_limit_than_the_keys_is_the_shared_one() -> None:
    """Two keys (limit 2 each); an answer announcing limit 6 describes the organisation's
    limit, which from then on holds back both keys."""
    clock = SimClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    first, second = Worker(), Worker()
    assert first.acquire(pacer, key="0", group="reports") == 0.0
    first.release(pacer, RateLimitInfo(limit=2, remaining=1, reset=0.5))
    assert second.acquire(pacer, key="1", group="reports") == 0.0
    second.release(pacer, RateLimitInfo(limit=6, remaining=0, reset=0.5))
    assert pacer.estimated_rate(SHARED) is not None  # learned from reset (next token)
    # Key 0 has a request left of its own, but the organisation has none: both wait.
    assert pacer.peek("0", group="reports") > 0
    assert pacer.peek("1", group="reports") > 0
    first.close()
    second.close()
