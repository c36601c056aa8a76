"""What the pacer knows of one scope (a key's endpoint group, or the organisation's limit).

The estimate of the requests the server would admit, anchored at the send time of the newest
applied answer, the grants since, the measured refill rate or window, and the wait before the
next send (`Scope.wait`). The learning itself (which answer moves what) is `pacer.Pacer`'s;
this module holds the state and the arithmetic on it, and the tuning constants both share.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

#: How often a waiting worker looks again while the pacer waits for an answer to learn from.
ANSWER_POLL = 0.01
#: Shortest span between two answers whose difference measures the refill rate (seconds).
RATE_HORIZON = 1.0
#: The span over which a measured rate replaces the previous estimate outright (seconds).
RATE_SPAN = 5.0
#: Answers remembered per scope for the rate measurement.
RECENT_ANSWERS = 512
#: Safety margin added to every `reset` wait: the send-to-count delay varies a little.
MARGIN = 0.01
#: Without RateLimit headers: the rate cut on each 429, and its growth per second without one.
DECREASE = 0.85
#: The scope of the limit shared by every key (a name no key can have: keys are visible ASCII).
SHARED = "\x00organisation"
#: The endpoint group most requests go to (ratelimit.scope_of).
PRIMARY_GROUP = "reports"
#: The measured rate is used at this fraction: its error is a percent or two either way.
SAFETY = 0.99
INCREASE_PER_SECOND = 0.05
#: Without RateLimit headers the rate grows back to this share of the rate that last drew a
#: 429 (the ceiling) at `INCREASE_PER_SECOND`, and past it only at `PROBE_PER_SECOND`: a
#: sawtooth that climbs 1 %/s past the limit would draw a 429 every half minute.
CEILING_SHARE = 0.97
PROBE_PER_SECOND = 0.0002


@dataclass
class Answer:
    seq: int
    sent: float
    remaining: int
    full: bool  # the server's bucket was (nearly) full: refill beyond it was lost, not counted
    end: float | None = None  # send time + reset


@dataclass
class Scope:
    """What the pacer knows of one limit (one key's endpoint group)."""

    limit: int | None = None
    rate: float | None = None  # measured refill, requests a second
    #: False while `rate` is only the guess from a `reset` (an upper bound for a bucket): the
    #: first measurement replaces it instead of being averaged with it.
    measured: bool = False
    longest_reset: float = 0.0  # the longest `reset` seen while the rate was only guessed
    stepped: bool = False  # a fixed window: nothing refills until its end
    #: A sliding window (a reset of 0 while requests are left): each request sent comes
    #: back `window` seconds later, so at most `limit` go in any `window` seconds.
    window: float | None = None
    windows: deque[float] = field(default_factory=lambda: deque(maxlen=9))
    sliding: bool = False
    # The anchor: `remaining` of the newest applied answer, at its send time.
    anchor_seq: int = -1
    anchor_sent: float = 0.0
    anchor_remaining: float | None = None
    anchor_end: float | None = None  # send time + reset of the anchor
    anchor_answer: int | None = None  # the `remaining` the anchor's answer said
    anchor_rtt: float | None = None  # the anchor's round trip
    #: The anchor is an answer's count, not a 429 (whose end is the client's own wait).
    anchor_counted: bool = False
    not_before: float = 0.0  # a 429 asked everyone to wait until then
    in_flight: dict[int, float] = field(default_factory=dict)
    #: Sent before the anchor and unanswered when it was set: the server may count them after.
    older_in_flight: set[int] = field(default_factory=set)
    grants: deque[tuple[int, float]] = field(default_factory=deque)  # (seq, sent) since anchor
    answered: dict[int, float] = field(default_factory=dict)  # when each grant's answer came
    answers: deque[Answer] = field(default_factory=lambda: deque(maxlen=RECENT_ANSWERS))
    refused: set[int] = field(default_factory=set)
    # Header-less pacing (a server that says only Retry-After).
    groups: dict[str, int] = field(default_factory=dict)  # answers with a count, per group
    round_trips: deque[float] = field(default_factory=lambda: deque(maxlen=32))
    announced: bool = False
    slow_start: float = 1.0  # requests allowed in flight before the first 429
    cut_at: float = -math.inf  # when a 429 last cut the rate
    successes: deque[float] = field(default_factory=deque)  # send times of successful requests
    last_grant: float = -math.inf
    rate_grown_at: float = 0.0
    ceiling: float | None = None  # header-less: the rate in use when the last 429 came

    def granted_after(self, seq: int, since: float | None = None) -> int:
        """Requests granted after `seq` (and at or after `since`) that were not refused."""
        return sum(
            1
            for s, sent in self.grants
            if s > seq and s not in self.refused and (since is None or sent >= since)
        )

    def granted_between(self, first: int, last: int) -> int:
        """Requests granted after `first` up to `last` (sequence numbers) and not refused."""
        return sum(1 for s, _ in self.grants if first < s <= last and s not in self.refused)

    def end_margin(self) -> float:
        """How late to act on the anchor's `reset`: `MARGIN` plus as much as its answer was
        slower than the fastest round trip (a request counted late under load makes its reset
        end late). Added, not the larger of the two: the fastest round trip seen carries some
        jitter of its own, so the difference alone can fall short of the anchor's delay and
        send the next request into the window that is ending (a 429 a window)."""
        if self.anchor_rtt is None or not self.round_trips:
            return MARGIN
        return MARGIN + min(0.25, max(0.0, self.anchor_rtt - min(self.round_trips)))

    def credit(self, now: float) -> float | None:
        """Estimated requests the server would admit now; None when nothing is known."""
        if self.anchor_remaining is None:
            return None
        if self.sliding and self.window is not None and self.limit is not None:
            return float(self.limit - len(self.window_log(now)))
        end = self.anchor_end
        if end is not None:
            end += self.end_margin()
        if self.stepped and end is not None and now >= end and self.limit is not None:
            # A new window: the full limit, less what was sent since it began.
            return self.limit - self.granted_after(self.anchor_seq, since=end)
        spent = self.granted_after(self.anchor_seq) + len(self.older_in_flight)
        credit = self.anchor_remaining - spent
        if self.rate is not None and not self.stepped:
            refill = self.rate * SAFETY * max(0.0, now - self.anchor_sent - self.end_margin())
            if (
                end is not None
                and now < end
                and self.anchor_remaining < 1.0
                and end - self.anchor_sent <= 1.5 / self.rate
            ):
                # The reset of a spent limit is no longer than one request's refill: it is the
                # server's own word for when the next is admitted, more exact than a rate
                # measured between jittered answers (a window measured as a rate errs by a
                # window's share: 10 % over 5 s at 1 req/s, a 429 before each reset).
                refill = 0.0
            credit += refill
        if end is not None and now >= end:
            credit = max(credit, self.anchor_remaining + 1.0 - spent)  # `reset` promised one
        if self.limit is not None:
            # A bucket holds at most `limit`, and what is in flight will take its share.
            unanswered = sum(1 for s in self.in_flight if s > self.anchor_seq)
            unanswered += len(self.older_in_flight & self.in_flight.keys())
            credit = min(credit, float(self.limit - unanswered))
        return credit

    def window_log(self, now: float) -> list[float]:
        """A sliding window's requests still in it when one sent now is counted: when each
        leaves it (inf: unanswered, so perhaps not even counted yet), oldest first.

        A request is counted between its send and its answer; one sent now is counted no
        sooner than the fastest round trip allows. So a request leaves the window `window`
        after its *answer*, less that fastest round trip: exact when the server counts at a
        fixed delay after the send or before the answer, and safe under any jitter of the
        others (a log of send times alone lets a slow request count late and overflow).
        """
        assert self.window is not None
        lead = min(self.round_trips) if self.round_trips else 0.0
        leaves = []
        for seq, sent in self.grants:
            if seq in self.refused:
                continue
            if seq in self.in_flight:
                leaves.append(math.inf)
                continue
            leave = self.answered.get(seq, sent + lead) + self.window - lead + MARGIN
            if leave > now:
                leaves.append(leave)
        return sorted(leaves)

    def wait(self, now: float) -> float:
        """Seconds before one more request may be sent (0: now)."""
        if now < self.not_before:
            return self.not_before - now
        credit = self.credit(now)
        if credit is None:
            if not self.announced and self.rate is not None:  # header-less: a learned rate
                return max(0.0, self.last_grant + 1.0 / self.rate - now)
            if not self.in_flight:
                return 0.0  # nothing known: one request probes
            if self.announced:
                return ANSWER_POLL  # a probe's answer is on its way
            return 0.0 if len(self.in_flight) < self.slow_start else ANSWER_POLL
        if credit >= 1.0:
            return 0.0
        candidates = [ANSWER_POLL] if self.in_flight else []
        if self.sliding and self.window is not None and self.limit is not None:
            leaves = self.window_log(now)
            over = len(leaves) - self.limit  # this many must leave before one more may go
            if 0 <= over < len(leaves) and math.isfinite(leaves[over]):
                # An answer cannot free a slot sooner (it stays in the window): no polling.
                return leaves[over] - now
        if self.rate is not None and not self.stepped and not self.sliding:
            candidates.append((1.0 - credit) / (self.rate * SAFETY))
        if self.anchor_end is not None and now < self.anchor_end + self.end_margin():
            candidates.append(self.anchor_end + self.end_margin() - now)
        # Nothing in flight, no rate and no reset to wait for: only a probe can learn more.
        return min(candidates) if candidates else 0.0


def primary_group(groups: dict[str, int]) -> str:
    """The endpoint group whose answers steer the estimate: the reports (the bulk of any run)
    once one has answered, else the group with the most answers."""
    if PRIMARY_GROUP in groups:
        return PRIMARY_GROUP
    return max(groups, key=groups.__getitem__)
