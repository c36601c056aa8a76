"""Build the published site in a staging folder beside `--out`, then swap it in.

`publish` writes, for every report, `<id>/data.json`, the pages of the spec's `formats`,
`history/<id>.json`, and then `index.html` and `manifest.json` (docs/data-format.md). Nothing is
written into `out` itself: the whole site is built in `.<out>.building-*` on the same file system
and renamed into place, so readers never see a half-written page and an interrupted run leaves
the previous site as it was. A report that failed this run but has good data in the previous
site is re-rendered from that data and marked "stale"; a report whose spec is gone simply is
not built again, so its folder disappears with the swap. `rerender` rebuilds a site from its
own data.json and history files, with no network.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportrunner import __version__, history
from reportrunner.errors import UsageError
from reportrunner.model import Project, ReportOutcome
from reportrunner.redact import redact
from reportrunner.render import Renderer
from reportrunner.viewmodel import IndexEntry, index_entry, index_view, report_view

#: Report ids become folder names: letters, digits, dot, dash, underscore; never a path.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_RESERVED = {"history", "index.html", "manifest.json"}
#: Staging folders older than this are leftovers of a killed run and are removed.
_LEFTOVER_SECONDS = 6 * 3600


@dataclass
class PublishedReport:
    """One report as the manifest lists it."""

    id: str
    title: str
    spec_file: str
    tags: list[str]
    status: str  # ok | stale | failed
    error: str | None
    fetched_at: str | None  # when this run fetched it (None when stale or failed)
    last_good_at: str | None  # when the data on its pages was fetched
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "spec_file": self.spec_file,
            "tags": self.tags,
            "status": self.status,
            "error": self.error,
            "fetched_at": self.fetched_at,
            "last_good_at": self.last_good_at,
            "files": self.files,
        }


@dataclass
class SiteResult:
    """What `publish` built: the manifest entries and any warnings (e.g. history not merged)."""

    out: Path
    generated_at: str
    reports: list[PublishedReport]
    warnings: list[str] = field(default_factory=list)

    def by_status(self, status: str) -> list[PublishedReport]:
        return [report for report in self.reports if report.status == status]


@dataclass
class _Item:
    """One report to build: its data (None when failed without earlier data) and status."""

    id: str
    title: str
    spec_file: str
    status: str
    error: str | None
    data: dict[str, Any] | None
    fresh: bool  # fetched in this run: adds a history snapshot


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id_problem(report_id: str) -> str | None:
    if not _SAFE_ID.match(report_id) or report_id.casefold() in _RESERVED:
        return (
            f"report id {report_id!r} cannot be used as a folder name; use letters, digits, "
            "'.', '-' or '_' (not 'history')."
        )
    return None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _earlier_data(site: Path, report_id: str) -> dict[str, Any] | None:
    """The previous site's data.json of a report, if it is usable."""
    data = _read_json(site / report_id / "data.json")
    if isinstance(data, dict) and isinstance(data.get("fetched_at"), str) and "id" in data:
        return data
    return None


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder", hint="choose a folder path.")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise UsageError(
            f"refusing to replace {out}: it is not empty and holds no manifest.json, so it is "
            "not a site reportrunner built",
            hint="choose a new or empty folder for --out (the whole folder is replaced).",
        )


def _recover(out: Path) -> None:
    """Undo a swap that was cut between its two renames; drop old staging leftovers."""
    siblings = sorted(out.parent.glob(f".{out.name}.previous-*"), key=lambda p: p.stat().st_mtime)
    if not out.exists() and siblings:
        siblings.pop().replace(out)
    cutoff = time.time() - _LEFTOVER_SECONDS
    for leftover in [*siblings, *out.parent.glob(f".{out.name}.building-*")]:
        if leftover.stat().st_mtime < cutoff or leftover in siblings:
            shutil.rmtree(leftover, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    """Rename `staging` to `out`; the previous site is moved aside first, then deleted."""
    previous = None
    if out.exists():
        previous = out.parent / f".{out.name}.previous-{os.getpid()}-{secrets.token_hex(4)}"
        out.replace(previous)
    try:
        staging.replace(out)
    except BaseException:
        if previous is not None:
            previous.replace(out)
        raise
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")


def _build(
    out: Path,
    project: Project,
    items: Sequence[_Item],
    histories: dict[str, list[history.Snapshot]],
    warnings: list[str],
    now: datetime,
) -> SiteResult:
    renderer = Renderer(project)
    fmt = renderer.formatter
    out.parent.mkdir(parents=True, exist_ok=True)
    _check_out(out)
    _recover(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a published site is world-readable
        (staging / "history").mkdir()
        published: list[PublishedReport] = []
        entries: list[IndexEntry] = []
        for item in items:
            report, entry = _build_report(staging, renderer, item, histories, warnings)
            published.append(report)
            entries.append(entry)
        for report_id, snapshots in histories.items():
            if snapshots and report_id in {item.id for item in items if not _id_problem(item.id)}:
                _write(
                    staging / "history" / f"{report_id}.json",
                    json.dumps(
                        history.document(report_id, snapshots), indent=1, ensure_ascii=False
                    ),
                )
        generated = _iso(now)
        _write(
            staging / "index.html",
            renderer.index_page(index_view(project.site_title, now, entries, fmt)),
        )
        manifest = {
            "generated_at": generated,
            "reportrunner_version": __version__,
            "site": {"title": project.site_title, "base_url": project.site_base_url},
            "reports": [report.to_json() for report in published],
        }
        _write(staging / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return SiteResult(out, generated, published, warnings)


def _build_report(
    staging: Path,
    renderer: Renderer,
    item: _Item,
    histories: dict[str, list[history.Snapshot]],
    warnings: list[str],
) -> tuple[PublishedReport, IndexEntry]:
    error = redact(item.error) if item.error else None
    report = PublishedReport(
        item.id, item.title, item.spec_file, [], item.status, error, None, None
    )
    if item.data is None:
        return report, index_entry(
            item.id, item.title, item.spec_file, item.status, error, None, {}
        )
    data = item.data
    view = report_view(
        data,
        renderer.formatter,
        history=histories.get(item.id, []),
        status=item.status,
        error=error,
    )
    formats = [str(name) for name in data.get("formats") or ("html", "md", "csv")]
    files = renderer.report_files(view, formats)
    folder = staging / item.id
    folder.mkdir()
    _write(folder / "data.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    for name, text in files.items():
        _write(folder / name, text)
    report.tags = list(view.tags)
    report.title = view.title
    report.last_good_at = str(data["fetched_at"])
    report.fetched_at = report.last_good_at if item.fresh else None
    report.files = {key: f"{item.id}/{name}" for key, name in view.files.items()}
    links = dict(report.files)
    return report, index_entry(item.id, item.title, item.spec_file, item.status, error, view, links)


def _merge_histories(
    out: Path, items: Sequence[_Item], history_from: str | None, warnings: list[str]
) -> dict[str, list[history.Snapshot]]:
    ids = [item.id for item in items if not _id_problem(item.id)]
    local = history.read_folder(out, ids) if out.is_dir() else history.LoadedHistory()
    earlier = history.read_source(history_from, ids) if history_from else history.LoadedHistory()
    warnings.extend(local.warnings + earlier.warnings)
    merged: dict[str, list[history.Snapshot]] = {}
    for item in items:
        if item.id not in ids:
            continue
        new = [history.snapshot_of(item.data)] if item.fresh and item.data else []
        merged[item.id] = history.merge(
            earlier.snapshots.get(item.id, []), local.snapshots.get(item.id, []), new
        )
    return merged


def publish(
    out: Path,
    project: Project,
    outcomes: Sequence[ReportOutcome],
    *,
    history_from: str | None = None,
    now: datetime | None = None,
) -> SiteResult:
    """Build the site for this run's outcomes and swap it into `out`."""
    out = Path(out).absolute()
    now = now or datetime.now(timezone.utc)
    items: list[_Item] = []
    seen: set[str] = set()
    for outcome in outcomes:
        problem = _id_problem(outcome.id)
        if outcome.id in seen:
            problem = f"report id {outcome.id!r} appears twice; only the first one is published."
        seen.add(outcome.id)
        if problem:
            items.append(
                _Item(outcome.id, outcome.title, outcome.source, "failed", problem, None, False)
            )
        elif outcome.status == "ok" and outcome.data is not None:
            items.append(
                _Item(outcome.id, outcome.title, outcome.source, "ok", None, outcome.data, True)
            )
        else:
            earlier = _earlier_data(out, outcome.id) if out.is_dir() else None
            status = "stale" if earlier else "failed"
            error = outcome.error or "the report failed without an error message"
            items.append(
                _Item(outcome.id, outcome.title, outcome.source, status, error, earlier, False)
            )
    warnings: list[str] = []
    histories = _merge_histories(out, items, history_from, warnings)
    return _build(out, project, items, histories, warnings, now)


def rerender(
    source: Path, project: Project, *, out: Path | None = None, now: datetime | None = None
) -> SiteResult:
    """Rebuild a site from its own data.json and history files (no network, no new snapshot)."""
    source = Path(source).absolute()
    manifest = _read_json(source / "manifest.json")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("reports"), list):
        raise UsageError(
            f"{source} has no readable manifest.json, so it is not a site reportrunner built",
            hint="point --from at the folder `reportrunner run` wrote (for example site/).",
        )
    items: list[_Item] = []
    for entry in manifest["reports"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        report_id = entry["id"]
        problem = _id_problem(report_id)
        data = None if problem else _earlier_data(source, report_id)
        status = str(entry.get("status") or "ok") if data else "failed"
        error = problem or entry.get("error") or (None if data else "no data.json in the site")
        items.append(
            _Item(
                report_id,
                str(entry.get("title") or report_id),
                str(entry.get("spec_file") or ""),
                status,
                error,
                data,
                False,
            )
        )
    warnings: list[str] = []
    loaded = history.read_folder(source, [item.id for item in items if not _id_problem(item.id)])
    warnings.extend(loaded.warnings)
    histories = {key: history.merge(value) for key, value in loaded.snapshots.items()}
    return _build(
        Path(out).absolute() if out else source,
        project,
        items,
        histories,
        warnings,
        now or datetime.now(timezone.utc),
    )
