"""Each date-taking kind's own request rules (a valid and an invalid file, with the line), and
the `Spec` that `validate` makes of a valid file: its kind, endpoint, range, compare and query
parameters (the contract `kinds/dated.py` plans from; issue 12).
"""

from __future__ import annotations

import pytest

from .conftest import Project
from .test_dated_rules import PROJECT, SAVE, USER, Rule, head, req

LEAD, OPPORTUNITY, SENT = "lead-statuses", "opportunity-statuses", "sent-emails"

RULES = [
    Rule("query or smart_view_id", req('query: "status:Qualified"'),
         req('query: "status:Qualified"', f"smart_view_id: {SAVE}"), 5,
         "use either query or smart_view_id, not both", LEAD),
    Rule("smart_view_id is a Smart View id", req(f"smart_view_id: {SAVE}"),
         req("smart_view_id: view_abc"), 4, "smart_view_id must be a Close Smart View id", LEAD),
    Rule("query is not empty", req("query: status:Potential"), req('query: ""'), 4,
         "query must be a non-empty Close search query", LEAD),
    Rule("no user filter on leads", req("query: x"), req(f"user_id: {USER}"), 4,
         "user_id is not a parameter of the lead status report", LEAD),
    Rule("no pipeline on leads", req("query: x"), req("pipeline: pipe_abc"), 4,
         "pipeline is a funnel field: the status reports take no pipeline filter", LEAD),
    Rule("unknown lead keys get a did-you-mean", req(f"smart_view_id: {SAVE}"),
         req(f"smart_veiw_id: {SAVE}"), 4,
         "unknown key 'smart_veiw_id' in request; did you mean 'smart_view_id'?", LEAD),
    Rule("a Smart View placeholder", req(f"smart_view_id: {SAVE}"),
         req("smart_view_id: save_REPLACEME"), 4,
         "save_REPLACEME is a placeholder, not a saved search of your account", LEAD),
    Rule("a lead matrix takes lead fields", f"matrix:\n  smart_view_id: [{SAVE}]\n",
         f"matrix:\n  user_id: [{USER}]\n", 4,
         "unknown key 'user_id' in matrix; allowed keys: query, smart_view_id", LEAD),
    Rule("a matrix value is checked as the request field",
         f"matrix:\n  smart_view_id: [{SAVE}, save_b]\n",
         f"matrix:\n  smart_view_id:\n    - {SAVE}\n    - view_b\n", 6,
         "smart_view_id must be a Close Smart View id", LEAD),
    Rule("query or smart_view_id on opportunities", req(f"smart_view_id: {SAVE}"),
         req(f"smart_view_id: {SAVE}", "query: x"), 5,
         "use either query or smart_view_id, not both", OPPORTUNITY),
    Rule("user_id is a user id", req(f"user_id: {USER}"),
         req("user_id: group_57P6QUf8b4BlepZJYgRj5W"), 4,
         "user_id must be one Close user id", OPPORTUNITY),
    Rule("a user placeholder", req(f"user_id: {USER}"), req("user_id: user_REPLACEME"), 4,
         "user_REPLACEME is a placeholder, not a user of your account", OPPORTUNITY),
    Rule("one user, not users", req(f"user_id: {USER}"), req(f"users: [{USER}]"), 4,
         "users is a funnel and activity field: filter by one user with user_id", OPPORTUNITY),
    Rule("no pipeline on opportunities", req("query: x"), req("pipeline: pipe_abc"), 4,
         "all pipelines' statuses appear together", OPPORTUNITY),
    Rule("unknown opportunity keys get a did-you-mean", req(f"user_id: {USER}"),
         req(f"userid: {USER}"), 4, "did you mean 'user_id'?", OPPORTUNITY),
    Rule("an opportunity matrix takes user ids", f"matrix:\n  user_id: [{USER}]\n",
         "matrix:\n  user_id: [stefan]\n", 4, "user_id must be one Close user id", OPPORTUNITY),
    Rule("no search query on sent e-mails", req(f"user_id: {USER}"), req("query: x"), 4,
         "query is not a parameter of the sent e-mails report", SENT),
    Rule("no Smart View on sent e-mails", req(f"user_id: {USER}"),
         req(f"smart_view_id: {SAVE}"), 4,
         "smart_view_id is not a parameter of the sent e-mails report", SENT),
    Rule("a sender is a user id", req(f"user_id: {USER}"), req("user_id: stefan"), 4,
         "user_id must be one Close user id", SENT),
    Rule("a sender placeholder", req(f"user_id: {USER}"), req("user_id: user_REPLACEME"), 4,
         "user_REPLACEME is a placeholder", SENT),
    Rule("a sent e-mails matrix takes user ids only", f"matrix:\n  user_id: [{USER}]\n",
         "matrix:\n  query: [x]\n", 4, "unknown key 'query' in matrix; allowed keys: user_id",
         SENT),
]  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_valid_file_passes(project: Project, rule: Rule) -> None:
    result = project({"reportrunner.yaml": PROJECT, "specs/a.yaml": head(rule.kind) + rule.valid})
    assert result.diagnostics == [], [str(d) for d in result.diagnostics]
    assert result.specs and all(spec.kind == rule.kind for spec in result.specs)


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_invalid_file_is_flagged_on_its_line(project: Project, rule: Rule) -> None:
    text = head(rule.kind) + rule.invalid
    result = project({"reportrunner.yaml": PROJECT, "specs/a.yaml": text})
    found = [d for d in result.diagnostics if rule.words in d.message]
    assert found, [str(d) for d in result.diagnostics]
    assert [(d.file, d.line, d.severity) for d in found] == [
        ("specs/a.yaml", rule.line, "error")
    ], [str(d) for d in result.diagnostics]
    assert result.rejected and ("matrix" in rule.invalid or not result.specs)


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("lead-status", "did you mean 'lead-statuses'?"),
        ("opportunity-status", "did you mean 'opportunity-statuses'?"),
        ("sent-email", "did you mean 'sent-emails'?"),
    ],
)
def test_a_kind_typo_gets_a_did_you_mean(project: Project, written: str, words: str) -> None:
    result = project({"specs/a.yaml": head(written) + "range: last-week\n"})
    assert [(d.line, words in d.message) for d in result.diagnostics] == [(1, True)], [
        str(d) for d in result.diagnostics
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("title: T\nrange: last-week\nrequest: {cohort_relative_range: this-month}\n",
         "range is for lead-statuses, opportunity-statuses and sent-emails reports; a funnel"),
        ("kind: activity\ntitle: T\nrange: last-week\nrequest:\n  type: overview\n"
         "  relative_range: this-week\n  metrics: [calls.all.all.count]\n",
         "an activity report's period is request.relative_range or request.datetime_range"),
    ],
    ids=["funnel", "activity"],
)  # fmt: skip
def test_range_is_refused_on_the_other_kinds(project: Project, text: str, words: str) -> None:
    result = project({"reportrunner.yaml": PROJECT, "specs/a.yaml": text})
    (diagnostic,) = [d for d in result.diagnostics if "range is for" in d.message]
    assert (diagnostic.line, words in diagnostic.message) == (2 + text.startswith("kind"), True)


@pytest.mark.parametrize(
    ("kind", "endpoint"),
    [(LEAD, "lead_statuses"), (OPPORTUNITY, "opportunity_statuses"), (SENT, "sent_emails")],
)
def test_each_kind_becomes_its_spec(project: Project, kind: str, endpoint: str) -> None:
    parameter = f"smart_view_id: {SAVE}" if kind != SENT else f"user_id: {USER}"
    text = head(kind) + "range: last-week\ncompare: previous-period\ntags: [weekly]\n"
    result = project({"reportrunner.yaml": PROJECT, "specs/moves.yaml": text + req(parameter)})
    (spec,) = result.specs
    assert (spec.id, spec.kind, spec.endpoints, spec.range, spec.compare) == (
        "moves",
        kind,
        (endpoint,),
        "last-week",
        "previous-period",
    )
    assert spec.request == dict([parameter.split(": ")])  # no funnel default leaks in
    assert (spec.timezone, spec.comparison, spec.tags) == ("Europe/Berlin", "to-date", ("weekly",))
    assert spec.locations["/request/" + parameter.split(":")[0]].line == 7


def test_a_range_of_dates_and_no_request(project: Project) -> None:
    text = head(SENT) + "range: {start: 2026-01-01, end: 2026-04-01}\n"
    (spec,) = project({"reportrunner.yaml": PROJECT, "specs/q1.yaml": text}).specs
    assert (spec.range, spec.request, spec.compare) == (
        {"start": "2026-01-01", "end": "2026-04-01"},
        {},
        "none",
    )


def test_request_dates_are_query_parameters_and_no_range(project: Project) -> None:
    text = head(LEAD) + "compare: previous-period\n"
    text += req("date_start: 2026-01-01", "date_end: 2026-02-01", "query: status:Qualified")
    (spec,) = project({"reportrunner.yaml": PROJECT, "specs/jan.yaml": text}).specs
    assert spec.range is None
    assert spec.request == {
        "date_start": "2026-01-01",
        "date_end": "2026-02-01",
        "query": "status:Qualified",
    }
    assert all(isinstance(value, str) for value in spec.request.values())


def test_a_matrix_makes_one_report_per_user(project: Project) -> None:
    other = "user_H7tle2gL7DeSTVxuTGSaOa"
    text = (
        f"kind: {OPPORTUNITY}\nid: deals\ntitle: Deals of {{user_id}}\nrange: this-month\n"
        f"matrix:\n  user_id: [{USER}, {other}]\n"
    )
    specs = project({"specs/d.yaml": text}).specs
    assert [(s.id, s.title, s.request, s.range) for s in specs] == [
        (f"deals-{other.lower().replace('_', '-')}", f"Deals of {other}", {"user_id": other},
         "this-month"),
        (f"deals-{USER.lower().replace('_', '-')}", f"Deals of {USER}", {"user_id": USER},
         "this-month"),
    ]  # fmt: skip
