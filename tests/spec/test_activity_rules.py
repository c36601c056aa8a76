"""Every activity rule through `validate`: a valid file and an invalid one, with the line.

Each case is a whole spec file under specs/ of a project whose reportrunner.yaml carries funnel
defaults (a pipeline, endpoints, comparison): those must not leak into activity specs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .conftest import Project

PROJECT = """
defaults:
  timezone: Europe/Berlin
  endpoints: [totals]
  comparison: full-period
  request:
    pipeline: pipe_4vukv2FUlFh9FDiVYAop1U
    type: created-cohort
"""

HEAD = "kind: activity\ntitle: Team activity\n"
GOOD_REQUEST = """request:
  type: overview
  relative_range: this-week
  metrics: [calls.outbound.all.count, emails.sent.all.count]
"""


@dataclass(frozen=True)
class Rule:
    name: str
    valid: str
    invalid: str
    line: int  # the line of the invalid file the diagnostic must name
    words: str
    severity: str = "error"


def req(*lines: str) -> str:
    return "request:\n" + "".join(f"  {line}\n" for line in lines)


TYPE = "type: overview"
RANGE = "relative_range: this-week"
METRICS = "metrics: [calls.outbound.all.count]"
WEEK = "datetime_range: {start: 2026-01-01T00:00:00Z, end: 2026-01-08T00:00:00Z}"
BACKWARDS = "datetime_range: {start: 2026-01-08T00:00:00Z, end: 2026-01-01T00:00:00Z}"

RULES = [
    Rule(
        "type is mandatory",
        HEAD + req(TYPE, RANGE, METRICS),
        HEAD + req(RANGE, METRICS),
        3,
        "request is missing the required key 'type'",
    ),
    Rule(
        "type is overview or comparison",
        HEAD + req("type: comparison", RANGE, METRICS),
        HEAD + req("type: leaderboard", RANGE, METRICS),
        4,
        "type must be one of overview, comparison",
    ),
    Rule(
        "metrics are mandatory",
        HEAD + req(TYPE, RANGE, METRICS),
        HEAD + req(TYPE, RANGE),
        3,
        "request is missing the required key 'metrics'",
    ),
    Rule(
        "metrics are not empty",
        HEAD + req(TYPE, RANGE, METRICS),
        HEAD + req(TYPE, RANGE, "metrics: []"),
        6,
        "metrics must not be empty",
    ),
    Rule(
        "metrics are unique",
        HEAD + req(TYPE, RANGE, "metrics: [calls.all.all.count, sms.sent.all.count]"),
        HEAD + req(TYPE, RANGE, "metrics: [calls.all.all.count, calls.all.all.count]"),
        6,
        'metrics lists "calls.all.all.count" more than once',
    ),
    Rule(
        "a metric is a key",
        HEAD + req(TYPE, RANGE, METRICS),
        HEAD + req(TYPE, RANGE, "metrics:", "  - calls.all.all.count", "  - outbound calls"),
        8,
        "each metric must be a metric key such as calls.outbound.all.count",
    ),
    Rule(
        "an unknown metric is a warning offline",
        HEAD + req(TYPE, RANGE, "metrics: [opportunities.value_won.monthly.sum_value]"),
        HEAD + req(TYPE, RANGE, "metrics: [opportunities.won.all.sum_value]"),
        6,
        "did you mean 'opportunities.won.all.sum_annualized_value'?",
        "warning",
    ),
    Rule(
        "a range is mandatory",
        HEAD + req(TYPE, RANGE, METRICS),
        HEAD + req(TYPE, METRICS),
        3,
        "activity reports need relative_range or datetime_range",
    ),
    Rule(
        "not both ranges",
        HEAD + req(TYPE, WEEK, METRICS),
        HEAD + req(TYPE, RANGE, WEEK, METRICS),
        6,
        "use either relative_range or datetime_range, not both",
    ),
    Rule(
        "relative_range values",
        HEAD + req(TYPE, "relative_range: last-quarter", METRICS),
        HEAD + req(TYPE, "relative_range: previous-quarter", METRICS),
        5,
        "did you mean 'last-quarter'?",
    ),
    Rule(
        "datetime_range has start and end",
        HEAD
        + req(
            TYPE,
            "datetime_range:",
            "  start: 2026-01-01T00:00:00+01:00",
            "  end: 2026-01-08T00:00:00+01:00",
            METRICS,
        ),
        HEAD + req(TYPE, "datetime_range:", "  start: 2026-01-01T00:00:00+01:00", METRICS),
        5,
        "datetime_range is missing the required key 'end'",
    ),
    Rule(
        "datetime_range takes date-times with an offset",
        HEAD + req(TYPE, WEEK, METRICS),
        HEAD
        + req(
            TYPE, "datetime_range:", "  start: 2026-01-01", "  end: 2026-01-08T00:00:00Z", METRICS
        ),
        6,
        "is a date without a time (2026-01-01)",
    ),
    Rule(
        "datetime_range start before end",
        HEAD + req(TYPE, WEEK, METRICS),
        HEAD + req(TYPE, BACKWARDS, METRICS),
        5,
        "datetime_range: start (2026-01-08T00:00:00Z) must be before end",
    ),
    Rule(
        "datetime_range has no other keys",
        HEAD + req(TYPE, WEEK, METRICS),
        HEAD
        + req(
            TYPE,
            "datetime_range:",
            "  start: 2026-01-01T00:00:00Z",
            "  end: 2026-01-08T00:00:00Z",
            "  zone: UTC",
            METRICS,
        ),
        8,
        "unknown key 'zone' in datetime_range",
    ),
    Rule(
        "users are user or group ids",
        HEAD + req(TYPE, RANGE, METRICS, "users: [group_57P6QUf8b4BlepZJYgRj5W]"),
        HEAD + req(TYPE, RANGE, METRICS, "users: [stefan]"),
        7,
        "each entry of users must be a user id (user_…) or group id (group_…)",
    ),
    Rule(
        "users are unique",
        HEAD + req(TYPE, RANGE, METRICS, "users: []"),
        HEAD
        + req(
            TYPE,
            RANGE,
            METRICS,
            "users:",
            "  - group_57P6QUf8b4BlepZJYgRj5W",
            "  - group_57P6QUf8b4BlepZJYgRj5W",
        ),
        8,
        "more than once",
    ),
    Rule(
        "query is a saved search",
        HEAD + req(TYPE, RANGE, METRICS, "query: {type: saved_search, saved_search_id: save_abc}"),
        HEAD + req(TYPE, RANGE, METRICS, "query: {type: smart_view, saved_search_id: save_abc}"),
        7,
        "query type must be saved_search",
    ),
    Rule(
        "query has a saved-search id",
        HEAD + req(TYPE, RANGE, METRICS, "query: {type: saved_search, saved_search_id: save_abc}"),
        HEAD
        + req(TYPE, RANGE, METRICS, "query:", "  type: saved_search", "  saved_search_id: abc"),
        9,
        "saved_search_id must be a Close saved-search id",
    ),
    Rule(
        "no other request keys",
        HEAD + req(TYPE, RANGE, METRICS),
        HEAD + req(TYPE, RANGE, METRICS, "pipeline: pipe_4vukv2FUlFh9FDiVYAop1U"),
        7,
        "unknown key 'pipeline' in request",
    ),
    Rule(
        "compare values",
        HEAD + "compare: same-days-last-year\n" + GOOD_REQUEST,
        HEAD + "compare: last-year\n" + GOOD_REQUEST,
        3,
        "did you mean 'same-days-last-year'?",
    ),
    Rule(
        "compare needs an earlier period",
        HEAD + "compare: previous-period\n" + GOOD_REQUEST,
        HEAD + "compare: previous-period\n" + req(TYPE, "relative_range: all-time", METRICS),
        3,
        "relative_range all-time has none",
    ),
    Rule(
        "endpoints is a funnel key",
        HEAD + GOOD_REQUEST,
        HEAD + "endpoints: [totals]\n" + GOOD_REQUEST,
        3,
        "endpoints is a funnel key",
    ),
    Rule(
        "comparison is a funnel key",
        HEAD + "compare: none\n" + GOOD_REQUEST,
        HEAD + "comparison: to-date\n" + GOOD_REQUEST,
        3,
        "comparison is a funnel key",
    ),
    Rule(
        "kind values",
        HEAD + GOOD_REQUEST,
        "kind: activities\ntitle: T\n" + GOOD_REQUEST,
        1,
        "did you mean 'activity'?",
    ),
    Rule(
        "an activity matrix takes activity fields",
        HEAD + "matrix:\n  relative_range: [this-week, last-week]\n" + req(TYPE, METRICS),
        HEAD + "matrix:\n  cohort_relative_range: [this-week]\n" + req(TYPE, METRICS),
        4,
        "unknown key 'cohort_relative_range' in matrix",
    ),
    Rule(
        "a matrix value is checked as the request field",
        HEAD + "matrix:\n  type: [overview, comparison]\n" + req(RANGE, METRICS),
        HEAD + "matrix:\n  type: [overview, timeline]\n" + req(RANGE, METRICS),
        4,
        'type must be one of overview, comparison (found "timeline")',
    ),
    Rule(
        "shared keys keep their rules",
        HEAD + "tags: [weekly]\ntimezone: America/New_York\n" + GOOD_REQUEST,
        HEAD + "tags: [weekly]\ntimezone: Mars/Olympus\n" + GOOD_REQUEST,
        4,
        "timezone 'Mars/Olympus' is not an IANA time-zone name",
    ),
]


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_valid_file_passes(project: Project, rule: Rule) -> None:
    result = project({"reportrunner.yaml": PROJECT, "specs/a.yaml": rule.valid})
    assert result.diagnostics == [], [str(d) for d in result.diagnostics]
    assert result.specs and all(spec.kind == "activity" for spec in result.specs)


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_invalid_file_is_flagged_on_its_line(project: Project, rule: Rule) -> None:
    result = project({"reportrunner.yaml": PROJECT, "specs/a.yaml": rule.invalid})
    found = [d for d in result.diagnostics if rule.words in d.message]
    assert found, [str(d) for d in result.diagnostics]
    assert [(d.file, d.line, d.severity) for d in found] == [
        ("specs/a.yaml", rule.line, rule.severity)
    ], [str(d) for d in result.diagnostics]
    if rule.severity == "error":  # (a matrix file keeps its valid expansions)
        assert result.rejected and ("matrix" in rule.invalid or not result.specs)
    else:
        assert result.specs and not result.rejected


def test_an_activity_spec_becomes_an_activity_spec(project: Project) -> None:
    text = HEAD + "compare: previous-period\ntags: [weekly]\n" + GOOD_REQUEST
    result = project({"reportrunner.yaml": PROJECT, "specs/team.yaml": text})
    (spec,) = result.specs
    assert (spec.id, spec.kind, spec.compare, spec.endpoints) == (
        "team",
        "activity",
        "previous-period",
        ("activity",),
    )
    assert spec.timezone == "Europe/Berlin"  # a shared default applies
    assert spec.comparison == "to-date"  # the funnel default does not
    assert spec.request == {
        "type": "overview",
        "relative_range": "this-week",
        "metrics": ["calls.outbound.all.count", "emails.sent.all.count"],
    }
    assert spec.locations["/request/metrics/1"].line == 8


def test_a_funnel_spec_is_unchanged(project: Project) -> None:
    text = "title: T\nrequest:\n  cohort_relative_range: this-month\n"
    result = project({"reportrunner.yaml": PROJECT, "specs/f.yaml": text})
    (spec,) = result.specs
    assert (spec.kind, spec.compare, spec.endpoints, spec.comparison) == (
        "funnel",
        "none",
        ("totals",),
        "full-period",
    )
    assert spec.request["pipeline"] == "pipe_4vukv2FUlFh9FDiVYAop1U"


def test_compare_is_refused_on_a_funnel_spec(project: Project) -> None:
    text = "title: T\ncompare: previous-period\nrequest:\n  cohort_relative_range: this-month\n"
    result = project({"reportrunner.yaml": PROJECT, "specs/f.yaml": text})
    assert [(d.line, d.message) for d in result.diagnostics] == [
        (
            2,
            "compare is for activity reports (kind: activity); a funnel report compares with a "
            "compared_* field in its request",
        )
    ]


def test_a_matrix_expands_activity_reports(project: Project) -> None:
    text = (
        "kind: activity\nid: calls\ntitle: Calls — {relative_range}\n"
        "matrix:\n  relative_range: [this-week, last-week]\n" + req(TYPE, METRICS)
    )
    result = project({"specs/c.yaml": text})
    assert [(s.id, s.title, s.request["relative_range"]) for s in result.specs] == [
        ("calls-last-week", "Calls — last-week", "last-week"),
        ("calls-this-week", "Calls — this-week", "this-week"),
    ]
