"""Reading an existing site (its manifest and data.json files) and the rules for report ids.

The site builder reads the previous site to keep a failed report's last good data (stale), to
carry reports over for `run --only`, and to re-render (`render --from`). Files that cannot be
read or do not follow docs/data-format.md count as absent, never as a crash. Report ids become
folder names, so only safe ones are accepted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reportrunner.model import DATA_FORMAT_VERSION
from reportrunner.windows import parse_rfc3339

#: Report ids become folder names: letters, digits, dot, dash, underscore; never a path.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_RESERVED = {"history", "index.html", "manifest.json"}


def id_problem(report_id: str) -> str | None:
    """Why a report id cannot be a folder name (None when it can)."""
    if not _SAFE_ID.match(report_id) or report_id.casefold() in _RESERVED:
        return (
            f"report id {report_id!r} cannot be used as a folder name; use letters, digits, "
            "'.', '-' or '_' (not 'history')."
        )
    return None


def read_json(path: Path) -> Any:
    """A parsed JSON file, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def earlier_data(site: Path, report_id: str) -> dict[str, Any] | None:
    """A site's data.json of a report, if it is usable."""
    return stored_data(site, report_id)[0]


def stored_data(site: Path, report_id: str) -> tuple[dict[str, Any] | None, str]:
    """A site's data.json of a report, or None and why it cannot be used."""
    problem = id_problem(report_id)
    if problem:
        return None, problem
    path = site / report_id / "data.json"
    data = read_json(path) if site.is_dir() else None
    if not isinstance(data, dict):
        return None, f"no readable {path}"
    problem = data_problem(data)
    return (None, problem) if problem else (data, "")


def data_problem(data: object) -> str | None:
    """Why a fetched data dict cannot be published (None when it can)."""
    if not isinstance(data, dict):
        return "the run produced no data for this report"
    version = data.get("format_version", DATA_FORMAT_VERSION)
    if version != DATA_FORMAT_VERSION:
        return (
            f"its data.json is in format {version!r}, this reportrunner reads format "
            f"{DATA_FORMAT_VERSION}; render it with the reportrunner version that wrote it"
        )
    fetched = data.get("fetched_at")
    try:
        parse_rfc3339(fetched if isinstance(fetched, str) else "")
    except ValueError:
        return f"the fetched data has no valid fetched_at ({fetched!r}); this is a bug"
    return None


def manifest_entries(site: Path) -> dict[str, dict[str, Any]] | None:
    """A site's manifest entries by report id; None when there is no readable manifest."""
    manifest = read_json(site / "manifest.json")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("reports"), list):
        return None
    return {
        entry["id"]: entry
        for entry in manifest["reports"]
        if isinstance(entry, dict) and isinstance(entry.get("id"), str)
    }
