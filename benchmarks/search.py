"""What site search costs: Pagefind's index time in a build, and what a reader downloads.

    python benchmarks/search.py                   # 2,000 and 20,000 entries
    python benchmarks/search.py --sizes 500

For each size it builds generated content (`generate.py`) from nothing, rebuilds it
unchanged (the bundle is kept) and after one entry is added (indexed again), times
Pagefind alone on the entry pages, and builds from nothing with `search = false`. It
then serves the site on 127.0.0.1 and, in Debian's Chromium, opens the search page for
a word in nearly every entry, a number in one headline and a source's name, and counts
the bytes of every file the search fetched: the first query's (the script, its
WebAssembly and index chunks, the shown results) and a later query's on the same page.
The generated text draws on a vocabulary of some fifty words, so its word index is
smaller than real stories' would be; the fragments (one per result shown) are not.
Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import add_entry, generate  # noqa: E402
from dateline import routes  # noqa: E402
from dateline.build import build, read_site  # noqa: E402
from dateline.write.search import _run_pagefind  # noqa: E402

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
    by a later search on that page (the query and another word, after a third search)."""
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
            for other in ("ceasefire corridor", query + " aid"):  # more searches on the page
                fetched.clear()
                page.fill("#search-q", other)
                page.wait_for_function(
                    "q => document.querySelector('.search-status').textContent"
                    " && new URL(location.href).searchParams.get('q') === q",
                    arg=other,
                )
                page.wait_for_load_state("networkidle")
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
            site = Path(work) / "on"
            on = timed_build(content, site)
            kept = timed_build(content, site)
            add_entry(content, size)
            again = timed_build(content, site)
            pages = [
                routes.file_of(e.path) for s in read_site(content)[0].stories for e in s.entries
            ]
            with tempfile.TemporaryDirectory() as scratch:
                tree = Path(scratch) / "pages"
                for page in pages:
                    (tree / page).parent.mkdir(parents=True, exist_ok=True)
                    os.link(site / page, tree / page)
                started = time.perf_counter()
                _run_pagefind(tree, Path(scratch) / "bundle", "en", None)
                pagefind = time.perf_counter() - started
            toml = content / "site.toml"
            toml.write_text(toml.read_text() + "search = false\n")
            off = timed_build(content, Path(work) / "off")
            files, size_bytes = bundle_size(site)
            print(f"{size:,} entries ({size + 2 * max(5, size // 100):,} with the small stories)")
            print(f"  build from nothing: {on:.1f} s with search, {off:.1f} s without")
            print(f"  Pagefind alone, indexing every entry page: {pagefind:.1f} s")
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
