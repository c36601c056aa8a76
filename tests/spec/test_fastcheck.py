"""The compiled fast path must never call valid what jsonschema calls invalid (and vice versa)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportrunner.spec.checks import fast_check, validator
from reportrunner.spec.fastcheck import compile_check

from .test_request_problems import INVALID, VALID

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))

FIELDS = [
    "pipeline", "type", "report_relative_range", "report_datetime_range", "cohort_relative_range",
    "cohort_datetime_range", "compared_relative_range", "compared_datetime_range",
    "compared_custom_range", "query", "users", "start", "end", "saved_search_id", "x",
]  # fmt: skip
SCALARS = st.sampled_from(
    [None, True, False, 0, 1, 1.0, 2.5, "", "x", "today", "last-month", "all-time",
     "created-cohort", "active-stage-cohort", "same-days-last-year", "saved_search",
     "pipe_abc", "user_a", "group_b", "save_c", "2026-01-01T00:00:00Z", "2026-02-30T00:00:00Z",
     "2026-01-01", "2026-01-01T00:00:00", "2026-01-01t00:00:00z"]
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4)
    ),
    max_leaves=12,
)


def agree(kind: str, document: Any) -> None:
    exact = validator(kind).is_valid(document)
    assert fast_check(kind)(document) == exact, document


@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=7))
def test_random_requests(document: dict[str, Any]) -> None:
    agree("request", document)


@SETTINGS
@given(st.sampled_from(VALID + [case[0] for case in INVALID]), st.sampled_from(FIELDS), VALUES)
def test_mutated_known_cases(body: Any, field: str, value: Any) -> None:
    if isinstance(body, dict):
        body = copy.deepcopy({k: v for k, v in body.items() if v is not None})
        agree("request", body)
        body[field] = value
    agree("request", body)
    agree("spec", {"title": "T", "request": body})


@SETTINGS
@given(VALUES)
def test_random_whole_documents(document: Any) -> None:
    agree("spec", document)
    agree("project", {"defaults": document})


def test_unknown_keywords_fall_back_to_the_exact_path() -> None:
    check = compile_check({"type": "string", "contentEncoding": "base64"}, {})
    assert check("anything") is False  # not implemented here: "invalid" means "ask jsonschema"
    assert compile_check({"enum": [1, True]}, {})(1) is False


def test_unsure_keywords_under_a_negation_never_answer_valid() -> None:
    # Each document is invalid; a plain "invalid" for the unsure part, flipped by the
    # negation around it, would have called it valid.
    unsure = {"type": "string", "contentEncoding": "base64"}
    assert compile_check({"not": unsure}, {})("x") is False
    assert compile_check({"if": unsure, "then": False}, {})("x") is False
    assert compile_check({"oneOf": [{"type": "string"}, unsure]}, {})("x") is False
    assert compile_check({"not": {"uniqueItems": True}}, {})([1, True]) is False
    assert compile_check({"not": {"enum": [1]}}, {})(1) is False


#: The top-level spec fields and the project's site fields (issue 13 added `comparison` and
#: `site.timezone`), with values on both sides of each rule, trailing newlines included.
TOP_FIELDS = ["id", "title", "comparison", "timezone", "currency", "endpoints", "formats", "tags"]
TOP_VALUES = st.sampled_from(
    [None, 1, "", "x", "to-date", "full-period", "to-date\n", "UTC", "Europe/Berlin",
     "Europe/Berlin\n", "Not a zone", "USD", "USD\n", "usd", "con", "evil\n", "ok-id",
     ["totals"], ["stages", "stages"], ["html", "md"], ["x"], [], ["a", "b"]]
)  # fmt: skip
SITE_FIELDS = ["title", "timezone", "locale", "base_url", "x"]
SITE_VALUES = st.sampled_from(
    [None, 1, "", "T", "UTC", "Europe/Berlin", "UTC\n", "en_US", "en_US\n", "de",
     "https://a.example/", "https://a.example/\n", "ftp://a"]
)  # fmt: skip


@SETTINGS
@given(
    st.dictionaries(st.sampled_from(TOP_FIELDS), TOP_VALUES, max_size=6),
    st.dictionaries(st.sampled_from(SITE_FIELDS), SITE_VALUES, max_size=4),
)
def test_top_level_and_site_fields(spec: dict[str, Any], site: dict[str, Any]) -> None:
    request = {"pipeline": "pipe_abc", "type": "created-cohort"}
    agree("spec", {"title": "T", "request": request} | spec)
    agree("project", {"site": site})
    agree("project", {"site": site, "defaults": spec})
