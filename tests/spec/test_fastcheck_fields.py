"""The fast check agrees with jsonschema on documents that reach every field, and would notice
any rule it stopped checking.

schemadocs.py generates, for every place of both spec kinds, bare funnel and activity requests
and the project file, values on both sides of each rule. The mutation test then removes each
validation keyword of schema/*.json in turn (and moves each numeric bound by one), compiles the
fast check from the mutated schemas and requires a generated document on which it now
disagrees with jsonschema on the real schemas. Before issue 11 a `maxLength` or `minimum`
that always passed survived all of tests/spec; here no mutant survives except the listed
equivalent ones, which cannot change any verdict.
"""

from __future__ import annotations

import pytest

from reportrunner.spec.checks import SCHEMA_KINDS, fast_check

from .mutants import Mutant, killer, mutants
from .schemadocs import corpus

SPEC = "report-spec.schema.json"

#: Mutants that cannot change any verdict, and why.
_ENUM = "an enum or const of texts already refuses every non-text"
_NOT_A_MAP = "a request that is not a mapping is refused by the request's own type"
EQUIVALENT: dict[str, str] = {
    f"{SPEC}#/properties/kind/type removed": _ENUM,
    f"{SPEC}#/properties/formats/items/type removed": _ENUM,
    f"{SPEC}#/definitions/funnelSpec/properties/endpoints/items/type removed": _ENUM,
    f"{SPEC}#/definitions/funnelSpec/properties/comparison/type removed": _ENUM,
    f"{SPEC}#/definitions/activitySpec/properties/compare/type removed": _ENUM,
    f"{SPEC}#/definitions/relativeRange/type removed": _ENUM,
    f"{SPEC}#/definitions/request/properties/type/type removed": _ENUM,
    f"{SPEC}#/definitions/request/properties/compared_datetime_range/type removed": _ENUM,
    f"{SPEC}#/definitions/request/properties/query/properties/type/type removed": _ENUM,
    f"{SPEC}#/definitions/activityRequest/properties/type/type removed": _ENUM,
    # The top level and each kind's branch both say "a mapping".
    f"{SPEC}#/properties/matrix/type removed": "definitions/matrix and activityMatrix say it",
    f"{SPEC}#/properties/request/type removed": "each kind's request definition says it",
    f"{SPEC}#/definitions/matrix/type removed": "the top-level matrix says it",
    f"{SPEC}#/definitions/activityMatrix/type removed": "the top-level matrix says it",
    # `not: {required: [a, b]}` refuses every non-mapping (required ignores them, not flips).
    f"{SPEC}#/definitions/request/type removed": "its not-both rules refuse non-mappings",
    f"{SPEC}#/definitions/activityRequest/type removed": "its not-both rule refuses non-mappings",
    # The date-time format is checked with this very pattern (checks.is_rfc3339) and a calendar.
    f"{SPEC}#/definitions/dateTime/pattern removed": "format: date-time checks the same pattern",
    f"{SPEC}#/definitions/date/pattern removed": "format: date checks the same pattern",
    # The date-taking kinds: their request and matrix are mappings by the top-level rule, and
    # a request that is not a mapping is refused by its own type; the `type: object` inside
    # the range rules only keeps their sentence off such a request.
    f"{SPEC}#/definitions/leadStatusesRequest/type removed": "the top-level request says it",
    f"{SPEC}#/definitions/opportunityStatusesRequest/type removed": "the top-level request says it",
    f"{SPEC}#/definitions/sentEmailsRequest/type removed": "the top-level request says it",
    f"{SPEC}#/definitions/leadStatusesMatrix/type removed": "the top-level matrix says it",
    f"{SPEC}#/definitions/opportunityStatusesMatrix/type removed": "the top-level matrix says it",
    f"{SPEC}#/definitions/sentEmailsMatrix/type removed": "the top-level matrix says it",
    f"{SPEC}#/definitions/datedRules/allOf/0/if/properties/request/type removed": _NOT_A_MAP,
    f"{SPEC}#/definitions/datedRules/allOf/1/then/anyOf/1/properties/request/type removed": (
        _NOT_A_MAP
    ),
    # requestComplete requires type, so "if type is created-cohort" needs no required: [type].
    f"{SPEC}#/definitions/requestComplete/allOf/0/if/required removed": "type is required",
    f"{SPEC}#/definitions/requestComplete/allOf/1/if/required removed": "type is required",
}


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_the_fast_check_agrees_on_every_generated_document(kind: str) -> None:
    entries = corpus(kind)
    assert len(entries) > 1000 or (kind == "activity-request" and len(entries) > 500)
    valid = sum(entry.valid for entry in entries)
    assert 0.05 < valid / len(entries) < 0.6  # both sides of the rules, not one
    check = fast_check(kind)
    wrong = [entry.document for entry in entries if check(entry.document) != entry.valid]
    assert wrong == []


@pytest.mark.slow
def test_every_mutant_of_the_schemas_is_caught() -> None:
    found = mutants()
    names = {str(mutant) for mutant in found}
    assert set(EQUIVALENT) <= names  # the list is about keywords the schemas still have
    assert len(found) > 200
    survivors: list[Mutant] = [
        mutant for mutant in found if str(mutant) not in EQUIVALENT and killer(mutant) is None
    ]
    assert [str(mutant) for mutant in survivors] == []
