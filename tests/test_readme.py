"""The README's own promises: the quick start, the walk-through, the command and exit tables.

Every command in it (and in docs/*.md) runs, and every link resolves, in
tests/docs/test_docs_contract.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from reportrunner.errors import ExitStatus

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
REPORTRUNNER = [sys.executable, "-m", "reportrunner"]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*REPORTRUNNER, *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_quick_start_is_exactly_two_commands_and_ci_runs_the_second() -> None:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```\n(.*?)```", section, flags=re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == [
        "pip install . && reportrunner run --emulator",
        "pip install -e '.[test]' && pytest -n auto",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e "$root[test]"' in ci
    assert ci.rstrip().splitlines()[-1] == "pytest -n auto"


def test_quick_start_run_with_the_emulator_builds_the_site(tmp_path: Path) -> None:
    for name in ("specs", "schema"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "reportrunner.yaml", tmp_path / "reportrunner.yaml")
    result = _run(["run", "--emulator"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    index = tmp_path / "site" / "index.html"
    assert index.is_file(), result.stdout
    assert "manifest.json" in {p.name for p in (tmp_path / "site").iterdir()}


def test_the_real_account_walk_through_is_init_validate_online_run_then_github() -> None:
    # Its commands run in tests/docs/test_docs_contract.py; here: the order a new user needs.
    section = README.split("## Against your Close account", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, flags=re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == [
        "export CLOSE_API_KEY=api_…",
        "rm specs/*.yaml",
        "reportrunner init --force",
        "reportrunner validate --online",
        "reportrunner run",
    ]
    assert "(#on-github-pull-request-checks-and-scheduled-publishing)" in section


def test_every_command_in_the_table_has_help_with_an_example() -> None:
    table = README.split("## Commands", 1)[1].split("\n\n", 2)[1]
    names = sorted(set(re.findall(r"`reportrunner (\w+)", table)))
    assert names == [
        "deliver", "emulator", "ids", "init", "new", "plan", "render", "run", "schema", "serve",
        "validate",
    ]  # fmt: skip
    for name in names:
        result = _run([name, "--help"], ROOT)
        assert result.returncode == 0, result.stderr
        assert "Example" in result.stdout, f"`reportrunner {name} --help` shows no example"


def test_exit_status_table_matches_the_code() -> None:
    table = README.split("**Exit statuses**", 1)[1].split("\n\n", 2)[1]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.M)}
    assert documented == {int(status) for status in ExitStatus}
