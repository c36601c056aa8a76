"""A compiled yes/no check for our JSON Schemas: the fast path for documents that are valid.

jsonschema is the authority on *why* a document is invalid (its errors feed the messages), but
it is slow at saying "valid": every keyword re-dispatches and every `if`, `not` and `anyOf`
builds exception objects. Almost every spec in a repository is valid, so we compile the schema
once into nested closures that only answer valid/invalid, and ask jsonschema for the details
only when this says "invalid". The schema stays the single source of the rules.

Safety rule: whenever this module is unsure (a keyword it does not implement, a value it cannot
compare exactly the JSON way) it answers "invalid", which only costs the slow, exact path.
Under a negation (`not`, an `if` condition, `oneOf`) that "invalid" could turn into "valid", so
there an unsure keyword sends every document to the exact path.
tests/spec/test_fastcheck.py checks that both agree on generated documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

Check = Callable[[Any], bool]

#: Keywords that never affect validity (annotations and our own message keywords).
_ANNOTATIONS = frozenset(
    {"title", "description", "examples", "default", "$schema", "$id", "$comment",
     "definitions", "errorMessage", "x-at", "then", "else"}
)  # fmt: skip


def _never(_: Any) -> bool:
    return False


def _always(_: Any) -> bool:
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and float(v).is_integer(),
}


def _json_identity(value: Any) -> Hashable:
    """A key equal for two values exactly when JSON (and jsonschema) calls them equal.

    Python's == says 1 == True and differs from JSON on neither 1 == 1.0 nor nesting, so
    booleans are tagged apart from numbers, numbers compare by value, and containers by their
    members (a mapping regardless of key order).
    """
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)  # 1 and 1.0 hash and compare equal, as in JSON
    if isinstance(value, str):
        return ("text", value)
    if value is None:
        return ("null",)
    if isinstance(value, list):
        return ("list", tuple(_json_identity(item) for item in value))
    if isinstance(value, dict):
        return ("map", frozenset((key, _json_identity(item)) for key, item in value.items()))
    return ("other", id(value))  # not a JSON value: never equal to another


class _Unsure(Exception):
    """An unsure keyword under a negation: no fast answer for this schema at all."""


class _Compiler:
    def __init__(self, formats: dict[str, Check]) -> None:
        self.formats = formats
        self.negated = 0  # how many `not` / `if` conditions / `oneOf`s enclose the schema

    def unsure(self) -> Check:
        """A keyword we cannot judge exactly: "invalid", unless a negation would flip it."""
        if self.negated:
            raise _Unsure
        return _never

    def compile_negated(self, schema: Any) -> Check:
        self.negated += 1
        try:
            return self.compile(schema)
        finally:
            self.negated -= 1

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _always
        if schema is False or not isinstance(schema, dict):
            return _never
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword.startswith("x-"):
                continue  # x-…: our own annotations (x-at, x-refused, x-kinds)
            make = getattr(self, "k_" + keyword.replace("$", "_"), None)
            if make is None:
                return self.unsure()  # unknown keyword: let jsonschema decide
            checks.append(make(value, schema))
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    # --- keywords -------------------------------------------------------------------------

    def k_type(self, value: Any, _: dict[str, Any]) -> Check:
        names = value if isinstance(value, list) else [value]
        if not all(name in _TYPES for name in names):
            return self.unsure()
        tests = [_TYPES[name] for name in names]
        return lambda v: any(test(v) for test in tests)

    def k_enum(self, value: Any, _: dict[str, Any]) -> Check:
        if not all(isinstance(option, str) for option in value):
            return self.unsure()  # Python's 1 == True would differ from JSON equality
        options = frozenset(value)
        return lambda v: isinstance(v, str) and v in options

    def k_const(self, value: Any, schema: dict[str, Any]) -> Check:
        return self.k_enum([value], schema)

    def k_pattern(self, value: str, _: dict[str, Any]) -> Check:
        search = re.compile(value).search
        return lambda v: not isinstance(v, str) or search(v) is not None

    def k_format(self, value: str, _: dict[str, Any]) -> Check:
        return self.formats.get(value, _always)  # unknown formats are annotations

    def k_minLength(self, value: int, _: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= value

    def k_maxLength(self, value: int, _: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) <= value

    def k_minimum(self, value: float, _: dict[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v >= value

    def k_maximum(self, value: float, _: dict[str, Any]) -> Check:
        return lambda v: not _is_number(v) or v <= value

    def k_minItems(self, value: int, _: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) >= value

    def k_maxItems(self, value: int, _: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) <= value

    def k_uniqueItems(self, value: bool, _: dict[str, Any]) -> Check:
        if not value:
            return _always

        def unique(v: Any) -> bool:
            if not isinstance(v, list):
                return True
            if all(isinstance(item, str) for item in v):
                return len(set(v)) == len(v)  # the common case: ids, tags, metric keys
            return len({_json_identity(item) for item in v}) == len(v)

        return unique

    def k_items(self, value: Any, _: dict[str, Any]) -> Check:
        if isinstance(value, list):
            return self.unsure()  # tuple form: not used by our schemas
        item = self.compile(value)
        return lambda v: not isinstance(v, list) or all(item(i) for i in v)

    def k_required(self, value: list[str], _: dict[str, Any]) -> Check:
        names = tuple(value)
        return lambda v: not isinstance(v, dict) or all(name in v for name in names)

    def k_minProperties(self, value: int, _: dict[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or len(v) >= value

    def k_properties(self, value: dict[str, Any], _: dict[str, Any]) -> Check:
        compiled = {name: self.compile(sub) for name, sub in value.items()}

        def properties(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            return all(check(v[name]) for name, check in compiled.items() if name in v)

        return properties

    def k_patternProperties(self, value: dict[str, Any], _: dict[str, Any]) -> Check:
        compiled = [(re.compile(p).search, self.compile(sub)) for p, sub in value.items()]

        def pattern_properties(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            return all(
                check(item) for key, item in v.items() for search, check in compiled if search(key)
            )

        return pattern_properties

    def k_additionalProperties(self, value: Any, schema: dict[str, Any]) -> Check:
        known = frozenset(schema.get("properties", {}))
        searches = [re.compile(p).search for p in schema.get("patternProperties", {})]
        extra = self.compile(value)

        def additional(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key, item in v.items():
                if key in known or any(search(key) for search in searches):
                    continue
                if not extra(item):
                    return False
            return True

        return additional

    def k_allOf(self, value: list[Any], _: dict[str, Any]) -> Check:
        parts = [self.compile(sub) for sub in value]
        return lambda v: all(part(v) for part in parts)

    def k_anyOf(self, value: list[Any], _: dict[str, Any]) -> Check:
        parts = [self.compile(sub) for sub in value]
        return lambda v: any(part(v) for part in parts)

    def k_oneOf(self, value: list[Any], _: dict[str, Any]) -> Check:
        parts = [self.compile_negated(sub) for sub in value]
        return lambda v: sum(1 for part in parts if part(v)) == 1

    def k_not(self, value: Any, _: dict[str, Any]) -> Check:
        inner = self.compile_negated(value)
        return lambda v: not inner(v)

    def k_if(self, value: Any, schema: dict[str, Any]) -> Check:
        condition = self.compile_negated(value)
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda v: then(v) if condition(v) else otherwise(v)


def compile_check(schema: dict[str, Any], formats: dict[str, Check]) -> Check:
    """A function answering "is this document valid?" for a `$ref`-free draft-07 schema."""
    try:
        return _Compiler(formats).compile(schema)
    except _Unsure:
        return _never
