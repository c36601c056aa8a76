"""GitHub output can't be forged (issue 10, item 6).

Hostile text reaches the output from three places: Close's error answers, the specs (ids,
titles, the values diagnostics quote) and file names. Under `--format github`, and in text
output too, no line of stdout or stderr may then start (after its indentation, as GitHub's
runner trims it) with `::` or `##[` unless it is one of our own annotations; GitHub's runner
splits lines on `\\r` as well as `\\n`. The step summary keeps each value in its table row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from relhelp import NEW_BUSINESS, spec_yaml

from reportrunner.cli import main
from reportrunner.emulator import Emulator, Fault

KEY = "forging-key"
FORGED = [
    "\n::error title=Forged::the build is fine",
    "\r::error title=Forged::carriage return",
    "\r\n::warning title=Forged::crlf",
    "\n   ::error title=Forged::indented",
    "\n::stop-commands::hide-the-real-ones",
    "%0A::error title=Forged::percent-encoded",
    "\u2028::error title=Forged::line separator",
    "\n##[error]Forged: the old syntax",
    "::error title=Forged::at the very start",
]
#: Our own annotations: `::error` then only properties we write, then `::`.
OURS = re.compile(r"^::(error|warning|notice)( (file|line|col|title)=[^:]*)?::")


def _lines(text: str) -> list[str]:
    """Lines as GitHub's runner reads them (\\r, \\n and \\r\\n all end a line)."""
    return re.split(r"\r\n|\r|\n", text)


def _assert_unforgeable(result: Result, expected_annotations: int | None = None) -> None:
    shown = f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    annotations = 0
    for stream in (result.stdout, result.stderr):
        for line in _lines(stream):
            trimmed = line.lstrip()
            assert not trimmed.startswith("##["), f"{line!r}\n{shown}"
            if not trimmed.startswith("::"):
                continue
            match = OURS.match(line)
            assert line == trimmed and match, f"forged: {line!r}\n{shown}"
            properties = line.split("::")[1].partition(" ")[2]
            for item in filter(None, properties.split(",")):
                key, _, value = item.partition("=")
                assert key in ("file", "line", "col", "title"), f"forged: {line!r}"
                assert key != "title" or value.startswith("report "), f"forged: {line!r}"
            annotations += 1
    if expected_annotations is not None:
        assert annotations == expected_annotations, shown


@pytest.fixture
def emu() -> Emulator:
    with Emulator(api_key=KEY) as running:
        yield running  # type: ignore[misc]


def _env(emu: Emulator, summary: Path) -> dict[str, str]:
    return {
        "CLOSE_API_KEY": KEY,
        "CLOSE_API_URL": emu.base_url,
        "GITHUB_STEP_SUMMARY": str(summary),
    }


@pytest.mark.parametrize("forged", FORGED)
def test_close_error_texts_cannot_forge_commands(
    emu: Emulator, forged: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "a.yaml").write_text(spec_yaml("a", endpoints=["totals"]), encoding="utf-8")
    hostile = {"field-errors": {"pipeline": f"nope{forged}"}, "errors": [f"bad{forged}"]}
    emu.inject(Fault.status(400, hostile), path="/report/")
    summary = tmp_path / "summary.md"
    result = CliRunner().invoke(
        main, ["run", "--format", "github", "--out", "site"], env=_env(emu, summary)
    )
    assert result.exit_code == 1, result.output
    assert "nope" in result.stdout, "Close's words are still shown"
    _assert_unforgeable(result, expected_annotations=1)
    table = [line for line in summary.read_text(encoding="utf-8").splitlines() if "`a`" in line]
    assert len(table) == 2, "one row in the table, one failure bullet: no value broke its line"


@pytest.mark.parametrize("forged", FORGED[:5])
def test_spec_values_and_diagnostics_cannot_forge_commands(
    emu: Emulator, forged: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    quoted = forged.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    # An invalid id and title (the schema quotes them), and an unknown request field.
    (specs / "bad.yaml").write_text(
        f'id: "bad{quoted}"\ntitle: "T{quoted}"\nrequest:\n  pipeline: {NEW_BUSINESS}\n'
        f'  type: created-cohort\n  "x{quoted}": 1\n',
        encoding="utf-8",
    )
    (specs / "good.yaml").write_text(spec_yaml("good", endpoints=["totals"]), encoding="utf-8")
    summary = tmp_path / "summary.md"
    for command in (["validate", "--format", "github"], ["validate"]):
        checked = CliRunner().invoke(main, command, env=_env(emu, summary))
        assert checked.exit_code == 1, checked.output
        _assert_unforgeable(checked)
    ran = CliRunner().invoke(
        main, ["run", "--format", "github", "--out", "site"], env=_env(emu, summary)
    )
    assert ran.exit_code == 1, ran.output
    _assert_unforgeable(ran)


FILE_NAMES = [
    "::error title=Forged::name",
    "a\n::warning title=Forged::b",
    "a\r::error title=Forged::b",
    "##[error]Forged",
]


@pytest.mark.parametrize("name", FILE_NAMES)
def test_file_names_cannot_forge_commands(
    emu: Emulator, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / f"{name}.yaml").write_text("id: [not, an, id]\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    for command in (["validate", "--format", "github"], ["validate"]):
        checked = CliRunner().invoke(main, command, env=_env(emu, summary))
        assert checked.exit_code == 1, checked.output
        _assert_unforgeable(checked)
    ran = CliRunner().invoke(
        main, ["run", "--format", "github", "--out", "site"], env=_env(emu, summary)
    )
    _assert_unforgeable(ran)


def test_an_error_message_quoting_a_path_cannot_forge_commands(tmp_path: Path) -> None:
    """The generic error path (fail()) for every command: a missing path named like a command."""
    result = CliRunner().invoke(main, ["run", str(tmp_path / "x\n::error title=Forged::y")])
    assert result.exit_code != 0
    _assert_unforgeable(result, expected_annotations=0)
