"""Checking that an answer of `POST /report/activity/` has the shape the pages are built from.

The reference (close-reporting-endpoints.md §6.4–6.5) and docs/emulator.md give the shapes:

    overview:   {"aggregations": {"totals": {metric: n}}, "data": [{"datetime": t, metric: n}]}
    comparison: {"aggregations": {"totals": {…}}, "data": [{"user_id": u, metric: n}],
                 "lookup": {"user": {u: {"display": name}}}}

plus `queries` (search strings for Close's UI, never parsed here). The answer is untrusted: a
proxy, a new API version or a bug can send a list, a string where a number belongs, a row
without its period or user. Such an answer fails its own report with the reason, instead of
crashing the site's rendering. Missing metrics are accepted (the page shows n/a); values of
the wrong type, non-finite or implausibly large numbers, and rows that name neither a period
nor a user are refused.
"""

from __future__ import annotations

from typing import Any

from reportrunner.kinds.answercheck import kind_of, number_problem
from reportrunner.windows import parse_rfc3339

#: A user id or display name longer than this is not Close's.
MAX_TEXT = 500
_ROW_KEYS = ("datetime", "user_id")


def _numbers(values: Any, where: str, skip: tuple[str, ...] = ()) -> str | None:
    if not isinstance(values, dict):
        return f"{where} is {kind_of(values)}, expected an object"
    return number_problem(values, where, skip)


def _text(value: Any, where: str) -> str | None:
    if not isinstance(value, str):
        return f"{where} is {kind_of(value)}, expected a string"
    return f"{where} is longer than {MAX_TEXT} characters" if len(value) > MAX_TEXT else None


def _row_problem(row: Any, where: str) -> str | None:
    if not isinstance(row, dict):
        return f"{where} is {kind_of(row)}, expected an object"
    if not any(key in row for key in _ROW_KEYS):
        return f"{where} has neither 'datetime' (overview) nor 'user_id' (comparison)"
    if "datetime" in row:
        problem = _text(row["datetime"], f"{where}/datetime")
        if problem:
            return problem
        try:
            parse_rfc3339(row["datetime"])
        except ValueError:
            return f"{where}/datetime is {row['datetime'][:40]!r}, not an RFC 3339 time"
    if "user_id" in row:
        problem = _text(row["user_id"], f"{where}/user_id")
        if problem:
            return problem
    return _numbers(row, where, _ROW_KEYS)


def _lookup_problem(lookup: Any) -> str | None:
    if not isinstance(lookup, dict):
        return f"/lookup is {kind_of(lookup)}, expected an object"
    users = lookup.get("user")
    if users is None:
        return None
    if not isinstance(users, dict):
        return f"/lookup/user is {kind_of(users)}, expected an object"
    for user_id, entry in users.items():
        if not isinstance(entry, dict):
            return f"/lookup/user/{user_id[:40]} is {kind_of(entry)}, expected an object"
        display = entry.get("display")
        if display is not None and (problem := _text(display, "/lookup/user/…/display")):
            return problem
    return None


def shape_problem(endpoint: str, answer: Any) -> str | None:
    """Why `answer` (parsed JSON of an activity report) cannot be used, or None."""
    if not isinstance(answer, dict):
        return f"the answer is {kind_of(answer)}, expected an object"
    aggregations = answer.get("aggregations")
    if aggregations is not None:
        if not isinstance(aggregations, dict):
            return f"/aggregations is {kind_of(aggregations)}, expected an object"
        totals = aggregations.get("totals")
        if totals is not None and (problem := _numbers(totals, "/aggregations/totals")):
            return problem
    data = answer.get("data")
    if data is not None:
        if not isinstance(data, list):
            return f"/data is {kind_of(data)}, expected a list"
        for index, row in enumerate(data):
            problem = _row_problem(row, f"/data/{index}")
            if problem:
                return problem
    if answer.get("lookup") is not None:
        return _lookup_problem(answer["lookup"])
    return None
