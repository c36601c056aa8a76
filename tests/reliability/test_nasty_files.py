"""A corpus of nasty spec files and folders, one test each, through the real `validate` command.

Every case must end in located diagnostics (`file:line:column: error: …`) or a clean
acceptance, with exit status 0 or 1, no traceback, within a time bound. The 50 MB file is
generated in the test's temporary folder, never committed. The unreadable folder needs a user
that permissions apply to: the suite runs as root here, so that case runs the command as
`nobody` through `setpriv`, and runs directly when the suite is not root.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from relhelp import NEW_BUSINESS, spec_yaml, write_specs

from reportrunner.cli import main

SECONDS = 30.0  # hang guard (a FIFO or a device must not block): normal is ~0.3 s


def _validate(project: Path, monkeypatch: pytest.MonkeyPatch, *paths: str) -> Result:
    monkeypatch.chdir(project)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["validate", *(paths or ("specs",))])
    seconds = time.monotonic() - started
    output = result.output
    assert seconds < SECONDS, f"{seconds:.1f} s\n{output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert result.exit_code in (0, 1), output
    assert "Traceback" not in output and "internal error" not in output, output
    return result


def _write(project: Path, name: str, data: bytes) -> None:
    specs = project / "specs"
    specs.mkdir(exist_ok=True)
    (specs / name).write_bytes(data)


def test_alias_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    _write(tmp_path, "bomb.yaml", ("title: x\n" + "\n".join(lines) + "\n").encode())
    result = _validate(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "specs/bomb.yaml:" in result.output
    assert "aliases expand to more than" in result.output


def test_nesting_200_levels_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "title: x\nrequest:\n"
    for level in range(200):
        text += "  " * (level + 1) + f"k{level}:\n"
    text += "  " * 201 + "v\n"
    _write(tmp_path, "deep.yaml", text.encode())
    result = _validate(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "nested deeper than" in result.output
    assert "specs/deep.yaml:" in result.output


def test_nesting_flow_half_a_million(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Brackets up to the size limit: the parser's own depth limit answers, no stack overflow."""
    depth = 500_000
    _write(tmp_path, "flow.yaml", ("title: x\nrequest: " + "[" * depth + "]" * depth).encode())
    result = _validate(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "specs/flow.yaml:2:" in result.output


def test_fifty_megabyte_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chunk = b"# " + b"x" * 1021 + b"\n"
    (tmp_path / "specs").mkdir()
    with (tmp_path / "specs/huge.yaml").open("wb") as handle:
        for _ in range(50 * 1024):
            handle.write(chunk)
    assert (tmp_path / "specs/huge.yaml").stat().st_size == 50 * 1024 * 1024
    result = _validate(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "specs/huge.yaml" in result.output
    assert "52,428,800 bytes" in result.output and "at most" in result.output


def test_binary_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    _write(tmp_path, "image.yaml", png)
    _write(tmp_path, "nul.yaml", b"title: x\nrequest:\n  type: \x00\x01\x02\n")
    result = _validate(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "specs/image.yaml:1:1: error: file is not valid UTF-8" in result.output
    assert "specs/nul.yaml:3:" in result.output and "NUL" in result.output


def test_utf16(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "utf16.yaml", spec_yaml("utf16").encode("utf-16"))
    result = _validate(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "specs/utf16.yaml:1:1: error: file is not valid UTF-8" in result.output
    assert "UTF-8" in result.output


def test_bom_is_accepted_and_lines_stay_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "bom.yaml", b"\xef\xbb\xbf" + spec_yaml("bom").encode())
    bad = spec_yaml("bom-bad").replace("type: created-cohort", "type: no-such-type")
    _write(tmp_path, "bom-bad.yaml", b"\xef\xbb\xbf" + bad.encode())
    result = _validate(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "specs/bom.yaml" not in result.output
    assert "specs/bom-bad.yaml:6:9: error:" in result.output, result.output


def test_crlf_line_endings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "crlf.yaml", spec_yaml("crlf").replace("\n", "\r\n").encode())
    bad = spec_yaml("crlf-bad").replace("type: created-cohort", "type: no-such-type")
    _write(tmp_path, "crlf-bad.yaml", bad.replace("\n", "\r\n").encode())
    _write(tmp_path, "cr-only.yaml", spec_yaml("cr-only").replace("\n", "\r").encode())
    result = _validate(tmp_path, monkeypatch)
    assert "specs/crlf.yaml" not in result.output
    assert "specs/crlf-bad.yaml:6:9: error:" in result.output, result.output
    # YAML counts a lone CR as a line break, so a CR-only file is a valid spec like the CRLF one.
    assert "2 valid reports" in result.output, result.output
    assert "specs/cr-only.yaml" not in result.output


def test_symlink_loops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = write_specs(tmp_path, {"good": spec_yaml("good")})
    (specs / "loop").symlink_to(specs, target_is_directory=True)  # specs/loop -> specs
    (specs / "a.yaml").symlink_to(specs / "b.yaml")
    (specs / "b.yaml").symlink_to(specs / "a.yaml")
    result = _validate(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "specs/a.yaml:1:1: error: cannot read the file" in result.output
    assert "specs/b.yaml:1:1: error: cannot read the file" in result.output
    assert "1 valid report" in result.output


@pytest.fixture
def shared_project() -> Iterator[Path]:
    """A project in a folder every user may enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="rr-unreadable-"))
    folder.chmod(0o777)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


def _as_unprivileged(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "reportrunner", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: chmod 000 cannot stop root")
        drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run(
            [*drop, sys.executable, "-c", "import reportrunner"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if probe.returncode != 0:  # e.g. a Python installed under root's private home
            pytest.skip(f"user nobody cannot run this Python: {probe.stderr.strip()[:200]}")
        command = [*drop, *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSE_")}
    env["HOME"] = str(cwd)
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_unreadable_spec_folder(shared_project: Path) -> None:
    specs = write_specs(shared_project, {"visible": spec_yaml("visible")})
    team = specs / "team"
    team.mkdir()
    (team / "hidden.yaml").write_text(spec_yaml("hidden"), encoding="utf-8")
    for path in (specs, team, specs / "visible.yaml", team / "hidden.yaml"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    team.chmod(0)
    done = _as_unprivileged(["validate", "specs"], shared_project)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "specs/team:1:1: error: cannot read the folder: Permission denied" in output, output
    assert "Traceback" not in output
    # The run makes the unreadable folder a failed report of its own: nothing silently lost.
    done = _as_unprivileged(["run", "--emulator", "--out", "site"], shared_project)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "visible" in done.stdout and "team" in done.stdout, output
    assert not stat.S_IMODE(team.stat().st_mode)  # the folder really was unreadable


def test_spec_file_named_like_a_folder_trick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose name ends in .yaml is searched, not read as a file."""
    nested = tmp_path / "specs" / "odd.yaml"
    nested.mkdir(parents=True)
    (nested / "inner.yaml").write_text(spec_yaml("inner"), encoding="utf-8")
    (tmp_path / "specs" / "empty.yaml").write_bytes(b"")
    (tmp_path / "specs" / "list.yaml").write_text(f"- {NEW_BUSINESS}\n", encoding="utf-8")
    result = _validate(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert "specs/empty.yaml:1:1: error: file is empty" in result.output
    assert "specs/list.yaml:1:1: error: the top level must be a mapping" in result.output
    assert "1 valid report" in result.output
