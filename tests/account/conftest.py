"""Fixtures of the account tests: an emulator organization that is not the documented one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reportrunner.cli import main

#: The "real account" of these tests: other ids, names and pipelines than the example specs'.
ORG_SEED = 7
KEY = "account-test-key"
NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)


@pytest.fixture
def account() -> Iterator[Any]:
    """A started emulator serving the organization of ORG_SEED."""
    from reportrunner.emulator import Emulator

    with Emulator(api_key=KEY, now=NOW, org_seed=ORG_SEED) as emu:
        yield emu


def account_env(emu: Any) -> dict[str, str]:
    return {"CLOSE_API_KEY": emu.api_key, "CLOSE_API_URL": emu.base_url}


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
