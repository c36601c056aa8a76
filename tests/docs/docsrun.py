"""What the docs-contract test reads out of the documentation, and how it runs one command.

A command is a line of a shell-like fenced block (``` , ```console, ```sh, ```bash, ```shell)
in README.md or docs/*.md: a `$ `-prefixed line (what follows it, up to the next `$ ` line, is
its shown output), or in a block without `$ ` lines, a line starting with a command word. Every
`--help` text's "Example(s):" lines are commands too. `&&` chains are split; trailing comments,
`VAR=value` prefixes and a trailing `&` are understood. Anything else in a block (diagrams,
error messages shown as text) is prose.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner, Result

from reportrunner.cli import main

SHELL_BLOCKS = {"", "console", "sh", "bash", "shell"}
COMMAND_WORDS = ("reportrunner", "pip", "pytest", "export", "python", "curl", "git", "cd", "rm")
_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


@dataclass
class Command:
    """One command as the docs show it, and where."""

    doc: str  # "README.md", "docs/running.md", "reportrunner init --help"
    line: int
    text: str  # as written (one step of an && chain)
    shown: list[str] | None = None  # output the docs show (console blocks only)
    words: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    #: The heading it is under (or the --help text): each section starts from a fresh copy.
    section: str = ""

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}: `{self.text}`"


def _parse(doc: str, line: int, text: str, shown: list[str] | None) -> list[Command]:
    steps = [step.strip() for step in text.split("&&")]
    found = []
    for position, step in enumerate(steps):
        words = shlex.split(step.rstrip("&").strip(), comments=True)
        env: dict[str, str] = {}
        while words and _ASSIGNMENT.match(words[0]):
            name, value = words.pop(0).split("=", 1)
            env[name] = value
        if words:
            last = position == len(steps) - 1
            found.append(Command(doc, line, step, shown if last else None, words, env))
    return found


def commands_in(path: Path, name: str) -> list[Command]:
    """Every command of one Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Command] = []
    block: list[tuple[int, str]] | None = None
    language = ""
    section = name
    for number, text in enumerate(lines, start=1):
        if block is None and re.match(r"^#{1,6} ", text):
            section = f"{name} {text.strip()}"
        fence = re.match(r"^\s*```(\S*)", text)
        if fence and block is None:
            block, language = [], fence.group(1)
            continue
        if fence and block is not None:
            if language in SHELL_BLOCKS:
                for command in _block(name, block, compare=language == "console"):
                    command.section = section
                    found.append(command)
            block = None
            continue
        if block is not None:
            block.append((number, text))
    return found


def _block(name: str, block: list[tuple[int, str]], *, compare: bool) -> list[Command]:
    found: list[Command] = []
    prompts = [i for i, (_, text) in enumerate(block) if text.startswith("$ ")]
    if not prompts:
        for number, text in block:
            if text.split(" ", 1)[0] in COMMAND_WORDS or _ASSIGNMENT.match(text):
                found += _parse(name, number, text, None)
        return found
    for position, index in enumerate(prompts):
        end = prompts[position + 1] if position + 1 < len(prompts) else len(block)
        number, text = block[index]
        shown = [line for _, line in block[index + 1 : end]]
        found += _parse(name, number, text[2:], shown if compare else None)
    return found


def help_examples(command_names: list[str]) -> list[Command]:
    """The "Example(s):" lines of `reportrunner --help` and of every command's --help."""
    found: list[Command] = []
    for name in ["", *command_names]:
        args = [name, "--help"] if name else ["--help"]
        text = CliRunner().invoke(main, args).output
        doc = f"reportrunner {name} --help".replace("  ", " ")
        lines = text.split("Example", 1)[1].splitlines()[1:] if "Example" in text else []
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if not stripped:
                break  # the examples end at the first blank line
            for command in _parse(doc, number, stripped, None):
                command.section = doc
                found.append(command)
    return found


def run(command: Command, cwd: Path, env: dict[str, str]) -> tuple[Result | None, Path]:
    """Run one command in `cwd`; returns its result (None for cd/rm) and the next cwd."""
    words = command.words
    if words[0] == "cd":
        target = (cwd / words[1]).resolve()
        assert target.is_dir(), f"{command.where}: no folder {target}"
        return None, target
    if words[0] == "rm":
        for pattern in [w for w in words[1:] if not w.startswith("-")]:
            for match in cwd.glob(pattern):
                assert match.resolve().is_relative_to(cwd), command.where
                match.unlink()
        return None, cwd
    assert words[0] == "reportrunner", f"{command.where}: not a reportrunner command"
    into = None
    if ">" in words:  # `reportrunner schema > file`: stdout into a file of the copy
        at = words.index(">")
        words, into = words[:at], cwd / words[at + 1]
        assert into.resolve().is_relative_to(cwd), command.where
    # The docs' key and URL (placeholders like api_… or a separate emulator) are the test's.
    overrides = {
        k: v for k, v in command.env.items() if k not in ("CLOSE_API_KEY", "CLOSE_API_URL")
    }
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, words[1:], env={**env, **overrides})
    finally:
        os.chdir(old)
    if into is not None and result.exit_code == 0:
        into.write_text(result.stdout, encoding="utf-8")
    return result, cwd
