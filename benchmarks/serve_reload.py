"""Save-to-reloaded time in the dev server, for a large story, in headless Chromium.

    python benchmarks/serve_reload.py [--entries 5000] [--edits 5]

Starts `build.py serve` on a generated story, opens an entry's page in Debian's
Chromium, then saves an edit to that entry several times. For each save it prints the
time from the write to the entry's page written in the served folder (its file's
modification time: file event and the rebuild up to that page), to the open page
showing the new headline (then also the Server-Sent Event, reload and paint), and the
server's own time for the whole incremental rebuild, feeds included.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dateline-serve-bench-") as scratch:
        content = generate(Path(scratch) / "content", args.entries)
        server = subprocess.Popen(
            [
                sys.executable,
                "-u",
                str(ROOT / "build.py"),
                "serve",
                "--content",
                str(content),
                "--port",
                "0",  # the system picks a free port; the server prints it
                "--out",
                str(Path(scratch) / "served"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        built: list[float] = []
        ready = threading.Event()
        port = 0

        def read_output() -> None:
            nonlocal port
            assert server.stdout is not None
            for line in server.stdout:
                if served := re.search(r"Serving on http://127\.0\.0\.1:(\d+)/", line):
                    port = int(served.group(1))
                    ready.set()
                if match := re.match(r"Built in (\d+) ms", line):
                    built.append(float(match.group(1)))

        threading.Thread(target=read_output, daemon=True).start()
        started = time.perf_counter()
        if not ready.wait(600):
            server.kill()
            raise SystemExit("the server did not start")
        print(
            f"{args.entries:,} entries: first build and start {time.perf_counter() - started:.1f} s"
        )
        edit = content / "story-1" / f"e{args.entries // 2:06d}.md"
        url = f"http://127.0.0.1:{port}/story-1/{edit.stem}/"
        original = edit.read_text()
        reloads: list[float] = []
        written: list[float] = []  # save to the edited page's file written (its mtime)
        served_page = Path(scratch) / "served" / "story-1" / edit.stem / "index.html"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                page = browser.new_page()
                page.goto(url)
                page.wait_for_timeout(500)
                for number in range(1, args.edits + 1):
                    headline = f"Edited headline {number}"
                    text = re.sub(r'title: "[^"]*"', f'title: "{headline}"', original, count=1)
                    saved, saved_at = time.perf_counter(), time.time()
                    edit.write_text(text)
                    page.wait_for_function(
                        f"document.querySelector('h1') && "
                        f"document.querySelector('h1').textContent === {headline!r}",
                        timeout=30_000,
                    )
                    reloads.append((time.perf_counter() - saved) * 1000)
                    written.append((served_page.stat().st_mtime - saved_at) * 1000)
                    page.wait_for_timeout(300)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
        rebuilds = built[1:]  # the first line is the initial full build
        print(f"save to the page's file written, ms: {', '.join(f'{t:.0f}' for t in written)}")
        print(f"  median {statistics.median(written):.0f} ms")
        print(f"save to reloaded page, ms: {', '.join(f'{t:.0f}' for t in reloads)}")
        print(f"  median {statistics.median(reloads):.0f} ms")
        if rebuilds:
            print(
                f"incremental rebuild in the server, ms: {', '.join(f'{t:.0f}' for t in rebuilds)}"
            )
            print(f"  median {statistics.median(rebuilds):.0f} ms")


if __name__ == "__main__":
    main()
