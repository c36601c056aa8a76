"""Property tests: whatever is in a spec file, validation answers with located diagnostics.

Three sources of input go through the real `validate_paths` (loader, defaults, matrix, schema,
semantic checks) from a file on disk: arbitrary bytes, arbitrary YAML documents, and near-valid
specs drawn by hypothesis-jsonschema from schema/report-spec.schema.json and then mutated. The
properties: no exception escapes, every diagnostic names the file with a line and column >= 1,
a file is either a valid report or rejected with at least one error, and each file takes well
under a second.

hypothesis-jsonschema draws from the schema's structure (types, enums, patterns, required keys);
its cross-field rules (`allOf`/`if`/`oneOf`, e.g. "created-cohort needs a cohort range") are
left out of the drawing so that generation stays fast, which is also what makes the drawn
specs *near*-valid: many break exactly those rules, and the validator must say so.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis.internal.conjecture.utils as conjecture_utils
import hypothesis_jsonschema._from_schema as from_schema_module
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportrunner.resources import load_schema
from reportrunner.spec.validate import ValidationResult, validate_paths

#: A hang guard, not a speed figure (bench/ has those): one small file validates in tens of
#: milliseconds, so only a pathological case (backtracking, an alias bomb) comes near this.
SECONDS_PER_FILE = 10.0
#: Examples per property: 100 in the suite; RELIABILITY.md's figures use more (same code).
EXAMPLES = int(os.environ.get("RELIABILITY_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the time bound is asserted explicitly, per file, below
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)


class _ManyWithMore:
    """hypothesis-jsonschema 0.23 calls `many(...).more()`/`.reject()`, an interface recent
    Hypothesis replaced by iterating `many` inside a `with` block. This adapter offers the old
    interface over the new one, for hypothesis-jsonschema's module only."""

    def __init__(self, data: Any, **kwargs: Any) -> None:
        self._many = conjecture_utils.many(data, **kwargs)
        self._many.__enter__()
        self._steps = iter(self._many)

    def more(self) -> bool:
        try:
            next(self._steps)
        except StopIteration:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self) -> None:
        self._many.reject()


if not hasattr(conjecture_utils.many, "more"):
    names = {k: getattr(conjecture_utils, k) for k in dir(conjecture_utils) if k != "many"}
    setattr(from_schema_module, "cu", types.SimpleNamespace(**names, many=_ManyWithMore))  # noqa: B010

_COMBINATORS = {"allOf", "anyOf", "oneOf", "if", "then", "else", "not", "dependencies"}


def _structure(schema: Any) -> Any:
    """The schema without its cross-field rules (see the module docstring)."""
    if isinstance(schema, dict):
        return {k: _structure(v) for k, v in schema.items() if k not in _COMBINATORS}
    if isinstance(schema, list):
        return [_structure(v) for v in schema]
    return schema


def _kind_schema(branch: str) -> Any:
    """One kind's whole spec: the shared top-level keys with that kind's branch (its request,
    matrix and own keys), as one schema the drawing can follow."""
    schema = load_schema("report-spec.schema.json")
    own = schema["definitions"][branch]
    properties = schema["properties"] | {
        name: value for name, value in own["properties"].items() if value is not True
    }
    if branch == "activitySpec":
        properties = properties | {"kind": {"const": "activity"}}
    return schema | {
        "properties": properties,
        "required": ["title", "request"],
        "additionalProperties": False,
    }


SPECS = from_schema_module.from_schema(_structure(_kind_schema("funnelSpec"))) | (
    from_schema_module.from_schema(_structure(_kind_schema("activitySpec")))
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@st.composite
def mutated_specs(draw: st.DrawFn) -> Any:
    """A schema-shaped spec with up to three mutations: drop, retype or add a key anywhere."""
    spec = draw(SPECS)
    for _ in range(draw(st.integers(0, 3))):
        target = spec
        path = draw(st.lists(st.text(min_size=1, max_size=6), max_size=2))
        for step in path:
            if isinstance(target, dict) and target:
                key = draw(st.sampled_from(sorted(target)))
                if isinstance(target[key], dict):
                    target = target[key]
            del step
        if not isinstance(target, dict):
            continue
        action = draw(st.sampled_from(["drop", "retype", "add"]))
        if action == "drop" and target:
            target.pop(draw(st.sampled_from(sorted(target))))
        elif action == "retype" and target:
            target[draw(st.sampled_from(sorted(target)))] = draw(JSON)
        else:
            target[draw(st.text(min_size=1, max_size=10))] = draw(JSON)
    return spec


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="rr-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _check(folder: Path, raw: bytes) -> ValidationResult:
    """Write `raw` as the only spec and validate it; assert the properties."""
    specs = folder / "specs"
    shutil.rmtree(specs, ignore_errors=True)
    specs.mkdir()
    (specs / "fuzz.yaml").write_bytes(raw)
    started = time.monotonic()
    result = validate_paths([specs], root=folder)
    seconds = time.monotonic() - started
    assert seconds < SECONDS_PER_FILE, f"{seconds:.2f} s for {len(raw)} bytes"
    assert result.files == 1
    for diagnostic in result.diagnostics:
        assert diagnostic.file == "specs/fuzz.yaml", diagnostic
        assert diagnostic.line >= 1 and diagnostic.column >= 1, diagnostic
        assert diagnostic.message.strip(), diagnostic
    if result.rejected:
        assert all(r.diagnostics for r in result.rejected)
        assert any(d.severity == "error" for d in result.diagnostics)
    else:
        assert result.specs, "neither valid nor rejected"
    return result


@FUZZ
@given(raw=st.binary(max_size=600))
def test_arbitrary_bytes(workdir: Path, raw: bytes) -> None:
    _check(workdir, raw)


@FUZZ
@given(document=JSON)
def test_arbitrary_yaml(workdir: Path, document: Any) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    _check(workdir, text.encode("utf-8"))


@pytest.mark.slow
@FUZZ
@given(spec=mutated_specs(), flow=st.booleans())
def test_near_valid_specs(workdir: Path, spec: Any, flow: bool) -> None:
    text = yaml.safe_dump(spec, allow_unicode=True, default_flow_style=flow, sort_keys=False)
    _check(workdir, text.encode("utf-8"))


@pytest.mark.slow
@FUZZ
@given(spec=SPECS, cut=st.integers(min_value=0, max_value=400))
def test_truncated_specs(workdir: Path, spec: Any, cut: int) -> None:
    """A spec cut off anywhere (a half-saved file) is still answered with located errors."""
    text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
    _check(workdir, text[: cut % (len(text) + 1)].encode("utf-8"))


def test_the_drawn_specs_are_schema_shaped() -> None:
    """The generator really follows the schema's structure (a guard on the adapter above)."""
    drawn: list[Any] = []

    @settings(max_examples=20, database=None, deadline=None)
    @given(SPECS)
    def collect(spec: Any) -> None:
        drawn.append(spec)

    collect()
    assert drawn and all(isinstance(s, dict) and "request" in s and "title" in s for s in drawn)
    assert json.dumps(drawn)  # plain JSON values only
