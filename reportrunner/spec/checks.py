"""The rules: compiled JSON Schema validators plus the few checks a schema cannot express.

`schema/*.json` is the single source of the structural rules; this module compiles each schema
once per process (building a validator walks the whole schema, far too slow to repeat per
file), with a format checker that really checks `date-time` and `date` (jsonschema skips
formats unless asked). The semantic checks here (start before end, real IANA zones, a cohort
range that Close ignores) return the same `Problem` objects, so callers never care which kind
of rule fired.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportrunner.resources import load_schema
from reportrunner.spec.fastcheck import Check, compile_check
from reportrunner.spec.messages import Problem, did_you_mean, problems_from_error, unescape_token
from reportrunner.windows import parse_rfc3339

if TYPE_CHECKING:
    from jsonschema import Draft7Validator, FormatChecker

SPEC_SCHEMA = "report-spec.schema.json"
PROJECT_SCHEMA = "project.schema.json"
DATETIME_RANGE_FIELDS = (
    "report_datetime_range",
    "cohort_datetime_range",
    "compared_custom_range",
    "datetime_range",  # an activity request's
)


@cache
def _rfc3339() -> re.Pattern[str]:
    """The shape of an RFC 3339 date-time with an offset: the schema's `definitions/dateTime`."""
    return re.compile(load_schema(SPEC_SCHEMA)["definitions"]["dateTime"]["pattern"])


def is_rfc3339(value: object) -> bool:
    """RFC 3339 date-time with an offset, and a real calendar date (no 31 February)."""
    if not isinstance(value, str):
        return True  # `type` reports non-strings; format only judges strings
    if not _rfc3339().search(value):
        return False
    try:
        parse_rfc3339(value)
    except ValueError:
        return False
    return True


@cache
def _calendar_date() -> re.Pattern[str]:
    """The shape of a date YYYY-MM-DD: the schema's `definitions/date`."""
    return re.compile(load_schema(SPEC_SCHEMA)["definitions"]["date"]["pattern"])


def is_calendar_date(value: object) -> bool:
    """A date YYYY-MM-DD that exists (no 31 February): Close's date_start/date_end."""
    if not isinstance(value, str):
        return True  # `type` reports non-strings; format only judges strings
    if not _calendar_date().search(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


#: The formats our schemas use, with the functions that judge them (jsonschema and fastcheck).
FORMATS: dict[str, Check] = {"date-time": is_rfc3339, "date": is_calendar_date}


def _format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    # Only ours: the default FormatChecker carries dozens of checkers we never use.
    checker = FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name)(check)
    return checker


def _inline(node: Any, documents: dict[str, dict[str, Any]], current: str) -> Any:
    """Replace every `$ref` by the schema it points to (the same dict object, not a copy).

    Our schemas are not recursive, so this terminates. It saves jsonschema a reference lookup
    (and a validator copy) per `$ref` per instance: a third of the time on a folder of specs.
    `$ref` siblings (title, description, examples) are annotations for editors only.
    """
    if isinstance(node, list):
        return [_inline(item, documents, current) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref")
    if isinstance(reference, str):
        name, _, fragment = reference.partition("#")
        name = name or current
        target: Any = documents[name]
        for token in fragment.strip("/").split("/") if fragment.strip("/") else []:
            # A JSON pointer's token is a list index inside a list (`allOf/0`).
            target = (
                target[int(token)] if isinstance(target, list) else target[unescape_token(token)]
            )
        return _inline(target, documents, name)
    inlined = {key: _inline(value, documents, current) for key, value in node.items()}
    node.clear()
    node.update(inlined)
    return node


def inline_schemas(raw: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Schema documents by file name with every reference inlined (deep copies of `raw`)."""
    documents = {name: copy.deepcopy(document) for name, document in raw.items()}
    for name, document in documents.items():
        _inline(document, documents, name)
    return documents


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    """Both shipped schemas, inlined (the loaded ones stay as they are)."""
    return inline_schemas({name: load_schema(name) for name in (SPEC_SCHEMA, PROJECT_SCHEMA)})


#: What each schema kind checks. "file" is a spec as written (what an editor checks);
#: "spec" adds `definitions/complete`, the fields defaults and matrix may supply, for a draft
#: with both merged in; "request" and "activity-request" are bare bodies (the emulator's view).
SCHEMA_KINDS = ("file", "spec", "request", "activity-request", "project")


@cache
def _schema_for(kind: str) -> dict[str, Any]:
    return kind_schema(_schemas(), kind)


def kind_schema(schemas: dict[str, dict[str, Any]], kind: str) -> dict[str, Any]:
    """The schema one of SCHEMA_KINDS checks, from `inline_schemas` documents."""
    spec, definitions = schemas[SPEC_SCHEMA], schemas[SPEC_SCHEMA]["definitions"]
    if kind == "request":
        return {"allOf": [definitions["request"], definitions["requestComplete"]]}
    if kind == "activity-request":
        return {"allOf": [definitions["activityRequest"], definitions["activityRequestComplete"]]}
    if kind == "spec":
        return {"allOf": [spec, definitions["complete"]]}
    if kind == "file":
        return spec
    if kind == "project":
        return schemas[PROJECT_SCHEMA]
    raise ValueError(f"unknown schema kind {kind!r}")


@cache
def validator(kind: str) -> Draft7Validator:
    """The jsonschema validator for one of SCHEMA_KINDS (see there).

    Imported and built only when a document is invalid: jsonschema (with its format
    dependencies) is most of our start-up time, and valid documents never need it.
    """
    from jsonschema import Draft7Validator

    return Draft7Validator(_schema_for(kind), format_checker=_format_checker())


@cache
def fast_check(kind: str) -> Check:
    """The compiled valid/invalid answer for a schema kind (see fastcheck.py)."""
    return compile_check(_schema_for(kind), FORMATS)


def schema_problems(kind: str, document: Any, root: str = "the file") -> list[Problem]:
    """Every schema rule `document` breaks, in words, deduplicated, in schema order."""
    if fast_check(kind)(document):
        return []  # the common case, without jsonschema's slower error machinery
    found: list[Problem] = []
    seen: set[tuple[str, bool, str]] = set()
    for error in validator(kind).iter_errors(document):
        for problem in problems_from_error(error, root):
            key = (problem.pointer, problem.at_key, problem.message)
            if key not in seen:
                seen.add(key)
                found.append(problem)
    return found


def request_semantic_problems(body: Any, prefix: str = "") -> list[Problem]:
    """Request rules a schema cannot express: start before end; ignored cohort ranges."""
    if not isinstance(body, dict):
        return []
    found: list[Problem] = []
    for name in DATETIME_RANGE_FIELDS:
        window = body.get(name)
        if not isinstance(window, dict):
            continue
        start, end = window.get("start"), window.get("end")
        if not (isinstance(start, str) and isinstance(end, str)):
            continue
        if not (_rfc3339().search(start) and _rfc3339().search(end)):
            continue  # the schema already says what is wrong with the text
        try:
            before = parse_rfc3339(start) < parse_rfc3339(end)
        except ValueError:
            continue
        if not before:
            found.append(
                Problem(
                    f"{prefix}/{name}",
                    f"{name}: start ({start}) must be before end ({end}); the window is "
                    "[start, end)",
                    at_key=True,
                )
            )
    if body.get("type") == "active-stage-cohort":
        for name in ("cohort_relative_range", "cohort_datetime_range"):
            if name in body:
                found.append(
                    Problem(
                        f"{prefix}/{name}",
                        f"{name} is ignored by Close on active-stage-cohort reports; remove it "
                        "or use type created-cohort",
                        severity="warning",
                        at_key=True,
                    )
                )
    return found


@cache
def _zone_names() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def timezone_problem(name: Any, pointer: str = "/timezone") -> Problem | None:
    """Whether `name` is a real IANA zone (the schema only checks its shape)."""
    if not isinstance(name, str) or not name:
        return None
    if name not in ("localtime", "posixrules", "Factory") and not name.startswith("/"):
        try:
            ZoneInfo(name)
            return None
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    hint = did_you_mean(name, _zone_names())
    if not hint:
        lowered = {zone.lower(): zone for zone in _zone_names()}
        if name.lower() in lowered:
            hint = f"; did you mean {lowered[name.lower()]!r}?"
    return Problem(
        pointer,
        f"timezone {name!r} is not an IANA time-zone name such as Europe/Berlin or UTC{hint}",
    )
