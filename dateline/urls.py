"""The one way dateline makes and checks URLs.

Pages link relatively so a site works under any sub-path; `base_url` is joined only
where an absolute URL is required (feeds, figures.json, canonical links). Routing every
link through here keeps that promise in one place.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
# How a link that needs no rebasing starts: a scheme, a site-absolute path, a fragment.
_ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|/|#")


# A web address of plain characters (lower-case host; letters, digits and `/_.~-` in the
# path), as most links in entries are: such a link is safe as it stands and Markdown's
# normalising leaves it unchanged (checked on 200,000 random ones), so both are skipped.
PLAIN_WEB_URL = re.compile(r"https?://[a-z0-9.-]+(?:/[A-Za-z0-9/_.~-]*)?")


def is_safe_url(url: str) -> bool:
    """True for http, https, mailto and relative URLs: what may reach a reader."""
    if PLAIN_WEB_URL.fullmatch(url):
        return True
    cleaned = _CONTROL.sub("", url)
    try:
        scheme = urlsplit(cleaned).scheme.lower() if ":" in cleaned else ""
    except ValueError:  # e.g. an unbalanced '[' read as a broken IPv6 host
        return False
    if scheme:
        return scheme in _SAFE_SCHEMES
    return ":" not in cleaned.split("/", 1)[0]


@lru_cache(maxsize=4096)
def relative(from_page: str, target: str) -> str:
    """Link from the page at site path `from_page` to site path `target`.

    Site paths have no leading slash and no `.` or `..` parts; a target ending in '/'
    is a folder's index. Runs for every link of every page, so it is string work: go up
    from the page's folder until the target is inside, then down. Cached as well: pages
    at one depth share most of their links (the stylesheet, the story, its topics).
    """
    if target.startswith("/") or "//" in target:  # a theme's url('/static/…'): no empty parts
        parts = [part for part in target.split("/") if part]
        target = "/".join(parts) + ("/" if parts and target.endswith("/") else "")
    folder = from_page[: from_page.rfind("/") + 1]  # '' for a page at the root
    ups = 0
    while not target.startswith(folder):
        folder = folder[: folder.rfind("/", 0, len(folder) - 1) + 1]
        ups += 1
    rest = target[len(folder) :]
    return "../" * ups + rest if ups or rest else "./"


def absolute(base_url: str, target: str) -> str:
    """Join a site path onto `base_url` (which may include a sub-path).

    The path is percent-encoded where it is not ASCII (a story or entry named in
    Cyrillic or Arabic): sitemaps must list escaped URLs, and feed readers and crawlers
    take them as the browser sends them. What is already escaped stays as it is.
    """
    if not target.isascii():
        target = quote(target, safe="/%#?&=+:;,@!$'()*~")
    return base_url.rstrip("/") + "/" + target.lstrip("/")


def base_path(base_url: str | None) -> str:
    """The path part of `base_url` ('/live/' for https://example.org/live/), ending in
    '/'; '/' without a base URL."""
    path = urlsplit(base_url).path if base_url else ""
    return path if path.endswith("/") else path + "/"


def rebase(html: str, prefix: str) -> str:
    """Prefix every relative href/src (and srcset address) in `html` so it resolves
    from another folder.

    Bodies are rendered once, relative to their story folder; a page elsewhere (an
    entry's own page, one level down) rebases them instead of rendering again. An
    attribute counts after any whitespace, as the regular expression
    `(\\s(?:href|src)=")(?!scheme:|/|#)` would find it; `str.find` does it faster than
    that expression, for every body rebased (tests/test_properties.py checks they agree).
    """
    if not prefix:
        return html
    points = []
    for attr in ('href="', 'src="'):
        at = html.find(attr)
        while at != -1:
            value = at + len(attr)
            if at and html[at - 1].isspace() and not _ABSOLUTE.match(html, value):
                points.append(value)
            at = html.find(attr, value)
    at = html.find('srcset="')  # a photo's smaller copies (or a <source>): each address
    while at != -1:
        value = at + len('srcset="')
        end = html.find('"', value)
        if at and html[at - 1].isspace() and end != -1:
            points.extend(
                value + start
                for start, url in srcset_urls(html[value:end])
                if not _ABSOLUTE.match(url)
            )
        at = html.find('srcset="', value)
    if not points:
        return html
    points.sort()
    ends = [*points, len(html)]
    return prefix.join(html[start:end] for start, end in zip([0, *points], ends, strict=True))


def srcset_urls(srcset: str) -> list[tuple[int, str]]:
    """Each address in a `srcset` value, with where it starts: as the HTML standard
    reads one (an address runs to the next space; a comma after it or after its
    descriptor ends a candidate), so `a,b.jpg 2x` is one address."""
    found = []
    at, end = 0, len(srcset)
    while at < end:
        while at < end and (srcset[at].isspace() or srcset[at] == ","):
            at += 1
        start = at
        while at < end and not srcset[at].isspace():
            at += 1
        url = srcset[start:at]
        if not url:
            break
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # the descriptor, to the comma that ends the candidate (none inside brackets)
            depth = 0
            while at < end and (srcset[at] != "," or depth):
                depth += {"(": 1, ")": -1}.get(srcset[at], 0)
                at += 1
        found.append((start, url))
    return found
