"""One report's files in the site being built: its pages, or its previous pages kept as stale.

`build.py` decides which reports the site holds and with what data; this module turns one such
report (`ReportItem`) into its folder and its manifest entry. Data that cannot be rendered
fails that report alone, and a template refused by the sandbox keeps the report's previous
pages (stale), so one bad report or template line never stops the rest of the site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportrunner.errors import TemplateSandboxError
from reportrunner.kinds import kind_of_data
from reportrunner.redact import redact
from reportrunner.site import history
from reportrunner.site.files import earlier_data, old_pages, stored_data
from reportrunner.site.indexview import IndexEntry, index_entry
from reportrunner.site.render import FILE_KEYS, Renderer
from reportrunner.site.writer import Sink
from reportrunner.spec.project import printable
from reportrunner.windows import parse_rfc3339


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
class ReportItem:
    """One report to build: its data (None when failed without earlier data) and status."""

    id: str
    title: str
    spec_file: str
    status: str
    error: str | None
    data: dict[str, Any] | None = None
    fresh: bool = False  # fetched in this run: adds a history snapshot
    fetched_at: str | None = None  # what the manifest says for a report carried over


@dataclass(frozen=True)
class Carried:
    """A report of an existing site to carry over, read where it is built (in a worker when
    there are many): `item()` is `carried(site, id, entry)`."""

    site: Path
    id: str
    entry: dict[str, Any]

    def item(self) -> ReportItem:
        return carried(self.site, self.id, self.entry)


def _text(value: object, limit: int) -> str | None:
    """A text field of the previous site's manifest (untrusted): one printable line, capped."""
    if not isinstance(value, str) or not value:
        return None
    text = printable(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def carried(site: Path, report_id: str, entry: dict[str, Any]) -> ReportItem:
    """A report taken over from an existing site unchanged (status, error, data).

    The manifest entry is untrusted: only texts are taken from it, capped, and a `fetched_at`
    that is not an RFC 3339 time falls back to the one in the report's own data.json.
    """
    data, problem = stored_data(site, report_id)
    title = _text(entry.get("title"), 200) or report_id
    spec_file = _text(entry.get("spec_file"), 1000) or ""
    if data is None:
        # A report that already failed keeps its own error; otherwise say what is missing.
        error = _text(entry.get("error"), 4000) if entry.get("status") == "failed" else None
        return ReportItem(report_id, title, spec_file, "failed", error or problem)
    status = "stale" if entry.get("status") == "stale" else "ok"
    error = _text(entry.get("error"), 4000) if status == "stale" else None
    fetched = None
    if status == "ok":
        stamp = entry.get("fetched_at")
        fetched = stamp if isinstance(stamp, str) and _is_time(stamp) else data["fetched_at"]
    return ReportItem(report_id, title, spec_file, status, error, data, False, fetched)


def _is_time(text: str) -> bool:
    try:
        parse_rfc3339(text)
    except ValueError:
        return False
    return len(text) <= 40


def build_report(
    writer: Sink,
    renderer: Renderer,
    item: ReportItem,
    snapshots: list[history.Snapshot],
    site: Path,
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
        kind = kind_of_data(data)  # an unknown kind (a later version's data) is a ValueError
        view = kind.view(
            data, renderer.formatter, history=snapshots, status=item.status, error=error
        )
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        # Data that does not follow docs/data-format.md fails its own report, not the site
        # (ArithmeticError: decimal's InvalidOperation on a number Babel cannot format).
        report.status = "failed"
        report.error = (
            f"could not build the pages from the fetched data ({type(exc).__name__}: {exc}); "
            "this is a bug, please report it with the report's data.json"
        )
        entry = index_entry(item.id, item.title, item.spec_file, "failed", report.error, None, {})
        return report, entry
    formats = [str(name) for name in data.get("formats") or ("html", "md", "csv")]
    try:
        files = renderer.report_files(view, formats, kind.outputs(view, formats))
    except TemplateSandboxError as exc:
        return _keep_previous(writer, site, item, str(exc))
    writer.mkdir(item.id)
    writer.json((item.id, "data.json"), data, None)
    for name, text in files.items():
        writer.text((item.id, name), text)
    report.tags = list(view.tags)
    report.title = view.title
    report.last_good_at = str(data["fetched_at"])
    report.fetched_at = report.last_good_at if item.fresh else item.fetched_at
    report.files = {key: f"{item.id}/{name}" for key, name in view.files.items()}
    entry = index_entry(item.id, item.title, item.spec_file, item.status, error, view, report.files)
    return report, entry


def _keep_previous(
    writer: Sink, site: Path, item: ReportItem, error: str
) -> tuple[PublishedReport, IndexEntry]:
    """A report whose template was refused by the sandbox keeps its previous pages as stale."""
    pages = old_pages(site, item.id, FILE_KEYS)
    status = "stale" if pages else "failed"
    files = {FILE_KEYS[name]: f"{item.id}/{name}" for name in pages}
    if pages:
        writer.mkdir(item.id)
    for name, text in pages.items():
        writer.text((item.id, name), text)
    earlier = earlier_data(site, item.id) if pages else None
    last_good = str(earlier["fetched_at"]) if earlier else None
    report = PublishedReport(
        item.id, item.title, item.spec_file, [], status, error, None, last_good, files
    )
    return report, index_entry(item.id, item.title, item.spec_file, status, error, None, files)
