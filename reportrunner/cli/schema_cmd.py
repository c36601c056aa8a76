"""`reportrunner schema [--project]`: print a shipped JSON Schema (for editors, other tools)."""

from __future__ import annotations

import json

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import translate_errors


@click.command("schema", epilog=EXIT_STATUS_HELP)
@click.option("--project", is_flag=True, help="Print the reportrunner.yaml schema instead.")
def command(project: bool) -> None:
    """Print the report-spec JSON Schema (draft-07) to standard output.

    \b
    Examples:
      reportrunner schema > schema/report-spec.schema.json
      reportrunner schema --project > schema/project.schema.json
    """
    from reportrunner.resources import load_schema
    from reportrunner.spec.checks import PROJECT_SCHEMA, SPEC_SCHEMA

    with translate_errors():
        schema = load_schema(PROJECT_SCHEMA if project else SPEC_SCHEMA)
        click.echo(json.dumps(schema, indent=2, ensure_ascii=False))
