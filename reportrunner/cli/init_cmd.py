"""`reportrunner init`: reportrunner.yaml and starter specs from the account of CLOSE_API_KEY."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import say, translate_errors
from reportrunner.errors import UsageError

if TYPE_CHECKING:
    from reportrunner.fetch.account import Account


def _zone(account: Account, wanted: str | None) -> tuple[str, str | None]:
    """The time zone to write, and a note when it is not the one asked for or found."""
    from reportrunner.spec.checks import timezone_problem

    if wanted is not None:
        problem = timezone_problem(wanted)
        if problem:
            raise UsageError(f"--timezone: {problem.message}", hint="e.g. --timezone Europe/Berlin")
        return wanted, None
    found = account.timezone
    if found and not timezone_problem(found):
        return found, None
    return (
        "UTC",
        "Close did not say the key owner's time zone; wrote UTC (change it, or --timezone)",
    )


def _foreign_specs(root: Path, written: list[Path], account: Account) -> list[str]:
    """Diagnostics of specs init did not write that name ids this account does not have."""
    from reportrunner.spec.online import check_specs
    from reportrunner.spec.validate import validate_paths

    specs_dir = root / "specs"
    if not specs_dir.is_dir():
        return []
    result = validate_paths([specs_dir], root=root)
    mine = {path.resolve() for path in written}
    others = [s for s in result.specs if (root / s.source).resolve() not in mine]
    return [str(d) for d in check_specs(others, account.names) if d.severity == "error"]


def _schemas() -> dict[str, str]:
    """schema/*.json as shipped, for a folder that has none (a fork has them already)."""
    from reportrunner.resources import schema_dir
    from reportrunner.spec.checks import PROJECT_SCHEMA, SPEC_SCHEMA

    return {
        f"schema/{name}": (schema_dir() / name).read_text(encoding="utf-8")
        for name in (SPEC_SCHEMA, PROJECT_SCHEMA)
    }


@click.command("init", epilog=EXIT_STATUS_HELP)
@click.option(
    "--emulator", is_flag=True, help="Read the built-in emulator's organization (no key needed)."
)
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="Folder to write reportrunner.yaml and specs/ into.",
)
@click.option(
    "--pipeline",
    metavar="NAME_OR_ID",
    default=None,
    help="The default pipeline (defaults.request.pipeline) [default: the account's first].",
)
@click.option(
    "--timezone",
    "zone",
    metavar="ZONE",
    default=None,
    help="IANA time zone for relative ranges [default: the key owner's zone in Close, else UTC].",
)
@click.option(
    "--currency", default="USD", show_default=True, metavar="CODE", help="ISO 4217 currency."
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def command(
    emulator: bool, root: Path, pipeline: str | None, zone: str | None, currency: str, force: bool
) -> None:
    """Write reportrunner.yaml and starter specs that use your Close account's real ids.

    Reads the organization, its pipelines (with statuses), users, groups and saved searches,
    then writes reportrunner.yaml (site title from the organization's name, default pipeline,
    time zone) and commented specs: per pipeline, this month to date against last month and
    the stages of last month; per group, this month against last month. Existing files are
    never overwritten without --force.

    \b
    Examples:
      reportrunner init --emulator --dir try-it    # what it writes, without a key
      export CLOSE_API_KEY=api_…      # Close: Settings → Developer → API Keys
      reportrunner init --force && reportrunner validate --online && reportrunner run
    """
    from reportrunner.cli._account import account_settings
    from reportrunner.escaping import one_line
    from reportrunner.fetch.account import read_account
    from reportrunner.spec.starter import (
        DEFAULT_API_URL,
        StarterOptions,
        starter_files,
        write_files,
    )

    with translate_errors():
        if not currency.isalpha() or len(currency) != 3 or not currency.isupper():
            raise UsageError(f"--currency {currency!r} is not an ISO 4217 code", hint="e.g. EUR")
        with account_settings(
            emulator=emulator,
            base_url=DEFAULT_API_URL,
            needed_for="init reads that key's Close account",
        ) as settings:
            account = read_account(settings)
        chosen = None
        if pipeline is not None:
            chosen = account.find_pipeline(pipeline)
            if chosen is None:
                known = ", ".join(f"{p.name} ({p.id})" for p in account.pipelines)
                raise UsageError(
                    f"--pipeline {pipeline!r} is neither the name nor the id of a pipeline",
                    hint=f"pipelines of this account: {known}",
                )
        timezone, note = _zone(account, zone)
        options = StarterOptions(timezone, currency, chosen, date.today())
        files = starter_files(account, options)
        if not (root / "schema").exists():  # the files' modelines point there (editors)
            files.update(_schemas())
        written = write_files(root, files, force=force)
        name = one_line(account.organization_name, 80)  # untrusted: one printable line
        say(f"Close organization {name}: wrote")
        for path in written:
            click.echo(f"  {path.as_posix()}")
        if note:
            say(f"note: {note}", err=True)
        foreign = _foreign_specs(root, written, account)
        if foreign:
            for line in foreign:
                say(line, err=True)
            click.echo(
                "warning: the specs above name ids this account does not have (the examples "
                "use the emulator's); delete them or replace the ids (`reportrunner ids`).",
                err=True,
            )
        suffix = " --emulator" if emulator else ""
        where = "" if root == Path() else f"cd {root.as_posix()} && "
        click.echo(
            f"next: {where}reportrunner validate --online{suffix} && reportrunner run{suffix}"
        )
    sys.exit(0)
