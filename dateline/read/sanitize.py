"""Raw HTML in entries, for sites that turn it on: cleaned by nh3 (the Ammonia sanitizer).

Off by default. A site that needs embeds (video, audio, social posts, maps) sets
`allow_html = true` in site.toml; HTML is then kept only as far as this allow-list says,
with http, https and mailto URLs only and iframes only from https. A real sanitizer,
not a hand-written filter, because attackers know the filters' blind spots.
"""

from __future__ import annotations

from copy import deepcopy

import nh3

_TAGS = set(nh3.ALLOWED_TAGS) | {"iframe", "video", "audio", "source", "picture", "track"}
_ATTRIBUTES = deepcopy(nh3.ALLOWED_ATTRIBUTES)
for _tag, _extra in {
    "*": {"class", "lang", "title"},
    "img": {"loading", "srcset", "sizes"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "loading", "referrerpolicy"},
    "video": {"src", "controls", "poster", "width", "height", "preload", "muted", "playsinline"}
    | {"aria-label"},
    "audio": {"src", "controls", "preload", "aria-label"},
    "source": {"src", "srcset", "type", "media"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "time": {"datetime"},
}.items():
    _ATTRIBUTES.setdefault(_tag, set()).update(_extra)


def _only_https_frames(tag: str, attribute: str, value: str) -> str | None:
    if tag == "iframe" and attribute == "src" and not value.lower().startswith("https://"):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    attribute_filter=_only_https_frames,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean(html: str) -> str:
    """Sanitize rendered HTML (which may contain editors' raw HTML)."""
    return _CLEANER.clean(html)
