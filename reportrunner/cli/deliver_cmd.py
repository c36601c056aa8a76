"""`reportrunner deliver`: send (or, with --dry-run, write) the messages of a built site.

The site's manifest says which reports are up to date: only those are announced (a stale page
is never presented as fresh). Deliveries come from reportrunner.yaml and from the specs in
PATH; the state of what each delivery last sent is read from the site's history (or from
--history-from) and written back after sending. `run` delivers the same way after publishing.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import click

from reportrunner.cli._common import translate_errors
from reportrunner.cli._project import stop_if_invalid
from reportrunner.cli.output import command_safe
from reportrunner.errors import ExitStatus, UsageError
from reportrunner.redact import redact


@dataclass(frozen=True)
class DeliverOptions:
    """`reportrunner deliver`'s command line, parsed."""

    paths: tuple[Path, ...]
    site: Path
    dry_run: bool = False
    messages: Path = Path("delivery-preview")
    format: str = "text"
    history_from: str | None = None


def execute(options: DeliverOptions) -> ExitStatus:
    from reportrunner.cli._deliver import json_outcomes, run_deliveries
    from reportrunner.deliver.entry import ReportInput
    from reportrunner.deliver.state import read_previous
    from reportrunner.site.build import claim
    from reportrunner.site.files import manifest_entries, stored_data
    from reportrunner.spec.validate import validate_paths

    entries = manifest_entries(options.site)
    if entries is None:
        raise UsageError(
            f"{options.site} is not a built site (no readable manifest.json)",
            hint="build it first with `reportrunner run --out DIR`, or pass --site DIR",
        )
    validation = validate_paths(list(options.paths or (Path("specs"),)), root=Path.cwd())
    if not validation.project_ok:
        stop_if_invalid(validation.project_diagnostics, "nothing was delivered")
    own = {spec.id: spec.deliver for spec in validation.specs}
    reports = []
    for report_id, entry in sorted(entries.items()):
        if entry.get("status") != "ok":
            continue  # failed or stale: never announced as fresh
        data, problem = stored_data(options.site, report_id)
        if data is None:
            click.echo(
                command_safe(redact(f"warning: {report_id} not delivered: {problem}")), err=True
            )
            continue
        reports.append(ReportInput(report_id, data, own.get(report_id, ())))
    # Sending records what was sent in the site's history: hold the site's lock meanwhile, so
    # a `run` publishing the same folder cannot swap it underneath (a dry run writes nothing).
    with ExitStack() as stack:
        if not options.dry_run:
            stack.enter_context(claim(options.site))
        result = run_deliveries(
            validation.project,
            reports,
            site=options.site,
            state=read_previous(options.site, options.history_from),
            now=datetime.now(timezone.utc),
            output_format=options.format,
            dry_run=options.messages if options.dry_run else None,
        )
    if options.format == "json":
        click.echo(json_outcomes(result))
    return ExitStatus.DELIVERY if result.failed else ExitStatus.OK


#: This command's own statuses (a subset of README's table).
EPILOG = """\b
Exit statuses:
  0  every delivery sent, written (--dry-run) or had nothing to send
  2  usage error (no built site in --site), or invalid reportrunner.yaml
  4  a delivery failed (named above; tried again on the next run)
"""


@click.command("deliver", epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--site",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The built site whose up-to-date reports are delivered.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write the messages (Slack JSON, e-mail .eml) instead of sending; needs no secret.",
)
@click.option(
    "--messages",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("delivery-preview"),
    show_default=True,
    help="Folder the --dry-run messages are written to.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github: ::add-mask:: for secrets, ::error lines, the messages in the job summary.",
)
@click.option(
    "--history-from",
    metavar="PATH_OR_URL",
    default=None,
    help="An earlier site (folder or URL) whose delivery state is used when --site has none.",
)
def command(
    paths: tuple[Path, ...],
    site: Path,
    dry_run: bool,
    messages: Path,
    output_format: str,
    history_from: str | None,
) -> None:
    """Send the Slack and e-mail deliveries of the site in --site (docs/delivery.md).

    Webhook and SMTP URLs come from the environment variables the deliveries name (never
    printed). Rules (always, changed, threshold, skip_empty) compare with what each delivery
    last sent, kept in SITE/history/deliveries.state.json.

    \b
    Examples:
      reportrunner deliver --site site/ --dry-run
      SLACK_WEBHOOK_URL=... reportrunner deliver --site site/
      reportrunner deliver --dry-run --format github
    """
    options = DeliverOptions(
        paths=paths,
        site=site,
        dry_run=dry_run,
        messages=messages,
        format=output_format,
        history_from=history_from,
    )
    with translate_errors():
        status = execute(options)
    sys.exit(int(status))
