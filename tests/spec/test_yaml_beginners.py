"""YAML beginners' mistakes get the line and the fix in words (issue 15, point 5).

Each case is a spec as a beginner writes it; the diagnostic must name the right line and column,
say what is wrong in plain words, and give a fix that, applied, makes the file load.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reportrunner.errors import SpecError
from reportrunner.spec.validate import validate_paths
from reportrunner.spec.yamlload import loads

REQUEST = "request:\n  pipeline: pipe_4vukv2FUlFh9FDiVYAop1U\n  type: created-cohort\n"


def error_of(text: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        loads(text, "specs/x.yaml")
    return caught.value


CASES = [
    pytest.param(
        "title: x\nrequest:\n\ttype: created-cohort\n",
        (3, 1),
        "line 3 is indented with a tab; YAML indents with spaces only",
        "replace the tab with spaces",
        id="tab-indentation",
    ),
    pytest.param(
        "title: EMEA: new business\n" + REQUEST,
        (1, 12),
        "the value of title contains ': ', which YAML reads as the start of another key",
        'put the value in quotes: title: "EMEA: new business"',
        id="unquoted-colon-in-a-value",
    ),
    pytest.param(
        'title: "New business\n' + REQUEST,
        (1, 8),
        'the " that starts this value is never closed',
        'end the value with a " on the same line: title: "New business"',
        id="unclosed-double-quote",
    ),
    pytest.param(
        "title: 'It's new'\n" + REQUEST,
        (1, 12),
        "text follows the closing '",
        "inside '…' write it''s",
        id="apostrophe-inside-single-quotes",
    ),
    pytest.param(
        "title: x\ntags:\n  - weekly\n - emea\n" + REQUEST,
        (4, 2),
        "this list item starts at column 2, but the item above it (line 3) at column 3",
        "start every '- ' of one list at the same column (3)",
        id="list-item-out-of-line",
    ),
    pytest.param(
        "title: x\nrequest:\n  type:created-cohort\n  pipeline: p\n",
        (3, 7),
        "no space after the colon: YAML reads type:created-cohort as one word",
        "write a space after the colon: type: created-cohort",
        id="missing-space-after-colon",
    ),
    pytest.param(
        "title: “EMEA: new business”\n" + REQUEST,
        (1, 8),
        "“ is a typographic quote (pasted from a word processor?)",
        'type straight quotes instead: title: "EMEA: new business"',
        id="smart-quotes",
    ),
]


@pytest.mark.parametrize(("text", "where", "message", "fix"), CASES)
def test_each_mistake_has_its_line_and_its_fix(
    text: str, where: tuple[int, int], message: str, fix: str
) -> None:
    error = error_of(text)
    assert (error.line, error.column) == where, str(error)
    assert message in error.message, error.message
    assert error.hint is not None and fix in error.hint, error.hint


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("title: EMEA: new business\n" + REQUEST, 'title: "EMEA: new business"\n' + REQUEST),
        ("title: “EMEA: new business”\n" + REQUEST, 'title: "EMEA: new business"\n' + REQUEST),
        ("title:x\n" + REQUEST, "title: x\n" + REQUEST),
        ("title: x\n" + REQUEST.replace("  type", "\ttype"), "title: x\n" + REQUEST),
    ],
)
def test_the_suggested_fix_loads(broken: str, fixed: str) -> None:
    error_of(broken)
    assert loads(fixed, "specs/x.yaml").data["request"]["type"] == "created-cohort"


def test_mistakes_that_parse_still_get_words(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs/glued.yaml").write_text(
        "title: x\nrequest:\n  type:created-cohort\n", encoding="utf-8"
    )
    (tmp_path / "specs/smart.yaml").write_text(
        "title: x\n" + REQUEST + "  cohort_relative_range: “this-month”\n", encoding="utf-8"
    )
    result = validate_paths([tmp_path / "specs"], root=tmp_path)
    messages = {d.file: str(d) for d in result.diagnostics}
    assert messages["specs/glued.yaml"].startswith("specs/glued.yaml:3:3: error: request must be")
    assert "put a space after the colon: type: created-cohort" in messages["specs/glued.yaml"]
    assert (
        "did you mean 'this-month'? (“ ” and ‘ ’ are typographic quotes"
        in (messages["specs/smart.yaml"])
    )


def test_a_url_value_is_not_mistaken_for_a_glued_key() -> None:
    text = "title: x\nsite:\n  base_url: https://example.org/x\n  title: a: b\n"
    error = error_of(text)
    assert error.line == 4 and "contains ': '" in error.message
