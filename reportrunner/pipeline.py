"""The whole flow as one library call: validate → plan → fetch → publish (→ deliver).

`run_pipeline` is what `reportrunner run` does, without click and without the environment: the
caller states the settings, how to reach Close (`connect`: a key and URL it read, or an emulator
it started) and, optionally, what to print on the way (`PipelineHooks`) and how to deliver. It
returns a `PipelineResult` whose `exit_status` the CLI exits with; failures are data in it.
Errors that stop the whole run (an invalid reportrunner.yaml, a missing key, a locked --out)
are raised as `ReportRunnerError`s, with nothing fetched and the previous site untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reportrunner.errors import ExitStatus, ProjectError, UsageError
from reportrunner.model import ReportOutcome

if TYPE_CHECKING:  # imported when run: `import reportrunner.pipeline` stays cheap
    from reportrunner.fetch.runtypes import RunEvent, RunResult
    from reportrunner.model import Project
    from reportrunner.site.report import SiteResult
    from reportrunner.spec.validate import RejectedSpec, ValidationResult


@dataclass(frozen=True)
class Connection:
    """Where the reports are fetched from: Close's base URL and the key(s) to send."""

    base_url: str
    api_key: str = field(repr=False)  # one key, or several joined by commas


#: Opens the connection for one run and closes it before publishing (an emulator the caller
#: starts is stopped then). It gets the checked project, whose `api_base_url` is the default URL.
Connect = Callable[["Project"], AbstractContextManager[Connection]]


@dataclass(frozen=True)
class PipelineSettings:
    """One run's settings; every field is explicit (the core reads no environment)."""

    out: Path
    paths: Sequence[Path] = ()  # spec files or folders; default: ROOT/specs
    root: Path | None = None  # the project folder (reportrunner.yaml); default: the current one
    jobs: int | None = None  # requests in flight; default: api.jobs of reportrunner.yaml
    only: Sequence[str] = ()  # report ids to fetch; the others keep their pages
    timeout: float = 60.0  # seconds per request, connect to last byte
    history_from: str | None = None  # an earlier site (folder or http(s) URL)
    shard: str | None = None  # "K/N": fetch only this share (fetch/shard.py)
    now: datetime | None = None  # resolves relative windows; default: the real now


class DeliveryStep(Protocol):
    """What delivers the published reports; the CLI's prints what it does (cli/_deliver.py)."""

    def prepare(self, validation: ValidationResult) -> Any:
        """Read what delivering needs from before this run (its state); None: deliver nothing."""
        ...

    def deliver(
        self,
        validation: ValidationResult,
        outcomes: Sequence[ReportOutcome],
        unpublished: Sequence[str],
        prepared: Any,
        now: datetime,
    ) -> Any:
        """Deliver the reports fetched and published fine; returns a DeliveryResult or None."""
        ...


@dataclass(frozen=True)
class PipelineHooks:
    """What the caller wants to hear while the run goes on (all optional)."""

    #: The specs are checked: print their diagnostics; raise to stop (an invalid project).
    on_validated: Callable[[ValidationResult], None] | None = None
    on_event: Callable[[RunEvent], None] | None = None  # fetch progress
    on_shard: Callable[[str], None] | None = None  # which share a shard fetches, in words
    #: The site is published (and still locked); deliveries come next.
    on_published: Callable[[RunResult, SiteResult], None] | None = None


@dataclass
class PipelineResult:
    """What one run did: the checked specs, the fetch, the site and the deliveries."""

    validation: ValidationResult
    run: RunResult
    site: SiteResult
    #: Ids of reports fetched fine whose pages could not be built (their data is unusable).
    unpublished: list[str]
    delivered: Any = None  # DeliveryResult when something was to be delivered

    @property
    def exit_status(self) -> ExitStatus:
        """0 all fine; 1 a report failed (fetch or publish); 4 published, a delivery failed."""
        if self.run.failed or self.unpublished:
            return ExitStatus.FAILED
        failed = getattr(self.delivered, "failed", None)
        return ExitStatus.DELIVERY if failed else ExitStatus.OK


def run_pipeline(
    settings: PipelineSettings,
    connect: Connect,
    *,
    hooks: PipelineHooks | None = None,
    delivery: DeliveryStep | None = None,
) -> PipelineResult:
    """Validate, fetch and publish every report; deliver when `delivery` is given.

    An invalid spec fails only its own report. The output folder is locked and checked before
    the first request and stays locked until the deliveries are recorded.
    """
    from reportrunner.spec.validate import validate_paths

    hooks = hooks or PipelineHooks()
    root = settings.root or Path.cwd()
    validation = validate_paths(list(settings.paths), root=root)
    if hooks.on_validated is not None:
        hooks.on_validated(validation)
    if not validation.project_ok:
        raise ProjectError(
            "reportrunner.yaml is invalid, so no report was fetched",
            hint="`reportrunner validate` lists its errors with their lines.",
        )
    marks: dict[str, object] = {}
    if settings.shard is not None:
        validation, marks = _narrow_to_shard(settings, validation, hooks)
    now = settings.now or datetime.now(timezone.utc)
    # Imported before fetching: a Ctrl-C inside this slow import (Jinja2, Babel) must take the
    # same path as one during the fetch (RELIABILITY.md).
    from reportrunner.fetch.apikey import split_keys
    from reportrunner.fetch.earlier import read_source
    from reportrunner.site.build import claim, publish

    with claim(settings.out) as lock:
        with connect(validation.project) as connection:
            run = _fetch(settings, validation, connection, now, hooks)
        every_id = [spec.id for spec in validation.specs] + [o.id for o in run.outcomes]
        keep = sorted(set(every_id) - set(settings.only)) if settings.only else []
        # Read before the swap: the new site is built without the old delivery state.
        prepared = delivery.prepare(validation) if delivery is not None else None
        # Every report this site will hold, the kept ones too (`only`): each keeps its trend.
        ids = list(dict.fromkeys([*(outcome.id for outcome in run.outcomes), *keep]))
        earlier = read_source(settings.history_from, ids, now) if settings.history_from else None
        site = publish(
            settings.out,
            validation.project,
            run.outcomes,
            earlier=earlier,
            now=now,
            keep=keep,
            secrets=split_keys(connection.api_key),
            lock=lock,
            marks=marks,
        )
        fetched_ok = {outcome.id for outcome in run.outcomes if outcome.status == "ok"}
        unpublished = [r.id for r in site.reports if r.id in fetched_ok and r.status != "ok"]
        result = PipelineResult(validation, run, site, unpublished)
        if hooks.on_published is not None:
            hooks.on_published(run, site)
        # Still under the lock: delivering records what was sent in the site's history.
        if delivery is not None:
            result.delivered = delivery.deliver(
                validation, run.outcomes, unpublished, prepared, now
            )
    return result


def _narrow_to_shard(
    settings: PipelineSettings, validation: ValidationResult, hooks: PipelineHooks
) -> tuple[ValidationResult, dict[str, object]]:
    """A shard's share of the specs, and the mark its manifest carries."""
    from reportrunner.fetch.shard import parse_shard, select

    shard = parse_shard(settings.shard or "")
    if settings.only:
        raise UsageError(
            "a shard and a list of single reports cannot be combined",
            hint="a shard fetches its whole share; refresh single reports without a shard.",
        )
    narrowed, share = select(validation, shard)
    if hooks.on_shard is not None:
        hooks.on_shard(
            f"shard {shard}: {len(share.ids)} report(s), {share.requests} distinct request(s)"
        )
    return narrowed, {"shard": share.mark()}


def _fetch(
    settings: PipelineSettings,
    validation: ValidationResult,
    connection: Connection,
    now: datetime,
    hooks: PipelineHooks,
) -> RunResult:
    from reportrunner.fetch.runner import RunSettings, run_reports

    run = RunSettings(
        specs=validation.specs,
        base_url=connection.base_url,
        api_key=connection.api_key,
        jobs=settings.jobs or validation.project.jobs,
        timeout=settings.timeout,
        only=settings.only,
        now=now,
        rejected=[rejected_outcome(rejected) for rejected in validation.rejected],
        organization_id=validation.project.organization_id,
    )
    return run_reports(run, on_event=hooks.on_event)


def rejected_outcome(rejected: RejectedSpec) -> ReportOutcome:
    """An invalid spec as a failed report: its page says what to fix."""
    errors = [d for d in rejected.diagnostics if d.severity == "error"]
    first = str(errors[0]) if errors else "the spec is invalid"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ReportOutcome(
        id=rejected.id or Path(rejected.file).stem,
        title=rejected.title or rejected.id or rejected.file,
        source=rejected.file,
        status="failed",
        error=f"invalid spec: {first}{more}; fix it and run `reportrunner validate`",
        diagnostics=list(rejected.diagnostics),
    )
