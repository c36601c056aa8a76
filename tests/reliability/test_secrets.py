"""A canary API key through every path: it must never appear in any output, file or message.

Each case runs the real `reportrunner` in a subprocess with the canary as CLOSE_API_KEY (or
inside CLOSE_API_URL), against an emulator scripted to succeed, reject (400, also echoing the
key back in its error body), refuse the key (401), rate-limit (429, echoing the key), time out,
or be interrupted under `--debug` (which prints a traceback). Then stdout, stderr, the GitHub
step summary and every file under the project folder (the site included, hidden staging
folders too) are searched for the key and its Basic-auth encoding.
"""

from __future__ import annotations

import base64
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from relhelp import (
    CANARY,
    STAGES_PATH,
    TOTALS_PATH,
    cli_env,
    files_containing,
    run_cli,
    spec_yaml,
    write_specs,
)

from reportrunner.emulator import Emulator, Fault
from reportrunner.errors import ApiError, AuthError
from reportrunner.fetch.client import ClientSettings, CloseClient
from reportrunner.fetch.runner import RunSettings, run_reports
from reportrunner.model import Spec

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
BASIC = base64.b64encode(f"{CANARY}:".encode()).decode()
NEEDLES = (CANARY, BASIC, CANARY[8:30])  # a fragment too: a truncated echo must not slip by
ECHO = {"errors": [f"key {CANARY} is not allowed"], "field-errors": {"pipeline": CANARY}}


@dataclass
class Case:
    """One path: how to script the emulator, extra CLI words, expected exit statuses."""

    script: Callable[[Emulator], None]
    args: tuple[str, ...] = ()
    statuses: tuple[int, ...] = (0,)
    server_key: str = CANARY
    url_with_key: bool = False


def _nothing(emu: Emulator) -> None:
    return None


def _persistent_trouble(emu: Emulator) -> None:
    emu.inject(*[Fault.status(500, ECHO)] * 4, path=TOTALS_PATH)
    emu.inject(*[Fault.delay(1.0)] * 4, path=STAGES_PATH)


CASES: dict[str, Case] = {
    "success": Case(_nothing),
    "success, --format github (step summary)": Case(_nothing, ("--format", "github")),
    "400 echoing the key": Case(
        lambda emu: emu.inject(Fault.status(400, ECHO), path=STAGES_PATH), statuses=(1,)
    ),
    "401 wrong key": Case(_nothing, statuses=(3,), server_key="another-key"),
    "401 --debug": Case(_nothing, ("--debug",), (3,), server_key="another-key"),
    "429 echoing the key": Case(
        lambda emu: emu.inject(
            Fault.status(429, {"error": CANARY}), Fault.rate_limit("legacy-flat", 0.1)
        )
    ),
    # One run for the three persistent failures (each costs ~4 s of real backoff): 500s
    # echoing the key on one endpoint, answers slower than --timeout on the other, the key
    # inside CLOSE_API_URL, and --debug on.
    "persistent 500s echoing the key + timeouts + key in CLOSE_API_URL, --debug": Case(
        lambda emu: _persistent_trouble(emu),
        ("--debug", "--timeout", "0.3"),
        (1,),
        url_with_key=True,
    ),
    "key in --history-from URL": Case(
        _nothing, ("--history-from", f"http://user:{CANARY}@127.0.0.1:9/site/")
    ),
}


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    write_specs(
        tmp_path,
        {
            "a": spec_yaml("a", endpoints=["totals"]),
            "b": spec_yaml("b", endpoints=["stages"], cohort="last-month"),
        },
    )
    yield tmp_path


def _argv(case: Case) -> list[str]:
    debug = ["--debug"] if "--debug" in case.args else []
    rest = [a for a in case.args if a != "--debug"]
    return [*debug, "run", "--out", "site", *rest]


@pytest.mark.parametrize("name", list(CASES))
def test_canary_never_leaks(project: Path, name: str) -> None:
    case = CASES[name]
    summary = project / "step-summary.md"
    with Emulator(api_key=case.server_key, now=NOW) as emu:
        case.script(emu)
        base_url = emu.base_url
        if case.url_with_key:
            base_url = base_url.replace("http://", f"http://reports:{CANARY}@")
        env = cli_env(base_url, CANARY, GITHUB_STEP_SUMMARY=str(summary))
        run = run_cli(_argv(case), cwd=project, env=env)
        # The key did reach the server (so the canary really went through the run).
        sent = [r for r in emu.requests if r.path]
    assert run.returncode in case.statuses, run.explain()
    assert sent, "no request was made"
    assert "Traceback" not in run.stdout + run.stderr or "--debug" in case.args, run.explain()
    for needle in NEEDLES:
        assert needle not in run.stdout, run.explain()
        assert needle not in run.stderr, run.explain()
    if "github" in case.args:
        assert summary.is_file(), "the step summary was written, and searched"
    assert files_containing(project, [n.encode() for n in NEEDLES]) == []


def test_canary_survives_sigint_with_debug(project: Path) -> None:
    """An interrupt under --debug prints a traceback: it must be redacted too."""
    with Emulator(api_key=CANARY, now=NOW, latency=0.3) as emu:
        emu.inject(Fault.status(400, ECHO), path=STAGES_PATH)
        process = subprocess.Popen(
            [sys.executable, "-m", "reportrunner", "--debug", "run", "--out", "site"],
            cwd=project,
            env=cli_env(emu.base_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 20
        while not any(r.method == "POST" for r in emu.requests) and time.monotonic() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 130, stdout + stderr
    assert "Traceback" in stderr  # --debug shows it; the point is what it does not show
    for needle in NEEDLES:
        assert needle not in stdout + stderr
    assert files_containing(project, [n.encode() for n in NEEDLES]) == []


def test_exception_texts_and_reprs_hold_no_key() -> None:
    """In-process: every exception and outcome text, and every settings repr, is clean."""
    spec = Spec(
        id="a",
        title="A",
        request={"pipeline": "pipe_nope", "type": "created-cohort"},
        source="specs/a.yaml",
    )
    texts: list[str] = []
    with Emulator(api_key=CANARY, now=NOW) as emu:
        emu.inject(Fault.status(400, ECHO), path=TOTALS_PATH)
        emu.inject(*[Fault.status(503, ECHO)] * 4, path=STAGES_PATH)
        settings = RunSettings(specs=[spec], base_url=emu.base_url, api_key=CANARY, now=NOW)
        result = run_reports(settings, sleep=lambda seconds: None)
        texts += [repr(settings), repr(result), *(str(o.error) for o in result.outcomes)]
        client_settings = ClientSettings(base_url=emu.base_url, api_key=CANARY)
        texts.append(repr(client_settings))
        with CloseClient(client_settings) as client:
            client.settings  # noqa: B018  (the repr above is what matters)
    with Emulator(api_key="someone-else", now=NOW) as emu:
        with pytest.raises(AuthError) as refused:
            run_reports(RunSettings(specs=[spec], base_url=emu.base_url, api_key=CANARY))
        error: ApiError = refused.value
        texts += [str(error), repr(error), error.hint or "", error.url or "", error.body or ""]
        texts += [repr(a) for a in error.args]
    for text in texts:
        for needle in NEEDLES:
            assert needle not in text, text
