# ruff: noqa: E501  (tables of YAML snippets read best one case per line)
"""validate_paths: spec-level rules, locations (spec, defaults, matrix), ids, strictness."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportrunner.errors import UsageError
from reportrunner.spec.validate import validate_paths

from .conftest import PIPE, Project

GOOD = f"""
title: Good
request:
  pipeline: {PIPE}
  type: created-cohort
  cohort_relative_range: this-month
"""


def only(result, file: str = "specs/a.yaml"):  # type: ignore[no-untyped-def]
    assert len(result.diagnostics) == 1, [str(d) for d in result.diagnostics]
    diagnostic = result.diagnostics[0]
    assert diagnostic.file == file, str(diagnostic)
    return diagnostic


def test_a_good_spec_becomes_a_spec_with_defaults(project: Project) -> None:
    result = project({"specs/a.yaml": GOOD})
    assert result.diagnostics == [] and result.rejected == [] and result.files == 1
    spec = result.specs[0]
    assert (spec.id, spec.title, spec.source) == ("a", "Good", "specs/a.yaml")
    assert spec.endpoints == ("totals", "stages") and spec.formats == ("html", "md", "csv")
    assert (spec.currency, spec.timezone) == ("USD", "UTC")
    assert spec.locations["/request/type"].line == 4


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        (
            "title: T\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\ncolour: red\n",
            3,
            1,
            "unknown key 'colour'",
        ),
        (
            "title: T\nrequest:\n  pipeline: pipe_x\n  type: created-cohort\n  cohort_relative_range: today\n  user: []\n",
            6,
            3,
            "did you mean 'users'?",
        ),
        (
            "request:\n  pipeline: pipe_x\n  type: created-cohort\n  cohort_relative_range: today\n",
            1,
            1,
            "missing the required key 'title'",
        ),
        (
            "title: T\nrequest:\n  type: created-cohort\n  cohort_relative_range: today\n",
            2,
            1,
            "request is missing the required key 'pipeline'",
        ),
        (
            "title: T\nrequest:\n  pipeline: pipe_x\n  type: created-cohort\n",
            2,
            1,
            "created-cohort reports need cohort_relative_range or cohort_datetime_range",
        ),
        (
            "title: ''\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            1,
            8,
            "title must be a non-empty text",
        ),
        (
            "id: Bad_Id\ntitle: T\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            1,
            5,
            "id must be 1 to 63 lowercase",
        ),
        (
            "title: T\nendpoints: []\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            2,
            12,
            "endpoints must not be empty",
        ),
        (
            "title: T\nendpoints: [totals, summary]\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            2,
            21,
            "must be one of totals, stages",
        ),
        (
            "title: T\nformats: [html, html]\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            2,
            10,
            'lists "html" more than once',
        ),
        (
            "title: T\nformats: [pdf]\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            2,
            11,
            "must be one of html, md, csv",
        ),
        (
            "title: T\ncurrency: usd\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            2,
            11,
            "ISO 4217",
        ),
        (
            "title: T\ntimezone: Europe/Berln\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            2,
            11,
            "did you mean 'Europe/Berlin'?",
        ),
        (
            "title: T\ntimezone: europe/berlin\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            2,
            11,
            "did you mean 'Europe/Berlin'?",
        ),
        (
            "title: T\ntags: [ok, '']\nrequest: {pipeline: pipe_x, type: created-cohort, cohort_relative_range: today}\n",
            2,
            12,
            "each tag must be",
        ),
        ("title: T\nrequest: [pipeline]\n", 2, 10, "request must be a mapping"),
        (
            "title: T\nrequest:\n  pipeline: pipe_x\n  type: created-cohort\n  cohort_datetime_range:\n    start: 2026-01-01\n    end: 2026-02-01T00:00:00Z\n",
            6,
            12,
            "add the time and offset, e.g. 2026-01-01T00:00:00Z",
        ),
        (
            "title: T\nrequest:\n  pipeline: pipe_x\n  type: active-stage-cohort\n  report_datetime_range:\n    start: 2026-03-01T00:00:00Z\n    end: 2026-02-01T00:00:00Z\n",
            5,
            3,
            "must be before end",
        ),
        (
            "title: T\nrequest:\n  pipeline: pipe_x\n  type: created-cohort\n  cohort_relative_range: today\n  compared_datetime_range: same-days-last-week\n",
            6,
            3,
            "needs cohort_datetime_range",
        ),
        (
            "title: T\nrequest:\n  pipeline: pipe_x\n  type: created-cohort\n  cohort_relative_range: today\n  cohort_datetime_range: {start: 2026-01-01T00:00:00Z, end: 2026-01-02T00:00:00Z}\n",
            6,
            3,
            "not both",
        ),
        (
            "title: T\nx-shared: &u [user_a]\nrequest:\n  pipeline: pipe_x\n  type: created-cohort\n  cohort_relative_range: today\n  users: *u\n  query: {type: saved_search, saved_search_id: nope}\n",
            8,
            48,
            "saved_search_id must be",
        ),
    ],
)
def test_each_spec_rule_points_at_its_line(
    project: Project, text: str, line: int, column: int, words: str
) -> None:
    result = project({"specs/a.yaml": text})
    diagnostic = only(result)
    assert (diagnostic.line, diagnostic.column) == (line, column), str(diagnostic)
    assert words in diagnostic.message, str(diagnostic)
    assert result.specs == [] and len(result.rejected) == 1


def test_x_keys_and_merge_keys_are_allowed(project: Project) -> None:
    text = GOOD.replace("title: Good", "x-base: &base\n  type: created-cohort\ntitle: Good")
    text = text.replace("  type: created-cohort\n  cohort", "  <<: *base\n  cohort", 1)
    result = project({"specs/a.yaml": text})
    assert result.diagnostics == [], [str(d) for d in result.diagnostics]
    assert result.specs[0].request["type"] == "created-cohort"
    assert "x-base" not in result.specs[0].request


def test_defaults_merge_and_problems_point_at_reportrunner_yaml(project: Project) -> None:
    result = project(
        {
            "reportrunner.yaml": """
                defaults:
                  timezone: Asia/Kolkata
                  tags: [all]
                  request:
                    pipeline: pipe_default
                    users: [group_x]
                    compared_relative_range: last-month
            """,
            "specs/a.yaml": """
                title: Relative
                tags: [mine]
                request: {type: created-cohort, cohort_relative_range: this-month, users: []}
            """,
            "specs/b.yaml": """
                title: Dated
                request:
                  type: created-cohort
                  cohort_datetime_range: {start: 2026-01-01T00:00:00Z, end: 2026-02-01T00:00:00Z}
            """,
        }
    )
    (spec,) = result.specs
    assert spec.timezone == "Asia/Kolkata" and spec.tags == ("mine",)  # lists replace
    assert spec.request["pipeline"] == "pipe_default" and spec.request["users"] == []
    assert spec.request["compared_relative_range"] == "last-month"
    assert spec.locations["/request/pipeline"].file == "reportrunner.yaml"
    diagnostic = only(result, "reportrunner.yaml")
    assert (diagnostic.line, diagnostic.column) == (7, 5)
    assert "needs cohort_relative_range" in diagnostic.message
    assert "used by specs/b.yaml" in diagnostic.message
    assert result.project_ok and result.project.defaults["timezone"] == "Asia/Kolkata"


def test_an_invalid_project_file_is_reported_once(project: Project) -> None:
    result = project(
        {
            "reportrunner.yaml": "site: {title: X}\napi: {jobs: 100}\ndefaults:\n  timezone: Mars/Base\n",
            "specs/a.yaml": GOOD,
            "specs/b.yaml": GOOD,
        }
    )
    assert not result.project_ok
    assert [(d.file, d.line, d.column) for d in result.diagnostics] == [
        ("reportrunner.yaml", 2, 13),
        ("reportrunner.yaml", 4, 13),
    ]
    assert "from 1 to 16" in result.diagnostics[0].message
    assert len(result.rejected) == 2  # the broken default time zone reaches both specs


def test_the_organisation_id_of_the_project_file(project: Project) -> None:
    good = "api:\n  organization_id: orga_RbREgmiiwcr1w2b4cOnC\n"
    result = project({"reportrunner.yaml": good, "specs/a.yaml": GOOD})
    assert result.project_ok and result.project.organization_id == "orga_RbREgmiiwcr1w2b4cOnC"
    bad = "api:\n  organization_id: ../user/x\n"
    result = project({"reportrunner.yaml": bad, "specs/a.yaml": GOOD})
    assert not result.project_ok
    (problem,) = result.diagnostics
    assert (problem.file, problem.line, problem.column) == ("reportrunner.yaml", 2, 20)
    assert "must be a Close organisation id such as orga_" in problem.message


def test_matrix_expands_with_ids_titles_and_matrix_line_locations(project: Project) -> None:
    result = project(
        {
            "specs/a.yaml": f"""
                id: nb
                title: New business vs {{compared_relative_range}}
                matrix:
                  compared_relative_range: [last-month, last-yaer]
                  users: [[], [group_x]]
                request:
                  pipeline: {PIPE}
                  type: created-cohort
                  cohort_relative_range: this-month
            """
        }
    )
    assert [s.id for s in result.specs] == ["nb-last-month-1", "nb-last-month-2"]
    assert result.specs[0].title == "New business vs last-month"
    assert result.specs[1].matrix_values == {
        "compared_relative_range": "last-month",
        "users": ["group_x"],
    }
    assert result.specs[1].locations["/request/users"].line == 5
    diagnostic = only(result)
    assert (diagnostic.line, diagnostic.column) == (4, 41)
    assert "did you mean 'last-year'?" in diagnostic.message
    assert sorted(r.id for r in result.rejected if r.id) == ["nb-last-yaer-1", "nb-last-yaer-2"]


def test_matrix_title_without_placeholders_gets_values_appended(project: Project) -> None:
    text = GOOD.replace(
        "title: Good", "title: Good\nmatrix: {report_relative_range: [today, yesterday]}"
    )
    result = project({"specs/a.yaml": text})
    assert [s.title for s in result.specs] == ["Good — today", "Good — yesterday"]


@pytest.mark.parametrize(
    ("matrix", "words"),
    [
        ("matrix: {cohort_relative_range: []}", "matrix values must be a non-empty list"),
        ("matrix: {colour: [red]}", "unknown key 'colour' in matrix"),
        ("matrix: {}", "matrix must not be empty"),
    ],
)
def test_malformed_matrix_is_explained(project: Project, matrix: str, words: str) -> None:
    result = project({"specs/a.yaml": GOOD.replace("title: Good", f"title: Good\n{matrix}")})
    diagnostic = only(result)
    assert diagnostic.line == 2 and words in diagnostic.message, str(diagnostic)


def test_huge_matrix_is_refused(project: Project) -> None:
    values = ", ".join(f"v{i}" for i in range(20))
    text = GOOD.replace(
        "title: Good", f"title: Good\nmatrix: {{pipeline: [{values}], users: [{values}]}}"
    )
    diagnostic = only(project({"specs/a.yaml": text}))
    assert "expands to 400 reports" in diagnostic.message and diagnostic.line == 2


def test_a_duplicate_id_is_an_error_on_the_later_file_only(project: Project) -> None:
    result = project({"specs/a.yaml": GOOD, "specs/sub/b.yaml": "id: a\n" + GOOD.lstrip()})
    messages = {d.file: d.message for d in result.diagnostics}
    assert set(messages) == {"specs/sub/b.yaml"}
    assert "specs/a.yaml:1" in messages["specs/sub/b.yaml"]
    assert [s.id for s in result.specs] == ["a"] and len(result.rejected) == 1


def test_file_name_that_is_not_an_id(project: Project) -> None:
    diagnostic = only(project({"specs/My Report.yaml": GOOD}), "specs/My Report.yaml")
    assert "the file name gives the report id 'My Report'" in diagnostic.message


def test_warnings_pass_unless_strict(project: Project) -> None:
    text = f"title: T\nrequest:\n  pipeline: {PIPE}\n  type: active-stage-cohort\n  report_relative_range: today\n  cohort_relative_range: today\n"
    result = project({"specs/a.yaml": text})
    assert (result.errors, result.warnings, len(result.specs)) == (0, 1, 1)
    assert result.diagnostics[0].line == 6
    strict = validate_paths(
        [Path(result.project.root) / "specs"], root=result.project.root, strict=True
    )
    assert (strict.errors, strict.warnings, len(strict.specs)) == (1, 0, 0)


def test_every_file_is_checked_and_broken_yaml_is_one_diagnostic(project: Project) -> None:
    result = project(
        {"specs/a.yaml": "title: [unclosed\n", "specs/b.yaml": GOOD, "specs/c.yml": ""}
    )
    assert [(d.file, d.line) for d in result.diagnostics] == [
        ("specs/a.yaml", 2),
        ("specs/c.yml", 1),
    ]
    assert "YAML syntax error" in result.diagnostics[0].message
    assert "empty" in result.diagnostics[1].message
    assert [s.id for s in result.specs] == ["b"] and result.files == 3


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        validate_paths([tmp_path / "nope"], root=tmp_path)


def test_hidden_folders_are_skipped(project: Project) -> None:
    result = project({"specs/a.yaml": GOOD, "specs/.drafts/b.yaml": "broken: ["})
    assert result.files == 1 and result.errors == 0


def test_the_example_specs_validate() -> None:
    root = Path(__file__).resolve().parents[2]
    result = validate_paths([root / "specs"], root=root, strict=True)
    assert result.diagnostics == [], [str(d) for d in result.diagnostics]
    assert result.files >= 5 and 8 <= len(result.specs) <= 20
    requests = [s.request for s in result.specs if s.kind == "funnel"]
    assert {r["type"] for r in requests} == {"created-cohort", "active-stage-cohort"}
    others = {(s.kind, s.request["type"]) for s in result.specs if s.kind == "activity"}
    assert others == {("activity", "overview"), ("activity", "comparison")}
    # The date-taking kinds' requests have no `type` (query parameters only).
    assert "sent-emails" in {s.kind for s in result.specs}
    for name in (
        "compared_relative_range",
        "compared_datetime_range",
        "compared_custom_range",
        "query",
        "cohort_datetime_range",
        "report_relative_range",
    ):
        assert any(name in r for r in requests), name
    users = [u for r in requests for u in r.get("users", [])]
    assert any(u.startswith("user_") for u in users) and any(u.startswith("group_") for u in users)
    assert any(s.endpoints == ("stages",) for s in result.specs)
    assert any(s.matrix_values for s in result.specs)
    for path in (root / "specs").glob("*.yaml"):
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")


def test_a_request_field_also_in_the_matrix_is_an_error(project: Project) -> None:
    text = GOOD.replace(
        "title: Good", "title: Good\nmatrix: {cohort_relative_range: [today, yesterday]}"
    )
    diagnostic = only(project({"specs/a.yaml": text}))
    assert (diagnostic.line, diagnostic.column) == (6, 3)
    assert "set both here and in the matrix" in diagnostic.message


def test_a_default_overridden_by_the_matrix_is_fine(project: Project) -> None:
    result = project(
        {
            "reportrunner.yaml": "defaults:\n  request: {compared_relative_range: last-month}\n",
            "specs/a.yaml": GOOD.replace(
                "title: Good", "title: Good\nmatrix: {compared_relative_range: [last-year]}"
            ),
        }
    )
    assert (
        result.diagnostics == []
        and result.specs[0].request["compared_relative_range"] == "last-year"
    )
