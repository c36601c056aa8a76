"""request_problems: every request rule of the issue, one valid and one invalid body each."""

from __future__ import annotations

import re
from typing import Any

import pytest

from reportrunner.spec.validate import request_problems

PIPE = "pipe_4vukv2FUlFh9FDiVYAop1U"
USER = "user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA"
GROUP = "group_57P6QUf8b4BlepZJYgRj5W"
SAVE = "save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239"
JAN = {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00+01:00"}


def created(**extra: Any) -> dict[str, Any]:
    return {
        "pipeline": PIPE,
        "type": "created-cohort",
        "cohort_relative_range": "this-month",
    } | extra


def active(**extra: Any) -> dict[str, Any]:
    return {
        "pipeline": PIPE,
        "type": "active-stage-cohort",
        "report_relative_range": "all-time",
    } | extra


VALID = [
    created(),
    active(),
    created(users=[USER, GROUP], query={"type": "saved_search", "saved_search_id": SAVE}),
    created(users=[]),
    {"pipeline": PIPE, "type": "created-cohort", "cohort_datetime_range": JAN},
    created(report_relative_range="this-year"),
    created(compared_relative_range="last-month"),
    active(compared_relative_range="last-year"),
    {
        "pipeline": PIPE,
        "type": "created-cohort",
        "cohort_datetime_range": JAN,
        "compared_datetime_range": "same-days-last-year",
    },
    {
        "pipeline": PIPE,
        "type": "active-stage-cohort",
        "report_datetime_range": JAN,
        "compared_datetime_range": "same-days-last-week",
    },
    created(compared_custom_range={"start": "2025-01-01T00:00:00Z", "end": "2025-02-01T00:00:00Z"}),
    active(
        compared_custom_range={
            "start": "2025-01-01T00:00:00.5+05:30",
            "end": "2025-02-01T00:00:00Z",
        }
    ),
]

# (body, pointer of the problem, words the message must contain)
INVALID = [
    (
        {"type": "created-cohort", "cohort_relative_range": "today"},
        "",
        "missing the required key 'pipeline'",
    ),
    (created(pipeline="pipeline_1"), "/pipeline", "Close pipeline id"),
    ({"pipeline": PIPE, "cohort_relative_range": "today"}, "", "missing the required key 'type'"),
    (created(type="created"), "/type", "did you mean 'created-cohort'?"),
    (
        created(cohort_relative_range="this-mnth"),
        "/cohort_relative_range",
        "did you mean 'this-month'?",
    ),
    (active(report_relative_range="last-7-days"), "/report_relative_range", "must be one of today"),
    (
        created(
            cohort_relative_range=None, cohort_datetime_range={"start": "2026-01-01T00:00:00Z"}
        ),
        "/cohort_datetime_range",
        "missing the required key 'end'",
    ),
    (
        {
            "pipeline": PIPE,
            "type": "created-cohort",
            "cohort_datetime_range": {**JAN, "start": "2026-01-01"},
        },
        "/cohort_datetime_range/start",
        "add the time and offset, e.g. 2026-01-01T00:00:00Z",
    ),
    (
        {
            "pipeline": PIPE,
            "type": "created-cohort",
            "cohort_datetime_range": {**JAN, "end": "2026-02-01T00:00:00"},
        },
        "/cohort_datetime_range/end",
        "RFC 3339 date-time with an offset",
    ),
    (
        {"pipeline": PIPE, "type": "created-cohort", "cohort_datetime_range": {**JAN, "tz": "UTC"}},
        "/cohort_datetime_range/tz",
        "unknown key 'tz'",
    ),
    (active(report_datetime_range=JAN), "/report_datetime_range", "not both"),
    (created(cohort_datetime_range=JAN), "/cohort_datetime_range", "not both"),
    (
        {"pipeline": PIPE, "type": "created-cohort"},
        "",
        "created-cohort reports need cohort_relative_range or cohort_datetime_range",
    ),
    (
        {"pipeline": PIPE, "type": "active-stage-cohort", "cohort_relative_range": "today"},
        "",
        "active-stage-cohort reports need report_relative_range or report_datetime_range",
    ),
    (
        {
            "pipeline": PIPE,
            "type": "created-cohort",
            "cohort_datetime_range": JAN,
            "compared_relative_range": "last-month",
        },
        "/compared_relative_range",
        "needs cohort_relative_range",
    ),
    (
        {
            "pipeline": PIPE,
            "type": "active-stage-cohort",
            "report_datetime_range": JAN,
            "compared_relative_range": "last-month",
        },
        "/compared_relative_range",
        "needs report_relative_range",
    ),
    (
        created(compared_datetime_range="same-days-last-year"),
        "/compared_datetime_range",
        "needs cohort_datetime_range",
    ),
    (
        active(compared_datetime_range="same-days-last-year"),
        "/compared_datetime_range",
        "needs report_datetime_range",
    ),
    (
        created(compared_datetime_range="last-year"),
        "/compared_datetime_range",
        "same-days-last-year",
    ),
    (
        created(compared_relative_range="last-month", compared_custom_range=JAN),
        "/compared_custom_range",
        "at most one of compared_relative_range",
    ),
    (created(query={"type": "smart_view", "saved_search_id": SAVE}), "/query/type", "saved_search"),
    (
        created(query={"type": "saved_search", "saved_search_id": "123"}),
        "/query/saved_search_id",
        "save_",
    ),
    (
        created(query={"type": "saved_search", "saved_search_id": SAVE, "limit": 1}),
        "/query/limit",
        "unknown key 'limit'",
    ),
    (created(users=[USER, "bob"]), "/users/1", "user id (user_…) or group id (group_…)"),
    (created(users=[USER, USER]), "/users", "more than once"),
    (created(users=USER), "/users", "must be a list"),
    (created(usres=[USER]), "/usres", "did you mean 'users'?"),
    (
        created(
            compared_custom_range={"start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"}
        ),
        "/compared_custom_range",
        "must be before end",
    ),
    (
        {
            "pipeline": PIPE,
            "type": "created-cohort",
            "cohort_datetime_range": {**JAN, "end": JAN["start"]},
        },
        "/cohort_datetime_range",
        "must be before end",
    ),
    (
        {
            "pipeline": PIPE,
            "type": "created-cohort",
            "cohort_datetime_range": {**JAN, "end": "2026-02-30T00:00:00Z"},
        },
        "/cohort_datetime_range/end",
        "not a real date",
    ),
    ([], "", "the request body must be a mapping"),
]


@pytest.mark.parametrize("body", VALID)
def test_valid_bodies_have_no_problems(body: dict[str, Any]) -> None:
    assert request_problems(body) == []


@pytest.mark.parametrize(("body", "pointer", "words"), INVALID)
def test_invalid_bodies_say_what_and_where(body: Any, pointer: str, words: str) -> None:
    if isinstance(body, dict):
        body = {key: value for key, value in body.items() if value is not None}
    problems = [p for p in request_problems(body) if p.severity == "error"]
    assert problems, f"no problem found for {body}"
    matching = [p for p in problems if p.pointer == pointer and words in p.message]
    assert matching, f"expected {words!r} at {pointer!r}, got {problems}"
    # The top-level field the problem is about: a key missing from the body counts as its own.
    missing = re.search(r"missing the required key '(\w+)'", words)
    expected = pointer.split("/")[1] if pointer else (missing.group(1) if missing else "")
    assert matching[0].field == expected


def test_cohort_range_on_active_stage_report_is_a_warning() -> None:
    problems = request_problems(active(cohort_relative_range="this-month"))
    assert [(p.severity, p.pointer) for p in problems] == [("warning", "/cohort_relative_range")]
    assert "ignored by Close" in problems[0].message


def test_not_both_points_at_the_field_written_last() -> None:
    body = {
        "pipeline": PIPE,
        "type": "active-stage-cohort",
        "report_datetime_range": JAN,
        "report_relative_range": "today",
    }
    problems = request_problems(body)
    assert [p.pointer for p in problems] == ["/report_relative_range"]
