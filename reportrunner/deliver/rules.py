"""Whether one delivery sends one report this time: `always`, `changed`, `threshold`, `skip_empty`.

A pure function of the delivery, the report's digest and what this delivery last sent for the
report (state.py), so two consecutive runs can be tested without any server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reportrunner.deliver.config import Delivery
from reportrunner.deliver.digest import Digest

Reason = Literal[
    "always",  # sent: when: always
    "changed",  # sent: a headline number differs from the last one sent (or none was sent)
    "unchanged",  # skipped
    "threshold",  # sent: the condition holds
    "below-threshold",  # skipped: the condition does not hold (or the metric is missing)
    "empty",  # skipped: skip_empty and the count is 0
]

_WORDS: dict[Reason, str] = {
    "always": "sent every run",
    "changed": "headline changed since the last message",
    "unchanged": "headline unchanged since the last message",
    "threshold": "threshold met",
    "below-threshold": "threshold not met",
    "empty": "no opportunities (skip_empty)",
}


@dataclass(frozen=True)
class Decision:
    send: bool
    reason: Reason

    @property
    def words(self) -> str:
        return _WORDS[self.reason]


def decide(
    delivery: Delivery, digest: Digest, last_sent: dict[str, float | None] | None
) -> Decision:
    """Send or skip `digest` for `delivery`, given the numbers it last sent for that report."""
    if delivery.skip_empty and digest.empty:
        return Decision(False, "empty")
    if delivery.when == "changed":
        if last_sent is None or last_sent != digest.numbers:
            return Decision(True, "changed")
        return Decision(False, "unchanged")
    if delivery.when == "threshold":
        threshold = delivery.threshold
        held = threshold is not None and threshold.holds(digest.numbers.get(threshold.metric))
        return Decision(True, "threshold") if held else Decision(False, "below-threshold")
    return Decision(True, "always")
