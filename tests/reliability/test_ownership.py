"""reportrunner replaces only a folder it made, follows a symlinked --out, and locks per folder.

A folder is ours when its manifest.json carries our format marker (or is the exact manifest of
reportrunner 0.1), never because a file is called manifest.json. Every refusal is exit 2, is
decided before the first API call (the emulator records no request), and leaves the whole
sandbox byte for byte as it was, with no lock file or staging folder behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from relhelp import CANARY, CliRun, cli_env, run_cli, spec_yaml, tree_snapshot, write_specs

from reportrunner.emulator import Emulator, Fault
from reportrunner.errors import UsageError
from reportrunner.site.staging import check_destination, exclusive

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
WEB_APP = {"name": "Shop", "short_name": "Shop", "start_url": "/", "icons": []}
EXTENSION = {"manifest_version": 3, "name": "Helper", "version": "1.0"}
FOREIGN_MANIFESTS = {
    "web app": WEB_APP,
    "browser extension": EXTENSION,
    "another format": {"format": "something-else", "format_version": 1, "reports": []},
    "a newer site version": {"format": "reportrunner-site", "format_version": 2, "reports": []},
    "version as text": {"format": "reportrunner-site", "format_version": "1", "reports": []},
    "0.1 keys plus one": {
        "generated_at": "2026-11-30T09:00:05Z",
        "reportrunner_version": "0.1.0",
        "site": {},
        "reports": [],
        "name": "Shop",
    },
    "0.1 keys, bad time": {
        "generated_at": "yesterday",
        "reportrunner_version": "0.1.0",
        "site": {},
        "reports": [],
    },
    "a list": [1, 2, 3],
}


def _project(tmp_path: Path) -> None:
    write_specs(tmp_path, {"a": spec_yaml("a")})


def _run(tmp_path: Path, emu: Emulator, *args: str) -> CliRun:
    return run_cli(["run", *args], cwd=tmp_path, env=cli_env(emu.base_url))


def _leftovers(*folders: Path) -> list[str]:
    """Lock files, moved-aside sites and staging folders left in `folders`."""
    patterns = (".*.lock", ".*.previous-*", ".*.building-*")
    return sorted(p.name for f in folders for pattern in patterns for p in f.glob(pattern))


@pytest.mark.parametrize("kind", sorted(FOREIGN_MANIFESTS))
def test_a_foreign_manifest_is_refused_before_any_request(tmp_path: Path, kind: str) -> None:
    _project(tmp_path)
    public = tmp_path / "public"
    public.mkdir()
    (public / "manifest.json").write_text(json.dumps(FOREIGN_MANIFESTS[kind]), encoding="utf-8")
    (public / "app.js").write_text("console.log('years of work')", encoding="utf-8")
    before = tree_snapshot(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        run = _run(tmp_path, emu, "--out", "public")
        assert emu.requests == [], "refused before the first API call"
    assert run.returncode == 2, run.explain()
    assert "refusing to replace" in run.stderr and "manifest.json" in run.stderr, run.explain()
    assert not run.traceback, run.explain()
    assert tree_snapshot(tmp_path) == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("case", ["no manifest", "a file", "the project", "home", "a parent"])
def test_folders_that_are_not_sites_are_refused(tmp_path: Path, case: str) -> None:
    _project(tmp_path)
    (tmp_path / ".git").mkdir()  # the project is a repository root
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("keep", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("keep", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    out = {
        "no manifest": "docs",
        "a file": "notes.txt",
        "the project": ".",
        "home": str(home),
        "a parent": "..",
    }[case]
    before = tree_snapshot(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        run = run_cli(
            ["run", "--out", out], cwd=tmp_path, env=cli_env(emu.base_url, HOME=str(home))
        )
        assert emu.requests == [], run.explain()
    assert run.returncode == 2, run.explain()
    assert ("hint:" in run.stderr or "Error:" in run.stderr) and not run.traceback, run.explain()
    assert tree_snapshot(tmp_path) == before
    assert _leftovers(tmp_path, tmp_path.parent) == []


@pytest.mark.parametrize("root", ["/", "/.", "//"])
def test_the_file_system_root_is_refused(root: str) -> None:
    # Checked at the function, not through a run: a regression here must not touch `/`.
    with pytest.raises(UsageError, match="the root, your home folder"):
        check_destination(Path(root))


def test_our_own_sites_are_replaced_old_and_new(tmp_path: Path) -> None:
    """A site built by this version, then one whose manifest is 0.1's (no marker), then empty."""
    _project(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        first = _run(tmp_path, emu, "--out", "site")
        assert first.returncode == 0, first.explain()
        path = tmp_path / "site" / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        assert (manifest["format"], manifest["format_version"]) == ("reportrunner-site", 1)
        del manifest["format"], manifest["format_version"]  # as reportrunner 0.1 wrote it
        path.write_text(json.dumps(manifest), encoding="utf-8")
        second = _run(tmp_path, emu, "--out", "site")
        assert second.returncode == 0, second.explain()
        (tmp_path / "empty").mkdir()
        third = _run(tmp_path, emu, "--out", "empty")
        assert third.returncode == 0, third.explain()
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "reportrunner-site"
    assert _leftovers(tmp_path) == []


def test_render_refuses_a_foreign_destination_too(tmp_path: Path) -> None:
    _project(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        assert _run(tmp_path, emu, "--out", "site").returncode == 0
    public = tmp_path / "public"
    public.mkdir()
    (public / "manifest.json").write_text(json.dumps(WEB_APP), encoding="utf-8")
    before = tree_snapshot(tmp_path)
    env = cli_env("http://127.0.0.1:9")
    for args in (["--from", "site", "--out", "public"], ["--from", "public"]):
        run = run_cli(["render", *args], cwd=tmp_path, env=env)
        assert run.returncode == 2, run.explain()
        assert not run.traceback, run.explain()
    assert tree_snapshot(tmp_path) == before


def test_a_symlinked_out_updates_the_target(tmp_path: Path) -> None:
    _project(tmp_path)
    served = tmp_path / "srv" / "www"
    served.parent.mkdir()
    link = tmp_path / "site"
    with Emulator(api_key=CANARY, now=NOW) as emu:
        assert _run(tmp_path, emu, "--out", str(served)).returncode == 0
        link.symlink_to(served, target_is_directory=True)
        (served / "from-the-last-build.txt").write_text("old", encoding="utf-8")
        run = _run(tmp_path, emu, "--out", "site", "--only", "a")
        assert run.returncode == 0, run.explain()
    assert link.is_symlink() and link.resolve() == served.resolve()
    assert not (served / "from-the-last-build.txt").exists(), "the target was rebuilt"
    assert (served / "a" / "index.html").is_file()
    assert _leftovers(tmp_path, served.parent) == []


@pytest.mark.parametrize("case", ["dangling", "loop", "to a foreign folder"])
def test_bad_symlinks_are_refused(tmp_path: Path, case: str) -> None:
    _project(tmp_path)
    link = tmp_path / "site"
    if case == "dangling":
        link.symlink_to(tmp_path / "nowhere")
    elif case == "loop":
        link.symlink_to(tmp_path / "site")
    else:
        (tmp_path / "public").mkdir()
        (tmp_path / "public" / "index.html").write_text("mine", encoding="utf-8")
        link.symlink_to(tmp_path / "public")
    before = tree_snapshot(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        run = _run(tmp_path, emu, "--out", "site")
        assert emu.requests == [], run.explain()
    assert run.returncode == 2, run.explain()
    assert not run.traceback, run.explain()
    assert link.is_symlink(), "the link itself is never replaced"
    assert tree_snapshot(tmp_path) == before
    assert _leftovers(tmp_path) == []


def test_a_second_run_on_the_same_folder_fetches_nothing(tmp_path: Path) -> None:
    """The lock is taken before fetching and is per folder: a sibling site proceeds."""
    _project(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        assert _run(tmp_path, emu, "--out", "sites/one").returncode == 0
        before = tree_snapshot(tmp_path / "sites")
        emu.clear_requests()
        with exclusive((tmp_path / "sites" / "one").absolute()):  # a run in progress
            blocked = _run(tmp_path, emu, "--out", "sites/one")
            assert emu.requests == [], blocked.explain()
            sibling = _run(tmp_path, emu, "--out", "sites/two")
            assert emu.requests, "the sibling run fetched"
        assert blocked.returncode == 2, blocked.explain()
        assert "another reportrunner is writing the site" in blocked.stderr, blocked.explain()
        assert sibling.returncode == 0, sibling.explain()
    after = tree_snapshot(tmp_path / "sites")
    assert {k: v for k, v in after.items() if k.startswith("one/")} == before
    assert _leftovers(tmp_path / "sites") == []


def test_two_real_runs_at_once_on_one_folder(tmp_path: Path) -> None:
    """The first run holds the lock while its first answer is delayed; the second, started
    then, exits 2 and adds no request to the ones the first makes on its own."""
    _project(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        assert _run(tmp_path, emu, "--out", "solo").returncode == 0
        alone = len(emu.requests)
        emu.clear_requests()
        # Long enough for the second process to start and reach the lock on a loaded machine.
        emu.inject(Fault.delay(6.0), path="/report/")
        first = subprocess.Popen(
            [sys.executable, "-m", "reportrunner", "run", "--out", "site"],
            cwd=tmp_path,
            env=cli_env(emu.base_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60  # a hang guard, far above the usual 0.5 s
            while not emu.requests and time.monotonic() < deadline:
                time.sleep(0.02)  # the first run is fetching, so it holds the lock
            assert (tmp_path / ".site.lock").exists()
            second = _run(tmp_path, emu, "--out", "site")
        finally:
            out, err = first.communicate(timeout=60)
        assert first.returncode == 0, out + err
        assert second.returncode == 2, second.explain()
        assert "another reportrunner is writing the site" in second.stderr, second.explain()
        assert len(emu.requests) == alone, "the second run made no request"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("fault", ["401", "400 for every request", "refused folder"])
def test_the_lock_is_released_on_every_exit_path(tmp_path: Path, fault: str) -> None:
    _project(tmp_path)
    with Emulator(api_key=CANARY, now=NOW) as emu:
        if fault == "401":
            emu.inject(Fault.status(401), path="/")
        elif fault == "400 for every request":
            emu.inject(Fault.status(400), Fault.status(400), path="/report/")
        else:
            (tmp_path / "site").mkdir()
            (tmp_path / "site" / "x.txt").write_text("x", encoding="utf-8")
        failed = _run(tmp_path, emu, "--out", "site")
        assert failed.returncode != 0, failed.explain()
        assert _leftovers(tmp_path) == [], failed.explain()
        if fault == "refused folder":
            (tmp_path / "site" / "x.txt").unlink()
        emu.clear_requests()
        again = _run(tmp_path, emu, "--out", "site")
        assert again.returncode == 0, again.explain()
    assert _leftovers(tmp_path) == []
