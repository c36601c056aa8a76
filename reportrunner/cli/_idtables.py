"""`reportrunner ids` output: an account's pipelines, users, groups and saved searches as text.

Tables for people (name → id; statuses for pipelines; member names for groups), JSON or YAML
for machines and for pasting into a spec. Names come from the account and are untrusted: in
text they are flattened to one printable line, so a name cannot forge a row or a terminal
escape; JSON and YAML quote them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import yaml

from reportrunner.escaping import one_line
from reportrunner.fetch.account import Account, Kind

Format = Literal["text", "json", "yaml"]
#: A name wider than this is cut (with …) so a table stays readable on a narrow terminal.


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header) - 1)]
    lines = []
    for row in (header, *rows):
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, str(row[-1])]).rstrip())
    return lines


def _rows(account: Account, kind: Kind) -> tuple[list[str], list[list[str]]]:
    if kind == "pipelines":
        return ["PIPELINE", "ID", "STATUSES (in order; won and lost last)"], [
            [
                one_line(p.name),
                p.id,
                ", ".join(
                    one_line(s.label, 30) + ("" if s.type == "active" else f" ({s.type})")
                    for s in p.statuses
                ),
            ]
            for p in account.pipelines
        ]
    if kind == "users":
        return ["USER", "ID", "STATUS"], [
            [one_line(u.name), u.id, "active" if u.active else "deactivated"] for u in account.users
        ]
    if kind == "groups":
        return ["GROUP", "ID", "MEMBERS"], [
            [
                one_line(g.name),
                g.id,
                ", ".join(one_line(account.user_name(m), 30) for m in g.members) or "(none)",
            ]
            for g in account.groups
        ]
    return ["SAVED SEARCH", "ID"], [[one_line(s.name), s.id] for s in account.saved_searches]


_TITLES: dict[Kind, str] = {
    "pipelines": "Pipelines (request.pipeline)",
    "users": "Users (request.users)",
    "groups": "Groups (request.users takes group ids too)",
    "saved-searches": "Saved searches (request.query.saved_search_id)",
}


def format_ids(account: Account, kinds: Sequence[Kind], fmt: Format = "text") -> str:
    """The listing of `kinds` in `fmt`, ending with a newline."""
    if fmt != "text":
        document: dict[str, Any] = {
            "organization": {"id": account.organization_id, "name": account.organization_name},
        }
        document.update({kind: account.listing(kind) for kind in kinds})
        if fmt == "json":
            return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        dumped: str = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
        return dumped
    name = one_line(account.organization_name, 80)
    lines = [f"Close organization {name} ({account.organization_id})"]
    for kind in kinds:
        header, rows = _rows(account, kind)
        lines += ["", f"{_TITLES[kind]}: {len(rows)}"]
        lines += _table(header, rows) if rows else ["  (none)"]
    return "\n".join(lines) + "\n"
