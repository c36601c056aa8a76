"""A `POST /report/activity/` body as a typed request, its ids checked against the organisation.

The rules of the body (Close's, close-reporting-endpoints.md §6.2, and the project's stricter
reading: exactly one range, unique known metrics, RFC 3339 with an offset, start before end, no
other keys) are the project's own, checked before this by `reports.request_errors` with
`reportrunner validate`'s words, as for the funnel. What only the organisation knows is checked
here: a user, group or saved search it lacks is "Object does not exist." (as for the funnel).
The window is resolved in the request's zone; all-time is the organisation's whole life.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Literal

from reportrunner import windows
from reportrunner.emulator import activitycatalogue, org
from reportrunner.emulator.dataset import Dataset
from reportrunner.emulator.scope import NOT_FOUND, RequestInvalid

ReportType = Literal["overview", "comparison"]


@dataclass(frozen=True)
class ActivityRequest:
    """A checked activity body: the window is resolved in the request's zone."""

    type: ReportType
    measures: tuple[activitycatalogue.Measure, ...]
    window: windows.Window  # bounded: all-time starts at the organisation's creation
    zone: tzinfo
    users: tuple[str, ...] | None  # expanded user ids; None = everybody
    search: org.SavedSearch | None


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
    """The typed request of a body the rules accepted; RequestInvalid for an id the org lacks."""
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
