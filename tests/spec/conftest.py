"""Helpers for the spec tests: write a small project into tmp_path and validate it."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reportrunner.cli import main
from reportrunner.spec.validate import ValidationResult, validate_paths

PIPE = "pipe_4vukv2FUlFh9FDiVYAop1U"

Project = Callable[..., ValidationResult]


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """project({"specs/a.yaml": "...", "reportrunner.yaml": "..."}) → ValidationResult."""

    def run(files: dict[str, str], *, strict: bool = False) -> ValidationResult:
        write(tmp_path, files)
        return validate_paths([tmp_path / "specs"], root=tmp_path, strict=strict)

    return run


def invoke(cwd: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """The CLI in-process, in `cwd`, as a user would type it."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def explain(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
