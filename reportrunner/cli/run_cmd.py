"""`reportrunner run`: validate the specs, fetch every report from Close, publish the site.

The command parses options into `RunOptions`; `execute` turns them into `PipelineSettings`, a
way to connect (the emulator, or the key and URL of the environment) and the printing hooks,
calls `pipeline.run_pipeline` and returns its exit status; all printing happens here, never in
the core. SIGTERM is turned into the same path as Ctrl-C: the run stops
promptly, nothing is published, and the previous site stays as it was (exit 130).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
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
    from reportrunner.pipeline import Connection
    from reportrunner.site.report import SiteResult
    from reportrunner.spec.validate import ValidationResult


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
    from reportrunner.pipeline import PipelineHooks, PipelineSettings, run_pipeline

    settings = PipelineSettings(
        out=options.out,
        paths=options.paths or (Path("specs"),),
        root=Path.cwd(),
        jobs=options.jobs,
        only=options.only,
        timeout=options.timeout,
        history_from=options.history_from,
        shard=options.shard,
    )
    from reportrunner.cli._progress import ProgressPrinter

    printer = ProgressPrinter(sys.stderr, tty=sys.stderr.isatty())
    hooks = PipelineHooks(
        on_validated=lambda validation: _print_validation(options, validation),
        on_event=printer,
        on_shard=lambda text: _echo_err(
            f"{text}; merge the shard outputs with "
            "`reportrunner render --from DIR --from DIR --out SITE`."
        ),
        on_published=lambda run, site: _print_published(options, run, site),
    )
    delivery = _CliDelivery(options)
    with _sigterm_as_interrupt():
        try:
            result = run_pipeline(settings, _connect(options), hooks=hooks, delivery=delivery)
        finally:
            printer.finish()
    if options.format == "json":  # one document, deliveries included
        _print_result(options, result.run, result.delivered)
    return result.exit_status


def _print_published(options: RunOptions, run: RunResult, site: SiteResult) -> None:
    for warning in site.warnings:
        _echo_err(f"warning: {warning}")
    if options.format != "json":
        _print_result(options, run)


def _print_validation(options: RunOptions, validation: ValidationResult) -> None:
    from reportrunner.errors import UsageError

    if not validation.project_ok:
        stop_if_invalid(validation.project_diagnostics, "no report was fetched")
    for rejected in validation.rejected:
        for diagnostic in rejected.diagnostics:
            _echo_err(str(diagnostic))
    if options.shard is not None and options.only:
        raise UsageError(
            "--shard and --only cannot be combined",
            hint="a shard fetches its whole share; refresh single reports with --only alone.",
        )


def _connect(options: RunOptions) -> Callable[[Project], AbstractContextManager[Connection]]:
    """The built-in emulator (started for the fetch, stopped before publishing) or Close."""

    @contextmanager
    def connect(project: Project) -> Iterator[Connection]:
        from reportrunner.fetch.apikey import emulator_key
        from reportrunner.pipeline import Connection

        if options.emulator:
            from reportrunner.emulator import Emulator

            key = emulator_key()
            with Emulator(api_key=key) as emulator:
                yield Connection(emulator.base_url, key)
            return
        from reportrunner.cli._env import key_and_url_from_env

        key, base_url = key_and_url_from_env(
            project.api_base_url,
            needed_for="reportrunner needs a Close API key to fetch reports",
            hint="export CLOSE_API_KEY=… (in GitHub Actions: a repository secret passed as "
            "an env variable), or use --emulator to run against the built-in Close emulator.",
        )
        yield Connection(base_url, key)

    return connect


class _CliDelivery:
    """Delivery as `run` does it: not from the emulator nor a shard, printed as it goes."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.emulator_note = False

    def prepare(self, validation: ValidationResult) -> DeliveryState | None:
        """The previous delivery state, or None when nothing is to be delivered this run."""
        options = self.options
        wanted = validation.project.deliver or any(spec.deliver for spec in validation.specs)
        if wanted and options.shard is not None and not options.emulator:
            _echo_err(
                "note: nothing delivered by a shard: deliver from the merged site with "
                "`reportrunner deliver --site SITE` (docs/running.md)."
            )
            return None
        # Said after the summary, where a reader looks for what happened to the deliveries.
        self.emulator_note = bool(wanted and options.emulator)
        if not wanted or options.emulator:
            return None
        from reportrunner.deliver.state import read_previous

        return read_previous(options.out, options.history_from)

    def deliver(
        self,
        validation: ValidationResult,
        outcomes: Sequence[ReportOutcome],
        unpublished: Sequence[str],
        prepared: DeliveryState | None,
        now: datetime,
    ) -> DeliveryResult | None:
        """Deliver this run's reports that were fetched and published fine (docs/delivery.md)."""
        if self.emulator_note:
            _echo_err(
                "note: nothing delivered: emulator numbers are never announced; preview the "
                "messages with `reportrunner deliver --site DIR --dry-run`."
            )
        if prepared is None:
            return None
        from reportrunner.cli._deliver import run_deliveries
        from reportrunner.deliver.entry import ReportInput

        own = {spec.id: spec.deliver for spec in validation.specs}
        reports = [
            ReportInput(outcome.id, outcome.data, own.get(outcome.id, ()))
            for outcome in outcomes
            if outcome.status == "ok" and outcome.data is not None and outcome.id not in unpublished
        ]
        return run_deliveries(
            validation.project, reports, site=self.options.out, state=prepared, now=now,
            output_format=self.options.format,
        )  # fmt: skip


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
