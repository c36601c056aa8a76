"""Where the shipped schemas and templates are, in a checkout and in an installed wheel.

The repository keeps `schema/` and `templates/` at its top level (users see and edit them); the
wheel carries copies under `reportrunner/_data/` (see pyproject.toml). An editable install or a
plain checkout finds the top-level folders.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def schema_dir() -> Path:
    """The folder holding report-spec.schema.json and project.schema.json."""
    return _data_dir("schema")


def templates_dir() -> Path:
    """The folder holding the built-in Jinja2 templates."""
    return _data_dir("templates")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A shipped JSON Schema by file name, parsed once per process."""
    with (schema_dir() / name).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema
