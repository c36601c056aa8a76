"""Run history per report: one snapshot per successful fetch, kept in `OUT/history/<id>.json`.

A snapshot holds when the data was fetched, the windows it covered, the headline metrics and
the compared headline (docs/data-format.md). Histories merge from the previous site in the
output folder and, with `--history-from`, from an earlier site given as a folder or as the
published site's URL (GitHub Pages deploys replace the whole site, so the scheduled workflow
pulls the old history back in): fetch/earlier.py reads that before publishing, which does no
network I/O. Merging deduplicates by `fetched_at`, keeps oldest first and caps
each report at `MAX_SNAPSHOTS`. A history that cannot be read is a warning, never a crash: losing
trend points is better than losing this run's pages.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportrunner.redact import redact

try:  # a dependency (pyproject.toml); without it `json` decodes everything, more slowly
    import orjson
except ImportError:  # pragma: no cover
    orjson = None  # type: ignore[assignment]
from reportrunner.site.snapshots import HEADLINE_KEYS, Snapshot, fetched_moment, inspected

__all__ = [
    "HEADLINE_KEYS",
    "MAX_SNAPSHOTS",
    "History",
    "LoadedHistory",
    "Snapshot",
    "Unread",
    "merge",
    "read_folder",
    "resolve",
]
MAX_SNAPSHOTS = 500
#: A history file larger than this is not read (500 snapshots are about 300 KB).
MAX_FILE_BYTES = 5_000_000


@dataclass
class LoadedHistory:
    """Histories by report id, plus the warnings collected while reading them."""

    snapshots: dict[str, list[Snapshot]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def headline(aggregations: dict[str, Any] | None) -> dict[str, Any] | None:
    """The headline metrics out of a totals `aggregations` object (None without one)."""
    if not isinstance(aggregations, dict):
        return None
    return {key: aggregations.get(key) for key in HEADLINE_KEYS}


def stage_counts(aggregations: object) -> dict[str, Any]:
    """{status id: count} of a stages `aggregations` object ({} without one)."""
    stages = aggregations.get("stages") if isinstance(aggregations, dict) else None
    counts: dict[str, Any] = {}
    for stage in stages if isinstance(stages, list) else []:
        status = stage.get("status") if isinstance(stage, dict) else None
        if isinstance(status, dict) and isinstance(status.get("id"), str):
            counts[status["id"]] = stage.get("count")
    return counts


def snapshot_of(data: dict[str, Any]) -> Snapshot:
    """The snapshot a successful fetch adds to its report's history."""
    totals = data.get("responses", {}).get("totals") or {}
    base = totals.get("base") or {}
    compared = totals.get("compared") or {}
    stages = ((data.get("responses", {}).get("stages") or {}).get("base") or {}).get("aggregations")
    return {
        "fetched_at": data["fetched_at"],
        "windows": data.get("windows", {}),
        "headline": headline(base.get("aggregations")) or {},
        "compared_headline": headline(compared.get("aggregations")),
        # Stage counts by status id, for the stage trends (absent in older snapshots).
        "stages": stage_counts(stages),
    }


def _fetched(item: object) -> datetime | None:
    """When a snapshot was fetched; None when it is not a usable snapshot."""
    if not isinstance(item, dict) or not isinstance(item.get("fetched_at"), str):
        return None
    if not isinstance(item.get("headline"), dict):
        return None
    try:
        return fetched_moment(item["fetched_at"])
    except ValueError:
        return None


def merge(*sources: Iterable[Snapshot], cap: int = MAX_SNAPSHOTS) -> list[Snapshot]:
    """Union of snapshot lists, one per `fetched_at` (the later source wins), oldest first."""
    by_time: dict[datetime, Snapshot] = {}
    for source in sources:
        for item in source:
            moment = _fetched(item)
            if moment is not None:
                by_time[moment] = item
    ordered = [by_time[key] for key in sorted(by_time)]
    return ordered[-cap:] if cap > 0 else []


def parse_document(
    document: object,
    report_id: str,
    where: str,
    *,
    warnings: list[str] | None = None,
    now: datetime | None = None,
) -> list[Snapshot]:
    """The checked snapshots of a parsed `history/<id>.json`; ValueError says what is wrong.

    Each snapshot is checked (snapshots.py); bad ones are dropped, with one line in `warnings`.
    """
    return _parsed(document, report_id, where, warnings, now)[0]


def _parsed(
    document: object,
    report_id: str,
    where: str,
    warnings: list[str] | None,
    now: datetime | None,
    *,
    owned: bool = False,
) -> tuple[list[Snapshot], tuple[int, int] | None]:
    """`parse_document`, and when `document` is exactly what `document()` makes of the
    snapshots returned (the same keys in the same order at every level, nothing dropped),
    what its snapshots spell (`snapshots.inspected`). `owned`: `document` was just decoded
    and is not kept by the caller (its snapshots may be returned uncopied)."""
    if not isinstance(document, dict) or not isinstance(document.get("snapshots"), list):
        raise ValueError(f"{where}: not a history file (expected an object with 'snapshots')")
    if document.get("id", report_id) != report_id:
        shown = redact(repr(document.get("id")))[:80]
        raise ValueError(f"{where}: holds the history of {shown}, not {report_id!r}")
    moment = now or datetime.now(timezone.utc)
    good, warning, spelling = inspected(document["snapshots"], where, moment, owned=owned)
    if warning and warnings is not None:
        warnings.append(f"{warning} Their trend points are lost, the reports are not.")
    if type(document) is not dict or tuple(document) != ("id", "snapshots"):
        return good, None
    return good, spelling


def document(report_id: str, snapshots: Sequence[Snapshot]) -> dict[str, Any]:
    """The JSON object written to `history/<id>.json`."""
    return {"id": report_id, "snapshots": list(snapshots)}


def read_folder(site: Path, ids: Iterable[str], now: datetime | None = None) -> LoadedHistory:
    """Histories from a site folder's `history/`; missing files are simply empty."""
    loaded = LoadedHistory()
    for report_id in ids:
        _read(site, report_id, now, loaded)
    return loaded


def _read(site: Path, report_id: str, now: datetime | None, loaded: LoadedHistory) -> str | None:
    """One report's history file into `loaded` (`read_folder`'s work for one id); returns
    its text when that is exactly a document reportrunner writes of the snapshots read
    (`_parsed`), with no backslash in it: every string in it is then spelt as it reads, so
    masking the text masks what encoding the snapshots again would give."""
    path = site / "history" / f"{report_id}.json"
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ValueError(f"it is larger than {MAX_FILE_BYTES} bytes")
        # ValueError covers bad JSON, bad UTF-8 and integers too long to convert.
        text = raw.decode("utf-8")
        good, spelling = _decoded(raw, text, report_id, str(path), loaded.warnings, now)
        loaded.snapshots[report_id] = good
    except (OSError, ValueError, RecursionError) as exc:
        reason = "it is nested too deeply" if isinstance(exc, RecursionError) else exc
        loaded.warnings.append(
            f"ignored the history in {path}: {reason}; the trend restarts from this run."
        )
        return None
    if spelling is not None and "\\" not in text and _keys_once(text, report_id, spelling):
        return text
    return None


def _decoded(
    raw: bytes,
    text: str,
    report_id: str,
    where: str,
    warnings: list[str],
    now: datetime | None,
) -> tuple[list[Snapshot], tuple[int, int] | None]:
    """`_parsed` of the history `text` (`raw` its UTF-8), decoded by orjson when it can.

    orjson decodes a long history in about half the time of `json`, but not always into the
    same values: it refuses NaN, Infinity and lone surrogates, which `json` reads, and an
    integer beyond 64 bits becomes a float. Every such value fails the snapshots' checks
    (non-finite, or beyond `MAX_MAGNITUDE`), so a history orjson decodes and that passes them
    without a warning is what `json` would give; anything else is decoded again by `json`,
    and the snapshots kept and warnings given are exactly `json`'s.
    """
    if orjson is not None:
        given = len(warnings)
        try:
            parsed = orjson.loads(raw)
            good, spelling = _parsed(parsed, report_id, where, warnings, now, owned=True)
        except (ValueError, RecursionError):
            pass
        else:
            if len(warnings) == given:
                return good, spelling
        del warnings[given:]
    return _parsed(json.loads(text), report_id, where, warnings, now, owned=True)


def _keys_once(text: str, report_id: str, spelling: tuple[int, int]) -> bool:
    """Whether `text`, a JSON text without a backslash that parsed into `document(report_id,
    snapshots)`, holds no key twice in one object (JSON readers differ on which one wins: the
    text would then not say to all of them what was checked).

    Without a backslash every `"` in it bounds a string, so each colon outside the strings
    follows one key. The colons of the text, less those inside the parsed strings (spelt as
    they read), count its keys; a key given twice, with its value, adds at least one.
    `spelling` is the snapshots' keys and colons inside their strings (`snapshots._exact`).
    """
    keys, inner = spelling
    return text.count(":") - inner - report_id.count(":") == keys + 2  # + id, snapshots


@dataclass(frozen=True)
class Unread:
    """A report's history in a site folder, to be read where its pages are built.

    `rerender` hands these to the worker processes instead of the checked snapshots: reading
    and checking 200 histories of 365 snapshots was serial work in the main process, and
    sending the snapshots to the workers cost as much again in pickling. `load` is exactly
    what `read_folder` and `merge` do for this one report (the same checks and warnings).
    """

    site: Path
    report_id: str
    now: datetime

    def load(self) -> tuple[list[Snapshot], list[str]]:
        snapshots, warnings, _ = self.load_verbatim()
        return snapshots, warnings

    def load_verbatim(self) -> tuple[list[Snapshot], list[str], str | None]:
        """`load`, and the file's text when writing it back as it is gives the file that
        `document(report_id, snapshots)` encodes (a history reportrunner wrote, unchanged:
        checked in full, but not encoded again); None otherwise."""
        loaded = LoadedHistory()
        text = _read(self.site, self.report_id, self.now, loaded)
        read = loaded.snapshots.get(self.report_id, [])
        snapshots = _merged(read)
        return snapshots, loaded.warnings, text if snapshots is read else None


def _merged(snapshots: list[Snapshot]) -> list[Snapshot]:
    """`merge(snapshots)` of checked snapshots: as they are (the same list) when already in
    strict time order and within the cap (as reportrunner writes them), which merging would
    not change."""
    moments = [fetched_moment(item["fetched_at"]) for item in snapshots]
    if all(map(operator.lt, moments, moments[1:])):
        return snapshots if len(snapshots) <= MAX_SNAPSHOTS else snapshots[-MAX_SNAPSHOTS:]
    return merge(snapshots)


#: A report's history as the site builder takes it: checked snapshots, or a file to read.
History = list[Snapshot] | Unread


def resolve(given: History | None) -> tuple[list[Snapshot], list[str], str | None]:
    """The snapshots of `given`, the warnings reading them gave (none when already read), and
    the history file's text to write back as it is (`Unread.load_verbatim`), if any."""
    if isinstance(given, Unread):
        return given.load_verbatim()
    return given or [], [], None
