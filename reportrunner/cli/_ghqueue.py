"""One publish at a time per branch, first come first served: wait for earlier runs to finish.

GitHub's `concurrency` keeps only one pending run per group and cancels it when a newer one
arrives, so a queued full publish could be replaced by a later partial one (`reports: x`), and a
group on the build job alone let run B read the Pages history before run A's deploy was live.
So the publish workflow's build job starts by waiting, through the Actions API, until no earlier
run (lower run id) of the same workflow on the same branch is still queued, waiting or in
progress; only then does it restore the deployed site. Every run is kept and they publish in
the order they were started (docs/github-actions.md). An API that cannot be read is retried
at every poll; after `MAX_API_ERRORS` in a row the run goes ahead with a warning, since a late
publish is better than none.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reportrunner.errors import QueueTimeout as QueueTimeout
from reportrunner.errors import ReportRunnerError

#: Statuses of a workflow run that has not finished (GitHub's list, including approvals).
ACTIVE = frozenset({"queued", "in_progress", "waiting", "requested", "pending"})
POLL_SECONDS = 15.0
MAX_API_ERRORS = 4


@dataclass(frozen=True)
class EarlierRun:
    id: int
    status: str
    url: str


@dataclass
class Waited:
    """How the wait went: polls made, seconds slept, and warnings for the log."""

    polls: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


#: GET an Actions API path (e.g. "/repos/o/r/actions/runs/1") and return the parsed JSON.
ApiGet = Callable[[str], Any]


def earlier_active_runs(get: ApiGet, repo: str, run_id: int) -> list[EarlierRun]:
    """The runs of this run's workflow and branch, started before it and not finished."""
    current = get(f"/repos/{repo}/actions/runs/{run_id}")
    workflow, branch = current["workflow_id"], current["head_branch"]
    listing = get(
        f"/repos/{repo}/actions/workflows/{int(workflow)}/runs"
        f"?branch={_query(branch)}&per_page=100&exclude_pull_requests=true"
    )
    found = []
    for run in listing["workflow_runs"]:
        if not isinstance(run, dict) or not isinstance(run.get("id"), int):
            continue
        if run["id"] < run_id and run.get("status") in ACTIVE and run.get("head_branch") == branch:
            found.append(EarlierRun(run["id"], str(run["status"]), str(run.get("html_url", ""))))
    return found


def wait_turn(
    get: ApiGet,
    repo: str,
    run_id: int,
    *,
    max_wait: float,
    sleep: Callable[[float], None] = time.sleep,
    on_wait: Callable[[list[EarlierRun]], None] | None = None,
) -> Waited:
    """Return once no earlier run is active; raise `QueueTimeout` after `max_wait` seconds."""
    waited = Waited()
    errors = 0
    while True:
        waited.polls += 1
        try:
            earlier = earlier_active_runs(get, repo, run_id)
            errors = 0
        except (ReportRunnerError, OSError, ValueError, KeyError, TypeError) as exc:
            errors += 1
            if errors >= MAX_API_ERRORS:
                waited.warnings.append(
                    f"could not read the Actions API {errors} times in a row ({exc}); going "
                    "ahead without waiting for earlier runs"
                )
                return waited
            earlier = []
            pause = POLL_SECONDS
        else:
            if not earlier:
                return waited
            if on_wait is not None:
                on_wait(earlier)
            pause = POLL_SECONDS
        if waited.seconds + pause > max_wait:
            oldest = min(earlier, key=lambda run: run.id) if earlier else None
            which = f"run {oldest.id} ({oldest.url})" if oldest else "the Actions API"
            raise QueueTimeout(
                f"an earlier publish on this branch, {which}, was still going after "
                f"{max_wait:.0f} s; this run stops without publishing",
                hint="the next run publishes everything; cancel a stuck run in the Actions tab.",
            )
        sleep(pause)
        waited.seconds += pause


def _query(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
