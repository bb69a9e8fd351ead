"""Rendering the read site into files (the second phase of a build).

Nothing here can fail on content: reading has already checked it. Each page knows its
own site path, and every link goes through `urls.relative` from it, so the output works
under any sub-path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import groupby

import jinja2
from markupsafe import Markup

from .feeds import atom_feed, json_feed
from .metrics import collect_metrics, figures_json
from .model import Entry, Site, Story
from .output import Output
from .theme import make_env, static_files, theme_dirs
from .urls import absolute, rebase, relative

_PLACEHOLDER = re.compile(r"<!--dateline:figures:(\d+)-->\n?")


@dataclass(frozen=True)
class Day:
    """A day heading on the timeline and its entries, newest first."""

    date: date
    entries: tuple[Entry, ...]


def days(entries: tuple[Entry, ...]) -> list[Day]:
    """Group entries (newest first) by their date in the story's zone."""
    return [Day(d, tuple(group)) for d, group in groupby(entries, key=lambda e: e.time.date())]


class Renderer:
    """Renders pages for one build; holds the compiled templates and per-entry HTML."""

    def __init__(self, site: Site, out: Output) -> None:
        self.site = site
        self.out = out
        self.dirs = theme_dirs(site.content)
        self.env = make_env(self.dirs)
        self.env.globals["entry_body"] = self._entry_body
        self.env.globals["site"] = site
        self._box = self.env.get_template("figures.html")
        self._bodies: dict[tuple[str, str], str] = {}

    def _story_html(self, entry: Entry) -> str:
        """The entry body with its figure boxes, links relative to the story folder."""
        cache_key = (entry.story, entry.slug)
        html = self._bodies.get(cache_key)
        if html is None:
            html = _PLACEHOLDER.sub(
                lambda m: self._box.render(box=entry.boxes[int(m.group(1))], entry=entry),
                entry.body_html,
            )
            self._bodies[cache_key] = html
        return html

    @jinja2.pass_context
    def _entry_body(self, context: jinja2.runtime.Context, entry: Entry) -> Markup:
        prefix = relative(context["page_path"], f"{entry.story}/")
        html = self._story_html(entry)
        return Markup(html if prefix == "./" else rebase(html, prefix))

    def page(self, template: str, path: str, **context: object) -> None:
        """Render `template` to the site path `path` (a folder path gets index.html)."""
        file_path = path + "index.html" if path.endswith("/") or not path else path
        canonical = absolute(self.site.config.base_url, path) if self.site.config.base_url else None
        html = self.env.get_template(template).render(
            page_path=file_path, canonical=canonical, **context
        )
        self.out.write(file_path, html)

    def absolute_body(self, story: Story) -> Callable[[Entry], str]:
        base = self.site.config.base_url
        assert base is not None
        prefix = absolute(base, story.path)
        return lambda entry: rebase(self._story_html(entry), prefix)

    def story(self, story: Story) -> None:
        config = self.site.config
        metrics = collect_metrics(story)
        self.page(
            "story.html",
            story.path,
            story=story,
            pinned=[e for e in story.entries if e.pinned],
            key_entries=[e for e in story.entries if e.key],
            days=days(story.entries),
            metrics=metrics,
        )
        for entry in story.entries:
            self.page("entry.html", entry.path, story=story, entry=entry)
        for media in story.media:
            self.out.copy(story.folder / media, f"{story.path}{media.as_posix()}")
        entry_url = {
            e.slug: absolute(config.base_url, e.path) if config.base_url else e.path
            for e in story.entries
        }
        self.out.write(f"{story.path}figures.json", figures_json(story, metrics, entry_url))
        if config.base_url:
            body = self.absolute_body(story)
            self.out.write(f"{story.path}feed.xml", atom_feed(self.site, story, body))
            self.out.write(f"{story.path}feed.json", json_feed(self.site, story, body))

    def render(self) -> None:
        for source, path in static_files(self.dirs):
            self.out.copy(source, path)
        for story in self.site.stories:
            self.story(story)
        stories = sorted(
            self.site.stories,
            key=lambda s: (
                s.modified.timestamp() if s.modified else float("-inf"),
                s.slug,
            ),
            reverse=True,
        )
        self.page("index.html", "", stories=stories)
        self.page("404.html", "404.html")


def render_site(site: Site, out: Output) -> None:
    """Write every page, feed, data file and asset of `site` into `out`."""
    Renderer(site, out).render()
