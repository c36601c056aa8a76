"""`reportrunner ids [pipelines|users|groups|saved-searches]`: the ids a spec can name."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import say, translate_errors


@click.command("ids", epilog=EXIT_STATUS_HELP)
@click.argument(
    "kinds",
    nargs=-1,
    type=click.Choice(["pipelines", "users", "groups", "saved-searches"]),
    metavar="[pipelines|users|groups|saved-searches]...",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "yaml"]),
    default="text",
    show_default=True,
    help="text: tables for people; json or yaml: for machines and for pasting into a spec.",
)
@click.option(
    "--emulator", is_flag=True, help="List the built-in emulator's organization (no key needed)."
)
def command(kinds: tuple[str, ...], fmt: str, emulator: bool) -> None:
    """List the account's pipelines (with statuses), users, groups (with members) and saved
    searches: the ids to write in request.pipeline, request.users and request.query.

    Reads the account of CLOSE_API_KEY (CLOSE_API_URL, else api.base_url in
    reportrunner.yaml, is the API's address). Without a kind, lists all four.

    \b
    Examples:
      reportrunner ids --emulator
      reportrunner ids pipelines groups
      reportrunner ids users --format json
    """
    from reportrunner.cli._account import account_settings
    from reportrunner.cli._idtables import Format, format_ids
    from reportrunner.cli._project import valid_project
    from reportrunner.fetch.account import KINDS, Kind, read_account
    from reportrunner.redact import redact

    with translate_errors():
        project = valid_project(Path.cwd(), "no id was looked up")
        with account_settings(
            emulator=emulator,
            base_url=project.api_base_url,
            needed_for="ids lists the ids of that key's Close account",
        ) as settings:
            account = read_account(settings)
        wanted: list[Kind] = [k for k in KINDS if k in kinds] or list(KINDS)
        output_format: Format = "json" if fmt == "json" else "yaml" if fmt == "yaml" else "text"
        listing = format_ids(account, wanted, output_format)
        if output_format == "json":  # line breaks are escaped: no line can start a command
            click.echo(redact(listing), nl=False)
        else:  # a YAML dump puts what follows a line break in a name on a line of its own
            say(listing, nl=False)
    sys.exit(0)
