"""Checking that an answer of `GET /report/sent_emails/{organization_id}/` can be shown.

The reference (close-reporting-endpoints.md §9.4) gives the shape:

    {"sent_email_stats": [{"name": str, "template_id": str | null, "template_url": str | null,
                           "is_shared": bool, "total": int, "opened": int, "responded": int,
                           "percentage_opened": int, "percentage_responded": int,
                           "_queries": {…}}]}

with the "All Emails" row (template_id null) first. The answer is untrusted: a proxy, a new API
version or a bug can send a list, a count that is text, negative or fractional, a template row
without an id, or the same template twice (the pages match templates across periods by id, so a
repeated id cannot be shown honestly). Such an answer fails its own report with the reason.
Counts that contradict each other (more opened than sent, as in Close's own example) are *not*
refused: the page shows no rate for that row and says why. Close's rounded percentages are
checked only for being numbers; the pages compute rates from the counts.
"""

from __future__ import annotations

import math
from typing import Any

from reportrunner.kinds.answercheck import MAX_MAGNITUDE, kind_of

#: A template name or id longer than this is not Close's.
MAX_TEXT = 500
#: More template rows than any organisation has; a page of more would be unreadable anyway.
MAX_ROWS = 10_000
COUNTS = ("total", "opened", "responded")
PERCENTAGES = ("percentage_opened", "percentage_responded")


def _text(value: Any, where: str, *, null: bool) -> str | None:
    if value is None and null:
        return None
    if not isinstance(value, str):
        expected = "a string or null" if null else "a string"
        return f"{where} is {kind_of(value)}, expected {expected}"
    return f"{where} is longer than {MAX_TEXT} characters" if len(value) > MAX_TEXT else None


def _count(value: Any, where: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{where} is {kind_of(value)}, expected a whole number"
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        return f"{where} is {value}, beyond any plausible count"
    if value < 0 or value != int(value):
        return f"{where} is {value}, expected a whole number of e-mails (0 or more)"
    return None


def _percentage(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{where} is {kind_of(value)}, expected a number"
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        return f"{where} is {value}, beyond any plausible percentage"
    return None


def row_problem(row: Any, where: str) -> str | None:
    """Why one row of `sent_email_stats` cannot be shown, or None."""
    if not isinstance(row, dict):
        return f"{where} is {kind_of(row)}, expected an object"
    if "name" not in row:
        return f"{where} has no 'name'"
    checks = [
        _text(row["name"], f"{where}/name", null=False),
        _text(row.get("template_id"), f"{where}/template_id", null=True),
        _text(row.get("template_url"), f"{where}/template_url", null=True),
    ]
    shared = row.get("is_shared")
    if shared is not None and not isinstance(shared, bool):
        checks.append(f"{where}/is_shared is {kind_of(shared)}, expected true or false")
    for key in COUNTS:
        if key not in row:
            return f"{where} has no '{key}' (the e-mails {key} are what the page shows)"
        checks.append(_count(row[key], f"{where}/{key}"))
    checks.extend(_percentage(row.get(key), f"{where}/{key}") for key in PERCENTAGES)
    return next((problem for problem in checks if problem), None)


def shape_problem(endpoint: str, answer: Any) -> str | None:
    """Why `answer` (parsed JSON of a sent e-mails report) cannot be used, or None."""
    if not isinstance(answer, dict):
        return f"the answer is {kind_of(answer)}, expected an object"
    if "sent_email_stats" not in answer:
        return "the answer has no 'sent_email_stats' (the list of rows by template)"
    rows = answer["sent_email_stats"]
    if not isinstance(rows, list):
        return f"/sent_email_stats is {kind_of(rows)}, expected a list"
    if len(rows) > MAX_ROWS:
        return f"/sent_email_stats has {len(rows)} rows, more than {MAX_ROWS} templates"
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        where = f"/sent_email_stats/{index}"
        problem = row_problem(row, where)
        if problem:
            return problem
        template = row.get("template_id")
        if template is None:
            continue
        if template in seen:
            return (
                f"{where}/template_id repeats the template of row {seen[template]} "
                f"({template[:60]!r}): the rows cannot be told apart"
            )
        seen[template] = index
    return None
