"""`reportrunner validate [PATH ...]`: check specs and reportrunner.yaml (offline unless --online).

Only the validation modules are imported (no requests, no jinja2), so this starts fast in CI.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import translate_errors
from reportrunner.errors import ExitStatus


@dataclass(frozen=True)
class ValidateOptions:
    """`reportrunner validate`'s command line, parsed."""

    paths: tuple[Path, ...]
    format: str = "text"
    strict: bool = False
    root: Path | None = None
    online: bool = False  # also look every id up in Close (or, with emulator, the emulator)
    emulator: bool = False


def execute(options: ValidateOptions) -> ExitStatus:
    """Validate, print in the chosen format, and derive the exit status from the result."""
    from reportrunner.cli import output
    from reportrunner.spec.validate import validate_paths

    result = validate_paths(options.paths, root=options.root, strict=options.strict)
    diagnostics = result.diagnostics
    valid = len(result.specs)
    if (options.online or options.emulator) and result.project_ok and result.specs:
        from reportrunner.cli._account import account_settings
        from reportrunner.spec.online import OnlineSettings, check_online

        with account_settings(
            emulator=options.emulator,
            base_url=result.project.api_base_url,
            needed_for="validate --online needs a Close API key to look ids up",
        ) as client:
            found = check_online(result.specs, OnlineSettings(client.base_url, client.api_key))
        # What the account says has the last word: no offline guess beside it.
        offline = [d for d in diagnostics if not found.replaces(d)]
        diagnostics = sorted(offline + found.diagnostics, key=lambda d: (d.file, d.line, d.column))
        valid -= len(found.invalid)  # a report naming an unknown id is not valid either
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    summary = output.summary_line(result.files, valid, errors, warnings)
    if options.format == "json":
        click.echo(output.format_json(result.files, diagnostics), nl=False)
    elif options.format == "github":
        click.echo(output.format_github(diagnostics), nl=False)
        click.echo(summary)
        output.append_step_summary(
            output.markdown_summary("reportrunner validate", summary, diagnostics)
        )
    else:
        click.echo(output.format_text(diagnostics), nl=False)
        click.echo(summary)
    if not result.project_ok:  # it affects every report: a usage error, as run says too
        return ExitStatus.USAGE
    return ExitStatus.FAILED if errors else ExitStatus.OK


@click.command("validate", epilog=EXIT_STATUS_HELP)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: file:line:col lines; json: for machines; github: ::error annotations and "
    "a $GITHUB_STEP_SUMMARY table.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit status 1).")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding reportrunner.yaml [default: the current folder].",
)
@click.option(
    "--online",
    is_flag=True,
    help="Also check every pipeline, user, group and saved-search id against Close "
    "(needs CLOSE_API_KEY; CLOSE_API_URL overrides the base URL).",
)
@click.option(
    "--emulator", is_flag=True, help="With --online: check against the built-in emulator."
)
def command(
    paths: tuple[Path, ...], fmt: str, strict: bool, root: Path | None, online: bool, emulator: bool
) -> None:
    """Check report specs (files or folders, default specs/) and reportrunner.yaml.

    Every file is checked; each problem is reported once, at the line and column of the
    offending value. Warnings (such as a cohort range Close ignores) do not fail the run
    unless --strict is given.

    \b
    Examples:
      reportrunner validate
      reportrunner validate specs/new-business.yaml --format json
      reportrunner validate specs/ --strict --format github
      reportrunner validate --online      # ids checked against Close (CLOSE_API_KEY)
    """
    options = ValidateOptions(paths, fmt, strict, root, online=online, emulator=emulator)
    with translate_errors():
        status = execute(options)
    sys.exit(int(status))
