"""One shared `Pacer` that grants every worker its send slots, robust to any honest limiter.

Close documents its headers, not how its limiter refills (close-api.md §4), so nothing here
assumes one model. Per scope (a key's endpoint group) the pacer keeps an estimate of the
requests the server would admit, anchored at the moment each answered request was *sent*
(the server's clock and ours differ by the same send-to-count delay for every request):

- an answer's `remaining` is the truth at its send time, less every request granted after it;
- its `reset` promises at least one more request at send time + reset (true of a fixed window,
  a token bucket whose reset is the next token, a sliding window, and one whose reset is the
  time to a full bucket);
- between answers the estimate refills at the *measured* rate: refill between two answers
  sent at least `RATE_HORIZON` apart is their difference in `remaining` plus the requests
  granted between them;
- a fixed window shows itself (two answers announce the same window end and nothing refilled
  between them): from then on nothing refills until the window's end, when the full limit does;
- a server that sends no RateLimit header at all is paced by the rate its 429s reveal:
  slow start until the first 429, then that rate less 15 % on every 429 and 5 % more a second
  without one, up to 97 % of the rate that drew the last 429 and past it only 0.02 % a second
  (never one request at a time for good);
- while nothing is known (the first answer of a scope) one request probes alone.

Several keys of one organisation (close-api.md §4: a limit per key and one shared by all,
3x as high) each have their scope, and one more scope, the organisation's, sees every
request of every key. Nothing about the shared limit is assumed: it exists for the pacer once
an answer announces a `limit` above the one its key has shown (the header describes the
limit closest to being hit, so that answer is the shared one's), and from then on every
request waits for both its key and the organisation.

Clock and sleep are injected so tests never wait for real.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from reportrunner.errors import WaitTooLong as WaitTooLong
from reportrunner.fetch.pacescope import ANSWER_POLL as ANSWER_POLL
from reportrunner.fetch.pacescope import (
    CEILING_SHARE,
    DECREASE,
    INCREASE_PER_SECOND,
    PRIMARY_GROUP,
    PROBE_PER_SECOND,
    RATE_HORIZON,
    RATE_SPAN,
    Answer,
    Scope,
    primary_group,
)
from reportrunner.fetch.pacescope import SHARED as SHARED

if TYPE_CHECKING:  # ratelimit.py re-exports the Pacer: no import cycle at run time
    from reportrunner.fetch.ratelimit import RateLimitInfo


class Pacer:
    """Shared by every worker thread: grants send slots so no announced limit is exceeded.

    Workers call `acquire(scope)` before each request (it sleeps until a slot is free) and
    `release(info)` after the answer, on the same thread; `hold(seconds)` after a 429.
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
        self._local = threading.local()  # (scope, seq) of this thread's request
        self._scopes: dict[str, Scope] = {}
        self._next_seq = 0
        self.total_wait = 0.0  # seconds spent waiting, summed over workers (for the stats)

    def _scope(self, name: str) -> Scope:
        scope = self._scopes.get(name)
        if scope is None:
            scope = self._scopes[name] = Scope()
        return scope

    def _wait(self, key: str, now: float) -> float:
        """Seconds before a request of `key` may go: its own limit and, once an answer has
        shown it, the limit every key shares."""
        own = self._scope(key)
        wait = own.wait(now)
        if own.limit is not None and own.in_flight and wait < ANSWER_POLL:
            # Until a second key has shown its limit, the one this key saw may be the
            # organisation's (the header shows the limit closer to being hit, and several
            # keys' first requests drain the shared reserve): one request at a time until
            # then, for the round trip it takes (a key once sent four past its own limit so).
            keys = [s for n, s in self._scopes.items() if n != SHARED]
            if len(keys) > 1 and sum(1 for s in keys if s.limit is not None) < 2:
                wait = ANSWER_POLL
        shared = self._scopes.get(SHARED)
        if shared is None:
            return wait
        if shared.anchor_remaining is not None or shared.rate is not None:
            return max(wait, shared.wait(now))
        return max(wait, shared.not_before - now)

    def peek(self, key: str = "", *, group: str = "") -> float:
        """Seconds a request would have to wait right now (no reservation made)."""
        with self._lock:
            return self._wait(key, self._clock())

    def estimated_rate(self, key: str = "", *, group: str = "") -> float | None:
        """The refill rate measured so far (requests a second), for stats and tests."""
        with self._lock:
            return self._scope(key).rate

    def acquire(self, key: str = "", *, group: str = "", max_wait: float | None = None) -> float:
        """Block until a request may be sent, reserve its slot, and return the seconds waited.

        `key` names the limit (one per API key), `group` the endpoint group the request
        belongs to. With `max_wait`, raise `WaitTooLong` instead of sleeping past that long.
        """
        return self.acquire_any((key,), group=group, max_wait=max_wait)[1]

    def acquire_any(
        self, keys: Sequence[str], *, group: str = "", max_wait: float | None = None
    ) -> tuple[str, float]:
        """`acquire` for whichever of `keys` frees a slot first (ties: the first listed):
        (that key, seconds waited). A worker waits for every key at once, not in the queue of
        one it picked early while another key fell idle."""
        # Waited time is read off the clock, not summed from the sleeps asked for: an injected
        # sleep may return early (or at once), and summing would then run the budget out.
        start = self._clock()
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                waited = max(0.0, now - start)
                wait, scope = min((self._wait(k, now), n, k) for n, k in enumerate(keys))[::2]
                if wait <= 0:
                    seq = self._next_seq
                    self._next_seq += 1
                    # The shared scope counts every key's requests, whether known yet or not.
                    for state in (self._scope(scope), self._scope(SHARED)):
                        state.in_flight[seq] = now
                        state.grants.append((seq, now))
                        state.last_grant = now
                    self._local.request = (scope, group, seq)
                    self.total_wait += waited
                    return scope, waited
            if max_wait is not None and waited + wait > max_wait:
                with self._lock:
                    self.total_wait += waited
                raise WaitTooLong(waited, wait)
            self._sleep(wait)

    def release(self, info: RateLimitInfo | None, *, refused: bool = False) -> None:
        """Record what the answer to this thread's last request said about the limit.

        `info` None: no answer (a connection error) or no header. `refused` marks a 429;
        the caller follows up with `hold`.
        """
        request: tuple[str, str, int] | None = getattr(self._local, "request", None)
        self._local.request = None
        if request is None:
            return
        key, group, seq = request
        self._local.last_scope = key
        with self._lock:
            own = self._scopes.get(key)
            sent = own.in_flight.pop(seq, None) if own is not None else None
            shared = self._scope(SHARED)
            shared.in_flight.pop(seq, None)
            if own is None or sent is None:
                return
            now = self._clock()
            own.answered[seq] = shared.answered[seq] = now
            # An answer about a larger limit than a key's describes the shared one. Keys of one
            # organisation have one key limit (close-api.md §4), so the smallest any key has
            # shown is each key's: a key whose first answer came from the shared limit is not
            # misled by it. Only the main group's answers count: a look-up's larger limit may
            # be that group's own (the look-ups' answers only ever lower an estimate).
            name = key
            known = [s.limit for n, s in self._scopes.items() if n != SHARED and s.limit]
            key_limit = min(known, default=None)
            if (
                info is not None
                and info.limit
                and key_limit
                and info.limit > key_limit
                and group == PRIMARY_GROUP
            ):
                name = SHARED
                own.limit = min(own.limit or key_limit, key_limit)
            self._local.last_scope = name
            state = self._scopes[name]
            if refused:  # a refused request took nothing from either limit
                for other in (own, shared):
                    other.refused.add(seq)
                    other.older_in_flight.discard(seq)
            if info is not None:
                state.round_trips.append(now - sent)
            if info is not None and (info.limit is not None or info.remaining is not None):
                state.announced = True
            if refused:
                self._on_refusal(state, seq, sent, info, now)
            elif info is not None and info.remaining is not None:
                state.groups[group] = state.groups.get(group, 0) + 1
                if group == primary_group(state.groups):
                    self._on_count(state, seq, sent, info)
                else:
                    self._on_other_group(state, seq, sent, info, now)
            elif info is not None or not state.announced:
                self._on_silent_success(state, sent, now, answered=info is not None)
            if refused and info is not None and group == PRIMARY_GROUP:
                self._learn_from_refusal(state, info)
            self._unlearn_shared_limits()
            self._forget(own)
            self._forget(shared)

    def hold(self, seconds: float) -> None:
        """A 429 said to wait: every worker of this thread's last scope waits until then."""
        name = getattr(self._local, "last_scope", "")
        with self._lock:
            state = self._scopes.get(name)
            if state is None:
                return
            state.not_before = max(state.not_before, self._clock() + seconds)
            if state.anchor_remaining is not None and state.anchor_end is None:
                # The refused request's send time + the wait: then one request may go.
                state.anchor_end = state.anchor_sent + seconds

    # -- learning -------------------------------------------------------------------------
    def _unlearn_shared_limits(self) -> None:
        """A key whose first answers came from the organisation's limit (before any key had
        shown a smaller one) took that limit and its rate for its own, and sent as if it had
        the organisation's reserve to itself (one key drew five 429s in a row so at the
        start). Once a smaller key limit is known, such a key starts again from a probe."""
        keys = [(n, s) for n, s in self._scopes.items() if n != SHARED]
        key_limit = min((s.limit for _, s in keys if s.limit), default=None)
        if key_limit is None or len(keys) < 2:
            return
        for name, old in keys:
            if old.limit is not None and old.limit > key_limit:
                fresh = self._scopes[name] = Scope(limit=key_limit, announced=True)
                fresh.in_flight, fresh.grants, fresh.answered = (
                    old.in_flight,
                    old.grants,
                    old.answered,
                )
                fresh.refused, fresh.round_trips = old.refused, old.round_trips
                fresh.not_before = old.not_before
                fresh.anchor_seq = max(old.in_flight, default=old.anchor_seq)

    def _learn_from_refusal(self, state: Scope, info: RateLimitInfo) -> None:
        """A 429's header announces its limit and reset too: without them a limit seen only
        in a 429 (the shared one, refused before any answer had shown it) had no rate to refill
        by, and its estimate stayed below one request until the end: the run went one request
        at a time."""
        if state.limit is None and info.limit:
            state.limit = info.limit
        if not state.measured and not state.stepped and info.reset:
            state.longest_reset = max(state.longest_reset, info.reset)
            guess = 1.0 / state.longest_reset
            state.rate = guess if state.rate is None else min(state.rate, guess)

    def _on_other_group(
        self, state: Scope, seq: int, sent: float, info: RateLimitInfo, now: float
    ) -> None:
        """An answer of a minor endpoint group: it may lower the estimate, never raise it.

        Close documents limits per endpoint group; a server may also share one limit. Pacing
        every group against the main group's limit is right for both, and the few look-ups'
        answers (from a limit of their own, or the shared one) only ever make it stricter.
        """
        before = state.credit(now)
        saved = (
            state.anchor_seq, state.anchor_sent, state.anchor_remaining, state.anchor_end,
            state.anchor_answer, state.anchor_rtt, set(state.older_in_flight),
        )  # fmt: skip
        answers = state.answers.copy()
        self._on_count(state, seq, sent, info, measure=False)
        after = state.credit(now)
        if before is not None and (after is None or after > before):
            (
                state.anchor_seq, state.anchor_sent, state.anchor_remaining, state.anchor_end,
                state.anchor_answer, state.anchor_rtt, state.older_in_flight,
            ) = saved  # fmt: skip
        state.answers = answers

    def _on_count(
        self, state: Scope, seq: int, sent: float, info: RateLimitInfo, *, measure: bool = True
    ) -> None:
        """An answer that says how many requests are left: the new anchor, if it is newer."""
        assert info.remaining is not None
        if info.limit is not None and measure:
            if state.limit is not None and info.limit < state.limit:
                # The earlier answers described a larger limit (the organisation's, before
                # any key had shown its own): what they taught does not hold for this one.
                state.rate, state.measured, state.longest_reset = None, False, 0.0
                state.answers.clear()
            state.limit = info.limit
        full = state.limit is not None and state.limit > 1 and info.remaining >= state.limit - 1
        # A reset of 0 with requests left (a sliding window that is not full) says nothing.
        end = sent + info.reset if info.reset else None
        answer = Answer(seq, sent, info.remaining, full, end)
        if measure:
            self._measure(state, answer)
            self._learn_window(state, answer, info.reset)
        # Servers do not count in send order: requests sent within a round trip before this
        # one, answered already with fewer left, were counted after it.
        since = sent - (self._clock() - sent)
        later = sum(
            1
            for a in state.answers
            if a.seq < seq
            and a.sent >= since
            and a.remaining < info.remaining
            and not (
                state.stepped and a.end is not None and end is not None and abs(a.end - end) > 0.05
            )
        )
        state.answers.append(answer)
        while state.answers and state.answers[0].sent < sent - RATE_SPAN:
            state.answers.popleft()
        if seq < state.anchor_seq:
            # Older than the anchor: counted before it (more left) or after it (fewer).
            if state.anchor_answer is not None and info.remaining > state.anchor_answer:
                state.older_in_flight.discard(seq)
            return
        state.anchor_answer = info.remaining
        state.anchor_rtt = self._clock() - sent
        state.anchor_seq = seq
        state.anchor_sent = sent
        state.anchor_remaining = float(info.remaining - later)
        state.anchor_end = end
        state.anchor_counted = True
        state.older_in_flight = {s for s in state.in_flight if s < seq}
        if not state.measured and info.reset and info.remaining < (state.limit or 0):
            # A guess until two answers measure it. A bucket's reset is the time to its next
            # token, one token's time only when it was full a moment before and any fraction
            # of it otherwise, so the guess is the longest reset seen: later resets only lower
            # it (one short reset alone overshot by 25 % and more, and a guess used to stay
            # until averaged away). A window's reset is the whole window (too slow, so
            # harmless). Without any guess a limit whose answers come seldom (the shared one,
            # while the keys' own limits are closer) could not refill: one request at a time.
            state.longest_reset = max(state.longest_reset, info.reset)
            guess = 1.0 / state.longest_reset
            state.rate = guess if state.rate is None else min(state.rate, guess)

    def _learn_window(self, state: Scope, answer: Answer, reset: float | None) -> None:
        """A sliding window shows itself by a reset of 0 while requests are left; when full,
        its reset is when the oldest of the last `limit` counted requests leaves it.

        Which requests the server counted before this one shows in the order of their
        answers, not of their sends (requests sent together are counted in any order), so the
        window is measured between answers: this one's, and the `limit`-th latest before it.
        """
        if reset == 0 and answer.remaining > 0:
            state.sliding, state.stepped = True, False
        if not state.sliding or not reset or answer.remaining > 0 or state.limit is None:
            return
        this = state.answered.get(answer.seq)
        if this is None:
            return
        counted = sorted(
            at
            for s, _ in state.grants
            if s not in state.refused and (at := state.answered.get(s)) is not None and at <= this
        )
        if len(counted) >= state.limit:
            oldest = counted[-state.limit]
            state.windows.append(this + reset - oldest)
            state.window = statistics.median(state.windows)  # one late count skews one

    def _measure(self, state: Scope, answer: Answer) -> None:
        """Learn whether the limit is a fixed window, and its refill rate, from two answers."""
        anchor_end = state.anchor_end
        if (
            not state.stepped
            and not state.sliding
            # A bucket refills while the client waits: without a rate to expect that refill,
            # or from a 429's end (the client's own wait, at least ratelimit.MIN_WAIT), a
            # bucket's refill looked like a window's (and then drew a 429 every window).
            and state.rate is not None
            and state.anchor_counted
            and anchor_end is not None
            and state.anchor_remaining is not None
            and anchor_end
            <= answer.sent
            < anchor_end + 0.5 * (anchor_end - state.anchor_sent) + 0.05
        ):
            # Sent just after the anchor's reset: a window refills the whole limit at once, a
            # bucket about one request (plus its rate times the time passed).
            jump = float(answer.remaining + state.granted_between(state.anchor_seq, answer.seq))
            jump -= state.anchor_remaining
            expected = 1.0 + (state.rate or 0.0) * (answer.sent - state.anchor_sent)
            if jump > expected + max(2.0, 0.25 * (state.limit or 0)):
                state.stepped = True
        if state.stepped:
            return
        older = None
        for candidate in reversed(state.answers):  # newest first, back to the last full one
            if candidate.full:
                break
            if answer.sent - candidate.sent >= RATE_HORIZON:
                older = candidate
        if older is None:
            return
        refill = answer.remaining - older.remaining + state.granted_between(older.seq, answer.seq)
        span = answer.sent - older.sent
        sample = max(0.0, refill) / span
        if sample > 0:
            weight = min(1.0, span / RATE_SPAN) if state.measured else 1.0
            state.rate = (
                sample if state.rate is None else (1 - weight) * state.rate + weight * sample
            )
            state.measured = True

    def _on_refusal(
        self, state: Scope, seq: int, sent: float, info: RateLimitInfo | None, now: float
    ) -> None:
        """A 429: the server had nothing left when this request arrived."""
        first_of_its_kind = sent >= state.cut_at  # the others were in flight already
        if first_of_its_kind:
            state.cut_at = now
        if state.announced:
            if seq >= state.anchor_seq:
                state.anchor_seq = seq
                state.anchor_sent = sent
                state.anchor_remaining = 0.0
                state.anchor_end = None  # `hold` sets it from the wait the 429 asked for
                state.anchor_counted = False
                state.older_in_flight = {s for s in state.in_flight if s < seq}
            if state.rate is not None and not state.stepped and first_of_its_kind:
                state.rate *= DECREASE
            return
        if not first_of_its_kind:
            return
        # No RateLimit header: the rate that drew the 429 was too high.
        horizon = max(RATE_HORIZON, now - (state.successes[0] if state.successes else now))
        seen = sum(1 for t in state.successes if t >= now - horizon)
        observed = seen / horizon if seen else None
        if state.rate is None and observed is None:
            state.slow_start = 1.0  # refused before anything got through: start again
        elif state.rate is None:
            state.ceiling = max(observed or 0.0, 0.1)
            state.rate = state.ceiling * DECREASE
        else:
            # A bucket's reserve lets a too-high rate through for a while: over a long enough
            # span, the rate that got through is the better measure of what the server allows.
            sustained = observed if observed is not None and horizon >= RATE_SPAN else math.inf
            state.ceiling = min(state.rate, sustained)
            state.rate = max(0.01, state.ceiling * DECREASE)
        state.rate_grown_at = now

    def _on_silent_success(self, state: Scope, sent: float, now: float, *, answered: bool) -> None:
        """An answer without a RateLimit header (or none at all): only header-less pacing."""
        if not answered or state.announced:
            return
        state.successes.append(sent)
        while state.successes and state.successes[0] < now - 10 * RATE_HORIZON:
            state.successes.popleft()
        if state.rate is None:
            state.slow_start += 1.0 / state.slow_start  # one more in flight per round trip
        else:
            elapsed = now - state.rate_grown_at
            below = state.ceiling is not None and state.rate < state.ceiling * CEILING_SHARE
            step = INCREASE_PER_SECOND if below or state.ceiling is None else PROBE_PER_SECOND
            grown = state.rate * (1.0 + step * elapsed)
            if below and state.ceiling is not None:
                grown = min(grown, state.ceiling * CEILING_SHARE)
            state.rate = grown
            state.rate_grown_at = now

    def _forget(self, state: Scope) -> None:
        """Drop grants and refusals no estimate needs any more."""
        keep = min([state.anchor_seq, *state.in_flight, *(a.seq for a in state.answers)])
        if state.anchor_remaining is None and state.rate is None:
            # Nothing learned yet (the shared scope of a lone key): only the unanswered count.
            keep = min(state.in_flight, default=self._next_seq)
        while state.grants and state.grants[0][0] < keep:
            state.answered.pop(state.grants.popleft()[0], None)
        state.refused = {s for s in state.refused if s >= keep}
