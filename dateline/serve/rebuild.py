"""The dev server's builds: `build.build` into a served folder kept up to date in place.

The `Live` target keeps what one build hands the next: the reader's cache (only entry
files that changed are read again), the renderer (only pages whose key changed are
rendered again) and the served folder (only files whose bytes changed are written).
The result is the same folder a build from nothing makes; a test holds it to that,
byte for byte. A `Rebuilder` runs builds into it and reports each as a `Result`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jinja2

from dateline.build import build
from dateline.errors import BuildError, ContentError, ContentWarning, FileError
from dateline.model.site import Site
from dateline.read.cache import ReadCache
from dateline.read.cms_settings import LocalCms
from dateline.read.entries import reread_entry
from dateline.render.renderer import Interrupted, Renderer
from dateline.render.theme import DEFAULT_THEME, SITE_THEME, compile_all, template_error, theme_dirs
from dateline.speed.collector import collector_paused
from dateline.speed.parallel import render_live
from dateline.urls import base_path
from dateline.write.live import LiveOutput
from dateline.write.search import SearchIndex, index_search
from dateline.write.targets import Written

FIRST_LIMIT = 10  # at most this many edited entries are rendered ahead of the rest


@dataclass(frozen=True)
class Result:
    """One rebuild: its errors (empty when it built), what it did, how long it took."""

    errors: tuple[ContentError, ...]
    warnings: tuple[ContentWarning, ...]
    files: int
    written: int
    rendered: int
    seconds: float
    # Stopped for a newer change (see `Rebuilder.build`): its pages, if any, are as their
    # keys say, and the next build, with the newer change, finishes its work.
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class Live:
    """The dev server's target: a served folder and the caches kept between builds.

    `pages_done` is called with the files written so far, as soon as an open page can
    reload; `interrupted` is asked before each page (see `Rebuilder.build`).
    """

    def __init__(self, content: Path, out: Path) -> None:
        self.content, self.out = content, out
        self.output = LiveOutput(out)
        self.cache = ReadCache()
        self.renderer: Renderer | None = None
        self.pages_done: Callable[[list[str]], object] | None = None
        self.interrupted: Callable[[], bool] | None = None
        # The last build's entries' digests: an entry whose digest is new was just edited.
        self._digests: dict[tuple[str, str], bytes] = {}
        self.built = False  # whether the last build succeeded (see `_entry_first`)
        self.search: SearchIndex | None = None  # the served site's search index
        self.early = (0, 0)  # pages rendered and files written before the site was read
        # base_url's path ('/live/'): the server answers under it as well, as the host
        # will (the 404 page links from there).
        self.base_path = "/"

    def theme_changed(self, paths: set[Path]) -> bool:
        roots = [DEFAULT_THEME.resolve(), (self.content / SITE_THEME).resolve()]
        return any(p.resolve().is_relative_to(root) for p in paths for root in roots)

    @contextmanager
    def building(self, changes: frozenset[Path]) -> Iterator[ReadCache]:
        """Before the site is read: the reader told what changed, an edited entry's
        pages written first, the theme compiled again after a change to it."""
        changed = {p.resolve() for p in changes}
        with collector_paused():  # `Rebuilder.settle` collects once the build is reported
            # Edits of known entry files (the common case while writing) need no listing
            # or stat of anything else; anything else (new, deleted, renamed files,
            # settings, templates) is checked in full.
            trusted = self.cache.only_edits(changed)
            self.cache.trusted = frozenset(map(str, changed)) if trusted else None
            self.cache.forget(changed)
            self.early = (0, 0)
            if trusted and len(changed) == 1 and self.pages_done is not None:
                self.early = self._entry_first(next(iter(changed)), self.pages_done)
            self.built = False
            if (error := self._compiled(changed)) is not None:
                raise BuildError([error])
            yield self.cache

    def write(
        self, site: Site, *, jobs: int, progress: Callable[[], object] | None, strict: bool
    ) -> Written:
        self.base_path = base_path(site.config.base_url)
        try:
            done = self._render(site, jobs)
        except jinja2.TemplateError as exc:  # while rendering (a missing include, say)
            assert self.renderer is not None
            dirs, self.renderer = self.renderer.dirs, None  # half a build: start afresh
            raise BuildError([template_error(exc, dirs)]) from None
        self.built = True  # the site was read without a mistake
        if done:  # after every page, as an open page reloads once its page is written
            self.search = index_search(site, self.output, self.search, self.interrupted)
            self.output.finish()
        assert self.renderer is not None
        return Written(
            files=self.output.count,
            written=self.output.written + self.early[1],
            rendered=self.renderer.rendered + self.early[0],
            interrupted=not done,
        )

    def _compiled(self, changed: set[Path]) -> ContentError | None:
        """Compile every template anew after a theme change (or the first build), before
        a page is written: a syntax error in any leaves the served site as it was."""
        if self.renderer is not None and not self.theme_changed(changed):
            return None
        self.renderer = None  # templates recompiled, nothing reused
        try:
            renderer = Renderer(self.content)
            compile_all(renderer.env)
        except jinja2.TemplateError as exc:
            return template_error(exc, theme_dirs(self.content))
        self.renderer = renderer
        return None

    def _render(self, site: Site, jobs: int) -> bool:
        """Render `site` into the served folder, the entries just edited first; False if
        a newer change stopped it (its pages are as their keys say)."""
        renderer = self.renderer
        assert renderer is not None
        self.output.begin()
        done = self.pages_done
        renderer.written = (lambda: done(self.output.take_fresh())) if done else None
        # Entries whose digest is new since the last build are the ones just edited;
        # none on a first build, where all are new.
        entries = [e for story in site.stories for e in story.entries]
        if self._digests:
            fresh = [e for e in entries if self._digests.get((e.story, e.slug)) != e.digest]
            renderer.first = frozenset((e.story, e.slug) for e in fresh[:FIRST_LIMIT])
        renderer.interrupted = self.interrupted
        try:
            render_live(site, renderer, self.output, jobs)
        except Interrupted:
            return False
        finally:
            renderer.first, renderer.interrupted = frozenset(), None
        # Only once rendered: a stopped build's entries are still new to the next.
        self._digests = {(e.story, e.slug): e.digest for e in entries}
        return True

    def _entry_first(
        self, path: Path, pages_done: Callable[[list[str]], object]
    ) -> tuple[int, int]:
        """Write the pages of the one entry just saved (its own, the timeline page
        showing it, the story's front page) before reading the site again, when the
        edit cannot change any page's place or make the build fail; the pages rendered
        and the files written.

        Reading a long story again would hold the edited page back for as long as the
        story takes to read. The file is read here as the last build read it, into the
        cache, so the rebuild that follows reuses it; that rebuild renders again
        whatever else shows the edit, and these pages too if anything they show changed
        after all. Only after a build that succeeded: a mistake elsewhere must leave the
        served site as it was.
        """
        if self.renderer is None or not self.built:
            return 0, 0
        read = reread_entry(self.cache, path)
        if read is None or read[0] is None or read[1].errors:
            return 0, 0  # the rebuild reports the mistake
        self.output.begin()
        before = self.renderer.rendered
        try:
            if not self.renderer.entry_first(read[0]):
                return 0, 0
        except jinja2.TemplateError:  # the rebuild reports it, at its line
            return 0, 0
        written = self.output.take_fresh()
        if written:
            pages_done(written)
        return self.renderer.rendered - before, len(written)


class Rebuilder:
    """Keeps `out` in step with `content`, doing as little work as each change needs."""

    def __init__(
        self, content: Path, out: Path, *, drafts: bool = False, cms: LocalCms | None = None
    ) -> None:
        self.content = content
        self.drafts = drafts
        self.cms = cms  # `serve --cms`: the admin page, through Decap's local proxy
        self.live = Live(content, out)

    @property
    def base_path(self) -> str:
        return self.live.base_path

    @property
    def renderer(self) -> Renderer | None:
        return self.live.renderer

    @renderer.setter
    def renderer(self, renderer: Renderer | None) -> None:  # None: start afresh
        self.live.renderer = renderer

    @property
    def output(self) -> LiveOutput:
        return self.live.output

    def settle(self, full: bool = True) -> None:
        """Collect garbage now, between builds, and freeze what survives, so later
        collections skip a long story's objects. Not `full`, only what is not frozen
        yet (what the last build made) is collected, so a save made just after the
        previous one does not wait on a walk of everything; the garbage only a full
        collection finds (cycles through objects an earlier build left frozen) is
        small, so the dev server leaves it until it is idle.
        """
        if full:
            gc.unfreeze()
        gc.collect()
        gc.freeze()

    def build(
        self,
        changed: set[Path] | None = None,
        pages_done: Callable[[list[str]], object] | None = None,
        jobs: int = 1,
        interrupted: Callable[[], bool] | None = None,
    ) -> Result:
        """Bring the output up to date after `changed` paths (None: check everything).

        On content errors the output is left as it was and the errors are returned.
        `pages_done` is called with the files written so far: for a text edit of one
        entry, once its pages are written, before the site is read (`_entry_first`); once
        the pages of the entries just edited (and the timeline pages showing them) are
        written; then once every page is, before the feeds; so an open page reloads as
        soon as it changed. `jobs` > 1 lets forked workers read many changed entries and
        share the pages: only for a first build, before the server has threads.

        `interrupted` is asked before each page is rendered: once it says a newer change
        has come, the build stops there (`Result.interrupted`), so a save made during a
        long story's rebuild does not wait for it. The caller builds again with both
        changes; the edited entries of the stopped build still count as just edited,
        so their pages come first.
        """
        started = time.perf_counter()
        self.live.pages_done, self.live.interrupted = pages_done, interrupted
        try:
            report = build(
                self.content,
                None,
                drafts=self.drafts,
                jobs=jobs,
                target=self.live,
                cms=self.cms,
                changes=frozenset(changed or ()),
            )
        except BuildError as exc:  # the served folder keeps the last good site
            return Result(tuple(exc.errors), (), 0, 0, 0, time.perf_counter() - started)
        except FileError as exc:  # shown in open pages as content errors are
            if exc.action != "read":
                self.renderer = None  # a write stopped halfway: start afresh next time
            error = ContentError(exc.path, 1, f"cannot {exc.action}: {exc.reason}")
            return Result((error,), (), 0, 0, 0, time.perf_counter() - started)
        finally:
            self.live.pages_done = self.live.interrupted = None
        done = report.written
        return Result(
            errors=(),
            warnings=() if done.interrupted else report.warnings,
            files=done.files,
            written=done.written,
            rendered=done.rendered,
            seconds=time.perf_counter() - started,
            interrupted=done.interrupted,
        )
