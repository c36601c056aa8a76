"""What a report covers, in words: its windows, zone, users, groups and saved search.

"Opportunities created this month — Nov 1 – 30, 2026, Europe/Berlin" reads better than a request
body. Windows come from data.json, already resolved with `reportrunner.windows`; dates are
formatted by `filters.Formatter` in the project's locale. Names fall back to ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportrunner.escaping import plain_text
from reportrunner.site.compareview import so_far
from reportrunner.site.filters import Formatter
from reportrunner.windows import datetime_window, parse_rfc3339, progress

_SUBJECT = {
    "created-cohort": "Opportunities created",
    "active-stage-cohort": "Opportunities active, won or lost",
}


def _words(window: dict[str, Any]) -> str:
    kind, value = window.get("kind"), window.get("value")
    if kind == "relative" and isinstance(value, str):
        return "at any time" if value == "all-time" else value.replace("-", " ")
    if kind == "same-days" and isinstance(value, str):
        return "the " + value.replace("-", " ")
    return "in a custom period" if kind == "custom" else "in the chosen period"


def _span(window: dict[str, Any], fmt: Formatter, now: datetime | None = None) -> str:
    """The window's days; a window still running at `now` as its days so far, labelled."""
    start, end = window.get("start"), window.get("end")
    if not start or not end:
        return ""
    bounds = datetime_window({"start": start, "end": end})
    relative = window.get("value") if window.get("kind") == "relative" else None
    running = progress(bounds, now, relative) if now else None
    if running is not None:
        return so_far(bounds, running, fmt)
    return fmt.date_range(bounds.start, bounds.end)


def coverage(data: dict[str, Any], fmt: Formatter) -> list[str]:
    """The windows in words, e.g. "Opportunities created this month — Nov 1 – 30, 2026, UTC".

    A window still running when the data was fetched reads "Dec 1 – 2, 2026 (month to date,
    day 2 of 31)", never as the whole month.
    """
    windows = data.get("windows") or {}
    now = parse_rfc3339(str(data["fetched_at"])) if data.get("fetched_at") else None
    zone = data.get("timezone", "UTC")
    request_type = (data.get("request") or {}).get("type", "")
    subject = _SUBJECT.get(request_type, "Opportunities")
    lines: list[str] = []
    order = ("cohort", "report") if request_type == "created-cohort" else ("report", "cohort")
    for name in order:
        window = windows.get(name)
        if not window:
            continue
        lead = subject if not lines else "Measured"
        span = _span(window, fmt, now)
        lines.append(f"{lead} {_words(window)}" + (f" — {span}, {zone}" if span else f" ({zone})"))
    compared = windows.get("compared")
    if compared:
        words = _words(compared).removeprefix("in ")  # "a custom period", not "in a …"
        span = _span(compared, fmt)
        lines.append(f"Compared with {words}" + (f" — {span}" if span else ""))
    return lines


def filters_in_words(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The users, groups and saved search a report is limited to, by name."""
    names = data.get("names") or {}
    request = data.get("request") or {}
    users, groups = names.get("users") or {}, names.get("groups") or {}
    people, teams = [], []
    for member in request.get("users") or []:
        if member in groups:
            teams.append(plain_text(groups[member]))
        else:
            people.append(plain_text(users.get(member, member)))
    found = []
    if people:
        found.append(("Users", ", ".join(people)))
    if teams:
        found.append(("Groups", ", ".join(teams)))
    search = names.get("saved_search")
    if isinstance(search, dict):
        found.append(("Saved search", plain_text(search.get("name") or search.get("id", ""))))
    return found
