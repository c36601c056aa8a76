"""Checking that a status-change answer has the shape the pages are built from.

Both endpoints answer (close-reporting-endpoints.md §10.3, §11.3–11.4):

    {"status_overview": [{"status_id", "status_label", "status_is_deleted",
                          "started", "ended", "change", "change_percent",
                          "gained", "lost", "entered", "left", "_queries", …}],
     "status_transitions": [{"from_status_id" (null: created), "from_status_label", …,
                             "to_status_id", "to_status_label", …, "count", "_query", …}],
     "status_transitions_summary": [same as status_transitions]}

The answer is untrusted (a proxy, a new API version, a bug). What cannot be shown is refused
with the place it was found, so the report fails alone and keeps its last good page: a list
where an object belongs, a status without an id, a count that is not a finite, plausible,
non-negative number (`change` may be negative), a label that is not text. Missing count fields
are accepted (an overall report omits some; the page shows what is there). `_queries` and the
page URLs are opaque strings for Close's UI and never read.
"""

from __future__ import annotations

from typing import Any

from reportrunner.kinds.answercheck import kind_of, number_problem

#: Counts of one status, as Close names them; none may be negative.
COUNTS = ("started", "entered", "left", "gained", "lost", "ended")
#: Signed numbers of one status.
SIGNED = ("change", "change_percent")
#: A status id or label longer than this is not Close's.
MAX_TEXT = 500
#: More statuses or transitions than any organisation has (a runaway answer).
MAX_ROWS = 5000
_ARRAYS = ("status_overview", "status_transitions", "status_transitions_summary")


def _text(value: Any, where: str, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        return f"{where} is {kind_of(value)}, expected a string"
    return f"{where} is longer than {MAX_TEXT} characters" if len(value) > MAX_TEXT else None


def _flag(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return f"{where} is {kind_of(value)}, expected true or false"


def _counts(row: dict[str, Any], where: str, names: tuple[str, ...]) -> str | None:
    present = {name: row[name] for name in names if name in row}
    problem = number_problem(present, where)
    if problem:
        return problem
    for name, value in present.items():
        if name not in SIGNED and value is not None and value < 0:
            return f"{where}/{name} is {value}, but a count cannot be negative"
    return None


def _status_problem(row: Any, where: str) -> str | None:
    if not isinstance(row, dict):
        return f"{where} is {kind_of(row)}, expected an object"
    if "status_id" not in row:
        return f"{where} has no status_id"
    for problem in (
        _text(row["status_id"], f"{where}/status_id"),
        _text(row.get("status_label"), f"{where}/status_label", nullable=True),
        _flag(row.get("status_is_deleted"), f"{where}/status_is_deleted"),
    ):
        if problem:
            return problem
    return _counts(row, where, COUNTS + SIGNED)


def _transition_problem(row: Any, where: str) -> str | None:
    if not isinstance(row, dict):
        return f"{where} is {kind_of(row)}, expected an object"
    if "to_status_id" not in row or "count" not in row:
        return f"{where} needs to_status_id and count"
    for problem in (
        _text(row.get("from_status_id"), f"{where}/from_status_id", nullable=True),
        _text(row.get("from_status_label"), f"{where}/from_status_label", nullable=True),
        _flag(row.get("from_status_is_deleted"), f"{where}/from_status_is_deleted"),
        _text(row["to_status_id"], f"{where}/to_status_id"),
        _text(row.get("to_status_label"), f"{where}/to_status_label", nullable=True),
        _flag(row.get("to_status_is_deleted"), f"{where}/to_status_is_deleted"),
    ):
        if problem:
            return problem
    if row["count"] is None:
        return f"{where}/count is null, expected a number"
    return _counts(row, where, ("count",))


def shape_problem(answer: Any) -> str | None:
    """Why `answer` (parsed JSON of a status-change report) cannot be used, or None."""
    if not isinstance(answer, dict):
        return f"the answer is {kind_of(answer)}, expected an object"
    if "status_overview" not in answer:
        return "the answer has no status_overview: it is not a status-change report"
    for name in _ARRAYS:
        rows = answer.get(name)
        if rows is None and name != "status_overview":
            continue  # the transitions may be absent (an overall report is not documented)
        if not isinstance(rows, list):
            return f"/{name} is {kind_of(rows)}, expected a list"
        if len(rows) > MAX_ROWS:
            return f"/{name} has {len(rows)} rows, more than {MAX_ROWS}: not a plausible answer"
        check = _status_problem if name == "status_overview" else _transition_problem
        for index, row in enumerate(rows):
            problem = check(row, f"/{name}/{index}")
            if problem:
                return problem
    return None
