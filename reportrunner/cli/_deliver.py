"""Delivery at the CLI's edge, shared by `run` and `deliver`: secrets in, outcomes out.

The core never reads the environment: here the variables the deliveries name are read, every
secret (and the parts of it that could show up alone: a webhook's path, an SMTP password) is
registered with redact.py and, under `--format github`, masked with `::add-mask::` before
anything else is printed. Outcomes are printed, the state is written into the site, and the
exit status is derived from the result.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import click

from reportrunner.cli._common import say
from reportrunner.cli.output import github_annotation
from reportrunner.deliver.config import Delivery
from reportrunner.deliver.entry import DeliverSettings, DeliveryResult, ReportInput, deliver
from reportrunner.deliver.state import DeliveryState, write
from reportrunner.deliver.summary import markdown, outcome_line, result_json
from reportrunner.model import Project
from reportrunner.redact import redact, register_secret


def _parts(value: str) -> list[str]:
    """A secret and the pieces of it that could be printed on their own."""
    parts = [value]
    split = urlsplit(value)
    if split.password:
        parts += [split.password, unquote(split.password)]
    if split.scheme in ("http", "https") and split.path not in ("", "/"):
        parts.append(split.path)  # a webhook URL's path is its token
    return [part for part in parts if len(part) >= 4]


def read_secrets(
    deliveries: Iterable[Delivery], *, github: bool, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The values of the variables the deliveries name (unset ones are left out)."""
    env = os.environ if environ is None else environ
    secrets: dict[str, str] = {}
    for name in sorted({delivery.env for delivery in deliveries}):
        value = env.get(name, "")
        if not value:
            continue
        secrets[name] = value
        for part in _parts(value):
            register_secret(part)
            if github:
                click.echo(f"::add-mask::{part}")
    return secrets


def every_delivery(project: Project, reports: Sequence[ReportInput]) -> list[Delivery]:
    return [*project.deliver, *(d for report in reports for d in report.deliver)]


def run_deliveries(
    project: Project,
    reports: Sequence[ReportInput],
    *,
    site: Path,
    state: DeliveryState,
    now: datetime,
    output_format: str,
    dry_run: Path | None = None,
) -> DeliveryResult:
    """Deliver, print what happened, and record the state in `site` (not in a dry run)."""
    github = output_format == "github"
    deliveries = every_delivery(project, reports)
    secrets = {} if dry_run is not None else read_secrets(deliveries, github=github)
    for warning in state.warnings:
        say(f"warning: {warning}", err=True)
    result = deliver(
        DeliverSettings(
            reports=reports,
            shared=project.deliver,
            secrets=secrets,
            state=state,
            now=now,
            site_title=project.site_title,
            base_url=project.site_base_url,
            locale=project.locale,
            dry_run=dry_run,
        )
    )
    if dry_run is None:
        write(site, result.state)
    if output_format != "json":
        if not result.outcomes:
            click.echo(
                "no delivery is configured (a deliver: block in reportrunner.yaml or a spec; "
                "docs/delivery.md)",
                err=True,
            )
        for outcome in result.outcomes:
            say(outcome_line(outcome), err=outcome.status == "failed")
    if github:
        from reportrunner.cli.output import append_step_summary

        for outcome in result.failed:
            message = redact(f"{outcome.label}: {outcome.error}")
            click.echo(github_annotation("error", message, title="Delivery failed"))
        append_step_summary(redact(markdown(result, previews=dry_run is not None)))
    return result


def json_outcomes(result: DeliveryResult | None) -> str:
    return json.dumps(result_json(result) if result else [], ensure_ascii=False)
