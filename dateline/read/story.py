"""One story folder read: its `_index.md`, its files sorted, its entries read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from dateline.errors import display_path
from dateline.model.site import Entry, EntryLink, Story
from dateline.read.cache import ReadCache
from dateline.read.config import SiteConfig
from dateline.read.entries import read_entries
from dateline.read.entryfile import INDEX_FILE, Problems, read_document, render_body
from dateline.read.files import MediaKey, inside, media_key, scan
from dateline.read.frontmatter import Field, Kind
from dateline.read.registry import EMPTY, Registry
from dateline.slugs import slugify
from dateline.times import TimeError, load_zone

STORY_SCHEMA: dict[str, Kind] = {
    "title": "text",
    "summary": "text",
    "timezone": "text",
    "status": "text",
}
STORY_STATUSES = ("live", "ended")


@dataclass
class Linking:
    """Every link between content files that reading found, for `validate.links`."""

    # (file as shown, its links, whether the build publishes it)
    links: list[tuple[str, tuple[EntryLink, ...], bool]] = field(default_factory=list)
    unpublished: set[tuple[str, str]] = field(default_factory=set)  # drafts left out


@dataclass(frozen=True)
class StoryRead:
    """A story folder as read, for the checks across its entries (`validate`): the story
    (None when its `_index.md` cannot make one), every entry read (drafts too: they
    publish later), the entries this build publishes (newest first) and its media."""

    story: Story | None
    every: tuple[Entry, ...]
    entries: tuple[Entry, ...]
    media: tuple[Path, ...]


def read_story(
    md: MarkdownIt,
    folder: Path,
    config: SiteConfig,
    drafts: bool,
    problems: Problems,
    cache: ReadCache | None,
    files: list[tuple[str, bool]],
    linking: Linking,
    jobs: int = 1,
    registry: Registry = EMPTY,
) -> StoryRead | None:
    """Read the story in `folder` (its `files` listed); None when there is no story to
    check (no `_index.md`, or a folder linking outside the content)."""
    slug = folder.name
    root = folder.parent.resolve()
    if not inside(folder, root):
        problems.error(display_path(folder), 1, "story folder links outside the content folder")
        return None
    index = folder / INDEX_FILE
    shown_index = display_path(index)
    if slugify(slug) != slug:
        problems.error(
            shown_index,
            1,
            f"story folder {slug!r} is used in URLs; rename it to {slugify(slug) or 'story'!r}",
        )
    if not index.is_file():
        problems.error(shown_index, 1, f"story {slug!r} has no {INDEX_FILE}; add one with 'title:'")
        return None
    read = read_document(index.read_bytes(), shown_index, STORY_SCHEMA, ("title",), problems)
    if read is None:
        return None
    doc, fields = read
    zone, status = _settings(fields, config, shown_index, problems)
    standfirst = render_body(md, doc, shown_index, folder, None, zone, problems)
    linking.links.append((shown_index, standfirst.links, True))
    entry_paths, media, key = _scanned(folder, files, root, problems, cache)
    read_files = read_entries(
        md, entry_paths, slug, zone, config.max_entry_kb, key, cache, jobs, registry
    )
    every, entries = _gathered(read_files, slug, drafts, problems, linking)
    story = None
    if fields.get("title"):
        story = Story(
            slug=slug,
            title=str(fields["title"].value),
            summary=str(fields["summary"].value) if "summary" in fields else None,
            zone=zone,
            status=status,
            standfirst_html=standfirst.html,
            entries=entries,
            folder=folder,
            media=tuple(media),
            media_key=key,
            image=standfirst.image[0] if standfirst.image else None,
            image_alt=standfirst.image[1] if standfirst.image else None,
            copies=tuple(
                sorted(dict([*standfirst.copies, *(c for e in entries for c in e.copies)]).items())
            ),
        )
    return StoryRead(story, every, entries, tuple(media))


def _settings(
    fields: dict[str, Field], config: SiteConfig, shown: str, problems: Problems
) -> tuple[ZoneInfo, str]:
    """The story's zone (the site's unless it names one) and status."""
    zone = config.zone
    if "timezone" in fields:
        try:
            zone = load_zone(str(fields["timezone"].value))
        except TimeError as exc:
            problems.error(shown, fields["timezone"].line, str(exc))
    status = str(fields["status"].value) if "status" in fields else "live"
    if status not in STORY_STATUSES:
        problems.error(
            shown, fields["status"].line, f"status must be 'live' or 'ended', not {status!r}"
        )
    return zone, status


def _scanned(
    folder: Path,
    files: list[tuple[str, bool]],
    root: Path,
    problems: Problems,
    cache: ReadCache | None,
) -> tuple[list[Path], list[Path], MediaKey]:
    """The story's entry files, media files and the media's key: from the cache
    when the dev server vouches nothing but known entries changed."""
    scanned = cache.scans.get(folder) if cache is not None and cache.trusted is not None else None
    if scanned is None:
        own = Problems()
        entry_paths, media = scan(folder, files, root, own)
        # Stat'd with the listing, so the dev server's saves of an entry stat no media.
        key, stamps = media_key(folder, media, cache.stamps.get(folder, {}) if cache else {})
        scanned = (entry_paths, media, key, own)
        if cache is not None:
            cache.scans[folder] = scanned
            cache.stamps[folder] = stamps
    entry_paths, media, key, scan_problems = scanned
    problems.errors.extend(scan_problems.errors)
    return entry_paths, media, key


def _gathered(
    read: list[tuple[Entry | None, Problems]],
    slug: str,
    drafts: bool,
    problems: Problems,
    linking: Linking,
) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    """Every entry read and the published ones, newest first; their problems and links
    noted. One pass: a long story's every entry, on every save in the dev server."""
    every: list[Entry] = []
    entries: list[Entry] = []
    for entry, own in read:
        if own.errors or own.warnings:
            problems.errors.extend(own.errors)
            problems.warnings.extend(own.warnings)
        if entry is None:
            continue
        every.append(entry)
        published = drafts or not entry.draft
        if published:
            entries.append(entry)
        else:
            linking.unpublished.add((slug, entry.slug))
        if entry.links:
            linking.links.append((entry.source, entry.links, published))
    # Timestamps, not datetimes: same-zone datetimes compare by wall clock, which is wrong
    # across a clock change.
    entries.sort(key=lambda e: (e.stamp, e.slug), reverse=True)
    return tuple(every), tuple(entries)
