"""Atom 1.0 and JSON Feed 1.1 for each story, newest entry first.

Atom is produced by feedgen, which handles the XML escaping and element order that
feed readers are picky about; JSON Feed is a plain JSON document. Both need absolute
URLs, so they exist only when the site has a `base_url`.

A feed is made of per-entry items and a head. Items are serialised one entry at a time
(`atom_item`, `json_item`), so a rebuild after one edit re-serialises one item, not
thousands; the documents are then assembled around them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from dateline import __version__, routes
from dateline.model.site import Entry, Site, Story, newest
from dateline.render.metadata import image_url
from dateline.times import iso
from dateline.urls import absolute

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_FEED_END = b"</feed>"


def atom_item(site: Site, entry: Entry, content_html: str) -> bytes:
    """One Atom `<entry>` element, serialised; `content_html` has absolute links."""
    base = site.config.base_url
    assert base is not None
    fe = FeedEntry()
    url = absolute(base, entry.path)
    fe.id(url)
    fe.title(entry.title)
    fe.link(href=url, rel="alternate", type="text/html")
    fe.published(entry.time)
    fe.updated(entry.modified)
    fe.author([{"name": name} for name in entry.authors or (site.config.title,)])
    for tag in entry.tags:
        fe.category(term=tag)
    if entry.summary:  # a "What you need to know": a category a feed reader can sort by
        fe.category(term="summary", label=site.words("What you need to know"))
    fe.content(content_html, type="html")
    return etree.tostring(fe.atom_entry(), encoding="utf-8")


def feed_entries(site: Site, story: Story) -> tuple[Entry, ...]:
    """The entries a story's feeds carry: its newest `feed_items` (contract v1.1; 0,
    every entry). No feed reader wants a long story's thousands of items."""
    limit = site.config.feed_items
    return story.entries if limit == 0 else story.entries[:limit]


def atom_frame(site: Site, story: Story) -> tuple[bytes, bytes]:
    """The Atom document before and after its items, for writing them in between."""
    base = site.config.base_url
    assert base is not None
    fg = FeedGenerator()
    fg.id(absolute(base, story.path))
    fg.title(story.title)
    if story.summary:
        fg.subtitle(story.summary)
    fg.link(href=absolute(base, story.path), rel="alternate", type="text/html")
    fg.link(
        href=absolute(base, routes.feed_atom(story.slug)),
        rel="self",
        type="application/atom+xml",
    )
    fg.author({"name": site.config.title})
    fg.language(site.config.language)
    fg.generator("dateline", version=__version__)
    # The latest change to what the feed carries: an older entry's update leaves it be.
    modified = newest(feed_entries(site, story))
    if modified is not None:
        fg.updated(modified)
    head = fg.atom_str(pretty=False)
    assert head.endswith(_FEED_END)
    return head[: -len(_FEED_END)], _FEED_END + b"\n"


def json_item(site: Site, entry: Entry, content_html: str) -> str:
    """One JSON Feed item, serialised; `content_html` has absolute links."""
    base = site.config.base_url
    assert base is not None
    item: dict[str, object] = {
        "id": absolute(base, entry.path),
        "url": absolute(base, entry.path),
        "title": entry.title,
        "content_html": content_html,
        "date_published": iso(entry.time),
        "date_modified": iso(entry.modified),
    }
    if (image := image_url(site, entry)) is not None:
        item["image"] = image  # the entry's picture: feed readers show it with the item
    if entry.authors:
        item["authors"] = [{"name": name} for name in entry.authors]
    if entry.tags:
        item["tags"] = list(entry.tags)
    item["_dateline"] = {
        "key": entry.key,
        "pinned": entry.pinned,
        "summary": entry.summary,
        "anchor": entry.anchor,
    }
    return json.dumps(item, ensure_ascii=False)


JSON_SEPARATOR = b",\n"  # between a JSON Feed's items, as written


def json_frame(site: Site, story: Story) -> tuple[bytes, bytes]:
    """The JSON Feed document before and after its items (joined by JSON_SEPARATOR),
    in UTF-8 like `atom_frame`'s, for writing the items in between."""
    base = site.config.base_url
    assert base is not None
    document: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": story.title,
        "home_page_url": absolute(base, story.path),
        "feed_url": absolute(base, routes.feed_json(story.slug)),
        "language": site.config.language,
        "authors": [{"name": site.config.title}],
    }
    if story.summary:
        document["description"] = story.summary
    head = json.dumps(document, ensure_ascii=False)
    return (head[:-1] + ', "items": [\n').encode(), b"\n]}\n"


Notes = Callable[[Entry], tuple[tuple[str | None, ...], ...]]


def entry_version(entry: Entry, notes: Notes) -> str:
    """A digest of everything an entry's article shows (its text, boxes and their notes,
    correction, update time, badges): a page that shows another version of it, or
    latest.json saying another, means the entry changed since the page was built."""
    shown = (
        entry.title,
        entry.body.html,
        entry.boxes,
        notes(entry),
        entry.correction,
        entry.updated,
        entry.tags,
        entry.authors,
        entry.location,
        entry.key,
        entry.pinned,
        entry.summary,
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=8).hexdigest()


def latest_json(story: Story, entries: Iterable[Entry], notes: Notes) -> str:
    """The newest entries, for the reader script's live updates: each one's version,
    so an open page also learns of an entry corrected, changed or withdrawn.

    feed.json carries the newest `feed_items` entries with their text, which may be
    every entry; this stays a few KB however long the story runs, so a phone polling
    a weeks-long story does not download megabytes each time a new entry appears.
    """
    document = {
        "story": story.slug,
        "status": story.status,
        "entries": [
            {
                "anchor": e.anchor,
                "path": e.path,
                "title": e.title,
                "time": iso(e.time),
                "version": entry_version(e, notes),
            }
            for e in entries
        ],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
