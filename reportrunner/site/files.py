"""Reading an existing site (its manifest and data.json files) and the rules for report ids.

The site builder reads the previous site to keep a failed report's last good data (stale), to
carry reports over for `run --only`, and to re-render (`render --from`). Files that cannot be
read or do not follow docs/data-format.md count as absent, never as a crash. Report ids become
folder names, so only safe ones are accepted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reportrunner.model import DATA_FORMAT_VERSION
from reportrunner.spec.project import printable
from reportrunner.windows import parse_rfc3339

#: What `format` in manifest.json says, and the version of the site layout.
SITE_FORMAT = "reportrunner-site"
SITE_FORMAT_VERSION = 1
#: manifest.json and data.json files larger than this are not read (a site's are ~100 KB).
MAX_FILE_BYTES = 20_000_000

#: Report ids become folder names: letters, digits, dot, dash, underscore; never a path.
#: Matched with `fullmatch`: `$` would also accept a trailing newline.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_RESERVED = {"history", "index.html", "manifest.json"}
#: Names Windows refuses as a file or folder, with any extension (the site artifact is
#: unpacked on laptops too).
_WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)


def id_problem(report_id: str) -> str | None:
    """Why a report id cannot be a folder name (None when it can)."""
    if (
        not _SAFE_ID.fullmatch(report_id)
        or report_id.casefold() in _RESERVED
        or _WINDOWS_RESERVED.fullmatch(report_id)
        or report_id.endswith(".")  # Windows drops a trailing dot: two ids, one folder
    ):
        return (
            f"report id {report_id!r} cannot be used as a folder name; use letters, digits, "
            "'.', '-' or '_' (not 'history', nor a name Windows reserves such as 'con' or 'nul')."
        )
    return None


def read_json(path: Path, limit: int = MAX_FILE_BYTES) -> Any:
    """A parsed JSON file, or None when it is missing, unreadable or larger than `limit`."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
        if len(raw) > limit:
            return None
        return json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


def site_marker() -> dict[str, Any]:
    """The first keys of every manifest.json we write: what makes a folder ours."""
    return {"format": SITE_FORMAT, "format_version": SITE_FORMAT_VERSION}


def ownership_problem(folder: Path) -> str | None:
    """Why a non-empty folder is not a site reportrunner built (None when it is one).

    Judged by content only we write, never by a file name: a manifest with our format
    marker, or the manifest of reportrunner 0.1 (before the marker) with exactly its keys.
    """
    path = folder / "manifest.json"
    if not path.is_file():
        return "it is not empty and holds no manifest.json"
    manifest = read_json(path)
    if not isinstance(manifest, dict):
        return f"its manifest.json is not a JSON object (or larger than {MAX_FILE_BYTES} bytes)"
    marker = manifest.get("format")
    if marker is None:
        return None if _legacy_manifest(manifest) else "its manifest.json is not reportrunner's"
    if marker != SITE_FORMAT:
        return f"its manifest.json is of format {printable_value(marker)}, not {SITE_FORMAT!r}"
    version = manifest.get("format_version")
    if version != SITE_FORMAT_VERSION:
        return (
            f"its manifest.json is site format version {printable_value(version)}; this "
            f"reportrunner writes version {SITE_FORMAT_VERSION} (use the version that built it)"
        )
    if not isinstance(manifest.get("reports"), list):
        return "its manifest.json lists no reports"
    return None


def _legacy_manifest(manifest: dict[str, Any]) -> bool:
    """The manifest of reportrunner 0.1: these four keys, of these types, nothing else."""
    if set(manifest) != {"generated_at", "reportrunner_version", "site", "reports"}:
        return False
    stamp = manifest["generated_at"]
    try:
        parse_rfc3339(stamp if isinstance(stamp, str) else "")
    except ValueError:
        return False
    return (
        isinstance(manifest["reportrunner_version"], str)
        and isinstance(manifest["site"], dict)
        and isinstance(manifest["reports"], list)
        and all(isinstance(entry, dict) and "status" in entry for entry in manifest["reports"])
    )


def printable_value(value: object) -> str:
    """A short, one-line form of a value read from an untrusted file, for messages."""
    text = printable(repr(value))
    return text if len(text) <= 80 else text[:77] + "..."


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


def old_pages(site: Path, report_id: str, names: Iterable[str]) -> dict[str, str]:
    """A report's files `names` (fixed names, never paths) in an existing site, by name."""
    if id_problem(report_id):
        return {}
    pages: dict[str, str] = {}
    for name in names:
        path = site / report_id / name
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_FILE_BYTES:
                pages[name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return pages
