"""Hostile strings in every user-visible field are escaped or neutralized in every output.

Names, labels, titles, descriptions, tags and error messages come from Close or from spec
files, so a user name like `<script>` or `=HYPERLINK(…)` must stay text: no markup in HTML or
Markdown, no broken table, no formula in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish
from reportrunner.site.indexview import SCRIPT, SCRIPT_HASH

HOSTILE = [
    '<script>alert("x")</script>',
    "\"quoted' & <b>bold</b>",
    "pipe | in | name",
    '=HYPERLINK("http://evil.example","click")',
    "+cmd",
    "-2+3",
    "@SUM(1+1)",
    "\u202eevil RTL\u202c name",
    "[link](javascript:alert(1)) **strong** `code` _em_",
    "</textarea><img src=x onerror=alert(1)>",
    "{{ 7*7 }} {% raw %}",
    "W" * 400,
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _hostile_data(data: dict[str, Any]) -> dict[str, Any]:
    """The fixture with a hostile string in every field a person reads."""
    data["title"] = HOSTILE[0] + " title"
    data["description"] = HOSTILE[1] + " " + HOSTILE[8]
    data["tags"] = [HOSTILE[2], HOSTILE[6]]
    data["spec_file"] = "specs/" + HOSTILE[9] + ".yaml"
    names = data["names"]
    names["pipeline"]["name"] = HOSTILE[3]
    names["saved_search"]["name"] = HOSTILE[10]
    names["groups"] = dict.fromkeys(names["groups"], HOSTILE[4])
    in_report = [row["user_id"] for row in data["responses"]["totals"]["base"]["data"]]
    for user_id, name in zip(in_report, [HOSTILE[i] for i in (3, 11, 0, 7, 2)], strict=True):
        names["users"][user_id] = name
    labels = iter(HOSTILE[3:])
    stages = data["responses"]["stages"]["base"]["aggregations"]["stages"]
    for stage in stages:
        stage["status"]["label"] = next(labels)
    for user in data["responses"]["stages"]["base"]["data"]:
        for stage, aggregate in zip(user["stages"], stages, strict=True):
            stage["status"]["label"] = aggregate["status"]["label"]
    return data


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)


@pytest.fixture
def site(
    tmp_path: Path,
    data: dict[str, Any],
    project: Project,
    now: datetime,
    make_outcome: Callable[..., ReportOutcome],
) -> Path:
    out = tmp_path / "site"
    hostile = _hostile_data(data)
    publish(out, project, [make_outcome(hostile)], now=now)
    # A second run fails with a hostile error: the report becomes stale and shows the error.
    failing = make_outcome(
        id=hostile["id"], title=hostile["title"], error=HOSTILE[0] + HOSTILE[3] + HOSTILE[2]
    )
    broken = make_outcome(id="other", title=HOSTILE[9], error=HOSTILE[1])
    publish(out, project, [failing, broken], now=now)
    return out


@pytest.mark.parametrize("page", ["index.html", "new-business-this-month/index.html"])
def test_html_has_no_markup_from_the_data(site: Path, page: str) -> None:
    text = (site / page).read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(text)
    # The only script is the index's own search, whose hash the page's CSP names.
    ours = 1 if page == "index.html" else 0
    assert parser.tags.count("script") == ours
    assert text.count(f"<script>{SCRIPT}</script>") == ours
    assert ("script-src '" + SCRIPT_HASH + "'" in text) == bool(ours)
    assert "img" not in parser.tags and "b" not in parser.tags and "textarea" not in parser.tags
    assert not [name for name, _ in parser.attributes if name.startswith("on")]
    assert not [value for _, value in parser.attributes if value and "javascript:" in value]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
    if page != "index.html":
        assert "{{ 7*7 }} {% raw %}" in text  # data is never evaluated as a template


def test_markdown_tables_parse_as_tables_and_carry_no_html(site: Path) -> None:
    text = (site / "new-business-this-month" / "report.md").read_text(encoding="utf-8")
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    assert not [t for t in tokens if t.type == "html_block"]
    inline = [child for t in tokens if t.children for child in t.children]
    assert not [t for t in inline if t.type == "html_inline"]
    hrefs = {str(t.attrs.get("href")) for t in inline if t.type == "link_open"}
    assert hrefs <= {"index.html", "report.csv", "data.json"}, hrefs
    assert not [t for t in inline if t.type in ("em_open", "code_inline", "image")]
    texts = " ".join(t.content for t in inline if t.type == "text")
    assert "[link](javascript:alert(1)) **strong** `code` _em_" in texts  # shown, not applied
    assert '<script>alert("x")</script>' in texts
    # Every row of every table has exactly as many cells as its header.
    tables, cells, widths = 0, 0, []
    for token in tokens:
        if token.type == "table_open":
            tables += 1
            widths.append([])
        elif token.type == "tr_open":
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "tr_close":
            widths[-1].append(cells)
    assert tables == 3, "headline, stages and per-user tables"
    for rows in widths:
        assert len(set(rows)) == 1, rows
    html = md.render(text)
    assert "<script" not in html and "<img" not in html and "<b>" not in html


@pytest.mark.parametrize("name", ["report.csv", "stages.csv"])
def test_csv_round_trips_and_has_no_formulas(site: Path, name: str) -> None:
    raw = (site / "new-business-this-month" / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads UTF-8"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header = rows[0]
    assert len(rows) > 1
    for row in rows:
        assert len(row) == len(header), row
        for cell in row:
            if cell.startswith(FORMULA_START):
                float(cell)  # only real numbers may start like a formula
    names = {row[1] for row in rows[1:]}
    assert "'" + HOSTILE[3] in names  # =HYPERLINK neutralized, text kept
    assert "W" * 400 in names  # long strings are not truncated in data files


def test_stale_error_is_shown_escaped(site: Path) -> None:
    page = (site / "new-business-this-month" / "index.html").read_text(encoding="utf-8")
    assert "Stale data." in page
    assert "&lt;script&gt;" in page
    md = (site / "new-business-this-month" / "report.md").read_text(encoding="utf-8")
    assert "> **Stale data.**" in md and "&lt;script&gt;" in md


def test_no_direction_override_reaches_any_output(site: Path) -> None:
    """U+202E and friends can make text read backwards ("Trojan Source"); they are dropped."""
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".md", ".csv"):
            text = path.read_text(encoding="utf-8")
            assert "\u202e" not in text and "\u2066" not in text, path
    page = (site / "new-business-this-month" / "index.html").read_text(encoding="utf-8")
    assert "evil RTL name" in page
