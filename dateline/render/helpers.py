"""What templates call while a page renders: links from the page, entries' bodies with
their figure boxes, timeline articles.

Every link is made from the page being rendered (`page`), not from a template
context, so the theme's macros can be imported once, without context, and the output
works under any sub-path.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from functools import cached_property

import jinja2
from markupsafe import Markup

from dateline import routes
from dateline.model.site import Entry
from dateline.plan.story import StoryPlan, story_key
from dateline.render.feeds import entry_version
from dateline.urls import absolute, rebase, relative

_PLACEHOLDER = re.compile(r"<!--dateline:figures:(\d+)-->\n?")


class TemplateHelpers:
    """The helpers of one template environment, installed into it by `install`.

    `keep` (the dev server): timeline articles are rendered once and kept, each page
    only prefixing their links; a one-off build renders each on the one page it is on.
    """

    def __init__(self, env: jinja2.Environment, keep: bool) -> None:
        self.env = env
        self.keep = keep
        self.page = ""  # the file being rendered, which links are made from
        # A page served at any address (the 404 page) links from the host's root under
        # base_url's path instead: this, while it renders.
        self.root: str | None = None
        self.versions: dict[str, str] = {}  # theme asset -> digest of its bytes
        self.plans: dict[str, StoryPlan] = {}  # story slug -> its plan, as last rendered
        self._bodies: dict[tuple[str, str], tuple[Entry, object, str]] = {}
        self._articles: dict[tuple[str, str], tuple[object, str]] = {}
        helpers = {
            "entry_body": self.entry_body,
            "entry_link": self.entry_link,
            "entry_version": self.entry_version,
        }
        env.globals.update(url=self.url, article=self.article, **helpers)
        # As filters too, called directly (see url_filter): what the default theme uses.
        env.filters.update(url=self.url_filter, article=self.article, **helpers)
        self._box = env.get_template("figures.html")  # (compiled with the helpers in place)

    def forget(self) -> None:
        """Drop the bodies and articles kept (a one-off build, after each story)."""
        self._bodies.clear()
        self._articles.clear()

    @contextlib.contextmanager
    def on_page(self, path: str, root: str | None = None) -> Iterator[None]:
        """Link from `path` (or from `root`, for a page served anywhere) meanwhile."""
        page, self.page = self.page, path
        was, self.root = self.root, root
        try:
            yield
        finally:
            self.page, self.root = page, was

    def url(self, target: str) -> str:
        """Link from the page being rendered to a site path: relative, or from the
        host's root for a page served at any address.

        A theme asset's link carries a digest of its bytes (`static/style.css?v=…`), so
        after a theme change no reader gets new pages with a stylesheet a browser or a
        CDN kept.
        """
        link = absolute(self.root, target) if self.root is not None else relative(self.page, target)
        version = self.versions.get(target)
        return link if version is None else f"{link}?v={version}"

    @jinja2.pass_context
    def url_filter(self, context: jinja2.runtime.Context, target: str) -> str:
        """`url` as a filter, `{{ story.path | url }}`: what the default theme writes. A
        filter is called directly, where a global goes through Jinja's `Context.call`;
        taking the context keeps Jinja from folding `'…' | url` into a constant when it
        compiles a template, as the link depends on the page."""
        return self.url(target)

    def entry_version(self, entry: Entry) -> str:
        """What latest.json says of the entry's version (feeds.entry_version)."""
        return entry_version(entry, self.plans[entry.story].notes)

    def entry_body(self, entry: Entry) -> Markup:
        prefix = self.url(routes.story(entry.story))
        html = self.body(entry)
        return Markup(html if prefix == "./" else rebase(html, prefix))

    def entry_link(self, entry: Entry) -> str:
        """Link to an entry where the timeline shows it (front or archive page)."""
        page = self.plans[entry.story].where.get(entry.slug, entry.path)
        here = self.url(page)
        return f"{'' if here == './' else here}#{entry.anchor}"

    @cached_property
    def _entry_article(self) -> Callable[..., str]:
        """The theme's `entry_article` macro, looked up when first used (a theme that
        never shows timeline articles need not have it)."""
        return self.env.get_template("macros.html").module.entry_article  # type: ignore[attr-defined]

    @jinja2.pass_context
    def article(self, context: jinja2.runtime.Context, entry: Entry) -> Markup:
        """An entry as the timeline shows it; see the class for `keep`."""
        story = context["story"]
        macro = self._entry_article
        if not self.keep:
            return Markup(macro(entry, story))
        key = (entry, self.plans[entry.story].notes(entry), story_key(story))
        cached = self._articles.get((entry.story, entry.slug))
        if cached is None or cached[0] != key:
            with self.on_page(routes.file_of(story.path)):
                cached = (key, str(macro(entry, story)))
            self._articles[(entry.story, entry.slug)] = cached
        prefix = self.url(story.path)
        return Markup(cached[1] if prefix == "./" else rebase(cached[1], prefix))

    def body(self, entry: Entry) -> str:
        """The entry body with its figure boxes, links relative to the story folder.

        Made when first needed: a worker that renders none of an entry's pages never
        renders its boxes. Only bodies with boxes are kept (the rest are the entry's own
        HTML), so a long story's bodies are not all held twice.
        """
        if not entry.boxes:
            return entry.body_html
        notes = self.plans[entry.story].notes(entry)
        cached = self._bodies.get((entry.story, entry.slug))
        if cached is not None and cached[0] == entry and cached[1] == notes:
            return cached[2]
        with self.on_page(routes.file_of(routes.story(entry.story))):  # for url() in a box
            html = _PLACEHOLDER.sub(
                lambda m: self._box.render(
                    box=entry.boxes[int(m.group(1))], changes=notes[int(m.group(1))], entry=entry
                ),
                entry.body_html,
            )
        self._bodies[(entry.story, entry.slug)] = (entry, notes, html)
        return html
