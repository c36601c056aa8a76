"""The harness's `${{ }}` evaluator follows GitHub's documented expression semantics."""

from __future__ import annotations

from typing import Any

import pytest
from wfexpr import ExpressionError, condition, evaluate, interpolate

CONTEXT: dict[str, Any] = {
    "github": {"event_name": "push", "event": {"pull_request": {"base": {"sha": "abc"}}}},
    "inputs": {"python-version": "3.12", "publish-pages": False, "reports": ""},
    "vars": {"REPORTS_PUBLISH_PAGES": "true"},
    "steps": {"pages": {"outputs": {"base_url": "http://127.0.0.1:9/"}, "outcome": "success"}},
    "matrix": {"n": [1, 2]},
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("vars.REPORTS_PUBLISH_PAGES == 'true'", True),
        ("vars.REPORTS_PUBLISH_PAGES == 'TRUE'", True),  # strings compare case-insensitively
        ("vars.MISSING == 'true'", False),
        ("inputs.python-version", "3.12"),
        ("inputs['python-version']", "3.12"),
        ("github.event.pull_request.base.sha", "abc"),
        ("github.event.nothing.here", None),
        ("!inputs.publish-pages", True),
        ("inputs.reports || ''", ""),
        ("inputs.history || steps.pages.outputs.base_url", "http://127.0.0.1:9/"),
        ("inputs.publish-pages && 'pip' || ''", ""),
        ("'pyproject.toml' != '' && 'pip' || ''", "pip"),
        ("1 == '1'", True),
        ("null == 0", True),
        ("'it''s'", "it's"),
        ("2 > 10", False),
        ("'b' > 'A'", True),
        ("contains('a,b', 'B')", True),
        ("contains(fromJSON('[\"x\", \"y\"]'), 'y')", True),
        ("startsWith(github.event_name, 'pu')", True),
        ("format('{0}-{1}', 'a', 3)", "a-3"),
        ("join(matrix.n, '+')", "1+2"),
        ("steps.pages.outcome == 'success'", True),
        ("(1 == 2) || (2 == 2)", True),
    ],
)
def test_evaluate(expression: str, expected: Any) -> None:
    assert evaluate(expression, CONTEXT) == expected


def test_interpolate_keeps_the_type_of_a_single_expression() -> None:
    assert interpolate("${{ vars.REPORTS_PUBLISH_PAGES == 'true' }}", CONTEXT) is True
    assert interpolate("v${{ inputs.python-version }} (${{ inputs.publish-pages }})", CONTEXT) == (
        "v3.12 (false)"
    )
    assert interpolate(30, CONTEXT) == 30


def test_status_functions_and_implied_success() -> None:
    failed = {"success": False, "failure": True, "always": True, "cancelled": False}.__getitem__
    assert condition(None, CONTEXT, failed) is False
    assert condition("${{ vars.REPORTS_PUBLISH_PAGES == 'true' }}", CONTEXT, failed) is False
    assert condition("${{ !cancelled() && true }}", CONTEXT, failed) is True
    assert condition("always() && inputs.publish-pages", CONTEXT, failed) is False
    assert condition("failure()", CONTEXT, failed) is True


@pytest.mark.parametrize("bad", ["inputs.", "'open", "hashFiles('x')", "1 +"])
def test_unsupported_or_broken_expressions_fail_loudly(bad: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(bad, CONTEXT)
