"""What site search costs: Pagefind's index time in a build, and what a reader downloads.

    python benchmarks/search.py                   # 2,000 and 20,000 entries
    python benchmarks/search.py --sizes 500

For each size it builds generated content (`generate.py`) from nothing with search on
and with `search = false` (the difference is the index's cost), then a rebuild after one
entry is added (which indexes again) and one after nothing changed (which keeps the
bundle). It then serves the site on 127.0.0.1 and, in Debian's Chromium, opens the
search page for a word in nearly every entry, a number in one headline and a source's
name, and counts the bytes of every file the search fetched: the first query's (the
script, its WebAssembly and index chunks) and a second query's on the same page.
Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import add_entry, generate  # noqa: E402
from dateline.build import build  # noqa: E402

QUERIES = ("shelling", "1234", "Interior ministry")


def timed_build(content: Path, out: Path) -> float:
    started = time.perf_counter()
    build(content, out)
    return time.perf_counter() - started


def bundle_size(site: Path) -> tuple[int, int]:
    files = [p for p in (site / "search" / "pagefind").rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def downloads(site: Path, queries: tuple[str, ...]) -> list[tuple[str, int, int, int]]:
    """For each query: results, bytes fetched by the first search on a fresh page, and
    by a second search (the same query typed again after another) on that page."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search/"
    found = []
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for query in queries:
            page = browser.new_page()
            fetched: list[int] = []

            def count(response, fetched=fetched) -> None:  # type: ignore[no-untyped-def]
                if "/search/pagefind/" in response.url:
                    fetched.append(len(response.body()))

            page.on("response", count)
            page.goto(url + "?q=" + query)
            page.wait_for_function("document.querySelector('.search-status').textContent")
            first = sum(fetched)
            results = page.locator(".search-status").inner_text()
            fetched.clear()
            page.fill("#search-q", "ceasefire corridor")  # another search on the page
            page.wait_for_timeout(800)
            fetched.clear()
            page.fill("#search-q", query + " " + "aid")
            page.wait_for_timeout(800)
            found.append((query, int(results.split()[0]), first, sum(fetched)))
            page.close()
        browser.close()
    server.shutdown()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    args = parser.parse_args()
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as work:
            content = generate(Path(work) / "content", size)
            toml = content / "site.toml"
            on = timed_build(content, Path(work) / "on")
            settings = toml.read_text()
            toml.write_text(settings + "search = false\n")
            off = timed_build(content, Path(work) / "off")
            toml.write_text(settings)
            site = Path(work) / "on"
            kept = timed_build(content, site)
            add_entry(content, size)
            again = timed_build(content, site)
            files, size_bytes = bundle_size(site)
            print(f"{size:,} entries ({size + 2 * max(5, size // 100):,} with the small stories)")
            print(f"  build from nothing: {on:.1f} s with search, {off:.1f} s without")
            print(f"  rebuild, nothing changed: {kept:.2f} s (bundle kept)")
            print(f"  rebuild, one entry added: {again:.1f} s (indexed again)")
            print(f"  bundle: {files:,} files, {size_bytes / 1e6:.1f} MB")
            for query, results, first, second in downloads(site, QUERIES):
                print(
                    f"  query {query!r}: {results:,} results; first search "
                    f"{first / 1e3:.0f} kB, a later one {second / 1e3:.0f} kB"
                )


if __name__ == "__main__":
    main()
