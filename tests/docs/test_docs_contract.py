"""The docs are a contract: every command they show runs, shown output matches, links resolve.

Commands come from README.md, docs/*.md and every `--help` text's examples (see docsrun.py).
They run in order, one section (## heading, or --help text) at a time, each in a fresh copy of
the repository as the README's quick start leaves it (a site/ built by `run --emulator`),
in-process
through click's CliRunner, with CLOSE_API_KEY and CLOSE_API_URL pointing at one emulator: the
docs' "your account" is the emulator's organization. A `$ ` command in a ```console block is
compared with the output shown under it (a line ending in … matches any ending); a command
whose shown output reports errors must exit 1, every other one 0. Commands that cannot run
here are in SKIPS, each with its reason; an entry that matches nothing fails, so the list stays
small and true. Failure messages name the document, the line and the command.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from reportrunner.cli import _COMMANDS
from reportrunner.emulator import Emulator

from .docsrun import Command, commands_in, help_examples, run

ROOT = Path(__file__).resolve().parents[2]
DOCS = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
#: Documents whose links are checked too (their commands are bench scripts and pytest runs, not
#: reportrunner commands: RELIABILITY.md's and BENCHMARKS.md's figures say how to rerun them).
LINKED = [*DOCS, "BENCHMARKS.md", "RELIABILITY.md", "CHANGELOG.md"]
KEY = "docs-contract-key"
#: Command prefix → why it is not run here. Reviewed; keep it short.
SKIPS: dict[str, str] = {
    "pip install": "installs packages from the network; .ci/run does it in CI",
    "pytest": "the test suite itself",
    "export CLOSE_API_KEY": "the test sets CLOSE_API_KEY and CLOSE_API_URL to its emulator",
    "reportrunner emulator": "serves until Ctrl-C; tests/emulator/test_emulator_cmd.py runs it",
    "reportrunner serve": "serves until Ctrl-C; tests/preview/test_serve.py runs it",
    "reportrunner run --history-from https://": "reads a published site on the internet",
}
_IGNORED_DIRS = shutil.ignore_patterns(
    ".git", "node_modules", "site", "tests", "__pycache__", ".*_cache", "*.egg-info", "public"
)


@pytest.fixture(scope="module")
def account() -> Iterator[Any]:
    now = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
    with Emulator(api_key=KEY, now=now) as emu:
        yield emu


@pytest.fixture(scope="module")
def quick_started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository after the README's quick start: a site/ built once, copied per doc."""
    target = tmp_path_factory.mktemp("quick-start") / "repo"
    shutil.copytree(ROOT, target, ignore=_IGNORED_DIRS, symlinks=True)
    built, _ = run(
        Command("quick start", 0, "", words=["reportrunner", "run", "--emulator"]), target, {}
    )
    assert built is not None and built.exit_code == 0, built and built.output
    return target


def _copy(source: Path, folder: Path) -> Path:
    target = folder / "repo"
    shutil.copytree(source, target, symlinks=True)
    return target


def _skip_reason(command: Command) -> str | None:
    line = " ".join(command.words)
    return next((why for prefix, why in SKIPS.items() if line.startswith(prefix)), None)


def _matches(shown: list[str], actual: list[str]) -> bool:
    if len(shown) != len(actual):
        return False
    return all(
        a.startswith(s[:-1]) if s.endswith("…") else a == s
        for s, a in zip(shown, actual, strict=True)
    )


def _run_all(
    commands: list[Command], source: Path, tmp_path: Path, env: dict[str, str]
) -> list[str]:
    """Run `commands` in order, each section in a fresh copy of `source`; the failures."""
    failures: list[str] = []
    copies: dict[str, Path] = {}
    cwd = source
    for command in commands:
        if _skip_reason(command) is not None:
            continue
        if command.words[0] not in ("reportrunner", "cd", "rm"):
            failures.append(f"{command.where}: not a reportrunner command and not in SKIPS")
            continue
        if command.section not in copies:
            copies[command.section] = cwd = _copy(source, tmp_path / f"section-{len(copies)}")
        result, cwd = run(command, cwd, env)
        if result is None:
            continue
        shown = command.shown or []
        expected = 1 if any(": error:" in line for line in shown) else 0
        detail = f"\n--- stdout:\n{result.stdout}--- stderr:\n{result.stderr}"
        if result.exit_code != expected:
            failures.append(
                f"{command.where}: exit {result.exit_code}, expected {expected}{detail}"
            )
        elif command.shown and not _matches(command.shown, result.stdout.rstrip("\n").split("\n")):
            shown_text = "\n".join(command.shown)
            failures.append(f"{command.where}: output differs from the docs:\n{shown_text}{detail}")
    return failures


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_in_the_docs_runs(
    doc: str, tmp_path: Path, account: Any, quick_started: Path
) -> None:
    env = {"CLOSE_API_KEY": account.api_key, "CLOSE_API_URL": account.base_url}
    commands = commands_in(ROOT / doc, doc)
    failures = _run_all(commands, quick_started, tmp_path, env)
    assert not failures, "\n\n".join(failures)


def test_every_help_example_runs(tmp_path: Path, account: Any, quick_started: Path) -> None:
    env = {"CLOSE_API_KEY": account.api_key, "CLOSE_API_URL": account.base_url}
    commands = help_examples(list(_COMMANDS))
    assert {c.doc for c in commands} >= {f"reportrunner {name} --help" for name in _COMMANDS}
    failures = _run_all(commands, quick_started, tmp_path, env)
    assert not failures, "\n\n".join(failures)


def test_the_skip_list_is_small_and_every_entry_is_used() -> None:
    everything = [c for doc in DOCS for c in commands_in(ROOT / doc, doc)]
    everything += help_examples(list(_COMMANDS))
    used = {p for c in everything for p in SKIPS if " ".join(c.words).startswith(p)}
    assert set(SKIPS) - used == set(), "SKIPS entries that match no documented command"
    ran = [c for c in everything if _skip_reason(c) is None]
    assert len(ran) > 2 * len(SKIPS), "most documented commands must run, not be skipped"


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors of a Markdown file."""
    found = set()
    for heading in re.findall(r"^#+\s+(.*)$", path.read_text(encoding="utf-8"), flags=re.M):
        text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        found.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return found


def _links() -> list[tuple[str, int, str]]:
    found = []
    for doc in LINKED:
        text = (ROOT / doc).read_text(encoding="utf-8")
        text = re.sub(r"```.*?```", lambda m: "\n" * m[0].count("\n"), text, flags=re.S)
        for number, line in enumerate(text.splitlines(), start=1):
            for target in re.findall(r"\]\(([^)\s]+)\)", line):
                if not re.match(r"^[a-z]+:", target):
                    found.append((doc, number, target))
    return found


@pytest.mark.parametrize(("doc", "line", "target"), _links())
def test_every_relative_link_resolves_inside_the_repository(
    doc: str, line: int, target: str
) -> None:
    path, _, anchor = target.partition("#")
    resolved = ((ROOT / doc).parent / path).resolve() if path else ROOT / doc
    where = f"{doc}:{line}: link to {target}"
    assert resolved.is_relative_to(ROOT), f"{where} leaves the repository"
    assert resolved.exists(), f"{where}: {resolved.relative_to(ROOT)} does not exist"
    if anchor and resolved.suffix == ".md":
        assert anchor in _anchors(resolved), f"{where}: no heading #{anchor} there"


def test_every_test_and_bench_script_the_docs_name_exists() -> None:
    """RELIABILITY.md and BENCHMARKS.md say which test or script reproduces each figure."""
    missing = []
    for doc in LINKED:
        text = (ROOT / doc).read_text(encoding="utf-8")
        for found in re.finditer(r"((?:tests|bench)/[\w/.-]+\.py)(?:::(\w+))?", text):
            path, name = ROOT / found[1], found[2]
            if not path.is_file():
                missing.append(f"{doc}: {found[0]} (no such file)")
            elif name and not re.search(rf"def {name}\b", path.read_text(encoding="utf-8")):
                missing.append(f"{doc}: {found[0]} (no such test)")
    assert missing == []
