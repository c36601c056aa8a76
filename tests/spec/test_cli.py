# ruff: noqa: E501  (tables of YAML snippets read best one case per line)
"""The validate / plan / new / schema commands: formats, exit statuses, help, start-up imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PIPE, explain, invoke, write

GOOD = f"title: Good\nrequest:\n  pipeline: {PIPE}\n  type: created-cohort\n  cohort_relative_range: this-month\n"
BAD = "title: Bad\nrequest:\n  pipeline: pipe_x\n  type: created\n  cohort_relative_range: today\n"
WARN = f"title: W\nrequest:\n  pipeline: {PIPE}\n  type: active-stage-cohort\n  report_relative_range: today\n  cohort_relative_range: today\n"


def test_text_format_and_exit_status_1(tmp_path: Path) -> None:
    write(tmp_path, {"specs/good.yaml": GOOD, "specs/bad.yaml": BAD})
    result = invoke(tmp_path, "validate")
    assert result.exit_code == 1, explain(result)
    assert result.stdout.splitlines() == [
        "specs/bad.yaml:4:9: error: type must be one of created-cohort, active-stage-cohort "
        "(found \"created\"); did you mean 'created-cohort'?",
        "2 spec files checked (1 valid report): 1 error, 0 warnings",
    ], explain(result)


def test_success_and_warnings_exit_0_strict_exits_1(tmp_path: Path) -> None:
    write(tmp_path, {"specs/good.yaml": GOOD, "specs/warn.yaml": WARN})
    result = invoke(tmp_path, "validate", "specs")
    assert result.exit_code == 0, explain(result)
    assert "specs/warn.yaml:6:3: warning: cohort_relative_range is ignored" in result.stdout
    strict = invoke(tmp_path, "validate", "--strict")
    assert strict.exit_code == 1, explain(strict)
    assert "specs/warn.yaml:6:3: error:" in strict.stdout


def test_json_format_is_exactly_the_documented_shape(tmp_path: Path) -> None:
    write(tmp_path, {"specs/bad.yaml": BAD, "specs/warn.yaml": WARN})
    result = invoke(tmp_path, "validate", "--format", "json")
    assert result.exit_code == 1, explain(result)
    document = json.loads(result.stdout)
    assert set(document) == {"specs", "errors", "warnings", "diagnostics"}
    assert (document["specs"], document["errors"], document["warnings"]) == (2, 1, 1)
    assert document["diagnostics"][0] == {
        "file": "specs/bad.yaml",
        "line": 4,
        "column": 9,
        "severity": "error",
        "message": 'type must be one of created-cohort, active-stage-cohort (found "created"); '
        "did you mean 'created-cohort'?",
        "pointer": "/request/type",
    }


def test_github_format_and_step_summary(tmp_path: Path) -> None:
    write(tmp_path, {"specs/bad.yaml": BAD, "specs/warn.yaml": WARN})
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    result = invoke(
        tmp_path, "validate", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.exit_code == 1, explain(result)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=specs/bad.yaml,line=4,col=9::type must be one of")
    assert lines[1].startswith("::warning file=specs/warn.yaml,line=6,col=3::cohort_relative_range")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## reportrunner validate")
    assert "| ❌ | `specs/bad.yaml:4:9` |" in text and "⚠️" in text


def test_github_escapes_newlines_and_percent() -> None:
    from reportrunner.cli.output import github_annotation

    line = github_annotation("error", "100% bad\nnext", file="a,b:c.yaml", line=3, column=1)
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3,col=1::100%25 bad%0Anext"


def test_missing_path_exits_2_without_traceback(tmp_path: Path) -> None:
    result = invoke(tmp_path, "validate", "nowhere")
    assert result.exit_code == 2, explain(result)
    assert "error: nowhere: no such file or folder" in result.stderr
    assert "Traceback" not in result.output
    assert invoke(tmp_path, "validate", "--format", "xml").exit_code == 2


def test_plan_text_and_json(tmp_path: Path) -> None:
    compared = GOOD.replace("this-month\n", "this-month\n  compared_relative_range: last-month\n")
    write(
        tmp_path,
        {"specs/a.yaml": compared, "reportrunner.yaml": "defaults: {timezone: Asia/Kolkata}\n"},
    )
    text = invoke(tmp_path, "plan", "--at", "2026-11-30T09:00:00Z")
    assert text.exit_code == 0, explain(text)
    assert (
        "POST https://api.close.com/api/v1/report/funnel/opportunity/totals/  [totals, compared]"
        in text.stdout
    )
    assert "X-TZ-Offset: 5.5" in text.stdout
    # Nov 30 is still this month: the same span of last month is requested too (to date).
    assert "[totals, compared_to_date]" in text.stdout and '"compared_custom_range"' in text.stdout
    assert (
        "window compared_to_date: 2026-10-01T00:00:00+05:30 → 2026-10-30T14:30:00+05:30"
        in text.stdout
    )
    assert "1 report(s), 6 request(s), 6 unique" in text.stdout
    result = invoke(tmp_path, "plan", "--format", "json", "--at", "2026-11-30T09:00:00Z")
    document = json.loads(result.stdout)
    assert document["at"] == "2026-11-30T09:00:00Z"
    requests = document["reports"][0]["requests"]
    assert [(r["endpoint"], r["role"]) for r in requests] == [
        ("totals", "base"),
        ("totals", "compared"),
        ("totals", "compared_to_date"),
        ("stages", "base"),
        ("stages", "compared"),
        ("stages", "compared_to_date"),
    ]
    assert "compared_relative_range" not in requests[0]["body"]
    assert requests[1]["headers"]["X-TZ-Offset"] == "5.5"
    assert document["reports"][0]["windows"]["cohort"]["start"] == "2026-11-01T00:00:00+05:30"


def test_plan_shows_the_url_run_would_use(tmp_path: Path) -> None:
    """CLOSE_API_URL overrides api.base_url in `run`, so `plan` shows that URL too."""
    write(tmp_path, {"specs/a.yaml": GOOD})
    env = {"CLOSE_API_URL": "http://127.0.0.1:8787/api/v1"}
    text = invoke(tmp_path, "plan", "--at", "2026-11-30T09:00:00Z", env=env)
    assert text.exit_code == 0, explain(text)
    assert "against http://127.0.0.1:8787/api/v1" in text.stdout
    assert "POST http://127.0.0.1:8787/api/v1/report/funnel/opportunity/totals/" in text.stdout
    result = invoke(tmp_path, "plan", "--format", "json", "--at", "2026-11-30T09:00:00Z", env=env)
    assert json.loads(result.stdout)["api_base_url"] == "http://127.0.0.1:8787/api/v1"
    # Credentials in the URL are masked like everywhere else.
    secret = {"CLOSE_API_URL": "https://user:s3cr3t-pw@proxy.example/api/v1"}
    masked = invoke(tmp_path, "plan", "--at", "2026-11-30T09:00:00Z", env=secret)
    assert masked.exit_code == 0, explain(masked)
    assert "s3cr3t-pw" not in masked.output


def test_plan_with_errors_exits_1_and_plans_the_rest(tmp_path: Path) -> None:
    write(tmp_path, {"specs/a.yaml": GOOD, "specs/bad.yaml": BAD})
    result = invoke(tmp_path, "plan", "--format", "json")
    assert result.exit_code == 1, explain(result)
    assert [r["id"] for r in json.loads(result.stdout)["reports"]] == ["a"]
    assert "specs/bad.yaml:4:9: error" in result.stderr
    assert invoke(tmp_path, "plan", "--at", "yesterday").exit_code == 2


def test_new_writes_a_valid_commented_spec(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"reportrunner.yaml": "defaults:\n  request: {pipeline: pipe_Db7hIm3lXSbJROEjrwqX7J}\n"},
    )
    result = invoke(tmp_path, "new", "emea-weekly")
    assert result.exit_code == 0, explain(result)
    text = (tmp_path / "specs" / "emea-weekly.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/report-spec.schema.json\n")
    assert "pipe_Db7hIm3lXSbJROEjrwqX7J" in text
    check = invoke(tmp_path, "validate", "--strict", "specs/emea-weekly.yaml")
    assert check.exit_code == 0, explain(check)
    again = invoke(tmp_path, "new", "emea-weekly")
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert invoke(tmp_path, "new", "Bad Id").exit_code == 2
    assert invoke(tmp_path, "new", "a" * 64).exit_code == 2  # the schema's id rule


def test_schema_prints_both_schemas(tmp_path: Path) -> None:
    spec_schema = json.loads(invoke(tmp_path, "schema").stdout)
    project_schema = json.loads(invoke(tmp_path, "schema", "--project").stdout)
    assert spec_schema["title"] == "reportrunner report spec"
    assert "defaults" in project_schema["properties"]


@pytest.mark.parametrize("name", ["validate", "plan", "new", "schema"])
def test_help_has_an_example_and_exit_statuses(tmp_path: Path, name: str) -> None:
    result = invoke(tmp_path, name, "--help")
    assert result.exit_code == 0 and "Example" in result.stdout and "Exit statuses" in result.stdout


def test_help_and_validate_do_not_import_requests_or_jinja2(tmp_path: Path) -> None:
    write(tmp_path, {"specs/a.yaml": GOOD})
    probe = (
        "import sys\nfrom reportrunner.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('requests', 'jinja2', 'urllib3'))\n"
        "print('HEAVY', heavy)\n"
    )
    for args in (["--help"], ["validate", "specs"], ["validate", "--help"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert "HEAVY []" in done.stdout, f"{args}: {done.stdout}\n{done.stderr}"


def test_step_summary_escapes_markup_in_messages() -> None:
    from reportrunner.cli.output import markdown_summary
    from reportrunner.model import Diagnostic

    text = markdown_summary(
        "reportrunner validate",
        "1 spec file checked",
        [Diagnostic("specs/a|b.yaml", 2, 3, "error", 'found "<b>x</b>" | *y*')],
    )
    assert '| ❌ | `specs/a\\|b.yaml:2:3` | found "&lt;b&gt;x&lt;/b&gt;" \\| \\*y\\* |' in text
