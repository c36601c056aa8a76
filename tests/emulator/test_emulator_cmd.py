"""`reportrunner emulator`: prints the URL and key, serves, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from click.testing import CliRunner

from reportrunner.cli import main


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "reportrunner", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "listening on" in line, line + process.stderr.read() if process.stderr else line
    return process, line.rsplit(" ", 1)[1].strip()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serves_then_stops_cleanly(sig: signal.Signals) -> None:
    process, url = _start("--api-key", "my-key", "--seed", "3")
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/v1")
        response = requests.get(url + "/me/", auth=("my-key", ""), timeout=10)
        assert response.status_code == 200, response.text
        process.send_signal(sig)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, (out, err)
    assert "Traceback" not in err, err
    assert "Emulator stopped." in out


def test_busy_port_is_a_clear_usage_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = CliRunner().invoke(main, ["emulator", "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
    assert time.monotonic() - started < 5


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["emulator", "--help"])
    assert result.exit_code == 0
    assert "reportrunner emulator --port 8787" in result.output
    for option in (
        "--host",
        "--port",
        "--api-key",
        "--seed",
        "--latency",
        "--rate-limit",
        "--fail-rate",
    ):
        assert option in result.output


def test_the_command_serves_activity_reports_for_another_organisation() -> None:
    """--org-seed, --page-size and a limiter apply to the activity endpoints too (real clock)."""
    options = (
        "--org-seed",
        "5",
        "--page-size",
        "3",
        "--rate-limit",
        "50",
        "--limiter",
        "per-group",
    )
    process, url = _start("--api-key", "k", *options)
    try:
        auth = ("k", "")
        me = requests.get(url + "/me/", auth=auth, timeout=10).json()
        metrics = requests.get(url + "/report/activity/metrics/", auth=auth, timeout=10)
        assert metrics.status_code == 200 and "RateLimit" in metrics.headers
        body = {
            "type": "comparison",
            "relative_range": "last-month",
            "metrics": ["sms.sent.all.count"],
        }
        report = requests.post(url + "/report/activity/", json=body, auth=auth, timeout=60)
        assert report.status_code == 200, report.text
        users = requests.get(url + "/user/", auth=auth, timeout=10).json()
        assert len(users["data"]) == 3 and users["has_more"]  # --page-size
        rows = report.json()["data"]
        assert me["id"] in {row["user_id"] for row in rows}
        assert me["id"] in report.json()["lookup"]["user"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
