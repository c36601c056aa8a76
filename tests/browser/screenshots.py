"""Regenerate docs/screenshots/ from the demo site (every state), in headless Chromium.

    python tests/browser/screenshots.py             # writes docs/screenshots/*.png
    python tests/browser/screenshots.py --out DIR   # somewhere else

The demo site is built by demosite.py (three real `run --emulator` runs); the pictures are taken
at the sizes the browser tests check: 1280x800 and a 390x844 phone, light and dark.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demosite import ROOT, build_demo_site

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
#: file name → (page in the site, width, height, colour scheme, screens: 0 = the whole page).
#: Phone pictures of report pages stop after a few screens: the top is what they show, and
#: the repository should not carry megabytes of one person's card after another.
SHOTS: dict[str, tuple[str, int, int, str, int]] = {
    "index.png": ("index.html", 1280, 800, "light", 0),
    "index-phone.png": ("index.html", 390, 844, "light", 3),
    "report.png": ("new-business-last-month/index.html", 1280, 800, "light", 0),
    "report-phone-dark.png": ("new-business-last-month/index.html", 390, 844, "dark", 3),
    "report-different-lengths-phone.png": (
        "new-business-last-year/index.html",
        390,
        844,
        "light",
        2,
    ),
    "report-stale-phone.png": ("renewals-stages/index.html", 390, 844, "light", 2),
    "activity-overview.png": ("team-activity/index.html", 1280, 800, "light", 0),
    "activity-leaderboard-phone.png": ("emea-rep-leaderboard/index.html", 390, 844, "light", 3),
    # Status-change kinds (issue 12, statuses lane): the top of each page.
    "statuses-opportunities.png": ("pipeline-movement/index.html", 1280, 800, "light", 2),
    "statuses-leads-phone.png": ("lead-flow/index.html", 390, 844, "light", 3),
}


def take_screenshots(browser: object, site: Path, target: Path) -> list[Path]:
    """Every picture of SHOTS from `site` into `target` (a Playwright Browser is passed in)."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (page, width, height, scheme, screens) in SHOTS.items():
        context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": width, "height": height}, color_scheme=scheme
        )
        try:
            tab = context.new_page()
            tab.goto((site / page).as_uri(), wait_until="load")
            clip = {"x": 0, "y": 0, "width": width, "height": height * screens}
            tab.screenshot(path=str(target / name), full_page=True, clip=clip if screens else None)
        finally:
            context.close()
        written.append(target / name)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        site = build_demo_site(Path(tmp) / "site")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for path in take_screenshots(browser, site, args.out):
                print(f"{path}  {path.stat().st_size // 1024} KiB")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
