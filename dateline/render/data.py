"""A story's data files and feeds, and the sitemap: made from pieces kept by what they
show, so after one edit only that entry's feed items and its metrics are serialised
again (pieces are kept by the dev server, and metrics' by the build cache too)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from markupsafe import escape

from dateline import routes
from dateline.model.metrics import Metric, figures_json, metric_json
from dateline.model.site import Entry, Site, Story
from dateline.plan.story import Notes
from dateline.render.feeds import JSON_SEPARATOR, atom_frame, atom_item, json_frame, json_item
from dateline.render.metadata import sitemap, sitemap_index
from dateline.speed.keys import key_digest
from dateline.urls import absolute, rebase
from dateline.words import Words
from dateline.write.output import Output

SITEMAP_LIMIT = 50_000  # URLs in one sitemap file (sitemaps.org); more go in parts

# (kind, story or file, name) -> (the key of what it was made from, what was made)
Pieces = dict[tuple[str, str, str], tuple[object, Any]]


def story_figures(
    story: Story, metrics: tuple[Metric, ...], base: str | None, pieces: Pieces, digests: bool
) -> str:
    """The story's figures.json, each metric's part kept in `pieces`. With `digests`
    (the build cache keeps pieces) a part's key is a digest, not the metric and every
    entry it cites."""
    entry_url = {e.slug: absolute(base, e.path) if base else e.path for e in story.entries}
    parts = []
    for metric in metrics:
        key: object = (metric, base)
        if digests:
            key = key_digest(key)
        cached = pieces.get(("metric", story.slug, metric.slug))
        if cached is None or cached[0] != key:
            cached = (key, metric_json(metric, entry_url))
            pieces[("metric", story.slug, metric.slug)] = cached
        parts.append(cached[1])
    return figures_json(story, parts)


class FeedItems:
    """Makes entries' Atom and JSON Feed items, with their figure boxes' notes."""

    def __init__(
        self,
        site: Site,
        words: Words,
        body: Callable[[Entry], str],
        notes: Callable[[Entry], Notes],
    ) -> None:
        self.site, self.words, self.body, self.notes = site, words, body, notes

    def key(self, entry: Entry, settings: object) -> tuple[object, ...]:
        """What an entry's feed items show; `settings` stands for the site's settings
        (the settings themselves, or for a digest, their digest)."""
        return (entry, self.notes(entry), settings)

    def make(self, entry: Entry, prefix: str) -> tuple[bytes, bytes]:
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

    def kept(self, entry: Entry, prefix: str, pieces: Pieces) -> tuple[bytes, bytes]:
        """An entry's feed items, kept in `pieces` between the dev server's renders."""
        key = self.key(entry, self.site.config)
        cached = pieces.get(("feed", entry.story, entry.slug))
        if cached is None or cached[0] != key:
            cached = (key, self.make(entry, prefix))
            pieces[("feed", entry.story, entry.slug)] = cached
        return cached[1]  # type: ignore[no-any-return]


def write_feeds(out: Output, site: Site, story: Story, items: list[tuple[bytes, bytes]]) -> None:
    """The story's two feeds from its entries' items, newest first; written item by
    item, never whole (a long story's feeds are tens of megabytes each)."""
    with out.stream(routes.feed_atom(story.slug)) as atom:
        head, tail = atom_frame(site, story)
        atom.write(head)
        for xml, _ in items:
            atom.write(xml)
        atom.write(tail)
    with out.stream(routes.feed_json(story.slug)) as feed:
        head, tail = json_frame(site, story)
        feed.write(head)
        for number, (_, item) in enumerate(items):
            feed.write(JSON_SEPARATOR + item if number else item)
        feed.write(tail)


Listed = list[tuple[str, datetime | Callable[[], datetime | None] | None]]


def sitemap_files(
    base: str, listed: Listed, others: tuple[tuple[str, datetime | None], ...] = ()
) -> Iterator[tuple[str, object, Callable[[], bytes]]]:
    """sitemap.xml as (path, key, maker): an index of the parts listing the pages (each
    up to `SITEMAP_LIMIT`, sitemaps.org's limit, which a site of a few long stories
    passes) and of `others`, sitemaps made elsewhere (the news sitemap); one list of
    the pages when there is nothing else to name."""
    pages = [(path, when() if callable(when) else when) for path, when in listed]
    if len(pages) <= SITEMAP_LIMIT and not others:
        yield routes.SITEMAP, (tuple(pages), base), lambda: sitemap(base, pages)
        return
    parts = [pages[i : i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)]
    index = []
    for number, part in enumerate(parts, start=1):
        name = routes.sitemap_part(number)
        yield name, (tuple(part), base), lambda part=part: sitemap(base, part)
        times = [modified for _, modified in part if modified is not None]
        index.append((name, max(times, key=datetime.timestamp, default=None)))
    index.extend(others)
    yield routes.SITEMAP, (tuple(index), base), lambda: sitemap_index(base, index)
