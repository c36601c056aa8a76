"""Hostile strings from the API and from specs, end to end: escaped, neutralized, layout intact.

The emulator serves an organization whose user names, group names, pipeline name, status
labels, saved-search name and organization name are hostile (`Emulator(names=…)`: same ids,
same opportunities), and the spec's title, description and tags are hostile too. The real
`reportrunner run` builds the site; then every page is compared with the site built from the
same data under plain names: HTML pages must have exactly the same element structure (no
element, attribute or script came from the data) and show the hostile text verbatim; Markdown
must render to the same structure (tables keep their columns); CSV files must keep their
shape and no cell may start a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from relhelp import CANARY, NEW_BUSINESS, cli_env, run_cli, write_specs

from reportrunner.emulator import Emulator
from reportrunner.emulator.dataset import generate
from reportrunner.emulator.org import GROUPS, ORGANIZATION_ID, PIPELINES, SAVED_SEARCHES, USERS

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
HOSTILE = [
    '<script>alert("x")</script>',
    "\"quoted' & <b>bold</b> &amp;",
    "pipe | in | name",
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\u202eevil RTL\u202c name",
    "[link](javascript:alert(1)) **strong** `code` _em_ <!-- c -->",
    "</textarea><img src=x onerror=alert(1)>",
    "{{ 7*7 }} {% raw %} ${x}",
    "W" * 400,
    "line\nbreak\r\nand\ttab",
    "# heading\n- item",
]
FORMULA_START = ("=", "+", "@", "\t", "\r")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _names(hostile: bool) -> dict[str, str]:
    """A name for every id of the organization: hostile ones, or plain ones."""
    ids = [u.id for u in USERS] + [g.id for g in GROUPS] + [p.id for p in PIPELINES]
    ids += [s.id for p in PIPELINES for s in p.statuses]
    ids += [s.id for s in SAVED_SEARCHES] + [ORGANIZATION_ID]
    if not hostile:
        return {item: f"Name {index}" for index, item in enumerate(ids)}
    return {item: f"{HOSTILE[index % len(HOSTILE)]}" for index, item in enumerate(ids)}


def _spec(report_id: str, hostile: bool, extra: str) -> str:
    title = HOSTILE[0] + " " + HOSTILE[3] if hostile else "Plain title"
    description = " ".join(HOSTILE) if hostile else "Plain description"
    tags = [HOSTILE[2], HOSTILE[5], HOSTILE[7]] if hostile else ["one", "two", "three"]
    return (
        f"id: {report_id}\n"
        f"title: {json.dumps(title)}\n"
        f"description: {json.dumps(description)}\n"
        f"tags: {json.dumps(tags)}\n"
        "request:\n"
        f"  pipeline: {NEW_BUSINESS}\n"
        "  type: created-cohort\n"
        "  cohort_relative_range: this-year\n"
        "  compared_relative_range: last-year\n"
        f"{extra}"
    )


SCOPED = (
    f"  users: [{GROUPS[0].id}, {GROUPS[1].id}, {USERS[9].id}]\n"
    "  query:\n"
    "    type: saved_search\n"
    f"    saved_search_id: {SAVED_SEARCHES[0].id}\n"
)


def _build(root: Path, hostile: bool) -> Path:
    write_specs(
        root,
        {"everyone": _spec("everyone", hostile, ""), "scoped": _spec("scoped", hostile, SCOPED)},
    )
    with Emulator(api_key=CANARY, now=NOW, names=_names(hostile)) as emu:
        run = run_cli(["run", "--out", "site"], cwd=root, env=cli_env(emu.base_url))
    assert run.returncode == 0, run.explain()
    assert not run.traceback, run.explain()
    return root / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    plain = _build(tmp_path_factory.mktemp("plain"), hostile=False)
    hostile = _build(tmp_path_factory.mktemp("hostile"), hostile=True)
    return plain, hostile


class _Structure(HTMLParser):
    """Element names and attribute names in document order, plus the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[str] = []
        self.text: list[str] = []
        self.attribute_values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(tag + "(" + ",".join(sorted(name for name, _ in attrs)) + ")")
        self.attribute_values.extend(value or "" for _, value in attrs)

    def handle_endtag(self, tag: str) -> None:
        self.elements.append("/" + tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Structure:
    parser = _Structure()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _pages(site: Path, suffix: str) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob(f"*{suffix}"))


def test_the_api_really_served_hostile_names() -> None:
    names = _names(True)
    with Emulator(api_key="k", now=NOW, names=names) as emu:
        assert emu.dataset.users[0].full_name == HOSTILE[0]
        first = PIPELINES[0].statuses[0]
        assert emu.dataset.pipelines[0].statuses[0].label == names[first.id]
        # Same opportunities as the plain organization: only names differ.
        assert emu.dataset.opportunities == generate(1, NOW).opportunities
    with pytest.raises(ValueError, match="does not have"):
        Emulator(api_key="k", names={"user_nobody": "x"})


def test_html_structure_is_the_same_and_text_verbatim(sites: tuple[Path, Path]) -> None:
    plain, hostile = sites
    pages = _pages(hostile, ".html")
    assert pages == _pages(plain, ".html") and len(pages) == 3
    for page in pages:
        ours, theirs = _parse(plain / page), _parse(hostile / page)
        assert theirs.elements == ours.elements, f"{page}: the data changed the markup"
        assert not any("javascript:" in v for v in theirs.attribute_values), page
    report = "".join(_parse(hostile / "scoped/index.html").text)
    for text in (HOSTILE[0], HOSTILE[1], HOSTILE[3], HOSTILE[9], HOSTILE[10]):
        assert text in report, f"{text!r} is not shown verbatim"
    users = "".join(_parse(hostile / "everyone/index.html").text)
    assert HOSTILE[11] in users
    # Bidi overrides are dropped (names are isolated instead), so "evil" cannot flip the page.
    assert "evil RTL name" in users
    for page in pages:
        assert "\u202e" not in (hostile / page).read_text(encoding="utf-8"), page


def _markdown_shape(path: Path) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))
    return [t.type for t in tokens if t.type != "inline"]


def test_markdown_keeps_its_structure(sites: tuple[Path, Path]) -> None:
    plain, hostile = sites
    for page in _pages(hostile, ".md"):
        assert _markdown_shape(hostile / page) == _markdown_shape(plain / page), page
        html = (
            MarkdownIt("commonmark")
            .enable("table")
            .render((hostile / page).read_text(encoding="utf-8"))
        )
        assert "<script" not in html and "<img" not in html and "<b>" not in html, page
        assert 'href="javascript:' not in html, page


def test_csv_keeps_its_shape_and_starts_no_formula(sites: tuple[Path, Path]) -> None:
    plain, hostile = sites
    pages = _pages(hostile, ".csv")
    assert pages == _pages(plain, ".csv") and pages
    seen_hostile = 0
    for page in pages:
        rows = list(csv.reader(io.StringIO((hostile / page).read_text(encoding="utf-8-sig"))))
        plain_rows = list(csv.reader(io.StringIO((plain / page).read_text(encoding="utf-8-sig"))))
        assert [len(r) for r in rows] == [len(r) for r in plain_rows], page
        for row in rows:
            for cell in row:
                assert not cell.startswith(FORMULA_START), f"{page}: {cell!r}"
                if cell.startswith("-"):
                    float(cell)  # a leading minus is only ever a negative number
                seen_hostile += any(h in cell for h in HOSTILE)
    assert seen_hostile, "no hostile name reached a CSV file"


def test_index_and_manifest_survive(sites: tuple[Path, Path]) -> None:
    _, hostile = sites
    manifest = json.loads((hostile / "manifest.json").read_text(encoding="utf-8"))
    assert {r["id"]: r["status"] for r in manifest["reports"]} == {
        "everyone": "ok",
        "scoped": "ok",
    }
    tags = [HOSTILE[2], HOSTILE[5], HOSTILE[7]]
    assert manifest["reports"][0]["tags"] == [_INVISIBLE.sub("", tag) for tag in tags]
    data = json.loads((hostile / "scoped/data.json").read_text(encoding="utf-8"))
    assert data["names"]["pipeline"]["name"] == _names(True)[NEW_BUSINESS]
    assert data["names"]["saved_search"]["name"] == _names(True)[SAVED_SEARCHES[0].id]
    assert data["names"]["groups"][GROUPS[0].id] == _names(True)[GROUPS[0].id]
