"""A story's entry files read into entries: from the reader's cache where a file is
unchanged, the rest read anew (shared with forked workers when there are many)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from dateline.model.site import Entry
from dateline.read.cache import ReadCache
from dateline.read.entryfile import Problems, entry_digest, read_entry_file
from dateline.read.files import MediaKey, file_key
from dateline.read.registry import EMPTY, Registry
from dateline.speed import forks

PARALLEL_FROM = 300  # entry files; fewer are read faster in one process

# How a story's entry files are read: (parser, story, zone, size limit, settings' digest,
# the figures registry).
Reading = tuple[MarkdownIt, str, ZoneInfo, int, bytes, Registry]


def _read_one(path: Path) -> tuple[Entry | None, Problems]:
    md, story, zone, max_kb, settings, registry = forks.inherited()  # type: ignore[misc]
    own = Problems()
    return read_entry_file(md, path, story, zone, max_kb, own, settings, registry), own


def read_entries(
    md: MarkdownIt,
    paths: list[Path],
    story: str,
    zone: ZoneInfo,
    max_kb: int,
    media: MediaKey,
    cache: ReadCache | None,
    jobs: int,
    registry: Registry = EMPTY,
) -> list[tuple[Entry | None, Problems]]:
    """Read entry files: from `cache` where unchanged, the rest in forked workers when
    there are many.

    Results come back in the order of `paths`, so the site read is the same either way.
    """
    results: list[tuple[Entry | None, Problems] | None] = []
    misses: list[tuple[int, Path, str, tuple[object, object]]] = []
    # Everything an entry is read against besides its bytes, as 16 bytes: the cache's
    # key (with the file's stat) and the salt of Entry.digest.
    settings = hashlib.blake2b(
        repr((story, zone.key, md.options["html"], max_kb, media)).encode() + registry.digest,
        digest_size=16,
    ).digest()
    for path in paths:
        name = str(path)
        hit = cache.entries.get(name) if cache is not None else None
        trusted = cache is not None and cache.trusted is not None and name not in cache.trusted
        if trusted and hit is not None and hit[0][1] == settings:
            results.append((hit[1], hit[2]))  # the watcher vouches it did not change: no stat
            continue
        key = (file_key(path), settings)
        if hit is not None and hit[0] == key:
            results.append((hit[1], hit[2]))
            continue
        if hit is not None and _same_bytes(hit, path, settings):
            results.append((hit[1], hit[2]))
            cache.entries[name] = (key, hit[1], hit[2])  # type: ignore[union-attr]
            continue
        misses.append((len(results), path, name, key))
        results.append(None)
    if cache is not None:
        cache.readers[story] = (md, zone, max_kb, settings, registry)
    miss_paths = [path for _, path, _, _ in misses]
    workers = forks.how_many(jobs, len(misses), PARALLEL_FROM)
    reading: Reading = (md, story, zone, max_kb, settings, registry)
    with forks.handing(reading):
        # By the file's name, not every n-th in turn: that gave one process every entry
        # with a box (one in four) in the benchmark's stories.
        parsed = forks.map_shared(_read_one, miss_paths, [p.name for p in miss_paths], workers)
    for (index, _path, name, key), (entry, own) in zip(misses, parsed, strict=True):
        results[index] = (entry, own)
        if cache is not None:
            cache.entries[name] = (key, entry, own)
    return results  # type: ignore[return-value]


def _same_bytes(hit: tuple, path: Path, settings: bytes) -> bool:
    """True if the file at `path`, read against the same `settings` as the cached
    entry `hit`, still holds the bytes that entry was read from: its stat changed
    without its content (a fresh checkout's new times and inodes, a `git stash pop`)."""
    (_, read_with), entry, _ = hit
    if read_with != settings or entry is None or not entry.digest:
        return False
    return entry_digest(path, settings) == entry.digest


def reread_entry(cache: ReadCache, path: Path) -> tuple[Entry | None, Problems] | None:
    """Read an edited entry file again as the last `read_site` with `cache` read it, and
    put it in the cache for the next one; None if its story was not read then.

    The dev server's fast path (see rebuild): one file, before the whole site is read.
    Its stat is taken before its bytes, as `read_entries` does, so a save meanwhile is
    read again by the next read, never taken for this one.
    """
    story = path.parent.name
    reader = cache.readers.get(story)
    if reader is None:
        return None
    md, zone, max_kb, settings, registry = reader
    own = Problems()
    try:
        key = (file_key(path), settings)
        entry = read_entry_file(md, path, story, zone, max_kb, own, settings, registry)
    except OSError:  # gone or unreadable since the event: the whole read says so
        return None
    cache.entries[str(path)] = (key, entry, own)
    return entry, own
