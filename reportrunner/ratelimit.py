"""Close's rate-limit signals, parsed, and one shared `Pacer` that keeps every worker under them.

Close announces its limits in several shapes over the years (close-api.md §4): the RFC-draft
`RateLimit: limit=100, remaining=50, reset=5` header (live servers separate with `;`, and
`reset` is a decimal), the separate `RateLimit-Limit/-Remaining/-Reset` headers, `Retry-After`
(whole seconds or an HTTP date) and the deprecated JSON body `rate_reset` (flat or nested under
`error`, a number or a string). urllib3's `Retry` understands none of the decimal forms, so this
module parses them all, and the `Pacer` turns them into waiting: when the announced `remaining`
reaches zero every worker waits for `reset` instead of collecting 429s. Clock and sleep are
injected so tests never wait for real.
"""

from __future__ import annotations

import email.utils
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from reportrunner.errors import ReportRunnerError

#: Used when a 429 carries no usable hint at all (Close promises one, but be safe).
DEFAULT_RETRY_WAIT = 2.0
#: Never spin: a 429 that says "reset=0", `Retry-After: 0` or a date in the past still waits
#: this long before the retry (Close's own decimal resets are rarely below it). With the
#: client's cap on 429s per request, a server saying "now" forever costs a few seconds.
MIN_WAIT = 0.25
#: How often a waiting worker looks again while the pacer waits for an answer to learn from.
ANSWER_POLL = 0.01
#: Answers remembered to judge which of them the server counted after a given one.
RECENT_ANSWERS = 256

_PAIR = re.compile(r"^\s*([A-Za-z_-]+)\s*=\s*\"?([^\"]*?)\"?\s*$")


@dataclass(frozen=True)
class RateLimitInfo:
    """One response's view of the limit closest to being hit; any field may be unknown."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # seconds until the window ends (decimal)


def _number(text: Any) -> float | None:
    """A finite, non-negative number from an int, float or numeric string; None otherwise."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    elif isinstance(text, str):
        try:
            value = float(text.strip())
        except ValueError:
            return None
    else:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value


def _integer(text: Any) -> int | None:
    value = _number(text)
    return int(value) if value is not None else None


def parse_ratelimit_header(value: str | None) -> RateLimitInfo | None:
    """Parse `limit=100, remaining=50, reset=5` with `,` or `;` separators (any order).

    Unknown keys (such as a `policy` parameter) are ignored; None when nothing is usable.
    """
    if not value:
        return None
    fields: dict[str, str] = {}
    for part in re.split(r"[,;]", value):
        match = _PAIR.match(part)
        if match:
            fields[match.group(1).lower()] = match.group(2)
    info = RateLimitInfo(
        limit=_integer(fields.get("limit")),
        remaining=_integer(fields.get("remaining")),
        reset=_number(fields.get("reset")),
    )
    return None if info == RateLimitInfo() else info


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header look-up that also works on a plain dict."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, item in headers.items():
        if key.lower() == lowered:
            return item
    return None


def parse_headers(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """The rate-limit state announced by a response's headers.

    The combined `RateLimit` header wins; the separate `RateLimit-*` (and the pre-2023
    `X-Rate-Limit-*`) headers fill whatever it leaves unknown.
    """
    combined = parse_ratelimit_header(_header(headers, "RateLimit")) or RateLimitInfo()
    limit, remaining, reset = combined.limit, combined.remaining, combined.reset
    for prefix in ("RateLimit-", "X-Rate-Limit-"):
        if limit is None:
            limit = _integer(_header(headers, prefix + "Limit"))
        if remaining is None:
            remaining = _integer(_header(headers, prefix + "Remaining"))
        if reset is None:
            reset = _number(_header(headers, prefix + "Reset"))
    info = RateLimitInfo(limit=limit, remaining=remaining, reset=reset)
    return None if info == RateLimitInfo() else info


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: delta-seconds (decimals tolerated) or an HTTP date."""
    if value is None or not value.strip():
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        moment = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (moment - current).total_seconds())


def parse_legacy_body(body: Any) -> float | None:
    """`rate_reset` from the deprecated 429 body: `{"error": {"rate_reset": 1}}` or flat."""
    if not isinstance(body, dict):
        return None
    nested = body.get("error")
    if isinstance(nested, dict) and "rate_reset" in nested:
        return _number(nested["rate_reset"])
    return _number(body.get("rate_reset"))


def retry_wait(headers: Mapping[str, str], body: Any = None) -> float:
    """How long to wait after a 429 before trying again, from every hint the answer carries.

    A `RateLimit` header that says `remaining=0` is the most precise (decimal reset). When it
    describes some other limit (remaining > 0: a stricter, unannounced limit was hit), Close
    says only `rate_reset` and `Retry-After` are meaningful, so those come next.
    """
    info = parse_headers(headers)
    candidates: list[float | None] = []
    if info is not None and info.remaining == 0:
        candidates.append(info.reset)
    candidates.append(parse_legacy_body(body))
    candidates.append(parse_retry_after(_header(headers, "Retry-After")))
    if info is not None:
        candidates.append(info.reset)
    for candidate in candidates:
        if candidate is not None:
            return max(candidate, MIN_WAIT)
    return DEFAULT_RETRY_WAIT


class Pacer:
    """Shared by every worker thread: spaces requests so the announced limit is never exceeded.

    Workers call `acquire()` before each request (it sleeps while the window is exhausted or a
    429 asked everyone to hold off) and `release(info)` after the answer, on the same thread.
    Each request gets a sequence number; an answer's `remaining` is taken as the truth minus
    the requests the server may count after it (those still in flight, and those answered
    since with a lower count), and answers older than one already applied are ignored.
    When the estimate reaches zero, workers wait for the next answer while requests are in
    flight, else for `reset`. After a 429 one request probes before the others resume.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._local = threading.local()  # the sequence number of this thread's request
        self._blocked_until = 0.0
        self._limit: int | None = None
        self._remaining: int | None = None  # estimated slots left; None = unknown, no pacing
        self._window_end: float | None = None
        self._next_seq = 0
        self._applied_seq = -1
        self._in_flight: set[int] = set()
        #: Requests the server may count after the last answer applied: those in flight then,
        #: plus every one sent since. A token bucket's "full" reset ignores them.
        self._counted_after = 0
        self._answers = 0  # answers carrying a count, so far
        self._answers_at_send: dict[int, int] = {}  # seq → `_answers` when it was sent
        self._recent: deque[tuple[int, int]] = deque(maxlen=RECENT_ANSWERS)  # (index, remaining)
        self.total_wait = 0.0  # seconds spent waiting, summed over workers (for the stats)

    def _wait_needed(self, now: float) -> float:
        if now < self._blocked_until:
            return self._blocked_until - now
        if self._remaining is None or self._remaining > 0:
            return 0.0
        if self._window_end is not None and now >= self._window_end and self._limit is not None:
            # The window is over (or the bucket full again): the full limit, less every
            # request the server may have counted since the answer that announced `reset`.
            self._remaining = self._limit - self._counted_after
            self._counted_after = 0
            self._window_end = None
            if self._remaining > 0:
                return 0.0
        if self._in_flight:
            # An answer is on its way and will say what is really left: waiting for it costs
            # far less than waiting for the whole window (the estimate is conservative).
            return ANSWER_POLL
        if self._window_end is not None:
            return self._window_end - now
        self._remaining = 1  # nothing in flight and no window known: one request probes
        return 0.0

    def peek(self) -> float:
        """Seconds a request would have to wait right now (no reservation made)."""
        with self._lock:
            return self._wait_needed(self._clock())

    def acquire(self, *, max_wait: float | None = None) -> float:
        """Block until a request may be sent, reserve a slot, and return the seconds waited.

        With `max_wait`, raise `WaitTooLong` instead of sleeping past that many seconds.
        """
        waited = 0.0
        while True:
            with self._lock:
                wait = self._wait_needed(self._clock())
                if wait <= 0:
                    if self._remaining is not None:
                        self._remaining -= 1
                    self._local.seq = self._next_seq
                    self._in_flight.add(self._next_seq)
                    self._answers_at_send[self._next_seq] = self._answers
                    self._counted_after += 1
                    self._next_seq += 1
                    self.total_wait += waited
                    return waited
            if max_wait is not None and waited + wait > max_wait:
                with self._lock:
                    self.total_wait += waited
                raise WaitTooLong(waited, wait)
            self._sleep(wait)
            waited += wait

    def release(self, info: RateLimitInfo | None, *, refused: bool = False) -> None:
        """Record what the answer to this thread's last request said about the limit.

        `refused` marks a 429: its header describes the refusal, not the window, and the
        caller follows up with `hold`.
        """
        seq: int | None = getattr(self._local, "seq", None)
        self._local.seq = None
        if seq is None:
            return
        with self._lock:
            self._in_flight.discard(seq)
            sent_at = self._answers_at_send.pop(seq, self._answers)
            if refused:
                return
            if info is None:  # no answer (connection error): nothing learned
                return
            if info.limit is not None:
                self._limit = info.limit
            if info.remaining is None:
                return
            # Servers do not answer in order. Requests still in flight may be counted after
            # this answer was computed, and so may those answered since this one was sent
            # that saw fewer requests left than this one did (they came later).
            later = sum(
                1 for index, left in self._recent if index >= sent_at and left < info.remaining
            )
            self._recent.append((self._answers, info.remaining))
            self._answers += 1
            if seq < self._applied_seq:
                return  # an older answer than one already applied: out of date
            self._applied_seq = seq
            uncounted = len(self._in_flight) + later
            self._remaining = info.remaining - uncounted
            self._counted_after = uncounted
            if info.reset is not None:
                self._window_end = self._clock() + info.reset

    def hold(self, seconds: float) -> None:
        """A 429 said to wait: every worker waits until then (the caller sleeps in acquire)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
            # After the wait one request probes; the others wait for its answer, which says
            # how much of the limit is really left (a 429 storm otherwise follows every 429).
            self._remaining = 1
            self._window_end = None
            self._applied_seq = self._next_seq - 1


class WaitTooLong(ReportRunnerError):
    """The pacer would have to wait longer than the caller's budget allows.

    The client catches it and raises an `ApiError` naming the URL and the report.
    """

    def __init__(self, waited: float, needed: float) -> None:
        super().__init__(f"rate-limit wait of {needed:.1f} s exceeds the remaining budget")
        self.waited = waited
        self.needed = needed
