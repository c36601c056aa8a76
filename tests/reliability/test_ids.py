"""Report ids are matched in full and never name a folder Windows refuses.

`$` in a pattern also matches before a final newline, so `id: "evil\\n"` used to be valid: its
folder broke links and the restore step. The schema (what `validate` and `run` apply to specs)
and `site.files.id_problem` (what `publish` and `render --from` apply to any id, also from a
tampered site) must both refuse trailing newlines and Windows-reserved names, in every case.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from relhelp import CANARY, cli_env, run_cli, spec_yaml, write_specs

from reportrunner.emulator import Emulator
from reportrunner.resources import load_schema
from reportrunner.site.files import id_problem
from reportrunner.spec.checks import SPEC_SCHEMA
from reportrunner.spec.validate import validate_paths

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
NEWLINES = ["evil\n", "evil\r\n", "evil\n\n", "a\nb", "\nevil", "evil\x0b", "evil\u2028"]
WINDOWS = ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt0", "com0"]
FINE = ["con-x", "console", "nullable", "com10", "lpt", "auxiliary", "a", "a" * 63]


def _schema_ok(report_id: str) -> bool:
    pattern = load_schema(SPEC_SCHEMA)["properties"]["id"]["pattern"]
    return re.search(pattern, report_id) is not None


@pytest.mark.parametrize("report_id", NEWLINES + WINDOWS + ["a" * 64, "-a", "A"])
def test_the_schema_pattern_refuses(report_id: str) -> None:
    assert not _schema_ok(report_id)


@pytest.mark.parametrize("report_id", FINE)
def test_the_schema_pattern_accepts(report_id: str) -> None:
    assert _schema_ok(report_id)


@pytest.mark.parametrize(
    "report_id",
    NEWLINES + WINDOWS + ["CON", "Nul", "con.json", "aux.tar.gz", "LPT3.txt", "a.", "x" * 129],
)
def test_folder_names_refuse(report_id: str) -> None:
    problem = id_problem(report_id)
    assert problem is not None and "cannot be used as a folder name" in problem


@pytest.mark.parametrize("report_id", [*FINE, "Mixed.Case_1", "v1.2"])
def test_folder_names_accept(report_id: str) -> None:
    assert id_problem(report_id) is None


def test_validate_names_the_file_and_line(tmp_path: Path) -> None:
    specs = write_specs(
        tmp_path,
        {
            "newline": spec_yaml(json.dumps("evil\n")),
            "windows": spec_yaml("nul"),
            "good": spec_yaml("good"),
        },
    )
    result = validate_paths([specs], root=tmp_path)
    assert [spec.id for spec in result.specs] == ["good"]
    messages = {d.file: str(d) for d in result.diagnostics if d.severity == "error"}
    assert set(messages) == {"specs/newline.yaml", "specs/windows.yaml"}, messages
    assert all(":1:" in text and "Windows reserves" in text for text in messages.values())


def test_a_spec_file_named_like_a_device_is_refused(tmp_path: Path) -> None:
    """Without `id:` the file name is the id: `con.yaml` must not become a `con/` folder."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "con.yaml").write_text(spec_yaml("x").replace("id: x\n", ""), encoding="utf-8")
    result = validate_paths([specs], root=tmp_path)
    assert result.specs == [] and result.errors == 1


def test_run_publishes_the_good_reports_only(tmp_path: Path) -> None:
    texts = {f"bad{i}": spec_yaml(json.dumps(rid)) for i, rid in enumerate(NEWLINES + WINDOWS)}
    texts["good"] = spec_yaml("good")
    write_specs(tmp_path, texts)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        run = run_cli(["run", "--out", "site"], cwd=tmp_path, env=cli_env(emu.base_url))
    assert run.returncode == 1, run.explain()
    assert not run.traceback, run.explain()
    site = tmp_path / "site"
    assert {p.name for p in site.iterdir() if p.is_dir()} == {"good", "history"}
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    assert all("\n" not in entry["id"] for entry in manifest["reports"]), manifest
    assert [r["id"] for r in manifest["reports"] if r["status"] == "ok"] == ["good"]
