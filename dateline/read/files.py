"""A content folder's files: listed, sorted into entries and media, their names checked.

Plain strings and one scandir walk: stories hold thousands of files and the dev
server lists them on every save.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dateline import routes
from dateline.errors import display_path
from dateline.read.entryfile import INDEX_FILE, Problems
from dateline.slugs import slugify

MediaKey = tuple[tuple[str, int, bytes], ...]  # (name, size, content digest) of each media file
Stamp = tuple[int, int, int, int]  # a file's stat fingerprint: a rewrite changes one of these
# A folder's media files, by name: (stamp, content digest) as last hashed.
Stamps = dict[str, tuple[Stamp, bytes]]


def is_hidden(name: str) -> bool:
    """Dot files and editors' backups (`entry.md~`) are not content."""
    return name.startswith(".") or name.endswith("~")


def list_files(folder: Path) -> list[tuple[str, bool]]:
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
                if is_hidden(name):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(prefix + name + "/")
                elif entry.is_file():
                    found.append((prefix + name, entry.is_symlink()))
    found.sort()
    return found


def inside(path: Path, root: Path) -> bool:
    """True if `path`, with every symlink followed, is within `root` (already resolved).

    A symlink out of the content folder could publish any file on the build machine.
    """
    return path.resolve().is_relative_to(root)


def media_key(folder: Path, media: list[Path], known: Stamps) -> tuple[MediaKey, Stamps]:
    """A story's media files as entries are read against them: an entry is read again
    when an image it may show is added, removed or replaced (its size is in the page).

    By content, not modification time: a fresh checkout (a CI runner's) gives every
    file a new one. A file is hashed again only when its stamp is not the one `known`
    has for it; returns the key and the stamps to keep for next time.
    """
    key, stamps = [], {}
    for name in sorted(media):
        shown = name.as_posix()
        path = folder / name
        try:
            stamp = _stamp(os.stat(path))
            before = known.get(shown)
            if before is not None and before[0] == stamp:
                digest = before[1]
            else:
                with path.open("rb") as handle:
                    digest = hashlib.file_digest(handle, "blake2b").digest()[:16]
        except OSError:  # gone since the listing: as good as changed
            key.append((shown, -1, b""))
            continue
        stamps[shown] = (stamp, digest)
        key.append((shown, stamp[2], digest))
    return tuple(key), stamps


def file_key(path: Path) -> Stamp:
    """An entry file's stat fingerprint: a rewrite changes at least one of these."""
    return _stamp(os.stat(path))


def _stamp(stat: os.stat_result) -> Stamp:
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)


def scan(
    folder: Path, files: list[tuple[str, bool]], root: Path, problems: Problems
) -> tuple[list[Path], list[Path]]:
    """Sort a story's files into entries and media, checking names; (entries, media)."""
    entry_paths: list[Path] = []
    owners: dict[str, str] = {}
    media: list[Path] = []
    for name, is_link in files:
        path = folder / name
        top, _, rest = name.partition("/")
        if is_link and not inside(path, root):
            problems.error(
                display_path(path), 1, "links to a file outside the content folder; copy it in"
            )
            continue
        if not name.lower().endswith(".md"):
            media.append(Path(name))
            if top.lower() in routes.RESERVED and rest:
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
        if not entry_slug or entry_slug in routes.RESERVED:
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
