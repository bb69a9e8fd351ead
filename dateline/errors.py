"""The one error type content mistakes travel in.

Editors act on `path:line: message`, so every problem found while reading carries its
place. Readers collect these instead of raising on the first, so one build reports every
mistake at once; the command line turns them into output and an exit status in one spot.
"""

from __future__ import annotations

import functools
import os
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
