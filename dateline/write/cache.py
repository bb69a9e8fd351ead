"""The build cache: what a command-line rebuild needs to redo only what changed.

Kept beside the output folder (`.site.dateline-cache` for `site/`), never inside it, so
it is never published. It holds the entries read last time (reused while their files'
stat fingerprints match), a digest of every page's inputs (a page whose digest is
unchanged is kept from the previous output instead of rendered) and the feed and
figures.json pieces. Everything is keyed by a fingerprint of dateline's code, the theme
and the libraries that shape output: any change there and the cache is ignored.

It is a pickle, as trusted as the build folder it sits in; a cache that cannot be read
is simply not used.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from dateline.read.cache import ReadCache
from dateline.render.theme import theme_dirs
from dateline.speed.bodies import inline_pickler
from dateline.write.output import beside

_PACKAGE = Path(__file__).resolve().parent.parent  # all of dateline's code
_BATCH = 500  # entries pickled together
# The libraries whose code shapes the output: module -> distribution (found, not
# imported: imagesize and Pillow are imported only by builds showing photos).
_LIBRARIES = {
    "markdown_it": "markdown_it_py",
    "mdit_py_plugins": "mdit_py_plugins",
    "jinja2": "jinja2",
    "markupsafe": "markupsafe",
    "yaml": "pyyaml",
    "dateutil": "python_dateutil",
    "nh3": "nh3",
    "feedgen": "feedgen",
    "lxml.etree": "lxml",
    "imagesize": "imagesize",
    "PIL": "pillow",
}


@dataclass
class BuildCache:
    version: str
    read: ReadCache = field(default_factory=ReadCache)
    digests: dict[str, tuple[bytes, int, int]] = field(default_factory=dict)  # digest, size, mtime
    pieces: dict[object, object] = field(default_factory=dict)
    # Not saved: each batch of entries in the file loaded, as (start, end, entries), so
    # `save` copies the bytes of a batch none of whose entries changed.
    batches: list[tuple[int, int, dict]] = field(default_factory=list, repr=False)


def cache_path(out: Path) -> Path:
    return beside(out, "dateline-cache")


def fingerprint(content: Path) -> str:
    """A digest of everything besides content that shapes the output."""
    h = hashlib.blake2b(digest_size=16)
    h.update(sys.version.encode())
    h.update(_libraries().encode())
    roots = [_PACKAGE, *theme_dirs(content)]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def _libraries() -> str:
    """The libraries' versions, from the names of the folders pip installed them with
    (`markdown_it_py-4.0.0.dist-info`), and each module's path and size.

    Not their files' modification times: a CI runner installs them anew for every
    publish (from pip's cache), which would make every publish a build from nothing.
    Not importlib.metadata either: its imports would add to every build.
    """
    found, sites = [], set()
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        where = Path((spec.origin if spec is not None else None) or "")
        found.append(f"{name}:{where}:{where.stat().st_size if where.is_file() else -1}")
        if spec is not None and where.is_file():  # site/a/b.py or site/a/b/__init__.py
            depth = name.count(".") + (spec.submodule_search_locations is not None)
            sites.add(where.parents[depth])
    for site in sorted(sites):
        with contextlib.suppress(OSError):
            found.extend(
                sorted(
                    folder
                    for folder in os.listdir(site)
                    if folder.endswith(".dist-info")
                    and folder.split("-")[0].lower() in _LIBRARIES.values()
                )
            )
    return "\n".join(found)


def load(out: Path, content: Path) -> BuildCache:
    """The cache of the last build into `out`, or an empty one."""
    version = fingerprint(content)
    try:
        with cache_path(out).open("rb") as handle:
            cached = pickle.load(handle)
            if isinstance(cached, BuildCache) and cached.version == version and out.is_dir():
                cached.batches = []
                for _ in range(pickle.load(handle)):
                    start = handle.tell()
                    batch = pickle.load(handle)
                    cached.batches.append((start, handle.tell(), batch))
                    cached.read.entries.update(batch)
                return cached
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
        pass
    return BuildCache(version)


def save(cache: BuildCache, out: Path) -> None:
    """Write the cache once a build is in place; record each page's file stat so
    a page changed by hand is not taken for the one built."""
    for path, (digest, _size, _mtime) in list(cache.digests.items()):
        try:
            stat = os.stat(f"{out}/{path}")
        except OSError:
            del cache.digests[path]
            continue
        cache.digests[path] = (digest, stat.st_size, stat.st_mtime_ns)
    cache.read.trusted = None
    cache.read.listings.clear()
    cache.read.scans.clear()
    cache.read.readers.clear()
    target = cache_path(out)
    temporary = target.with_name(target.name + ".tmp")
    entries = cache.read.entries
    # A batch whose entries are all still the very objects loaded (the reader reuses an
    # unchanged file's entry) is copied from the loaded file, not pickled again: after
    # one edit of a long story, pickling every body again (read back from the spill
    # file) would dominate saving. Copied one at a time: held together, the batches'
    # bytes would hold the cache twice.
    old = _open(target) if cache.batches else None
    kept = [
        (start, end, batch)
        for start, end, batch in (cache.batches if old is not None else ())
        if all(entries.get(path) is value for path, value in batch.items())
    ]
    covered = {path for _, _, batch in kept for path in batch}
    rest = [(path, value) for path, value in entries.items() if path not in covered]
    # The entries go in batches after the rest, each pickled on its own: one pickle of
    # a long story's entries keeps a memo of every object in it (tens of megabytes).
    batches = [dict(rest[i : i + _BATCH]) for i in range(0, len(rest), _BATCH)]
    cache.read.entries, cache.batches = {}, []
    try:
        with temporary.open("wb") as handle, old or contextlib.nullcontext():
            pickle.dump(cache, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(len(kept) + len(batches), handle)
            for start, end, batch in kept:
                assert old is not None
                old.seek(start)
                raw = old.read(end - start)
                if len(raw) == end - start:
                    handle.write(raw)
                else:  # the file changed since it was loaded: pickle the same entries
                    inline_pickler(handle).dump(batch)
            for batch in batches:  # bodies whole: the spill files are gone next time
                inline_pickler(handle).dump(batch)
    finally:
        cache.read.entries = entries
    os.replace(temporary, target)


def _open(path: Path) -> BinaryIO | None:
    try:
        return path.open("rb")
    except OSError:
        return None
