"""Entry bodies: held in memory, or spilled to a file for the length of a build.

A one-off build of a long story would otherwise hold every entry's rendered HTML at
once (tens of megabytes for thousands of entries, in every worker). While a build
runs, the reader's processes append each body to a spill file of their own, and an
entry carries only where its body is; a page reads the body when it renders it. The
dev server and `check` keep bodies in memory: no spill store is open for them.

The build cache stores bodies whole (`inline_pickler`), never a place in a spill file
that is gone by the next build; entries loaded from it are spilled again.
"""

from __future__ import annotations

import copyreg
import os
import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from dateline.write.output import sibling


@dataclass(frozen=True)
class Body:
    """An entry's rendered HTML: `inline`, or `size` bytes at `offset` of file `path`."""

    inline: str | None = None
    path: str | None = None
    offset: int = 0
    size: int = 0

    @property
    def html(self) -> str:
        if self.inline is not None:
            return self.inline
        assert self.path is not None
        return _spilled(self.path, self.size, self.offset)


class _Store:
    """Spill files in one folder: one per process, appended to, never rewritten."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pid = 0
        self._path = ""
        self._fd = -1
        self._end = 0

    def put(self, html: str) -> Body:
        if self._pid != os.getpid():  # a forked reader: a file of its own
            self._pid = os.getpid()
            # A name no other store has ever had (random, not id(self): a freed store's
            # id comes back at once), so a Body (a name and a place) never means two
            # texts: caches keyed by Body outlive the build that made it.
            self._path = str(self.folder / f"{self._pid}-{os.urandom(8).hex()}.html")
            self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._end = os.fstat(self._fd).st_size
        data = html.encode("utf-8")
        os.write(self._fd, data)
        body = Body(path=self._path, offset=self._end, size=len(data))
        self._end += len(data)
        return body

    def close(self) -> None:
        if self._pid == os.getpid():
            os.close(self._fd)


_STORE: _Store | None = None
_READERS: dict[str, int] = {}  # spill file -> a descriptor open for reading


@lru_cache(maxsize=64)
def _spilled(path: str, size: int, offset: int) -> str:
    """A spilled body, the last few kept: a page asks for one body several times (its
    description, its article), and a timeline page for a few dozen twice."""
    return _pread(path, size, offset).decode("utf-8")


def _pread(path: str, size: int, offset: int) -> bytes:
    fd = _READERS.get(path)
    if fd is None:
        fd = _READERS[path] = os.open(path, os.O_RDONLY)
    return os.pread(fd, size, offset)


def body(html: str) -> Body:
    """A body for `html`: spilled while a store is open, else held in memory."""
    return _STORE.put(html) if _STORE is not None else Body(inline=html)


@contextmanager
def spilling(beside: Path) -> Iterator[None]:
    """Spill bodies read meanwhile into a hidden folder beside `beside`; removed after."""
    global _STORE
    folder = sibling(beside, "bodies")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    _STORE = _Store(folder)
    try:
        yield
    finally:
        store, _STORE = _STORE, None
        store.close()
        for fd in _READERS.values():
            os.close(fd)
        _READERS.clear()
        _spilled.cache_clear()
        shutil.rmtree(folder, ignore_errors=True)


def _inline(value: Body) -> tuple[object, tuple[str]]:
    return body, (value.html,)


def inline_pickler(handle: BinaryIO) -> pickle.Pickler:
    """A pickler that stores bodies whole; unpickled, they are spilled again (`body`)."""
    pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table | {Body: _inline}
    return pickler
