"""The README is a contract: its commands run as shown and its references exist."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
        "pip install -e '.[test]' && pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e "$root[test]"' in ci
    assert ci.rstrip().splitlines()[-1] == "pytest"


def test_quick_start_run_with_the_emulator_builds_the_site(tmp_path: Path) -> None:
    for name in ("specs", "schema"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "reportrunner.yaml", tmp_path / "reportrunner.yaml")
    result = _run(["run", "--emulator"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    index = tmp_path / "site" / "index.html"
    assert index.is_file(), result.stdout
    assert "manifest.json" in {p.name for p in (tmp_path / "site").iterdir()}


def test_console_examples_print_what_the_readme_shows() -> None:
    examples = 0
    for block in _blocks("console"):
        lines = block.splitlines()
        commands = [i for i, line in enumerate(lines) if line.startswith("$ reportrunner ")]
        for position, start in enumerate(commands):
            end = commands[position + 1] if position + 1 < len(commands) else len(lines)
            args = lines[start].removeprefix("$ reportrunner ").split()
            result = _run(args, ROOT)
            expected = "\n".join(lines[start + 1 : end])
            assert result.stdout.rstrip("\n") == expected, result.stdout + result.stderr
            examples += 1
    assert examples >= 2


def test_every_command_in_the_table_has_help_with_an_example() -> None:
    table = README.split("## Commands", 1)[1].split("\n\n", 2)[1]
    names = sorted(set(re.findall(r"`reportrunner (\w+)", table)))
    assert names == ["emulator", "new", "plan", "render", "run", "schema", "validate"]
    for name in names:
        result = _run([name, "--help"], ROOT)
        assert result.returncode == 0, result.stderr
        assert "Example" in result.stdout, f"`reportrunner {name} --help` shows no example"


def test_exit_status_table_matches_the_code() -> None:
    table = README.split("**Exit statuses**", 1)[1].split("\n\n", 2)[1]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.M)}
    assert documented == {int(status) for status in ExitStatus}


@pytest.mark.parametrize("target", sorted(set(re.findall(r"\]\(((?!https?:)[^)#]+)\)", README))))
def test_links_point_at_files_in_the_repository(target: str) -> None:
    assert (ROOT / target).exists(), f"README links to {target}, which does not exist"
