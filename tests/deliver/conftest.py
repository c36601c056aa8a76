"""Fixtures of the delivery tests: a Slack stand-in, a real SMTP server, a built site's data."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# --import-mode=importlib: the dlv* helpers beside this file are imported by name (the prefix
# keeps them from shadowing another folder's helpers).
_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from dlvslack import FakeSlack, fake_slack  # noqa: E402
from dlvsmtp import Mailbox, mailbox  # noqa: E402


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with fake_slack() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on a free loopback port, with AUTH PLAIN/LOGIN."""
    with mailbox() as box:
        yield box


@pytest.fixture(scope="session")
def site_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """data.json of every example report, built once from the emulator (read-only: copy it)."""
    from click.testing import CliRunner

    from reportrunner.cli import main

    root = Path(__file__).resolve().parents[2]
    out = tmp_path_factory.mktemp("deliver-site") / "site"
    result = CliRunner().invoke(
        main, ["run", "--emulator", "--out", str(out), str(root / "specs")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/data.json")}
