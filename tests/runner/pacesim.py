"""A discrete-event simulation of workers, the shared Pacer and a limiter model, with jitter.

Each request is sent when the pacer grants it, counted by the limiter (the same code the
emulator serves, reportrunner/emulator/limiters.py) some time later, and answered later still;
both delays may jitter, the way a loaded machine delays a thread before it sends and after the
answer has arrived. Several keys of one organisation go through `Pacer.acquire_any`, as the
client does. Nothing waits for real: the clock jumps from event to event.
"""

from __future__ import annotations

import heapq
import itertools
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from reportrunner.emulator import faults, limiters
from reportrunner.fetch.pacer import Pacer
from reportrunner.fetch.ratelimit import RateLimitInfo, parse_headers, retry_wait


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
    """One thread of its own (the pacer remembers each thread's request), driven step by step."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)

    def acquire_any(self, pacer: Pacer, keys: tuple[str, ...]) -> tuple[str, float]:
        return self._pool.submit(lambda: pacer.acquire_any(keys, group="reports")).result()

    def release(self, pacer: Pacer, info: RateLimitInfo | None, *, refused: bool = False) -> None:
        self._pool.submit(lambda: pacer.release(info, refused=refused)).result()

    def hold(self, pacer: Pacer, seconds: float) -> None:
        self._pool.submit(pacer.hold, seconds).result()

    def close(self) -> None:
        self._pool.shutdown()


@dataclass
class Delays:
    """Send-to-count and count-to-answer delays: a base plus up to `jitter` more, at random."""

    before_count: float = 0.0
    after_count: float = 0.25
    jitter: float = 0.0
    seed: int = 1
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self) -> tuple[float, float]:
        return (
            self.before_count + self._rng.uniform(0, self.jitter),
            self.after_count + self._rng.uniform(0, self.jitter),
        )


@dataclass
class Outcome:
    sent: int
    refused: int
    elapsed: float
    admitted: dict[str, int]
    longest_run: int  # the most 429s in a row

    @property
    def share(self) -> float:
        return self.refused / self.sent


def simulate(
    limiter: limiters.Limiter,
    clock: SimClock,
    *,
    keys: int,
    jobs: int,
    requests: int,
    delays: Delays,
) -> Outcome:
    """`requests` successful requests by `jobs` workers over `keys` keys through one pacer."""
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    names = tuple(str(k) for k in range(keys))
    workers = [Worker() for _ in range(jobs)]
    idle = list(range(jobs))
    # (time, order, kind, worker, key): kind 0 = counted by the limiter, 1 = answered.
    events: list[tuple[float, int, int, int, str]] = []
    order = itertools.count()
    states: dict[int, faults.BucketState] = {}
    admitted: dict[str, int] = {}
    start, done, sent, refused, run, longest = clock.now, 0, 0, 0, 0, 0
    pending = 0
    try:
        while done < requests:
            while idle and done + pending < requests and min(pacer.peek(k) for k in names) <= 0:
                worker = idle.pop()
                key, waited = workers[worker].acquire_any(pacer, names)
                assert waited == 0.0
                sent += 1
                pending += 1
                count, answer = delays.draw()
                heapq.heappush(events, (clock.now + count, next(order), 0, worker, key))
                heapq.heappush(events, (clock.now + count + answer, next(order), 1, worker, key))
            wait = min(pacer.peek(k) for k in names) if idle else float("inf")
            if events and events[0][0] <= clock.now + wait:
                clock.now, _, kind, worker, key = heapq.heappop(events)
                if kind == 0:
                    states[worker] = limiter.acquire(key, "reports")
                    continue
                pending -= 1
                state = states.pop(worker)
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
                    run = 0
                    admitted[key] = admitted.get(key, 0) + 1
                    workers[worker].release(pacer, parse_headers(headers) or RateLimitInfo())
                else:
                    refused += 1
                    run += 1
                    longest = max(longest, run)
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
    return Outcome(sent, refused, clock.now - start, admitted, longest)
