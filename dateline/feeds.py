"""Atom 1.0 and JSON Feed 1.1 for each story, newest entry first.

Atom is produced by feedgen, which handles the XML escaping and element order that
feed readers are picky about; JSON Feed is a plain JSON document. Both need absolute
URLs, so they exist only when the site has a `base_url`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from feedgen.feed import FeedGenerator

from . import __version__
from .model import Entry, Site, Story
from .times import iso
from .urls import absolute

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def atom_feed(site: Site, story: Story, content_html: Callable[[Entry], str]) -> bytes:
    """The story's Atom feed; `content_html` gives an entry's body with absolute links."""
    base = site.config.base_url
    assert base is not None
    fg = FeedGenerator()
    fg.id(absolute(base, story.path))
    fg.title(story.title)
    if story.summary:
        fg.subtitle(story.summary)
    fg.link(href=absolute(base, story.path), rel="alternate", type="text/html")
    fg.link(
        href=absolute(base, story.path + "feed.xml"),
        rel="self",
        type="application/atom+xml",
    )
    fg.author({"name": site.config.title})
    fg.language(site.config.language)
    fg.generator("dateline", version=__version__)
    modified = story.modified
    if modified is not None:
        fg.updated(modified)
    for entry in story.entries:
        fe = fg.add_entry(order="append")
        url = absolute(base, entry.path)
        fe.id(url)
        fe.title(entry.title)
        fe.link(href=url, rel="alternate", type="text/html")
        fe.published(entry.time)
        fe.updated(entry.modified)
        fe.author({"name": entry.author or site.config.title})
        for tag in entry.tags:
            fe.category(term=tag)
        fe.content(content_html(entry), type="html")
    return fg.atom_str(pretty=True)


def json_feed(site: Site, story: Story, content_html: Callable[[Entry], str]) -> str:
    """The story's JSON Feed 1.1 document."""
    base = site.config.base_url
    assert base is not None
    items = []
    for entry in story.entries:
        item: dict[str, object] = {
            "id": absolute(base, entry.path),
            "url": absolute(base, entry.path),
            "title": entry.title,
            "content_html": content_html(entry),
            "date_published": iso(entry.time),
            "date_modified": iso(entry.modified),
        }
        if entry.author:
            item["authors"] = [{"name": entry.author}]
        if entry.tags:
            item["tags"] = list(entry.tags)
        item["_dateline"] = {
            "key": entry.key,
            "pinned": entry.pinned,
            "anchor": entry.anchor,
        }
        items.append(item)
    document: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": story.title,
        "home_page_url": absolute(base, story.path),
        "feed_url": absolute(base, story.path + "feed.json"),
        "language": site.config.language,
        "authors": [{"name": site.config.title}],
        "items": items,
    }
    if story.summary:
        document["description"] = story.summary
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
