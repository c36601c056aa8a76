"""What the site index shows: every report with its status, headline numbers and links.

A report that never had good data still gets a line (its error in words); reports are also
grouped by tag. Built from the same `ReportView` objects as the report pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportrunner import __version__
from reportrunner.escaping import plain_text
from reportrunner.filters import Formatter
from reportrunner.viewmodel import MetricView, ReportView

_STATUS_TEXT = {
    "ok": "Up to date",
    "stale": "Stale: this run failed, showing the last good data",
    "failed": "Failed: no data yet",
}
INDEX_KEYS = ("count", "value_total_won", "count_win_rate")


@dataclass
class IndexEntry:
    id: str
    title: str
    description: str
    tags: list[str]
    spec_file: str
    status: str  # ok | stale | failed
    status_text: str
    error: str | None
    fetched_text: str
    headline: list[MetricView]
    links: dict[str, str]  # html | md | csv | stages_csv | data → path relative to the index


@dataclass
class IndexView:
    title: str
    generated_text: str
    reports: list[IndexEntry]
    tags: list[tuple[str, list[IndexEntry]]]
    counts: dict[str, int]
    version: str = __version__


def index_entry(
    report_id: str,
    title: str,
    spec_file: str,
    status: str,
    error: str | None,
    view: ReportView | None,
    links: dict[str, str],
) -> IndexEntry:
    """One line of the site index; `view` is None for a report that never had good data."""
    return IndexEntry(
        id=report_id,
        title=view.title if view else plain_text(title),
        description=view.description if view else "",
        tags=view.tags if view else [],
        spec_file=view.spec_file if view else plain_text(spec_file),
        status=status,
        status_text=_STATUS_TEXT.get(status, status),
        error=plain_text(error) if error else None,
        fetched_text=f"{view.fetched_text} ({view.timezone})" if view else "",
        headline=[metric for metric in view.headline if metric.key in INDEX_KEYS] if view else [],
        links=dict(links),
    )


def index_view(
    title: str, generated: datetime, entries: list[IndexEntry], fmt: Formatter
) -> IndexView:
    """The site index: every report, then the reports grouped by tag."""
    tags: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        for tag in entry.tags:
            tags.setdefault(tag, []).append(entry)
    counts = {
        name: sum(1 for e in entries if e.status == name) for name in ("ok", "stale", "failed")
    }
    return IndexView(
        title=title,
        generated_text=fmt.moment(generated, "UTC") + " UTC",
        reports=entries,
        tags=sorted(tags.items(), key=lambda item: item[0].casefold()),
        counts=counts,
    )
