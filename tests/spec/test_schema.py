"""The shipped schemas: valid draft-07, documented for editors, agreeing with check-jsonschema."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from reportrunner.resources import load_schema, schema_dir

from .test_request_problems import INVALID, VALID

SCHEMAS = ["report-spec.schema.json", "project.schema.json"]


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_is_valid_draft_07(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)


def _field_schemas(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for key in ("properties", "patternProperties", "definitions"):
            for name, child in node.get(key, {}).items():
                yield f"{path}/{key}/{name}", child
        for key, child in node.items():
            if key in ("properties", "patternProperties", "definitions"):
                for name, grandchild in child.items():
                    yield from _field_schemas(grandchild, f"{path}/{key}/{name}")
            elif key == "items" and isinstance(child, dict):
                yield f"{path}/items", child
                yield from _field_schemas(child, f"{path}/items")


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_field_has_title_description_and_examples(name: str) -> None:
    schema = load_schema(name)
    missing = [
        path
        for path, field in _field_schemas(schema, "")
        if not {"title", "description", "examples"} <= set(field)
    ]
    assert missing == []
    assert schema["title"] and schema["description"]


def _spec_document(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        body = {key: value for key, value in body.items() if value is not None}
    return {"title": "Fixture", "request": body}


SCHEMA_LEVEL_INVALID = [case for case in INVALID if "must be before end" not in case[2]]


def test_check_jsonschema_agrees_on_request_level_cases(tmp_path: Path) -> None:
    tool = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    valid_dir, invalid_dir = tmp_path / "valid", tmp_path / "invalid"
    valid_dir.mkdir()
    invalid_dir.mkdir()
    for index, body in enumerate(VALID):
        (valid_dir / f"v{index:02}.yaml").write_text(yaml.safe_dump(_spec_document(body)))
    for index, (body, _, _) in enumerate(SCHEMA_LEVEL_INVALID):
        (invalid_dir / f"i{index:02}.yaml").write_text(yaml.safe_dump(_spec_document(body)))
    schema = str(schema_dir() / "report-spec.schema.json")

    def failing(folder: Path) -> set[str]:
        files = sorted(str(p) for p in folder.glob("*.yaml"))
        done = subprocess.run(
            [tool, "--schemafile", schema, "--output-format", "json", *files],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        report = json.loads(done.stdout)
        return {Path(e["filename"]).name for e in report.get("errors", [])} | {
            Path(e["filename"]).name for e in report.get("parse_errors", [])
        }

    assert failing(valid_dir) == set()
    expected = {p.name for p in invalid_dir.glob("*.yaml")}
    assert failing(invalid_dir) == expected


def test_the_project_schema_references_the_spec_schema() -> None:
    # Relative $refs resolve in editors (next to each other) and in our validator (registry).
    from reportrunner.checks import schema_problems

    ok = {"defaults": {"timezone": "UTC", "request": {"pipeline": "pipe_a", "users": []}}}
    assert schema_problems("project", ok) == []
    bad = {"defaults": {"request": {"type": "created", "users": ["x"]}}}
    assert {p.pointer for p in schema_problems("project", bad)} == {
        "/defaults/request/type",
        "/defaults/request/users/0",
    }
