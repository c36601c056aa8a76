"""Golden tests of the sent e-mails pages: the two fixture data.json files as reviewed snapshots.

Last week against the week before (like for like: one template's open rate fell beyond noise,
one new template, one with no sends now, a tiny sample left unjudged, Close's stale percentage
and a name full of markup) and this week so far (its complete days against the same days of
the week before), each with two earlier runs so trend charts are drawn. The inputs are
tests/render/golden/sent-emails/fixtures/. After an intended change, regenerate and review:

    REPORTRUNNER_UPDATE_GOLDEN=1 pytest tests/kinds/test_sentemails_golden.py
    git diff tests/render/golden/sent-emails
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from reportrunner import __version__
from reportrunner.fetch.earlier import read_source
from reportrunner.kinds import kind_named
from reportrunner.model import Project, ReportOutcome
from reportrunner.site.build import publish

GOLDEN = Path(__file__).resolve().parents[1] / "render" / "golden" / "sent-emails"
UPDATE = os.environ.get("REPORTRUNNER_UPDATE_GOLDEN") == "1"
NOW = datetime(2026, 12, 2, 9, 30, 5, tzinfo=timezone.utc)
LAST, WEEK = "templates-last-week", "templates-this-week"
FILES = {
    "last-week.html": f"{LAST}/index.html",
    "last-week.md": f"{LAST}/report.md",
    "last-week.csv": f"{LAST}/report.csv",
    "this-week.html": f"{WEEK}/index.html",
    "this-week.md": f"{WEEK}/report.md",
    "this-week.csv": f"{WEEK}/report.csv",
    "index.html": "index.html",
    "last-week-history.json": f"history/{LAST}.json",
}


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GOLDEN / "fixtures" / f"{name}.json").read_text("utf-8"))
    return loaded


def earlier(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Two earlier runs (two weeks and a week before) with other totals and rates."""
    snapshot = kind_named("sent-emails").snapshot(data)
    runs = []
    for days, sent, rate in ((14, 1500, 0.46), (7, 1710, 0.43)):
        metrics = dict(snapshot["metrics"], sent=sent, open_rate=rate, reply_rate=rate / 4)
        runs.append(
            dict(snapshot, fetched_at=f"2026-11-{30 - days + 2:02d}T09:30:05Z", metrics=metrics)
        )
    return runs


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sentemails")
    old = root / "earlier"
    (old / "history").mkdir(parents=True)
    outcomes = []
    for name in ("last-week", "this-week"):
        data = fixture(name)
        document = {"id": data["id"], "snapshots": earlier(data)}
        (old / "history" / f"{data['id']}.json").write_text(json.dumps(document), "utf-8")
        outcomes.append(
            ReportOutcome(data["id"], data["title"], data["spec_file"], "ok", data=data)
        )
    out = root / "site"
    project = Project(root=root, site_title="Acme Robotics — e-mail templates")
    result = publish(
        out, project, outcomes, earlier=read_source(str(old), [o.id for o in outcomes]), now=NOW
    )
    assert result.warnings == [] and [r.status for r in result.reports] == ["ok", "ok"]
    return out


def _normalized(text: str) -> str:
    return text.replace(f"reportrunner {__version__}", "reportrunner VERSION")


@pytest.mark.parametrize("golden", sorted(FILES))
def test_sent_emails_page_matches_golden_file(site: Path, golden: str) -> None:
    actual = _normalized((site / FILES[golden]).read_text(encoding="utf-8"))
    path = GOLDEN / golden
    if UPDATE:
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.is_file(), f"{path} is missing; run with REPORTRUNNER_UPDATE_GOLDEN=1 and review"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{FILES[golden]} differs from {path}; if intended, regenerate with "
        "REPORTRUNNER_UPDATE_GOLDEN=1 and review `git diff tests/render/golden/sent-emails`"
    )


def _words(site: Path, name: str) -> str:
    page = (site / FILES[name]).read_text(encoding="utf-8")
    return page.replace("\u2009", " ").replace("\u202f", " ")


def test_last_week_page_says_what_a_reader_needs(site: Path) -> None:
    page = _words(site, "last-week.html")
    for needle in (
        "Sent e-mails last week — Nov 23 – 29, 2026, Europe/Berlin",
        "Compared like for like with the previous period (Nov 16 – 22, 2026).",
        "<strong>Sent by:</strong> <bdi>Ava Thompson</bdi>",
        '<strong class="flag">Open rate fell</strong>',
        'class="delta worse"><span class="cell"><span class="chg">−11.1 pts</span></span>',
        '−43.3 pts</span> <span class="why">(few sends)</span>',
        "Renewal reminder &lt;Q1&gt; &amp; &#34;VIP&#34; | =cmd",
        '<span class="badge">new</span>',
        '<h2 id="gone">No sends now</h2>',
        "Close says 35% opened, the counts give 23.9%",
        "Trend over 3 runs",
        'href="report.csv">CSV per template',
    ):
        assert needle in page, needle
    assert page.index("Cold intro") < page.index("Follow-up after demo") < page.index("Pricing")


def test_this_week_page_compares_complete_days(site: Path) -> None:
    page = _words(site, "this-week.html")
    for needle in (
        "Sent e-mails this week — Nov 30 – Dec 1, 2026 (so far: 2 of 7 days), Europe/Berlin",
        "are compared with the same days of the previous period: Nov 23 – 24, 2026",
        "Same days of the previous period: 52",
        "All of the previous period: 131",
    ):
        assert needle in page, needle


def test_csv_and_markdown_are_escaped(site: Path) -> None:
    table = (site / FILES["last-week.csv"]).read_text(encoding="utf-8")
    assert '"Renewal reminder <Q1> & ""VIP"" | =cmd"' in table
    markdown = (site / FILES["last-week.md"]).read_text(encoding="utf-8")
    assert 'Renewal reminder &lt;Q1&gt; &amp; "VIP" \\| =cmd' in markdown


def test_hostile_template_names_keep_markdown_and_csv_tables_whole(tmp_path: Path) -> None:
    """Every report.md table row has its header's cells, no name becomes HTML or a link, and
    every CSV row has the header's columns with spreadsheet formulas neutralized."""
    from markdown_it import MarkdownIt

    data = fixture("last-week")
    for answer in data["responses"]["sent_emails"].values():
        for row in answer["sent_email_stats"][1:]:
            row["name"] = "=SUM(A1) " + row["name"] + " a | b <img src=x> [link](http://x) `c` *\nx"
    out = tmp_path / "site"
    outcome = ReportOutcome(data["id"], data["title"], data["spec_file"], "ok", data=data)
    publish(out, Project(root=tmp_path), [outcome], now=NOW)
    tokens = (
        MarkdownIt("commonmark")
        .enable("table")
        .parse((out / LAST / "report.md").read_text(encoding="utf-8"))
    )
    assert not [t for t in tokens if t.type == "html_block"]
    inline = [child for t in tokens if t.children for child in t.children]
    assert not [t for t in inline if t.type == "html_inline"]
    hrefs = {str(t.attrs.get("href")) for t in inline if t.type == "link_open"}
    assert hrefs == {"index.html", "report.csv", "data.json"}
    widths: list[int] = []
    cells = tables = 0
    for token in tokens:
        if token.type == "tr_open":
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "tr_close":
            widths.append(cells)
        elif token.type == "table_close":
            assert len(set(widths)) == 1, widths
            widths, tables = [], tables + 1
    assert tables == 3  # headline, templates, no sends now
    rows = list(csv.reader(io.StringIO((out / LAST / "report.csv").read_text("utf-8-sig"))))
    assert {len(row) for row in rows} == {len(rows[0])} and len(rows) == 1 + 4 + 1 + 1
    names = [row[3] for row in rows[1:-1]]
    assert all("\n" not in name and name.startswith("'=SUM(A1) ") for name in names), names
