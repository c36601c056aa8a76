"""`reportrunner run` through the CLI: every exit status, output formats, the key never shown."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reportrunner.cli import main
from reportrunner.emulator import Emulator, Fault
from reportrunner.emulator.org import PIPELINES

NOW_KEY = "test-key"
ALPHA = """\
id: alpha
title: Alpha
timezone: Asia/Kolkata
request:
  pipeline: {pipeline}
  type: created-cohort
  cohort_relative_range: this-quarter
"""
BETA = """\
id: beta
title: Beta
request:
  pipeline: {pipeline}
  type: active-stage-cohort
  report_relative_range: this-quarter
  compared_relative_range: last-quarter
"""
BAD_PIPELINE = """\
id: ghost
title: Ghost pipeline
endpoints: [totals]
request:
  type: created-cohort
  cohort_relative_range: this-month
  pipeline: pipe_doesnotexist0000000
"""
INVALID = """\
id: broken
title: Broken
request:
  pipeline: {pipeline}
  type: created-cohort
  cohort_relative_range: next-decade
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "alpha.yaml").write_text(ALPHA.format(pipeline=PIPELINES[0].id), encoding="utf-8")
    (specs / "beta.yaml").write_text(BETA.format(pipeline=PIPELINES[1].id), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["run", *args], env=env, catch_exceptions=False)


def explain(result: Result) -> str:
    return f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def manifest(out: Path) -> dict[str, dict[str, object]]:
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {report["id"]: report for report in data["reports"]}


def test_help_documents_exit_statuses_and_an_example() -> None:
    result = CliRunner().invoke(main, ["run", "--help"])
    assert result.exit_code == 0
    for text in ("CLOSE_API_KEY", "CLOSE_API_URL", "Example", "0  success", "130"):
        assert text in result.stdout
    assert "3  configuration or access problem" in result.stdout


def test_exit_0_with_the_builtin_emulator(project: Path) -> None:
    result = run("--emulator", "--out", "site")
    assert result.exit_code == 0, explain(result)
    assert "2 ok, 0 failed" in result.stdout
    reports = manifest(project / "site")
    assert {r["status"] for r in reports.values()} == {"ok"}
    data = json.loads((project / "site/alpha/data.json").read_text(encoding="utf-8"))
    assert data["tz_offset"] == 5.5 and data["spec_file"] == "specs/alpha.yaml"
    beta = json.loads((project / "site/beta/data.json").read_text(encoding="utf-8"))
    # A quarter is always running at the real `now`, so last quarter also comes to date.
    assert set(beta["responses"]["totals"]) == {"base", "compared", "compared_to_date"}
    assert beta["names"]["pipeline"]["name"] == PIPELINES[1].name


def test_exit_0_against_close_api_url(project: Path, emulator: Emulator) -> None:
    env = {"CLOSE_API_KEY": NOW_KEY, "CLOSE_API_URL": emulator.base_url}
    result = run("--format", "json", env=env)
    assert result.exit_code == 0, explain(result)
    payload = json.loads(result.stdout)
    assert payload["ok"] == 2 and payload["failed"] == 0
    assert payload["requests"] == len(emulator.requests)
    assert (project / "site/alpha/index.html").is_file()


def test_exit_1_invalid_spec_fails_alone(project: Path) -> None:
    (project / "specs/broken.yaml").write_text(
        INVALID.format(pipeline=PIPELINES[0].id), encoding="utf-8"
    )
    result = run("--emulator")
    assert result.exit_code == 1, explain(result)
    assert "specs/broken.yaml:6" in result.stderr  # printed as `validate` prints it
    reports = manifest(project / "site")
    assert reports["alpha"]["status"] == "ok" and reports["beta"]["status"] == "ok"
    assert reports["broken"]["status"] == "failed"


def test_exit_1_close_400_names_file_line_and_field(project: Path) -> None:
    (project / "specs/ghost.yaml").write_text(BAD_PIPELINE, encoding="utf-8")
    result = run("--emulator", "--format", "github")
    assert result.exit_code == 1, explain(result)
    assert "specs/ghost.yaml:7" in result.stdout
    assert "pipeline" in result.stdout and "400" in result.stdout
    assert "::error file=specs/ghost.yaml,line=7," in result.stdout
    reports = manifest(project / "site")
    assert reports["ghost"]["status"] == "failed" and reports["alpha"]["status"] == "ok"


def test_github_step_summary(project: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = run("--emulator", "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0, explain(result)
    text = summary.read_text(encoding="utf-8")
    assert "| `alpha` | ✅ ok |" in text and "2 ok, 0 failed" in text


def test_exit_2_missing_path(project: Path) -> None:
    result = run("--emulator", "nowhere/")
    assert result.exit_code == 2, explain(result)
    assert "nowhere" in result.stderr


def test_exit_2_invalid_project_file_fetches_nothing(project: Path) -> None:
    (project / "reportrunner.yaml").write_text("api:\n  jobs: many\n", encoding="utf-8")
    result = run("--emulator")
    assert result.exit_code == 2, explain(result)
    assert "reportrunner.yaml" in result.stderr
    assert not (project / "site").exists()


def test_exit_3_missing_key_before_any_request(project: Path, emulator: Emulator) -> None:
    result = run(env={"CLOSE_API_URL": emulator.base_url})
    assert result.exit_code == 3, explain(result)
    assert "CLOSE_API_KEY" in result.stderr
    assert emulator.requests == []
    assert not (project / "site").exists()


def test_exit_3_rejected_key_stops_the_run(project: Path, emulator: Emulator) -> None:
    result = run(
        "--jobs", "1", env={"CLOSE_API_KEY": "wrong-key", "CLOSE_API_URL": emulator.base_url}
    )
    assert result.exit_code == 3, explain(result)
    assert "Close rejected the API key (401)" in result.stderr
    assert len(emulator.requests) == 1
    assert not (project / "site").exists()


def test_exit_3_unreachable(project: Path, closed_port: int) -> None:
    port = closed_port
    env = {"CLOSE_API_KEY": NOW_KEY, "CLOSE_API_URL": f"http://127.0.0.1:{port}/api/v1"}
    result = run("--timeout", "1", env=env)
    assert result.exit_code == 3, explain(result)
    assert "cannot reach the Close API" in result.stderr and str(port) in result.stderr
    assert "Traceback" not in result.stderr


def test_canary_key_never_appears_anywhere(project: Path, tmp_path: Path) -> None:
    canary = "canary-KEY-5b0f9e1d7c3a"
    forms = [canary, base64.b64encode(f"{canary}:".encode()).decode()]
    (project / "specs/ghost.yaml").write_text(BAD_PIPELINE, encoding="utf-8")
    summary = tmp_path / "summary.md"
    outputs: list[str] = []
    with Emulator(api_key=canary) as emu:
        emu.inject(Fault.status(503), Fault.truncated_json(), path="/report/")
        env = {
            "CLOSE_API_KEY": canary,
            "CLOSE_API_URL": emu.base_url.replace("http://", f"http://{canary}@"),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        for args in (["--debug", "run", "--format", "github"], ["run", "--format", "json"]):
            result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
            assert result.exit_code == 1, explain(result)
            outputs += [result.stdout, result.stderr]
        # A rejected key, with --debug: the traceback passes through redaction too.
        env["CLOSE_API_KEY"] = canary + "-revoked"
        result = CliRunner().invoke(main, ["--debug", "run"], env=env, catch_exceptions=False)
        assert result.exit_code == 3, explain(result)
        outputs += [result.stdout, result.stderr]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    outputs += [p.read_text(encoding="utf-8", errors="replace") for p in files]
    assert any("ghost" in text for text in outputs)  # the failing report was reported
    for text in outputs:
        for form in forms:
            assert form not in text


@pytest.mark.slow
def test_sigterm_exits_130_and_keeps_the_previous_site(project: Path) -> None:
    out = project / "site"
    first = run("--emulator", "--out", str(out))
    assert first.exit_code == 0, explain(first)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # Each answer takes 2 s: finishing the run's requests would take far longer than the guard.
    with Emulator(api_key=NOW_KEY, latency=2.0) as emu:
        env = dict(os.environ, CLOSE_API_KEY=NOW_KEY, CLOSE_API_URL=emu.base_url)
        child = subprocess.Popen(
            [sys.executable, "-m", "reportrunner", "run", "--out", str(out)],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not emu.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        child.send_signal(signal.SIGTERM)
        started = time.monotonic()
        stdout, stderr = child.communicate(timeout=20)
        stopped_in = time.monotonic() - started
    assert child.returncode == 130, f"stdout:\n{stdout}\nstderr:\n{stderr}"
    assert stopped_in < 10.0, "the run must stop promptly, not finish its requests"
    assert "interrupted" in stderr
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


@pytest.fixture(autouse=True)
def _no_leftover_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("CI", raising=False)
    yield
