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
    fields = list(_field_schemas(schema, ""))
    missing = [
        path
        for path, field in fields
        if not (field is True or {"title", "description", "examples"} <= set(field))
    ]
    assert missing == []
    assert schema["title"] and schema["description"]
    # `true` only admits a key in a kind's branch; the key is documented at the top level, or
    # (a delivery's threshold metric) in each kind's delivery definition, so that an editor
    # offers each kind only its own metric names.
    admitted = [path for path, field in fields if field is True]
    top = set(schema.get("properties", {})) | set(schema.get("patternProperties", {}))
    per_kind = {"/definitions/deliveryBase/properties/threshold/properties/metric"}
    assert all(path.rsplit("/", 1)[1] in top or path in per_kind for path in admitted), admitted
    for path in per_kind & set(admitted):
        for kind in ("delivery", "activityDelivery"):
            narrowed = schema["definitions"][kind]["properties"]["threshold"]["properties"]
            assert {"title", "description", "examples"} <= set(narrowed["metric"]), (path, kind)


def _spec_document(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        body = {key: value for key, value in body.items() if value is not None}
    return {"title": "Fixture", "request": body}


SCHEMA_LEVEL_INVALID = [case for case in INVALID if "must be before end" not in case[2]]


def _failing(tool: str, schema: Path, folder: Path) -> set[str]:
    files = sorted(str(p) for p in folder.glob("*.yaml"))
    done = subprocess.run(
        [tool, "--schemafile", str(schema), "--output-format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(done.stdout)
    return {Path(e["filename"]).name for e in report.get("errors", [])} | {
        Path(e["filename"]).name for e in report.get("parse_errors", [])
    }


def test_check_jsonschema_agrees_on_request_level_cases(tmp_path: Path) -> None:
    """check-jsonschema with the shipped schema: the file view (what an editor sees) and the
    complete view (the file view plus definitions/complete, what validate checks on a draft)."""
    from reportrunner.spec.checks import validator

    tool = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    valid_dir, invalid_dir = tmp_path / "valid", tmp_path / "invalid"
    valid_dir.mkdir()
    invalid_dir.mkdir()
    for index, body in enumerate(VALID):
        (valid_dir / f"v{index:02}.yaml").write_text(yaml.safe_dump(_spec_document(body)))
    invalid_docs = {}
    for index, (body, _, _) in enumerate(SCHEMA_LEVEL_INVALID):
        invalid_docs[f"i{index:02}.yaml"] = _spec_document(body)
        (invalid_dir / f"i{index:02}.yaml").write_text(yaml.safe_dump(_spec_document(body)))
    shipped = schema_dir() / "report-spec.schema.json"
    complete = tmp_path / "complete.schema.json"
    uri = shipped.resolve().as_uri()
    complete.write_text(
        json.dumps(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "allOf": [{"$ref": uri}, {"$ref": uri + "#/definitions/complete"}],
            }
        )
    )

    assert _failing(tool, shipped, valid_dir) == set()
    assert _failing(tool, complete, valid_dir) == set()
    assert _failing(tool, complete, invalid_dir) == set(invalid_docs)
    # The file view rejects the broken shapes and accepts what defaults or a matrix may fill.
    shape_broken = {
        name for name, doc in invalid_docs.items() if not validator("file").is_valid(doc)
    }
    assert _failing(tool, shipped, invalid_dir) == shape_broken
    assert len(shape_broken) > len(invalid_docs) // 2  # most rules are about shape
    assert shape_broken != set(invalid_docs)  # missing fields are the complete view's


def test_the_project_schema_references_the_spec_schema() -> None:
    # Relative $refs resolve in editors (next to each other) and in our validator (registry).
    from reportrunner.spec.checks import schema_problems

    ok = {"defaults": {"timezone": "UTC", "request": {"pipeline": "pipe_a", "users": []}}}
    assert schema_problems("project", ok) == []
    bad = {"defaults": {"request": {"type": "created", "users": ["x"]}}}
    assert {p.pointer for p in schema_problems("project", bad)} == {
        "/defaults/request/type",
        "/defaults/request/users/0",
    }
