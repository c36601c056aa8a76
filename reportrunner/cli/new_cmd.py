"""`reportrunner new ID`: write specs/ID.yaml, a commented and valid starting point."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import translate_errors
from reportrunner.errors import UsageError

EXAMPLE_PIPELINE = "pipe_4vukv2FUlFh9FDiVYAop1U"

TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A Close opportunity-funnel report. Reference: docs/specs.md; check it with
#   reportrunner validate {path}
# id defaults to the file name; it becomes the folder of the published page.
title: {title}
# description: One or two sentences shown under the title.
# endpoints: [totals, stages]    # which Close endpoints to call (default: both)
# formats: [html, md, csv]       # which pages to publish (default: all three)
# currency: USD                  # ISO 4217 code used to format money
# timezone: Europe/Berlin        # IANA zone; relative ranges are resolved in it
# tags: [weekly]
# matrix:                        # one report per value (ids get -<value> appended)
#   compared_relative_range: [last-month, last-year]
request:                         # exactly the JSON body POSTed to Close
  pipeline: {pipeline}   # Settings → Pipelines & Statuses
  type: created-cohort           # or active-stage-cohort (then use report_relative_range)
  cohort_relative_range: this-month   # opportunities created this month
  # compared_relative_range: last-month
  # users: [user_…, group_…]     # empty or absent: every user
  # query: {{type: saved_search, saved_search_id: save_…}}
"""


def write_new_spec(report_id: str, folder: Path, root: Path, force: bool = False) -> Path:
    """Create `folder/ID.yaml`; the pipeline is the project default when there is one."""
    from reportrunner.checks import SPEC_SCHEMA
    from reportrunner.cli._project import valid_project
    from reportrunner.resources import load_schema

    # The schema holds the id rule (one source of truth with `validate`).
    id_rule = load_schema(SPEC_SCHEMA)["properties"]["id"]
    if not re.match(id_rule["pattern"], report_id):
        raise UsageError(
            f"{report_id!r} is not a valid report id",
            hint=f"{id_rule['errorMessage']}, e.g. new-business-weekly",
        )
    target = folder / f"{report_id}.yaml"
    if target.exists() and not force:
        raise UsageError(f"{target} already exists", hint="pick another id or pass --force")
    project = valid_project(root, "no spec was written")
    default_request = project.defaults.get("request")
    pipeline = default_request.get("pipeline") if isinstance(default_request, dict) else None
    schema = Path("..") / "schema" / SPEC_SCHEMA
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(
        TEMPLATE.format(
            schema=schema.as_posix(),
            path=target.as_posix(),
            title=report_id.replace("-", " ").capitalize(),
            pipeline=pipeline if isinstance(pipeline, str) else EXAMPLE_PIPELINE,
        ),
        encoding="utf-8",
    )
    return target


@click.command("new", epilog=EXIT_STATUS_HELP)
@click.argument("report_id", metavar="ID")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("specs"),
    show_default=True,
    help="Folder to write the spec into.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def command(report_id: str, folder: Path, force: bool) -> None:
    """Write specs/ID.yaml: a commented, valid starting point with the schema modeline.

    \b
    Example:
      reportrunner new emea-weekly && reportrunner validate specs/emea-weekly.yaml
    """
    with translate_errors():
        target = write_new_spec(report_id, folder, Path.cwd(), force=force)
        click.echo(f"wrote {target}; edit it, then run: reportrunner validate {target}")
    sys.exit(0)
