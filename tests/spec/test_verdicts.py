"""One verdict per problem, the same from every command (issue 15, point 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportrunner.spec.messages import did_you_mean

from .conftest import PIPE, Project, explain, invoke, write

SPEC = f"""\
id: {{id}}
title: T
request:
  pipeline: {PIPE}
  type: created-cohort
  cohort_relative_range: this-month
"""
BROKEN_PROJECT = "site:\n  title: 5\n  colour: red\n"
RANGES = [
    "today", "this-week", "this-month", "this-quarter", "this-year", "yesterday", "last-week",
    "last-month", "last-quarter", "last-year", "all-time",
]  # fmt: skip


def test_a_duplicate_id_is_one_error_on_the_later_file_pointing_at_the_first(
    project: Project,
) -> None:
    result = project(
        {
            "specs/a.yaml": SPEC.format(id="same"),
            "specs/b.yaml": "# b\n# c\n" + SPEC.format(id="same"),
        }
    )
    assert result.errors == 1, result.diagnostics
    (only,) = result.diagnostics
    assert (only.file, only.line) == ("specs/b.yaml", 3)
    assert "'same' is already used by specs/a.yaml:1" in only.message
    assert [s.source for s in result.specs] == ["specs/a.yaml"]  # the first still runs
    assert [r.file for r in result.rejected] == ["specs/b.yaml"]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("previous-month", "last-month"),
        ("prior-quarter", "last-quarter"),
        ("current-year", "this-year"),
        ("Last_Week", "last-week"),
        ("month-to-date", "this-month"),
        ("ytd", "this-year"),
        ("last-mnth", "last-month"),  # plain misspellings still get the spelling match
    ],
)
def test_did_you_mean_prefers_meaning_over_spelling(written: str, meant: str) -> None:
    assert did_you_mean(written, RANGES) == f"; did you mean {meant!r}?"


def test_did_you_mean_in_a_real_diagnostic(project: Project) -> None:
    spec = SPEC.format(id="x").replace("this-month", "previous-month")
    result = project({"specs/x.yaml": spec})
    assert "did you mean 'last-month'?" in result.diagnostics[0].message


@pytest.mark.parametrize(
    ("args", "consequence"),
    [
        (["validate"], None),
        (["plan"], "nothing was planned"),
        (["run", "--emulator"], "no report was fetched"),
        (["new", "weekly"], "no spec was written"),
        (["ids", "--emulator"], "no id was looked up"),
        (["render", "--from", "site"], "nothing was rendered"),
    ],
)
def test_an_invalid_project_file_is_shown_by_every_command_with_exit_2(
    tmp_path: Path, args: list[str], consequence: str | None
) -> None:
    write(tmp_path, {"reportrunner.yaml": BROKEN_PROJECT, "specs/a.yaml": SPEC.format(id="a")})
    (tmp_path / "site").mkdir()
    result = invoke(tmp_path, *args)
    assert result.exit_code == 2, explain(result)
    shown = result.stdout if args == ["validate"] else result.stderr
    assert "reportrunner.yaml:2:10: error: site.title must be" in shown, explain(result)
    assert "reportrunner.yaml:3:3: error: unknown key 'colour' in site" in shown, explain(result)
    if consequence:
        assert f"reportrunner.yaml is invalid (2 errors above), so {consequence}" in shown
    assert not (tmp_path / "specs" / "weekly.yaml").exists()


def test_online_summary_counts_a_report_with_an_unknown_id_as_invalid(tmp_path: Path) -> None:
    wrong = SPEC.format(id="wrong").replace(PIPE, "pipe_DoesNotExist1234567")
    write(tmp_path, {"specs/a.yaml": SPEC.format(id="a"), "specs/wrong.yaml": wrong})
    result = invoke(tmp_path, "validate", "--online", "--emulator")
    assert result.exit_code == 1, explain(result)
    assert "2 spec files checked (1 valid report): 1 error, 0 warnings" in result.stdout
