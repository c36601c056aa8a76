"""Build the published site in a staging folder beside `--out`, then swap it in.

`publish` writes, for every report, `<id>/data.json`, the pages of the spec's `formats`,
`history/<id>.json`, and then `index.html` and `manifest.json` (docs/data-format.md). Nothing is
written into `out` itself: the whole site is built in `.<out>.building-*` on the same file system
and renamed into place, so readers never see a half-written page and an interrupted run leaves
the previous site as it was. A report that failed this run but has good data in the previous
site is re-rendered from that data and marked "stale"; a report whose spec is gone simply is
not built again, so its folder disappears with the swap. `rerender` rebuilds a site from its
own data.json and history files, with no network. One report's folder is site/report.py's job;
every file goes through one `SiteWriter`, which masks the secrets it is given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportrunner import __version__
from reportrunner.deliver import state as delivery_state
from reportrunner.errors import UsageError
from reportrunner.kinds import kind_of_data
from reportrunner.model import Project, ReportOutcome
from reportrunner.site import history
from reportrunner.site.files import (
    data_problem,
    earlier_data,
    id_problem,
    manifest_entries,
    ownership_problem,
    read_json,
    site_marker,
)
from reportrunner.site.indexview import IndexEntry, index_view
from reportrunner.site.pool import Builder
from reportrunner.site.render import Renderer
from reportrunner.site.report import Carried, PublishedReport, ReportItem, SiteResult, carried
from reportrunner.site.snapshots import checked
from reportrunner.site.staging import (
    SiteLock,
    check_destination,
    destination,
    exclusive,
    recover,
    staged,
)
from reportrunner.site.writer import SiteWriter
from reportrunner.spec.project import printable
from reportrunner.windows import iso_z

__all__ = ["PublishedReport", "SiteResult", "claim", "publish", "rerender"]


def build_site(
    out: Path,
    project: Project,
    items: Sequence[ReportItem | Carried],
    histories: Mapping[str, history.History],
    warnings: list[str],
    now: datetime,
    secrets: Sequence[str] = (),
    carry_from: Path | None = None,
    marks: Mapping[str, Any] | None = None,
) -> SiteResult:
    """The site of `items` built aside and swapped into `out`.

    `histories` may hold `history.Unread` files, read where each report is built; their
    warnings come after `warnings` and before those of building the pages, in report order,
    as if they had been read first.
    """
    renderer = Renderer(project)  # before staging: a broken template folder fails early
    generated = iso_z(now.astimezone(timezone.utc).replace(microsecond=0))
    published: list[PublishedReport] = []
    entries: list[IndexEntry] = []
    read_warnings: list[str] = []
    built_warnings: list[str] = []
    with (
        staged(out, ownership_problem) as staging,
        # Workers forked before the writer's threads, with the jobs they build; they write
        # into the staging folder, and have stopped when it is swapped in or removed.
        Builder(renderer, items, histories, out, staging, secrets) as builder,
        SiteWriter(staging, secrets) as writer,
    ):
        writer.mkdir("history")
        # What the deliveries last sent stays with the site until `deliver` updates it.
        delivery_state.carry(carry_from or out, writer)
        # Each report's folder and history file, in worker processes when there are many.
        for report, entry, read, status in builder.build(writer):
            read_warnings.extend(read)
            if report.status != status and report.status in ("failed", "stale"):
                kept = "kept its previous pages" if report.status == "stale" else "not published"
                built_warnings.append(f"{report.id}: {kept}: {report.error}")
            published.append(report)
            entries.append(entry)
        view = index_view(
            project.site_title, now, entries, renderer.formatter, project.site_timezone
        )
        writer.text(("index.html",), renderer.index_page(view))
        manifest = {
            **site_marker(),
            "generated_at": generated,
            "reportrunner_version": __version__,
            "site": {"title": project.site_title, "base_url": project.site_base_url},
            "reports": [report.to_json() for report in published],
            **(marks or {}),  # e.g. `shard` (run --shard): what render --from checks
        }
        writer.json(("manifest.json",), manifest)
    warnings = warnings + read_warnings + built_warnings
    return SiteResult(out, generated, published, [writer.mask(text) for text in warnings])


def _fresh_snapshot(item: ReportItem, now: datetime, warnings: list[str]) -> list[history.Snapshot]:
    """This run's snapshot of a freshly fetched report, checked like every other one."""
    if not item.fresh or not item.data:
        return []
    try:
        made = kind_of_data(item.data).snapshot(item.data)
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        warnings.append(f"{item.id}: no trend point from this run ({type(exc).__name__}).")
        return []
    good, warning = checked([made], f"this run's data of {item.id}", now)
    if warning:
        warnings.append(f"{warning} No trend point from this run; the report is published.")
    return good


def _merge_histories(
    out: Path,
    items: Sequence[ReportItem],
    earlier: history.LoadedHistory | None,
    warnings: list[str],
    now: datetime,
) -> dict[str, list[history.Snapshot]]:
    ids = [item.id for item in items if not id_problem(item.id)]
    empty = history.LoadedHistory()
    local = history.read_folder(out, ids, now) if out.is_dir() else empty
    earlier = earlier or empty
    warnings.extend(local.warnings + earlier.warnings)
    merged: dict[str, list[history.Snapshot]] = {}
    for item in items:
        if item.id not in ids:
            continue
        new = _fresh_snapshot(item, now, warnings)
        merged[item.id] = history.merge(
            earlier.snapshots.get(item.id, []), local.snapshots.get(item.id, []), new
        )
    return merged


def _outcome_item(out: Path, outcome: ReportOutcome, seen: set[str]) -> ReportItem:
    problem = id_problem(outcome.id)
    if outcome.id in seen:
        problem = f"report id {outcome.id!r} appears twice; only the first one is published."
    seen.add(outcome.id)
    if problem:  # shown, never used as a folder: made one printable line
        return ReportItem(printable(outcome.id), outcome.title, outcome.source, "failed", problem)
    unusable = data_problem(outcome.data) if outcome.status == "ok" else None
    if outcome.status == "ok" and not unusable:
        return ReportItem(outcome.id, outcome.title, outcome.source, "ok", None, outcome.data, True)
    earlier = earlier_data(out, outcome.id)
    error = unusable or outcome.error or "the report failed without an error message"
    status = "stale" if earlier else "failed"
    return ReportItem(outcome.id, outcome.title, outcome.source, status, error, earlier)


def publish(
    out: Path,
    project: Project,
    outcomes: Sequence[ReportOutcome],
    *,
    earlier: history.LoadedHistory | None = None,
    now: datetime | None = None,
    keep: Iterable[str] = (),
    secrets: Sequence[str] = (),
    lock: SiteLock | None = None,
    marks: Mapping[str, Any] | None = None,
) -> SiteResult:
    """Build the site for this run's outcomes and swap it into `out`.

    `keep` names reports that exist but were not run this time (`run --only`): their pages,
    status and history are carried over from the previous site as they were. Every other
    report of the previous site is gone from the new one. `secrets` are masked in every file
    written. `lock` is the lock `claim(out)` took before fetching; without it, publish takes
    the lock itself. `marks` are extra top-level keys of manifest.json (`shard`). `earlier`
    is an earlier site's history (`--history-from`), read by the caller before publishing
    (fetch/earlier.py): publishing itself reads only local files.
    """
    now = now or datetime.now(timezone.utc)
    if lock is not None:
        if lock.folder != destination(out):
            raise ValueError(f"the lock held is for {lock.folder}, not for {out}")
        return _publish(lock.folder, project, outcomes, earlier, now, keep, secrets, marks)
    with claim(out) as held:
        return _publish(held.folder, project, outcomes, earlier, now, keep, secrets, marks)


@contextmanager
def claim(out: Path) -> Iterator[SiteLock]:
    """Lock the output folder and check that it may be replaced, before any work is done.

    `run` takes it before the first API call, so a second run against the same --out, or a
    folder that is not a site, is refused before anything is fetched. The lock's folder is the
    real one: a symbolic link is followed (see `staging.destination`).
    """
    folder = destination(out)
    check_destination(folder, ownership_problem)
    with exclusive(folder) as lock:
        # A killed swap left the previous site aside: its data is needed now.
        recover(folder, locked=True)
        check_destination(folder, ownership_problem)  # the recovered folder too
        yield lock


def _publish(
    out: Path,
    project: Project,
    outcomes: Sequence[ReportOutcome],
    earlier: history.LoadedHistory | None,
    now: datetime,
    keep: Iterable[str],
    secrets: Sequence[str],
    marks: Mapping[str, Any] | None = None,
) -> SiteResult:
    seen: set[str] = set()
    items = [_outcome_item(out, outcome, seen) for outcome in outcomes]
    previous = manifest_entries(out) or {}
    for report_id in keep:
        if report_id not in seen and report_id in previous:
            seen.add(report_id)
            items.append(carried(out, report_id, previous[report_id]))
    warnings = [
        f"{item.id}: fetched, but not published: {item.error}"
        for outcome, item in zip(outcomes, items, strict=False)
        if outcome.status == "ok" and item.status != "ok"
    ]
    histories = _merge_histories(out, items, earlier, warnings, now)
    return build_site(out, project, items, histories, warnings, now, secrets, marks=marks)


def rerender(
    source: Path,
    project: Project,
    *,
    out: Path | None = None,
    now: datetime | None = None,
    secrets: Sequence[str] = (),
) -> SiteResult:
    """Rebuild a site from its own data.json and history files (no network, no new snapshot).

    Without a reportrunner.yaml (`project.file` is None) the site keeps its own title.
    `secrets` are masked in every file written, as in `publish`.
    """
    source = destination(source)
    if source.parent.is_dir():
        recover(source)  # a swap of the source cut short: the site is aside
    problem = ownership_problem(source) if source.is_dir() else "it is not a folder"
    entries = manifest_entries(source)
    if problem or entries is None:
        raise UsageError(
            f"{source} has no readable manifest.json, so it is not a site reportrunner built"
            + (f" ({problem})" if problem else ""),
            hint="point --from at the folder `reportrunner run` wrote (for example site/).",
        )
    with claim(out or source) as lock:
        moment = now or datetime.now(timezone.utc)
        return _rerender(source, lock.folder, entries, project, moment, secrets)


def _rerender(
    source: Path,
    target: Path,
    entries: dict[str, dict[str, Any]],
    project: Project,
    now: datetime,
    secrets: Sequence[str],
) -> SiteResult:
    if project.file is None:
        site = (read_json(source / "manifest.json") or {}).get("site") or {}
        project = dataclasses.replace(
            project,
            site_title=str(site.get("title") or project.site_title),
            site_base_url=site.get("base_url") or project.site_base_url,
        )
    # Each report's data.json and history are read and checked where it is built (in a
    # worker when there are many), as `carried` and `history.read_folder` would: the same
    # items, snapshots and warnings, in order.
    items = [Carried(source, report_id, entry) for report_id, entry in entries.items()]
    histories: dict[str, history.History] = {
        item.id: history.Unread(source, item.id, now) for item in items if not id_problem(item.id)
    }
    return build_site(target, project, items, histories, [], now, secrets, carry_from=source)
