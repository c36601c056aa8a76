"""Every pattern in the schemas is anchored at the true end of the text, not before a newline.

Issue 10 fixed the report id (`$` also matches before a final `\\n`); the same `$` let
`currency: "USD\\n"`, `site.locale: "en_US\\n"`, `pipeline: "pipe_x\\n"` and URLs with a trailing
newline through `validate`, after which `run` fetched every report and then failed to render
(or sent the newline to Close). The class: each pattern, tried on each of its own examples
with a line break appended, must refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from relhelp import run_cli, spec_yaml, write_specs

from reportrunner.resources import load_schema
from reportrunner.spec.checks import PROJECT_SCHEMA, SPEC_SCHEMA

ENDINGS = ["\n", "\r\n", "\n\n"]


def _patterns(node: Any, where: str) -> Iterator[tuple[str, str, list[str]]]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            examples = [e for e in node.get("examples", []) if isinstance(e, str)]
            yield where, node["pattern"], examples
        for key, value in node.items():
            yield from _patterns(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _patterns(value, f"{where}/{index}")


PATTERNS = [
    found for name in (SPEC_SCHEMA, PROJECT_SCHEMA) for found in _patterns(load_schema(name), name)
]


def test_every_pattern_has_an_example_to_try() -> None:
    assert len(PATTERNS) >= 10
    assert [where for where, _, examples in PATTERNS if not examples] == []


@pytest.mark.parametrize(("where", "pattern", "examples"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_a_trailing_line_break_is_refused(where: str, pattern: str, examples: list[str]) -> None:
    for example in examples:
        assert re.search(pattern, example), f"{where}: its own example {example!r} must match"
        for ending in ENDINGS:
            assert not re.search(pattern, example + ending), f"{where} accepts {example + ending!r}"


def test_validate_refuses_what_run_could_not_publish(tmp_path: Path) -> None:
    write_specs(tmp_path, {"a": spec_yaml("a", extra='currency: "USD\\n"\n')})
    spec = run_cli(["validate"], cwd=tmp_path, env={})
    assert spec.returncode == 1, spec.explain()
    assert "specs/a.yaml:8" in spec.stdout and "currency" in spec.stdout, spec.explain()
    (tmp_path / "reportrunner.yaml").write_text(
        'site:\n  title: T\n  locale: "en_US\\n"\n', encoding="utf-8"
    )
    project = run_cli(["validate"], cwd=tmp_path, env={})
    assert project.returncode == 2, project.explain()
    assert "reportrunner.yaml:3" in project.stdout + project.stderr, project.explain()
