"""Rendering the read site into files (the second phase of a build).

Nothing here can fail on content: reading has already checked it. Each page knows its
own site path, and every link goes through `urls.relative` from it, so the output works
under any sub-path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import jinja2
from markupsafe import Markup

from .chart import build_chart
from .feeds import atom_feed, json_feed
from .metadata import (
    describe,
    entry_jsonld,
    image_url,
    plain_text,
    robots,
    sitemap,
    story_jsonld,
)
from .metrics import Metric, change_text, collect_metrics, figures_json, previous_claims
from .model import Entry, Site, Story
from .output import Output
from .theme import make_env, static_files, theme_dirs
from .timeline import collect_tags, locations, paginate
from .urls import absolute, rebase, relative

_PLACEHOLDER = re.compile(r"<!--dateline:figures:(\d+)-->\n?")
META_KEYS = ("description", "og_type", "title", "image", "published", "modified", "jsonld")
KEY_LIMIT = 20  # "Latest developments" lists this many key entries at most


class Renderer:
    """Renders pages for one build; holds the compiled templates and per-entry HTML."""

    def __init__(self, site: Site, out: Output) -> None:
        self.site = site
        self.out = out
        self.dirs = theme_dirs(site.content)
        self.env = make_env(self.dirs)
        self.env.globals.update(entry_body=self._entry_body, entry_link=self._entry_link, site=site)
        self._box = self.env.get_template("figures.html")
        self._bodies: dict[tuple[str, str], str] = {}
        self._where: dict[str, str] = {}
        self._sitemap: list[tuple[str, datetime | None]] = []

    def _story_html(self, entry: Entry, notes: Callable[[Entry], list[list[str | None]]]) -> str:
        """The entry body with its figure boxes, links relative to the story folder."""
        cache_key = (entry.story, entry.slug)
        html = self._bodies.get(cache_key)
        if html is None:
            box_notes = notes(entry)
            html = _PLACEHOLDER.sub(
                lambda m: self._box.render(
                    box=entry.boxes[int(m.group(1))],
                    changes=box_notes[int(m.group(1))],
                    entry=entry,
                ),
                entry.body_html,
            )
            self._bodies[cache_key] = html
        return html

    @jinja2.pass_context
    def _entry_body(self, context: jinja2.runtime.Context, entry: Entry) -> Markup:
        prefix = relative(context["page_path"], f"{entry.story}/")
        html = self._bodies[(entry.story, entry.slug)]
        return Markup(html if prefix == "./" else rebase(html, prefix))

    @jinja2.pass_context
    def _entry_link(self, context: jinja2.runtime.Context, entry: Entry) -> str:
        """Link to an entry where the timeline shows it (front or archive page)."""
        page = self._where.get(entry.slug, entry.path)
        here = relative(context["page_path"], page)
        return f"{'' if here == './' else here}#{entry.anchor}"

    def page(
        self,
        template: str,
        path: str,
        *,
        lastmod: datetime | None = None,
        listed: bool = True,
        meta: dict[str, object] | None = None,
        **context: object,
    ) -> None:
        """Render `template` to the site path `path` (a folder path gets index.html).

        `listed` pages go into the sitemap with `lastmod`; `meta` feeds the description,
        OpenGraph and JSON-LD tags of base.html.
        """
        file_path = path + "index.html" if path.endswith("/") or not path else path
        base = self.site.config.base_url
        canonical = absolute(base, path) if base else None
        html = self.env.get_template(template).render(
            page_path=file_path,
            canonical=canonical,
            meta=dict.fromkeys(META_KEYS) | (meta or {}),
            **context,
        )
        self.out.write(file_path, html)
        if listed:
            self._sitemap.append((path, lastmod))

    def story(self, story: Story) -> None:
        config = self.site.config
        metrics = collect_metrics(story)
        changed = previous_claims(metrics)

        def notes(entry: Entry) -> list[list[str | None]]:
            return [
                [
                    change_text(before.claim, claim)
                    if (before := changed.get((entry.slug, box.slug, claim.source)))
                    else None
                    for claim in box.claims
                ]
                for box in entry.boxes
            ]

        texts = {}
        for entry in story.entries:
            self._story_html(entry, notes)
            texts[entry.slug] = plain_text(entry.body_html)
        story_description = story.summary or describe(plain_text(story.standfirst_html))
        pages = paginate(story, config.per_page)
        self._where = locations(pages)
        tags = collect_tags(story)
        common = {"story": story, "metrics": metrics, "tags": tags}
        key_entries = [e for e in story.entries if e.key][:KEY_LIMIT]
        pinned = [e for e in story.entries if e.pinned]
        for timeline in pages:
            modified = _newest(timeline.entries) if timeline.number else story.modified
            self.page(
                "story.html",
                timeline.path,
                lastmod=modified,
                meta={
                    "description": story_description,
                    "og_type": "website",
                    "title": story.title,
                    "jsonld": story_jsonld(self.site, story, timeline.entries, texts, modified),
                },
                timeline=timeline,
                pinned=pinned,
                key_entries=key_entries,
                **common,
            )
        for entry in story.entries:
            self.page(
                "entry.html",
                entry.path,
                lastmod=entry.modified,
                meta={
                    "description": describe(texts[entry.slug]) or entry.title,
                    "og_type": "article",
                    "title": entry.title,
                    "image": image_url(self.site, entry),
                    "published": entry.time,
                    "modified": entry.modified,
                    "jsonld": entry_jsonld(self.site, story, entry, texts[entry.slug]),
                },
                entry=entry,
                **common,
            )
        for metric in metrics:
            self.tracker(story, metric, common)
        for tag in tags:
            self.page("tag.html", tag.path, lastmod=_newest(tag.entries), tag=tag, **common)
        for media in story.media:
            self.out.copy(story.folder / media, f"{story.path}{media.as_posix()}")
        base = config.base_url
        entry_url = {e.slug: absolute(base, e.path) if base else e.path for e in story.entries}
        self.out.write(f"{story.path}figures.json", figures_json(story, metrics, entry_url))
        if base:
            prefix = absolute(base, story.path)

            def body(entry: Entry) -> str:
                return rebase(self._bodies[(entry.story, entry.slug)], prefix)

            self.out.write(f"{story.path}feed.xml", atom_feed(self.site, story, body))
            self.out.write(f"{story.path}feed.json", json_feed(self.site, story, body))

    def tracker(self, story: Story, metric: Metric, common: dict[str, object]) -> None:
        self.page(
            "tracker.html",
            f"{story.path}figures/{metric.slug}/",
            lastmod=_newest(tuple(r.entry for r in metric.claims)),
            meta={"description": f"Every claim for “{metric.name}”, by source, over time."},
            metric=metric,
            chart=build_chart(metric, story.zone),
            **common,
        )

    def render(self) -> None:
        for source, path in static_files(self.dirs):
            self.out.copy(source, path)
        for story in self.site.stories:
            self.story(story)
        stories = sorted(
            self.site.stories,
            key=lambda s: (s.modified.timestamp() if s.modified else float("-inf"), s.slug),
            reverse=True,
        )
        self.page(
            "index.html",
            "",
            lastmod=stories[0].modified if stories else None,
            meta={"og_type": "website", "title": self.site.config.title},
            stories=stories,
        )
        self.page("404.html", "404.html", listed=False)
        base = self.site.config.base_url
        if base:
            self.out.write("sitemap.xml", sitemap(base, self._sitemap))
        self.out.write("robots.txt", robots(base))


def _newest(entries: tuple[Entry, ...]) -> datetime | None:
    return max((e.modified for e in entries), key=datetime.timestamp, default=None)


def render_site(site: Site, out: Output) -> None:
    """Write every page, feed, data file and asset of `site` into `out`."""
    Renderer(site, out).render()
