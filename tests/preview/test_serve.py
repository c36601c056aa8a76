"""`reportrunner serve`: the site over real HTTP on 127.0.0.1, rebuilt and reloaded on changes.

Waiting is event-driven: a long-poll of /__reportrunner/changes answers when the rebuild is
done. Timeouts here are hang guards far above what a rebuild takes.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from reportrunner.cli import main
from reportrunner.cli.serve_cmd import serve
from reportrunner.site.preview import CHANGES

ROOT = Path(__file__).resolve().parents[2]
GUARD = 60  # seconds: a hang guard, not a timing assertion


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    (tmp_path / "reportrunner.yaml").write_text(
        (ROOT / "reportrunner.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    built = CliRunner().invoke(main, ["run", "--emulator", "--only", "new-business-last-month"])
    assert built.exit_code == 0, built.output
    return tmp_path


@pytest.fixture
def served(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`serve --watch` (render mode) in a thread; yields its URL once it says it is ready."""
    lines: list[str] = []
    ready = threading.Event()

    def echo(message: object = "", **_: object) -> None:  # serve's output, kept by the test
        lines.append(str(message))
        if "Press Ctrl-C" in str(message):
            ready.set()

    monkeypatch.setattr("click.echo", echo)
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(Path("site"), 0, True, False, stop))
    thread.start()
    try:
        assert ready.wait(GUARD), f"the preview server did not start: {lines}"
        found = next(
            re.search(r"http://127\.0\.0\.1:\d+/", line) for line in lines if "Serving" in line
        )
        assert found is not None, lines
        yield found[0]
    finally:
        stop.set()
        thread.join(GUARD)
        assert not thread.is_alive()


def _changes(url: str, since: int) -> int:
    answer = requests.get(f"{url.rstrip('/')}{CHANGES}", params={"since": since}, timeout=GUARD)
    return int(answer.json()["generation"])


def test_pages_are_served_on_loopback_with_a_reload_script(served: str) -> None:
    assert served.startswith("http://127.0.0.1:")
    page = requests.get(served, timeout=GUARD)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    nonce = re.search(r'<script nonce="([^"]+)">', page.text)
    assert nonce is not None, page.text[-500:]
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page.text)
    assert policy is not None, page.text[:500]
    directives = [d.split()[0] for d in policy[1].split(";") if d.strip()]
    assert directives.count("script-src") == 1, policy[1]  # a browser ignores a second one
    assert f"'nonce-{nonce[1]}'" in policy[1] and "connect-src 'self'" in policy[1]
    assert "nonce" not in (Path("site") / "index.html").read_text(encoding="utf-8")  # not on disk
    data = requests.get(served + "new-business-last-month/data.json", timeout=GUARD)
    assert data.status_code == 200 and data.json()["id"] == "new-business-last-month"


def test_nothing_outside_the_site_folder_is_served(served: str) -> None:
    host, port = served.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=GUARD)
    connection.request("GET", "/../reportrunner.yaml")
    answer = connection.getresponse()
    assert answer.status == 404 and b"api:" not in answer.read()


def test_a_change_rebuilds_and_wakes_the_waiting_page(served: str, project: Path) -> None:
    config = project / "reportrunner.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("Acme Robotics revenue", "Renamed preview"),
        encoding="utf-8",
    )
    assert _changes(served, 0) == 1
    assert "Renamed preview" in requests.get(served, timeout=GUARD).text
    # A broken change: the error is printed, the last good site stays served.
    config.write_text("site:\n  title: 5\n", encoding="utf-8")
    assert _changes(served, 1) == 2
    assert "Renamed preview" in requests.get(served, timeout=GUARD).text


def test_serve_emulator_watch_as_a_process_rebuilds_on_a_spec_change(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    shutil.copy(ROOT / "reportrunner.yaml", tmp_path / "reportrunner.yaml")
    process = subprocess.Popen(
        [sys.executable, "-m", "reportrunner", "serve", "--emulator", "--watch", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        url = ""
        lines = []
        for line in process.stdout:
            lines.append(line)
            found = re.search(r"on (http://127\.0\.0\.1:\d+/)", line)
            if found:
                url = found[1]
            if "Press Ctrl-C" in line:
                break
        assert url, "".join(lines)
        spec = tmp_path / "specs" / "renewals-stages.yaml"
        spec.write_text(
            spec.read_text(encoding="utf-8").replace("title: Renewals", "title: Edited renewals"),
            encoding="utf-8",
        )
        assert _changes(url, 0) == 1
        page = requests.get(url + "renewals-stages/", timeout=GUARD)
        assert "Edited renewals" in page.text
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=GUARD)
    assert process.returncode == 0, out
    assert "Stopped." in out


def test_an_empty_folder_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 2, result.output
    assert "site holds no site" in result.stderr and "--emulator" in result.stderr


def test_a_page_that_leaves_mid_poll_prints_no_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A reload drops the page's long-poll; answering it then must not print a traceback."""
    from reportrunner.site.preview import PreviewServer

    (tmp_path / "index.html").write_text("<html><body></body></html>", encoding="utf-8")
    with PreviewServer(tmp_path) as server:
        host, port = server.server_address[:2]
        for _ in range(3):
            connection = http.client.HTTPConnection(str(host), int(port), timeout=GUARD)
            connection.request("GET", f"{CHANGES}?since={server.generation}")
            sock = connection.sock
            assert sock is not None
            # Closed with a reset (SO_LINGER 0), as a browser does when it leaves the page.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()
            server.changed()
        assert _changes(server.url, -1) == 3  # still serving
    assert "Traceback" not in capfd.readouterr().err


def test_only_this_servers_own_names_are_answered(tmp_path: Path) -> None:
    """A page on another site that rebinds its name to 127.0.0.1 must not read the numbers."""
    from reportrunner.site.preview import PreviewServer

    (tmp_path / "index.html").write_text("<html><body>numbers</body></html>", encoding="utf-8")
    with PreviewServer(tmp_path) as server:
        port = server.server_address[1]
        for host, status in [
            (f"127.0.0.1:{port}", 200),
            (f"localhost:{port}", 200),
            (f"evil.example:{port}", 403),
            ("127.0.0.1", 403),
            (f"127.0.0.1.nip.io:{port}", 403),
        ]:
            answer = requests.get(server.url, headers={"Host": host}, timeout=GUARD)
            assert answer.status_code == status, host
            assert ("numbers" in answer.text) == (status == 200), host
        odd = requests.get(f"{server.url.rstrip('/')}{CHANGES}?since=²", timeout=GUARD)
        assert odd.status_code == 200 and odd.json() == {"generation": 0}
