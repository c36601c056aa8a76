"""The API key is never written to the site, whatever brings it there.

Close can echo the key in a 200 answer: here the emulator serves an organization whose user,
group, pipeline, status and organization names contain it (`Emulator(names=…)`), so the key
reaches data.json, every page and both CSVs unless the one site writer masks it. Further
cases: a key with characters JSON, HTML and CSV escape (each format spells it differently), a
previous site that already holds the key in a report carried over by `--only`, and `render
--from` of such a site with the key in the environment. Every file under the project (the site,
hidden folders too) is searched for the key in each of its spellings.
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from relhelp import CANARY, CliRun, cli_env, files_containing, run_cli, spec_yaml, write_specs

from reportrunner.emulator import Emulator
from reportrunner.emulator.org import GROUPS, ORGANIZATION_ID, PIPELINES, USERS
from reportrunner.escaping import markdown_escape

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
ODD_KEY = 'canary"<&>\\key_Q7wE9rT2yU4iO6pA'


def _spellings(key: str) -> list[bytes]:
    forms = {
        key,
        json.dumps(key)[1:-1],
        html.escape(key),
        html.escape(key, quote=False),
        key.replace('"', '""'),
        markdown_escape(key),  # report.md backslash-escapes `_`, `*`, `|`…
    }
    return [form.encode("utf-8") for form in forms]


def _echoing(key: str) -> dict[str, str]:
    """Display names that hold the key, for every kind of named object a page shows."""
    names = {user.id: f"Ada {key} Lovelace" for user in USERS}
    names.update({group.id: f"{key}" for group in GROUPS})
    names[PIPELINES[0].id] = f"Pipeline {key}"
    names.update({status.id: f"{key} stage" for status in PIPELINES[0].statuses})
    names[ORGANIZATION_ID] = key
    return names


def _run(tmp_path: Path, emu: Emulator, key: str, *args: str) -> CliRun:
    return run_cli(["run", "--out", "site", *args], cwd=tmp_path, env=cli_env(emu.base_url, key))


@pytest.mark.parametrize("key", [CANARY, ODD_KEY], ids=["plain key", "key with escapes"])
def test_a_key_echoed_in_names_is_masked_in_every_file(tmp_path: Path, key: str) -> None:
    extra = "compared_relative_range: last-month\n"
    write_specs(
        tmp_path,
        {
            "a": spec_yaml("a", extra=f"  {extra}"),
            "b": spec_yaml("b", endpoints=("stages",), cohort="this-year"),
        },
    )
    with Emulator(api_key=key, now=NOW, names=_echoing(key)) as emu:
        run = _run(tmp_path, emu, key)
    assert run.returncode == 0, run.explain()
    site = tmp_path / "site"
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {"a/data.json", "a/index.html", "a/report.md", "a/report.csv"} <= written
    assert {"b/stages.csv", "index.html", "manifest.json", "history/a.json"} <= written
    assert files_containing(tmp_path, _spellings(key)) == []
    data = json.loads((site / "a" / "data.json").read_text(encoding="utf-8"))
    assert data["names"]["users"][USERS[0].id] == "Ada *** Lovelace", "masked, not dropped"
    for needle in _spellings(key):
        assert needle.decode() not in run.stdout + run.stderr


def test_a_key_already_in_the_previous_site_is_not_carried_over(tmp_path: Path) -> None:
    write_specs(tmp_path, {"a": spec_yaml("a"), "b": spec_yaml("b", cohort="this-year")})
    with Emulator(api_key=CANARY, now=NOW) as emu:
        assert _run(tmp_path, emu, CANARY).returncode == 0
        # An older build (or a hand edit) left the key in report a's data.
        path = tmp_path / "site" / "a" / "data.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["title"] = f"Leaked {CANARY}"
        data["names"]["users"] = {USERS[0].id: CANARY}
        path.write_text(json.dumps(data), encoding="utf-8")
        run = _run(tmp_path, emu, CANARY, "--only", "b")  # a is carried over unchanged
    assert run.returncode == 0, run.explain()
    assert files_containing(tmp_path / "site", _spellings(CANARY)) == []
    carried = json.loads(path.read_text(encoding="utf-8"))
    assert carried["title"] == "Leaked ***"


def test_render_from_masks_the_key_in_the_environment(tmp_path: Path) -> None:
    write_specs(tmp_path, {"a": spec_yaml("a")})
    with Emulator(api_key=CANARY, now=NOW) as emu:
        assert _run(tmp_path, emu, CANARY).returncode == 0
    path = tmp_path / "site" / "a" / "data.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["description"] = f"key {CANARY}"
    path.write_text(json.dumps(data), encoding="utf-8")
    run = run_cli(
        ["render", "--from", "site", "--out", "copy"],
        cwd=tmp_path,
        env=cli_env("http://127.0.0.1:9", CANARY),
    )
    assert run.returncode == 0, run.explain()
    assert files_containing(tmp_path / "copy", _spellings(CANARY)) == []
    assert "key ***" in (tmp_path / "copy" / "a" / "index.html").read_text(encoding="utf-8")
