"""Site settings from `site.toml`.

Unknown keys are errors (a misspelt `base_ur` must not silently drop the feeds), and
each value is checked for what it is used for: `base_url` must be absolute, the time
zone must be a real IANA name.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import imagesize

from dateline.errors import ContentError
from dateline.read.cms_settings import CmsSettings, read_cms
from dateline.read.frontmatter import unknown_key_message
from dateline.times import TimeError, load_zone

# Each key and the type its value must have.
SITE_KEYS: dict[str, type] = {
    "title": str,
    "base_url": str,
    "language": str,
    "timezone": str,
    "per_page": int,
    "allow_html": bool,
    "max_entry_kb": int,
    "feed_items": int,  # v1.1
    "cms": dict,  # dateline's own: the Decap CMS admin page (`dateline.read.cms_settings`)
    "search": bool,  # dateline's own: site search (Pagefind), on unless false
    "logo": str,  # dateline's own: the publisher's logo, an image in the content folder
}
DEFAULT_PER_PAGE = 50
DEFAULT_FEED_ITEMS = 50  # a story's feeds carry its newest this many entries; 0: all
DEFAULT_MAX_ENTRY_KB = 512
_EXAMPLES = {
    str: 'a quoted string, like title = "Live news"',
    int: "a whole number of at least 1",
    bool: "true or false",
}
_TOML_LINE = re.compile(r"at line (\d+)")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ABSOLUTE_URL = re.compile(r"^https?://[^/\s]+(/\S*)?$")


@dataclass(frozen=True)
class Logo:
    """The publisher's logo: a file of the content folder, and its size in pixels."""

    name: str  # relative to the content folder, `/`-separated
    width: int
    height: int
    version: str  # a digest of its bytes, for links that change when it does


@dataclass(frozen=True)
class SiteConfig:
    """Validated site-wide settings."""

    title: str
    base_url: str | None  # always ends in '/' when set
    language: str
    zone: ZoneInfo
    per_page: int = DEFAULT_PER_PAGE  # entries on each timeline page
    allow_html: bool = False  # raw HTML in entries, sanitized by nh3
    max_entry_kb: int = DEFAULT_MAX_ENTRY_KB  # larger entry files are refused
    feed_items: int = DEFAULT_FEED_ITEMS  # entries in a story's feeds, newest first; 0: all
    cms: CmsSettings | None = None  # an admin page for editors in the browser, when set
    search: bool = True  # a search page and box, with Pagefind's index of every entry
    logo: Logo | None = None  # the publisher's logo in structured data (`read.site`)

    @property
    def direction(self) -> str:
        """'rtl' for a language written right to left (Arabic, Hebrew, Persian, Urdu…),
        else 'ltr': pages say so (`<html dir>`), and the theme's layout follows."""
        return text_direction(self.language)


# Languages written right to left (primary subtags), and scripts that are.
_RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ps", "sd", "syr", "ug", "ur", "yi"}
)
_RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"})


def text_direction(language: str) -> str:
    """'rtl' or 'ltr' for a BCP 47 tag: a script subtag decides (`ku-Arab`, `az-Latn`),
    else the language."""
    primary, *rest = language.lower().split("-")
    for subtag in rest:
        if len(subtag) == 4 and subtag.isalpha():
            return "rtl" if subtag in _RTL_SCRIPTS else "ltr"
    return "rtl" if primary in _RTL_LANGUAGES else "ltr"


def toml_error_line(exc: tomllib.TOMLDecodeError) -> int:
    """The file line a TOML mistake is at (tomllib says so only in its message)."""
    match = _TOML_LINE.search(str(exc))
    return int(match.group(1)) if match else 1


def _key_lines(text: str) -> dict[str, int]:
    """Line of each key, for messages (tomllib does not report them): a top-level key by
    its name, a key in a `[table]` as `table.key`, and the table's header as `table`."""
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if header := re.match(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]", line):
            table = header.group(1)
            lines.setdefault(table, number)
        elif match := re.match(r"\s*([A-Za-z0-9_-]+)\s*=", line):
            lines.setdefault(f"{table}.{match.group(1)}" if table else match.group(1), number)
    return lines


def _table_lines(lines: dict[str, int], table: str) -> dict[str, int]:
    """The lines of one table's keys, by key; the table's own line as ''."""
    found = {k.split(".", 1)[1]: n for k, n in lines.items() if k.startswith(table + ".")}
    return {"": lines.get(table, 1), **found}


def _toml(path: Path, shown: str) -> tuple[dict, dict[str, int]] | ContentError:
    """`site.toml`'s table and the line of each key, or why it cannot be read."""
    if not path.is_file():
        return ContentError(shown, 1, 'site.toml is missing; it needs at least title = "…"')
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        return ContentError(shown, 1, "site.toml is not valid UTF-8 text")
    except tomllib.TOMLDecodeError as exc:
        return ContentError(shown, toml_error_line(exc), f"site.toml is not valid TOML: {exc}")
    return data, _key_lines(text)


def load_site_config(path: Path, shown: str) -> tuple[SiteConfig | None, list[ContentError]]:
    """Read `site.toml`; `shown` is the path as printed in messages."""
    read = _toml(path, shown)
    if isinstance(read, ContentError):
        return None, [read]
    data, lines = read
    errors: list[ContentError] = []

    def error(key: str, message: str) -> None:
        errors.append(ContentError(shown, lines.get(key, 1), message))

    for key, value in data.items():
        wanted = SITE_KEYS.get(key)
        if wanted is None:
            error(key, unknown_key_message(key, list(SITE_KEYS)))
        elif key == "feed_items" and type(value) is int and value >= 0:
            continue  # 0 is allowed here: every entry
        elif key == "cms":
            continue  # a table, read on its own below
        elif (
            type(value) is not wanted  # bool is a subclass of int: compare exactly
            or (wanted is int and value < 1)
        ):
            example = "a whole number, 0 (every entry) or more" if key == "feed_items" else None
            error(key, f"'{key}' must be {example or _EXAMPLES[wanted]}")
    if errors:
        return None, errors
    title = data.get("title", "").strip()
    if not title:
        error("title", 'site.toml needs a title, like title = "Live news"')
    base_url = data.get("base_url", "").strip() or None
    if base_url is not None:
        if not _ABSOLUTE_URL.match(base_url):
            error(
                "base_url",
                f"base_url {base_url!r} must be an absolute http(s) URL, like 'https://example.org/live/'",
            )
        base_url = base_url.rstrip("/") + "/"
    language = data.get("language", "en").strip()
    if not _LANGUAGE.match(language):
        error(
            "language",
            f"language {language!r} is not a BCP 47 tag such as 'en' or 'en-GB'",
        )
    try:
        zone = load_zone(data.get("timezone", "UTC").strip())
    except TimeError as exc:
        error("timezone", str(exc))
        zone = ZoneInfo("UTC")
    cms = read_cms(data.get("cms"), shown, _table_lines(lines, "cms"), errors)
    logo = _logo(path.parent, data["logo"], lambda m: error("logo", m)) if "logo" in data else None
    if errors:
        return None, errors
    config = SiteConfig(
        title=title,
        base_url=base_url,
        language=language,
        zone=zone,
        per_page=data.get("per_page", DEFAULT_PER_PAGE),
        allow_html=data.get("allow_html", False),
        max_entry_kb=data.get("max_entry_kb", DEFAULT_MAX_ENTRY_KB),
        feed_items=data.get("feed_items", DEFAULT_FEED_ITEMS),
        cms=cms,
        search=data.get("search", True),
        logo=logo,
    )
    return config, []


# What Google reads as a publisher's logo: an image format it indexes, at least this
# many pixels each way (Search Central, "Organization" structured data).
LOGO_FORMATS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
LOGO_MIN_PIXELS = 112


def _logo(content: Path, name: str, error: Callable[[str], None]) -> Logo | None:
    """The `logo` setting checked: a PNG, JPEG, GIF or WebP in the content folder, large
    enough for search engines to show."""
    source = content / name
    if not name.strip() or source.suffix.lower() not in LOGO_FORMATS:
        error(f"logo {name!r} must be a PNG, JPEG, GIF or WebP file in the content folder")
        return None
    # Resolved: a symlink out of the content folder could publish any file of the machine.
    if not source.is_file() or not source.resolve().is_relative_to(content.resolve()):
        error(f"logo {name!r} is not a file in the content folder")
        return None
    # Opened here: one that cannot be read is a read failure (imagesize would hide why).
    with source.open("rb") as handle:
        width, height = imagesize.get(handle)  # (-1, -1) for what is not an image
    if width < 1 or height < 1:
        error(f"logo {name!r} could not be read as an image")
        return None
    if min(width, height) < LOGO_MIN_PIXELS:
        error(
            f"logo {name!r} is {width}x{height} pixels; search engines need at least "
            f"{LOGO_MIN_PIXELS}x{LOGO_MIN_PIXELS}"
        )
        return None
    version = hashlib.blake2b(source.read_bytes(), digest_size=5).hexdigest()
    return Logo(source.relative_to(content).as_posix(), width, height, version)
