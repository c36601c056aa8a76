"""Mutants of the shipped schemas, to show the agreement corpus reaches every rule.

A mutant removes one validation keyword from one place of schema/*.json (as if the fast check
ignored it: a `maxLength` that always passes), or moves one numeric bound by one. The fast
check is compiled from the mutated schemas and run over the generated corpus
(schemadocs.py); it is *killed* when it disagrees with jsonschema on the real schemas for at
least one document. A survivor means a rule no generated document tests.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from reportrunner.resources import load_schema
from reportrunner.spec.checks import (
    FORMATS,
    PROJECT_SCHEMA,
    SCHEMA_KINDS,
    SPEC_SCHEMA,
    _schemas,
    inline_schemas,
    kind_schema,
)
from reportrunner.spec.fastcheck import Check, compile_check
from reportrunner.spec.messages import unescape_token

from .schemadocs import Entry, corpus, places_of

_NOT_RULES = frozenset(
    {"title", "description", "examples", "default", "$schema", "$id", "$comment",
     "errorMessage", "definitions", "$ref"}
)  # fmt: skip
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "if", "then", "else")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_BOUNDS = {"minLength": -1, "maxLength": 1, "minimum": -1, "maximum": 1, "minItems": -1,
           "maxItems": 1, "minProperties": -1}  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    document: str  # schema file name
    pointer: str  # JSON pointer of the schema node in that file
    keyword: str
    change: str  # "removed" or "bound ±1"

    def __str__(self) -> str:
        return f"{self.document}#{self.pointer}/{self.keyword} {self.change}"


def _keywords(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.startswith("x-"):
            continue
        # properties/patternProperties hold one schema per key, each mutated on its own (and
        # other places `$ref` into them, so removing the map itself would break the schema).
        if key not in _NOT_RULES and key not in _SCHEMA_MAPS:
            yield pointer, key
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from _keywords(sub, f"{pointer}/{key}/{name.replace('~', '~0')}")
        elif key in _SCHEMA_VALUES:
            yield from _keywords(value, f"{pointer}/{key}")
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            for index, sub in enumerate(value):
                yield from _keywords(sub, f"{pointer}/{key}/{index}")


def mutants() -> list[Mutant]:
    found = []
    for name in (SPEC_SCHEMA, PROJECT_SCHEMA):
        for pointer, keyword in _keywords(load_schema(name), ""):
            found.append(Mutant(name, pointer, keyword, "removed"))
            if keyword in _BOUNDS:
                found.append(Mutant(name, pointer, keyword, f"bound {_BOUNDS[keyword]:+d}"))
    return found


def _node(document: dict[str, Any], pointer: str) -> dict[str, Any]:
    node: Any = document
    for token in pointer.strip("/").split("/") if pointer else []:
        node = node[int(token)] if isinstance(node, list) else node[unescape_token(token)]
    assert isinstance(node, dict)
    return node


def mutated_checks(mutant: Mutant) -> dict[str, Check]:
    """The fast check of every schema kind, compiled from the schemas with `mutant` applied."""
    raw = {name: copy.deepcopy(load_schema(name)) for name in (SPEC_SCHEMA, PROJECT_SCHEMA)}
    node = _node(raw[mutant.document], mutant.pointer)
    if mutant.change == "removed":
        del node[mutant.keyword]
    else:
        node[mutant.keyword] += _BOUNDS[mutant.keyword]
    schemas = inline_schemas(raw)
    return {kind: compile_check(kind_schema(schemas, kind), FORMATS) for kind in SCHEMA_KINDS}


def _reachable(node: Any, target: Any, seen: set[int]) -> bool:
    if node is target:
        return True
    if id(node) in seen or not isinstance(node, (dict, list)):
        return False
    seen.add(id(node))
    children = node.values() if isinstance(node, dict) else node
    return any(_reachable(child, target, seen) for child in children)


def affected_kinds(mutant: Mutant) -> list[str]:
    """The schema kinds whose schema holds the mutated node (the others cannot change)."""
    schemas = _schemas()
    node = _node(schemas[mutant.document], mutant.pointer)
    return [kind for kind in SCHEMA_KINDS if _reachable(kind_schema(schemas, kind), node, set())]


def nearest_first(mutant: Mutant, kind: str, entries: Sequence[Entry]) -> list[Entry]:
    """`entries` with those that vary the places the mutated rule applies to first."""
    node = _node(_schemas()[mutant.document], mutant.pointer)
    schema = kind_schema(_schemas(), kind)
    near = {place.path for place in places_of(schema) if any(s is node for s in place.schemas)}
    return [e for e in entries if e.path in near] + [e for e in entries if e.path not in near]


def killer(mutant: Mutant) -> Entry | None:
    """The first generated document on which the mutated fast check disagrees, if any."""
    checks = mutated_checks(mutant)
    for kind in affected_kinds(mutant):
        for entry in nearest_first(mutant, kind, corpus(kind)):
            if checks[kind](entry.document) != entry.valid:
                return entry
    return None
