"""Every internal link and #anchor in the built site must resolve.

Run (`--strict`) on the files a build staged and kept, before they are put in place,
so a broken link fails the build and never reaches readers. It reads the HTML that was
actually written, which catches mistakes in templates as well as in content.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dateline.errors import ContentError
from dateline.urls import srcset_urls

_LINK_ATTRS = {
    **{"a": "href", "link": "href", "img": "src", "script": "src", "source": "src"},
    **{"video": "src", "audio": "src", "track": "src"},
}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []
        self.has_base = False  # links then resolve against a <base> (a theme's own)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        self.has_base = self.has_base or tag == "base"
        wanted = _LINK_ATTRS.get(tag)
        if wanted and values.get(wanted):
            self.links.append((str(values[wanted]), self.getpos()[0]))
        if tag in ("img", "source") and values.get("srcset"):  # a photo's smaller copies
            line = self.getpos()[0]
            self.links.extend((url, line) for _, url in srcset_urls(str(values["srcset"])))


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def check_links(files: Mapping[str, Path], shown: str) -> list[ContentError]:
    """Broken internal links in a build's `files` (site path -> file where it is now);
    `shown` is how the output folder is printed."""
    parsed = {name: _parse(files[name]) for name in sorted(files) if name.endswith(".html")}
    problems: list[ContentError] = []
    for name, page in parsed.items():
        for link, line in [] if page.has_base else page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("/"):
                continue  # external, or absolute to the host: not ours to check
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(name), unquote(parts.path))
            )
            if parts.path == "":
                target = name
            elif link.split("#")[0].endswith("/") or target not in files:
                target = posixpath.normpath(posixpath.join(target, "index.html"))
            where = f"{shown}/{name}"
            if target.startswith("../") or target not in files:
                problems.append(ContentError(where, line, f"broken link {link!r}: no such file"))
            elif (
                parts.fragment
                and target in parsed
                and unquote(parts.fragment) not in parsed[target].ids
            ):
                problems.append(
                    ContentError(where, line, f"broken link {link!r}: no #{parts.fragment} there")
                )
    return problems
