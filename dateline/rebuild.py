"""Incremental builds for the dev server: re-read changed files, re-render what shows them.

A Rebuilder owns a served output folder. Each `build` re-reads only entry files that
changed (the reader's cache), re-renders only pages whose inputs changed (the
renderer's keys), and writes only files whose bytes changed (LiveOutput). The result
is the same folder a full build would make; a test holds it to that, byte for byte.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, ContentError, ContentWarning
from .output import LiveOutput
from .pages import Renderer
from .reader import ReadCache, read_site
from .theme import DEFAULT_THEME, SITE_THEME


@dataclass(frozen=True)
class Result:
    """One rebuild: its errors (empty when it built), what it did, how long it took."""

    errors: tuple[ContentError, ...]
    warnings: tuple[ContentWarning, ...]
    files: int
    written: int
    rendered: int
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.errors


class Rebuilder:
    """Keeps `out` in step with `content`, doing as little work as each change needs."""

    def __init__(self, content: Path, out: Path, *, drafts: bool = False) -> None:
        self.content = content
        self.drafts = drafts
        self.output = LiveOutput(out)
        self.cache = ReadCache()
        self.renderer: Renderer | None = None

    def theme_changed(self, paths: set[Path]) -> bool:
        roots = [DEFAULT_THEME.resolve(), (self.content / SITE_THEME).resolve()]
        return any(p.resolve().is_relative_to(root) for p in paths for root in roots)

    def build(
        self,
        changed: set[Path] | None = None,
        pages_done: Callable[[int], object] | None = None,
        jobs: int = 1,
    ) -> Result:
        """Bring the output up to date after `changed` paths (None: check everything).

        On content errors the output is left as it was and the errors are returned.
        `pages_done` is called with the number of files written so far once every page
        is written and before the feeds are, so open pages can reload sooner. `jobs` > 1
        lets many changed entries be read in forked workers: only for a first build,
        before the server has threads.
        """
        started = time.perf_counter()
        changed = {p.resolve() for p in changed or set()}
        # Edits of known entry files (the common case while writing) need no listing or
        # stat of anything else; anything else (new, deleted, renamed files, settings,
        # templates) is checked in full.
        self.cache.trusted = frozenset(changed) if self.cache.only_edits(changed) else None
        self.cache.forget(changed)
        if self.renderer is None or self.theme_changed(changed):
            self.renderer = Renderer(self.content)  # templates recompiled, nothing reused
        try:
            site, warnings = read_site(
                self.content, drafts=self.drafts, cache=self.cache, jobs=jobs
            )
        except BuildError as exc:
            return Result(tuple(exc.errors), (), 0, 0, 0, time.perf_counter() - started)
        self.output.begin()
        self.renderer.pages_done = (
            (lambda: pages_done(self.output.written)) if pages_done is not None else None
        )
        self.renderer.render(site, self.output)
        self.output.finish()
        return Result(
            errors=(),
            warnings=tuple(warnings),
            files=self.output.count,
            written=self.output.written,
            rendered=self.renderer.rendered,
            seconds=time.perf_counter() - started,
        )
