"""What the site index shows: every report as a compact row, problems first, findable.

A report that never had good data still gets a row (why, in a reader's words, and the error
behind a toggle); reports are also grouped by tag (the way to filter without JavaScript). All
times are in the site's zone (`site.timezone`, default UTC). The search box and tag filter are
one small inline script whose SHA-256 the page's Content-Security-Policy names, so nothing else
can run; without it the page shows every report and the tag lists.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from markupsafe import Markup

from reportrunner import __version__
from reportrunner.escaping import plain_text
from reportrunner.site.compareview import ComparisonView
from reportrunner.site.filters import Formatter
from reportrunner.site.statuswords import failed_words, stale_words
from reportrunner.site.viewmodel import MetricView, StageView
from reportrunner.windows import parse_rfc3339

_STATUS_TEXT = {"ok": "Up to date", "stale": "Stale", "failed": "Failed: no data yet"}
#: Problems first: a reader scanning 200 reports must see what is broken at the top.
_ORDER = {"failed": 0, "stale": 1, "ok": 2}
INDEX_KEYS = ("count", "value_total_won", "count_win_rate")

#: Filters the rows by words and tag; `hidden` controls appear only when this runs.
SCRIPT = """(function () {
  var form = document.getElementById("find");
  var q = document.getElementById("q"), tag = document.getElementById("tag");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#reports > li"));
  function apply() {
    var words = q.value.toLowerCase().split(/\\s+/).filter(Boolean), t = tag.value, n = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase(), tags = row.getAttribute("data-tags").split(" ");
      var show = words.every(function (w) { return text.indexOf(w) >= 0; }) &&
        (!t || tags.indexOf(t) >= 0);
      row.hidden = !show;
      if (show) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " reports shown";
  }
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  q.addEventListener("input", apply);
  tag.addEventListener("change", apply);
  apply();
})();"""
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()


class Summary(Protocol):
    """What an index row reads from a report's view model (of any report kind)."""

    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def spec_file(self) -> str: ...
    @property
    def status_words(self) -> str: ...
    @property
    def fetched_at(self) -> str: ...
    @property
    def fetched_text(self) -> str: ...
    @property
    def coverage(self) -> list[str]: ...
    @property
    def headline(self) -> Sequence[MetricView]: ...
    @property
    def stages(self) -> Sequence[StageView]: ...
    @property
    def comparison(self) -> ComparisonView | None: ...


@dataclass
class IndexEntry:
    id: str
    title: str
    description: str
    tags: list[str]
    spec_file: str
    status: str  # ok | stale | failed
    status_text: str
    status_words: str  # stale/failed: what it means for the numbers, in a reader's words
    error: str | None  # the technical error, behind a toggle
    fetched_at: str | None  # when the shown data was fetched (RFC 3339), None without data
    period_text: str  # the report's window in words, in progress said as such
    headline: list[MetricView]
    links: dict[str, str]  # html | md | csv | stages_csv | data → path relative to the index
    fetched_text: str = ""  # `fetched_at` in the site's zone, set by `index_view`
    #: Why the numbers carry no change: their periods differ in length ("" otherwise), so a
    #: row without arrows is not mistaken for "nothing changed".
    comparison_note: str = ""
    #: Numbers of its tags in `IndexView.tags` ("1 3"): the tag filter matches these, so no
    #: text from a spec lands in an attribute the script reads.
    tag_numbers: str = ""


@dataclass
class IndexView:
    title: str
    generated_text: str
    timezone: str
    reports: list[IndexEntry]
    tags: list[tuple[str, list[IndexEntry]]]
    counts: dict[str, int]
    script: Markup = Markup(SCRIPT)  # noqa: RUF009 - an immutable str subclass
    script_hash: str = SCRIPT_HASH
    version: str = __version__


def _numbers(view: Summary) -> list[MetricView]:
    """The index's numbers: headline metrics, or the first stage's count for stages-only.

    A headline without any of INDEX_KEYS (another kind's metrics) shows its first three.
    """
    if view.headline:
        chosen = [metric for metric in view.headline if metric.key in INDEX_KEYS]
        return chosen or list(view.headline[:3])
    if not view.stages:
        return []
    first = view.stages[0]
    text = first.text["count"]
    label = "Opportunities in the funnel"
    return [
        MetricView("count", label, "count", first.raw["count"], None, text, "", "", "none", "none")
    ]


def _comparison_note(view: Summary) -> str:
    versus = view.comparison
    if versus is None or versus.kind != "different-lengths":
        return ""
    name = versus.label[:1].lower() + versus.label[1:]
    return f"Not judged against {name}: the periods differ in length."


def index_entry(
    report_id: str,
    title: str,
    spec_file: str,
    status: str,
    error: str | None,
    view: Summary | None,
    links: dict[str, str],
) -> IndexEntry:
    """One row of the site index; `view` is None for a report that never had good data."""
    error_text = plain_text(error) if error else None
    words = ""
    if status == "failed":
        words = failed_words(error_text)
    elif status == "stale" and view is not None:
        words = view.status_words or stale_words(view.fetched_text, error_text)
    entry = IndexEntry(
        id=report_id,
        title=view.title if view else plain_text(title),
        description=view.description if view else "",
        tags=view.tags if view else [],
        spec_file=view.spec_file if view else plain_text(spec_file),
        status=status,
        status_text=_STATUS_TEXT.get(status, status),
        status_words=words,
        error=error_text,
        fetched_at=view.fetched_at if view else None,
        period_text=view.coverage[0] if view and view.coverage else "",
        headline=_numbers(view) if view else [],
        links=dict(links),
        comparison_note=_comparison_note(view) if view else "",
    )
    return entry


def index_view(
    title: str,
    generated: datetime,
    entries: list[IndexEntry],
    fmt: Formatter,
    zone: str = "UTC",
) -> IndexView:
    """The site index: problems first, then every report; the reports grouped by tag."""
    for entry in entries:
        if entry.fetched_at:
            entry.fetched_text = fmt.moment(parse_rfc3339(entry.fetched_at), zone)
    ordered = sorted(entries, key=lambda entry: _ORDER.get(entry.status, 0))
    tags: dict[str, list[IndexEntry]] = {}
    for entry in ordered:
        for tag in entry.tags:
            tags.setdefault(tag, []).append(entry)
    by_tag = sorted(tags.items(), key=lambda item: item[0].casefold())
    numbers = {tag: str(number) for number, (tag, _) in enumerate(by_tag, start=1)}
    for entry in ordered:
        entry.tag_numbers = " ".join(numbers[tag] for tag in dict.fromkeys(entry.tags))
    counts = {
        name: sum(1 for e in entries if e.status == name) for name in ("ok", "stale", "failed")
    }
    return IndexView(
        title=title,
        generated_text=fmt.moment(generated, zone),
        timezone=zone,
        reports=ordered,
        tags=by_tag,
        counts=counts,
    )
