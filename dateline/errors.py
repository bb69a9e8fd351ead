"""The one error type content mistakes travel in.

Editors act on `path:line: message`, so every problem found while reading carries its
place. Readers collect these instead of raising on the first, so one build reports every
mistake at once; the command line turns them into output and an exit status in one spot.
"""

from __future__ import annotations

import errno
import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError:
    """A mistake in content an editor can fix, located by file and 1-based line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, order=True)
class ContentWarning(ContentError):
    """Something worth an editor's attention that still builds (fails only `--strict`)."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


class BuildError(Exception):
    """Raised when content has errors; carries all of them, sorted by place."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = sorted(errors)
        super().__init__(f"{len(self.errors)} content error(s)")


class UsageError(Exception):
    """Wrong use of the command line or of folders (exit status 2)."""


class FileError(Exception):
    """A file the build could not read or write: `PATH: cannot read: permission denied`
    (exit status 3). Not a mistake in the text of a file, but in its permissions, the
    disk or the folder, so no line."""

    def __init__(self, path: str, action: str, reason: str) -> None:
        self.path, self.action, self.reason = path, action, reason
        super().__init__(f"{path}: cannot {action}: {reason}")


# Failures only writing can meet, whatever file they name.
_WRITING = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}


@contextmanager
def file_errors(out: Path | None) -> Iterator[None]:
    """Turn an OSError into a FileError: writing if it names the output folder `out`
    or a build's folder or file beside it (`.site.building-PID`), a file refused that
    does not exist (one being made), or is a failure only writing meets (a full disk);
    else reading (content, theme, anything a build only reads)."""
    try:
        yield
    except OSError as exc:
        raise file_error(exc, out) from None


def file_error(exc: OSError, out: Path | None) -> FileError:
    name = exc.filename if exc.filename is not None else exc.filename2
    reason = exc.strerror.lower() if exc.strerror else str(exc)
    if name is None:
        return FileError("dateline", "read or write files", reason)
    path = Path(os.fsdecode(name)).absolute()
    writing = (
        exc.errno in _WRITING
        or (out is not None and _of_output(path, out.absolute()))
        or (exc.errno in (errno.EACCES, errno.EPERM) and _missing(path))
    )
    return FileError(display_path(path), "write" if writing else "read", reason)


def _missing(path: Path) -> bool:
    """Whether nothing is at `path` (so a refusal there was to make it, not read it)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False  # (a folder on the way that may not be entered: not known)
    return False


def _of_output(path: Path, out: Path) -> bool:
    if path == out or path.is_relative_to(out):
        return True
    beside = path.relative_to(out.parent).parts if path.is_relative_to(out.parent) else ()
    return bool(beside) and beside[0].startswith(f".{out.name}.")


@functools.cache
def _cwd() -> Path:
    return Path.cwd().resolve()


def display_path(path: Path) -> str:
    """Show a path as the editor knows it: relative to where they ran the build."""
    text = str(path)
    if not os.path.isabs(text):
        return text
    cwd = _cwd_text()
    if text.startswith(cwd):
        return text[len(cwd) :]
    return "." if text == cwd[:-1] else text


@functools.cache
def _cwd_text() -> str:
    """The working folder with a trailing separator (string work: this runs for every
    file)."""
    return str(_cwd()).rstrip(os.sep) + os.sep
