"""Diagnostics as text: compiler-style lines, JSON, and GitHub Actions workflow commands.

Pure string building (the CLI prints), except `append_step_summary`, which appends Markdown to
the file GitHub names in $GITHUB_STEP_SUMMARY. `github_annotation` and `append_step_summary`
are small on purpose: the runner uses them for its own failures too.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from reportrunner.escaping import markdown_escape, plain_text
from reportrunner.model import Diagnostic


def plural(count: int, word: str) -> str:
    """`1 error`, `2 errors`: the count and the word, plural unless the count is one."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(files: int, reports: int, errors: int, warnings: int) -> str:
    return (
        f"{plural(files, 'spec file')} checked ({plural(reports, 'valid report')}): "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
    )


def format_text(diagnostics: Sequence[Diagnostic]) -> str:
    """`file:line:col: severity: message`, one per line (a file name cannot forge a command)."""
    return "".join(command_safe(str(d)) + "\n" for d in diagnostics)


def format_json(files: int, diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    document = {
        "specs": files,
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [d.to_json() for d in diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


#: Every line break some reader honours: GitHub's runner splits on \r and \n, terminals and
#: Python's splitlines on the rest.
_LINE_BREAKS = re.compile("\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
#: What the runner takes for a workflow command once leading whitespace is trimmed (`::name`
#: and the older `##[name]`).
_COMMAND_STARTS = ("::", "##[")
DEFUSED = "» "


def command_safe(text: str) -> str:
    """`text` with no line that GitHub Actions could run as a workflow command.

    For everything printed that is not one of our own `github_annotation` lines: Close's error
    texts, spec titles and diagnostics, file names. Line breaks become `\n`, and a line that
    would start with `::` or `##[` after its indentation gets `» ` in front, so
    `\n::error title=Forged::` or `::stop-commands::` stay visible text.
    """
    lines = _LINE_BREAKS.split(text)
    return "\n".join(
        DEFUSED + line if line.lstrip().startswith(_COMMAND_STARTS) else line for line in lines
    )


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping: the message may not contain raw newlines or %; the
    # line breaks GitHub has no escape for become spaces (Python's splitlines honours them).
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _LINE_BREAKS.sub(" ", text)


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(
    severity: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    title: str | None = None,
) -> str:
    """One `::error file=…,line=…,col=…::message` workflow command (or ::warning / ::notice)."""
    properties = []
    if file:
        properties.append(f"file={_escape_property(file)}")
    if line:
        properties.append(f"line={line}")
    if column:
        properties.append(f"col={column}")
    if title:
        properties.append(f"title={_escape_property(title)}")
    joined = " " + ",".join(properties) if properties else ""
    return f"::{severity}{joined}::{_escape_data(message)}"


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(
        github_annotation(d.severity, d.message, file=d.file, line=d.line, column=d.column) + "\n"
        for d in diagnostics
    )


def code_cell(text: str) -> str:
    """Text inside a `code span` in a table cell: one line, no backtick, no cell break."""
    return plain_text(text).replace("`", "'").replace("|", "\\|")


def markdown_summary(heading: str, summary: str, diagnostics: Sequence[Diagnostic]) -> str:
    """A step-summary section: heading, one-line summary, and a table of diagnostics."""
    lines = [f"## {heading}", "", summary, ""]
    if diagnostics:
        lines += ["| | Where | Problem |", "|---|---|---|"]
        for d in diagnostics:
            icon = "❌" if d.severity == "error" else "⚠️"
            where = f"`{code_cell(d.file)}:{d.line}:{d.column}`"
            lines.append(f"| {icon} | {where} | {markdown_escape(d.message)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def append_step_summary(markdown: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """Append to $GITHUB_STEP_SUMMARY when set (GitHub shows it on the run page)."""
    target = (environ if environ is not None else os.environ).get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(markdown)
    return path


def github_output_entry(name: str, value: str) -> str:
    """`name<<DELIMITER` / value / `DELIMITER`: the $GITHUB_OUTPUT form no newline can break.

    The delimiter is random (as in GitHub's own toolkit) and checked against the value, so a
    value cannot end the entry early and add outputs of its own.
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
        raise ValueError(f"not an output name: {name!r}")
    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def append_github_output(name: str, value: str, environ: Mapping[str, str] | None = None) -> bool:
    """Append one output to the file GitHub names in $GITHUB_OUTPUT; False when it is unset."""
    target = (environ if environ is not None else os.environ).get("GITHUB_OUTPUT")
    if not target:
        return False
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(github_output_entry(name, value))
    return True
