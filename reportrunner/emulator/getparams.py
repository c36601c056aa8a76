"""The query strings of the three GET reports (statuses, sent e-mails): parsed and checked.

Close documents `date_start`/`date_end` (optional, together "overall"), `query` XOR
`smart_view_id` and, per endpoint, `user_id` (close-reporting-endpoints.md §9.2, §10.2, §11.2).
Dates are `YYYY-MM-DD` days in the request's zone (`X-TZ-Offset`, UTC without it): the period
is `[date_start 00:00, date_end 00:00)`, `date_end` exclusive as in Close's examples. A broken
rule answers 400 in Close's validation shape, naming the parameter (see docs/emulator.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from reportrunner.emulator import org
from reportrunner.emulator.dataset import Dataset
from reportrunner.emulator.scope import RequestInvalid

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_USER = re.compile(r"user_[0-9A-Za-z]{20,60}")
_SAVE = re.compile(r"save_[0-9A-Za-z]{20,60}")

#: The parameters each endpoint takes (anything else is a 400: a client bug, not a filter).
PARAMETERS: dict[str, frozenset[str]] = {
    "lead": frozenset({"date_start", "date_end", "query", "smart_view_id"}),
    "opportunity": frozenset({"date_start", "date_end", "query", "smart_view_id", "user_id"}),
    "sent_emails": frozenset({"date_start", "date_end", "user_id"}),
}


@dataclass(frozen=True)
class GetParams:
    """One checked request: the period (None: open on that side), its days, the filters."""

    start: float | None  # epoch seconds, inclusive
    end: float | None  # epoch seconds, exclusive
    date_start: date | None
    date_end: date | None
    query: str | None
    search: org.SavedSearch | None
    user_id: str | None

    @property
    def overall(self) -> bool:
        """No dates at all: Close's "overall" report, which drops the period-bound fields."""
        return self.date_start is None and self.date_end is None


def _day(value: str, name: str, errors: dict[str, str]) -> date | None:
    if not _DATE.fullmatch(value):
        errors[name] = f"Enter a valid date as YYYY-MM-DD (got {value[:40]!r})."
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = f"{value!r} is not a calendar date."
        return None


def parse(dataset: Dataset, endpoint: str, query: Mapping[str, str], zone: tzinfo) -> GetParams:
    """Check `query` for `endpoint` ("lead", "opportunity", "sent_emails")"""
    allowed = PARAMETERS[endpoint]
    errors: dict[str, str] = {}
    for name in sorted(set(query) - allowed):
        errors[name] = f"Unknown parameter. This report takes: {', '.join(sorted(allowed))}."
    days: dict[str, date | None] = {}
    for name in ("date_start", "date_end"):
        value = query.get(name)
        days[name] = _day(value, name, errors) if value is not None else None
    first, last = days["date_start"], days["date_end"]
    if first is not None and last is not None and last <= first:
        errors["date_end"] = "date_end must be after date_start (date_end is exclusive)."
    text = query.get("query")
    if text is not None and not text.strip():
        errors["query"] = "This field may not be blank."
    search = None
    view = query.get("smart_view_id")
    if view is not None:
        if not _SAVE.fullmatch(view):
            errors["smart_view_id"] = "Enter a Smart View id (save_…)."
        else:
            search = dataset.saved_search(view)
            if search is None:
                errors["smart_view_id"] = f"Smart View {view} does not exist."
    if text is not None and view is not None:
        errors["query"] = "Specify either a query or a smart_view_id, but not both."
    user = query.get("user_id")
    if user is not None and not _USER.fullmatch(user):
        errors["user_id"] = "Enter a user id (user_…)."
    if errors:
        raise RequestInvalid(errors)

    def moment(day: date | None) -> float | None:
        return None if day is None else datetime.combine(day, time(0), tzinfo=zone).timestamp()

    return GetParams(moment(first), moment(last), first, last, text, search, user)
