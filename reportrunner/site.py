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

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportrunner import __version__, history
from reportrunner.deliver import state as delivery_state
from reportrunner.errors import UsageError
from reportrunner.indexview import IndexEntry, index_entry, index_view
from reportrunner.model import Project, ReportOutcome
from reportrunner.redact import redact
from reportrunner.render import Renderer
from reportrunner.sitefiles import (
    data_problem,
    earlier_data,
    id_problem,
    manifest_entries,
    read_json,
    stored_data,
)
from reportrunner.staging import exclusive, inside, recover, staged
from reportrunner.viewmodel import report_view
from reportrunner.windows import iso_z


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
    data: dict[str, Any] | None = None
    fresh: bool = False  # fetched in this run: adds a history snapshot
    fetched_at: str | None = None  # what the manifest says for a report carried over


def _carried(site: Path, report_id: str, entry: dict[str, Any]) -> _Item:
    """A report taken over from an existing site unchanged (status, error, data)."""
    data, problem = stored_data(site, report_id)
    title = str(entry.get("title") or report_id)
    spec_file = str(entry.get("spec_file") or "")
    if data is None:
        # A report that already failed keeps its own error; otherwise say what is missing.
        error = entry.get("error") if entry.get("status") == "failed" else None
        return _Item(report_id, title, spec_file, "failed", str(error or problem))
    status = "stale" if entry.get("status") == "stale" else "ok"
    error = entry.get("error") if status == "stale" else None
    fetched = entry.get("fetched_at") if status == "ok" else None
    return _Item(report_id, title, spec_file, status, error, data, False, fetched)


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="")


def _json(value: Any, indent: int = 2) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False) + "\n"


def _build(
    out: Path,
    project: Project,
    items: Sequence[_Item],
    histories: dict[str, list[history.Snapshot]],
    warnings: list[str],
    now: datetime,
    carry_from: Path | None = None,
) -> SiteResult:
    renderer = Renderer(project)  # before staging: a broken template folder fails early
    generated = iso_z(now.astimezone(timezone.utc).replace(microsecond=0))
    published: list[PublishedReport] = []
    entries: list[IndexEntry] = []
    with staged(out) as staging:
        (staging / "history").mkdir()
        # What the deliveries last sent stays with the site until `deliver` updates it.
        delivery_state.carry(carry_from or out, staging)
        for item in items:
            report, entry = _build_report(staging, renderer, item, histories.get(item.id, []))
            if report.status == "failed" and item.status != "failed":
                warnings.append(f"{item.id}: not published: {report.error}")
            published.append(report)
            entries.append(entry)
            snapshots = histories.get(item.id)
            if snapshots and not id_problem(item.id):
                document = history.document(item.id, snapshots)
                _write(inside(staging, "history", f"{item.id}.json"), _json(document, 1))
        view = index_view(project.site_title, now, entries, renderer.formatter)
        _write(staging / "index.html", renderer.index_page(view))
        manifest = {
            "generated_at": generated,
            "reportrunner_version": __version__,
            "site": {"title": project.site_title, "base_url": project.site_base_url},
            "reports": [report.to_json() for report in published],
        }
        _write(staging / "manifest.json", _json(manifest))
    return SiteResult(out, generated, published, warnings)


def _build_report(
    staging: Path, renderer: Renderer, item: _Item, snapshots: list[history.Snapshot]
) -> tuple[PublishedReport, IndexEntry]:
    error = redact(item.error) if item.error else None
    report = PublishedReport(
        item.id, item.title, item.spec_file, [], item.status, error, None, None
    )
    if item.data is None:
        entry = index_entry(item.id, item.title, item.spec_file, item.status, error, None, {})
        return report, entry
    data = item.data
    try:
        view = report_view(
            data, renderer.formatter, history=snapshots, status=item.status, error=error
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # Data that does not follow docs/data-format.md fails its own report, not the site.
        report.status = "failed"
        report.error = (
            f"could not build the pages from the fetched data ({type(exc).__name__}: {exc}); "
            "this is a bug, please report it with the report's data.json"
        )
        entry = index_entry(item.id, item.title, item.spec_file, "failed", report.error, None, {})
        return report, entry
    formats = [str(name) for name in data.get("formats") or ("html", "md", "csv")]
    files = renderer.report_files(view, formats)
    folder = inside(staging, item.id)
    folder.mkdir()
    _write(folder / "data.json", _json(data))
    for name, text in files.items():
        _write(inside(folder, name), text)
    report.tags = list(view.tags)
    report.title = view.title
    report.last_good_at = str(data["fetched_at"])
    report.fetched_at = report.last_good_at if item.fresh else item.fetched_at
    report.files = {key: f"{item.id}/{name}" for key, name in view.files.items()}
    entry = index_entry(item.id, item.title, item.spec_file, item.status, error, view, report.files)
    return report, entry


def _merge_histories(
    out: Path, items: Sequence[_Item], history_from: str | None, warnings: list[str]
) -> dict[str, list[history.Snapshot]]:
    ids = [item.id for item in items if not id_problem(item.id)]
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


def _outcome_item(out: Path, outcome: ReportOutcome, seen: set[str]) -> _Item:
    problem = id_problem(outcome.id)
    if outcome.id in seen:
        problem = f"report id {outcome.id!r} appears twice; only the first one is published."
    seen.add(outcome.id)
    if problem:
        return _Item(outcome.id, outcome.title, outcome.source, "failed", problem)
    unusable = data_problem(outcome.data) if outcome.status == "ok" else None
    if outcome.status == "ok" and not unusable:
        return _Item(outcome.id, outcome.title, outcome.source, "ok", None, outcome.data, True)
    earlier = earlier_data(out, outcome.id)
    error = unusable or outcome.error or "the report failed without an error message"
    status = "stale" if earlier else "failed"
    return _Item(outcome.id, outcome.title, outcome.source, status, error, earlier)


def publish(
    out: Path,
    project: Project,
    outcomes: Sequence[ReportOutcome],
    *,
    history_from: str | None = None,
    now: datetime | None = None,
    keep: Iterable[str] = (),
) -> SiteResult:
    """Build the site for this run's outcomes and swap it into `out`.

    `keep` names reports that exist but were not run this time (`run --only`): their pages,
    status and history are carried over from the previous site as they were. Every other
    report of the previous site is gone from the new one.
    """
    out = Path(out).absolute()
    now = now or datetime.now(timezone.utc)
    with exclusive(out):
        # A killed swap left the previous site aside: its data is needed now.
        recover(out, locked=True)
        return _publish(out, project, outcomes, history_from, now, keep)


def _publish(
    out: Path,
    project: Project,
    outcomes: Sequence[ReportOutcome],
    history_from: str | None,
    now: datetime,
    keep: Iterable[str],
) -> SiteResult:
    seen: set[str] = set()
    items = [_outcome_item(out, outcome, seen) for outcome in outcomes]
    previous = manifest_entries(out) or {}
    for report_id in keep:
        if report_id not in seen and report_id in previous:
            seen.add(report_id)
            items.append(_carried(out, report_id, previous[report_id]))
    warnings = [
        f"{item.id}: fetched, but not published: {item.error}"
        for outcome, item in zip(outcomes, items, strict=False)
        if outcome.status == "ok" and item.status != "ok"
    ]
    histories = _merge_histories(out, items, history_from, warnings)
    return _build(out, project, items, histories, warnings, now)


def rerender(
    source: Path, project: Project, *, out: Path | None = None, now: datetime | None = None
) -> SiteResult:
    """Rebuild a site from its own data.json and history files (no network, no new snapshot).

    Without a reportrunner.yaml (`project.file` is None) the site keeps its own title.
    """
    source = Path(source).absolute()
    destination = Path(out).absolute() if out else source
    with exclusive(destination):
        if source.parent.is_dir():
            recover(source)
        return _rerender(source, destination, project, now or datetime.now(timezone.utc))


def _rerender(source: Path, destination: Path, project: Project, now: datetime) -> SiteResult:
    entries = manifest_entries(source)
    if entries is None:
        raise UsageError(
            f"{source} has no readable manifest.json, so it is not a site reportrunner built",
            hint="point --from at the folder `reportrunner run` wrote (for example site/).",
        )
    if project.file is None:
        site = (read_json(source / "manifest.json") or {}).get("site") or {}
        project = dataclasses.replace(
            project,
            site_title=str(site.get("title") or project.site_title),
            site_base_url=site.get("base_url") or project.site_base_url,
        )
    items = [_carried(source, report_id, entry) for report_id, entry in entries.items()]
    warnings: list[str] = []
    loaded = history.read_folder(source, [item.id for item in items if not id_problem(item.id)])
    warnings.extend(loaded.warnings)
    histories = {key: history.merge(value) for key, value in loaded.snapshots.items()}
    return _build(destination, project, items, histories, warnings, now, carry_from=source)
