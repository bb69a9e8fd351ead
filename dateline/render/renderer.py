"""Rendering a read site into files: each story planned, its page jobs rendered, its
data files and feeds made, then the site's own pages and the sitemap.

Nothing here can fail on content: reading has already checked it. A Renderer can
render one site after another (the dev server keeps one): a page whose key is what it
was last time is not rendered again (`keep`), nor one the build cache finds unchanged
(`digests_before`). Keys compare the frozen values read from content, which the
reader's cache hands back as the very same objects when their files are unchanged, so
comparing them is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dateline import routes
from dateline.model.metrics import Metric
from dateline.model.site import Entry, Site, Story
from dateline.model.site_figures import site_metrics, stories_of
from dateline.plan.pages import (
    PageJob,
    early_pages,
    entry_page,
    site_figure_pages,
    site_pages,
    story_pages,
)
from dateline.plan.pages import timeline_page as timeline_job
from dateline.plan.story import StoryPlan, plan_story
from dateline.read.images import copy_name, resized
from dateline.render.cms import admin_files
from dateline.render.data import FeedItems, Listed, Pieces, sitemap_files, story_figures
from dateline.render.data import write_feeds as write_story_feeds
from dateline.render.exports import metric_part, site_exports
from dateline.render.feeds import feed_entries, latest_json
from dateline.render.headers import headers_file
from dateline.render.helpers import TemplateHelpers
from dateline.render.metadata import news_entries, news_sitemap, robots
from dateline.render.theme import asset_version, make_env, static_files, theme_dirs
from dateline.speed.forks import ALONE, Share
from dateline.speed.keys import key_digest
from dateline.urls import absolute, base_path
from dateline.words import ENGLISH, Words
from dateline.write.feedparts import FeedPlace, LastFeeds, feed_share
from dateline.write.output import Output


@dataclass(frozen=True)
class PageMeta:
    """What base.html puts in a page's head: description, social cards and JSON-LD.

    A class, not a dict: Jinja looks `meta.title` up as an attribute first.
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
        self._speak(words)
        self.pieces: Pieces = {}  # feed items, figures.json's parts, sitemaps
        self.share: Share = ALONE
        # Every listed page and its last change (or what works it out), when this
        # process writes the sitemap; else left empty, as the times cost a pass over
        # a topic's or a metric's entries.
        self._sitemap: Listed = []
        self._lists_pages = True
        self.rendered = 0  # pages rendered (not reused) by the last `render`
        self.progress: Callable[[], object] | None = None  # called per page rendered
        # With a build cache: each page's digest last build, and this build's.
        self.digests_before: dict[str, tuple[bytes, int, int]] | None = None
        self.digests: dict[str, tuple[bytes, int, int]] = {}
        self.data_stories: set[str] = set()  # stories whose data files this process made
        self._deferred: list[StoryPlan] = []
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
        self.helpers = TemplateHelpers(self.env, self.keep)
        # The dev server: file path -> the key its page was last rendered with. Not its
        # HTML: an unchanged page is already in the served folder.
        self._pages: dict[str, object] = {}

    def feed_items(self) -> FeedItems:
        return FeedItems(self.site, self.words, self.helpers.body, self._notes)

    def _notes(self, entry: Entry) -> tuple[tuple[str | None, ...], ...]:
        return self.helpers.plans[entry.story].notes(entry)

    # One page ------------------------------------------------------------------------

    def page(self, job: PageJob) -> None:
        """Render `job` unless its key is what it was last time (or the build cache's)."""
        if self.interrupted is not None and self.interrupted():
            raise Interrupted
        file_path = routes.file_of(job.path)
        if job.listed and self._lists_pages:
            self._sitemap.append((job.path, job.lastmod))
        mine = self.share.mine(file_path, page=True)
        if not (mine or self.share.lead):
            return
        key = job.key() if callable(job.key) else job.key  # made only when needed
        if mine and self._kept_as_before(file_path, (job.template, key, self.config_digest)):
            return
        full_key = None
        if self.keep:  # the dev server: a page it rendered last time, with the same key
            full_key = (job.template, key, self.site.config)
            if not mine:  # the lead: a worker renders it; the next rebuild compares keys
                self._pages[file_path] = full_key
                self.out.counted(file_path)  # type: ignore[attr-defined]
                return
            if self._pages.get(file_path) == full_key and self.out.still_there(file_path):
                return
        base = self.site.config.base_url
        with self.helpers.on_page(file_path, base_path(base) if job.anywhere and base else None):
            values = job.context()
            meta = PageMeta(**values.pop("meta", {}))  # type: ignore[arg-type]
            canonical = job.canonical or job.path
            html = self.env.get_template(job.template).render(
                page_path=file_path,
                canonical=absolute(base, canonical) if base and not job.anywhere else None,
                meta=meta,
                site=self.site,
                **values,
            )
        if self.keep:
            self._pages[file_path] = full_key
        self.rendered += 1
        if self.progress is not None:
            self.progress()
        self.out.write(file_path, html)

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

    # The site ------------------------------------------------------------------------

    def render(self, site: Site, out: Output) -> None:
        """Write every page, feed, data file and asset of `site` into `out`."""
        self.site, self.out = site, out
        if site.words != self.words:
            self._speak(site.words)
        # Digested once, not pickled into the digest of every page.
        self.config_digest = key_digest(site.config)
        self._sitemap = []
        self._lists_pages = bool(self.share.mine(routes.SITEMAP) and site.config.base_url)
        self._deferred = []  # (an interrupted render's)
        self.rendered = 0
        self.helpers.versions = {}
        for source, path in static_files(self.dirs):
            self.helpers.versions[path] = asset_version(source)
            if self.share.mine(path):
                out.copy(source, path)
        metrics = site_metrics(site)
        shared = frozenset(m.slug for m in metrics if len(stories_of(m)) > 1)
        for story in site.stories:
            self.story(story, shared)
        for job in site_pages(site, bool(metrics)):
            self.page(job)
        for job in site_figure_pages(site, metrics, self.words):
            self.page(job)
        if self.written is not None:
            self.written()
        for plan in self._deferred:
            self.data_files(plan)
        self._deferred = []
        news = news_entries(site) if site.config.base_url else []
        if self.share.mine(routes.SITEMAP) and site.config.base_url:
            others = ((routes.NEWS_SITEMAP, news[0].time),) if news else ()
            for path, key, make in sitemap_files(site.config.base_url, self._sitemap, others):
                self._sitemap_file(path, key, make)
        if news and self.share.mine(routes.NEWS_SITEMAP):
            out.write(routes.NEWS_SITEMAP, news_sitemap(site, news))
        if self.share.mine(routes.ROBOTS):
            out.write(routes.ROBOTS, robots(site.config.base_url, bool(news)))
        if (logo := site.config.logo) is not None and self.share.mine(routes.logo(logo.name)):
            out.copy(site.content / logo.name, routes.logo(logo.name))
        if self.share.mine(routes.HEADERS):
            out.write(routes.HEADERS, headers_file(site))
        if self.share.mine(routes.SITE_FIGURES_JSON):
            for path, text in self._exports(site, metrics):
                out.write(path, text)
        if site.config.cms is not None and self.share.mine(routes.admin()):
            self._admin(site, out)

    def _admin(self, site: Site, out: Output) -> None:
        """The CMS's admin page, its configuration and scripts (`render.cms`)."""
        for path, made in self.admin(site).items():
            if isinstance(made, Path):
                out.copy(made, path)
            else:
                out.write(path, made)

    def admin(self, site: Site) -> dict[str, str | Path]:
        """The admin folder's files by site path: text, or a file to copy."""
        template = self.env.get_template("admin.html")
        page = lambda admin: template.render(site=site, admin=admin)  # noqa: E731
        return dict(admin_files(site, self.dirs, page, self.helpers.versions))

    def story(self, story: Story, shared: frozenset[str] = frozenset()) -> None:
        """A story's pages, media and photos' copies, then its data files and feeds
        (the dev server's after every page, so an open page reloads sooner). `shared`:
        the metrics other stories report too."""
        plan = plan_story(story, self.site.config.per_page, self.words, shared)
        self.helpers.plans[story.slug] = plan
        first = [e for e in story.entries if (story.slug, e.slug) in self.first]
        if first:  # the dev server: the pages just edited, and the timeline showing them
            for job in early_pages(self.site, plan, first):
                self.page(job)
            if self.written is not None:
                self.written()
        for job in story_pages(self.site, plan):
            self.page(job)
        for media in story.media:
            if self.share.mine(path := routes.in_story(story.slug, media.as_posix())):
                self.out.copy(story.folder / media, path)
        for name, widths in story.copies:
            self._photo_copies(story, name, widths)
        if self.keep:
            self._deferred.append(plan)
            return
        # A one-off build: nothing of this story is needed after its files.
        self.data_files(plan)
        if self.feed_parts is not None and (base := self.site.config.base_url):
            last = None
            if self.digests_before is not None:
                spans = self.pieces.get(("feedspans", story.slug, ""))
                last = LastFeeds(self.digests_before, spans and spans[1], self.config_digest)
            self.feed_places[story.slug] = feed_share(
                story,
                self.feed_parts,
                self.share,
                self.feed_items(),
                absolute(base, story.path),
                self.out,
                last,
            )
        self.helpers.forget()
        del self.helpers.plans[story.slug]
        if self.digests_before is None:  # without a build cache, no piece is kept
            self.pieces.clear()

    def entry_first(self, entry: Entry) -> bool:
        """The dev server: render an edited entry's own page, the timeline page showing
        it and the story's front page before the site is read again, as the last render
        placed it; False, writing nothing, unless the edit changed only what pages show
        of it (`StoryPlan.with_edit`).

        A full rebuild follows at once. Its pages' keys hold everything they show: any
        page it finds changed after all, it renders again; the rest it leaves as written
        here.
        """
        last = self.helpers.plans.get(entry.story)
        plan = last.with_edit(entry, self.site.config.per_page) if last is not None else None
        if plan is None:
            return False
        self.page(entry_page(self.site, plan, entry, listed=False))
        shown = {plan.where.get(entry.slug), plan.story.path}  # the front page: its update
        for timeline in plan.pages:
            if timeline.path in shown:
                self.page(timeline_job(self.site, plan, timeline, listed=False))
        return True

    # Files besides pages -------------------------------------------------------------

    def data_files(self, plan: StoryPlan) -> None:
        """figures.json, latest.json and (in the dev server) the feeds of a story; a
        one-off build joins its feeds from every worker's parts (see feedparts)."""
        story = plan.story
        if not self.share.mine(routes.figures_json(story.slug)):
            return
        self.data_stories.add(story.slug)
        base = self.site.config.base_url
        digests = self.digests_before is not None
        figures = story_figures(story, plan.metrics, base, self.pieces, digests)
        self.out.write(routes.figures_json(story.slug), figures)
        front = story.entries[: self.site.config.per_page]  # what the front page shows
        self.out.write(routes.latest_json(story.slug), latest_json(story, front, plan.notes))
        if base and self.keep:
            prefix = absolute(base, story.path)
            maker = self.feed_items()
            entries = feed_entries(self.site, story)
            items = [maker.kept(entry, prefix, self.pieces) for entry in entries]
            write_story_feeds(self.out, self.site, story, items)

    def _photo_copies(self, story: Story, name: str, widths: tuple[int, ...]) -> None:
        """The smaller copies of one photo (see images): made again only when the photo
        changed, as resizing one takes tens of milliseconds."""
        source = story.folder / name
        paths = {w: routes.in_story(story.slug, copy_name(name, w)) for w in widths}
        mine = {w: path for w, path in paths.items() if self.share.mine(path)}
        if not mine:
            return
        digest = story.media_digests.get(name)
        if digest is None:  # deleted since it was read: the next build says so
            return
        for width, path in mine.items():
            made_from = ("copy", digest, width)
            if not self._kept_as_before(path, made_from):
                self.out.made_from(path, made_from, lambda w=width: resized(source, w))

    def _exports(self, site: Site, metrics: tuple[Metric, ...]) -> Iterator[tuple[str, str]]:
        """The site's open-data files, from each metric's part. The dev server keeps
        the parts until their metric changes, as every save would else serialise
        every claim of the site again."""
        parts = []
        for metric in metrics:
            if not self.keep:
                parts.append(metric_part(site, metric))
                continue
            key = (metric, site.config.base_url)
            cached = self.pieces.get(("site-metric", metric.slug, ""))
            if cached is None or cached[0] != key:
                cached = (key, metric_part(site, metric))
                self.pieces[("site-metric", metric.slug, "")] = cached
            parts.append(cached[1])
        return site_exports(site, parts)

    def _sitemap_file(self, path: str, key: object, make: Callable[[], bytes]) -> None:
        if self._kept_as_before(path, ("sitemap", key)):
            return
        cached = self.pieces.get(("sitemap", path, ""))
        if cached is None or cached[0] != key:  # the dev server keeps it between builds
            cached = (key, make())
            self.pieces[("sitemap", path, "")] = cached
        self.out.write(path, cached[1])
