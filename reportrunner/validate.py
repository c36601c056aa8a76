"""Validation of request bodies (shared with the emulator) and of whole spec folders.

`request_problems` applies the request-level rules (the schema's request definition plus the
semantic checks) to a bare JSON body: the emulator answers 400s with its words, so users see
the same sentence from `validate` and from a (simulated) Close.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportrunner.checks import request_semantic_problems, schema_problems
from reportrunner.model import Severity


@dataclass(frozen=True)
class RequestProblem:
    """One broken request rule: top-level field, JSON pointer inside the body, words."""

    field: str
    pointer: str
    message: str
    severity: Severity


def request_problems(body: Any) -> list[RequestProblem]:
    """The request-level rules `body` breaks (errors and warnings), in the words of `validate`."""
    problems = schema_problems("request", body, "the request body") + request_semantic_problems(
        body
    )
    result = []
    for problem in problems:
        field = problem.pointer.split("/")[1] if problem.pointer.count("/") else ""
        field = field.replace("~1", "/").replace("~0", "~")
        result.append(RequestProblem(field, problem.pointer, problem.message, problem.severity))
    return result
