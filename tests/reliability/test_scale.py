"""A 1,000-report run with --jobs 8 against a rate-limited emulator loses nothing.

Every spec asks for its own window (so no two share a request and the emulator really answers
1,000 report requests), a few specs are invalid, and a burst of transient faults is injected.
Every report must come out of the real `reportrunner run` either ok or failed with a reason,
in the manifest and the summary, none missing and none twice.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from relhelp import NEW_BUSINESS, cli_env, run_cli

from reportrunner.emulator import Emulator, Fault

REPORTS = 1000
INVALID = 5
NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)


def _write_specs(folder: Path) -> set[str]:
    specs = folder / "specs"
    specs.mkdir()
    first = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for index in range(REPORTS):
        start = first + timedelta(hours=7 * index)
        end = start + timedelta(days=30)
        (specs / f"r{index:04d}.yaml").write_text(
            f"id: r{index:04d}\n"
            f"title: Report {index}\n"
            "endpoints: [totals]\n"
            "formats: [html]\n"
            "request:\n"
            f"  pipeline: {NEW_BUSINESS}\n"
            "  type: created-cohort\n"
            "  cohort_datetime_range:\n"
            f"    start: {start:%Y-%m-%dT%H:%M:%SZ}\n"
            f"    end: {end:%Y-%m-%dT%H:%M:%SZ}\n",
            encoding="utf-8",
        )
    for index in range(INVALID):
        (specs / f"bad{index}.yaml").write_text(
            f"id: bad{index}\ntitle: Broken {index}\nrequest:\n  type: no-such-type\n",
            encoding="utf-8",
        )
    return {f"r{i:04d}" for i in range(REPORTS)} | {f"bad{i}" for i in range(INVALID)}


@pytest.mark.slow
def test_thousand_reports_lose_nothing(tmp_path: Path) -> None:
    expected = _write_specs(tmp_path)
    faults = [Fault.status(503), Fault.drop(), Fault.rate_limit("semicolon", 0.05)] * 10
    with Emulator(api_key="scale-key", now=NOW, rate_limit=200) as emu:
        emu.inject(*faults, path="/report/")
        run = run_cli(
            ["run", "--out", "site", "--jobs", "8"],
            cwd=tmp_path,
            env=cli_env(emu.base_url, "scale-key"),
            timeout=120,
        )
        pending = emu.faults.pending()
        posts = sum(1 for r in emu.requests if r.method == "POST")
    assert run.returncode in (0, 1), run.explain()
    assert not run.traceback, run.explain()[-3000:]
    assert pending == 0
    assert posts >= REPORTS
    manifest = json.loads((tmp_path / "site/manifest.json").read_text(encoding="utf-8"))
    ids = [entry["id"] for entry in manifest["reports"]]
    assert len(ids) == len(set(ids)), "a report is listed twice"
    assert set(ids) == expected, f"missing: {sorted(expected - set(ids))[:10]}"
    for entry in manifest["reports"]:
        if entry["status"] == "ok":
            assert (tmp_path / "site" / entry["files"]["html"]).is_file(), entry
        else:
            assert entry["status"] == "failed", entry
            assert entry["error"], entry
            assert entry["spec_file"] in entry["error"] or entry["id"].startswith("bad"), entry
    bad = {e["id"]: e for e in manifest["reports"] if e["id"].startswith("bad")}
    assert all(e["status"] == "failed" and "invalid spec" in e["error"] for e in bad.values())
    ok = sum(1 for e in manifest["reports"] if e["status"] == "ok")
    # 30 transient faults spread over 1,000 requests cannot exhaust 4 attempts more than 7 times.
    assert ok >= REPORTS - 7
    summary = run.stdout.strip().splitlines()
    assert f"{ok} ok, {len(expected) - ok} failed" in "\n".join(summary), run.stdout[-500:]
