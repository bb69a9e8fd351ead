"""Reading `content/` into checked, immutable values (the first of the build's two phases).

Every file is read and every mistake collected before anything is rendered, so an
editor sees all problems of a build at once and a failed build never writes a byte.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from dateline import routes
from dateline.errors import BuildError, ContentError, ContentWarning, display_path
from dateline.model.site import Entry, EntryLink, Site, Story
from dateline.read.config import SiteConfig, load_site_config
from dateline.read.entryfile import (
    INDEX_FILE,
    Problems,
    missing_link,
    read_document,
    read_entry_file,
    render_body,
)
from dateline.read.frontmatter import Kind
from dateline.read.markup import make_parser
from dateline.render.theme import SITE_THEME, theme_dirs
from dateline.slugs import slugify
from dateline.speed.forks import how_many, pool, worker_of
from dateline.times import TimeError, load_zone
from dateline.words import load_words

STORY_SCHEMA: dict[str, Kind] = {
    "title": "text",
    "summary": "text",
    "timezone": "text",
    "status": "text",
}
STORY_STATUSES = ("live", "ended")
RESERVED = routes.RESERVED

MediaKey = tuple[tuple[str, int, int], ...]  # (name, mtime ns, size) of each media file


@dataclass
class ReadCache:
    """Entries read in an earlier build, for rebuilds that re-read only changed files.

    An entry is reused while its file's stat fingerprint and everything it was read
    against (zone, HTML setting, size limit, the story's media files) are unchanged;
    `forget` drops files a watcher reports as changed, whatever their stat says.
    """

    # path (a string: hashing thousands of fresh Path objects cost 15 ms a rebuild) ->
    # ((file fingerprint, digest of the settings read against), entry, problems)
    entries: dict[str, tuple[tuple[object, object], Entry | None, Problems]] = field(
        default_factory=dict
    )
    listings: dict[Path, list[tuple[str, bool]]] = field(default_factory=dict)
    # folder -> (entry files, media files, their stat key, problems of the names)
    scans: dict[Path, tuple[list[Path], list[Path], MediaKey, Problems]] = field(
        default_factory=dict
    )
    # Set by a caller that knows exactly what changed (the dev server's watcher) and
    # that the changes are edits of entry files read before: then every other entry
    # and every folder listing is reused without touching the disk.
    trusted: frozenset[str] | None = None
    # story slug -> what its entries were last read with (parser, zone, size limit, the
    # settings' digest), so `reread_entry` reads one again alike. Not saved.
    readers: dict[str, tuple[MarkdownIt, ZoneInfo, int, bytes]] = field(default_factory=dict)

    def forget(self, paths: set[Path]) -> None:
        for path in paths:
            self.entries.pop(str(path), None)

    def only_edits(self, paths: set[Path]) -> bool:
        """True if `paths` are all entry files this cache read before and still exist."""
        return bool(paths) and all(
            str(p) in self.entries and p.suffix == ".md" and p.is_file() for p in paths
        )


def _is_hidden(name: str) -> bool:
    """Dot files and editors' backups (`entry.md~`) are not content."""
    return name.startswith(".") or name.endswith("~")


def _files(folder: Path) -> list[tuple[str, bool]]:
    """Every non-hidden file under `folder` as a sorted relative posix path, with whether
    it is a symlink.

    One scandir walk and plain strings (no per-file stat, resolve or Path arithmetic):
    stories hold thousands of files and the dev server lists them on every save.
    Symlinked folders are not descended into, so only symlinked files need a check.
    """
    found: list[tuple[str, bool]] = []
    pending = [""]
    base = str(folder)
    while pending:
        prefix = pending.pop()
        with os.scandir(os.path.join(base, prefix) if prefix else base) as entries:
            for entry in entries:
                name = entry.name
                if _is_hidden(name):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(prefix + name + "/")
                elif entry.is_file():
                    found.append((prefix + name, entry.is_symlink()))
    found.sort()
    return found


def _inside(path: Path, root: Path) -> bool:
    """True if `path`, with every symlink followed, is within `root` (already resolved).

    A symlink out of the content folder could publish any file on the build machine.
    """
    return path.resolve().is_relative_to(root)


def _media_key(folder: Path, media: list[Path]) -> MediaKey:
    """A story's media files as entries are read against them: an entry is read again
    when an image it may show is added, removed or replaced (its size is in the page)."""
    key = []
    for name in sorted(media):
        try:
            stat = (folder / name).stat()
        except OSError:  # gone since the listing: as good as changed
            key.append((name.as_posix(), -1, -1))
            continue
        key.append((name.as_posix(), stat.st_mtime_ns, stat.st_size))
    return tuple(key)


def _file_key(path: Path) -> tuple[int, ...]:
    """An entry file's stat fingerprint: a rewrite changes at least one of these."""
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


# How a story's entry files are read (parser and settings): set while they are read,
# and inherited by forked workers.
_SHARED: tuple[MarkdownIt, str, ZoneInfo, int, bytes] | None = None
PARALLEL_FROM = 300  # entry files; fewer are read faster in one process


def _read_one(path: Path) -> tuple[Entry | None, Problems]:
    assert _SHARED is not None
    md, story, zone, max_kb, settings = _SHARED
    own = Problems()
    return read_entry_file(md, path, story, zone, max_kb, own, settings), own


def _read_entries(
    md: MarkdownIt,
    paths: list[Path],
    story: str,
    zone: ZoneInfo,
    max_kb: int,
    media: MediaKey,
    cache: ReadCache | None,
    jobs: int,
) -> list[tuple[Entry | None, Problems]]:
    """Read entry files: from `cache` where unchanged, the rest in forked workers when
    there are many.

    Results come back in the order of `paths`, so the site read is the same either way.
    """
    global _SHARED
    results: list[tuple[Entry | None, Problems] | None] = []
    misses: list[tuple[int, Path, str, tuple[object, object]]] = []
    # Everything an entry is read against besides its bytes, as 16 bytes: the cache's
    # key (with the file's stat) and the salt of Entry.digest.
    settings = hashlib.blake2b(
        repr((story, zone.key, md.options["html"], max_kb, media)).encode(), digest_size=16
    ).digest()
    for path in paths:
        name = str(path)
        hit = cache.entries.get(name) if cache is not None else None
        trusted = cache is not None and cache.trusted is not None and name not in cache.trusted
        if trusted and hit is not None and hit[0][1] == settings:
            results.append((hit[1], hit[2]))  # the watcher vouches it did not change: no stat
            continue
        key = (_file_key(path), settings)
        if hit is not None and hit[0] == key:
            results.append((hit[1], hit[2]))
            continue
        misses.append((len(results), path, name, key))
        results.append(None)
    if cache is not None:
        cache.readers[story] = (md, zone, max_kb, settings)
    miss_paths = [path for _, path, _, _ in misses]
    workers = how_many(jobs, len(misses), PARALLEL_FROM)
    _SHARED = (md, story, zone, max_kb, settings)
    try:
        if workers == 1:
            parsed = [_read_one(path) for path in miss_paths]
        else:
            with pool(workers) as others:
                # This process reads its share too (the files whose name hashes to it:
                # every n-th in turn gave it every entry with a box, one in four, in
                # the benchmark's stories); the workers read the rest.
                ours = [worker_of(p.name, workers) == 0 for p in miss_paths]
                theirs = [p for p, own in zip(miss_paths, ours, strict=True) if not own]
                chunk = max(16, len(theirs) // (workers * 8))
                pending = others.map_async(_read_one, theirs, chunksize=chunk)
                mine = iter([_read_one(p) for p, own in zip(miss_paths, ours, strict=True) if own])
                done = iter(pending.get())
                parsed = [next(mine if own else done) for own in ours]
    finally:
        _SHARED = None
    for (index, _path, name, key), (entry, own) in zip(misses, parsed, strict=True):
        results[index] = (entry, own)
        if cache is not None:
            cache.entries[name] = (key, entry, own)
    return results  # type: ignore[return-value]


def reread_entry(cache: ReadCache, path: Path) -> tuple[Entry | None, Problems] | None:
    """Read an edited entry file again as the last `read_site` with `cache` read it, and
    put it in the cache for the next one; None if its story was not read then.

    The dev server's fast path (see rebuild): one file, before the whole site is read.
    Its stat is taken before its bytes, as `_read_entries` does, so a save meanwhile is
    read again by the next read, never taken for this one.
    """
    story = path.parent.name
    reader = cache.readers.get(story)
    if reader is None:
        return None
    md, zone, max_kb, settings = reader
    own = Problems()
    try:
        key = (_file_key(path), settings)
        entry = read_entry_file(md, path, story, zone, max_kb, own, settings)
    except OSError:  # gone or unreadable since the event: the whole read says so
        return None
    cache.entries[str(path)] = (key, entry, own)
    return entry, own


def _scan(
    folder: Path, files: list[tuple[str, bool]], root: Path, problems: Problems
) -> tuple[list[Path], list[Path]]:
    """Sort a story's files into entries and media, checking names; (entries, media)."""
    entry_paths: list[Path] = []
    owners: dict[str, str] = {}
    media: list[Path] = []
    for name, is_link in files:
        path = folder / name
        top, _, rest = name.partition("/")
        if is_link and not _inside(path, root):
            problems.error(
                display_path(path), 1, "links to a file outside the content folder; copy it in"
            )
            continue
        if not name.lower().endswith(".md"):
            media.append(Path(name))
            if top.lower() in RESERVED and rest:
                problems.error(
                    display_path(path),
                    1,
                    f"{top!r} is a name dateline uses for its own pages; rename it",
                )
            continue
        if name == INDEX_FILE:
            continue
        if rest:
            problems.error(
                display_path(path), 1, "entries go directly in the story folder, not in a subfolder"
            )
            continue
        entry_slug = slugify(name[:-3])
        if not entry_slug or entry_slug in RESERVED:
            problems.error(
                display_path(path),
                1,
                f"the file name {name!r} cannot make a permalink; rename the file",
            )
            continue
        if entry_slug in owners:
            problems.error(
                display_path(path),
                1,
                f"{name!r} gives the same permalink as {owners[entry_slug]!r}; rename one",
            )
            continue
        owners[entry_slug] = name
        entry_paths.append(path)
    for item in media:
        if item.parts[0] in owners:
            problems.error(
                display_path(folder / item),
                1,
                f"folder {item.parts[0]!r} has the same name as an entry's permalink; rename one",
            )
    return entry_paths, media


def _warn_undated_repeats(entries: list[Entry], problems: Problems) -> None:
    """Warn where a claim without "(as of …)" repeats a figure a source gave earlier.

    Its as-of then defaults to the later entry's time, dating an old claim as new: the
    tracker would show the source saying it again. (A warning: `--strict` fails on it.)
    """
    last: dict[tuple[str, str], tuple[tuple[object, ...], Entry]] = {}
    for entry in reversed(entries):  # oldest first
        for box in entry.boxes:
            for claim in box.claims:
                figure = (claim.qualifier, claim.low, claim.high, claim.unit)
                key = (box.slug, claim.source.casefold())
                before = last.get(key)
                if before is not None and before[0] == figure and not claim.dated:
                    problems.warn(
                        entry.source,
                        claim.line,
                        f"{claim.source}'s {claim.text!r} is the figure it gave in "
                        f"{before[1].slug!r}; add (as of DATE) so it is not dated to this entry",
                    )
                last[key] = (figure, entry)


FUTURE_GRACE = timedelta(minutes=10)  # clocks differ; an editor may time a minute ahead


def _check_aliases(entries: list[Entry], media: list[Path], problems: Problems) -> None:
    """An alias must name no page of the story: not an entry's permalink (drafts'
    too: they publish later), nor another entry's alias, nor a media folder's page,
    nor a name the story uses itself."""
    aliased = sorted((e for e in entries if e.aliases), key=lambda e: e.source)
    if not aliased:  # (most stories: nothing to look up on every save in the preview)
        return
    taken = {e.slug: f"the permalink of {os.path.basename(e.source)}" for e in entries}
    taken |= dict.fromkeys(RESERVED, "a name dateline uses for the story's own pages")
    taken |= {m.parts[0]: f"a folder of media ({m.parts[0]}/)" for m in media if len(m.parts) > 1}
    for entry in aliased:
        for alias in entry.aliases:
            if alias in taken:
                problems.error(
                    entry.source, entry.aliases_line, f"alias {alias!r} is already {taken[alias]}"
                )
            else:
                taken[alias] = f"an alias of {os.path.basename(entry.source)}"


def _warn_future(entries: list[Entry], now: datetime, problems: Problems) -> None:
    """Warn of entries timed ahead of the clock (`entries` newest first).

    Such an entry tops the timeline as the latest update until its time comes; far
    more often than a plan, its time is a typo: the year, the day, or a time written
    in another zone than the story's. Checked on every build, never kept with an
    entry read once: what is in the future now will not be tomorrow. (A warning:
    `--strict` fails on it.)
    """
    for entry in entries:
        ahead = entry.time - now
        if ahead <= FUTURE_GRACE:
            break
        problems.warn(
            entry.source,
            entry.time_line,
            _ahead("time", ahead, now, entry, ", so it shows as the latest update until then"),
        )
    for entry in entries:  # an `updated:` ahead shows "Updated 16:30" before 16:30
        if entry.updated is not None and (ahead := entry.updated - now) > FUTURE_GRACE:
            problems.warn(entry.source, entry.updated_line, _ahead("updated", ahead, now, entry))


def _ahead(key: str, ahead: timedelta, now: datetime, entry: Entry, effect: str = "") -> str:
    """The warning for `key` of `entry`, `ahead` of the clock `now`."""
    here = now.astimezone(entry.time.tzinfo)
    return (
        f"'{key}' is {_duration(ahead)} ahead of the clock (now {here:%Y-%m-%d %H:%M %Z})"
        f"{effect}; check the date and the time zone"
    )


def _duration(span: timedelta) -> str:
    minutes = span.total_seconds() / 60
    for size, unit in ((60 * 24 * 365, "year"), (60 * 24, "day"), (60, "hour"), (1, "minute")):
        if minutes >= 2 * size or size == 1:
            count = round(minutes / size)
            return f"{count:,} {unit}{'s' if count != 1 else ''}"
    raise AssertionError  # the loop ends at minutes


def _read_story(
    md: MarkdownIt,
    folder: Path,
    config: SiteConfig,
    drafts: bool,
    problems: Problems,
    cache: ReadCache | None,
    files: list[tuple[str, bool]],
    now: datetime,
    linking: Linking,
    jobs: int = 1,
) -> Story | None:
    slug = folder.name
    root = folder.parent.resolve()
    if not _inside(folder, root):
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
    zone = config.zone
    if "timezone" in fields:
        try:
            zone = load_zone(str(fields["timezone"].value))
        except TimeError as exc:
            problems.error(shown_index, fields["timezone"].line, str(exc))
    status = str(fields["status"].value) if "status" in fields else "live"
    if status not in STORY_STATUSES:
        problems.error(
            shown_index,
            fields["status"].line,
            f"status must be 'live' or 'ended', not {status!r}",
        )
    standfirst = render_body(md, doc, shown_index, folder, None, zone, problems)
    linking.links.append((shown_index, standfirst.links, True))

    entries: list[Entry] = []
    scanned = cache.scans.get(folder) if cache is not None and cache.trusted is not None else None
    if scanned is None:
        own = Problems()
        entry_paths, media = _scan(folder, files, root, own)
        # Stat'd with the listing, so the dev server's saves of an entry stat no media.
        scanned = (entry_paths, media, _media_key(folder, media), own)
        if cache is not None:
            cache.scans[folder] = scanned
    entry_paths, media, media_key, scan_problems = scanned
    problems.errors.extend(scan_problems.errors)
    read = _read_entries(md, entry_paths, slug, zone, config.max_entry_kb, media_key, cache, jobs)
    every: list[Entry] = []  # drafts too: checked alike
    for entry, own in read:  # one pass: 20,000 entries on every save in the dev server
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
    _check_aliases(every, media, problems)
    # Timestamps, not datetimes: same-zone datetimes compare by wall clock, which is wrong
    # across a clock change.
    entries.sort(key=lambda e: (e.stamp, e.slug), reverse=True)
    _warn_undated_repeats(entries, problems)
    _warn_future(entries, now, problems)
    if not fields.get("title"):
        return None
    return Story(
        slug=slug,
        title=str(fields["title"].value),
        summary=str(fields["summary"].value) if "summary" in fields else None,
        zone=zone,
        status=status,
        standfirst_html=standfirst.html,
        entries=tuple(entries),
        folder=folder,
        media=tuple(media),
        image=standfirst.image[0] if standfirst.image else None,
        image_alt=standfirst.image[1] if standfirst.image else None,
        copies=tuple(
            sorted(dict([*standfirst.copies, *(c for e in entries for c in e.copies)]).items())
        ),
    )


@dataclass
class Linking:
    """What reading finds for `check_entry_links`."""

    # (file as shown, its links, whether the build publishes it)
    links: list[tuple[str, tuple[EntryLink, ...], bool]] = field(default_factory=list)
    unpublished: set[tuple[str, str]] = field(default_factory=set)  # drafts left out


def check_entry_links(
    linking: Linking, listings: dict[str, list[tuple[str, bool]]], problems: Problems
) -> None:
    """Every link to an entry or story file leads to a file that is there now, and to a
    page this build makes.

    Checked on every build, after reading, against the story folders' listings (no
    file-system calls), not when an entry is read: the build cache and the dev server
    reuse entries read before the file they link to was deleted, or created. So a build
    that reuses them fails, or builds, as a build from nothing does. A link to a draft
    left out of the build leads nowhere until the draft is published: a warning.
    """
    present: dict[str, set[str]] = {}
    for shown, links, published in linking.links:
        for link in links:
            names = present.get(link.story)
            if names is None:
                files = listings.get(link.story, ())
                names = present[link.story] = {name for name, _ in files if "/" not in name}
            if link.name not in names:
                problems.error(shown, link.line, missing_link(link.written))
            elif published and (link.story, slugify(link.name[:-3])) in linking.unpublished:
                problems.warn(
                    shown,
                    link.line,
                    f"link to {link.written!r}: that entry is a draft, so the link leads "
                    "nowhere until it is published",
                )


def read_site(
    content: Path,
    *,
    drafts: bool = False,
    cache: ReadCache | None = None,
    jobs: int = 1,
    now: datetime | None = None,
) -> tuple[Site, list[ContentWarning]]:
    """Read and check everything under `content`; raise BuildError listing every mistake.

    With a `cache` from an earlier read, unchanged entry files are not read again.
    Entries timed after `now` (the clock) are warned of.
    """
    now = now or datetime.now(UTC)
    problems = Problems()
    toml = content / "site.toml"
    if toml.exists() and not _inside(toml, content.resolve()):
        raise BuildError([ContentError(display_path(toml), 1, "links outside the content folder")])
    config, errors = load_site_config(toml, display_path(toml))
    problems.errors.extend(errors)
    if config is None:
        raise BuildError(problems.errors)
    words, errors = load_words(theme_dirs(content), config.language)
    problems.errors.extend(errors)
    theme = content / SITE_THEME
    if theme.is_dir():
        for path in sorted(theme.rglob("*")):
            if path.is_file() and not _inside(path, content.resolve()):
                problems.error(display_path(path), 1, "links to a file outside the content folder")
    md = make_parser(allow_html=config.allow_html)
    stories = []
    listings: dict[str, list[tuple[str, bool]]] = {}  # story folder -> its files
    linking = Linking()
    for folder in sorted(p for p in content.iterdir() if p.is_dir()):
        if _is_hidden(folder.name) or folder.name.startswith("_"):
            continue
        if cache is not None and cache.trusted is not None and folder in cache.listings:
            files = cache.listings[folder]
        else:
            files = _files(folder)
            if cache is not None:
                cache.listings[folder] = files
        if not files:
            continue  # an empty folder (git keeps none) is debris, not a story
        listings[folder.name] = files
        story = _read_story(md, folder, config, drafts, problems, cache, files, now, linking, jobs)
        if story is not None:
            stories.append(story)
    check_entry_links(linking, listings, problems)
    if problems.errors:
        raise BuildError(problems.errors)
    if config.base_url is None:
        problems.warn(
            display_path(content / "site.toml"),
            1,
            "no base_url: feeds and canonical links are left out, figures.json links are relative",
        )
    site = Site(config=config, stories=tuple(stories), content=content, words=words)
    return site, sorted(problems.warnings)
