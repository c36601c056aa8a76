"""From YAML files to spec drafts: the project file, the defaults merge and matrix expansion.

A *draft* is one report's document (defaults merged, matrix expanded) before validation, plus
where every value came from: the spec file, reportrunner.yaml (a default) or the matrix line
that produced it. validate.py checks drafts and turns the good ones into `model.Spec`.
Merging follows the project-file rule: mappings merge key by key, the spec wins, lists replace.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportrunner.deliver.config import parse_deliveries
from reportrunner.errors import SpecError
from reportrunner.model import Location, Project
from reportrunner.resources import load_schema
from reportrunner.spec.checks import PROJECT_SCHEMA, SPEC_SCHEMA
from reportrunner.spec.messages import escape_token
from reportrunner.spec.yamlload import Loaded, load_file

PROJECT_FILE = "reportrunner.yaml"
MAX_EXPANSIONS = 100
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class _Origin:
    """A subtree of a draft comes from `loaded`, at `source` (a pointer in that file)."""

    loaded: Loaded
    source: str


@dataclass
class Draft:
    """One report document before validation, with the location of every value and key."""

    file: str  # the spec file (display form)
    data: dict[str, Any]
    values: dict[str, Location] = field(default_factory=dict)
    keys: dict[str, Location] = field(default_factory=dict)
    matrix_values: dict[str, Any] = field(default_factory=dict)
    id_from_file: bool = False
    #: Request fields the spec writes *and* expands in its matrix (the matrix would win
    #: silently): field → where the spec wrote it.
    shadowed: dict[str, Location] = field(default_factory=dict)

    def locate(self, pointer: str, at_key: bool = False) -> Location:
        """Where to report a problem at `pointer`: the key or value, else the nearest parent."""
        if at_key and pointer in self.keys:
            return self.keys[pointer]
        current = pointer
        while True:
            if current in self.values:
                return self.values[current]
            if not current:
                return Location(self.file, 1, 1)
            current = current.rsplit("/", 1)[0]


def printable(text: str) -> str:
    """`text` with every byte that is not UTF-8 and every control character as `\\xNN`.

    A file name is bytes: Python keeps undecodable ones as lone surrogates, which no UTF-8
    file, terminal or JSON document can hold. Names go into messages, data.json and pages, so
    they are made printable once, here, where they are read.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif not char.isprintable():
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def _location(loaded: Loaded, table: dict[str, tuple[int, int]], pointer: str) -> Location | None:
    found = table.get(pointer)
    return Location(loaded.path, found[0], found[1]) if found else None


def _record(
    draft: Draft, value: Any, pointer: str, origin: _Origin, origins: dict[str, _Origin]
) -> None:
    """Fill draft.values/keys by walking the merged data; `origins` switch sources."""
    origin = origins.get(pointer, origin)
    loaded, source = origin.loaded, origin.source
    value_at = _location(loaded, loaded.values, source)
    key_at = _location(loaded, loaded.keys, source)
    if value_at:
        draft.values[pointer] = value_at
    if key_at:
        draft.keys[pointer] = key_at
    if isinstance(value, dict):
        for key, child in value.items():
            token = escape_token(key)
            child_origin = _Origin(loaded, f"{source}/{token}")
            _record(draft, child, f"{pointer}/{token}", child_origin, origins)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            child_origin = _Origin(loaded, f"{source}/{index}")
            _record(draft, child, f"{pointer}/{index}", child_origin, origins)


def _merge(
    default: Any, over: Any, pointer: str, defaults: Loaded, origins: dict[str, _Origin]
) -> Any:
    """Deep-merge `over` (the spec) onto `default`; note which subtrees come from defaults."""
    if not (isinstance(default, dict) and isinstance(over, dict)):
        return over
    result: dict[str, Any] = {}
    for key, value in default.items():
        if key not in over:
            child = f"{pointer}/{escape_token(key)}"
            origins[child] = _Origin(defaults, "/defaults" + child)
            result[key] = copy.deepcopy(value)
    for key, value in over.items():
        if key in default:
            child = f"{pointer}/{escape_token(key)}"
            result[key] = _merge(default[key], value, child, defaults, origins)
        else:
            result[key] = value
    return result


def _slug(value: Any, index: int) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        slug = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
        if slug:
            return slug
    return str(index + 1)


def describe_value(value: Any) -> str:
    """A matrix value as words for titles: ranges as `start – end`, lists comma-joined."""
    if isinstance(value, dict) and "start" in value and "end" in value:
        return f"{value['start']} – {value['end']}"
    if isinstance(value, dict) and "saved_search_id" in value:
        return str(value["saved_search_id"])
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "all users"
    return str(value)


def title_placeholders(title: Any) -> list[str]:
    return _PLACEHOLDER.findall(title) if isinstance(title, str) else []


def _title(title: Any, values: dict[str, Any]) -> Any:
    if not isinstance(title, str):
        return title
    names = [name for name in title_placeholders(title) if name in values]
    if names:
        return _PLACEHOLDER.sub(
            lambda m: describe_value(values[m.group(1)]) if m.group(1) in values else m.group(0),
            title,
        )
    return f"{title} — {', '.join(describe_value(v) for v in values.values())}"


#: kind → the schema definition of its matrix (the request fields a matrix may expand).
_MATRIX_DEFINITION = {
    "funnel": "matrix",
    "activity": "activityMatrix",
    "lead-statuses": "leadStatusesMatrix",
    "opportunity-statuses": "opportunityStatusesMatrix",
    "sent-emails": "sentEmailsMatrix",
}


#: The kinds whose spec may leave `request` out (a GET report's parameters are all optional).
_OPTIONAL_REQUEST = ("lead-statuses", "opportunity-statuses", "sent-emails")


def _matrix_fields(kind: str) -> dict[str, Any]:
    fields: dict[str, Any] = load_schema(SPEC_SCHEMA)["definitions"][_MATRIX_DEFINITION[kind]]
    properties: dict[str, Any] = fields["properties"]
    return properties


def _defaults_for(kind: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """The defaults that apply to a spec of `kind`: a default marked `x-kinds` in the project
    schema (endpoints, comparison, the funnel request) applies only to those kinds."""
    schema = load_schema(PROJECT_SCHEMA)["properties"]["defaults"]["properties"]
    return {
        key: value
        for key, value in defaults.items()
        if kind in schema.get(key, {}).get("x-kinds", [kind])
    }


def build_drafts(loaded: Loaded, defaults: Loaded | None) -> list[Draft]:
    """Merge the project defaults under a spec and expand its matrix (if it is well formed).

    A malformed matrix (not a mapping of non-empty lists) is left in place, unexpanded, for
    the schema to explain.
    """
    origins: dict[str, _Origin] = {}
    data = loaded.data
    # An unknown kind is checked as a funnel spec (the schema's own fallback).
    written = data.get("kind")
    kind = written if isinstance(written, str) and written in _MATRIX_DEFINITION else "funnel"
    default_data = defaults.data.get("defaults") if defaults else None
    if defaults is not None and isinstance(default_data, dict):
        data = _merge(_defaults_for(kind, default_data), data, "", defaults, origins)
    stem = printable(Path(loaded.path).stem)  # a non-UTF-8 name stays printable text
    id_from_file = "id" not in data
    matrix = data.get("matrix")
    combos: list[dict[str, Any]] = [{}]
    request = data.get("request")
    if kind in _OPTIONAL_REQUEST and request is None and isinstance(matrix, dict):
        request = {}  # every query parameter is optional: the matrix alone may fill them
    expandable = (
        isinstance(matrix, dict)
        and matrix
        and isinstance(request, dict)
        and all(isinstance(v, list) and v for v in matrix.values())
        and set(matrix) <= set(_matrix_fields(kind))
    )
    if expandable:
        assert isinstance(matrix, dict)
        count = math.prod(len(values) for values in matrix.values())
        if count > MAX_EXPANSIONS:
            line, column = loaded.keys.get("/matrix", (1, 1))
            raise SpecError(
                f"matrix expands to {count:,} reports; at most {MAX_EXPANSIONS} per spec",
                path=loaded.path,
                line=line,
                column=column,
                hint="split the spec into several files or use fewer matrix values",
            )
        fields = list(matrix)
        combos = [
            dict(zip(fields, choice, strict=True))
            for choice in itertools.product(*(list(enumerate(matrix[f])) for f in fields))
        ]
    drafts = []
    for combo in combos:
        doc = {key: value for key, value in data.items() if not (expandable and key == "matrix")}
        doc_origins = dict(origins)
        values = {name: pair[1] for name, pair in combo.items()}
        if expandable:
            written = request if isinstance(request, dict) else {}
            doc["request"] = dict(written) | copy.deepcopy(values)
            for name, (index, _) in combo.items():
                doc_origins[f"/request/{escape_token(name)}"] = _Origin(
                    loaded, f"/matrix/{escape_token(name)}/{index}"
                )
        base_id = doc.get("id", stem)
        if combo and isinstance(base_id, str):
            suffix = "-".join(_slug(value, index) for index, value in combo.values())
            doc["id"] = f"{base_id}-{suffix}"
            doc["title"] = _title(doc.get("title"), values)
        elif id_from_file:
            doc["id"] = stem
        draft = Draft(loaded.path, doc, matrix_values=values, id_from_file=id_from_file)
        _record(draft, doc, "", _Origin(loaded, ""), doc_origins)
        own_request = loaded.data.get("request")
        for name in values:
            where = loaded.keys.get(f"/request/{escape_token(name)}")
            if isinstance(own_request, dict) and name in own_request and where:
                draft.shadowed[name] = Location(loaded.path, *where)
        drafts.append(draft)
    return drafts


def _get(data: dict[str, Any], *path: str) -> Any:
    value: Any = data
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def project_from(root: Path, loaded: Loaded | None) -> Project:
    """The Project for a (possibly absent, possibly invalid) reportrunner.yaml.

    Values of the wrong type are skipped here; validation reports them.
    """
    if loaded is None:
        return Project(root=root)
    data = loaded.data
    fields: dict[str, Any] = {}
    text_fields = {
        "site_title": ("site", "title"),
        "site_base_url": ("site", "base_url"),
        "locale": ("site", "locale"),
        "site_timezone": ("site", "timezone"),
        "api_base_url": ("api", "base_url"),
        "organization_id": ("api", "organization_id"),
    }
    for name, path in text_fields.items():
        value = _get(data, *path)
        if isinstance(value, str) and value:
            fields[name] = value
    jobs = _get(data, "api", "jobs")
    if isinstance(jobs, int) and not isinstance(jobs, bool) and 1 <= jobs <= 16:
        fields["jobs"] = jobs
    templates = data.get("templates")
    if isinstance(templates, str) and templates:
        fields["templates"] = root / templates
    defaults = data.get("defaults")
    if isinstance(defaults, dict):
        fields["defaults"] = defaults
    fields["deliver"] = parse_deliveries(data.get("deliver"), PROJECT_FILE)
    return Project(root=root, file=root / PROJECT_FILE, **fields)


def read_project(root: Path, display: str) -> Loaded | None:
    """Load reportrunner.yaml from `root` when present (raises SpecError when unreadable)."""
    path = root / PROJECT_FILE
    if not path.is_file():
        return None
    return load_file(path, display)


def draft_of(loaded: Loaded) -> Draft:
    """A plain file (reportrunner.yaml) as a Draft, so problems can be located the same way."""
    draft = Draft(loaded.path, loaded.data)
    _record(draft, loaded.data, "", _Origin(loaded, ""), {})
    return draft
