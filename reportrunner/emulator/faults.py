"""Fault scripting and rate limiting for the Close API emulator.

Tests script misbehaviour with `Fault` values (a 429 in one of the six wire styles Close has
used, a 5xx, truncated JSON, an HTML error page, a dropped connection, a slow answer); each
injected fault is consumed by exactly one matching request, in order (`FaultQueue`). The
per-key `TokenBucket` is the `default` limiter model (limiters.py has the others): it
produces the `RateLimit` header of every response and the real 429s of `--rate-limit`.
Nothing here does I/O; the clock is injected so the bucket is testable without waiting.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

RATE_LIMIT_STYLES: tuple[str, ...] = (
    "comma",
    "semicolon",
    "separate",
    "retry-after",
    "legacy-nested",
    "legacy-flat",
)

#: Close's wording in every 429 body it has been seen to send.
RATE_LIMIT_MESSAGE = "API call count exceeded for this period"


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour; build them with the class methods, not the constructor."""

    kind: str  # status | rate_limit | truncated_json | html | drop | delay | one of WIRE_KINDS
    code: int = 200
    body: Any = None
    style: str = "comma"
    reset: float = 1.0
    seconds: float = 0.0
    size: int = 0  # bytes, for the oversized answers of WIRE_KINDS
    headers: tuple[tuple[str, str], ...] | None = None  # status: replace the RateLimit header

    @classmethod
    def status(cls, code: int, body: Any = None, *, headers: dict[str, str] | None = None) -> Fault:
        """Answer `code` with `body` (a dict/list as JSON, a str as is; default Close's shape).

        `headers`, when given, are sent instead of the usual `RateLimit` header (a 429 with
        only `Retry-After: 0`, say).
        """
        if not 100 <= code <= 599:
            raise ValueError(f"HTTP status must be between 100 and 599, got {code}")
        given = tuple(headers.items()) if headers is not None else None
        return cls("status", code=code, body=body, headers=given)

    @classmethod
    def rate_limit(cls, style: str = "comma", reset: float = 1.0) -> Fault:
        if style not in RATE_LIMIT_STYLES:
            raise ValueError(
                f"unknown rate-limit style {style!r}; expected one of {RATE_LIMIT_STYLES}"
            )
        if reset < 0:
            raise ValueError(f"reset must be >= 0 seconds, got {reset}")
        return cls("rate_limit", code=429, style=style, reset=reset)

    @classmethod
    def truncated_json(cls) -> Fault:
        return cls("truncated_json")

    @classmethod
    def html(cls, status: int = 502) -> Fault:
        return cls("html", code=status)

    @classmethod
    def drop(cls) -> Fault:
        return cls("drop")

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        if seconds < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {seconds}")
        return cls("delay", seconds=seconds)

    # -- answers that misbehave on the wire (written by emulator/wire.py) ---------------------

    @classmethod
    def drip(cls, interval: float = 0.5) -> Fault:
        """The real answer, its body sent one byte every `interval` seconds."""
        return cls("drip", seconds=_positive("interval", interval))

    @classmethod
    def stall_headers(cls, seconds: float = 30.0) -> Fault:
        """Half of the status line and headers, then nothing for `seconds`."""
        return cls("stall_headers", seconds=_positive("seconds", seconds))

    @classmethod
    def stall_body(cls, seconds: float = 30.0) -> Fault:
        """Headers and half of the real body, then nothing for `seconds`."""
        return cls("stall_body", seconds=_positive("seconds", seconds))

    @classmethod
    def oversized(cls, size: int) -> Fault:
        """A 200 whose JSON body is `size` bytes, Content-Length truthful."""
        return cls("oversized", size=_size(size))

    @classmethod
    def gzip_bomb(cls, size: int) -> Fault:
        """A 200 with Content-Encoding gzip whose small body inflates to `size` bytes."""
        return cls("gzip_bomb", size=_size(size))

    @classmethod
    def endless(cls, size: int = 1 << 30) -> Fault:
        """A chunked 200 that goes on until the client hangs up (at most `size` bytes)."""
        return cls("endless", size=_size(size))

    @classmethod
    def lying_length(cls, size: int = 1 << 40) -> Fault:
        """Content-Length says `size`; a short body follows and the connection closes."""
        return cls("lying_length", size=_size(size))


#: The faults whose answer `emulator/wire.py` writes byte by byte instead of `Handler.send`.
WIRE_KINDS = frozenset(
    {"drip", "stall_headers", "stall_body", "oversized", "gzip_bomb", "endless", "lying_length"}
)


def _positive(name: str, value: float) -> float:
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number > 0 seconds, got {value}")
    return value


def _size(value: int) -> int:
    if value < 1:
        raise ValueError(f"size must be at least 1 byte, got {value}")
    return value


@dataclass
class _Scripted:
    fault: Fault
    path: str | None


class FaultQueue:
    """Injected faults, consumed in order by the first request whose path matches."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: deque[_Scripted] = deque()

    def push(self, faults: tuple[Fault, ...], path: str | None) -> None:
        with self._lock:
            self._items.extend(_Scripted(fault, path) for fault in faults)

    def take(self, *paths: str) -> Fault | None:
        """The first pending fault whose `path` is a prefix of one of `paths` (relative, full)."""
        with self._lock:
            for item in self._items:
                if item.path is None or any(p.startswith(item.path) for p in paths):
                    self._items.remove(item)
                    return item.fault
        return None

    def pending(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass
class BucketState:
    """What one request saw: allowed or not, and the values of its `RateLimit` header."""

    allowed: bool
    limit: int
    remaining: int
    reset: float


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class TokenBucket:
    """A token bucket per API key: `rate` tokens a second, at most `burst` stored.

    `enforce=False` is the emulator's default (no --rate-limit): the bucket still counts so the
    `RateLimit` header moves realistically, but nothing is ever refused and `remaining` stops
    at 0. `reset` is the time until `limit` requests are available again once the `remaining`
    ones are spent (so the header reads like a fixed window that is never wrong); on a refusal
    it is the time until the next token (so a client waiting `reset` then succeeds).
    """

    rate: float
    burst: int
    enforce: bool = True
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not (self.rate > 0 and math.isfinite(self.rate)):
            raise ValueError(
                f"rate limit must be a finite number > 0 requests per second, got {self.rate}"
            )
        if self.burst < 1:
            raise ValueError(f"burst must be >= 1, got {self.burst}")

    def acquire(self, key: str) -> BucketState:
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                allowed = True
            elif not self.enforce:
                bucket.tokens = 0.0
                allowed = True
            else:
                wait = (1.0 - bucket.tokens) / self.rate
                return BucketState(False, self.burst, 0, wait)
            remaining = int(bucket.tokens)
            # `reset` as a window: if the `remaining` requests were all sent right now, the
            # bucket would hold `limit` tokens again after this long. A client that treats the
            # header as a fixed window (use `remaining`, then wait `reset` for a fresh `limit`)
            # is therefore never refused, and still gets the full rate.
            window = (self.burst - (bucket.tokens - remaining)) / self.rate
            return BucketState(allowed, self.burst, remaining, window)


def format_reset(reset: float) -> str:
    """Decimal seconds as Close documents them (`reset=0.600`)."""
    return f"{max(0.0, reset):.3f}"


def retry_after(reset: float) -> str:
    """Retry-After: the reset rounded up to whole seconds."""
    return str(math.ceil(max(0.0, reset) - 1e-9))


def ratelimit_header(limit: int, remaining: int, reset: float, separator: str = ", ") -> str:
    return separator.join(
        (f"limit={limit}", f"remaining={remaining}", f"reset={format_reset(reset)}")
    )


def rate_limited_response(style: str, limit: int, reset: float) -> tuple[dict[str, str], Any]:
    """Headers and JSON body of a 429 in one of the styles Close has used over the years.

    comma: the documented form (RateLimit with `, ` + Retry-After); semicolon: the form seen
    live in 2026 (RateLimit with `; ` only); separate: RateLimit-Limit/-Remaining/-Reset only;
    retry-after: Retry-After only; legacy-nested / legacy-flat: no headers, the reset only in
    the pre-2024 body (nested under "error", or flat with a string `rate_reset`).
    """
    error_body: Any = {"error": RATE_LIMIT_MESSAGE}
    headers: dict[str, str] = {}
    if style == "comma":
        headers["RateLimit"] = ratelimit_header(limit, 0, reset)
        headers["Retry-After"] = retry_after(reset)
    elif style == "semicolon":
        headers["RateLimit"] = ratelimit_header(limit, 0, reset, "; ")
    elif style == "separate":
        headers["RateLimit-Limit"] = str(limit)
        headers["RateLimit-Remaining"] = "0"
        headers["RateLimit-Reset"] = format_reset(reset)
    elif style == "retry-after":
        headers["Retry-After"] = retry_after(reset)
    elif style == "legacy-nested":
        error_body = {
            "error": {
                "message": RATE_LIMIT_MESSAGE,
                "rate_reset": round(reset, 6),
                "rate_limit": limit,
                "rate_window": 1,
                "rate_limit_type": "key",
            }
        }
    elif style == "legacy-flat":
        error_body = {
            "message": RATE_LIMIT_MESSAGE,
            "rate_endpoint_group": "ab60a2938ea23638a0c6f32222cadc8e",
            "rate_limit": limit,
            "rate_limit_type": "key",
            "rate_reset": f"{reset:.6f}",
            "rate_window": 1,
        }
    else:
        raise ValueError(f"unknown rate-limit style {style!r}")
    return headers, error_body
