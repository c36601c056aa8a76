"""GitHub workflow commands, as the harness reads them back from a step.

`name=value` / `name<<DELIMITER` files (GITHUB_OUTPUT, GITHUB_ENV) and the `::error
file=…,line=…::message` annotation lines on stdout, with the toolkit's %-escapes undone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMAND = re.compile(r"^::(?P<level>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<msg>.*)$")


@dataclass
class Annotation:
    level: str
    message: str
    properties: dict[str, str]


def parse_kv(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV syntax: `name=value` or `name<<DELIMITER` ... `DELIMITER`."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body = []
            for item in lines:
                if item == delimiter:
                    break
                body.append(item)
            values[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def _unescape(text: str, *, property_value: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if property_value:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for code, char in [*pairs, ("%25", "%")]:
        text = text.replace(code, char)
    return text


def read_annotations(stdout: str) -> list[Annotation]:
    found = []
    for line in stdout.splitlines():
        match = _COMMAND.match(line)
        if match:
            props = {}
            for item in (match["props"] or "").split(","):
                if "=" in item:
                    key, value = item.split("=", 1)
                    props[key.strip()] = _unescape(value, property_value=True)
            found.append(
                Annotation(match["level"], _unescape(match["msg"], property_value=False), props)
            )
    return found
