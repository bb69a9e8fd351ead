"""Where a build writes: what `build.build` asks of its target, and the two targets
that write nothing or a staged folder. The dev server's target is `serve.rebuild.Live`.

A target owns what a build keeps between runs (the reader's cache, rendered pages'
keys) and how its output reaches the folder; the pipeline is the same for every one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dateline.errors import BuildError
from dateline.model.site import Site
from dateline.read.cache import ReadCache
from dateline.speed.bodies import spilling
from dateline.speed.collector import collector_paused
from dateline.speed.parallel import render_site
from dateline.validate.output_links import check_links
from dateline.write.cache import BuildCache
from dateline.write.cache import load as load_cache
from dateline.write.cache import save as save_cache
from dateline.write.lock import holding
from dateline.write.output import check_output, staged
from dateline.write.search import index_search

SEARCH_PIECE = ("search", "", "")  # the build cache's record of the last search index


@dataclass(frozen=True)
class Written:
    """What a target wrote: files the site has, of them kept as they were, written
    anew, pages rendered; `interrupted` if a newer change stopped it."""

    files: int = 0
    reused: int = 0
    written: int = 0
    rendered: int = 0
    interrupted: bool = False


class Target(Protocol):
    out: Path | None  # the folder it writes, if any

    def building(self, changes: frozenset[Path]) -> AbstractContextManager[ReadCache | None]:
        """The span of one build after `changes` (empty: check everything): gives the
        reader's cache to read with, or None."""
        ...

    def write(
        self, site: Site, *, jobs: int, progress: Callable[[], object] | None, strict: bool
    ) -> Written:
        """Render `site` and put it in place; raise BuildError and leave the folder as
        it was on a mistake (`strict`: also any broken internal link)."""
        ...


class Nowhere:
    """`check`: read and validate, write nothing."""

    out = None

    @contextmanager
    def building(self, changes: frozenset[Path]) -> Iterator[ReadCache | None]:
        yield None

    def write(
        self, site: Site, *, jobs: int, progress: Callable[[], object] | None, strict: bool
    ) -> Written:
        return Written()


class Staged:
    """The command line: a folder written whole or not at all (`write.output.staged`),
    with the build cache beside it when `use_cache`, so a rebuild redoes only what
    changed. One build at a time: another into the same folder is waited for, and
    `waiting` told of it (`write.lock`)."""

    def __init__(
        self,
        content: Path,
        out: Path,
        use_cache: bool,
        waiting: Callable[[str], object] | None = None,
    ) -> None:
        self.content, self.out, self.use_cache = content, out, use_cache
        self.waiting = waiting
        self._store: BuildCache | None = None

    @contextmanager
    def building(self, changes: frozenset[Path]) -> Iterator[ReadCache | None]:
        check_output(self.out, self.content)
        # Entries' bodies wait in a file, not all in memory at once.
        with holding(self.out, "build", self.waiting), collector_paused(), spilling(self.out):
            self._store = load_cache(self.out, self.content) if self.use_cache else None
            try:
                yield self._store.read if self._store is not None else None
            finally:
                self._store = None

    def write(
        self, site: Site, *, jobs: int, progress: Callable[[], object] | None, strict: bool
    ) -> Written:
        store = self._store
        last = store.pieces.get(SEARCH_PIECE) if store is not None else None
        with staged(self.out) as output:
            render_site(site, output, progress, jobs, store)
            made = index_search(site, output, last)  # type: ignore[arg-type]
            if store is not None and made is not None:
                store.pieces[SEARCH_PIECE] = made
            if strict and (broken := check_links(output.files(), str(self.out))):
                raise BuildError(broken)
        if store is not None:
            save_cache(store, self.out)
        return Written(files=output.count, reused=output.reused, written=len(output.staged))
