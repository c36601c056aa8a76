"""Spec → the exact HTTP requests `run` will make, and the windows the report covers.

No network: this is pure arithmetic on the specs and the clock. When a request has a
`compared_*` field Close returns only the compared report, so each endpoint gets two requests:
the body without the comparison (role "base") and the body as written (role "compared").
While the base period runs (this month on the 2nd) and the two periods have the same length,
a third request (role "compared_to_date") asks for the same elapsed span of the compared period
with `compared_custom_range`, so the headline compares like with like (reportrunner.comparison
holds the rules; a spec's `comparison: full-period` turns this off). Identical requests (same
endpoint, body and time-zone offset) are fetched once; `unique()` gives them in first-seen order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlencode

from reportrunner import __version__
from reportrunner.comparison import decide
from reportrunner.model import ENDPOINT_PATHS, Spec
from reportrunner.windows import (
    Window,
    datetime_window,
    format_offset,
    offset_zone,
    resolve_relative,
    shift_same_days,
    zone_offset_hours,
)

#: In a request's path, the organisation id the runner looks up once per run (`GET /me/`):
#: the status-change and sent-e-mail reports name the organisation in their path.
ORGANIZATION = "{organization_id}"


@dataclass(frozen=True)
class PlannedRequest:
    endpoint: str  # the kind's endpoint name ("totals", "stages" for the funnel)
    role: str  # "base" | "compared" | "compared_to_date"
    path: str  # "/report/funnel/opportunity/totals/"
    body: dict[str, Any]
    tz_offset: float  # hours, the spec's zone at `now` (Asia/Kolkata → 5.5)
    key: str  # dedup key: endpoint + canonical JSON body (or query) + offset
    #: Set for a GET endpoint (its parameters go in the query string and `body` is empty);
    #: None for a report POST. Sorted pairs, so the URL and the dedup key are stable.
    query: tuple[tuple[str, str], ...] | None = None

    @property
    def method(self) -> str:
        return "POST" if self.query is None else "GET"

    def target(self) -> str:
        """The path as sent, with its query string for a GET (what `plan` prints)."""
        if self.query is None:
            return self.path
        return f"{self.path}?{urlencode(self.query)}" if self.query else self.path

    @property
    def needs_organization(self) -> bool:
        return ORGANIZATION in self.path

    def headers(self) -> dict[str, str]:
        """The headers that matter (no Authorization: the client adds it)."""
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": f"reportrunner/{__version__}",
            "X-TZ-Offset": format_offset(self.tz_offset),
        }
        if self.query is not None:  # a GET has no body to describe
            del headers["Content-Type"]
        return headers


@dataclass
class ReportPlan:
    spec: Spec
    requests: list[PlannedRequest]
    #: "report"/"cohort"/"compared" (+ "compared_to_date" when fetched), as in data.json
    windows: dict[str, dict[str, Any] | None]
    #: Fields the report's kind adds to data.json (docs/data-format.md), e.g. `compare`.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class RequestPlan:
    reports: list[ReportPlan] = field(default_factory=list)

    def unique(self) -> list[PlannedRequest]:
        """Every distinct request once, in the order first needed."""
        seen: dict[str, PlannedRequest] = {}
        for report in self.reports:
            for request in report.requests:
                seen.setdefault(request.key, request)
        return list(seen.values())


def canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def planned_request(
    endpoint: str, role: str, path: str, body: dict[str, Any], offset: float
) -> PlannedRequest:
    """A request with its dedup key (endpoint + canonical JSON body + offset); any kind's."""
    key = f"{endpoint} {canonical(body)} {format_offset(offset)}"
    return PlannedRequest(endpoint, role, path, body, offset, key)


def planned_get(
    endpoint: str, role: str, path: str, query: Mapping[str, str], offset: float
) -> PlannedRequest:
    """A GET request whose parameters go in the query string; dedup key as for a POST."""
    pairs = tuple(sorted((str(k), str(v)) for k, v in query.items()))
    key = f"{endpoint} GET?{urlencode(pairs)} {format_offset(offset)}"
    return PlannedRequest(endpoint, role, path, {}, offset, key, pairs)


def _planned(endpoint: str, role: str, body: dict[str, Any], offset: float) -> PlannedRequest:
    return planned_request(endpoint, role, ENDPOINT_PATHS[endpoint], body, offset)


def _window(kind: str, value: str | None, window: Window) -> dict[str, Any]:
    return {"kind": kind, "value": value, **window.to_json()}


def _range(request: dict[str, Any], prefix: str, now: datetime, zone: tzinfo) -> Any:
    relative = request.get(f"{prefix}_relative_range")
    if isinstance(relative, str):
        return _window("relative", relative, resolve_relative(relative, now, zone))
    dated = request.get(f"{prefix}_datetime_range")
    if isinstance(dated, dict):
        return {"kind": "datetime", "value": None, "start": dated["start"], "end": dated["end"]}
    return None


def resolve_windows(request: dict[str, Any], now: datetime, offset: float) -> dict[str, Any]:
    """The report/cohort/compared windows of a request, as in data.json (`windows`)."""
    zone = offset_zone(offset)
    report = _range(request, "report", now, zone)
    cohort = _range(request, "cohort", now, zone)
    if request.get("type") == "active-stage-cohort":
        cohort = None  # Close ignores cohort ranges on these reports (validate warns)
    primary_prefix = "cohort" if request.get("type") == "created-cohort" else "report"
    compared: dict[str, Any] | None = None
    if isinstance(request.get("compared_relative_range"), str):
        name = request["compared_relative_range"]
        compared = _window("relative", name, resolve_relative(name, now, zone))
    elif isinstance(request.get("compared_datetime_range"), str):
        shift = request["compared_datetime_range"]
        primary = request.get(f"{primary_prefix}_datetime_range")
        if isinstance(primary, dict):
            compared = _window("same-days", shift, shift_same_days(datetime_window(primary), shift))
    elif isinstance(request.get("compared_custom_range"), dict):
        custom = request["compared_custom_range"]
        compared = {"kind": "custom", "value": None, "start": custom["start"], "end": custom["end"]}
    return {"report": report, "cohort": cohort, "compared": compared}


def primary_window(windows: dict[str, Any], request_type: object) -> dict[str, Any] | None:
    """The window a comparison replaces: the cohort (created-cohort) or the report range."""
    name = "cohort" if request_type == "created-cohort" else "report"
    found = windows.get(name)
    return found if isinstance(found, dict) else None


def as_window(window: dict[str, Any] | None) -> Window | None:
    """A data.json window as a Window; None when absent or unbounded (all-time)."""
    if not window or not window.get("start") or not window.get("end"):
        return None
    return datetime_window({"start": str(window["start"]), "end": str(window["end"])})


def to_date_window(spec: Spec, windows: dict[str, Any], now: datetime) -> Window | None:
    """The compared span of a to-date comparison, or None when the windows need none."""
    primary = primary_window(windows, spec.request.get("type"))
    base, compared = as_window(primary), as_window(windows.get("compared"))
    if base is None or compared is None or primary is None:
        return None
    relative = primary.get("value") if primary.get("kind") == "relative" else None
    verdict = decide(base, compared, now, mode=spec.comparison, relative=relative)
    return verdict.against if verdict.kind == "to-date" else None


def plan_report(spec: Spec, now: datetime) -> ReportPlan:
    offset = zone_offset_hours(spec.timezone, now)
    compared_field = spec.compared_field
    windows = resolve_windows(spec.request, now, offset)
    span = to_date_window(spec, windows, now) if compared_field else None
    if span is not None:
        windows["compared_to_date"] = _window("to-date", None, span)
    requests = []
    for endpoint in spec.endpoints:
        if compared_field:
            base = {k: v for k, v in spec.request.items() if k != compared_field}
            requests.append(_planned(endpoint, "base", base, offset))
            requests.append(_planned(endpoint, "compared", dict(spec.request), offset))
            if span is not None:
                body = base | {"compared_custom_range": span.to_json()}
                requests.append(_planned(endpoint, "compared_to_date", body, offset))
        else:
            requests.append(_planned(endpoint, "base", dict(spec.request), offset))
    return ReportPlan(spec, requests, windows)


def build_plan(specs: Sequence[Spec], now: datetime) -> RequestPlan:
    """Plan every (valid) spec at `now` (timezone-aware), each by its kind's planner."""
    from reportrunner.kinds import kind_named  # the registry imports this module's types

    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return RequestPlan([kind_named(spec.kind).plan(spec, now) for spec in specs])
