"""Screenshots of the CMS for the docs: an entry's figure box as a form, beside its preview.

Usage: python scripts/cms_screenshots.py [OUT_DIR]   (default: docs/images)
Copies the sample content into a throwaway git repository, runs `build.py serve --cms`
on it (Decap's local proxy from `npm ci`), and photographs the editor in Debian's
headless Chromium. Nothing of the repository's own content is changed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ENTRY = "#/collections/ukraine-day-7/entries/1745-russia-admits-losses"


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "images")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "newsroom"
        shutil.copytree(ROOT / "content", repo / "content")
        git = ["git", "-c", "user.name=Desk", "-c", "user.email=desk@example.org"]
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "Sample content"]):
            subprocess.run([*git, *args], cwd=repo, check=True)
        command = [sys.executable, str(ROOT / "build.py"), "serve", "--content"]
        server = subprocess.Popen(
            [*command, str(repo / "content"), "--port", "0", "--cms", "--cms-port", "8481"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            address = None
            while address is None and (line := server.stdout.readline()):
                if match := re.search(r"Editor on (\S+)", line):
                    address = match.group(1)
            assert address, "serve --cms did not start"
            shoot(address, out)
        finally:
            server.terminate()
            server.wait(timeout=15)


def shoot(address: str, out: Path) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1200})
        page.goto(address)
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Collections").first.wait_for()
        page.screenshot(path=str(out / "cms-entries.png"))
        page.goto(address + ENTRY)
        page.reload()
        page.get_by_label("Metric").first.scroll_into_view_if_needed()
        page.mouse.move(300, 600)
        page.mouse.wheel(0, 380)
        page.wait_for_timeout(500)
        path = out / "cms-figure-box.png"
        page.screenshot(path=str(path))
        print(path)
        browser.close()


if __name__ == "__main__":
    main()
