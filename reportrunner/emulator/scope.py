"""Which opportunities and windows a funnel request covers (the scope), from its body.

`resolve_scope` applies the pipeline, the `users` filter (group ids expand to their members),
the saved search of `query`, and resolves the report, cohort and compared windows with
`reportrunner.windows` in the request's zone, the same code the runner uses. Unknown ids and
unusable values raise `RequestInvalid`, which the server turns into Close's 400 body.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from reportrunner import windows
from reportrunner.emulator.dataset import (
    Dataset,
    Opportunity,
    PipelineShape,
    matches_saved_search,
)

NOT_FOUND = "Object does not exist."


class RequestInvalid(Exception):
    """The request cannot be answered; becomes a 400 with Close's error body."""

    def __init__(self, field_errors: dict[str, str], errors: list[str] | None = None) -> None:
        super().__init__("; ".join([*(errors or []), *field_errors.values()]))
        self.field_errors = field_errors
        self.errors = errors or []


@dataclass(frozen=True)
class Scope:
    """What one report covers: the filtered opportunities, the windows and the row users."""

    shape: PipelineShape
    type: str  # created-cohort | active-stage-cohort
    opportunities: tuple[Opportunity, ...]
    user_ids: tuple[str, ...] | None  # the users filter expanded; None = everybody
    report: windows.Window | None
    cohort: windows.Window | None
    now: datetime


def _window(value: Any, field: str, zone: tzinfo, now: datetime) -> windows.Window:
    try:
        if isinstance(value, str):
            return windows.resolve_relative(value, now, zone)
        if isinstance(value, dict):
            return windows.datetime_window(value)
    except (ValueError, KeyError, TypeError) as exc:
        raise RequestInvalid({field: f"Invalid range: {exc}"}) from exc
    raise RequestInvalid({field: "Expected a relative range name or {start, end}."})


def _pick(body: dict[str, Any], stem: str, zone: tzinfo, now: datetime) -> windows.Window | None:
    for field in (f"{stem}_relative_range", f"{stem}_datetime_range"):
        if field in body:
            return _window(body[field], field, zone, now)
    return None


def _compared(
    body: dict[str, Any], base: windows.Window | None, zone: tzinfo, now: datetime
) -> windows.Window | None:
    """The window replacing `base` when a `compared_*` field is present, else None."""
    for field in ("compared_relative_range", "compared_custom_range"):
        if field in body:
            return _window(body[field], field, zone, now)
    if "compared_datetime_range" in body:
        if base is None:
            raise RequestInvalid({"compared_datetime_range": "Needs a datetime range to shift."})
        try:
            return windows.shift_same_days(base, str(body["compared_datetime_range"]))
        except ValueError as exc:
            raise RequestInvalid({"compared_datetime_range": str(exc)}) from exc
    return None


def _expand_users(dataset: Dataset, ids: Iterable[Any]) -> tuple[str, ...]:
    expanded: list[str] = []
    for item in ids:
        group = dataset.group(item) if isinstance(item, str) else None
        members = group.member_ids if group else (item,)
        for member in members:
            if not isinstance(member, str) or dataset.user(member) is None:
                raise RequestInvalid({"users": NOT_FOUND})
            if member not in expanded:
                expanded.append(member)
    return tuple(expanded)


def resolve_scope(dataset: Dataset, body: dict[str, Any], zone: tzinfo, now: datetime) -> Scope:
    """The scope of a request; unknown ids and unusable ranges raise RequestInvalid."""
    shape = dataset.shapes.get(body.get("pipeline"))  # type: ignore[arg-type]
    if shape is None:
        raise RequestInvalid({"pipeline": NOT_FOUND})
    report_type = body.get("type")
    if report_type not in ("created-cohort", "active-stage-cohort"):
        raise RequestInvalid({"type": "Not a valid choice."})
    user_ids: tuple[str, ...] | None = None
    if body.get("users"):
        user_ids = _expand_users(dataset, body["users"])
    selected: Iterable[Opportunity] = dataset.by_pipeline[shape.pipeline.id]
    query = body.get("query")
    if query is not None:
        search_id = query.get("saved_search_id") if isinstance(query, dict) else None
        search = dataset.saved_search(search_id) if isinstance(search_id, str) else None
        if search is None:
            raise RequestInvalid({"query": NOT_FOUND})
        selected = [o for o in selected if matches_saved_search(search, o)]
    if user_ids is not None:
        wanted = set(user_ids)
        selected = [o for o in selected if o.user_id in wanted]
    report = _pick(body, "report", zone, now)
    cohort = None
    if report_type == "created-cohort":
        cohort = _pick(body, "cohort", zone, now)
        if cohort is None:
            raise RequestInvalid(
                {"cohort_relative_range": "A created-cohort report needs a cohort range."}
            )
        cohort = _compared(body, cohort, zone, now) or cohort
    else:
        report = _compared(body, report, zone, now) or report
    return Scope(shape, report_type, tuple(selected), user_ids, report, cohort, now)
