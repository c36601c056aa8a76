"""Fixtures of the workflow tests: a temporary clone, a local "GitHub Pages", the Close emulator.

The suite runs with `--import-mode=importlib`, where a test module cannot import a sibling
module; the helpers of this folder (wfutil, wfexpr, wfcommands, wfactions, wfharness) are made
importable here. Their names carry a `wf` prefix so they never shadow another folder's helpers.
"""

from __future__ import annotations

import functools
import http.server
import secrets
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from wfactions import PagesSite  # noqa: E402  (needs the sys.path entry above)
from wfutil import ROOT, git  # noqa: E402


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A temporary clone of the repository, as actions/checkout would give a job.

    The working tree's .github/ is laid over the clone so that workflow edits are exercised
    before they are committed (in CI the two are the same).
    """
    clone = tmp_path / "workspace"
    git(tmp_path, "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone))
    shutil.copytree(ROOT / ".github", clone / ".github", dirs_exist_ok=True)
    return clone


@pytest.fixture
def runner_temp(tmp_path: Path) -> Path:
    path = tmp_path / "runner-temp"
    path.mkdir()
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[PagesSite]:
    """A local stand-in for GitHub Pages: a project site under /reports on a loopback server."""
    served = tmp_path / "pages"
    (served / "reports").mkdir(parents=True)
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield PagesSite(f"http://127.0.0.1:{server.server_port}/reports", served / "reports")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def close_api() -> Iterator[Any]:
    """The Close emulator standing in for api.close.com, with a canary key that must never
    appear in any output."""
    from reportrunner.emulator import Emulator

    with Emulator(api_key="wf-canary-" + secrets.token_hex(12), seed=1) as emu:
        yield emu
