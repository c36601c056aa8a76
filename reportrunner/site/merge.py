"""`render --from SHARD --from SHARD … [--from EARLIER] --out SITE`: one site from shard outputs.

A shard output is a normal site folder that `run --shard K/N` wrote, its manifest marked with
`shard` (index, count, the partition's fingerprint and its report ids). Keeping it a site (not
a fetch-only format) means one layout to document and every check an earlier site already gets
applies to shards too: ownership by manifest, data.json format checks, snapshot checks
(snapshots.py), size caps, and no file of a source is ever changed or deleted; only `--out` is
written, built aside and swapped in (staging.py).

The merge refuses what would publish a wrong site: a shard missing or given twice, shards of
different partitions (other specs, other N), a report id in two shard outputs, a shard whose
manifest lists reports outside its share. A report that failed in its shard keeps the earlier
site's last good data and is marked stale, as a one-shot run does. Histories of the shard and
the earlier site are merged (every snapshot once, the cap applied); the earlier site's reports
that no shard has are gone, as when their spec is removed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeGuard

from reportrunner.errors import UsageError
from reportrunner.fetch.shard import MAX_SHARDS
from reportrunner.model import Project
from reportrunner.site import history
from reportrunner.site.build import SiteResult, build_site, claim
from reportrunner.site.files import (
    earlier_data,
    id_problem,
    manifest_entries,
    ownership_problem,
    printable_value,
    read_json,
)
from reportrunner.site.report import ReportItem, carried
from reportrunner.site.staging import destination
from reportrunner.spec.project import printable

#: The partition fingerprint and ids are ours; anything longer was not written by `run`.
_MAX_FINGERPRINT = 64


@dataclass(frozen=True)
class Source:
    """One `--from` folder: its manifest entries, and its shard mark (None: an earlier site)."""

    folder: Path
    entries: dict[str, dict[str, Any]]
    site: dict[str, Any]  # the manifest's `site` (title, base_url), untrusted
    index: int | None = None
    count: int | None = None
    partition: str | None = None
    ids: frozenset[str] = frozenset()


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _mark(folder: Path, manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The checked `shard` object of a manifest (None when there is none)."""
    mark = manifest.get("shard")
    if mark is None:
        return None
    bad = UsageError(
        f"{folder}/manifest.json has a `shard` entry that `run --shard` did not write "
        f"({printable_value(mark)})",
        hint="merge only folders written by `reportrunner run --shard K/N --out DIR`.",
    )
    if not isinstance(mark, dict):
        raise bad
    index, count, partition, ids = (mark.get(k) for k in ("index", "count", "partition", "ids"))
    if not (_whole(index) and _whole(count) and 1 <= index <= count <= MAX_SHARDS):
        raise bad
    if not isinstance(partition, str) or not 0 < len(partition) <= _MAX_FINGERPRINT:
        raise bad
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise bad
    return mark


def read_source(folder: Path) -> Source:
    """A `--from` folder, checked like any earlier site; UsageError when it is not one."""
    folder = destination(folder)
    problem = ownership_problem(folder) if folder.is_dir() else "it is not a folder"
    manifest = read_json(folder / "manifest.json") if not problem else None
    entries = manifest_entries(folder) if not problem else None
    if problem or entries is None or not isinstance(manifest, dict):
        raise UsageError(
            f"--from {folder}: not a site reportrunner built"
            + (f" ({problem})" if problem else ""),
            hint="give the folders that `reportrunner run --shard K/N --out DIR` wrote, and at "
            "most one earlier site.",
        )
    mark = _mark(folder, manifest)
    found = manifest.get("site")
    site: dict[str, Any] = found if isinstance(found, dict) else {}
    if mark is None:
        return Source(folder, entries, site)
    ids = frozenset(mark["ids"])
    return Source(folder, entries, site, mark["index"], mark["count"], mark["partition"], ids)


def _check_shards(shards: Sequence[Source]) -> None:
    """All N shards of one partition, each once, each holding only its own share."""
    first = shards[0]
    for shard in shards[1:]:
        if (shard.count, shard.partition) != (first.count, first.partition):
            raise UsageError(
                f"{shard.folder} is shard {shard.index}/{shard.count} of partition "
                f"{shard.partition}, but {first.folder} is shard {first.index}/{first.count} of "
                f"partition {first.partition}: they were run with other specs or another N",
                hint="merge the outputs of one run: every job with the same specs and --shard K/N.",
            )
    by_index: dict[int, Path] = {}
    for shard in shards:
        assert shard.index is not None
        if shard.index in by_index:
            raise UsageError(
                f"shard {shard.index}/{shard.count} is given twice: {by_index[shard.index]} and "
                f"{shard.folder}",
                hint="give each shard's output folder once.",
            )
        by_index[shard.index] = shard.folder
    missing = sorted(set(range(1, (first.count or 0) + 1)) - set(by_index))
    if missing:
        names = ", ".join(f"{i}/{first.count}" for i in missing)
        raise UsageError(
            f"shard output(s) {names} missing: merging without them would drop their reports",
            hint="give every shard's folder with --from (a failed job still uploads its output).",
        )
    for shard in shards:
        outside = sorted(set(shard.entries) - shard.ids)
        if outside:
            raise UsageError(
                f"{shard.folder} lists report(s) outside its share: "
                + ", ".join(printable_value(i) for i in outside[:5]),
                hint="a shard output holds only its own reports; run it again into an empty "
                "folder with `reportrunner run --shard K/N --out DIR`.",
            )


def _check_unique(shards: Sequence[Source]) -> None:
    """A report id in two shard outputs is refused, naming the id and both folders."""
    owner: dict[str, Path] = {}
    for shard in shards:
        for report_id in sorted(shard.ids | set(shard.entries)):
            if report_id in owner:
                raise UsageError(
                    f"report id {printable_value(report_id)} is in two shard outputs: "
                    f"{owner[report_id]} and {shard.folder}",
                    hint="each report belongs to one shard; merge the outputs of one run only.",
                )
            owner[report_id] = shard.folder


def plan_sources(folders: Sequence[Path]) -> tuple[list[Source], Source | None]:
    """The shard outputs and the earlier site among `--from` folders, checked."""
    sources = [read_source(folder) for folder in folders]
    shards = [source for source in sources if source.index is not None]
    earlier = [source for source in sources if source.index is None]
    if not shards:
        raise UsageError(
            "no --from folder is a shard output (written by `reportrunner run --shard K/N`)",
            hint="to re-render one site, give a single --from folder.",
        )
    if len(earlier) > 1:
        raise UsageError(
            "more than one --from folder is an earlier site (not a shard output): "
            + ", ".join(str(source.folder) for source in earlier),
            hint="give the shard outputs and at most one earlier site.",
        )
    _check_shards(shards)
    _check_unique(shards)
    return shards, earlier[0] if earlier else None


def _item(shard: Source, report_id: str, earlier: Source | None, warnings: list[str]) -> ReportItem:
    item = carried(shard.folder, report_id, shard.entries[report_id])
    if item.data is not None or earlier is None:
        return item
    data = earlier_data(earlier.folder, report_id)  # checked: format, fetched_at
    if data is None:
        return item
    warnings.append(
        f"{report_id}: failed in shard {shard.index}/{shard.count}; kept the last good page of "
        f"{earlier.folder} (stale): {item.error or 'no error message'}"
    )
    return ReportItem(report_id, item.title, item.spec_file, "stale", item.error, data)


def merge_sites(
    folders: Sequence[Path],
    out: Path,
    project: Project,
    *,
    now: datetime | None = None,
    secrets: Sequence[str] = (),
) -> SiteResult:
    """Merge the shard outputs (and an earlier site) among `folders` into the site `out`."""
    shards, earlier = plan_sources(folders)
    target = destination(out)
    if any(shard.folder == target for shard in shards):
        raise UsageError(
            f"--out {out} is one of the shard outputs",
            hint="write the merged site to another folder (the shard outputs are read only).",
        )
    moment = now or datetime.now(timezone.utc)
    if project.file is None:  # no reportrunner.yaml here: the shards' own title, as rerender
        site = shards[0].site
        project = dataclasses.replace(
            project,
            site_title=printable(str(site.get("title") or project.site_title))[:200],
            site_base_url=str(site.get("base_url") or project.site_base_url or "") or None,
        )
    with claim(out) as lock:
        items: list[ReportItem] = []
        warnings: list[str] = []
        histories: dict[str, list[history.Snapshot]] = {}
        for shard in shards:
            ids = [i for i in shard.entries if not id_problem(i)]
            loaded = history.read_folder(shard.folder, ids, moment)
            older = history.read_folder(earlier.folder, ids, moment) if earlier else None
            warnings.extend(loaded.warnings + (older.warnings if older else []))
            for report_id in shard.entries:
                items.append(_item(shard, report_id, earlier, warnings))
                if report_id in ids:
                    before = older.snapshots.get(report_id, []) if older else []
                    histories[report_id] = history.merge(
                        before, loaded.snapshots.get(report_id, [])
                    )
        # One order whatever the shard order: by id, as validation orders a one-shot run.
        items.sort(key=lambda item: item.id)
        carry_from = earlier.folder if earlier else None
        return build_site(
            lock.folder, project, items, histories, warnings, moment, secrets, carry_from
        )
