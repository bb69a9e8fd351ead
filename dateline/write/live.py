"""The dev server's output: a served folder kept up to date in place, file by file."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from dateline.write.output import MARKER, MARKER_TEXT, Output, as_built, remove_files, write_file


class _Digesting:
    """A file being written that keeps the digest `LiveOutput.write` would give it."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.digest = hashlib.blake2b(digest_size=16)

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self._handle.write(data)


class LiveOutput(Output):
    """Keeps a served folder up to date in place, for the dev server.

    Only files whose bytes changed are written (each atomically, so a reader never sees
    half a page), files a build no longer makes are removed, and pages the renderer
    reused are not even compared. There is no staging: a build that fails on content
    fails before rendering, so the folder always holds the last good site.
    """

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        (root / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        super().__init__(root)
        self._known: dict[str, object] = {}  # path -> digest or source stat, last round
        self._seen: set[str] = set()
        self.written = 0
        self.fresh: list[str] = []  # files written since the caller last took them

    def begin(self) -> None:
        self._seen = set()
        self.fresh = []
        self.count = self.written = 0
        # Folders are made again where missing: the last build's removals take the
        # folders they empty (a deleted entry's), which a restored entry needs back.
        self._folders = set()

    def take_fresh(self) -> list[str]:
        """The files written since the last call, for telling open pages which changed."""
        fresh, self.fresh = self.fresh, []
        return fresh

    def counted(self, path: str) -> None:
        """Count `path` as a file of this build, which `finish` keeps: whether this
        process writes it now, wrote it before, or a worker writes it (see
        `parallel.render_live`)."""
        self._seen.add(path)
        self.count += 1

    def _put(self, path: str, fingerprint: object, data: Callable[[], bytes]) -> None:
        self.counted(path)
        if self._known.get(path) == fingerprint:
            return
        target, temporary = self._temporary(path)
        write_file(temporary, data())
        self._place(path, target, temporary, fingerprint)

    def _temporary(self, path: str) -> tuple[str, str]:
        """The file for site path `path`, and where it is written before `_place`."""
        target = self._target(path)
        folder, _, name = target.rpartition("/")
        return target, f"{folder}/.{name}.tmp"

    def _place(self, path: str, target: str, temporary: str, fingerprint: object) -> None:
        """Put a written file in place at once (a reader never sees half of it)."""
        os.replace(temporary, target)
        self._known[path] = fingerprint
        self.written += 1
        self.fresh.append(path)

    def write(self, path: str, data: str | bytes) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self._put(path, hashlib.blake2b(raw, digest_size=16).digest(), lambda: raw)

    def placed(self) -> dict[str, object]:
        """In a worker: the files it put in place this build, with their fingerprints."""
        return {path: self._known[path] for path in self.fresh}

    def absorb_placed(self, placed: dict[str, object]) -> None:
        """Take a worker's `placed` files as written by this build."""
        self._known.update(placed)
        self.written += len(placed)
        self.fresh.extend(placed)

    def still_there(self, path: str) -> bool:
        if path not in self._known:  # removed since (its entry was deleted, then restored)
            return False
        self.counted(path)
        return True

    @contextmanager
    def stream(self, path: str) -> Iterator[BinaryIO]:
        """A large file in pieces (a long story's feed), never whole in memory: into a
        temporary file, digested as it is written, and put in place if it changed."""
        self.counted(path)
        target, temporary = self._temporary(path)
        try:
            with open(temporary, "wb") as handle:
                digesting = _Digesting(handle)
                yield digesting
        except BaseException:
            os.unlink(temporary)
            raise
        fingerprint = digesting.digest.digest()
        if self._known.get(path) == fingerprint:
            os.unlink(temporary)
        else:
            self._place(path, target, temporary, fingerprint)

    def made_from(self, path: str, source: object, data: Callable[[], bytes]) -> None:
        self._put(path, source, data)  # made again only when `source` changed

    def copy(self, source: Path, path: str) -> None:
        stat = source.stat()
        self._put(path, (stat.st_mtime_ns, stat.st_size, stat.st_ino), source.read_bytes)

    def located(self, path: str) -> Path:
        return self.root / path

    def identity(self, path: str) -> object:
        return self._known.get(path)  # the digest of its bytes, or its source's stat

    def scratch(self) -> Path:
        return Path(tempfile.gettempdir())  # not the served folder

    def link_previous(self, path: str, size: int, mtime_ns: int) -> bool:
        try:
            stat = os.lstat(self.root / path)
        except OSError:
            return False
        if path not in self._known or not as_built(stat, size, mtime_ns):
            return False
        self.counted(path)
        return True

    def finish(self) -> None:
        """Remove what the last build made and this one did not."""
        gone = set(self._known) - self._seen
        for path in gone:
            del self._known[path]
        remove_files(self.root, gone)
