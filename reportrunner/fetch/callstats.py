"""What one report's requests cost, and how much rate-limit waiting it may still do.

Apart from client.py so that the run's typed results (runtypes.py) and the runner can name
them without the HTTP machinery; the client updates both as it works.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class CallStats:
    """Counters for one report (or one run); updated by the client as it works."""

    requests: int = 0  # HTTP requests actually sent, retries and 429s included
    retries: int = 0  # re-sends after a transient failure
    rate_limited: int = 0  # 429 answers
    rate_limit_wait: float = 0.0  # seconds spent waiting for rate limits

    def add(self, other: CallStats) -> None:
        self.requests += other.requests
        self.retries += other.retries
        self.rate_limited += other.rate_limited
        self.rate_limit_wait += other.rate_limit_wait


class WaitBudget:
    """Total rate-limit waiting allowed for one report; shared by its requests' threads."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._used = 0.0
        self._lock = threading.Lock()

    @property
    def remaining(self) -> float:
        with self._lock:
            return max(0.0, self.limit - self._used)

    def charge(self, seconds: float) -> None:
        with self._lock:
            self._used += seconds
