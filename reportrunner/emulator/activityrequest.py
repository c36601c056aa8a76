"""The checks of a `POST /report/activity/` body, and the typed request they produce.

Close documents the rules (close-reporting-endpoints.md §6.2): `type` overview | comparison and
`metrics` are mandatory, one of `relative_range` / `datetime_range`, optional `query`
(saved_search only) and `users`. Where Close is silent the emulator is strict, as the project's
spec rules are: both ranges, an empty or duplicated metric list, an unknown metric, a
`datetime_range` without an offset or with `start` not before `end`, and unknown keys are 400s.
Every problem is collected (not only the first), each under its top-level field in Close's
`{"errors": [], "field-errors": {field: message}}` shape; the ids are then checked against the
organisation (a user, group or saved search it lacks is "Object does not exist.", as for the
funnel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Literal

from reportrunner import windows
from reportrunner.emulator import activitycatalogue, org
from reportrunner.emulator.dataset import Dataset
from reportrunner.emulator.scope import NOT_FOUND, RequestInvalid

ReportType = Literal["overview", "comparison"]
REQUIRED = "This field is required."
KEYS = ("type", "metrics", "relative_range", "datetime_range", "query", "users")
_USER_OR_GROUP = re.compile(r"(user|group)_[A-Za-z0-9]+")
_SAVED_SEARCH = re.compile(r"save_[A-Za-z0-9]+")


@dataclass(frozen=True)
class ActivityRequest:
    """A checked activity body: the window is resolved in the request's zone."""

    type: ReportType
    measures: tuple[activitycatalogue.Measure, ...]
    window: windows.Window  # bounded: all-time starts at the organisation's creation
    zone: tzinfo
    users: tuple[str, ...] | None  # expanded user ids; None = everybody
    search: org.SavedSearch | None


def _type(body: dict[str, Any], errors: dict[str, str]) -> None:
    if "type" not in body:
        errors["type"] = REQUIRED
    elif body["type"] not in ("overview", "comparison"):
        errors["type"] = f"Must be one of: overview, comparison (got {body['type']!r})."


def _metrics(body: dict[str, Any], errors: dict[str, str]) -> None:
    metrics = body.get("metrics")
    if "metrics" not in body:
        errors["metrics"] = REQUIRED
    elif not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        errors["metrics"] = "Must be a list of metric keys (strings)."
    elif not metrics:
        errors["metrics"] = "Must name at least one metric."
    else:
        problems = []
        repeated = sorted({m for m in metrics if metrics.count(m) > 1})
        if repeated:
            problems.append("Duplicate metrics: " + ", ".join(repeated) + ".")
        unknown = [m for m in dict.fromkeys(metrics) if activitycatalogue.resolve(m) is None]
        if unknown:
            problems.append(
                "Unknown metrics: "
                + ", ".join(unknown)
                + ". GET /report/activity/metrics/ lists the available keys."
            )
        if problems:
            errors["metrics"] = " ".join(problems)


def _ranges(body: dict[str, Any], errors: dict[str, str]) -> None:
    has_relative, has_datetime = "relative_range" in body, "datetime_range" in body
    if has_relative and has_datetime:
        errors["relative_range"] = "Specify either relative_range or datetime_range, not both."
        return
    if not (has_relative or has_datetime):
        errors["relative_range"] = "Either this field or datetime_range needs to be specified."
        return
    if has_relative and body["relative_range"] not in windows.RELATIVE_RANGES:
        choices = ", ".join(windows.RELATIVE_RANGES)
        errors["relative_range"] = f"Must be one of: {choices} (got {body['relative_range']!r})."
    if has_datetime:
        problem = _datetime_problem(body["datetime_range"])
        if problem:
            errors["datetime_range"] = problem


def _datetime_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "Must be an object {start, end} of RFC 3339 date-times."
    extra = sorted(set(value) - {"start", "end"})
    if extra:
        return f"Unknown keys {', '.join(extra)}; only start and end are allowed."
    parsed: dict[str, datetime] = {}
    for side in ("start", "end"):
        if side not in value:
            return f"{side}: {REQUIRED}"
        if not isinstance(value[side], str):
            return f"{side}: must be an RFC 3339 date-time string such as 2026-01-01T00:00:00Z."
        try:
            parsed[side] = windows.parse_rfc3339(value[side])
        except ValueError as exc:
            return f"{side}: {exc}."
    if parsed["start"] >= parsed["end"]:
        return "start must be before end (the range is [start, end))."
    return None


def _query(body: dict[str, Any], errors: dict[str, str]) -> None:
    if "query" not in body:
        return
    query = body["query"]
    if not isinstance(query, dict):
        errors["query"] = 'Must be an object {"type": "saved_search", "saved_search_id": …}.'
    elif set(query) - {"type", "saved_search_id"}:
        extra = ", ".join(sorted(set(query) - {"type", "saved_search_id"}))
        errors["query"] = f"Unknown keys {extra}; only type and saved_search_id are allowed."
    elif query.get("type") != "saved_search":
        errors["query"] = "type: only saved_search is supported."
    elif not isinstance(query.get("saved_search_id"), str):
        errors["query"] = f"saved_search_id: {REQUIRED}"
    elif not _SAVED_SEARCH.fullmatch(query["saved_search_id"]):
        errors["query"] = "saved_search_id: must be a saved-search id such as save_…"


def _users(body: dict[str, Any], errors: dict[str, str]) -> None:
    if "users" not in body:
        return
    users = body["users"]
    if not isinstance(users, list):
        errors["users"] = "Must be a list of user or group ids."
    elif not all(isinstance(u, str) and _USER_OR_GROUP.fullmatch(u) for u in users):
        errors["users"] = "Each entry must be a user id (user_…) or group id (group_…)."
    elif len(set(users)) != len(users):
        errors["users"] = "Each id may appear only once."


def check(body: Any) -> None:
    """Raise RequestInvalid with every rule `body` breaks (ids are not looked up here)."""
    if not isinstance(body, dict):
        raise RequestInvalid({}, ["The request body must be a JSON object."])
    errors: dict[str, str] = {}
    for key in body:
        if key not in KEYS:
            errors[str(key)] = "Unknown field."
    _type(body, errors)
    _metrics(body, errors)
    _ranges(body, errors)
    _query(body, errors)
    _users(body, errors)
    if errors:
        raise RequestInvalid(errors)


def _expand(dataset: Dataset, ids: list[str]) -> tuple[str, ...]:
    expanded: list[str] = []
    for item in ids:
        group = dataset.group(item)
        for member in group.member_ids if group else (item,):
            if dataset.user(member) is None:
                raise RequestInvalid({"users": NOT_FOUND})
            if member not in expanded:
                expanded.append(member)
    return tuple(expanded)


def parse(dataset: Dataset, body: Any, zone: tzinfo, now: datetime) -> ActivityRequest:
    """The checked request; RequestInvalid for a broken rule or an id the org lacks."""
    check(body)
    search = None
    if "query" in body:
        search = dataset.saved_search(body["query"]["saved_search_id"])
        if search is None:
            raise RequestInvalid({"query": NOT_FOUND})
    users = _expand(dataset, body["users"]) if body.get("users") else None
    if "datetime_range" in body:
        window = windows.datetime_window(body["datetime_range"])
    else:
        window = windows.resolve_relative(body["relative_range"], now, zone)
    if window.start is None or window.end is None:  # all-time: the organisation's whole life
        window = windows.Window(dataset.org_created.astimezone(zone), now.astimezone(zone))
    measures = tuple(m for key in body["metrics"] if (m := activitycatalogue.resolve(key)))
    return ActivityRequest(body["type"], measures, window, zone, users, search)
