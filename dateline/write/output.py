"""The output folder: written whole or not at all, and never someone else's.

A first build renders into a fresh sibling folder renamed into place when complete; a
rebuild stages the files that changed and moves them in once complete. Either way a
failed or interrupted build leaves the published site as it was. A marker file records
that dateline made the folder; a non-empty folder without it is refused rather than
overwritten, and so is any output folder that is, holds or sits inside the content.
"""

from __future__ import annotations

import filecmp
import hashlib
import mmap
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

from dateline.errors import UsageError

MARKER = ".dateline"
MARKER_TEXT = "This folder is written by dateline; a build replaces everything in it.\n"


def as_built(stat: os.stat_result, size: int, mtime_ns: int) -> bool:
    """Whether a file whose stat is `stat` is still the one a build wrote with `size`
    bytes at `mtime_ns`: same size, and modified in the same second. Not to the
    nanosecond: an output restored from an archive (a CI runner's, by actions/cache or
    Python's tarfile) keeps its times only to the second or microsecond."""
    return stat.st_size == size and stat.st_mtime_ns // 1_000_000_000 == mtime_ns // 1_000_000_000


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
    """Writes one build's files, refusing any path that would leave the site.

    A first build writes every file into `root`, a fresh folder `staged` renames into
    place. A rebuild over a folder an earlier build made (`previous`) writes into `root`
    only the files whose bytes changed; `commit` then moves those into `previous` and
    removes what this build no longer makes. So a rebuild after one edit touches a few
    dozen files instead of re-creating every folder, and unchanged files keep their
    bytes, inode and modification time: `rsync` or `aws s3 sync` upload only what
    changed. A build that fails never reaches `commit`, so the published folder stays
    as it was.

    A rebuild's files wait in `root` flat, each named by a digest of its path: staging
    them in folders meant making, and then removing, one folder per entry (removing
    thousands of empty folders is slow on some disks) when a change every page shows
    (the site's title, the theme) rewrites every page.
    """

    def __init__(
        self, root: Path, previous: Path | None = None, existing: frozenset[str] = frozenset()
    ) -> None:
        self.root = root.resolve()
        self._root = str(self.root)
        self.previous = previous.resolve() if previous is not None else None
        self.existing = existing  # the previous build's files, site paths
        self.count = 0
        self.reused = 0  # files the previous build already has as they are
        self.made: set[str] = set()  # every file of this build
        self.staged: set[str] = set()  # files with new bytes under `root`
        self._folders: set[str] = set()

    def _done(self, path: str) -> None:
        self.count += 1
        self.made.add(path)

    def _kept(self, path: str, same: Callable[[str], bool]) -> bool:
        """Whether the previous build's file at `path` already is what `same` checks."""
        if self.previous is None or path not in self.existing:
            return False
        try:
            kept = same(f"{self.previous}/{path}")
        except OSError:
            return False
        self.reused += kept
        return kept

    def _target(self, path: str) -> str:
        """The file to write for site path `path`: under `root` with its folder made (or
        staged flat, in a rebuild); never outside the site.

        Output paths are built from slugs, so a plain check of their parts suffices
        (no symlinks can exist in a folder this build made). Plain strings and `os`
        calls: this runs for every file, and pathlib's objects cost more than the work.
        """
        parts = path.split("/")
        if path.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\0" in path:
            raise ValueError(f"output path {path!r} leaves the output folder")
        self.staged.add(path)
        if self.previous is not None:
            return self._staged_file(path)
        target = f"{self._root}/{path}"
        folder = target.rpartition("/")[0]
        if folder not in self._folders:
            try:
                os.mkdir(folder)  # an entry's folder, in its story's: one call, not two
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return target

    def _staged_file(self, path: str) -> str:
        """Where a rebuild stages the file for site path `path` (see the class)."""
        return f"{self._root}/{hashlib.blake2b(path.encode(), digest_size=16).hexdigest()}"

    def write(self, path: str, data: str | bytes) -> None:
        """Write one file; `path` is relative to the output root, '/'-separated."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self._done(path)
        if not self._kept(path, lambda old: _same_bytes(old, raw)):
            write_file(self._target(path), raw)

    def still_there(self, path: str) -> bool:
        """Whether the file at `path`, which the caller would make exactly as it made it
        last build, is still there as written (and is now this build's). Only the dev
        server's output knows; a one-off build compares bytes instead (`write`)."""
        return False

    @contextmanager
    def stream(self, path: str) -> Iterator[BinaryIO]:
        """A file to write a large output in pieces (a long story's feed), never held
        whole in memory."""
        target = self._target(path)
        with open(target, "wb") as handle:
            yield handle
        self._done(path)
        if self._kept(path, lambda old: filecmp.cmp(target, old, shallow=False)):
            os.unlink(target)
            self.staged.discard(path)

    def link_previous(self, path: str, size: int, mtime_ns: int) -> bool:
        """Keep the previous build's file at `path` if it is still as it was built (same
        size and modification time); False if it must be written again."""

        def same(old: str) -> bool:
            stat = os.lstat(old)
            return as_built(stat, size, mtime_ns) and S_ISREG(stat.st_mode)

        if self._kept(path, same):
            self._done(path)
            return True
        return False

    def previous_file(self, path: str, size: int, mtime_ns: int) -> mmap.mmap | None:
        """The previous build's file at `path`, mapped read-only, if it is still as it
        was built; None otherwise."""
        if self.previous is None or path not in self.existing or not size:
            return None
        try:
            with (self.previous / path).open("rb") as handle:
                stat = os.fstat(handle.fileno())
                if not as_built(stat, size, mtime_ns):
                    return None
                return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None

    def made_from(self, path: str, source: object, data: Callable[[], bytes]) -> None:
        """Write the bytes `data` makes from `source` (a key of what they depend on),
        for files that are costly to make (a photo's smaller copy)."""
        self.write(path, data())

    def copy(self, source: Path, path: str) -> None:
        """Copy a media or theme file into the output."""
        self._done(path)
        if not self._kept(path, lambda old: filecmp.cmp(source, old, shallow=False)):
            shutil.copyfile(source, self._target(path))

    def share(self) -> tuple[int, int, set[str], set[str]]:
        """What a worker process wrote, for the process that commits the build."""
        return self.count, self.reused, self.made, self.staged

    def absorb(self, share: tuple[int, int, set[str], set[str]]) -> None:
        count, reused, made, staged = share
        self.count += count
        self.reused += reused
        self.made |= made
        self.staged |= staged

    def located(self, path: str) -> Path:
        """Where this build's file at site path `path` is now: staged, or kept."""
        if self.previous is None:
            return self.root / path
        return Path(self._staged_file(path)) if path in self.staged else self.previous / path

    def identity(self, path: str) -> object:
        """What tells this build's file at `path` from another: its size, modification
        time and inode (a file kept from the last build keeps all three)."""
        stat = self.located(path).stat()
        return stat.st_size, stat.st_mtime_ns, stat.st_ino

    def scratch(self) -> Path:
        """A folder for a step's temporary files, removed with the build's if it fails."""
        return self.root

    def files(self) -> dict[str, Path]:
        """Every file of this build and where it is now (staged or kept), by site path."""
        return {path: self.located(path) for path in self.made}

    def commit(self) -> None:
        """Make `previous` this build: remove what it no longer makes, move the new
        files in. Each file is replaced whole (a rename), so a reader never sees half a
        page."""
        assert self.previous is not None
        remove_files(self.previous, sorted(self.existing - self.made))
        # Plain strings and `os` calls, a folder made only where one is missing: after a
        # change every page shows (the site's title, the theme), this moves every file,
        # and pathlib's objects and a mkdir before each replace add up over thousands of files.
        previous = str(self.previous)
        for path in sorted(self.staged):
            staged, target = self._staged_file(path), f"{previous}/{path}"
            try:
                os.replace(staged, target)
            except FileNotFoundError:  # a new folder, or one deleted by hand meanwhile
                os.makedirs(target.rpartition("/")[0], exist_ok=True)
                os.replace(staged, target)


def remove_files(root: Path, paths: Iterable[str]) -> None:
    """Delete files under `root`, and the folders they leave empty."""
    for path in paths:
        target = root / path
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != root and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def write_file(path: str, raw: bytes) -> None:
    """Write a new file with plain descriptors: cheaper than `open`'s buffered file
    object, which thousands of small pages would each pay for."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _same_bytes(old: str, raw: bytes) -> bool:
    with open(old, "rb") as handle:
        stat = os.fstat(handle.fileno())
        return S_ISREG(stat.st_mode) and stat.st_size == len(raw) and handle.read() == raw


def _previous_files(out: Path) -> frozenset[str] | None:
    """The files of the build in `out`, or None if it holds anything a build did not
    make (a symlink, a socket): such a folder is replaced whole, never written through."""
    found: set[str] = set()
    pending = [("", str(out))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as listing:
            for item in listing:
                name = prefix + item.name
                if item.is_dir(follow_symlinks=False):
                    pending.append((name + "/", item.path))
                elif item.is_file(follow_symlinks=False):
                    found.add(name)
                else:
                    return None
    found.discard(MARKER)
    return frozenset(found)


# A build's working folders beside the output: staged files, the site it replaces, and
# spilled entry bodies (see bodies.py).
_SIBLINGS = ("building", "old", "bodies")


def beside(out: Path, name: str) -> Path:
    """What a build keeps beside the output folder `out`, never inside it (so never
    published): `.site.NAME` for `site/` (its cache, its lock, its working folders)."""
    out = out.absolute()
    return out.parent / f".{out.name}.{name}"


def sibling(out: Path, kind: str) -> Path:
    """This process's working folder of `kind` beside `out`, e.g. `.site.building-PID`;
    a killed build's are removed by the next (`remove_leftovers`)."""
    assert kind in _SIBLINGS
    return beside(out, f"{kind}-{os.getpid()}")


def remove_leftovers(out: Path) -> list[Path]:
    """Delete the working folders killed builds into `out` left beside it (a CI
    timeout, a power cut), and return them. Only with `out`'s lock held (`write.lock`):
    then no other build into `out` runs, so every such folder not this process's is a
    killed build's, whatever process has its number now."""
    left: list[Path] = []
    for kind in _SIBLINGS:
        pattern = beside(out, f"{kind}-*")
        for folder in sorted(pattern.parent.glob(pattern.name)):
            if folder != sibling(out, kind):
                shutil.rmtree(folder, ignore_errors=True)
                left.append(folder)
    return left


@contextmanager
def staged(out: Path) -> Iterator[Output]:
    """Yield an Output for a build into `out`; `out` changes only if the build succeeds.

    A first build (or one over a folder holding anything a build did not make) renders
    into a fresh sibling folder swapped in at the end; a rebuild stages only the files
    that changed and moves them in (see Output).
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    stage = sibling(out, "building")
    old = sibling(out, "old")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    existing = _previous_files(out) if (out / MARKER).is_file() else None
    try:
        if existing is None:
            output = Output(stage)
            yield output
            (stage / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        else:
            output = Output(stage, out, existing)
            yield output
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if existing is not None:
        output.commit()
        shutil.rmtree(stage, ignore_errors=True)
        return
    if out.exists():
        out.rename(old)
    stage.rename(out)
    shutil.rmtree(old, ignore_errors=True)
