"""What the reader keeps between builds: entries read, folder listings, how each story
was read. The reader only asks it; the dev server and the build cache hold one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from dateline.model.site import Entry
from dateline.read.entryfile import Problems
from dateline.read.files import MediaKey, Stamps
from dateline.read.registry import Registry

Reader = tuple[MarkdownIt, ZoneInfo, int, bytes, Registry]


@dataclass
class ReadCache:
    """Entries read in an earlier build, for rebuilds that re-read only changed files.

    An entry is reused while its file's stat fingerprint and everything it was read
    against (zone, HTML setting, size limit, the story's media files) are unchanged;
    `forget` drops files a watcher reports as changed, whatever their stat says.
    """

    # path (a string: hashing thousands of fresh Path objects would slow every rebuild) ->
    # ((file fingerprint, digest of the settings read against), entry, problems)
    entries: dict[str, tuple[tuple[object, object], Entry | None, Problems]] = field(
        default_factory=dict
    )
    listings: dict[Path, list[tuple[str, bool]]] = field(default_factory=dict)
    # folder -> (entry files, media files, their stat key, problems of the names)
    scans: dict[Path, tuple[list[Path], list[Path], MediaKey, Problems]] = field(
        default_factory=dict
    )
    # story folder -> its media files' content digests, hashed again only when a file's
    # stat changes (see files.media_key).
    stamps: dict[Path, Stamps] = field(default_factory=dict)
    # Set by a caller that knows exactly what changed (the dev server's watcher) and
    # that the changes are edits of entry files read before: then every other entry
    # and every folder listing is reused without touching the disk.
    trusted: frozenset[str] | None = None
    # story slug -> what its entries were last read with (parser, zone, size limit, the
    # settings' digest), so `reread_entry` reads one again alike. Not saved.
    readers: dict[str, tuple[MarkdownIt, ZoneInfo, int, bytes, Registry]] = field(
        default_factory=dict
    )

    def forget(self, paths: set[Path]) -> None:
        for path in paths:
            self.entries.pop(str(path), None)

    def only_edits(self, paths: set[Path]) -> bool:
        """True if `paths` are all entry files this cache read before and still exist."""
        return bool(paths) and all(
            str(p) in self.entries and p.suffix == ".md" and p.is_file() for p in paths
        )
