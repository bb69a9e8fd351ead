"""Write screenshots of the built sample site at phone and desktop widths.

Usage: python scripts/screenshots.py [SITE_DIR] [OUT_DIR]
Serves SITE_DIR on a local port, opens it in Debian's headless Chromium and writes
PNGs into OUT_DIR (default: screenshots/, git-ignored) for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}
# A figure box and a tracker's table alone, where numbers and words used to break.
PART_WIDTHS = (320, 768, 1280)
PARTS = {
    "figure-box": (
        "ukraine-day-7/",
        "figure.figure-box:has(caption:has-text('Russian troops wounded'))",
    ),
    "tracker-table": ("ukraine-day-7/figures/russian-troops-killed/", "table.tracker-table"),
}


def parts(browser, base: str, out: Path) -> None:  # type: ignore[no-untyped-def]
    """Each of PARTS at each of PART_WIDTHS, light scheme: `figure-box-320.png`..."""
    for width in PART_WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        for name, (path, selector) in PARTS.items():
            page.goto(base + path)
            found = page.locator(selector).first
            if found.count():
                shot = out / f"{name}-{width}.png"
                found.screenshot(path=str(shot))
                print(shot)
        page.close()


def main() -> None:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site").resolve()
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    stories = sorted(site.glob("*/index.html"))
    trackers = [next(iter(sorted(p.parent.glob("figures/*/index.html"))), None) for p in stories]
    pages = [p.parent.relative_to(site).as_posix() for p in stories + [t for t in trackers if t]]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, (width, height) in WIDTHS.items():
                for scheme in ("light", "dark"):
                    page = browser.new_page(
                        viewport={"width": width, "height": height}, color_scheme=scheme
                    )
                    for story in ["", *pages]:
                        page.goto(base + (story + "/" if story else ""))
                        label = story.replace("/", "_") or "index"
                        path = out / f"{label}-{name}-{scheme}.png"
                        page.screenshot(path=str(path), full_page=True)
                        print(path)
                    page.close()
            parts(browser, base, out)
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
