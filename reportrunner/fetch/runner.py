"""Fetch every report: worker threads, shared pacing, deduplication and failure isolation.

`run_reports` turns valid specs into a `RunResult`: one `ReportOutcome` per report, each either
"ok" with the data.json content of docs/data-format.md or "failed" with a message that names
the spec file. Identical requests (same endpoint, body and offset) are sent once and shared.
One report's failure never stops another; only a rejected key (401/403) or an unreachable API
stops the run, by raising `AuthError` / `ApiUnreachable`, because then every report would
fail the same way. Ctrl-C / SIGTERM set `stop`, and the run raises `Interrupted` promptly.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from reportrunner.errors import ApiError, ApiUnreachable, AuthError, Interrupted, UsageError
from reportrunner.fetch.client import CallStats, ClientSettings, CloseClient, WaitBudget, safe_url
from reportrunner.fetch.names import Names, fetch_names, organization_id, saved_search_ids
from reportrunner.fetch.plan import (
    ORGANIZATION,
    PlannedRequest,
    ReportPlan,
    RequestPlan,
    build_plan,
)
from reportrunner.fetch.ratelimit import Pacer
from reportrunner.fetch.readiness import Readiness
from reportrunner.fetch.reportdata import report_outcome
from reportrunner.fetch.runtypes import EventKind, RunEvent, RunResult, RunSettings
from reportrunner.kinds import kind_of_endpoint
from reportrunner.model import ReportOutcome, Spec

__all__ = ["RunEvent", "RunResult", "RunSettings", "run_reports", "select_specs"]


@dataclass(frozen=True)
class _Stops:
    stop: threading.Event  # the caller's: a signal arrived
    halt: threading.Event  # the run's: workers finish now


@dataclass
class _Job:
    request: PlannedRequest
    budget: WaitBudget
    stats: CallStats = field(default_factory=CallStats)
    started: float = 0.0
    finished: float = 0.0
    answer: Any = None
    error: BaseException | None = None


_NAMES = "names"


def select_specs(
    specs: Sequence[Spec], only: Sequence[str], also_known: Sequence[str] = ()
) -> list[Spec]:
    """The specs named by `--only` (all when empty); an unknown id is a usage error.

    `also_known` are ids of invalid specs: naming one is not a usage error.
    """
    if not only:
        return list(specs)
    known = {spec.id for spec in specs} | set(also_known)
    unknown = [report_id for report_id in only if report_id not in known]
    if unknown:
        listing = ", ".join(sorted(known)) or "(none)"
        raise UsageError(
            f"--only names unknown report id(s): {', '.join(unknown)}",
            hint=f"valid ids are: {listing}",
        )
    wanted = set(only)
    return [spec for spec in specs if spec.id in wanted]


def run_reports(
    settings: RunSettings,
    *,
    on_event: Callable[[RunEvent], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] | None = None,
    stop: threading.Event | None = None,
) -> RunResult:
    """Fetch every selected report. Raises AuthError, ApiUnreachable or Interrupted only."""
    started = clock()
    stop = stop or threading.Event()  # set by the caller (signal handler): stop promptly
    halt = threading.Event()  # ours: tells the workers to finish, whatever the reason
    now = settings.now or datetime.now(timezone.utc)
    specs = select_specs(settings.specs, settings.only, [o.id for o in settings.rejected])
    plan = build_plan(specs, now)
    rejected = [o for o in settings.rejected if not settings.only or o.id in settings.only]
    total = len(plan.reports) + len(rejected)

    def interruptible_sleep(seconds: float) -> None:
        if sleep is not None:
            sleep(seconds)
        elif halt.wait(seconds):
            raise Interrupted("interrupted while waiting")
        if halt.is_set():
            raise Interrupted("interrupted while waiting")

    client = CloseClient(
        ClientSettings(
            base_url=settings.base_url,
            api_key=settings.api_key,
            timeout=settings.timeout,
            max_attempts=settings.max_attempts,
            max_rate_limit_wait=settings.max_rate_limit_wait,
        ),
        pacer=Pacer(clock=clock, sleep=interruptible_sleep),
        sleep=interruptible_sleep,
    )
    outcomes: dict[str, ReportOutcome] = {o.id: o for o in rejected}
    progress = _Progress(on_event, total, client)
    progress.emit("start")
    for outcome in rejected:
        progress.report(outcome)
    try:
        with client:
            names, jobs_by_key = _execute(
                plan, settings, client, clock, _Stops(stop, halt), progress, outcomes, now
            )
    finally:
        halt.set()  # releases any worker still sleeping; requests in flight are abandoned
    ordered = [outcomes[o.id] for o in rejected] + [
        outcomes[report.spec.id] for report in plan.reports if report.spec.id in outcomes
    ]
    result = RunResult(
        outcomes=ordered,
        stats=client.stats,
        planned_requests=sum(len(report.requests) for report in plan.reports),
        unique_requests=len(jobs_by_key),
        seconds=clock() - started,
        name_problems=list(names.problems),
        key_warnings=list(client.warnings),
    )
    progress.emit("done")
    return result


class _Progress:
    def __init__(
        self, on_event: Callable[[RunEvent], None] | None, total: int, client: CloseClient
    ) -> None:
        self.on_event = on_event
        self.total = total
        self.done = 0
        self.client = client

    def emit(self, kind: EventKind, outcome: ReportOutcome | None = None) -> None:
        if self.on_event is None:
            return
        stats = self.client.stats
        self.on_event(
            RunEvent(
                kind=kind,
                total=self.total,
                done=self.done,
                requests=stats.requests,
                rate_limited=stats.rate_limited,
                rate_limit_wait=stats.rate_limit_wait,
                outcome=outcome,
            )
        )

    def report(self, outcome: ReportOutcome) -> None:
        self.done += 1
        self.emit("report", outcome)


def _execute(
    plan: RequestPlan,
    settings: RunSettings,
    client: CloseClient,
    clock: Callable[[], float],
    stops: _Stops,
    progress: _Progress,
    outcomes: dict[str, ReportOutcome],
    fetched_at: datetime,
) -> tuple[Names, dict[str, _Job]]:
    """Run the names look-up and every unique request on worker threads; fill `outcomes`."""
    reports: list[ReportPlan] = list(plan.reports)
    jobs_by_key: dict[str, _Job] = {}
    for report in reports:
        budget = WaitBudget(settings.max_rate_limit_wait)  # per report: its first requests own it
        for request in report.requests:
            jobs_by_key.setdefault(request.key, _Job(request, budget))
    todo: queue.Queue[str | None] = queue.Queue()
    done: queue.Queue[tuple[str, BaseException | None]] = queue.Queue()
    names_box: list[Names] = []
    searches = saved_search_ids(request.body for request in plan.unique())

    # Reports whose path names the organisation wait for its id: one GET /me/ with the names.
    organization: list[str | ApiError] = []
    if settings.organization_id:  # api.organization_id: no look-up, nothing held back
        organization.append(settings.organization_id)
    held = [
        key
        for key, job in jobs_by_key.items()
        if job.request.needs_organization and not organization
    ]
    holding = set(held)

    def work(key: str) -> None:
        if key == _NAMES:
            names = fetch_names(client, saved_search_ids=searches)
            if held:
                try:
                    organization.append(organization_id(client, names.stats))
                except (ApiUnreachable, AuthError):
                    raise
                except ApiError as exc:
                    organization.append(exc)
            names_box.append(names)
            return
        job = jobs_by_key[key]
        job.started = clock()
        path = job.request.path
        if job.request.needs_organization:
            assert organization and isinstance(organization[0], str)
            path = path.replace(ORGANIZATION, organization[0])
        try:
            if job.request.query is None:
                job.answer = client.post_json(
                    path,
                    job.request.body,
                    headers=job.request.headers(),
                    stats=job.stats,
                    budget=job.budget,
                )
            else:
                job.answer = client.get_json(
                    path,
                    params=dict(job.request.query),
                    headers=job.request.headers(),
                    stats=job.stats,
                    budget=job.budget,
                )
            # A 200 of the wrong shape fails this report here, not the whole site's rendering.
            endpoint = job.request.endpoint
            problem = kind_of_endpoint(endpoint).shape_problem(endpoint, job.answer)
            if problem:
                target = job.request.target().replace(job.request.path, path, 1)
                url = safe_url(client.base_url + target)
                raise ApiError(
                    f"Close's answer to {job.request.method} {url} has an unexpected shape: "
                    f"{problem}",
                    url=url,
                    hint="rerun later; if it persists, report it with `--debug` output.",
                )
        finally:
            job.finished = clock()

    def worker() -> None:
        while not stops.halt.is_set():
            key = todo.get()
            if key is None:
                return
            error: BaseException | None = None
            try:
                work(key)
            except BaseException as exc:  # handed to the main thread, which decides
                error = exc
                if key != _NAMES:
                    jobs_by_key[key].error = exc
            done.put((key, error))

    if not jobs_by_key:  # nothing to fetch: not even the names are needed
        _finish(reports, jobs_by_key, Names(), progress, outcomes, fetched_at)
        return Names(), jobs_by_key
    todo.put(_NAMES)  # first: names are needed by every report, and fail fast on a bad key
    for key in jobs_by_key:
        if key not in holding:
            todo.put(key)
    workers = [
        threading.Thread(target=worker, name=f"reportrunner-{index}", daemon=True)
        for index in range(max(1, settings.jobs))
    ]

    def release_held() -> list[ReportPlan]:
        """Queue the held requests once the id is known, or fail them with its error."""
        ready: list[ReportPlan] = []
        found = organization[0] if organization else None
        for key in held:
            if isinstance(found, str):
                todo.put(key)
                continue
            job = jobs_by_key[key]
            job.started = job.finished = clock()
            job.error = found or ApiError("the organisation id was not looked up")
            waiting_for.discard(key)
            ready += readiness.answered(key)
        for _ in workers:
            todo.put(None)
        return ready

    if not held:
        for _ in workers:
            todo.put(None)
    for thread in workers:
        thread.start()

    waiting_for = set(jobs_by_key) | {_NAMES}
    readiness = Readiness(reports)
    try:
        while waiting_for:
            if stops.stop.is_set():
                raise Interrupted("interrupted; no pages were written")
            try:
                key, error = done.get(timeout=0.2)  # short timeout: Ctrl-C is seen promptly
            except queue.Empty:
                continue
            except KeyboardInterrupt:
                raise Interrupted("interrupted; no pages were written") from None
            waiting_for.discard(key)
            if isinstance(error, (AuthError, ApiUnreachable, Interrupted)):
                raise error  # the caller's `finally` halts the other workers at once
            if key == _NAMES and error is not None:
                raise error  # an unexpected bug in the look-ups: let the CLI report it
            progress.emit("request")
            if key == _NAMES:
                ready = readiness.open()
                if held:
                    ready += release_held()
            else:
                ready = readiness.answered(key)
            if names_box:
                _finish(ready, jobs_by_key, names_box[0], progress, outcomes, fetched_at)
    finally:
        if held:
            # A run that stopped before the id was known (a rejected key, Ctrl-C) left the
            # workers waiting for the end markers release_held() queues; more markers than
            # workers are harmless (each worker ends at its first).
            for _ in workers:
                todo.put(None)
    return names_box[0], jobs_by_key


def _finish(
    ready: list[ReportPlan],
    jobs_by_key: dict[str, _Job],
    names: Names,
    progress: _Progress,
    outcomes: dict[str, ReportOutcome],
    fetched_at: datetime,
) -> None:
    """Build the outcome of each report whose requests are all answered."""
    for report in ready:
        keys = [request.key for request in report.requests]
        outcome = _outcome(report, [jobs_by_key[key] for key in keys], names, fetched_at)
        outcomes[report.spec.id] = outcome
        progress.report(outcome)


def _outcome(
    report: ReportPlan, jobs: list[_Job], names: Names, fetched_at: datetime
) -> ReportOutcome:
    """One report's outcome from its finished requests."""
    stats = CallStats()
    for job in jobs:
        stats.add(job.stats)
    seconds = max(job.finished for job in jobs) - min(job.started for job in jobs) if jobs else 0.0
    # The failure under this report's own role too (a shared request has the first planner's).
    failed = next(
        (
            (request, job.error)
            for request, job in zip(report.requests, jobs, strict=True)
            if job.error is not None
        ),
        None,
    )
    return report_outcome(
        report,
        # Each answer under this report's own role: a request shared with another report
        # (this week's compared period is last week's base) has that report's role in its job.
        {
            (request.endpoint, request.role): job.answer
            for request, job in zip(report.requests, jobs, strict=True)
        },
        failed,
        names,
        fetched_at=fetched_at,
        stats=stats,
        seconds=seconds,
    )
