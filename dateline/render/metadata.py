"""What search engines and social cards read: JSON-LD, OpenGraph, descriptions, sitemap.

The structured data is built as plain dicts here and serialised by Jinja's `tojson`,
which escapes `<`, `>` and `&`, so no headline or body can close the `<script>` it sits
in. Absolute URLs exist only when the site has a `base_url`.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from html import escape as _html_escape
from html import unescape
from urllib.parse import urlsplit

from dateline import routes
from dateline.model.site import Entry, Site, Story
from dateline.speed.bodies import Body
from dateline.times import iso
from dateline.urls import absolute


def escape(text: str) -> str:
    """XML text: &, < and > escaped (as xml.sax.saxutils does, without its imports)."""
    return _html_escape(text, quote=False)


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
DESCRIPTION_LIMIT = 200


_TAG = re.compile(r"<[^>]*>")


def plain_text(html: str) -> str:
    """The readable text of HTML dateline rendered, whitespace folded (boxes left out).

    A tag pattern is enough here because this HTML comes from markdown-it or nh3, which
    escape every `<` and `>` outside tags; it is not a parser for arbitrary HTML.
    """
    return " ".join(unescape(_TAG.sub(" ", html)).split())


@lru_cache(maxsize=128)
def plain_of(body: Body) -> str:
    """An entry's body as plain text (for descriptions and JSON-LD), the last few kept:
    its own page and its timeline page both ask."""
    return plain_text(body.html)


def describe(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """A short description: the text cut at a word boundary, with an ellipsis if cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def image_url(site: Site, entry: Entry) -> str | None:
    """The absolute URL of an entry's first image, or None."""
    return _image(site, entry.story, entry.image)


def timeline_image(
    site: Site, story: Story, entries: tuple[Entry, ...]
) -> tuple[str | None, str | None]:
    """The social card's image for a page of a story's timeline, and its alt text: the
    standfirst's first image (the editor's lead picture), else the newest of this page's
    entries' images.

    From the page's own entries, not the story's newest: an archive page then keeps its
    bytes as the story grows, and a front page's card follows its latest photo.
    """
    if story.image is not None:
        return _image(site, story.slug, story.image), story.image_alt
    shown = next((e for e in entries if e.image), None)
    if shown is None:
        return None, None
    return _image(site, story.slug, shown.image), shown.image_alt


def _image(site: Site, story: str, src: str | None) -> str | None:
    if src is None:
        return None
    if urlsplit(src).scheme in ("http", "https"):
        return src
    base = site.config.base_url
    return absolute(base, routes.in_story(story, src)) if base else None


def _url(site: Site, path: str) -> str | None:
    return absolute(site.config.base_url, path) if site.config.base_url else None


def _publisher(site: Site) -> dict[str, object]:
    publisher: dict[str, object] = {"@type": "Organization", "name": site.config.title}
    if site.config.base_url:
        publisher["url"] = site.config.base_url
    return publisher


def _without_none(data: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in data.items() if v is not None}


def entry_update(site: Site, entry: Entry, text: str) -> dict[str, object]:
    """One `liveBlogUpdate` item."""
    return _without_none(
        {
            "@type": "BlogPosting",
            "headline": entry.title,
            "datePublished": iso(entry.time),
            "dateModified": iso(entry.modified),
            "url": _url(site, entry.path),
            "articleBody": text,
            "image": image_url(site, entry),
        }
    )


def story_jsonld(
    site: Site,
    story: Story,
    entries: tuple[Entry, ...],
    texts: dict[str, str],
    modified: datetime | None,
    image: str | None = None,
) -> dict[str, object]:
    """schema.org LiveBlogPosting for a timeline page, with that page's entries.

    `modified` is the page's own last change, so a full archive page keeps its bytes
    while newer entries arrive on the front page.
    """
    # Entries are newest first: the ends of the tuple are the coverage's ends.
    first = story.entries[-1].time if story.entries else None
    last = story.entries[0].time if story.entries else None
    return _without_none(
        {
            "@context": "https://schema.org",
            "@type": "LiveBlogPosting",
            "headline": story.title,
            "description": story.summary,
            "url": _url(site, story.path),
            "inLanguage": site.config.language,
            "image": image,
            "datePublished": iso(first) if first else None,
            "dateModified": iso(modified) if modified else None,
            "coverageStartTime": iso(first) if first else None,
            "coverageEndTime": iso(last) if last and story.status == "ended" else None,
            "publisher": _publisher(site),
            "liveBlogUpdate": [entry_update(site, e, texts[e.slug]) for e in entries],
        }
    )


def entry_jsonld(site: Site, story: Story, entry: Entry, text: str) -> dict[str, object]:
    """schema.org NewsArticle for an entry's permalink page."""
    author: dict[str, object] = (
        {"@type": "Person", "name": entry.author} if entry.author else _publisher(site)
    )
    return _without_none(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": entry.title,
            "datePublished": iso(entry.time),
            "dateModified": iso(entry.modified),
            "url": _url(site, entry.path),
            "mainEntityOfPage": _url(site, entry.path),
            "inLanguage": site.config.language,
            "articleBody": text,
            "image": image_url(site, entry),
            "author": author,
            "publisher": _publisher(site),
            "keywords": list(entry.tags) or None,
            "isPartOf": _without_none(
                {"@type": "LiveBlogPosting", "headline": story.title, "url": _url(site, story.path)}
            ),
        }
    )


def sitemap(base_url: str, pages: list[tuple[str, datetime | None]]) -> bytes:
    """sitemap.xml for (site path, last modified) pairs."""
    return _sitemap_xml(base_url, "urlset", "url", pages)


def sitemap_index(base_url: str, parts: list[tuple[str, datetime | None]]) -> bytes:
    """sitemap.xml as an index of sitemap files (site path, newest last modified)."""
    return _sitemap_xml(base_url, "sitemapindex", "sitemap", parts)


def _sitemap_xml(
    base_url: str, root: str, item: str, listed: list[tuple[str, datetime | None]]
) -> bytes:
    """Written line by line (an ElementTree of every page is slow to build, and this
    runs on every rebuild); the only text in it, URLs and times, is escaped."""
    lines = ["<?xml version='1.0' encoding='utf-8'?>", f'<{root} xmlns="{SITEMAP_NS}">']
    for path, modified in listed:
        lines.append(f"  <{item}>\n    <loc>{escape(absolute(base_url, path))}</loc>")
        if modified is not None:
            lines.append(f"    <lastmod>{escape(iso(modified))}</lastmod>")
        lines.append(f"  </{item}>")
    lines.append(f"</{root}>\n")
    return "\n".join(lines).encode("utf-8")


def robots(base_url: str | None) -> str:
    """robots.txt: everything may be crawled; the sitemap is named when there is one."""
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {absolute(base_url, routes.SITEMAP)}")
    return "\n".join(lines) + "\n"
