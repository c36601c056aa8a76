"""`reportrunner plan [PATH ...]`: the exact HTTP requests `run` would make, with no network."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reportrunner.cli import EXIT_STATUS_HELP
from reportrunner.cli._common import say, translate_errors
from reportrunner.errors import ExitStatus, UsageError

if TYPE_CHECKING:
    from reportrunner.fetch.plan import RequestPlan


@dataclass(frozen=True)
class PlanOptions:
    """`reportrunner plan`'s command line, parsed."""

    paths: tuple[Path, ...]
    format: str = "text"
    at: datetime | None = None
    root: Path | None = None


def _describe_window(name: str, window: dict[str, Any] | None) -> str | None:
    if window is None:
        return None
    label = f" {window['value']}" if window.get("value") else ""
    start = window.get("start") or "(unbounded)"
    end = window.get("end") or "(unbounded)"
    return f"{name}{label}: {start} → {end}"


def _plan_json(plan: RequestPlan, base_url: str, now: datetime) -> str:
    from reportrunner.windows import iso_z

    reports = []
    for report in plan.reports:
        reports.append(
            {
                "id": report.spec.id,
                "title": report.spec.title,
                "source": report.spec.source,
                "windows": report.windows,
                "requests": [
                    {
                        "endpoint": r.endpoint,
                        "role": r.role,
                        "method": r.method,
                        "url": base_url + r.target(),
                        "headers": r.headers(),
                        "body": r.body,
                        "key": r.key,
                    }
                    for r in report.requests
                ],
            }
        )
    document = {
        "at": iso_z(now),
        "api_base_url": base_url,
        "reports": reports,
        "requests": sum(len(r.requests) for r in plan.reports),
        "unique_requests": len(plan.unique()),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _plan_text(plan: RequestPlan, base_url: str, now: datetime) -> str:
    lines = [f"Plan at {now.isoformat()} against {base_url}", ""]
    for report in plan.reports:
        spec = report.spec
        lines.append(f"{spec.id}  ({spec.source})  {spec.title}")
        for name in ("report", "cohort", "compared", "compared_to_date"):
            text = _describe_window(name, report.windows.get(name))
            if text:
                lines.append(f"  window {text}")
        for request in report.requests:
            lines.append(
                f"  {request.method} {base_url}{request.target()}"
                f"  [{request.endpoint}, {request.role}]"
            )
            headers = request.headers()
            for header in ("Accept", "Content-Type", "X-TZ-Offset"):
                if header in headers:  # a GET sends no Content-Type
                    lines.append(f"    {header}: {headers[header]}")
            if request.query is None:  # a GET's parameters are in its URL already
                lines.append("    " + json.dumps(request.body, ensure_ascii=False))
        lines.append("")
    total = sum(len(r.requests) for r in plan.reports)
    lines.append(
        f"{len(plan.reports)} report(s), {total} request(s), {len(plan.unique())} unique "
        "(identical requests are fetched once)"
    )
    if any(request.needs_organization for request in plan.unique()):
        lines.append("{organization_id}: your organisation's id, read from GET /me/ when run")
    return "\n".join(lines) + "\n"


def execute(options: PlanOptions) -> ExitStatus:
    from reportrunner.cli._env import url_from_env
    from reportrunner.cli._project import stop_if_invalid
    from reportrunner.cli.output import format_text
    from reportrunner.fetch.plan import build_plan
    from reportrunner.spec.validate import validate_paths

    now = options.at or datetime.now(timezone.utc)
    result = validate_paths(options.paths, root=options.root)
    if not result.project_ok:
        stop_if_invalid(result.project_diagnostics, "nothing was planned")
    if result.diagnostics:
        click.echo(format_text(result.diagnostics), err=True, nl=False)
    plan = build_plan(result.specs, now)
    # The URL `run` would use: CLOSE_API_URL wins over api.base_url, as it does there.
    base_url = url_from_env(result.project.api_base_url).rstrip("/")
    render = _plan_json if options.format == "json" else _plan_text
    say(render(plan, base_url, now), nl=False)
    if result.errors:
        click.echo(
            f"{len(result.rejected)} report(s) left out of the plan because of errors above",
            err=True,
        )
        return ExitStatus.FAILED
    return ExitStatus.OK


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    from reportrunner.windows import parse_rfc3339

    try:
        return parse_rfc3339(value)
    except ValueError:
        raise UsageError(
            f"--at {value!r} is not an RFC 3339 date-time with an offset",
            hint="write it like 2026-11-30T09:00:00Z",
        ) from None


@click.command("plan", epilog=EXIT_STATUS_HELP)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for machines.",
)
@click.option(
    "--at",
    default=None,
    metavar="DATETIME",
    help="Plan as if it were this moment (RFC 3339, e.g. 2026-11-30T09:00:00Z) [default: now].",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding reportrunner.yaml [default: the current folder].",
)
def command(paths: tuple[Path, ...], fmt: str, at: str | None, root: Path | None) -> None:
    """Print the HTTP requests `run` would make for each report, without any network.

    Shows method, URL, the headers that matter (Accept, X-TZ-Offset for the spec's time zone
    at this moment) and the JSON body. A request with a compared_* field becomes two: the
    body without it (base) and as written (compared), because Close returns only the compared
    report. While the report's period is still running, a third asks for the same span of the
    compared period (compared_to_date), so the change is judged like for like.

    \b
    Examples:
      reportrunner plan
      reportrunner plan specs/new-business.yaml --format json --at 2026-11-30T09:00:00Z
    """
    with translate_errors():
        options = PlanOptions(paths=paths, format=fmt, at=_parse_at(at), root=root)
        status = execute(options)
    sys.exit(int(status))
