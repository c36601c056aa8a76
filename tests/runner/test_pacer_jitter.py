"""One key against each limiter model on a simulated clock with 20 ms of jitter on both
delays (tests/runner/pacesim.py): the reset the server announces is acted on late enough.

Before these fixes a fixed window at 1 req/s drew a 429 in every sixth window (the next
request was sent into the window that was ending): the anchor's lateness was measured
against the fastest round trip, which carries jitter of its own, and a rate measured between
answers of a window (off by a window's share of the span) let a request go before the reset.
"""

from __future__ import annotations

import pytest

from reportrunner.emulator import limiters
from tests.runner.pacesim import Delays, SimClock, simulate

LATENCY = 0.25


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    ("model", "rate", "burst", "requests", "jobs"),
    [
        ("fixed-window", 1.0, 1, 60, 4),
        ("token-bucket", 1.0, 1, 60, 4),
        ("sliding-window", 1.0, 1, 60, 32),
        ("fixed-window", 10.0, 10, 200, 32),
    ],
)
def test_a_jittered_client_waits_out_the_announced_reset(
    model: str, rate: float, burst: int, requests: int, jobs: int, seed: int
) -> None:
    clock = SimClock()
    limiter = limiters.build(model, rate, burst, clock)
    delays = Delays(before_count=LATENCY, after_count=0.005, jitter=0.02, seed=seed)
    outcome = simulate(limiter, clock, keys=1, jobs=jobs, requests=requests, delays=delays)
    assert outcome.refused <= 1, outcome
    bound = (requests - burst) / rate + LATENCY
    assert outcome.elapsed <= 1.05 * bound, outcome  # simulated seconds (SimClock)
