"""`.pre-commit-hooks.yaml`: well formed, and each hook does what pre-commit would run.

pre-commit itself is not needed: the test applies the hook's `files` pattern to a repository's
files, calls `entry` with the matching names (or none, with `pass_filenames: false`) exactly as
pre-commit does, and checks the exit status and the message that points at the broken line.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from wfutil import ROOT

#: The keys pre-commit accepts in a hook definition (pre-commit's clientlib MANIFEST_HOOK_DICT).
HOOK_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or",
    "exclude_types", "additional_dependencies", "args", "always_run", "fail_fast",
    "pass_filenames", "description", "language_version", "log_file", "minimum_pre_commit_version",
    "require_serial", "stages", "verbose",
}  # fmt: skip


def _hooks() -> dict[str, dict[str, Any]]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return {hook["id"]: hook for hook in hooks}


def test_manifest_is_well_formed() -> None:
    hooks = _hooks()
    assert {"reportrunner-validate", "reportrunner-validate-all"} <= set(hooks)
    for hook_id, hook in hooks.items():
        assert set(hook) <= HOOK_KEYS, f"{hook_id}: unknown keys {set(hook) - HOOK_KEYS}"
        assert {"id", "name", "entry", "language"} <= set(hook), hook_id
        assert hook["language"] == "python", "installs reportrunner from the hook repository"
        re.compile(hook["files"])
        assert shlex.split(hook["entry"])[:2] == ["reportrunner", "validate"], hook_id


GOOD = "title: Good\nrequest:\n  type: created-cohort\n  cohort_relative_range: this-month\n"
BAD = GOOD.replace("Good", "Bad") + "  typo: 1\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A user's repository: reportrunner.yaml, a good and a broken spec, unrelated files."""
    shutil.copy(ROOT / "reportrunner.yaml", tmp_path / "reportrunner.yaml")
    (tmp_path / "specs" / "team").mkdir(parents=True)
    (tmp_path / "specs" / "good.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "specs" / "team" / "bad.yml").write_text(BAD, encoding="utf-8")
    (tmp_path / "README.md").write_text("# reports\n", encoding="utf-8")
    (tmp_path / "docker-compose.yaml").write_text("services: {}\n", encoding="utf-8")
    return tmp_path


def _run_hook(hook: dict[str, Any], repo: Path, changed: list[str]) -> tuple[int, str]:
    """What pre-commit does for one hook and the files staged in a commit."""
    matching = [name for name in changed if re.search(hook["files"], name)]
    if not matching and not hook.get("always_run"):
        return 0, "(no files to check) Skipped"
    command = shlex.split(hook["entry"]) + list(hook.get("args", []))
    if hook.get("pass_filenames", True):
        command += matching
    executable = Path(sys.executable).with_name(command[0])
    done = subprocess.run(
        [str(executable), *command[1:]], cwd=repo, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout + done.stderr


def test_changed_specs_hook_checks_only_the_specs_of_the_commit(repo: Path) -> None:
    hook = _hooks()["reportrunner-validate"]

    status, output = _run_hook(hook, repo, ["specs/good.yaml", "README.md", "docker-compose.yaml"])
    assert status == 0, output

    status, output = _run_hook(hook, repo, ["specs/team/bad.yml"])
    assert status == 1, output
    assert "specs/team/bad.yml:5" in output and "typo" in output, output

    status, output = _run_hook(hook, repo, ["README.md"])
    assert (status, output) == (0, "(no files to check) Skipped")


def test_all_specs_hook_runs_when_the_project_file_changes(repo: Path) -> None:
    hook = _hooks()["reportrunner-validate-all"]
    status, output = _run_hook(hook, repo, ["reportrunner.yaml"])
    assert status == 1 and "specs/team/bad.yml:5" in output, output
    (repo / "specs" / "team" / "bad.yml").unlink()
    status, output = _run_hook(hook, repo, ["reportrunner.yaml"])
    assert status == 0, output
