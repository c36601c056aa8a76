"""The typed objects of a run: its settings, its progress events and its result.

Apart from runner.py so that the CLI, the progress printer and tests can use them without the
scheduling code, and so that runner.py stays one screenful of logic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from reportrunner.fetch.client import CallStats
from reportrunner.model import ReportOutcome, Spec

EventKind = Literal["start", "request", "report", "done"]


@dataclass(frozen=True)
class RunSettings:
    """Everything a run needs; built by the CLI (or a test) and passed in whole."""

    specs: Sequence[Spec]
    base_url: str
    api_key: str = field(repr=False)
    jobs: int = 4
    timeout: float = 60.0
    max_attempts: int = 4
    max_rate_limit_wait: float = 600.0
    only: Sequence[str] = ()  # report ids to run; empty means all
    now: datetime | None = None  # resolves relative windows and offsets; default: real now
    #: Reports that failed before fetching (invalid specs); passed through into the result.
    rejected: Sequence[ReportOutcome] = ()
    #: The organisation a path's `{organization_id}` names (`api.organization_id`); None:
    #: looked up with GET /me/ when a report needs it.
    organization_id: str | None = None


@dataclass(frozen=True)
class RunEvent:
    """Progress, for a progress bar or a log line; `outcome` is set for kind "report"."""

    kind: EventKind
    total: int  # reports in this run
    done: int  # reports finished so far
    requests: int  # HTTP requests sent so far (retries included)
    rate_limited: int  # 429 answers so far
    rate_limit_wait: float  # seconds spent waiting for rate limits, summed over workers
    outcome: ReportOutcome | None = None


@dataclass
class RunResult:
    """What happened: one outcome per report (failures are data) plus run-wide figures."""

    outcomes: list[ReportOutcome]
    stats: CallStats
    planned_requests: int  # requests the reports need, before deduplication
    unique_requests: int  # requests actually needed after deduplication
    seconds: float
    name_problems: list[str] = field(default_factory=list)
    key_warnings: list[str] = field(default_factory=list)  # keys dropped (by position)

    @property
    def ok(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == "ok")

    @property
    def failed(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status != "ok")
