"""The publish workflow's restore step checks what it restores (issue 10, item 13).

The previous site is served over real HTTP by the emulator's scripted answers (one per file,
in order) or read from a folder. A truncated data.json, a non-JSON body, an IncompleteRead, a
dropped connection, a 500, another tool's JSON, a data.json of another report or format: each
is a warning naming the file, that file starts afresh, the other reports are restored, and the
step still succeeds. Hostile ids in the old manifest are never fetched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reportrunner.cli.restore_cmd import command as restore_command
from reportrunner.emulator import Emulator, Fault
from reportrunner.fetch.restore import restore

FETCHED = "2026-11-30T09:00:00Z"


def _manifest(*ids: str, **extra: Any) -> dict[str, Any]:
    return {
        "generated_at": FETCHED,
        "reportrunner_version": "0.1.0",
        "site": {"title": "Old"},
        "reports": [{"id": report_id, "status": "ok"} for report_id in ids],
        **extra,
    }


def _data(report_id: str, **extra: Any) -> dict[str, Any]:
    return {"format_version": 1, "id": report_id, "fetched_at": FETCHED, **extra}


def _ok(document: Any) -> Fault:
    return Fault.status(200, json.dumps(document))


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(api_key="unused") as running:
        yield running


def _site(emu: Emulator) -> str:
    return f"http://127.0.0.1:{emu.port}/site/"


def _serve(emu: Emulator, manifest: Fault, data: dict[str, Fault]) -> None:
    emu.inject(manifest, path="/site/manifest.json")
    for report_id, fault in data.items():
        emu.inject(fault, path=f"/site/{report_id}/data.json")


def test_a_good_site_is_restored(emu: Emulator, tmp_path: Path) -> None:
    _serve(emu, _ok(_manifest("a", "b")), {"a": _ok(_data("a")), "b": _ok(_data("b"))})
    result = restore(_site(emu), tmp_path / "_site")
    assert result.ids == ["a", "b"] and result.warnings == []
    written = json.loads((tmp_path / "_site" / "manifest.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in written["reports"]] == ["a", "b"]
    assert written["site"] == {"title": "Old"}, "the manifest's other fields are kept"
    assert json.loads((tmp_path / "_site" / "b" / "data.json").read_bytes()) == _data("b")


FILE_FAULTS = {
    "truncated data.json": (Fault.status(200, json.dumps(_data("a"))[:30]), "valid JSON"),
    "a non-JSON body": (Fault.status(200, "<html>Service Unavailable</html>"), "valid JSON"),
    "an IncompleteRead": (Fault.lying_length(5000), "could not be fetched"),
    "a dropped connection": (Fault.drop(), "could not be fetched"),
    "a 500": (Fault.status(500), "HTTP 500"),
    "a 404": (Fault.status(404), "HTTP 404"),
    "another report's data": (_ok(_data("zzz")), "not the data.json of report 'a'"),
    "another format": (_ok(_data("a", format_version=99)), "format 99"),
    "a JSON list": (_ok([1, 2]), "not the data.json"),
    "a gzip bomb": (Fault.gzip_bomb(64 << 20), "larger than"),
}


@pytest.mark.parametrize("name", list(FILE_FAULTS))
def test_a_bad_data_file_starts_afresh_and_the_others_are_restored(
    emu: Emulator, tmp_path: Path, name: str
) -> None:
    fault, reason = FILE_FAULTS[name]
    _serve(emu, _ok(_manifest("a", "b")), {"a": fault, "b": _ok(_data("b"))})
    result = restore(_site(emu), tmp_path / "_site")
    assert result.ids == ["b"], name
    (warning,) = result.warnings
    assert "/site/a/data.json" in warning and reason in warning, warning
    written = json.loads((tmp_path / "_site" / "manifest.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in written["reports"]] == ["b"], "a report without data is not listed"
    assert not (tmp_path / "_site" / "a").exists()


MANIFEST_FAULTS = {
    "truncated": (Fault.status(200, json.dumps(_manifest("a"))[:40]), "valid JSON"),
    "not JSON": (Fault.status(200, "<!doctype html><p>Pages is down</p>"), "valid JSON"),
    "another tool's JSON": (_ok({"reports": [{"id": "a"}], "version": 3}), "not a reportrunner"),
    "an IncompleteRead": (Fault.lying_length(5000), "could not be fetched"),
    "a 500": (Fault.status(500), "HTTP 500"),
    "slow drip past the deadline": (Fault.drip(0.5), "could not be fetched"),
}


@pytest.mark.parametrize("name", list(MANIFEST_FAULTS))
def test_a_bad_manifest_means_every_report_starts_afresh(
    emu: Emulator, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reportrunner.fetch import restore as restore_module

    monkeypatch.setattr(restore_module, "TIMEOUT", (1.0, 1.0))
    fault, reason = MANIFEST_FAULTS[name]
    _serve(emu, fault, {})
    result = restore(_site(emu), tmp_path / "_site")
    assert result.ids == [] and result.listed == 0
    (warning,) = result.warnings
    assert "manifest.json" in warning and reason in warning, warning
    assert not (tmp_path / "_site").exists(), "nothing is written"


def test_hostile_ids_in_the_old_manifest_are_never_fetched(emu: Emulator, tmp_path: Path) -> None:
    hostile = ["../../etc/passwd", "a\nb", "history", "", "x/../../y"]
    _serve(emu, _ok(_manifest(*hostile, "good")), {"good": _ok(_data("good"))})
    result = restore(_site(emu), tmp_path / "_site")
    assert result.ids == ["good"]
    assert len(result.warnings) == len(hostile)
    fetched = [r.path for r in emu.requests]
    assert fetched == ["/site/manifest.json", "/site/good/data.json"], fetched
    assert sorted(p.name for p in (tmp_path / "_site").iterdir()) == ["good", "manifest.json"]


def test_a_folder_source_is_checked_the_same_way(tmp_path: Path) -> None:
    old = tmp_path / "old"
    (old / "a").mkdir(parents=True)
    (old / "b").mkdir()
    (old / "manifest.json").write_text(json.dumps(_manifest("a", "b", "c")), encoding="utf-8")
    (old / "a" / "data.json").write_text(json.dumps(_data("a"))[:25], encoding="utf-8")
    (old / "b" / "data.json").write_text(json.dumps(_data("b")), encoding="utf-8")
    result = restore(str(old), tmp_path / "_site")
    assert result.ids == ["b"]
    assert len(result.warnings) == 2  # a: truncated; c: not there
    assert any("valid JSON" in w for w in result.warnings) and any(
        "not there" in w for w in result.warnings
    )


def test_the_step_warns_in_github_form_and_succeeds(emu: Emulator, tmp_path: Path) -> None:
    evil = "x\n::error title=Forged::y"
    _serve(emu, _ok(_manifest("a", "b")), {"a": Fault.status(500, evil), "b": _ok(_data("b"))})
    result = CliRunner().invoke(restore_command, [_site(emu), str(tmp_path / "_site")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    (warning,) = [line for line in lines if line.startswith("::")]
    assert warning.startswith("::warning title=Earlier site not restored::"), warning
    assert "a/data.json" in warning and "starts afresh" in warning
    assert lines[-1].startswith("Restored the data of 1 of 2 report(s)"), result.output


def test_no_earlier_site_is_a_plain_message(emu: Emulator, tmp_path: Path) -> None:
    """A first publish: the manifest is a 404 (or the folder has none), and that is no warning."""
    emu.inject(Fault.status(404), path="/site/manifest.json")
    result = CliRunner().invoke(restore_command, [_site(emu), str(tmp_path / "_site")])
    assert result.exit_code == 0, result.output
    assert "every report starts afresh" in result.output and "::warning" not in result.output
    assert restore(str(tmp_path / "nothing"), tmp_path / "_site").warnings == []
    assert not (tmp_path / "_site").exists()


def test_an_unwritable_destination_is_a_clear_error(emu: Emulator, tmp_path: Path) -> None:
    blocker = tmp_path / "checkout"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    _serve(emu, _ok(_manifest("a")), {"a": _ok(_data("a"))})
    result = CliRunner().invoke(restore_command, [_site(emu), str(blocker / "_site")])
    assert result.exit_code == 1, result.output
    assert "cannot write the restored site to" in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
