"""The rate limiters a real server may have, for the emulator to play (`--limiter NAME`).

Close documents its limits only in outline (close-api.md §4): a limit per key and endpoint
group, an organisation-wide one of 3x a key's, a `RateLimit` header with a decimal `reset`, and
`Retry-After` on a 429. How the window refills is not said, so a client must hold on any
honest limiter; each model here is one of them, answering every request with a `BucketState`
(allowed or not, and the header's limit, remaining and reset):

- `default`: the emulator's own token bucket (faults.TokenBucket), `reset` read as a window.
- `token-bucket`: `rate` tokens a second, `burst` stored; `reset` = time to the *next* token.
- `fixed-window`: `burst` requests per window of `burst / rate` seconds; `reset` = its end.
- `sliding-window`: at most `burst` requests in any `burst / rate` seconds; `reset` = when
  the oldest of them leaves the window.
- `retry-after`: the token bucket, but no `RateLimit` header at all; a 429 says Retry-After.
- `per-group`: a token bucket per endpoint group, reports (`/report/…`) apart from look-ups.
- `org`: a token bucket per key plus one for the organisation at 3x the key's rate and burst,
  shared by every key; the stricter decides, and the header shows the closer to its limit.

Nothing here does I/O; the clock is injected so every model is testable without waiting.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

from reportrunner.emulator.faults import BucketState, TokenBucket

LimiterName = Literal[
    "default", "token-bucket", "fixed-window", "sliding-window", "retry-after", "per-group", "org"
]
LIMITERS: tuple[str, ...] = get_args(LimiterName)
#: Close's documented ratio of the organisation's limit to a key's.
ORG_FACTOR = 3
Clock = Callable[[], float]


class Limiter(Protocol):
    """What the request handler asks before answering: may this key's request go through?"""

    #: False: answers carry no `RateLimit` header (a 429 still has Retry-After).
    announces: bool

    def acquire(self, key: str, group: str) -> BucketState: ...


def group_of(relative_path: str) -> str:
    """The endpoint group of a request path under /api/v1: "reports" or "lookups"."""
    return "reports" if relative_path.startswith("/report/") else "lookups"


@dataclass
class _Tokens:
    tokens: float
    updated: float


@dataclass
class NextTokenBucket:
    """A token bucket whose `reset` is the time until the next token (never a whole window)."""

    rate: float
    burst: int
    clock: Clock = time.monotonic
    announces: bool = True
    _buckets: dict[str, _Tokens] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def peek(self, key: str, now: float) -> _Tokens:
        """The bucket of `key` refilled up to `now` (the caller holds the lock)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Tokens(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = max(bucket.updated, now)
        return bucket

    def state(self, bucket: _Tokens, allowed: bool) -> BucketState:
        missing = 1.0 - (bucket.tokens - math.floor(bucket.tokens))
        return BucketState(allowed, self.burst, int(bucket.tokens), missing / self.rate)

    def acquire(self, key: str, group: str = "") -> BucketState:
        with self._lock:
            bucket = self.peek(key, self.clock())
            if bucket.tokens < 1.0:
                return self.state(bucket, False)
            bucket.tokens -= 1.0
            return self.state(bucket, True)


@dataclass
class FixedWindow:
    """`burst` requests per window of `burst / rate` seconds, windows aligned to the first."""

    rate: float
    burst: int
    clock: Clock = time.monotonic
    announces: bool = True
    _start: float | None = None
    _counts: dict[tuple[str, int], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, key: str, group: str = "") -> BucketState:
        length = self.burst / self.rate
        with self._lock:
            now = self.clock()
            if self._start is None:
                self._start = now
            index = int((now - self._start) // length)
            reset = self._start + (index + 1) * length - now
            used = self._counts.get((key, index), 0)
            if used >= self.burst:
                return BucketState(False, self.burst, 0, reset)
            # Only the current window's counts matter: forget the others as time moves on.
            self._counts = {k: v for k, v in self._counts.items() if k[1] == index}
            self._counts[(key, index)] = used + 1
            return BucketState(True, self.burst, self.burst - used - 1, reset)


@dataclass
class SlidingWindow:
    """At most `burst` requests in any `burst / rate` seconds (a log of send times per key)."""

    rate: float
    burst: int
    clock: Clock = time.monotonic
    announces: bool = True
    _logs: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, key: str, group: str = "") -> BucketState:
        length = self.burst / self.rate
        with self._lock:
            now = self.clock()
            log = self._logs.setdefault(key, deque())
            while log and log[0] <= now - length:
                log.popleft()
            if len(log) >= self.burst:
                return BucketState(False, self.burst, 0, log[0] + length - now)
            log.append(now)
            reset = log[0] + length - now if len(log) >= self.burst else 0.0
            return BucketState(True, self.burst, self.burst - len(log), reset)


@dataclass
class PerGroup:
    """One token bucket per (key, endpoint group): reports and look-ups do not share a limit."""

    bucket: NextTokenBucket
    announces: bool = True

    def acquire(self, key: str, group: str) -> BucketState:
        return self.bucket.acquire(f"{key}\x00{group}")


@dataclass
class OrgWide:
    """A bucket per key and one shared by the organisation at `ORG_FACTOR` times its numbers."""

    rate: float
    burst: int
    clock: Clock = time.monotonic
    announces: bool = True
    _keys: NextTokenBucket = field(init=False)
    _org: NextTokenBucket = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Requests let through, per key (for tests and benchmarks: how the load was shared).
    admitted: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._keys = NextTokenBucket(self.rate, self.burst, self.clock)
        self._org = NextTokenBucket(self.rate * ORG_FACTOR, self.burst * ORG_FACTOR, self.clock)

    def acquire(self, key: str, group: str = "") -> BucketState:
        with self._lock:  # both buckets move together or not at all
            now = self.clock()
            mine, org = self._keys.peek(key, now), self._org.peek("org", now)
            allowed = mine.tokens >= 1.0 and org.tokens >= 1.0
            if allowed:
                mine.tokens -= 1.0
                org.tokens -= 1.0
                self.admitted[key] = self.admitted.get(key, 0) + 1
            states = [self._keys.state(mine, allowed), self._org.state(org, allowed)]
        # The header describes the limit closest to being hit (as Close's does).
        refused = [s for s in states if s.remaining == 0]
        if refused:
            return max(refused, key=lambda s: s.reset)
        return min(states, key=lambda s: s.remaining / s.limit)


def build(name: str, rate: float, burst: int, clock: Clock = time.monotonic) -> Limiter:
    """The limiter of that name at `rate` requests a second with `burst` in reserve."""
    if name not in LIMITERS:
        raise ValueError(f"unknown limiter {name!r}; choose one of {', '.join(LIMITERS)}")
    if not (rate > 0 and math.isfinite(rate)):
        raise ValueError(f"rate limit must be a finite number > 0, got {rate}")
    if burst < 1:
        raise ValueError(f"burst must be >= 1, got {burst}")
    if name == "default":
        return Default(TokenBucket(rate, burst, clock=clock))
    if name == "fixed-window":
        return FixedWindow(rate, burst, clock)
    if name == "sliding-window":
        return SlidingWindow(rate, burst, clock)
    if name == "per-group":
        return PerGroup(NextTokenBucket(rate, burst, clock))
    if name == "org":
        return OrgWide(rate, burst, clock)
    return NextTokenBucket(rate, burst, clock, announces=name != "retry-after")


@dataclass
class Default:
    """The emulator's own bucket (faults.TokenBucket) behind the `Limiter` interface."""

    bucket: TokenBucket
    announces: bool = True

    def acquire(self, key: str, group: str = "") -> BucketState:
        return self.bucket.acquire(key)
