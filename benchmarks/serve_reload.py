"""Save-to-reloaded time in the dev server, for a large story, in headless Chromium.

    python benchmarks/serve_reload.py [--entries 5000] [--edits 5]

Starts `build.py serve` on a generated story, opens an entry's page in Debian's
Chromium, then saves an edit to that entry's headline several times; then the same with
the timeline page that shows the entry open instead, as an editor previewing a live
blog has it. Each save waits for the rebuild of the one before, as an editor's saves
come seconds apart (a save made during a rebuild stops it). For each save it prints
the time from the write to the open page's file written in the served folder (its
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
        served = Path(scratch) / "served"
        anchor = f"entry-{edit.stem}"
        timeline = next(  # the archive page showing the entry
            path.parent
            for path in sorted((served / "story-1").glob("page/*/index.html"))
            if f'id="{anchor}"' in path.read_text()
        )
        original = edit.read_text()
        pages = {
            "entry page": (served / "story-1" / edit.stem, "document.querySelector('h1')"),
            "timeline page": (timeline, f"document.getElementById('{anchor}-title')"),
        }
        results: dict[str, tuple[list[float], list[float]]] = {}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                page = browser.new_page()
                for name, (folder, heading) in pages.items():
                    page.goto(f"http://127.0.0.1:{port}/{folder.relative_to(served).as_posix()}/")
                    page.wait_for_timeout(500)
                    reloads: list[float] = []
                    written: list[float] = []  # save to the open page's file written (mtime)
                    for number in range(1, args.edits + 1):
                        headline = f"Edited headline {number} ({name})"
                        text = re.sub(r'title: "[^"]*"', f'title: "{headline}"', original, count=1)
                        rebuilt = len(built) + 1  # this save's rebuild reported
                        saved, saved_at = time.perf_counter(), time.time()
                        edit.write_text(text)
                        page.wait_for_function(
                            f"{heading} && {heading}.textContent === {headline!r}",
                            timeout=30_000,
                        )
                        reloads.append((time.perf_counter() - saved) * 1000)
                        mtime = (folder / "index.html").stat().st_mtime
                        written.append((mtime - saved_at) * 1000)
                        while len(built) < rebuilt:  # the next save comes to an idle
                            page.wait_for_timeout(50)  # server, as an editor's does
                        page.wait_for_timeout(300)
                    results[name] = (written, reloads)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
        for name, (written, reloads) in results.items():
            print(f"{name}: save to its file written, ms: {', '.join(f'{t:.0f}' for t in written)}")
            print(f"  median {statistics.median(written):.0f} ms")
            print(f"{name}: save to it reloaded, ms: {', '.join(f'{t:.0f}' for t in reloads)}")
            print(f"  median {statistics.median(reloads):.0f} ms")
        rebuilds = built[1:]  # the first line is the initial full build
        if rebuilds:
            print(
                f"incremental rebuild in the server, ms: {', '.join(f'{t:.0f}' for t in rebuilds)}"
            )
            print(f"  median {statistics.median(rebuilds):.0f} ms")


if __name__ == "__main__":
    main()
