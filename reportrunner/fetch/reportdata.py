"""One report's outcome: its data.json content, or the words saying why its fetch failed.

Kept apart from runner.py (which schedules requests) so that the exact shape of data.json
(docs/data-format.md, format_version 1) lives in one small place, and so that a failure message
always says where: the spec file and, for a field Close rejected, the line it was written on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from reportrunner import __version__
from reportrunner.errors import ReportRunnerError
from reportrunner.fetch.client import CallStats, RequestRejected
from reportrunner.fetch.names import Names
from reportrunner.fetch.plan import PlannedRequest, ReportPlan
from reportrunner.model import DATA_FORMAT_VERSION, Diagnostic, Location, ReportOutcome, Spec
from reportrunner.redact import redact
from reportrunner.windows import iso_z


def utc_text(moment: datetime) -> str:
    """RFC 3339 in UTC with `Z`, whole seconds (as docs/data-format.md writes times)."""
    return iso_z(moment.astimezone(timezone.utc).replace(microsecond=0))


def build_data(
    report: ReportPlan,
    answers: Mapping[tuple[str, str], Any],
    names: Names,
    *,
    fetched_at: datetime,
    stats: CallStats,
    seconds: float,
) -> dict[str, Any]:
    """The data.json object of one report whose every request succeeded.

    `answers` maps (endpoint, role) to Close's parsed answer.
    """
    spec = report.spec
    responses: dict[str, dict[str, Any]] = {}
    for endpoint in spec.endpoints:
        roles = {
            role: answers[(endpoint, role)]
            for role in ("base", "compared", "compared_to_date")
            if (endpoint, role) in answers
        }
        responses[endpoint] = roles
    tz_offset = report.requests[0].tz_offset if report.requests else 0.0
    return {
        "format_version": DATA_FORMAT_VERSION,
        "reportrunner_version": __version__,
        "id": spec.id,
        "kind": spec.kind,
        **report.extra,
        "title": spec.title,
        "description": spec.description,
        "tags": list(spec.tags),
        "spec_file": spec.source,
        "endpoints": list(spec.endpoints),
        "formats": list(spec.formats),
        "currency": spec.currency,
        "timezone": spec.timezone,
        "comparison": spec.comparison,
        "tz_offset": float(tz_offset),
        "matrix_values": dict(spec.matrix_values),
        "request": spec.request,
        "fetched_at": utc_text(fetched_at),
        "windows": report.windows,
        "responses": responses,
        "names": names.for_report(spec.request, responses),
        "stats": {
            "requests": stats.requests,
            "retries": stats.retries,
            "rate_limit_wait_seconds": round(stats.rate_limit_wait, 3),
            "seconds": round(seconds, 3),
        },
    }


def _location(spec: Spec, field: str) -> Location | None:
    for pointer in (f"/request/{field}", f"/defaults/request/{field}"):
        location = spec.locations.get(pointer)
        if location is not None:
            return location
    return None


def _top_field(field: str) -> str:
    """The request's top-level field a Close field-error names (`users.0` → `users`)."""
    return field.split(".")[0].split("/")[0]


def _where(spec: Spec, field: str) -> str:
    """`file:line` of a request field when the spec knows it, else the spec file."""
    location = _location(spec, field)
    return f"{location.file}:{location.line}" if location else spec.source


def failure_diagnostics(
    spec: Spec, request: PlannedRequest, error: BaseException
) -> list[Diagnostic]:
    """For a request Close rejected: one diagnostic per field it named, at the field's line."""
    if not isinstance(error, RequestRejected):
        return []
    found: list[Diagnostic] = []
    for field, text in error.field_errors.items():
        top = _top_field(field)
        location = _location(spec, top) or Location(spec.source, 1, 1)
        message = redact(
            f"Close answered {error.status} to the {request.endpoint} request: {field}: {text}"
        )
        found.append(
            Diagnostic(
                location.file, location.line, location.column, "error", message, f"/request/{top}"
            )
        )
    return found


def failure_message(spec: Spec, request: PlannedRequest, error: BaseException) -> str:
    """Why this report failed, naming the spec file (and line), the request and Close's words."""
    what = f"the {request.endpoint} request"
    if request.role == "compared":
        what += " (compared)"
    elif request.role == "compared_to_date":
        what += " (compared, to date)"
    if isinstance(error, RequestRejected):
        parts: list[str] = []
        for field, text in error.field_errors.items():
            parts.append(f"{_where(spec, _top_field(field))}: {field}: {text}")
        for text in error.errors:
            parts.append(f"{spec.source}: {text}")
        if not parts:
            parts.append(f"{spec.source}: {error.body or 'no details given'}")
        return redact(
            f"Close answered {error.status} to {what} of report {spec.id!r}: " + "; ".join(parts)
        )
    if isinstance(error, ReportRunnerError):
        text = f"{spec.source}: report {spec.id!r}, {what}: {error}"
        if error.hint:
            text += f" ({error.hint})"
        return redact(text)
    return redact(
        f"{spec.source}: report {spec.id!r}, {what}: internal error "
        f"{type(error).__name__}: {error} (a bug in reportrunner; rerun with --debug)"
    )


def report_outcome(
    report: ReportPlan,
    answers: Mapping[tuple[str, str], Any],
    failure: tuple[PlannedRequest, BaseException] | None,
    names: Names,
    *,
    fetched_at: datetime,
    stats: CallStats,
    seconds: float,
) -> ReportOutcome:
    """The outcome of one report: "ok" with its data.json, or "failed" saying why and where."""
    spec = report.spec
    if failure is not None:
        request, error = failure
        return ReportOutcome(
            id=spec.id,
            title=spec.title,
            source=spec.source,
            status="failed",
            error=failure_message(spec, request, error),
            diagnostics=failure_diagnostics(spec, request, error),
            requests=stats.requests,
            seconds=seconds,
        )
    data = build_data(
        report,
        answers,
        names,
        fetched_at=fetched_at,
        stats=stats,
        seconds=seconds,
    )
    return ReportOutcome(
        id=spec.id,
        title=spec.title,
        source=spec.source,
        status="ok",
        data=data,
        requests=stats.requests,
        seconds=seconds,
    )
