"""The published pages in a real browser: offline, error-free, phone-sized and accessible.

Every page of the fixture site (and of `run --emulator`'s demo site when the specs exist) is
loaded over file:// in headless Chromium, in light and dark mode, at desktop and 390 px phone
width. Set REPORTRUNNER_SCREENSHOTS=1 to refresh docs/screenshots/ for the README.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
SVG_SIZES = (
    "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
)


def _pages(site: Path) -> list[Path]:
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    pages = [site / "index.html"]
    pages += [site / r["files"]["html"] for r in manifest["reports"] if "html" in r["files"]]
    return pages


class PageCheck:
    """One loaded page plus everything the browser reported while loading it."""

    def __init__(self, browser: Any, path: Path, width: int, scheme: str) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": 800}, color_scheme=scheme, java_script_enabled=True
        )
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri(), wait_until="load")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    opened: list[PageCheck] = []

    def opener(path: Path, width: int = 1280, scheme: str = "light") -> PageCheck:
        check = PageCheck(browser, path, width, scheme)
        opened.append(check)
        return check

    yield opener
    for check in opened:
        check.close()


def _check_page(open_page: Any, path: Path) -> None:
    for width, scheme in ((1280, "light"), (390, "dark")):
        check = open_page(path, width, scheme)
        where = f"{path} at {width}px, {scheme}"
        errors = [line for line in check.console if line.startswith(("error", "pageerror"))]
        assert errors == [], f"{where}: console errors {errors}"
        outside = [url for url in check.requests if not url.startswith(("file://", "data:"))]
        assert outside == [], f"{where}: requests left the file: {outside}"
        sizes = check.page.eval_on_selector_all("svg", SVG_SIZES)
        assert all(w > 0 and h > 0 for w, h in sizes), f"{where}: an SVG has no size {sizes}"
        scroll = check.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll[0] <= scroll[1], f"{where}: scrolls horizontally ({scroll[0]} > {scroll[1]})"
        results = Axe().run(check.page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], f"{where}: axe found serious/critical problems:\n" + "\n".join(bad)


def test_fixture_site_pages(open_page: Any, fixture_site: Path) -> None:
    pages = _pages(fixture_site)
    assert len(pages) == 5, "index + four reports with pages (the failed one has none)"
    for path in pages:
        _check_page(open_page, path)


def test_report_page_has_charts_and_tables(open_page: Any, fixture_site: Path) -> None:
    check = open_page(fixture_site / "new-business-this-month" / "index.html", 390)
    page = check.page
    assert page.locator("svg.chart").count() == 2 + 6, "two funnel charts and six trend charts"
    for label in page.locator("svg.chart").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-labelledby'))"
    ):
        assert label and all(page.locator(f"[id='{part}']").count() == 1 for part in label.split())
    assert page.get_by_role("heading", name="Funnel").count() == 1
    assert page.get_by_role("columnheader", name="Won value", exact=True).count() == 1
    assert page.get_by_role("columnheader", name="Won value change").count() == 1
    assert page.get_by_role("rowheader", name="Zoë Ødegaard").count() == 1


def test_stale_and_failed_reports_are_explained_on_the_index(
    open_page: Any, fixture_site: Path
) -> None:
    page = open_page(fixture_site / "index.html").page
    text = page.inner_text("body")
    assert "These numbers are from Nov 23, 2026; the latest refresh failed." in text
    assert "Close could not be reached or was busy" in text  # the 503, in a reader's words
    assert "No numbers yet: this report could not be fetched." in text
    # Problems first: the failed and the stale report lead the list.
    titles = page.locator("#reports > li h3").all_inner_texts()
    assert titles[:2] == ["Churn watch", "Renewals — Q4"], titles
    # The technical error stays one click away, behind a toggle.
    assert "Close answered 503 Service Unavailable" not in text
    assert "specs/" not in page.inner_text("#reports"), "spec paths belong to the footer"
    page.get_by_text("Technical details").first.click()
    assert "'pipeline' is required" in page.inner_text("body")


def test_index_search_and_tag_filter(open_page: Any, fixture_site: Path) -> None:
    page = open_page(fixture_site / "index.html").page
    rows = page.locator("#reports > li")
    total = rows.count()
    visible = "els => els.filter(e => !e.hidden).map(e => e.querySelector('h3').textContent)"
    page.fill("#q", "RENEWALS q4")  # every word, any case
    assert rows.evaluate_all(visible) == ["Renewals — Q4"]
    assert page.inner_text("#shown") == f"1 of {total} reports shown"
    page.fill("#q", "")
    page.select_option("#tag", label="monthly (1)")
    assert rows.evaluate_all(visible) == ["Pipeline totals — all time"]


def test_index_without_javascript_lists_every_report_and_hides_the_search(
    browser: Any, fixture_site: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((fixture_site / "index.html").as_uri())
        assert not page.locator("#find").is_visible()
        assert page.locator("#reports > li").count() == 5
        assert all(row.is_visible() for row in page.locator("#reports > li").all())
    finally:
        context.close()


def test_demo_site_pages(open_page: Any, demo_site: Path) -> None:
    for path in _pages(demo_site):
        _check_page(open_page, path)


def test_screenshots_for_the_readme(open_page: Any, clean_site: Path, tmp_path: Path) -> None:
    # REPORTRUNNER_SCREENSHOTS=1 refreshes the README's pictures; otherwise they go to tmp.
    refresh = os.environ.get("REPORTRUNNER_SCREENSHOTS") == "1"
    target = SCREENSHOTS if refresh else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    shots = {
        "index.png": (clean_site / "index.html", 1100, "light"),
        "report.png": (clean_site / "new-business-this-month" / "index.html", 1100, "light"),
        "report-phone-dark.png": (
            clean_site / "new-business-this-month" / "index.html",
            390,
            "dark",
        ),
    }
    for name, (path, width, scheme) in shots.items():
        open_page(path, width, scheme).page.screenshot(path=str(target / name), full_page=True)
        assert (target / name).stat().st_size > 10_000


def test_report_prints_on_a4_without_cutting_tables(open_page: Any, fixture_site: Path) -> None:
    check = open_page(fixture_site / "new-business-this-month" / "index.html", 794)
    check.page.emulate_media(media="print")
    scroll = check.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1], f"printed page is wider than A4: {scroll}"
    clipped = check.page.eval_on_selector_all(
        ".table-wrap", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert clipped == 0, "a table would be cut off on paper"
    assert len(check.page.pdf(format="A4")) > 10_000
