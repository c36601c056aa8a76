"""Shared test fixtures. No test ever reaches the internet: sockets may only connect to loopback."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import settings

# Timing is never the point of a property test here: hypothesis' default 200 ms deadline per
# example flakes on a loaded 2-core CI machine. Explicit @settings still set the rest.
settings.register_profile("reportrunner", deadline=None)
settings.load_profile("reportrunner")

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: Any) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths and the like
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: would need DNS, i.e. the network


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise OSError(f"tests must not reach the network (tried to connect to {address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if not _is_local(address):
        raise OSError(f"tests must not reach the network (tried to connect to {address!r})")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.delenv("CLOSE_API_KEY", raising=False)
    monkeypatch.delenv("CLOSE_API_URL", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    yield


#: The fixed "today" of the `emulator` fixture: a Wednesday afternoon, so this-week, this-month
#: and last-quarter all hold data and relative ranges never depend on the real clock.
EMULATOR_NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
EMULATOR_SEED = 1
EMULATOR_KEY = "test-key"
TEST_PAGE_SIZE = 5


@pytest.fixture
def emulator() -> Iterator[Any]:
    """A started Close API emulator (seed 1, now = EMULATOR_NOW, api key "test-key")."""
    from reportrunner.emulator import Emulator

    # Pages of 5 (Close's default is 100): every look-up the suite makes paginates.
    with Emulator(
        api_key=EMULATOR_KEY, seed=EMULATOR_SEED, now=EMULATOR_NOW, page_size=TEST_PAGE_SIZE
    ) as emu:
        yield emu
