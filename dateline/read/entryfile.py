"""One entry file's bytes into a checked Entry: text, front matter, times, body, boxes.

Everything an editor can get wrong in a file is found here, with its line; the rest of
the reader (reader.py) deals with folders, stories and caching. `parse_entry` is the
whole of it with no file-system access but image look-ups: what the fuzzer drives.
"""

from __future__ import annotations

import hashlib
import math
import os
import posixpath
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt
from markdown_it.token import Token

from dateline.errors import ContentError, ContentWarning, display_path
from dateline.model.site import Entry, EntryLink
from dateline.read.figures import FigureBox, parse_box, scale_slip
from dateline.read.frontmatter import Document, Field, FrontMatterError, Kind, read_fields, split
from dateline.read.images import copy_widths, srcset
from dateline.read.markup import (
    figures_name,
    images,
    markdown_file_links,
    media_kind,
    render,
    sized,
)
from dateline.read.registry import EMPTY, Registry
from dateline.slugs import slugify
from dateline.speed.bodies import body
from dateline.times import TimeError, parse_time

INDEX_FILE = "_index.md"  # a story's own file in its folder

ENTRY_SCHEMA: dict[str, Kind] = {
    "time": "time",
    "title": "text",
    "key": "bool",
    "pinned": "bool",
    "tags": "list",
    "author": "names",
    "location": "text",
    "updated": "time",
    "correction": "text",
    "draft": "bool",
    "summary": "bool",  # dateline's own: a "What you need to know" summary
    "aliases": "list",
}


@dataclass
class Problems:
    """Errors and warnings gathered across the whole read."""

    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentWarning] = field(default_factory=list)

    def error(self, path: str, line: int, message: str) -> None:
        self.errors.append(ContentError(path, line, message))

    def warn(self, path: str, line: int, message: str) -> None:
        self.warnings.append(ContentWarning(path, line, message))


def decode(data: bytes, shown: str, problems: Problems) -> str | None:
    """UTF-8 text with line endings made '\n'; an error at the line of a bad byte."""
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(shown, line, "not valid UTF-8 text; save the file as UTF-8")
        return None


def read_document(
    data: bytes,
    shown: str,
    schema: dict[str, Kind],
    required: tuple[str, ...],
    problems: Problems,
) -> tuple[Document, dict[str, Field]] | None:
    """A file's front matter fields (by `schema`) and body, or None with its mistakes in
    `problems`; shared by entries and story `_index.md` files."""
    text = decode(data, shown, problems)
    if text is None:
        return None
    try:
        doc = split(text)
    except FrontMatterError as exc:
        problems.error(shown, exc.line, exc.message)
        return None
    fields, errors = read_fields(doc, schema, required)
    for exc in errors:
        problems.error(shown, exc.line, exc.message)
    return doc, fields


def read_time(
    fields: dict[str, Field], key: str, zone: ZoneInfo, shown: str, problems: Problems
) -> datetime | None:
    """The time in field `key`, in `zone`; None if absent or unreadable (said why)."""
    item = fields.get(key)
    if item is None:
        return None
    try:
        moment = parse_time(str(item.value), zone)
    except TimeError as exc:
        problems.error(shown, item.line, f"'{key}': {exc}")
        return None
    assert isinstance(moment, datetime)
    return moment.astimezone(zone)


@dataclass(frozen=True)
class RenderedBody:
    """A body parsed once, checked and rendered."""

    html: str
    boxes: tuple[FigureBox, ...]
    image: tuple[str, str] | None  # the first image: (URL as written, alt text)
    copies: tuple[tuple[str, tuple[int, ...]], ...]  # photos to copy smaller (see images)
    links: tuple[EntryLink, ...]  # links to entry files, each found when read


def render_body(
    md: MarkdownIt,
    doc: Document,
    shown: str,
    folder: Path,
    default_as_of: datetime | None,
    zone: ZoneInfo,
    problems: Problems,
    registry: Registry = EMPTY,
) -> RenderedBody:
    """Parse a body once: check its boxes, images and links to entries, then render it."""
    tokens = md.parse(doc.body, {})
    boxes = _boxes(tokens, doc.body_line, shown, default_as_of, zone, problems, registry)
    first_image, copies = _media(tokens, doc.body_line, shown, folder, problems)
    links = _link_entries(tokens, doc.body_line, shown, folder, problems)
    return RenderedBody(render(md, tokens), boxes, first_image, copies, links)


def _boxes(
    tokens: list[Token],
    body_line: int,
    shown: str,
    default_as_of: datetime | None,
    zone: ZoneInfo,
    problems: Problems,
    registry: Registry,
) -> tuple[FigureBox, ...]:
    """The body's figure boxes under the `registry`'s names, each fence marked with its
    box's number for `render`."""
    boxes: list[FigureBox] = []
    for token in tokens:
        if token.type != "fence" or (name := figures_name(token.info)) is None:
            continue
        line = body_line + (token.map[0] if token.map else 0)
        if default_as_of is None:
            if not problems.errors:  # only a story page has no time; say why boxes can't go there
                problems.error(shown, line, "figure boxes go in entries, not in _index.md")
            continue
        box, errors = parse_box(name, token.content, line, default_as_of, zone)
        for exc in errors:
            problems.error(shown, exc.line, exc.message)
        if box is not None:
            box = registry.apply(box, lambda line, message: problems.warn(shown, line, message))
            token.meta["box"] = len(boxes)
            boxes.append(box)
            for claim in box.claims:
                if slip := scale_slip(claim):
                    problems.warn(shown, claim.line, slip)
    return tuple(boxes)


def _media(
    tokens: list[Token], body_line: int, shown: str, folder: Path, problems: Problems
) -> tuple[tuple[str, str] | None, tuple[tuple[str, tuple[int, ...]], ...]]:
    """The body's images, videos and sounds checked, photos given their size and smaller
    copies; (the first image's src and alt, the copies to make)."""
    first_image: tuple[str, str] | None = None  # (src, alt)
    copies: dict[str, tuple[int, ...]] = {}
    for image in images(tokens, body_line):
        kind = media_kind(image.src)
        if kind == "image":
            first_image = first_image or (image.src, image.alt.strip())
        parts = urlsplit(image.src)
        if not image.alt.strip():
            why = "" if kind == "image" else " (it labels the player for screen readers)"
            problems.warn(shown, image.line, f"{kind} {image.src!r} has no alt text{why}")
        if parts.path.lower().endswith(".mov"):
            problems.warn(
                shown,
                image.line,
                f"video {image.src!r} is a QuickTime file, which some browsers do not play; "
                "convert it to MP4 (H.264), which they all do",
            )
        if parts.scheme or parts.netloc or image.src.startswith("/"):
            continue
        target = (folder / unquote(parts.path)).resolve()
        if not target.is_file() or not target.is_relative_to(folder.resolve()):
            problems.error(
                shown,
                image.line,
                f"{kind} {unquote(parts.path)!r} not found in {display_path(folder)}",
            )
        elif kind == "image" and (size := _image_size(target)):
            shown_as = posixpath.normpath(unquote(parts.path))  # where the page shows it
            widths = copy_widths(folder / shown_as, *size)
            sized(image, *size, srcset(image.src, size[0], widths))
            if widths:
                copies[shown_as] = widths
    return first_image, tuple(sorted(copies.items()))


def missing_link(written: str) -> str:
    """The message for a link (its path as `written`) to no entry or story file."""
    return f"link to {written!r}: no entry or story file by that name"


def _link_entries(
    tokens: list[Token], first_line: int, shown: str, folder: Path, problems: Problems
) -> tuple[EntryLink, ...]:
    """Point links to entry files at those entries' pages, as MkDocs does.

    `[earlier](0715-kharkiv-shelling.md)` is how an editor links an entry in their
    editor or on GitHub; published as written, it was a broken link. It becomes the
    entry's permalink (`0715-kharkiv-shelling/`, relative to the story folder like every
    link in a body), `_index.md` the story's page, `../other-story/x.md` an entry of
    another story. A link outside the story folders is an error at its line here; one
    to a file that is not there is one too, but found by `reader.check_entry_links` from
    the links returned, on every build: an entry the build cache or the dev server
    reuses may link to a file deleted since, or created since.
    """
    links: list[EntryLink] = []
    for token, line in markdown_file_links(tokens, first_line):
        parts = urlsplit(str(token.attrGet("href")))
        written = unquote(parts.path)
        target = (folder / written).resolve()  # (only here: too costly for every entry)
        if (
            target.parent.parent != folder.parent.resolve()
            or target.parent.name.startswith(("_", "."))  # the site's theme, not a story
        ):
            problems.error(shown, line, missing_link(written))
            continue
        story = "" if target.parent == folder.resolve() else f"../{target.parent.name}/"
        page = "" if target.name == INDEX_FILE else f"{slugify(target.stem)}/"
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        token.attrSet("href", story + page + fragment)  # '' for the story: its folder
        links.append(EntryLink(target.parent.name, target.name, written, line))
    return tuple(links)


def _aliases(item: Field | None, slug: str, shown: str, problems: Problems) -> tuple[str, ...]:
    """The permalinks an entry had before its file was renamed (`aliases:`, as file
    names or permalinks), as slugs: each gets a page that sends readers on."""
    if item is None:
        return ()
    found: list[str] = []
    for name in item.value:  # type: ignore[union-attr]
        alias = slugify(name.removesuffix(".md"))
        if not alias:
            problems.error(shown, item.line, f"alias {name!r} needs a letter or digit")
        elif alias == slug:
            problems.error(shown, item.line, f"alias {name!r} is this entry's own permalink")
        elif alias not in found:
            found.append(alias)
    return tuple(found)


def _distinct_topics(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Each topic once, as first written: `[Kharkiv, kharkiv]` is one topic page, and
    the entry listed both links to it."""
    first: dict[str, str] = {}
    for tag in tags:
        first.setdefault(slugify(tag), tag)
    return tuple(first.values())


def _image_size(path: Path) -> tuple[int, int] | None:
    """Width and height of the image at `path` from its header (turned as its EXIF
    orientation says), or None for a file imagesize cannot read."""
    import imagesize  # here: it imports urllib.request, wasted on a build with no image

    try:
        width, height = (round(n) for n in imagesize.get(path))  # an SVG's may be floats
    except (OSError, ValueError, OverflowError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def read_entry_file(
    md: MarkdownIt,
    path: Path,
    story: str,
    zone: ZoneInfo,
    max_kb: int,
    problems: Problems,
    salt: bytes = b"",
    registry: Registry = EMPTY,
) -> Entry | None:
    """The entry in file `path`, refused unread when over `max_kb` (a pasted dump); its
    boxes under the `registry`'s names."""
    shown = display_path(path)
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_kb * 1024:
            problems.error(
                shown,
                1,
                f"entry is {math.ceil(size / 1024):,} KB, over the {max_kb:,} KB limit; "
                "split it, or raise max_entry_kb in site.toml",
            )
            return None
        data = handle.read()
    slug = slugify(path.stem)
    return parse_entry(md, data, shown, path.parent, story, slug, zone, problems, salt, registry)


def entry_digest(path: Path, salt: bytes) -> bytes | None:
    """The digest an entry read now from `path` against `salt` would have (see
    Entry.digest), without reading it into one; None if the file cannot be read.

    How the build cache knows an entry file whose stat changed but whose bytes did not
    (a fresh checkout's) for the one it read before.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return _digest(salt, display_path(path), data)


def _digest(salt: bytes, shown: str, data: bytes) -> bytes:
    return hashlib.blake2b(salt + shown.encode() + b"\0" + data, digest_size=16).digest()


def parse_entry(
    md: MarkdownIt,
    data: bytes,
    shown: str,
    folder: Path,
    story: str,
    slug: str,
    zone: ZoneInfo,
    problems: Problems,
    salt: bytes = b"",
    registry: Registry = EMPTY,
) -> Entry | None:
    """Read one entry file's bytes into an Entry, or add its mistakes to `problems`.

    This is the whole entry reader (text, front matter, times, Markdown, figure boxes),
    with no file-system access but image look-ups in `folder`: what the fuzzer drives.
    `salt` stands for everything else the entry was read against (see Entry.digest).
    """
    before = len(problems.errors)
    read = read_document(data, shown, ENTRY_SCHEMA, ("title", "time"), problems)
    if read is None:
        return None
    doc, fields = read
    time = read_time(fields, "time", zone, shown, problems)
    updated = read_time(fields, "updated", zone, shown, problems)
    if "tags" in fields:
        for tag in fields["tags"].value:  # type: ignore[union-attr]
            if not slugify(tag):
                problems.error(shown, fields["tags"].line, f"tag {tag!r} needs a letter or digit")
    rendered = render_body(md, doc, shown, folder, time, zone, problems, registry)
    if len(problems.errors) > before or time is None:
        for link in rendered.links:  # all of a file's mistakes at once, this one too
            if not (folder.parent / link.story / link.name).is_file():
                problems.error(shown, link.line, missing_link(link.written))
        return None
    if updated is not None and updated.timestamp() < time.timestamp():
        problems.warn(
            shown,
            fields["updated"].line,
            "'updated' is earlier than 'time'; it is not shown",
        )

    return _entry(fields, rendered, story, slug, shown, time, updated, problems, salt, data)


def _entry(
    fields: dict[str, Field],
    rendered: RenderedBody,
    story: str,
    slug: str,
    shown: str,
    time: datetime,
    updated: datetime | None,
    problems: Problems,
    salt: bytes,
    data: bytes,
) -> Entry:
    """The entry of a file read without a mistake."""

    def get(key: str, default: object = None) -> object:
        return fields[key].value if key in fields else default

    return Entry(
        story=story,
        slug=slug,
        source=shown,
        time=time,
        title=str(get("title")),
        key=bool(get("key", False)),
        pinned=bool(get("pinned", False)),
        tags=_distinct_topics(get("tags", ())),  # type: ignore[arg-type]
        authors=get("author", ()),  # type: ignore[arg-type]
        location=get("location"),
        updated=updated if updated is not None and updated.timestamp() > time.timestamp() else None,
        correction=get("correction"),
        aliases=_aliases(fields.get("aliases"), slug, shown, problems),
        draft=bool(get("draft", False)),
        summary=bool(get("summary", False)),
        body=body(rendered.html),
        boxes=rendered.boxes,
        image=rendered.image[0] if rendered.image else None,
        image_alt=rendered.image[1] if rendered.image else None,
        copies=rendered.copies,
        links=rendered.links,
        digest=_digest(salt, shown, data) if salt else b"",
        time_line=fields["time"].line,
        updated_line=fields["updated"].line if "updated" in fields else 1,
        aliases_line=fields["aliases"].line if "aliases" in fields else 1,
    )
