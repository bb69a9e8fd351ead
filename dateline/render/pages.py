"""Rendering the read site into files (the second phase of a build).

Nothing here can fail on content: reading has already checked it. Each page knows its
own site path, and every link goes through `urls.relative` from it, so the output works
under any sub-path.

A Renderer can render one site after another (the dev server keeps one): each page is
given a key of everything it shows, and a page whose key is unchanged since the last
render is not rendered again. Keys compare the frozen values read from content, which
the reader's cache hands back as the very same objects when their files are unchanged,
so comparing them is cheap.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from dateline import routes
from dateline.model.metrics import (
    Metric,
    change_text,
    collect_metrics,
    figures_json,
    metric_json,
    previous_claims,
    tracker_pages,
)
from dateline.model.site import Entry, Site, Story, newest
from dateline.plan.pagination import (
    Tag,
    TimelinePage,
    collect_tags,
    locations,
    paginate,
    paginate_entries,
)
from dateline.read.images import copy_name, resized
from dateline.render.chart import build_chart
from dateline.render.feeds import (
    JSON_SEPARATOR,
    atom_frame,
    atom_item,
    json_frame,
    json_item,
    latest_json,
)
from dateline.render.metadata import (
    describe,
    entry_jsonld,
    image_url,
    plain_text,
    robots,
    sitemap,
    sitemap_index,
    story_jsonld,
    timeline_image,
)
from dateline.render.theme import make_env, static_files, theme_dirs
from dateline.speed.bodies import Body
from dateline.speed.forks import worker_of, worker_of_lighter_lead
from dateline.speed.keys import key_digest
from dateline.urls import absolute, base_path, rebase, relative
from dateline.words import ENGLISH, Words
from dateline.write.feedparts import FeedPlace, feed_share
from dateline.write.output import Output

_PLACEHOLDER = re.compile(r"<!--dateline:figures:(\d+)-->\n?")
KEY_LIMIT = 20  # "Latest developments" lists this many key entries at most
TAG_PER_PAGE = 200  # links on each page of a topic
TRACKER_PER_PAGE = 200  # rows in each page of a metric's table of claims
SITEMAP_LIMIT = 50_000  # URLs in one sitemap file (sitemaps.org); more go in parts

Notes = tuple[tuple[str | None, ...], ...]  # per box, per claim: "up from …" or None


@dataclass(frozen=True)
class PageMeta:
    """What base.html puts in a page's head: description, social cards and JSON-LD.

    A class, not a dict: Jinja looks `meta.title` up as an attribute first, and on a
    dict that failed (an exception) for every one of the twenty lookups of each page.
    """

    description: str | None = None
    og_type: str | None = None
    title: str | None = None
    image: str | None = None
    image_alt: str | None = None  # what social cards show as the image's description
    published: datetime | None = None
    modified: datetime | None = None
    jsonld: dict[str, object] | None = None

    def __getitem__(self, key: str) -> object:  # themes may write meta["title"]
        return getattr(self, key)


def _plain_text(entry: Entry) -> str:
    """An entry's body as plain text (for descriptions and JSON-LD), the last few kept:
    its own page and its timeline page both ask."""
    return _plain_of(entry.body)


@lru_cache(maxsize=128)
def _plain_of(body: Body) -> str:
    return plain_text(body.html)


def _story_key(story: Story) -> tuple[object, ...]:
    """What every page of a story shows of the story itself."""
    return (story.slug, story.title, story.summary, story.status, story.zone.key)


# What an edit may change for `Renderer.entry_first`: what the entry's page prints of
# it, never where it goes (time, pinned), what it links to (tags, aliases, links),
# its figures (their notes are the story's) or its badges (the front page's lists).
_TEXT_FIELDS = (
    "title",
    "body",
    "author",
    "location",
    "correction",
    "updated",
    "image",
    "image_alt",
)


def _same_but_text(old: Entry, new: Entry) -> bool:
    """Whether `new` differs from `old` in `_TEXT_FIELDS` at most: at the same instant
    (datetimes in one zone compare by wall clock), with the same boxes, tags, aliases
    and links wherever in the file they moved (no page shows their lines)."""
    kept = {name: getattr(old, name) for name in _TEXT_FIELDS}
    return (
        replace(new, **kept, boxes=old.boxes) == old
        and new.stamp == old.stamp
        and _unplaced(new) == _unplaced(old)
    )


def _front_lists(story: Story) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    """The entries a story's front page lists above its timeline: pinned, and key."""
    pinned = tuple(e for e in story.entries if e.pinned)
    return pinned, tuple(e for e in story.entries if e.key)[:KEY_LIMIT]


def _unplaced(entry: Entry) -> tuple[object, ...]:
    """An entry's boxes and links, without the lines of the file they are on."""
    boxes = tuple(
        replace(box, line=0, claims=tuple(replace(claim, line=0) for claim in box.claims))
        for box in entry.boxes
    )
    return boxes, tuple((link.story, link.name) for link in entry.links)


class Interrupted(Exception):
    """A newer change came while the dev server was rendering (see Renderer.interrupted)."""


class Renderer:
    """Renders sites into outputs; keeps compiled templates and what it last rendered."""

    def __init__(self, content: Path, *, keep: bool = True, words: Words = ENGLISH) -> None:
        """`keep`: remember rendered pages for the next render (the dev server does);
        a one-off build does not, so its memory does not grow with the site. `words`:
        the language to compile the theme in (`render` changes it for a site in another)."""
        self.keep = keep
        self.dirs = theme_dirs(content)
        # Helpers link from the page being rendered (`_page`), not from a template
        # context, so the theme's macros can be imported once, without context.
        self._page = ""
        # A page served at any address (the 404 page) links from the host's root under
        # base_url's path instead: this, while it renders.
        self._root: str | None = None
        self._versions: dict[str, str] = {}  # theme asset -> digest of its bytes
        self._speak(words)
        self._notes: dict[tuple[str, str], Notes] = {}
        self.pieces: dict[tuple[str, str, str], tuple[object, Any]] = {}  # feed items etc.
        self._where: dict[str, str] = {}
        self._order: dict[str, int] = {}  # entry slug -> its place in its story, newest first
        # The dev server: each story as last rendered, with where its entries are, their
        # order, the pages' common context and the front page's lists, for `entry_first`.
        self._stories: dict[str, tuple[Story, dict[str, str], dict[str, int], dict, tuple]] = {}
        # Every listed page and its last change (or what works it out), when this
        # process writes the sitemap; else left empty, as the times cost a pass over
        # a topic's or a metric's entries.
        self._sitemap: list[tuple[str, datetime | Callable[[], datetime | None] | None]] = []
        self._lists_pages = True
        self.rendered = 0  # pages rendered (not reused) by the last `render`
        self.progress: Callable[[], object] | None = None  # called per page rendered
        self.share = (0, 1)  # (this worker, number of workers) writing one output
        # The dev server's first build, shared (see parallel.render_live): its workers
        # write their share of the pages and nothing else (`pages_only`); the server's
        # own process (`lead`) writes every other file and keeps every page's key.
        self.pages_only = False
        self.lead = False
        # With a build cache: each page's digest last build, and this build's.
        self.digests_before: dict[str, tuple[bytes, int, int]] | None = None
        self.digests: dict[str, tuple[bytes, int, int]] = {}
        self.data_stories: set[str] = set()  # stories whose data files this process made
        self._deferred: list[tuple[Story, tuple[Metric, ...]]] = []
        # The dev server: asked before each page; True stops the render (Interrupted)
        # between two pages, each as its key says, for a build with the newer change.
        self.interrupted: Callable[[], bool] | None = None
        # The dev server: entries just edited, (story, slug), whose pages are rendered
        # first; `written` is called once they are, and again once every page is
        # (before the feeds), so an open page can reload as soon as it changed.
        self.first: frozenset[tuple[str, str]] = frozenset()
        self.written: Callable[[], object] | None = None
        # A one-off build: the folder for this worker's feed parts, and their places.
        self.feed_parts: Path | None = None
        self.feed_places: dict[str, dict[str, FeedPlace]] = {}

    def _speak(self, words: Words) -> None:
        """Compile the theme in `words`' language; forget pages rendered in another."""
        self.words = words
        self.env = make_env(self.dirs, words)
        helpers = {
            "entry_body": self._entry_body,
            "entry_link": self._entry_link,
            "article": self._article,
        }
        self.env.globals.update(url=self._url, **helpers)
        # As filters too, called directly (see _url_filter): what the default theme uses.
        self.env.filters.update(url=self._url_filter, **helpers)
        self._box = self.env.get_template("figures.html")
        self.__dict__.pop("_entry_article", None)  # the macro, compiled anew
        # The dev server: file path -> the key its page was last rendered with. Not its
        # HTML: an unchanged page is already in the served folder (253 MB of pages were
        # held at 20,000 entries, for the rare page that had to be written again).
        self._pages: dict[str, object] = {}
        self._bodies: dict[tuple[str, str], tuple[Entry, Notes, str]] = {}
        self._articles: dict[tuple[str, str], tuple[object, str]] = {}

    # Template helpers -----------------------------------------------------------------

    @contextlib.contextmanager
    def _on_page(self, path: str) -> Iterator[None]:
        """Link from `path` meanwhile: pieces made once and rebased per page (bodies,
        timeline articles) are made relative to their story folder."""
        page, self._page = self._page, path
        root, self._root = self._root, None
        try:
            yield
        finally:
            self._page, self._root = page, root

    def _url(self, target: str) -> str:
        """Link from the page being rendered to a site path: relative, or from the
        host's root for a page served at any address.

        A theme asset's link carries a digest of its bytes (`static/style.css?v=…`), so
        after a theme change no reader gets new pages with a stylesheet a browser or a
        CDN kept (S3 behind CloudFront keeps files a day unless told otherwise).
        """
        link = (
            absolute(self._root, target) if self._root is not None else relative(self._page, target)
        )
        version = self._versions.get(target)
        return link if version is None else f"{link}?v={version}"

    @jinja2.pass_context
    def _url_filter(self, context: jinja2.runtime.Context, target: str) -> str:
        """`url` as a filter, `{{ story.path | url }}`: what the default theme writes.

        A template calls a global such as `url()` through Jinja's `Context.call`, about
        a microsecond a call, twenty calls an entry; a filter is called directly. It
        takes the context only so that Jinja never folds `'static/style.css' | url`
        into a constant when it compiles the template: the link depends on the page.
        """
        return self._url(target)

    def _entry_body(self, entry: Entry) -> Markup:
        prefix = self._url(routes.story(entry.story))
        html = self.body(entry)
        return Markup(html if prefix == "./" else rebase(html, prefix))

    def _entry_link(self, entry: Entry) -> str:
        """Link to an entry where the timeline shows it (front or archive page)."""
        page = self._where.get(entry.slug, entry.path)
        here = self._url(page)
        return f"{'' if here == './' else here}#{entry.anchor}"

    @cached_property
    def _entry_article(self) -> Callable[..., str]:
        """The theme's `entry_article` macro, looked up when first used (a theme that
        never shows timeline articles need not have it), then held like `_box`."""
        return self.env.get_template("macros.html").module.entry_article  # type: ignore[attr-defined]

    @jinja2.pass_context
    def _article(self, context: jinja2.runtime.Context, entry: Entry) -> Markup:
        """An entry as the timeline shows it.

        A one-off build shows each article on one page and renders it there. The dev
        server renders it once, with the story folder as its page, and keeps it: a page
        elsewhere only prefixes the article's relative links.
        """
        story = context["story"]
        macro = self._entry_article
        if not self.keep:
            return Markup(macro(entry, story))
        key = (entry, self._notes[(entry.story, entry.slug)], _story_key(story))
        cached = self._articles.get((entry.story, entry.slug))
        if cached is None or cached[0] != key:
            with self._on_page(routes.file_of(story.path)):
                cached = (key, str(macro(entry, story)))
            self._articles[(entry.story, entry.slug)] = cached
        prefix = self._url(story.path)
        return Markup(cached[1] if prefix == "./" else rebase(cached[1], prefix))

    def body(self, entry: Entry) -> str:
        """The entry body with its figure boxes, links relative to the story folder.

        Made when first needed: a worker that renders none of an entry's pages never
        renders its boxes. Only bodies with boxes are kept (the rest are the entry's own
        HTML), so a long story's bodies are not all held twice.
        """
        if not entry.boxes:
            return entry.body_html
        notes = self._notes[(entry.story, entry.slug)]
        cached = self._bodies.get((entry.story, entry.slug))
        if cached is not None and cached[0] == entry and cached[1] == notes:
            return cached[2]
        with self._on_page(routes.file_of(routes.story(entry.story))):  # for url() in a box
            html = _PLACEHOLDER.sub(
                lambda m: self._box.render(
                    box=entry.boxes[int(m.group(1))], changes=notes[int(m.group(1))], entry=entry
                ),
                entry.body_html,
            )
        self._bodies[(entry.story, entry.slug)] = (entry, notes, html)
        return html

    # Pages ----------------------------------------------------------------------------

    def page(
        self,
        template: str,
        path: str,
        key: object | Callable[[], object],
        context: Callable[[], dict[str, object]],
        *,
        lastmod: datetime | Callable[[], datetime | None] | None = None,
        listed: bool = True,
        anywhere: bool = False,
        canonical: str | None = None,
    ) -> None:
        """Render `template` to site path `path` unless `key` is what it was last time.

        `context` is called only when the page is rendered; its `meta` item feeds the
        description, OpenGraph and JSON-LD tags of base.html. `listed` pages go into the
        sitemap with `lastmod` (or what it returns, called only by the process writing
        the sitemap). A page a host serves at `anywhere` a file is missing (the
        404 page) cannot link relatively: with a base URL it links from the host's root
        (`/live/static/style.css`), which unlike a `<base>` element leaves its
        `#fragment` links (the skip link) on the page itself. `canonical`: the site path
        of the page this one stands for, when not itself (an entry's earlier address).
        """
        if self.interrupted is not None and self.interrupted():
            raise Interrupted
        file_path = routes.file_of(path)
        if listed and self._lists_pages:
            self._sitemap.append((path, lastmod))
        mine = self._mine(file_path, page=True)
        if not (mine or self.lead):
            return
        if callable(key):  # a key that costs something to make is made only when needed
            key = key()
        if mine and self._kept_as_before(file_path, (template, key, self.config_digest)):
            return
        full_key = None
        if self.keep:  # the dev server: a page it rendered last time, with the same key
            full_key = (template, key, self.site.config)
            if not mine:  # the lead: a worker renders it; the next rebuild compares keys
                self._pages[file_path] = full_key
                self.out.counted(file_path)  # type: ignore[attr-defined]
                return
            if self._pages.get(file_path) == full_key and self.out.still_there(file_path):
                return
        base = self.site.config.base_url
        self._page = file_path
        self._root = base_path(base) if anywhere and base else None
        try:
            values = context()
            meta = PageMeta(**values.pop("meta", {}))  # type: ignore[arg-type]
            html = self.env.get_template(template).render(
                page_path=file_path,
                canonical=absolute(base, canonical or path) if base and not anywhere else None,
                meta=meta,
                site=self.site,
                **values,
            )
        finally:
            self._root = None
        if self.keep:
            self._pages[file_path] = full_key
        self.rendered += 1
        if self.progress is not None:
            self.progress()
        self.out.write(file_path, html)

    def _photo_copies(self, story: Story, name: str, widths: tuple[int, ...]) -> None:
        """The smaller copies of one photo (see images): made again only when the photo
        changed, as resizing one takes tens of milliseconds."""
        source = story.folder / name
        paths = {w: routes.in_story(story.slug, copy_name(name, w)) for w in widths}
        mine = {w: path for w, path in paths.items() if self._mine(path)}
        if not mine:
            return
        try:
            stat = source.stat()  # once for all its copies
        except OSError:  # deleted since it was read: the next build says so
            return
        for width, path in mine.items():
            made_from = ("copy", stat.st_size, stat.st_mtime_ns, width)
            if not self._kept_as_before(path, made_from):
                self.out.made_from(path, made_from, lambda w=width: resized(source, w))

    def _kept_as_before(self, path: str, key: object) -> bool:
        """With a build cache: record the digest of what the file at `path` is made
        from; True (the file is kept) if the last build made it from the same and it is
        still as that build wrote it."""
        if self.digests_before is None:
            return False
        digest = key_digest(key)
        self.digests[path] = (digest, 0, 0)
        before = self.digests_before.get(path)
        return (
            before is not None
            and before[0] == digest
            and self.out.link_previous(path, before[1], before[2])
        )

    def _mine(self, path: str, page: bool = False) -> bool:
        """Whether this process writes the file at `path` (a `page`, or any other file),
        when several share a build.

        Every worker walks the whole site (cheap bookkeeping) and takes the files whose
        path hashes to it (`forks.worker_of`), so the output is the same whatever the
        number of workers. The dev server's shared first build shares only its pages,
        the server's own process taking fewer (`forks.worker_of_lighter_lead`).
        """
        worker, workers = self.share
        if workers == 1:
            return True
        if not (self.lead or self.pages_only):
            return worker_of(path, workers) == worker
        if page:
            return worker_of_lighter_lead(path, workers) == worker
        return self.lead

    def story(self, story: Story) -> None:
        config = self.site.config
        metrics = collect_metrics(story)
        changed = previous_claims(metrics)

        def notes(entry: Entry) -> Notes:
            return tuple(
                tuple(
                    change_text(before.claim, claim, self.words)
                    if (before := changed.get((entry.slug, box.slug, claim.source)))
                    else None
                    for claim in box.claims
                )
                for box in entry.boxes
            )

        pages = paginate(story, config.per_page)
        self._where = locations(pages)
        self._order = {e.slug: i for i, e in enumerate(story.entries)}
        tags = collect_tags(story)
        pinned, key_entries = _front_lists(story)
        common = {"story": story, "metrics": metrics, "tags": tags}
        if self.keep:
            lists = (pinned, key_entries)
            self._stories[story.slug] = (story, self._where, self._order, common, lists)
        first = [e for e in story.entries if (story.slug, e.slug) in self.first]
        if first:  # the dev server: the page just edited, and where the timeline shows it
            shown = {self._where.get(e.slug) for e in first} | {pages[0].path}
            # Notes for what these pages show only; every entry's after (55 ms at 20,000).
            on_pages = [e for page in pages if page.path in shown for e in page.entries]
            for entry in (*first, *on_pages, *pinned):
                self._notes[(story.slug, entry.slug)] = notes(entry)
            for entry in first:
                self.entry(
                    story, entry, self._notes[(story.slug, entry.slug)], common, listed=False
                )
            for timeline in pages:
                if timeline.path in shown:
                    self.timeline(story, timeline, pinned, key_entries, common, False)
            if self.written is not None:
                self.written()
        entry_notes = {e.slug: notes(e) for e in story.entries}
        self._notes.update({(story.slug, slug): n for slug, n in entry_notes.items()})
        for timeline in pages:
            self.timeline(story, timeline, pinned, key_entries, common)
        for entry in story.entries:
            self.entry(story, entry, entry_notes[entry.slug], common)
            for alias in entry.aliases:
                self.page(
                    "redirect.html",
                    routes.alias(story.slug, alias),
                    (entry.slug, entry.title, _story_key(story)),
                    lambda entry=entry: {"entry": entry, "story": story},
                    listed=False,
                    canonical=entry.path,
                )
        for metric in metrics:
            self.tracker(story, metric, common)
        for tag in tags:
            self.tag(story, tag, common)
        for media in story.media:
            if self._mine(path := routes.in_story(story.slug, media.as_posix())):
                self.out.copy(story.folder / media, path)
        for name, widths in story.copies:
            self._photo_copies(story, name, widths)
        if self.keep:  # the dev server: pages first, so an open page reloads sooner
            self._deferred.append((story, metrics))
        else:  # a one-off build: nothing of this story is needed after its files
            self.data_files(story, metrics)
            if self.feed_parts is not None and config.base_url:
                self.feed_places[story.slug] = feed_share(self, story, self.feed_parts)
            self._bodies.clear()
            self._articles.clear()
            if self.digests_before is None:  # without a build cache, no piece is kept
                self.pieces.clear()

    def entry(
        self,
        story: Story,
        entry: Entry,
        notes: Notes,
        common: dict[str, object],
        listed: bool = True,
    ) -> None:
        # The updates before and after it, which its page links to (newest first).
        at = self._order[entry.slug]
        newer = story.entries[at - 1] if at > 0 else None
        older = story.entries[at + 1] if at + 1 < len(story.entries) else None

        def context() -> dict[str, object]:
            text = _plain_text(entry)
            return {
                "meta": {
                    "description": describe(text) or entry.title,
                    "og_type": "article",
                    "title": entry.title,
                    "image": image_url(self.site, entry),
                    "image_alt": entry.image_alt,
                    "published": entry.time,
                    "modified": entry.modified,
                    "jsonld": entry_jsonld(self.site, story, entry, text),
                },
                "entry": entry,
                "newer": newer,
                "older": older,
                **common,
            }

        def key() -> tuple[object, ...]:
            around = tuple((e.slug, e.title) if e else None for e in (newer, older))
            return (entry, notes, _story_key(story), self._where.get(entry.slug), around)

        self.page(
            "entry.html",
            entry.path,
            key,
            context,
            lastmod=entry.modified,
            listed=listed,
        )

    def entry_first(self, entry: Entry) -> bool:
        """The dev server: render an edited entry's own page, the timeline page showing
        it and the story's front page before the site is read again, as the last render
        placed it; False, writing nothing, unless the edit changed only what pages show
        of it (text, headline, byline, times of update), not where it goes.

        A full rebuild follows at once. Its pages' keys hold everything they show: any
        page it finds changed after all, it renders again; the rest it leaves as written
        here.
        """
        last = self._stories.get(entry.story)
        if last is None:
            return False
        story, where, order, common, lists = last
        at = order.get(entry.slug)
        if at is None or not _same_but_text(old := story.entries[at], entry):
            return False
        story = story.with_entry(at, entry)  # as the rebuild will read it
        common = {**common, "story": story}
        pinned, key_entries = (tuple(entry if e is old else e for e in x) for x in lists)
        self._where, self._order = where, order
        self.entry(story, entry, self._notes[(story.slug, entry.slug)], common, listed=False)
        shown = {where.get(entry.slug), story.path}  # the front page: its last update
        for timeline in paginate(story, self.site.config.per_page):
            if timeline.path in shown:
                self.timeline(story, timeline, pinned, key_entries, common, listed=False)
        return True

    def timeline(
        self,
        story: Story,
        timeline: TimelinePage,
        pinned: tuple[Entry, ...],
        key_entries: tuple[Entry, ...],
        common: dict[str, object],
        listed: bool = True,
    ) -> None:
        front = timeline.number == 0
        modified = story.modified if front else newest(timeline.entries)
        # JSON-LD's coverage times: the story's first entry, and its last once ended.
        coverage = (
            story.entries[-1].time if story.entries else None,
            story.entries[0].time if story.entries and story.status == "ended" else None,
        )
        extra: tuple[object, ...] = ()
        if front:  # only the front page shows these; archive pages stay byte-stable
            extra = (
                story.standfirst_html,
                modified,
                pinned,
                tuple(self._notes[(e.story, e.slug)] for e in pinned),
                tuple((e, self._where.get(e.slug)) for e in key_entries),
                tuple((m.slug, m.name, len(m.claims)) for m in common["metrics"]),  # type: ignore[attr-defined]
                tuple((t.name, t.path) for t in common["tags"]),  # type: ignore[attr-defined]
            )
        # Every page's head: in its key too, as an archive page's key holds no standfirst.
        description = story.summary or describe(plain_text(story.standfirst_html))
        image, image_alt = timeline_image(self.site, story, timeline.entries)
        self.page(
            "story.html",
            timeline.path,
            lambda: (
                timeline,
                tuple(self._notes[(e.story, e.slug)] for e in timeline.entries),
                _story_key(story),
                coverage,
                extra,
                description,
                image,
                image_alt,
            ),
            lambda: {
                "meta": {
                    "description": description,
                    "og_type": "website",
                    "title": story.title,
                    "image": image,
                    "image_alt": image_alt,
                    "jsonld": story_jsonld(
                        self.site,
                        story,
                        timeline.entries,
                        {e.slug: _plain_text(e) for e in timeline.entries},
                        modified,
                        image,
                    ),
                },
                "timeline": timeline,
                "pinned": pinned,
                "key_entries": key_entries,
                **common,
            },
            lastmod=modified,
            listed=listed,
        )

    def tracker(self, story: Story, metric: Metric, common: dict[str, object]) -> None:
        """A metric's tracker: its chart and newest claims, then pages of earlier ones."""
        for listing in tracker_pages(
            metric, routes.tracker(story.slug, metric.slug), TRACKER_PER_PAGE
        ):
            front = listing.number == 0
            self.page(
                "tracker.html",
                listing.path,
                # the front page's chart shows every claim; an archive page only its own
                (metric if front else (metric.name, listing), _story_key(story)),
                lambda listing=listing, front=front: {
                    "meta": {
                        "description": f"Every claim for “{metric.name}”, by source, over time."
                    },
                    "metric": metric,
                    "listing": listing,
                    "chart": build_chart(metric, story.zone, self.words) if front else None,
                    **common,
                },
                lastmod=lambda listing=listing, front=front: newest(
                    r.entry for r in (metric if front else listing).claims
                ),
            )

    def tag(self, story: Story, tag: Tag, common: dict[str, object]) -> None:
        """A topic's pages: links to its entries, paginated like the timeline."""
        for listing in paginate_entries(tag.entries, tag.path, TAG_PER_PAGE):
            count = len(tag.entries) if listing.number == 0 else None
            self.page(
                "tag.html",
                listing.path,
                lambda listing=listing, count=count: (
                    tag.name,
                    listing,
                    tuple(self._where.get(e.slug) for e in listing.entries),
                    count,
                    _story_key(story),
                ),
                lambda listing=listing: {"tag": tag, "listing": listing, **common},
                lastmod=lambda listing=listing: newest(listing.entries),
            )

    def data_files(self, story: Story, metrics: tuple[Metric, ...]) -> None:
        """figures.json and the feeds, assembled from per-metric and per-entry pieces.

        Pieces are kept between renders (feed items by the dev server, metrics also by
        the build cache), keyed by what they show, so after one edit only that entry's
        feed items and its metrics are serialised again.
        """
        if not self._mine(routes.figures_json(story.slug)):
            return
        self.data_stories.add(story.slug)
        base = self.site.config.base_url
        entry_url = {e.slug: absolute(base, e.path) if base else e.path for e in story.entries}
        parts = []
        for metric in metrics:
            key: object = (metric, base)
            if self.digests_before is not None:  # the build cache keeps a digest, not
                key = key_digest(key)  # the metric and every entry it cites (1.5 MB)
            cached = self.pieces.get(("metric", story.slug, metric.slug))
            if cached is None or cached[0] != key:
                cached = (key, metric_json(metric, entry_url))
                self.pieces[("metric", story.slug, metric.slug)] = cached
            parts.append(cached[1])
        self.out.write(routes.figures_json(story.slug), figures_json(story, parts))
        front = story.entries[: self.site.config.per_page]  # what the front page shows
        self.out.write(routes.latest_json(story.slug), latest_json(story, front))
        if not base:
            return
        if self.keep:  # a one-off build joins its feeds from parts (see feedparts)
            prefix = absolute(base, story.path)
            items = [self._feed_item(story, entry, prefix) for entry in story.entries]
            # Written item by item, never whole: a long story's are 45 MB each.
            with self.out.stream(routes.feed_atom(story.slug)) as atom:
                head, tail = atom_frame(self.site, story)
                atom.write(head)
                for xml, _ in items:
                    atom.write(xml)
                atom.write(tail)
            with self.out.stream(routes.feed_json(story.slug)) as feed:
                head, tail = json_frame(self.site, story)
                feed.write(head)
                for number, (_, item) in enumerate(items):
                    feed.write(JSON_SEPARATOR + item if number else item)
                feed.write(tail)

    def feed_key(self, entry: Entry, settings: object) -> tuple[object, ...]:
        """What an entry's feed items show; `settings` stands for the site's settings
        (the settings themselves, or for a digest, their digest)."""
        return (entry, self._notes[(entry.story, entry.slug)], settings)

    def make_feed_items(self, entry: Entry, prefix: str) -> tuple[bytes, bytes]:
        """An entry's Atom and JSON Feed items (UTF-8), its links made absolute with
        `prefix`.

        A correction leads the item's content, as it leads the entry on the page: a
        feed reader, or a site republishing the feed, must not carry the uncorrected
        text without it.
        """
        html = rebase(self.body(entry), prefix)
        if entry.correction:
            label, notice = escape(self.words("Correction:")), escape(entry.correction)
            html = f'<p class="correction"><strong>{label}</strong> {notice}</p>\n{html}'
        return atom_item(self.site, entry, html), json_item(self.site, entry, html).encode()

    def _feed_item(self, story: Story, entry: Entry, prefix: str) -> tuple[bytes, bytes]:
        """An entry's feed items, kept between the dev server's renders, so one edit
        re-serialises one entry's items."""
        key = self.feed_key(entry, self.site.config)
        cached = self.pieces.get(("feed", story.slug, entry.slug))
        if cached is None or cached[0] != key:
            cached = (key, self.make_feed_items(entry, prefix))
            self.pieces[("feed", story.slug, entry.slug)] = cached
        return cached[1]  # type: ignore[return-value]

    def render(self, site: Site, out: Output) -> None:
        """Write every page, feed, data file and asset of `site` into `out`."""
        self.site, self.out = site, out
        if site.words != self.words:
            self._speak(site.words)
        # Digested once: pickled into the digest of every page, the settings cost twice
        # as much as the rest of an entry page's key.
        self.config_digest = key_digest(site.config)
        self._sitemap = []
        self._lists_pages = bool(self._mine(routes.SITEMAP) and site.config.base_url)
        self._deferred = []  # (an interrupted render's)
        self.rendered = 0
        self._versions = {}
        for source, path in static_files(self.dirs):
            self._versions[path] = hashlib.blake2b(source.read_bytes(), digest_size=5).hexdigest()
            if self._mine(path):
                out.copy(source, path)
        for story in site.stories:
            self.story(story)
        stories = sorted(
            site.stories,
            key=lambda s: (s.modified.timestamp() if s.modified else float("-inf"), s.slug),
            reverse=True,
        )
        summary = tuple((_story_key(s), s.modified, len(s.entries)) for s in stories)
        self.page(
            "index.html",
            routes.HOME,
            summary,
            lambda: {
                "meta": {"og_type": "website", "title": site.config.title},
                "stories": stories,
            },
            lastmod=stories[0].modified if stories else None,
        )
        self.page("404.html", routes.NOT_FOUND, (), dict, listed=False, anywhere=True)
        if self.written is not None:
            self.written()
        for story, metrics in self._deferred:
            self.data_files(story, metrics)
        self._deferred = []
        if self._mine(routes.SITEMAP) and site.config.base_url:
            self._sitemaps(site.config.base_url)
        if self._mine(routes.ROBOTS):
            out.write(routes.ROBOTS, robots(site.config.base_url))

    def _sitemaps(self, base: str) -> None:
        """sitemap.xml; past `SITEMAP_LIMIT` pages (sitemaps.org's limit, which a site of
        a few long stories passes), an index of `sitemap-N.xml` parts instead."""
        pages = [(path, when() if callable(when) else when) for path, when in self._sitemap]
        if len(pages) <= SITEMAP_LIMIT:
            self._sitemap_file(routes.SITEMAP, (tuple(pages), base), lambda: sitemap(base, pages))
            return
        parts = [pages[i : i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)]
        listed = []
        for number, part in enumerate(parts, start=1):
            name = routes.sitemap_part(number)
            self._sitemap_file(name, (tuple(part), base), lambda part=part: sitemap(base, part))
            times = [modified for _, modified in part if modified is not None]
            listed.append((name, max(times, key=datetime.timestamp, default=None)))
        index = (tuple(listed), base)
        self._sitemap_file(routes.SITEMAP, index, lambda: sitemap_index(base, listed))

    def _sitemap_file(self, path: str, key: object, make: Callable[[], bytes]) -> None:
        if self._kept_as_before(path, ("sitemap", key)):
            return
        cached = self.pieces.get(("sitemap", path, ""))
        if cached is None or cached[0] != key:  # the dev server keeps it between builds
            cached = (key, make())
            self.pieces[("sitemap", path, "")] = cached
        self.out.write(path, cached[1])
