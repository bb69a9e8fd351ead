"""Site search: Pagefind's index of every entry page, made once the pages are written.

Pagefind (the binary of PyPI's `pagefind[bin]`) reads the entry pages as built:
their `data-pagefind-*` attributes (theme/templates/macros.html) say what a result
shows, how it filters and sorts. It writes a static bundle (`routes.SEARCH_BUNDLE`) of
small content-named pieces, of which a reader's browser fetches only what a query
needs. The bundle is written through the build's output like any file, so a failed
build leaves the published one as it was, and an unchanged piece keeps its file.

Indexing reads every entry page again, so it runs only when one of them changed: the
`SearchIndex` a build returns is what the next one compares with.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dateline import routes
from dateline.errors import UsageError
from dateline.model.site import Site
from dateline.speed.forks import die_with_parent
from dateline.write.output import Output

# Of what Pagefind writes, what the search page uses: its script, worker and WebAssembly,
# the index's entry point and its content-named pieces. Not its ready-made interfaces
# (the theme has its own) nor its playground.
_KEPT_NAMES = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
_KEPT_SUFFIXES = (".pf_meta", ".pagefind", ".pf_fragment", ".pf_index", ".pf_filter")


@dataclass(frozen=True)
class SearchIndex:
    """What one build's index was made from, and its files as written (site path, size,
    modification time), for the next build to keep if its entry pages are the same."""

    key: bytes
    files: tuple[tuple[str, int, int], ...]


def entry_pages(site: Site) -> list[str]:
    """The files search indexes: each entry's own page, one result each."""
    return sorted(routes.file_of(e.path) for story in site.stories for e in story.entries)


def index_search(
    site: Site, out: Output, last: SearchIndex | None, stop: Callable[[], bool] | None = None
) -> SearchIndex | None:
    """Write the search bundle of `site`, whose pages `out` holds; keep `last`'s files if
    no entry page changed since. None when the site has search turned off.

    `stop` (the dev server's: a newer change has come) is asked while Pagefind runs; if
    it says so, the last bundle stays as it was, for the next build to index again.
    """
    if not site.config.search:
        return None
    pages = entry_pages(site)
    key = _key(site, out, pages)
    if last is not None and last.key == key and _kept(out, last):
        return last
    if not pages:  # nothing to search yet (Pagefind refuses an empty site)
        return SearchIndex(key, ())
    with tempfile.TemporaryDirectory(prefix=".dateline-search-", dir=out.scratch()) as work:
        tree, bundle = Path(work, "pages"), Path(work, "bundle")
        _gather(out, pages, tree)
        if not _run_pagefind(tree, bundle, site.config.language, stop):
            return _left_as_it_was(out, last)
        files = []
        for name, source in _bundle_files(bundle):
            path = routes.SEARCH_BUNDLE + name
            out.write(path, source.read_bytes())
            stat = out.located(path).stat()
            files.append((path, stat.st_size, stat.st_mtime_ns))
    return SearchIndex(key, tuple(files))


def _key(site: Site, out: Output, pages: list[str]) -> bytes:
    """A digest of everything the index is made from: each page's identity as this
    build's output knows it (its stat, or its bytes' digest) and the language."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(site.config.language.encode())
    for page in pages:
        digest.update(f"{page}\0{out.identity(page)!r}\n".encode())
    return digest.digest()


def _kept(out: Output, last: SearchIndex) -> bool:
    """Keep the last build's bundle if every one of its files is still as written."""
    return all(out.link_previous(path, size, mtime) for path, size, mtime in last.files)


def _left_as_it_was(out: Output, last: SearchIndex | None) -> SearchIndex | None:
    """The last bundle kept, under a key no build has, so that the next one indexes."""
    if last is None:
        return None
    for path, size, mtime in last.files:
        out.link_previous(path, size, mtime)
    return SearchIndex(b"", last.files)


def _gather(out: Output, pages: list[str], tree: Path) -> None:
    """The entry pages in a folder of their own, as the site lays them out: links to
    this build's files (a copy where the folders are on different disks)."""
    for page in pages:
        target = tree / page
        target.parent.mkdir(parents=True, exist_ok=True)
        source = out.located(page)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)


def _run_pagefind(tree: Path, bundle: Path, language: str, stop: Callable[[], bool] | None) -> bool:
    """Index `tree` into `bundle` with the Pagefind binary of the `pagefind` package, in
    one language's index; False if `stop` said to stop first.

    The binary run as a command, not through the package's `PagefindIndex` service: the
    service reads each answer after a 100 ms sleep, which put some 0.35 s on every
    build and every dev-server save; the command indexes a small site in 15 ms.
    """
    from pagefind.service import get_executable  # honours PAGEFIND_BINARY_PATH

    if stop is not None and stop():
        return False
    binary = get_executable()
    if binary is None:
        raise UsageError("site search: Pagefind's binary is missing; pip install 'pagefind[bin]'")
    command = [str(binary), "--site", str(tree), "--output-path", str(bundle), "--silent"]
    command += ["--force-language", language.split("-")[0].lower()]
    try:
        running = subprocess.Popen(  # waited for in this thread, as die_with_parent needs
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=die_with_parent(),  # None on macOS: Pagefind ends by itself in seconds
        )
    except OSError as exc:  # no binary, or not one this machine runs
        raise UsageError(f"site search: Pagefind could not index the pages: {exc}") from None
    while True:
        try:
            said, _ = running.communicate(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            if stop is not None and stop():
                running.kill()
                running.communicate()
                return False
    if running.returncode != 0:
        lines = said.strip().splitlines()
        why = lines[-1] if lines else f"exit status {running.returncode}"
        raise UsageError(f"site search: Pagefind could not index the pages: {why}")
    return True


def _bundle_files(bundle: Path) -> Iterator[tuple[str, Path]]:
    """The bundle's files the search page uses, by name under the bundle, sorted: not
    the WebAssembly of languages its index does not have (Pagefind writes a fallback's)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    wasm = {f"wasm.{index['wasm']}.pagefind" for index in entry["languages"].values()}
    for path in sorted(bundle.rglob("*")):
        if not path.is_file() or (path.suffix == ".pagefind" and path.name not in wasm):
            continue
        if path.name in _KEPT_NAMES or path.suffix in _KEPT_SUFFIXES:
            yield path.relative_to(bundle).as_posix(), path
