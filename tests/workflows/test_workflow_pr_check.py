"""The pull-request workflow, executed step by step in a temporary clone (see wfharness).

A pull request that adds one valid and one broken spec must fail with an annotation on the
broken line, still build the preview of the valid reports with the emulator, and list the
added reports in the job summary; a pull request with only valid specs must pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from wfharness import Harness, WorkflowRun
from wfutil import git

NEW_SPEC = """\
# yaml-language-server: $schema=../schema/report-spec.schema.json
id: pr-added-report
title: Added in a pull request
endpoints: [totals]
request:
  type: created-cohort
  cohort_relative_range: last-quarter
"""

BROKEN_SPEC = """\
id: pr-broken-report
title: Broken in a pull request
request:
  type: created-cohort
  cohort_relative_range: last-fortnight
"""
BROKEN_LINE = 5


def _pull_request(workspace: Path, runner_temp: Path, files: dict[str, str]) -> WorkflowRun:
    base = git(workspace, "rev-parse", "HEAD")
    git(workspace, "checkout", "--quiet", "-b", "feature")
    for name, text in files.items():
        (workspace / name).write_text(text, encoding="utf-8")
    git(workspace, "add", *files)
    git(workspace, "commit", "--quiet", "-m", "Add reports")
    event = {
        "number": 7,
        "pull_request": {"number": 7, "base": {"sha": base, "ref": "main"},
                         "head": {"sha": git(workspace, "rev-parse", "HEAD"), "ref": "feature"}},
    }  # fmt: skip
    harness = Harness(
        workspace=workspace,
        temp=runner_temp,
        event_name="pull_request",
        event=event,
        skip={"tests": "the test suite is what runs this harness; CI runs .ci/run itself"},
    )
    return harness.run(".github/workflows/pr-check.yml")


def test_broken_spec_gets_an_annotation_and_valid_ones_a_preview(
    workspace: Path, runner_temp: Path
) -> None:
    run = _pull_request(
        workspace,
        runner_temp,
        {"specs/pr-added-report.yaml": NEW_SPEC, "specs/pr-broken-report.yaml": BROKEN_SPEC},
    )
    job = run.jobs["validate"]
    log = run.log()
    assert job.result == "failure", log
    assert job.step("validate").outcome == "failure", log

    errors = [a for a in job.annotations if a.level == "error"]
    on_broken = [a for a in errors if a.properties.get("file") == "specs/pr-broken-report.yaml"]
    assert on_broken, f"no ::error for the broken spec: {errors}\n{log}"
    assert on_broken[0].properties.get("line") == str(BROKEN_LINE), on_broken
    assert "last-fortnight" in on_broken[0].message, on_broken

    # The preview still ran, against the emulator, and was uploaded.
    assert job.step("preview").outcome == "success", log
    preview = runner_temp / "artifacts" / "report-preview"
    assert (preview / "index.html").is_file(), log
    assert (preview / "pr-added-report" / "index.html").is_file(), log
    manifest = json.loads((preview / "manifest.json").read_text(encoding="utf-8"))
    statuses = {r["id"]: r["status"] for r in manifest["reports"]}
    assert statuses["pr-added-report"] == "ok", statuses
    assert statuses["pr-broken-report"] == "failed", statuses
    assert "new-business-last-month" in statuses  # the existing specs are previewed too

    summary = job.summary
    assert "Reports this pull request adds or changes" in summary, summary
    assert "`pr-added-report`" in summary and "Added in a pull request" in summary, summary
    assert "`pr-broken-report`" in summary and "**failed**" in summary, summary
    assert "`new-business-last-month`" not in summary, "unchanged reports are not listed"

    # The test job runs .ci/run on GitHub; here it is skipped by name, never silently.
    tests_job = next(j for key, j in run.jobs.items() if key.startswith("test"))
    assert "skipped: the test suite" in tests_job.step("tests").note


def test_valid_pull_request_passes(workspace: Path, runner_temp: Path) -> None:
    run = _pull_request(workspace, runner_temp, {"specs/pr-added-report.yaml": NEW_SPEC})
    job = run.jobs["validate"]
    assert job.result == "success", run.log()
    assert not [a for a in job.annotations if a.level == "error"], job.annotations
    assert "`pr-added-report`" in job.summary, job.summary
    assert job.step("changed").outputs["count"] == "1", run.log()
    install = job.step("install")
    assert install.note.startswith("skipped: only installs with pip"), install
