"""Turn JSON Schema failures into the plain words `reportrunner validate` prints.

jsonschema reports *which keyword* failed; a sales-ops person needs *what is wrong with which
field* and what to write instead. The schema stays the single source of the rules: where a rule
needs a sentence (if/then, anyOf, not, patterns), the schema carries it as `errorMessage` (the
same keyword the VS Code YAML extension shows), and `x-at` names the field a conditional rule is
about. Everything else gets a generic sentence per keyword, with a did-you-mean for unknown keys
and unknown values. The emulator answers 400s with these same words (via `request_problems`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reportrunner.model import Severity
from reportrunner.spec.suggest import did_you_mean as did_you_mean  # re-exported for checks.py

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_SPACE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ ]+\d")
_DATE_AND_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]")
# `key:value` (no space after the colon) where a mapping was expected.
_GLUED_KEY = re.compile(r"^([A-Za-z_][\w-]*):(?![\s/])(\S.*)$")

_TYPE_WORDS = {
    "object": "a mapping (key: value lines)",
    "array": "a list",
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


@dataclass(frozen=True)
class Problem:
    """One rule broken at one place, before it gets a file, line and column.

    `pointer` is a JSON pointer into the checked document; `at_key` says whether the diagnostic
    belongs on the key of that pointer (unknown key, missing key, conflicting fields) or on its
    value (wrong value).
    """

    pointer: str
    message: str
    severity: Severity = "error"
    at_key: bool = False
    #: For a missing required key: its name (the pointer names the mapping that lacks it).
    missing: str | None = None


def escape_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """The inverse of `escape_token`: one JSON-pointer token back to the key it names."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_of(path: Iterable[str | int]) -> str:
    return "".join("/" + escape_token(part) for part in path)


def label_of(path: Sequence[str | int], root: str = "the file") -> str:
    """A field name for messages: request fields without the `request.` prefix.

    The same words then come out of `validate` (whole spec) and `request_problems` (a bare
    request body, as the emulator sees it).
    """
    parts = list(path)
    if parts and parts[0] == "request" and len(parts) > 1:
        parts = parts[1:]
    label = ""
    for part in parts:
        if isinstance(part, int):
            label += f" entry {part + 1}"
        else:
            label += ("." if label else "") + part
    return label or root


def describe(value: Any) -> str:
    """A short description of a found value, for `found …` in messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    text = str(value)
    return json.dumps(text if len(text) <= 60 else text[:57] + "...", ensure_ascii=False)


def _required_names(schema: Any) -> list[str]:
    """Every field named in a `required` inside a (not/anyOf) sub-schema."""
    names: list[str] = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "required" and isinstance(value, list):
                names.extend(name for name in value if isinstance(name, str))
            else:
                names.extend(_required_names(value))
    elif isinstance(schema, list):
        for item in schema:
            names.extend(_required_names(item))
    return names


def _enum_options(alternatives: Any) -> list[str]:
    """The text values of the `enum`s among anyOf alternatives (for a did-you-mean)."""
    options: list[str] = []
    for alternative in alternatives if isinstance(alternatives, list) else []:
        if isinstance(alternative, dict) and isinstance(alternative.get("enum"), list):
            options += [option for option in alternative["enum"] if isinstance(option, str)]
    return options


def _last_present(instance: Any, names: Sequence[str]) -> str | None:
    """The field among `names` written last (dict order is file order for loaded YAML)."""
    if not isinstance(instance, dict):
        return None
    present = [key for key in instance if key in names]
    return present[-1] if present else None


def _with_label(label: str, message: str) -> str:
    return f"{label} {message}" if message.startswith("must ") else message


def _date_time_message(label: str, value: Any, shape: str | None) -> str | None:
    """Words for a date-time that breaks `shape` (the schema's pattern) or its format."""
    if not isinstance(value, str):
        return None
    if shape and re.search(shape, value):  # the shape is right, so the calendar is not
        return f"{label} ({value}) is not a real date and time"
    if _DATE_ONLY.match(value):
        return (
            f"{label} is a date without a time ({value}); add the time and offset, "
            f"e.g. {value}T00:00:00Z"
        )
    if _DATE_SPACE_TIME.match(value):
        return f"{label} must separate date and time with T, e.g. {value[:10]}T{value[11:].strip()}"
    return None


def _date_message(label: str, value: Any, shape: str | None) -> str | None:
    """Words for a date (YYYY-MM-DD) that breaks `shape` (the schema's pattern) or its format."""
    if not isinstance(value, str):
        return None
    if shape and re.search(shape, value):  # the shape is right, so the calendar is not
        return f"{label} ({value}) is not a real date"
    if _DATE_AND_TIME.match(value):
        return (
            f"{label} is a date and time ({value}); these reports take a date only, "
            f"e.g. {value[:10]}"
        )
    return f"{label} must be a date YYYY-MM-DD, such as 2026-01-05 (found {describe(value)})"


def problems_from_error(error: Any, root: str = "the file") -> list[Problem]:
    """The problems one jsonschema ValidationError stands for (usually one).

    `root` names the whole document in messages ("the file", "the request body").
    """
    path = list(error.absolute_path)
    pointer = pointer_of(path)
    label = label_of(path, root)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    custom = schema.get("errorMessage")

    if keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        where = "" if not path else f" in {label}"
        # x-refused: keys of another report kind, with the sentence that says so.
        refused = schema.get("x-refused", {})
        found = []
        for key in instance:
            if key in allowed or any(p.search(key) for p in patterns):
                continue
            hint = did_you_mean(key, allowed) or f"; allowed keys: {', '.join(allowed)}"
            message = refused.get(key) or f"unknown key {key!r}{where}{hint}"
            found.append(Problem(pointer + "/" + escape_token(key), message, at_key=True))
        return found

    if keyword == "enum":
        options = [str(option) for option in error.validator_value]
        hint = did_you_mean(instance, options) if isinstance(instance, str) else ""
        return [
            Problem(
                pointer,
                f"{label} must be one of {', '.join(options)} (found {describe(instance)}){hint}",
            )
        ]

    if keyword in ("format", "pattern") and schema.get("format") == "date-time":
        special = _date_time_message(label, instance, schema.get("pattern"))
        if special:
            return [Problem(pointer, special)]

    if keyword in ("format", "pattern") and schema.get("format") == "date":
        special = _date_message(label, instance, schema.get("pattern"))
        if special:
            return [Problem(pointer, special)]

    if keyword == "anyOf" and schema.get("x-by-type"):
        # Alternatives told apart by their type (a range name or a {start, end} mapping): the
        # value's own alternative says precisely what is wrong with it.
        found = _by_type(error, instance, root)
        if found:
            return found

    if keyword == "not":
        if not isinstance(instance, dict):
            return []  # `type` already says the value is not a mapping
        names = _required_names(error.validator_value)
        at = _last_present(instance, names)
        message = custom or f"{label} combines fields that cannot go together: {', '.join(names)}"
        if at is not None:
            return [Problem(pointer + "/" + escape_token(at), message, at_key=True)]
        return [Problem(pointer, message, at_key=True)]

    if custom and (keyword not in ("required", "type") or "x-at" in schema):
        at_field = schema.get("x-at")
        if isinstance(at_field, str) and isinstance(instance, dict) and at_field in instance:
            return [Problem(pointer + "/" + escape_token(at_field), custom, at_key=True)]
        at_key = keyword in ("required", "anyOf", "oneOf")
        hint = ""
        if keyword == "anyOf" and isinstance(instance, str):  # a value outside an enum + pattern
            hint = did_you_mean(instance, _enum_options(error.validator_value))
        return [Problem(pointer, _with_label(label, custom) + hint, at_key=at_key)]

    if keyword == "required" and isinstance(instance, dict):
        problems = []
        for name in error.validator_value:
            if name not in instance:
                text = f"missing the required key {name!r}"
                message = f"{label} is {text}" if path else text
                problems.append(Problem(pointer, message, at_key=True, missing=name))
        return problems

    if keyword == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        words = " or ".join(_TYPE_WORDS.get(name, name) for name in names)
        if custom:
            return [Problem(pointer, _with_label(label, custom) + f" (found {describe(instance)})")]
        message = f"{label} must be {words} (found {describe(instance)})"
        glued = _GLUED_KEY.match(instance) if isinstance(instance, str) else None
        if glued and "object" in names:  # `type:created-cohort`: YAML read one word
            message += f"; put a space after the colon: {glued[1]}: {glued[2]}"
        return [Problem(pointer, message)]

    return [Problem(pointer, _with_label(label, custom or _generic(keyword, error, label)))]


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "object": dict,
    "array": list,
    "boolean": bool,
    "number": (int, float),
    "integer": int,
}


def _by_type(error: Any, instance: Any, root: str) -> list[Problem]:
    """The problems of the anyOf alternative whose `type` the value has (none: no such one)."""
    branches = error.validator_value if isinstance(error.validator_value, list) else []
    fitting = set()
    for index, branch in enumerate(branches):
        name = branch.get("type") if isinstance(branch, dict) else None
        python = _JSON_TYPES.get(name) if isinstance(name, str) else None
        # JSON's booleans are not numbers, though Python's bool is an int.
        if (
            python
            and isinstance(instance, python)
            and (name == "boolean") == (isinstance(instance, bool))
        ):
            fitting.add(index)
    found: list[Problem] = []
    for sub in error.context or []:
        if sub.relative_schema_path and sub.relative_schema_path[0] in fitting:
            found += problems_from_error(sub, root)
    return found


def _generic(keyword: str, error: Any, label: str) -> str:
    value = error.validator_value
    instance = error.instance
    if keyword == "minItems":
        return "must not be empty" if value == 1 else f"must have at least {value} entries"
    if keyword == "maxItems":
        return f"must have at most {value} entries"
    if keyword == "uniqueItems" and isinstance(instance, list):
        seen: list[Any] = []
        for item in instance:
            if item in seen:
                return f"{label} lists {describe(item)} more than once"
            seen.append(item)
    if keyword == "minLength":
        return "must not be empty" if value == 1 else f"must be at least {value} characters long"
    if keyword == "maxLength":
        return f"must be at most {value} characters long"
    if keyword == "minProperties":
        return "must not be empty"
    if keyword == "minimum":
        return f"must be at least {value}"
    if keyword == "maximum":
        return f"must be at most {value}"
    if keyword == "const":
        return f"must be {value}"
    if keyword == "pattern":
        return f"must match the pattern {value}"
    if keyword == "format":
        return f"must be a valid {value}"
    return f"{label}: {error.message}"
