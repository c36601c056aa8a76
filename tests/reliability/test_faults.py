"""Fault sequences over real HTTP: transient trouble heals, persistent trouble fails one report.

Every fault the emulator can script (429 in each header form Close has used, 5xx, an HTML 502,
truncated JSON on a 200, a dropped connection, an answer slower than the timeout) is injected
into runs of two reports that share no request: report `a` only asks for totals, report `b`
only for stages, so a fault aimed at the stages endpoint can only hurt `b`. Waiting (backoff,
rate-limit pauses) runs on a virtual clock in the in-process tests, so they take real HTTP
time only; the CLI tests at the end wait for real.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from relhelp import (
    FAILING_KINDS,
    FAULT_KINDS,
    NEW_BUSINESS,
    SHORT_TIMEOUT,
    STAGES_PATH,
    TOTALS_PATH,
    VirtualTime,
    cli_env,
    run_cli,
    spec_yaml,
    write_specs,
)

from reportrunner.emulator import Emulator, Fault
from reportrunner.fetch.runner import RunResult, RunSettings, run_reports
from reportrunner.model import Project, Spec
from reportrunner.site.build import publish

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
KEY = "fault-key"
COHORT = {"pipeline": NEW_BUSINESS, "type": "created-cohort"}

SPEC_A = Spec(
    id="a",
    title="A",
    request={**COHORT, "cohort_relative_range": "this-month"},
    source="specs/a.yaml",
    endpoints=("totals",),
)
SPEC_B = Spec(
    id="b",
    title="B",
    request={**COHORT, "cohort_relative_range": "last-month"},
    source="specs/b.yaml",
    endpoints=("stages",),
)

#: What the failed report's error says for each persistent fault.
PERSISTENT_WORDS = {
    "503 Service Unavailable": "Close answered 503",
    "500 Internal Server Error": "Close answered 500",
    "502 HTML page": "Close answered 502",
    "truncated JSON on a 200": "not valid JSON",
    "dropped connection": "closed without an answer",
    "slower than --timeout": "no answer within the timeout",
}


def _run(emu: Emulator, clock: VirtualTime, **extra: object) -> RunResult:
    settings = RunSettings(
        specs=[SPEC_A, SPEC_B],
        base_url=emu.base_url,
        api_key=KEY,
        now=NOW,
        timeout=SHORT_TIMEOUT,
        **extra,  # type: ignore[arg-type]
    )
    return run_reports(settings, clock=clock.clock, sleep=clock.sleep)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(api_key=KEY, now=NOW) as running:
        yield running


@pytest.mark.parametrize("kind", list(FAULT_KINDS))
def test_transient_fault_heals(emu: Emulator, kind: str) -> None:
    """Three of a kind on the report endpoints (one fewer than the attempts): all reports ok."""
    emu.inject(*[FAULT_KINDS[kind]] * 3, path="/report/")
    clock = VirtualTime()
    started = time.monotonic()
    result = _run(emu, clock)
    wall = time.monotonic() - started
    assert [(o.id, o.status, o.error) for o in result.outcomes] == [
        ("a", "ok", None),
        ("b", "ok", None),
    ]
    assert emu.faults.pending() == 0, "every injected fault was met by a request"
    if kind.startswith("429"):
        assert result.stats.rate_limited == 3
        assert result.stats.retries == 0
    else:
        assert result.stats.retries == 3
    assert wall < 30, f"{kind}: {wall:.1f} s of real time"  # hang guard; normal is ~1 s
    assert clock.slept < 30, f"{kind}: a real run would have waited {clock.slept:.1f} s"


@pytest.mark.parametrize("kind", FAILING_KINDS)
def test_persistent_fault_fails_only_its_report(emu: Emulator, kind: str) -> None:
    emu.inject(*[FAULT_KINDS[kind]] * 4, path=STAGES_PATH)  # max_attempts is 4
    clock = VirtualTime()
    result = _run(emu, clock)
    by_id = {o.id: o for o in result.outcomes}
    assert set(by_id) == {"a", "b"}
    assert by_id["a"].status == "ok"
    failed = by_id["b"]
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error.startswith("specs/b.yaml: report 'b', the stages request")
    assert PERSISTENT_WORDS[kind] in failed.error
    assert "after 4 attempts" in failed.error
    assert KEY not in failed.error


@pytest.mark.parametrize(
    "style", ["comma", "semicolon", "separate", "retry-after", "legacy-nested", "legacy-flat"]
)
def test_persistent_rate_limit_fails_only_its_report(emu: Emulator, style: str) -> None:
    """A 429 storm longer than the per-report wait budget fails that report, with its reason.

    One job, so `a` (planned first) is done before `b`'s storm makes the shared pacer hold
    every worker: holding everyone is intended, Close's limit is per key.
    """
    emu.inject(*[Fault.rate_limit(style, reset=0.4)] * 30, path=STAGES_PATH)
    clock = VirtualTime()
    result = _run(emu, clock, jobs=1, max_rate_limit_wait=3.0)
    by_id = {o.id: o for o in result.outcomes}
    assert by_id["a"].status == "ok"
    assert by_id["b"].status == "failed"
    error = by_id["b"].error or ""
    assert error.startswith("specs/b.yaml: report 'b', the stages request")
    assert "rate limit" in error or "429" in error
    assert clock.slept <= 3.0 + 1.0, "waited past the budget"


def test_mixed_sequence_on_every_path_heals(emu: Emulator) -> None:
    """One of every kind, on report and look-up paths alike, in a run of two reports."""
    for index, kind in enumerate(FAULT_KINDS):
        emu.inject(FAULT_KINDS[kind], path=None if index % 3 == 0 else "/report/")
    clock = VirtualTime()
    result = _run(emu, clock, max_attempts=8)
    assert [o.status for o in result.outcomes] == ["ok", "ok"]
    assert result.name_problems == []
    assert emu.faults.pending() == 0


def _write_a_and_b(folder: Path) -> None:
    """SPEC_A and SPEC_B as spec files, for the CLI: `a` asks for totals only, `b` for stages."""
    write_specs(
        folder,
        {
            "a": spec_yaml("a", endpoints=["totals"]),
            "b": spec_yaml("b", endpoints=["stages"], cohort="last-month"),
        },
    )


@pytest.mark.slow
def test_cli_transient_storm(tmp_path: Path) -> None:
    """Through the real command: 429s of every form, 5xx, HTML, truncation, drops, slowness."""
    _write_a_and_b(tmp_path)
    with Emulator(api_key="cli-key", now=NOW) as emu:
        # Three failing answers per request at most: one fewer than the attempts allowed.
        emu.inject(
            Fault.rate_limit("semicolon", 0.1),
            Fault.status(503),
            Fault.rate_limit("legacy-nested", 0.1),
            Fault.html(502),
            Fault.rate_limit("retry-after", 0.0),
            Fault.truncated_json(),
            path=TOTALS_PATH,
        )
        emu.inject(
            Fault.rate_limit("comma", 0.1),
            Fault.delay(1.0),
            Fault.rate_limit("legacy-flat", 0.1),
            Fault.drop(),
            Fault.rate_limit("separate", 0.1),
            Fault.status(500),
            path=STAGES_PATH,
        )
        run = run_cli(
            ["run", "--out", "site", "--timeout", str(SHORT_TIMEOUT)],
            cwd=tmp_path,
            env=cli_env(emu.base_url, "cli-key"),
        )
        assert emu.faults.pending() == 0
    assert run.returncode == 0, run.explain()
    assert not run.traceback, run.explain()
    manifest = json.loads((tmp_path / "site/manifest.json").read_text())
    assert {(r["id"], r["status"]) for r in manifest["reports"]} == {("a", "ok"), ("b", "ok")}
    assert run.seconds < 30, run.explain()


@pytest.mark.slow
def test_cli_persistent_failure_names_the_report(tmp_path: Path) -> None:
    _write_a_and_b(tmp_path)
    with Emulator(api_key="cli-key", now=NOW) as emu:
        emu.inject(*[Fault.html(502)] * 4, path=STAGES_PATH)
        run = run_cli(["run", "--out", "site"], cwd=tmp_path, env=cli_env(emu.base_url, "cli-key"))
    assert run.returncode == 1, run.explain()
    assert not run.traceback, run.explain()
    assert "specs/b.yaml: report 'b', the stages request" in run.stdout + run.stderr
    manifest = json.loads((tmp_path / "site/manifest.json").read_text())
    statuses = {r["id"]: (r["status"], r["error"]) for r in manifest["reports"]}
    assert statuses["a"] == ("ok", None)
    assert statuses["b"][0] == "failed"
    assert "Close answered 502" in statuses["b"][1]
    assert (tmp_path / "site/a/index.html").is_file()
    assert not (tmp_path / "site/b").exists()


MALFORMED = {
    "a list": [1, 2],
    "a JSON string": '"maintenance"',  # a str body is sent as is
    "aggregations as a list": {"aggregations": [], "data": []},
    "data as an object": {"aggregations": {}, "data": {"user": 1}},
    "a row that is a string": {"aggregations": {}, "data": ["user_x"]},
    "a count as a string": {"aggregations": {"count": "12"}, "data": []},
    "a stage label as a number": {
        "aggregations": {"stages": [{"status": {"id": "stat_x", "label": 7}, "count": 1}]},
        "data": [],
    },
    "a user's stages as an object": {
        "aggregations": {"stages": []},
        "data": [{"user_id": "user_x", "stages": {"count": 1}}],
    },
}


@pytest.mark.parametrize("shape", list(MALFORMED))
def test_unexpected_answer_shape_fails_only_its_report(
    emu: Emulator, shape: str, tmp_path: Path
) -> None:
    """A 200 with JSON of the wrong shape fails its report; the site is still published."""
    emu.inject(Fault.status(200, MALFORMED[shape]), path=STAGES_PATH)
    result = _run(emu, VirtualTime())
    by_id = {o.id: o for o in result.outcomes}
    assert by_id["a"].status == "ok"
    assert by_id["b"].status == "failed"
    assert "has an unexpected shape" in (by_id["b"].error or "")
    assert by_id["b"].error.startswith("specs/b.yaml: report 'b', the stages request")  # type: ignore[union-attr]
    site = publish(tmp_path / "site", Project(root=tmp_path), result.outcomes, now=NOW)
    assert {r.id: r.status for r in site.reports} == {"a": "ok", "b": "failed"}
