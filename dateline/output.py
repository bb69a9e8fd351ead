"""The output folder: written whole or not at all, and never someone else's.

A build renders into a fresh sibling folder and swaps it in only when complete, so a
failed or interrupted build leaves the published site as it was. A marker file records
that dateline made the folder; a non-empty folder without it is refused rather than
overwritten, and so is any output folder that is, holds or sits inside the content.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import UsageError

MARKER = ".dateline"
MARKER_TEXT = "This folder is written by dateline; a build replaces everything in it.\n"


def check_output(out: Path, content: Path) -> None:
    """Refuse output folders a build could destroy someone's files in."""
    out_r, content_r = out.resolve(), content.resolve()
    if out_r == content_r or content_r.is_relative_to(out_r):
        raise UsageError(f"--out {out} is or contains the content folder {content}; choose another")
    if out_r.is_relative_to(content_r):
        raise UsageError(f"--out {out} is inside the content folder {content}; choose another")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(
            f"--out {out} is not empty and was not made by dateline; "
            "empty it or choose another folder"
        )


class Output:
    """Writes files under one root, refusing any path that would leave it.

    A file whose bytes equal the previous build's is hard-linked from it instead of
    written, so it keeps its modification time: `rsync` or `aws s3 sync` then upload
    only what changed, and a rebuild writes less.
    """

    def __init__(self, root: Path, previous: Path | None = None) -> None:
        self.root = root.resolve()
        self.previous = previous.resolve() if previous is not None else None
        self.count = 0
        self.reused = 0  # files hard-linked from the previous build
        self._folders: set[Path] = set()

    def _reuse(self, path: str, target: Path, same: Callable[[Path], bool]) -> bool:
        """Hard-link the previous build's file at `path` if `same` says it is unchanged."""
        if self.previous is None:
            return False
        old = self.previous / path
        try:
            if old.is_file() and not old.is_symlink() and same(old):
                os.link(old, target)
                self.reused += 1
                return True
        except OSError:  # no hard links on this filesystem: write a fresh copy
            pass
        return False

    def _target(self, path: str) -> Path:
        """The file for site path `path`, its folder made; never outside the root.

        Output paths are built from slugs, so a plain check of their parts suffices
        (no symlinks can exist in a folder this build made).
        """
        parts = path.split("/")
        if path.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\0" in path:
            raise ValueError(f"output path {path!r} leaves the output folder")
        target = self.root.joinpath(*parts)
        folder = target.parent
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return target

    def write(self, path: str, data: str | bytes) -> None:
        """Write one file; `path` is relative to the output root, '/'-separated."""
        target = self._target(path)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.count += 1
        if not self._reuse(
            path, target, lambda old: old.stat().st_size == len(raw) and old.read_bytes() == raw
        ):
            target.write_bytes(raw)

    def unchanged(self, path: str, data: str | bytes) -> None:
        """Write `data`, which the caller knows is what it wrote last build."""
        self.write(path, data)

    @contextmanager
    def stream(self, path: str) -> Iterator[BinaryIO]:
        """A file to write a large output in pieces (a long story's feed), never held
        whole in memory."""
        with self._target(path).open("wb") as handle:
            yield handle
        self.count += 1

    def link_previous(self, path: str, size: int, mtime_ns: int) -> bool:
        """Hard-link the previous build's file at `path`, if it is still as it was built
        (same size and modification time); False if it cannot be reused."""
        if self.previous is None:
            return False
        old = self.previous / path
        try:
            stat = old.lstat()
            if stat.st_size != size or stat.st_mtime_ns != mtime_ns or not old.is_file():
                return False
            os.link(old, self._target(path))
        except OSError:
            return False
        self.count += 1
        self.reused += 1
        return True

    def copy(self, source: Path, path: str) -> None:
        """Copy a media or theme file into the output."""
        target = self._target(path)
        self.count += 1
        if not self._reuse(path, target, lambda old: filecmp.cmp(source, old, shallow=False)):
            shutil.copyfile(source, target)


@contextmanager
def staged(out: Path) -> Iterator[Output]:
    """Yield an Output on a temporary sibling of `out`; swap it in only on success."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.building-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    previous = out if (out / MARKER).is_file() else None
    try:
        yield Output(stage, previous)
        (stage / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if out.exists():
        out.rename(old)
    stage.rename(out)
    shutil.rmtree(old, ignore_errors=True)


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

    def begin(self) -> None:
        self._seen = set()
        self.count = self.written = 0

    def _put(self, path: str, fingerprint: object, data: Callable[[], bytes]) -> None:
        self._seen.add(path)
        self.count += 1
        if self._known.get(path) == fingerprint:
            return
        target = self._target(path)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data())
        os.replace(temporary, target)
        self._known[path] = fingerprint
        self.written += 1

    def write(self, path: str, data: str | bytes) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self._put(path, hashlib.blake2b(raw, digest_size=16).digest(), lambda: raw)

    def unchanged(self, path: str, data: str | bytes) -> None:
        if path in self._known:
            self._seen.add(path)
            self.count += 1
        else:
            self.write(path, data)

    def copy(self, source: Path, path: str) -> None:
        stat = source.stat()
        self._put(path, (stat.st_mtime_ns, stat.st_size, stat.st_ino), source.read_bytes)

    def finish(self) -> None:
        """Remove what the last build made and this one did not."""
        for path in set(self._known) - self._seen:
            del self._known[path]
            target = self.root / path
            target.unlink(missing_ok=True)
            folder = target.parent
            while folder != self.root and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
