"""Fixtures of the delivery tests: a Slack stand-in, a real SMTP server, a built site's data."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

# --import-mode=importlib: the dlv* helpers beside this file are imported by name (the prefix
# keeps them from shadowing another folder's helpers).
_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from dlvslack import FakeSlack, fake_slack  # noqa: E402  (needs the sys.path entry above)

SMTP_USER = "mailer"
SMTP_PASSWORD = "pw-canary-Sm7p-9931"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with fake_slack() as server:
        yield server


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def url(self, password: str = SMTP_PASSWORD) -> str:
        return f"smtp://{SMTP_USER}:{password}@{self.host}:{self.port}"


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.box.messages.append(message)
        self.box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on a free loopback port, with AUTH PLAIN/LOGIN."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    with socket.socket() as probe:  # aiosmtpd checks readiness by connecting: needs a port
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    box = Mailbox("127.0.0.1", port)

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        if ok:
            box.logins.append((data.login.decode(), mechanism))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    controller = Controller(
        _Handler(box),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


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
