"""`serve`'s reload script in a real browser, on the pages that carry a script of their own.

The index has a `script-src` for its search script; a second `script-src` added for the
reload script would be ignored by the browser (the first directive wins), so the page would
never reload and the console would report a blocked script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reportrunner.site.preview import PreviewServer

GUARD_MS = 30_000  # a hang guard far above a reload on a loaded machine


@pytest.mark.parametrize("page_path", ["", "renewals-q4/"])
def test_served_pages_reload_after_a_rebuild(
    browser: Any, fixture_site: Path, page_path: str
) -> None:
    context = browser.new_context()
    blocked: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: blocked.append(message.text))
        with PreviewServer(fixture_site) as server:
            page.goto(server.url + page_path)
            with page.expect_navigation(timeout=GUARD_MS):
                server.changed()
            if page_path == "":
                page.fill("#q", "renewals")  # the index's own script still runs
                assert page.inner_text("#shown").startswith("1 of ")
    finally:
        context.close()
    assert not [m for m in blocked if "Content Security Policy" in m or "duplicate" in m], blocked
