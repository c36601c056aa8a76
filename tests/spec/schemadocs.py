"""Documents that reach every field of the schemas, on both sides of each of its rules.

The agreement tests (test_fastcheck_fields.py) compare the fast check with jsonschema on these.
Random documents over a few request fields left most of the schema unexercised (a fast check
whose `maxLength` always passed survived the whole suite), so this walks the schema itself:
for every place a value can stand (every property of every kind's branch, every list item,
the project file's defaults and deliveries), it derives candidate values from the rules that
apply there — each side of a `maxLength`/`minLength`/`minimum`/`maximum`/`minItems`/
`maxItems` bound, every enum option and a near miss, pattern examples with a line break or a
character dropped, duplicates for `uniqueItems`, other JSON types, impossible dates — and puts
each one, alone, into complete valid base documents of each kind. Missing parents are filled
from the schema's own `examples`, which every field has (test_schema.py checks that).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from reportrunner.spec.checks import _schemas, kind_schema, validator
from reportrunner.spec.fastcheck import Check

Path = tuple[str | int, ...]
OTHER_TYPES: list[Any] = [None, True, 0, -1, 2.5, "x", "", [], {}]


@dataclass
class Place:
    """One place a value can stand, and every sub-schema that applies there."""

    path: Path
    schemas: list[dict[str, Any]] = field(default_factory=list)


def _walk(schema: Any, path: Path, places: dict[Path, Place], depth: int = 0) -> None:
    """Collect, per instance path, the (inlined) sub-schemas that apply to it."""
    if not isinstance(schema, dict) or depth > 40:
        return
    place = places.setdefault(path, Place(path))
    if any(existing is schema for existing in place.schemas):
        return
    place.schemas.append(schema)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            _walk(sub, path, places, depth + 1)
    for key in ("if", "then", "else", "not"):
        _walk(schema.get(key), path, places, depth + 1)
    for name, sub in schema.get("properties", {}).items():
        _walk(sub, (*path, name), places, depth + 1)
    items = schema.get("items")
    if isinstance(items, dict):
        _walk(items, (*path, 0), places, depth + 1)
        _walk(items, (*path, 1), places, depth + 1)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        _walk(extra, (*path, "zz-extra"), places, depth + 1)


def places_of(schema: dict[str, Any]) -> list[Place]:
    places: dict[Path, Place] = {}
    _walk(schema, (), places)
    return list(places.values())


def _examples(place: Place) -> list[Any]:
    found: list[Any] = []
    for schema in place.schemas:
        for example in schema.get("examples", []):
            if example not in found:
                found.append(example)
        for option in schema.get("enum", []):
            if option not in found:
                found.append(option)
    return found


def _letters(index: int) -> str:
    """0 → "", 1 → "b", 27 → "bb"…: short suffixes of letters only (metric keys allow no digits)."""
    out = ""
    while index:
        index, digit = divmod(index, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[digit] + out
    return out


def _distinct(example: Any, count: int) -> list[Any]:
    """`count` different values shaped like `example` (letter suffixes keep most patterns)."""
    if isinstance(example, str):
        return [example + _letters(index) for index in range(count)]
    if isinstance(example, list):
        return [[*example, *_distinct("v", index)] for index in range(count)]
    return [copy.deepcopy(example) for _ in range(count)]  # mappings: only lengths matter here


def candidates(place: Place, items: list[Any]) -> list[Any]:
    """Values on both sides of every rule that applies at `place`."""
    values: list[Any] = list(OTHER_TYPES)
    examples = _examples(place)
    values += examples
    texts = [e for e in examples if isinstance(e, str)]
    for schema in place.schemas:
        for option in schema.get("enum", []) + ([schema["const"]] if "const" in schema else []):
            if isinstance(option, str):
                values += [option + "x", option.upper(), option[:-1], option + "\n"]
        for text in texts if "pattern" in schema or "format" in schema else []:
            values += [text + "\n", text[1:], " " + text, text.replace("0", "9")]
        if schema.get("format") == "date-time":
            values += ["2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z"]
        if schema.get("format") == "date":
            values += ["2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2025-02-29"]
            values += ["2024-02-29", "2026-01-01T00:00:00Z", "2026-1-5", "20260105"]
        for bound in ("minLength", "maxLength"):
            if bound in schema:
                size = schema[bound]
                for length in (size - 1, size, size + 1):
                    if length >= 0:
                        values.append("a" * length)
                        values += [(t[0] * length + t)[-length:] if length else "" for t in texts]
                        values += [t[0] * max(0, length - len(t)) + t for t in texts]
        for bound in ("minimum", "maximum"):
            if bound in schema:
                edge = schema[bound]
                values += [edge - 1, edge, edge + 1, edge - 0.5, edge + 0.5, float(edge)]
        pool = items or [item for e in examples if isinstance(e, list) for item in e] or ["x"]
        unique = any(sub.get("uniqueItems") for sub in place.schemas)
        for bound in ("minItems", "maxItems"):
            if bound in schema:
                size = schema[bound]
                for length in (size - 1, size, size + 1):
                    if length >= 0:
                        values.append(_distinct(pool[0], length) if unique else [pool[0]] * length)
        if schema.get("uniqueItems"):
            values += [[pool[0], pool[0]], [pool[0], copy.deepcopy(pool[0])]]
            values += [_distinct(pool[0], 2), [1, 1.0], [1, True], [{"a": [1]}, {"a": [1.0]}]]
        if schema.get("minProperties"):
            values.append({})
    return values


def _item_examples(places: dict[Path, Place], path: Path) -> list[Any]:
    inner = places.get((*path, 0))
    return _examples(inner) if inner else []


def _example_for(places: dict[Path, Place], path: Path) -> Any:
    place = places.get(path)
    found = _examples(place) if place else []
    return copy.deepcopy(found[0]) if found else {}


def put(document: Any, path: Path, value: Any, places: dict[Path, Place]) -> Any:
    """A copy of `document` with `value` at `path`; missing parents come from examples."""
    result = copy.deepcopy(document)
    if not path:
        return copy.deepcopy(value)
    target = result
    for depth, step in enumerate(path[:-1]):
        prefix = path[: depth + 1]
        if isinstance(step, int):
            if not isinstance(target, list):
                return result
            while len(target) <= step:
                target.append(_example_for(places, prefix))
            if not isinstance(target[step], (dict, list)):
                target[step] = _example_for(places, prefix)
        else:
            if not isinstance(target, dict):
                return result
            if not isinstance(target.get(step), (dict, list)):
                target[step] = _example_for(places, prefix)
        target = target[step]
    last = path[-1]
    if isinstance(last, int) and isinstance(target, list):
        while len(target) <= last:
            target.append(_example_for(places, path))
        target[last] = copy.deepcopy(value)
    elif isinstance(last, str) and isinstance(target, dict):
        target[last] = copy.deepcopy(value)
    return result


def drop(document: Any, path: Path) -> Any:
    result = copy.deepcopy(document)
    target = result
    for step in path[:-1]:
        try:
            target = target[step]
        except (KeyError, IndexError, TypeError):
            return result
    if isinstance(target, dict) and isinstance(path[-1], str):
        target.pop(path[-1], None)
    return result


def documents(
    schema: dict[str, Any], bases: list[Any], is_valid: Check
) -> Iterator[tuple[Path, Any]]:
    """Every base, then each base with one place changed to each candidate (or removed).

    A place is varied in the bases where its own example is valid (a funnel base does not
    take activity fields, so varying them there would only test "unknown key"), and in the
    first base when it is valid in none.
    """
    found = places_of(schema)
    by_path = {place.path: place for place in found}
    seen: set[str] = set()

    def new(document: Any) -> bool:
        key = json.dumps(document, sort_keys=True)
        fresh = key not in seen
        seen.add(key)
        return fresh

    yield from (((), base) for base in bases if new(base))
    for place in found:
        examples = _examples(place)[:4] or [{}]
        # Every example decides where a place fits: with five kinds, the first four examples
        # of `request` need not include a funnel one.
        fitting = [
            base
            for base in bases
            if any(
                is_valid(put(base, place.path, example, by_path))
                for example in _examples(place) or [{}]
            )
        ]
        values = candidates(place, _item_examples(by_path, place.path))
        closed = any(sub.get("additionalProperties") is False for sub in place.schemas)
        for base in bases:  # the field's own examples everywhere: combinations rules forbid
            yield from (
                (place.path, variant)
                for variant in (put(base, place.path, e, by_path) for e in examples)
                if new(variant)
            )
        for base in fitting or bases[:1]:
            variants = [put(base, place.path, value, by_path) for value in values]
            variants += [drop(base, place.path)] if place.path else []
            if closed:  # a key no schema allows, and one next to an allowed one
                known = [name for sub in place.schemas for name in sub.get("properties", {})]
                for extra in ["zz-unknown", *[name + "s" for name in known[:1]]]:
                    variants.append(put(base, (*place.path, extra), 1, by_path))
            yield from ((place.path, variant) for variant in variants if new(variant))


# --- complete valid base documents, one per kind and shape -----------------------------------

PIPE = "pipe_4vukv2FUlFh9FDiVYAop1U"
SAVE = "save_ZVc26G33JTNiDNEFdZhBQAONg9cJHleAAHqBJakf239"
GROUP = "group_57P6QUf8b4BlepZJYgRj5W"
QUERY = {"type": "saved_search", "saved_search_id": SAVE}
WEEK = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-08T00:00:00+01:00"}
DELIVERIES = [
    {"to": "slack", "webhook_env": "SLACK_WEBHOOK_URL", "when": "changed", "skip_empty": True},
    {
        "to": "email",
        "smtp_env": "SMTP_URL",
        "from": "reports@example.com",
        "recipients": ["vp@example.com"],
        "reports": ["new-*"],
        "when": "threshold",
        "threshold": {"metric": "count", "above": 1, "below": 0.5},
    },
]
SHARED = {
    "id": "team-1",
    "title": "T",
    "description": "D",
    "formats": ["html"],
    "currency": "EUR",
    "timezone": "Europe/Berlin",
    "tags": ["weekly"],
    "deliver": DELIVERIES,
    "x-anchor": {"a": 1},
}
FUNNEL_REQUEST = {
    "pipeline": PIPE,
    "type": "created-cohort",
    "cohort_relative_range": "this-month",
    "report_relative_range": "this-year",
    "compared_relative_range": "last-month",
    "users": [GROUP],
    "query": QUERY,
}
ACTIVITY_REQUEST = {
    "type": "comparison",
    "relative_range": "this-week",
    "metrics": ["calls.outbound.all.count", "emails.sent.all.count"],
    "users": [GROUP],
    "query": QUERY,
}
FUNNEL = SHARED | {
    "endpoints": ["totals"],
    "comparison": "to-date",
    "request": FUNNEL_REQUEST,
}
ACTIVITY = SHARED | {"kind": "activity", "compare": "previous-period", "request": ACTIVITY_REQUEST}
FUNNEL_DATES = {
    "title": "T",
    "request": {
        "pipeline": PIPE,
        "type": "active-stage-cohort",
        "report_datetime_range": WEEK,
        "compared_datetime_range": "same-days-last-week",
    },
}
FUNNEL_MATRIX = {
    "title": "T",
    "matrix": {"compared_relative_range": ["last-month"], "users": [[GROUP]]},
    "request": {"pipeline": PIPE, "type": "created-cohort", "cohort_relative_range": "today"},
}
ACTIVITY_DATES = {
    "kind": "activity",
    "title": "T",
    "request": {"type": "overview", "datetime_range": WEEK, "metrics": ["sms.sent.all.count"]},
}
ACTIVITY_MATRIX_COMPLETE = {
    "kind": "activity",
    "title": "T",
    "matrix": {"users": [[GROUP]]},
    "request": {"type": "overview", "relative_range": "today", "metrics": ["calls.all.all.count"]},
}
FUNNEL_MATRIX_COMPLETE = FUNNEL_MATRIX | {"request": FUNNEL_REQUEST}
ACTIVITY_MATRIX = {
    "kind": "activity",
    "title": "T",
    "matrix": {"relative_range": ["this-week"], "metrics": [["calls.all.all.count"]]},
    "request": {"type": "overview"},
}
# The date-taking kinds (GET reports): a relative range, dates, request dates, a matrix each.
USER = "user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA"
DAYS = {"start": "2026-01-01", "end": "2026-02-01"}
LEAD = SHARED | {
    "kind": "lead-statuses",
    "deliver": DELIVERIES[:1],
    "range": "last-week",
    "compare": "previous-period",
    "request": {"smart_view_id": SAVE},
}
LEAD_QUERY = {"kind": "lead-statuses", "title": "T", "range": DAYS, "request": {"query": "q"}}
OPPORTUNITY = SHARED | {
    "kind": "opportunity-statuses",
    "deliver": DELIVERIES[:1],
    "compare": "same-days-last-month",
    "request": {
        "query": "q",
        "user_id": USER,
        "date_start": "2026-01-01",
        "date_end": "2026-02-01",
    },
}
OPPORTUNITY_VIEW = {
    "kind": "opportunity-statuses",
    "title": "T",
    "range": "this-quarter",
    "request": {"smart_view_id": SAVE},
}
SENT = SHARED | {
    "kind": "sent-emails",
    "deliver": DELIVERIES[:1],
    "range": DAYS,
    "compare": "previous-period",
    "request": {"user_id": USER},
}
SENT_DATES = {
    "kind": "sent-emails",
    "title": "T",
    "compare": "previous-period",
    "request": {"date_start": "2026-01-01", "date_end": "2026-02-01"},
}
DATED_MATRICES = [
    {"kind": "lead-statuses", "title": "T", "matrix": {"smart_view_id": [SAVE], "query": ["q"]}},
    {"kind": "opportunity-statuses", "title": "T", "matrix": {"user_id": [USER], "query": ["q"]}},
    {"kind": "sent-emails", "title": "T", "range": "today", "matrix": {"user_id": [USER]}},
]
DATED = [LEAD, LEAD_QUERY, OPPORTUNITY, OPPORTUNITY_VIEW, SENT, SENT_DATES]
PROJECT = {
    "site": {
        "title": "S",
        "base_url": "https://a.example/",
        "timezone": "UTC",
        "locale": "en_US",
    },
    "defaults": {
        "description": "D",
        "endpoints": ["totals"],
        "formats": ["html"],
        "comparison": "to-date",
        "currency": "USD",
        "timezone": "UTC",
        "tags": ["t"],
        "request": {
            "pipeline": PIPE,
            "type": "created-cohort",
            "cohort_relative_range": "this-month",
            "users": [],
            "query": QUERY,
        },
    },
    "api": {"base_url": "https://api.close.com/api/v1", "jobs": 4},
    "templates": "templates/",
    "deliver": DELIVERIES,
    "x-extra": 1,
}

#: kind → complete valid documents to vary (each kind's schema is walked for the places).
BASES: dict[str, list[Any]] = {
    "file": [FUNNEL, ACTIVITY, FUNNEL_MATRIX, ACTIVITY_MATRIX, *DATED, *DATED_MATRICES],
    "spec": [FUNNEL, ACTIVITY, FUNNEL_DATES, ACTIVITY_DATES, ACTIVITY_MATRIX_COMPLETE, *DATED],
    "request": [
        FUNNEL_REQUEST,
        FUNNEL_DATES["request"],
        # One base per conditional rule, so that dropping or adding one field breaks only it.
        {"pipeline": PIPE, "type": "created-cohort", "cohort_relative_range": "this-month"},
        {"pipeline": PIPE, "type": "active-stage-cohort", "report_relative_range": "all-time"},
        {
            "pipeline": PIPE,
            "type": "created-cohort",
            "cohort_datetime_range": WEEK,
            "compared_datetime_range": "same-days-last-year",
        },
        {
            "pipeline": PIPE,
            "type": "active-stage-cohort",
            "report_relative_range": "this-quarter",
            "compared_relative_range": "last-quarter",
        },
        {
            "pipeline": PIPE,
            "type": "created-cohort",
            "cohort_datetime_range": WEEK,
            "compared_custom_range": WEEK,
        },
        {"pipeline": PIPE, "type": "created-cohort", "cohort_datetime_range": WEEK},
        {"pipeline": PIPE, "type": "active-stage-cohort", "report_datetime_range": WEEK},
    ],
    "activity-request": [ACTIVITY_REQUEST, ACTIVITY_DATES["request"]],
    "project": [PROJECT],
}


@dataclass(frozen=True)
class Entry:
    """A generated document, the place it varies, and jsonschema's verdict on it."""

    path: Path
    document: Any
    valid: bool


@cache
def corpus(kind: str) -> tuple[Entry, ...]:
    """The generated documents for one of checks.SCHEMA_KINDS, with jsonschema's verdicts."""
    is_valid = validator(kind).is_valid
    generated = documents(kind_schema(_schemas(), kind), BASES[kind], is_valid)
    return tuple(Entry(path, document, is_valid(document)) for path, document in generated)
