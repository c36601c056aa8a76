"""`reportrunner new ID`: write specs/ID.yaml, a commented starting point with real ids.

The pipeline is, in order: `--pipeline NAME_OR_ID` looked up in the account (CLOSE_API_KEY, or
`--emulator`), the default from reportrunner.yaml, or a placeholder that `validate` rejects
with a hint to run `reportrunner ids` (the emulator's ids would only fail on a real account).
With the account at hand, the commented examples name one of its groups and saved searches.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import translate_errors
from reportrunner.errors import UsageError
from reportrunner.spec.placeholders import PLACEHOLDERS

if TYPE_CHECKING:
    from reportrunner.fetch.account import Account

TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A Close opportunity-funnel report. Reference: docs/specs.md; check it with
#   reportrunner validate {path}
# Ids: `reportrunner ids` lists your pipelines, users, groups and saved searches.
# id defaults to the file name; it becomes the folder of the published page.
title: {title}
# description: One or two sentences shown under the title.
# endpoints: [totals, stages]    # which Close endpoints to call (default: both)
# formats: [html, md, csv]       # which pages to publish (default: all three)
# currency: USD                  # ISO 4217 code used to format money
# timezone: Europe/Berlin        # IANA zone; relative ranges are resolved in it
# tags: [weekly]
request:                         # exactly the JSON body POSTed to Close
  pipeline: {pipeline}   # {pipeline_note}
  type: created-cohort           # or active-stage-cohort (then use report_relative_range)
  cohort_relative_range: this-month    # opportunities created this month, to date
  compared_relative_range: last-month  # against last month
  # users: [{group}]   # {group_note}
  # query: {{type: saved_search, saved_search_id: {search}}}   # {search_note}
"""


@dataclass(frozen=True)
class Filled:
    """What the template's id slots say: an id and the comment beside it."""

    pipeline: str
    pipeline_note: str
    group: str = PLACEHOLDERS["group"]
    group_note: str = "a group's members (or user ids); empty or absent: every user"
    search: str = PLACEHOLDERS["saved search"]
    search_note: str = "a Smart View's id"


def _from_account(account: Account, wanted: str | None, default: str | None) -> Filled:
    from reportrunner.escaping import one_line

    pipeline = account.find_pipeline(wanted or default or "") or (
        None if wanted else account.pipelines[0] if account.pipelines else None
    )
    if pipeline is None:
        known = ", ".join(f"{p.name} ({p.id})" for p in account.pipelines) or "none"
        raise UsageError(
            f"--pipeline {wanted!r} is neither the name nor the id of a pipeline",
            hint=f"pipelines of this account: {known}",
        )
    filled = Filled(pipeline.id, one_line(pipeline.name, 60))
    if account.groups:
        group = account.groups[0]
        filled = replace(filled, group=group.id, group_note=one_line(group.name, 60))
    if account.saved_searches:
        search = account.saved_searches[0]
        filled = replace(filled, search=search.id, search_note=one_line(search.name, 60))
    return filled


def _offline(wanted: str | None, default: str | None) -> Filled:
    if wanted is not None:
        if not re.fullmatch(r"pipe_[A-Za-z0-9]+", wanted):
            raise UsageError(
                f"--pipeline {wanted!r}: looking a pipeline up by name needs CLOSE_API_KEY",
                hint="export CLOSE_API_KEY=…, add --emulator, or give the pipe_… id "
                "(`reportrunner ids pipelines`).",
            )
        return Filled(wanted, "as given with --pipeline")
    if default is not None:
        return Filled(default, "the default from reportrunner.yaml")
    return Filled(
        PLACEHOLDERS["pipeline"],
        "placeholder: `reportrunner ids pipelines` lists your pipelines' ids",
    )


def write_new_spec(
    report_id: str,
    folder: Path,
    root: Path,
    force: bool = False,
    *,
    account: Account | None = None,
    pipeline: str | None = None,
) -> Path:
    """Create `folder/ID.yaml` with the account's ids, the project default, or placeholders."""
    from reportrunner.cli._project import valid_project
    from reportrunner.resources import load_schema
    from reportrunner.spec.checks import SPEC_SCHEMA

    # The schema holds the id rule (one source of truth with `validate`).
    id_rule = load_schema(SPEC_SCHEMA)["properties"]["id"]
    if not re.match(id_rule["pattern"], report_id):
        raise UsageError(
            f"{report_id!r} is not a valid report id",
            hint=f"{id_rule['errorMessage']}, e.g. new-business-weekly",
        )
    target = folder / f"{report_id}.yaml"
    # A symlink (even dangling) is an existing file: writing through it lands outside folder.
    if (target.exists() or target.is_symlink()) and not force:
        raise UsageError(f"{target} already exists", hint="pick another id or pass --force")
    project = valid_project(root, "no spec was written")
    default_request = project.defaults.get("request")
    default = default_request.get("pipeline") if isinstance(default_request, dict) else None
    default = default if isinstance(default, str) else None
    filled = _from_account(account, pipeline, default) if account else _offline(pipeline, default)
    schema = Path("..") / "schema" / SPEC_SCHEMA
    folder.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()  # --force replaces the link, never the file it points to
    target.write_text(
        TEMPLATE.format(
            schema=schema.as_posix(),
            path=target.as_posix(),
            title=report_id.replace("-", " ").capitalize(),
            **asdict(filled),
        ),
        encoding="utf-8",
    )
    return target


def _account(emulator: bool, root: Path) -> Account | None:
    """The account when a key (or --emulator) is at hand; None: work offline."""
    if not emulator and not os.environ.get("CLOSE_API_KEY", "").strip():
        return None
    from reportrunner.cli._account import account_settings
    from reportrunner.cli._project import valid_project
    from reportrunner.fetch.account import read_account

    project = valid_project(root, "no spec was written")
    with account_settings(
        emulator=emulator,
        base_url=project.api_base_url,
        needed_for="new looks the pipeline up in Close",
    ) as settings:
        return read_account(settings)


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
@click.option(
    "--pipeline",
    metavar="NAME_OR_ID",
    default=None,
    help="The pipeline, by name or id; a name is looked up with CLOSE_API_KEY "
    "[default: defaults.request.pipeline in reportrunner.yaml].",
)
@click.option("--emulator", is_flag=True, help="Take the ids from the built-in emulator.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def command(
    report_id: str, folder: Path, pipeline: str | None, emulator: bool, force: bool
) -> None:
    """Write specs/ID.yaml: a commented, valid starting point with the schema modeline.

    With CLOSE_API_KEY set (or --emulator), the ids are your account's: --pipeline takes a
    name or an id. Without a key, the pipeline is the default from reportrunner.yaml, or a
    placeholder that `validate` points out until you paste an id from `reportrunner ids`.

    \b
    Examples:
      reportrunner new emea-weekly && reportrunner validate specs/emea-weekly.yaml
      reportrunner new renewals-monthly --pipeline Renewals --emulator
    """
    with translate_errors():
        account = _account(emulator, Path.cwd())
        target = write_new_spec(
            report_id, folder, Path.cwd(), force=force, account=account, pipeline=pipeline
        )
        click.echo(f"wrote {target}; edit it, then run: reportrunner validate {target}")
    sys.exit(0)
