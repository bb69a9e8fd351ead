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
from dateline.model.metrics import Metric
from dateline.model.site import Entry, Site, Story
from dateline.read.figures import FigureBox
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


@lru_cache(maxsize=128)
def boxes_text(boxes: tuple[FigureBox, ...]) -> str:
    """An entry's figure boxes as plain text, for JSON-LD's articleBody and descriptions:
    each metric, then each source's claim as written, then the box's note. No words of
    the theme's own, so it reads the same in any language."""
    parts = []
    for box in boxes:
        claims = "; ".join(f"{c.source}: {c.text}" for c in box.claims)
        parts.append(f"{box.name} — {claims}." + (f" {box.note}" if box.note else ""))
    return " ".join(parts)


def entry_text(entry: Entry) -> str:
    """An entry as plain text: its body, then its boxes' claims (a box-only entry's
    text is its claims)."""
    return " ".join(t for t in (plain_of(entry.body), boxes_text(entry.boxes)) if t)


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
    """The site as the publisher, with its logo (`logo` in site.toml) when it has one."""
    publisher: dict[str, object] = {"@type": "Organization", "name": site.config.title}
    if site.config.base_url:
        publisher["url"] = site.config.base_url
        if (logo := site.config.logo) is not None:
            publisher["logo"] = {
                "@type": "ImageObject",
                "url": f"{absolute(site.config.base_url, routes.logo(logo.name))}?v={logo.version}",
                "width": logo.width,
                "height": logo.height,
            }
    return publisher


def _authors(site: Site, entry: Entry) -> list[dict[str, object]]:
    """Who wrote an entry: each name of its byline, else the publisher."""
    return [{"@type": "Person", "name": name} for name in entry.authors] or [_publisher(site)]


def _section(site: Site, entry: Entry) -> str | None:
    """A summary's section: what it is among the story's updates."""
    return site.words("What you need to know") if entry.summary else None


def _without_none(data: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in data.items() if v is not None}


def entry_update(site: Site, entry: Entry, text: str) -> dict[str, object]:
    """One `liveBlogUpdate` item."""
    return _without_none(
        {
            "@type": "BlogPosting",
            "headline": entry.title,
            "datePublished": iso(entry.time),
            "dateModified": iso(entry.updated) if entry.updated else None,
            "url": _url(site, entry.path),
            "articleBody": text,
            "image": image_url(site, entry),
            "author": _authors(site, entry),
            "articleSection": _section(site, entry),
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
            "author": _authors(site, entry),
            "publisher": _publisher(site),
            "keywords": list(entry.tags) or None,
            "articleSection": _section(site, entry),
            "isPartOf": _without_none(
                {"@type": "LiveBlogPosting", "headline": story.title, "url": _url(site, story.path)}
            ),
        }
    )


def site_jsonld(site: Site) -> dict[str, object]:
    """schema.org WebSite for the site index: the site and its publisher."""
    return _without_none(
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": site.config.title,
            "url": site.config.base_url,
            "inLanguage": site.config.language,
            "publisher": _publisher(site),
        }
    )


def tracker_jsonld(
    site: Site, metric: Metric, path: str, data: dict[str, str], where: str
) -> dict[str, object]:
    """schema.org Dataset for a metric's tracker (what dataset search engines list): its
    claims' span and the open-data files holding them, `data` (site path -> format).
    `where`: in which story, or "every story"."""
    times = [r.entry.time for r in metric.claims]
    described = metric.description or ""
    return _without_none(
        {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": f"{metric.name}: every claim, by source ({where})",
            "description": (
                f"{described} Every figure given for “{metric.name}” in {where}, by source: "
                "who claimed it, as of when, and whether it was verified."
            ).strip(),
            "url": _url(site, path),
            "inLanguage": site.config.language,
            "variableMeasured": metric.name + (f" ({metric.unit})" if metric.unit else ""),
            "temporalCoverage": f"{iso(min(times))}/{iso(max(times))}" if times else None,
            "creator": _publisher(site),
            "isAccessibleForFree": True,
            "distribution": [
                _without_none(
                    {"@type": "DataDownload", "encodingFormat": kind, "contentUrl": _url(site, p)}
                )
                for p, kind in data.items()
            ]
            if site.config.base_url
            else None,
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


NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_DAYS = 2  # Google News reads a news sitemap's articles of the last two days
NEWS_LIMIT = 1000  # and at most this many of them


def news_entries(site: Site) -> list[Entry]:
    """The entries a news sitemap lists: those of the two days before the site's newest
    entry, newest first (measured from content, not the clock, so a build of the same
    content is the same). Drafts never."""
    newest = max((s.entries[0].time for s in site.stories if s.entries), default=None)
    if newest is None:
        return []
    since = newest.timestamp() - NEWS_DAYS * 86400
    recent = []
    for story in site.stories:
        for entry in story.entries:  # newest first: stop at the first too old
            if entry.time.timestamp() < since:
                break
            if not entry.draft:
                recent.append(entry)
    recent.sort(key=lambda e: (-e.time.timestamp(), e.story, e.slug))
    return recent[:NEWS_LIMIT]


def news_language(language: str) -> str:
    """Google News' language code: ISO 639's, but `zh-cn` and `zh-tw` for Chinese."""
    parts = language.lower().split("-")
    if parts[0] == "zh":
        return "zh-tw" if {"hant", "tw", "hk", "mo"} & set(parts[1:]) else "zh-cn"
    return parts[0]


def news_sitemap(site: Site, entries: list[Entry]) -> bytes:
    """news-sitemap.xml (Google Search Central's format) for `entries`."""
    base = site.config.base_url
    assert base is not None
    name, language = escape(site.config.title), news_language(site.config.language)
    lines = [
        "<?xml version='1.0' encoding='utf-8'?>",
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">',
    ]
    for entry in entries:
        lines += [
            f"  <url>\n    <loc>{escape(absolute(base, entry.path))}</loc>",
            "    <news:news>",
            f"      <news:publication><news:name>{name}</news:name>"
            f"<news:language>{language}</news:language></news:publication>",
            f"      <news:publication_date>{iso(entry.time)}</news:publication_date>",
            f"      <news:title>{escape(entry.title)}</news:title>",
            "    </news:news>\n  </url>",
        ]
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def robots(base_url: str | None, news: bool = False) -> str:
    """robots.txt: everything may be crawled; the sitemaps are named when there are any."""
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {absolute(base_url, routes.SITEMAP)}")
        if news:
            lines.append(f"Sitemap: {absolute(base_url, routes.NEWS_SITEMAP)}")
    return "\n".join(lines) + "\n"
