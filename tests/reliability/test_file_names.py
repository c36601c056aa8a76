"""Spec file names are bytes: any of them is reported clearly and never stops a publish.

A name that is not UTF-8 (Latin-1 `café`), or holds control characters (a newline, ESC, a
right-to-left override), used to pass validation when the spec had an `id:` and then crash
writing the site, so nothing was published. Each case runs the real `reportrunner run` against
the emulator with one oddly named spec among plain ones: every report publishes, the odd name
appears escaped (`\\xe9`) in messages and files, and every file written is valid UTF-8.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from relhelp import CANARY, cli_env, run_cli, spec_yaml, write_specs

from reportrunner.emulator import Emulator

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
#: Raw file-name bytes → how messages and the site spell them.
NAMES = {
    b"caf\xe9.yaml": "caf\\xe9.yaml",
    b"new\nline.yaml": "new\\x0aline.yaml",
    b"esc\x1b[31mred.yaml": "esc\\x1b[31mred.yaml",
    b"tab\there.yaml": "tab\\x09here.yaml",
    b"rtl\xe2\x80\xaeevil.yaml": "rtl\\u202eevil.yaml",
    b"\xff\xfe.yaml": "\\xff\\xfe.yaml",
}


def _write_odd(specs: Path, raw: bytes, text: str) -> None:
    # os.fsdecode keeps undecodable bytes as surrogates, which Path writes back as those bytes.
    (specs / os.fsdecode(raw)).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("raw", sorted(NAMES), ids=[repr(n) for n in sorted(NAMES)])
@pytest.mark.parametrize("with_id", [True, False], ids=["with id", "id from the name"])
def test_an_odd_file_name_never_stops_the_site(tmp_path: Path, raw: bytes, with_id: bool) -> None:
    specs = write_specs(tmp_path, {"good": spec_yaml("good")})
    text = spec_yaml("odd", cohort="this-year")
    _write_odd(specs, raw, text if with_id else text.replace("id: odd\n", ""))
    with Emulator(api_key=CANARY, now=NOW) as emu:
        run = run_cli(["run", "--out", "site"], cwd=tmp_path, env=cli_env(emu.base_url))
    # Without `id:`, the name gives the id, which is then invalid: that report fails alone.
    assert run.returncode == (0 if with_id else 1), run.explain()
    assert not run.traceback, run.explain()
    shown = f"specs/{NAMES[raw]}"
    site = tmp_path / "site"
    for path in site.rglob("*"):
        if path.is_file():
            path.read_bytes().decode("utf-8")  # every file is valid UTF-8
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    entries = {entry["spec_file"]: entry for entry in manifest["reports"]}
    assert entries["specs/good.yaml"]["status"] == "ok"
    assert entries[shown]["status"] == ("ok" if with_id else "failed"), manifest
    if with_id:
        data = json.loads((site / "odd" / "data.json").read_text(encoding="utf-8"))
        assert data["spec_file"] == shown
    else:
        assert shown in run.stderr, run.explain()
        assert "\n" not in entries[shown]["id"]


def test_validate_warns_about_the_name(tmp_path: Path) -> None:
    specs = write_specs(tmp_path, {"good": spec_yaml("good")})
    _write_odd(specs, b"caf\xe9.yaml", spec_yaml("odd"))
    run = run_cli(["validate", "--format", "json"], cwd=tmp_path, env=cli_env("http://x"))
    assert run.returncode == 0, run.explain()
    report = json.loads(run.stdout)
    found = [
        d
        for d in report["diagnostics"]
        if d["file"] == "specs/caf\\xe9.yaml" and d["severity"] == "warning"
    ]
    assert found and "not valid UTF-8" in found[0]["message"], run.stdout


def test_an_odd_folder_name(tmp_path: Path) -> None:
    specs = write_specs(tmp_path, {"good": spec_yaml("good")})
    folder = specs / os.fsdecode(b"\xe9t\xe9")
    folder.mkdir()
    _write_odd(folder, b"x.yaml", spec_yaml("odd"))
    with Emulator(api_key=CANARY, now=NOW) as emu:
        run = run_cli(["run", "--out", "site"], cwd=tmp_path, env=cli_env(emu.base_url))
    assert run.returncode == 0, run.explain()
    manifest = json.loads((tmp_path / "site" / "manifest.json").read_text(encoding="utf-8"))
    assert {e["spec_file"] for e in manifest["reports"]} == {
        "specs/good.yaml",
        "specs/\\xe9t\\xe9/x.yaml",
    }
