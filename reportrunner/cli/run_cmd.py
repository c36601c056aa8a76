"""`reportrunner run`: validate the specs, fetch every report from Close, publish the site.

The command parses options into `RunOptions` and calls `execute`, which chains the pipeline
stages (validate → key → run_reports → site.publish) and returns the exit status; all printing
happens here, never in the core. SIGTERM is turned into the same path as Ctrl-C: the run stops
promptly, nothing is published, and the previous site stays as it was (exit 130).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import FiniteFloat, say, translate_errors
from reportrunner.cli._project import stop_if_invalid
from reportrunner.errors import ExitStatus
from reportrunner.model import ReportOutcome
from reportrunner.redact import redact

if TYPE_CHECKING:  # imported lazily at run time: `--help` must not pay for them
    from reportrunner.deliver.entry import DeliveryResult
    from reportrunner.deliver.state import DeliveryState
    from reportrunner.fetch.runtypes import RunResult
    from reportrunner.model import Project
    from reportrunner.site.staging import SiteLock
    from reportrunner.spec.validate import RejectedSpec, ValidationResult


#: --timeout's documented range (docs/running.md): below it nothing answers, above it a
#: stalled request would hold a CI job for hours.
MIN_TIMEOUT = 0.1
MAX_TIMEOUT = 3600.0


@dataclass(frozen=True)
class RunOptions:
    """`reportrunner run`'s command line, parsed."""

    paths: tuple[Path, ...]
    out: Path
    emulator: bool = False
    jobs: int | None = None
    only: tuple[str, ...] = ()
    timeout: float = 60.0
    format: str = "text"
    history_from: str | None = None
    shard: str | None = None  # "K/N": fetch only this share (reportrunner/fetch/shard.py)


def _rejected_outcome(rejected: RejectedSpec) -> ReportOutcome:
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


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (CI cancelling a job) takes the same path as Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _echo_err(text: str) -> None:
    say(text, err=True)


def execute(options: RunOptions) -> ExitStatus:
    """Run the whole pipeline; raises ReportRunnerError subclasses for the CLI to translate."""
    from reportrunner.spec.validate import validate_paths

    paths = options.paths or (Path("specs"),)
    validation = validate_paths(list(paths), root=Path.cwd())
    if not validation.project_ok:
        stop_if_invalid(validation.project_diagnostics, "no report was fetched")
    for rejected in validation.rejected:
        for diagnostic in rejected.diagnostics:
            _echo_err(str(diagnostic))
    marks: dict[str, object] = {}
    if options.shard is not None:
        validation, marks = _narrow_to_shard(options, validation)
    project = validation.project
    now = datetime.now(timezone.utc)
    # Imported now rather than after fetching: a Ctrl-C or SIGTERM landing inside this slow
    # import (Jinja2, Babel) made `python -m reportrunner` end by SIGINT instead of exit 130
    # (RELIABILITY.md; bench/reliability_figures.py --boundary-rounds).
    from reportrunner.site.build import claim

    # The output folder is checked and locked before the first API call, until the swap: a
    # second run against it, or a folder that is not a site, is refused with nothing fetched.
    with _sigterm_as_interrupt(), claim(options.out) as lock:
        result, key = _fetch_with(options, validation, now)
        # With --only, every other report keeps its previous pages (site.publish carries them).
        every_id = [spec.id for spec in validation.specs] + [o.id for o in result.outcomes]
        keep = sorted(set(every_id) - set(options.only)) if options.only else []
        # Read before the swap: the new site is built without the old delivery state.
        state = _delivery_state(options, validation)
        unpublished = _publish(options, project, result.outcomes, now, keep, lock, key, marks)
        if options.format != "json":
            _print_result(options, result)
        # Still under the lock: delivering records what was sent in the site's history.
        delivered = _deliver(options, validation, result.outcomes, unpublished, state, now)
    if options.format == "json":  # one document, deliveries included
        _print_result(options, result, delivered)
    # A report fetched fine but not publishable (its data could not be rendered) failed too.
    if result.failed or unpublished:
        return ExitStatus.FAILED
    return ExitStatus.DELIVERY if delivered is not None and delivered.failed else ExitStatus.OK


def _narrow_to_shard(
    options: RunOptions, validation: ValidationResult
) -> tuple[ValidationResult, dict[str, object]]:
    """`--shard K/N`: this job's share of the specs, and the mark its manifest carries."""
    from reportrunner.errors import UsageError
    from reportrunner.fetch.shard import parse_shard, select

    shard = parse_shard(options.shard or "")
    if options.only:
        raise UsageError(
            "--shard and --only cannot be combined",
            hint="a shard fetches its whole share; refresh single reports with --only alone.",
        )
    narrowed, share = select(validation, shard)
    _echo_err(
        f"shard {shard}: {len(share.ids)} report(s), {share.requests} distinct request(s); "
        "merge the shard outputs with `reportrunner render --from DIR --from DIR --out SITE`."
    )
    return narrowed, {"shard": share.mark()}


def _delivery_state(options: RunOptions, validation: ValidationResult) -> DeliveryState | None:
    """The previous delivery state, or None when nothing is to be delivered this run."""
    wanted = validation.project.deliver or any(spec.deliver for spec in validation.specs)
    if wanted and options.shard is not None and not options.emulator:
        _echo_err(
            "note: nothing delivered by a shard: deliver from the merged site with "
            "`reportrunner deliver --site SITE` (docs/running.md)."
        )
        return None
    if not wanted or options.emulator:
        return None
    from reportrunner.deliver.state import read_previous

    return read_previous(options.out, options.history_from)


def _deliver(
    options: RunOptions,
    validation: ValidationResult,
    outcomes: list[ReportOutcome],
    unpublished: list[str],
    state: DeliveryState | None,
    now: datetime,
) -> DeliveryResult | None:
    """Deliver this run's reports that were fetched and published fine (docs/delivery.md)."""
    if options.emulator and (
        validation.project.deliver or any(spec.deliver for spec in validation.specs)
    ):
        _echo_err(
            "note: nothing delivered: emulator numbers are never announced; preview the "
            "messages with `reportrunner deliver --site DIR --dry-run`."
        )
    if state is None:
        return None
    from reportrunner.cli._deliver import run_deliveries
    from reportrunner.deliver.entry import ReportInput

    own = {spec.id: spec.deliver for spec in validation.specs}
    reports = [
        ReportInput(outcome.id, outcome.data, own.get(outcome.id, ()))
        for outcome in outcomes
        if outcome.status == "ok" and outcome.data is not None and outcome.id not in unpublished
    ]
    delivered = run_deliveries(
        validation.project, reports, site=options.out, state=state, now=now,
        output_format=options.format,
    )  # fmt: skip
    return delivered


def _fetch_with(
    options: RunOptions, validation: ValidationResult, now: datetime
) -> tuple[RunResult, str]:
    """Fetch from the emulator (started here, stopped before publishing) or from Close.

    Returns the result and the key, which publishing masks in every file it writes.
    """
    from reportrunner.fetch.client import emulator_key, key_and_url_from_env

    with ExitStack() as stack:
        if options.emulator:
            from reportrunner.emulator import Emulator

            key = emulator_key()
            emulator = stack.enter_context(Emulator(api_key=key))
            base_url = emulator.base_url
        else:
            key, base_url = key_and_url_from_env(
                validation.project.api_base_url,
                needed_for="reportrunner needs a Close API key to fetch reports",
                hint="export CLOSE_API_KEY=… (in GitHub Actions: a repository secret passed as "
                "an env variable), or use --emulator to run against the built-in Close emulator.",
            )
        return _fetch(options, validation, key, base_url, now), key


def _fetch(
    options: RunOptions, validation: ValidationResult, key: str, base_url: str, now: datetime
) -> RunResult:
    from reportrunner.cli._progress import ProgressPrinter
    from reportrunner.fetch.runner import RunSettings, run_reports

    settings = RunSettings(
        specs=validation.specs,
        base_url=base_url,
        api_key=key,
        jobs=options.jobs or validation.project.jobs,
        timeout=options.timeout,
        only=options.only,
        now=now,
        rejected=[_rejected_outcome(rejected) for rejected in validation.rejected],
    )
    printer = ProgressPrinter(sys.stderr, tty=sys.stderr.isatty())
    try:
        return run_reports(settings, on_event=printer)
    finally:
        printer.finish()


def _publish(
    options: RunOptions,
    project: Project,
    outcomes: list[ReportOutcome],
    now: datetime,
    keep: list[str],
    lock: SiteLock,
    key: str,
    marks: dict[str, object],
) -> list[str]:
    """Publish the site; returns the ids of this run's ok reports that could not be published."""
    from reportrunner.site.build import publish

    site = publish(
        options.out,
        project,
        outcomes,
        history_from=options.history_from,
        now=now,
        keep=keep,
        secrets=(key,),
        lock=lock,
        marks=marks,
    )
    for warning in site.warnings:
        _echo_err(f"warning: {warning}")
    fetched_ok = {outcome.id for outcome in outcomes if outcome.status == "ok"}
    return [
        report.id for report in site.reports if report.id in fetched_ok and report.status != "ok"
    ]


def _print_result(
    options: RunOptions, result: RunResult, delivered: DeliveryResult | None = None
) -> None:
    from reportrunner.cli._progress import github_errors, github_summary, result_json, summary_table

    if options.format == "json":
        import json

        from reportrunner.deliver.summary import result_json as delivery_json

        document = json.loads(result_json(result, out=str(options.out)))
        document["deliveries"] = delivery_json(delivered) if delivered else []
        click.echo(redact(json.dumps(document, indent=2, ensure_ascii=False)))
        return
    click.echo(summary_table(result))
    say(f"site written to {options.out}/")
    if options.format == "github":
        from reportrunner.cli.output import append_step_summary

        for line in github_errors(result.outcomes):
            click.echo(line)
        append_step_summary(github_summary(result))


@click.command(
    "run",
    epilog=EXIT_STATUS_HELP.replace(
        "  1  validation errors, or some reports failed",
        "  1  some reports failed (all others were fetched and written)",
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder the site is published to (built aside, then swapped in).",
)
@click.option(
    "--emulator", is_flag=True, help="Fetch from the built-in Close emulator; no API key needed."
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Requests in flight at once [default: api.jobs in reportrunner.yaml, or 4].",
)
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="ID",
    help="Run only this report id (repeatable); the others keep their pages.",
)
@click.option(
    "--timeout",
    type=FiniteFloat(MIN_TIMEOUT, MAX_TIMEOUT),
    default=60.0,
    show_default=True,
    help=f"Seconds one request may take, connect to last byte, before it is retried "
    f"({MIN_TIMEOUT:g} to {MAX_TIMEOUT:g}).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github adds ::error lines and a summary in $GITHUB_STEP_SUMMARY.",
)
@click.option(
    "--history-from",
    metavar="PATH_OR_URL",
    default=None,
    help="An earlier published site (folder or URL) whose history is carried over.",
)
@click.option(
    "--shard",
    metavar="K/N",
    default=None,
    help="Fetch only share K of N (stable, balanced by requests) into --out; merge the N "
    "outputs with `reportrunner render --from … --out SITE`.",
)
def command(
    paths: tuple[Path, ...],
    out: Path,
    emulator: bool,
    jobs: int | None,
    only: tuple[str, ...],
    timeout: float,
    output_format: str,
    history_from: str | None,
    shard: str | None,
) -> None:
    """Fetch every report in PATH (default specs/) from Close and publish the site.

    Reads the API key from CLOSE_API_KEY (never printed); CLOSE_API_URL overrides the base
    URL (default https://api.close.com/api/v1, or api.base_url in reportrunner.yaml). An
    invalid spec fails only its own report; the others are fetched and written.

    \b
    Examples:
      CLOSE_API_KEY=... reportrunner run specs/ --out site/
      reportrunner run --emulator --only new-business-last-month
      reportrunner run --format github --jobs 8
      reportrunner run --shard 1/2 --out shard-1/
    """
    options = RunOptions(
        paths=paths,
        out=out,
        emulator=emulator,
        jobs=jobs,
        only=only,
        timeout=timeout,
        format=output_format,
        history_from=history_from,
        shard=shard,
    )
    with translate_errors():
        status = execute(options)
    sys.exit(int(status))
