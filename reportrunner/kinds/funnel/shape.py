"""Checking that a report answer from Close has the shape the pages are built from.

Close documents `{"aggregations": {…}, "data": [{"user_id": …, …}]}` for totals and the same
with `stages` lists for the stages endpoint (close-api.md). A proxy, a new API version or a bug
can still send a 200 whose JSON is something else: a list, a string where a number belongs, a
status without a label. Such an answer must fail its own report with a clear reason rather than
crash the rendering of the whole site, so the runner checks every answer here before keeping it.
Missing fields and unknown extra fields are accepted (the pages show what is there); only values
of the wrong type are refused.
"""

from __future__ import annotations

from typing import Any

from reportrunner.kinds.answercheck import kind_of, number_problem

_STATUS_TEXT = ("id", "label", "type")


def _stage_problem(stage: Any, where: str) -> str | None:
    if not isinstance(stage, dict):
        return f"{where} is {kind_of(stage)}, expected an object"
    status = stage.get("status")
    if status is not None:
        if not isinstance(status, dict):
            return f"{where}/status is {kind_of(status)}, expected an object"
        for key in _STATUS_TEXT:
            if status.get(key) is not None and not isinstance(status[key], str):
                return f"{where}/status/{key} is {kind_of(status[key])}, expected a string"
    return number_problem(stage, where, ["status"])


def _stages_problem(stages: Any, where: str) -> str | None:
    if stages is None:
        return None
    if not isinstance(stages, list):
        return f"{where} is {kind_of(stages)}, expected a list"
    for index, stage in enumerate(stages):
        problem = _stage_problem(stage, f"{where}/{index}")
        if problem:
            return problem
    return None


def _row_problem(endpoint: str, row: Any, where: str) -> str | None:
    if not isinstance(row, dict):
        return f"{where} is {kind_of(row)}, expected an object"
    user = row.get("user_id")
    if user is not None and not isinstance(user, str):
        return f"{where}/user_id is {kind_of(user)}, expected a string"
    if endpoint == "stages":
        return _stages_problem(row.get("stages"), f"{where}/stages") or number_problem(
            row, where, ["user_id", "stages"]
        )
    return number_problem(row, where, ["user_id"])


def shape_problem(endpoint: str, answer: Any) -> str | None:
    """Why `answer` (parsed JSON of a totals or stages report) cannot be used, or None."""
    if not isinstance(answer, dict):
        return f"the answer is {kind_of(answer)}, expected an object"
    aggregations = answer.get("aggregations")
    if aggregations is not None:
        if not isinstance(aggregations, dict):
            return f"/aggregations is {kind_of(aggregations)}, expected an object"
        problem = number_problem(aggregations, "/aggregations", ["stages"])
        if endpoint == "stages":
            problem = problem or _stages_problem(aggregations.get("stages"), "/aggregations/stages")
        if problem:
            return problem
    data = answer.get("data")
    if data is None:
        return None
    if not isinstance(data, list):
        return f"/data is {kind_of(data)}, expected a list"
    for index, row in enumerate(data):
        problem = _row_problem(endpoint, row, f"/data/{index}")
        if problem:
            return problem
    return None
