"""Nothing reportrunner writes can land outside the output folder.

Report ids become folder names, so hostile ids (`../x`, absolute paths, `history`, NUL…) are
tried through the spec language, through `publish` from Python and through a tampered site
given to `render --from`; templates cannot include files outside the template folders; and
`--out` refuses to replace a folder that is not a site (the project itself, `specs/`, `.`). Each
test lists every file under the sandbox before and after: the only new paths are in `--out`.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from relhelp import CANARY, cli_env, run_cli, spec_yaml, tree_snapshot, write_specs

from reportrunner.cli import main
from reportrunner.emulator import Emulator
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
HOSTILE_IDS = [
    "../escape",
    "../../escape",
    "/tmp/absolute",
    "a/b",
    "..",
    ".",
    "",
    "history",
    "History",
    "index.html",
    "manifest.json",
    "nul\x00byte",
    ".hidden",
    "-rf",
    "x" * 300,
    "ok\\..\\..\\win",
]
FIXTURE = Path(__file__).parents[1] / "render/fixtures/data.json"


def _all_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_hostile_ids_in_specs(tmp_path: Path) -> None:
    texts = {f"s{i}": spec_yaml(json.dumps(rid)) for i, rid in enumerate(HOSTILE_IDS)}
    texts["good"] = spec_yaml("good")
    write_specs(tmp_path, texts)
    before = _all_files(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        run = run_cli(["run", "--out", "site"], cwd=tmp_path, env=cli_env(emu.base_url))
    assert run.returncode == 1, run.explain()
    assert not run.traceback, run.explain()
    new = _all_files(tmp_path) - before
    assert all(path == "site" or path.startswith("site/") for path in new), sorted(new)
    manifest = json.loads((tmp_path / "site/manifest.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in manifest["reports"] if r["status"] == "ok"] == ["good"]
    folders = {p.name for p in (tmp_path / "site").iterdir() if p.is_dir()}
    assert folders == {"good", "history"}
    assert not (tmp_path.parent / "escape").exists()


def test_hostile_ids_through_publish(tmp_path: Path) -> None:
    """From Python the ids are not validated first: publish itself must refuse them."""
    sandbox = tmp_path / "sandbox"
    out = sandbox / "deep" / "site"
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    outcomes = [
        ReportOutcome(rid, "t", "specs/x.yaml", "ok", data=dict(data, id=rid))
        for rid in HOSTILE_IDS
    ]
    outcomes.append(ReportOutcome("fine", "t", "specs/x.yaml", "ok", data=dict(data, id="fine")))
    result = publish(out, Project(root=tmp_path), outcomes, now=NOW)
    statuses = {r.id: r.status for r in result.reports}
    assert statuses.pop("fine") == "ok"
    assert set(statuses.values()) == {"failed"}
    everything = _all_files(sandbox)
    outside = {p for p in everything if not p.startswith("deep/site")} - {"deep"}
    assert outside == set(), outside
    assert {p.name for p in out.iterdir()} == {"fine", "history", "index.html", "manifest.json"}


def test_tampered_site_through_render_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`render --from` reads ids, file names and formats from a site that may be tampered."""
    out = tmp_path / "site"
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    publish(out, Project(root=tmp_path), [ReportOutcome("r", "t", "s.yaml", "ok", data=data)])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["reports"][0]
    entry["files"] = {"html": "../../escape.html", "md": "/tmp/escape.md"}
    manifest["reports"].append(dict(entry, id="../escape"))
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    data_file = out / "r" / "data.json"
    tampered = dict(data, formats=["../../x", "html", "/etc/passwd"], id="../../escape")
    data_file.write_text(json.dumps(tampered), encoding="utf-8")
    before = _all_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", "--from", "site", "--out", "again"])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    new = _all_files(tmp_path) - before
    assert all(p == "again" or p.startswith("again/") for p in new), sorted(new)
    assert not (tmp_path.parent / "escape.html").exists()


def test_templates_cannot_include_outside_their_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    templates = tmp_path / "templates"
    (templates / "partials").mkdir(parents=True)
    (templates / "partials" / "footer.html").write_text(
        '{% include "../secret.txt" %}', encoding="utf-8"
    )
    (tmp_path / "reportrunner.yaml").write_text("templates: templates\n", encoding="utf-8")
    write_specs(tmp_path, {"a": spec_yaml("a")})
    with Emulator(api_key=CANARY, now=NOW) as emu:
        run = run_cli(["run", "--out", "site"], cwd=tmp_path, env=cli_env(emu.base_url))
    assert run.returncode != 0, run.explain()
    assert "secret.txt" in run.stderr, run.explain()
    assert not run.traceback, run.explain()
    assert not (tmp_path / "site").exists()
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "secret.txt":
            assert b"TOP SECRET" not in path.read_bytes(), path


@pytest.mark.parametrize("out", [".", "specs", "notasite", "notes.txt", "specs/a.yaml"])
def test_out_never_replaces_what_is_not_a_site(tmp_path: Path, out: str) -> None:
    write_specs(tmp_path, {"a": spec_yaml("a")})
    (tmp_path / "notasite").mkdir()
    (tmp_path / "notasite" / "thesis.tex").write_text("years of work", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("notes", encoding="utf-8")
    before = tree_snapshot(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        run = run_cli(["run", "--out", out], cwd=tmp_path, env=cli_env(emu.base_url))
    assert run.returncode == 2, run.explain()
    assert not run.traceback, run.explain()
    assert tree_snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
