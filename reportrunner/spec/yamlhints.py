"""YAML syntax errors in words a YAML beginner can act on: which line, what is wrong, the fix.

PyYAML says "mapping values are not allowed in this context" or "found character that cannot
start any token"; true, but nobody learns from it that a value with ": " needs quotes or that a
tab indents the line. These rules look at the source lines around PyYAML's marks and recognise
the mistakes people make most: a tab in the indentation, typographic quotes from a word
processor, a quote never closed, text after a closing quote, no space after a colon, a colon in
an unquoted value, a list item out of line. Anything else keeps PyYAML's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_SMART = "“”‘’„«»"
# `key:value` at the start of a line: a key glued to its value (URLs' "://" excluded).
_GLUED = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):(?![\s/:])(\S.*)$")
# `key: value` whose value holds another ": " (an unquoted colon in a value).
_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([^\s#'\"][^:#]*?):\s+(.*)$")


@dataclass(frozen=True)
class Explained:
    line: int  # 1-based
    column: int  # 1-based
    message: str
    hint: str | None = None


def _position(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _tab(lines: list[str], upto: int) -> Explained | None:
    for number, text in enumerate(lines[:upto], start=1):
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in indent and text.strip():
            return Explained(
                number,
                indent.index("\t") + 1,
                f"line {number} is indented with a tab; YAML indents with spaces only",
                "replace the tab with spaces (two per level); most editors have "
                "'Convert Indentation to Spaces'",
            )
    return None


def _smart_quotes(lines: list[str], numbers: list[int]) -> Explained | None:
    for number in numbers:
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        found = next((c for c in text if c in _SMART), None)
        if found is not None:
            fixed = "".join('"' if c in "“”„«»" else "'" if c in "‘’" else c for c in text)
            return Explained(
                number,
                text.index(found) + 1,
                f"{found} is a typographic quote (pasted from a word processor?), which YAML "
                "does not read as a quote",
                f"type straight quotes instead: {fixed.strip()}",
            )
    return None


def _glued(lines: list[str], numbers: list[int]) -> Explained | None:
    for number in numbers:
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        match = _GLUED.match(text)
        if match and not text.lstrip().startswith("#"):
            prefix, key, value = match.groups()
            return Explained(
                number,
                len(prefix) + len(key) + 1,
                f"no space after the colon: YAML reads {key}:{value.split()[0]} as one word, "
                "not as a key and its value",
                f"write a space after the colon: {key}: {value}",
            )
    return None


def _colon_in_value(text: str, number: int) -> Explained | None:
    match = _KEY_VALUE.match(text)
    if not match or ": " not in match.group(3):
        return None
    _, key, value = match.groups()
    start = len(text) - len(value)  # where the value begins (0-based)
    value = value.rstrip()
    if ": " not in value:  # the ": " was trailing whitespace ("a: : "): not this mistake
        return None
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return Explained(
        number,
        start + value.index(": ") + 1,
        f"the value of {key.strip()} contains ': ', which YAML reads as the start of another key",
        f"put the value in quotes: {key.strip()}: {quoted}",
    )


def _after_quote(text: str, number: int, column: int) -> Explained | None:
    match = _KEY_VALUE.match(text)
    if not match:
        return None
    _, key, value = match.groups()
    start = len(text) - len(value)  # where the value begins (0-based)
    if not value or value[0] not in "'\"" or column - 1 <= start:
        return None
    quote = value[0]
    example = "it''s" if quote == "'" else 'say \\"hi\\"'
    return Explained(
        number,
        column,
        f"the quoted value of {key.strip()} ends before the line does: text follows the "
        f"closing {quote}",
        f"quote the whole value; inside {quote}…{quote} write {example}, or use the other kind "
        "of quotes around the value",
    )


def _list_item(lines: list[str], number: int) -> Explained | None:
    text = lines[number - 1] if 0 < number <= len(lines) else ""
    if not text.lstrip().startswith("- "):
        return None
    column = len(text) - len(text.lstrip())
    for earlier in range(number - 1, 0, -1):
        above = lines[earlier - 1]
        if above.lstrip().startswith("- "):
            lined = len(above) - len(above.lstrip())
            if lined != column:
                return Explained(
                    number,
                    column + 1,
                    f"this list item starts at column {column + 1}, but the item above it "
                    f"(line {earlier}) at column {lined + 1}",
                    f"start every '- ' of one list at the same column ({lined + 1})",
                )
            break
    return None


def explain(text: str, exc: yaml.MarkedYAMLError) -> Explained:
    """What went wrong in `text`, where, and how to fix it (PyYAML's words as a fallback)."""
    lines = text.splitlines()
    line, column = _position(exc.problem_mark or exc.context_mark)
    context_line = _position(exc.context_mark)[0] if exc.context_mark else line
    problem = str(exc.problem or "")
    around = sorted({context_line, *range(max(1, line - 3), line + 1)}, reverse=True)
    found = _tab(lines, line) or _smart_quotes(lines, [line, context_line]) or _glued(lines, around)
    if found is None and "quoted scalar" in str(exc.context) and "end of stream" in problem:
        open_line, open_column = _position(exc.context_mark)
        opened = lines[open_line - 1] if 0 < open_line <= len(lines) else ""
        quote = opened[open_column - 1 : open_column] or '"'
        found = Explained(
            open_line,
            open_column,
            f"the {quote} that starts this value is never closed",
            f"end the value with a {quote} on the same line: {opened.strip().rstrip(quote)}{quote}",
        )
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if found is None and "mapping values are not allowed" in problem:
        found = _colon_in_value(current, line)
    if found is None and "expected key" in problem:
        found = _after_quote(current, line, column) or _list_item(lines, line)
    if found is None and "block end" in problem:
        found = _list_item(lines, line)
    if found is not None:
        return found
    message = problem or str(exc.context or "invalid YAML")
    if exc.context and exc.problem:
        message = f"{message} ({exc.context})"
    hint = None
    if "cannot start any token" in problem and current[column - 1 : column] in ("@", "`"):
        hint = "a value that starts with @ or ` must be quoted"
    return Explained(line, column, f"YAML syntax error: {message}", hint)
