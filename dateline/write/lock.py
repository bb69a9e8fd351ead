"""One build at a time into an output folder: a lock file beside it (`.site.lock`).

Two builds into one `--out` would stage, move and remove files in the same folder and
each other's working folders. So each build (and `serve --out`, for as long as it
serves) holds an operating-system lock on that file: a second build waits for the
first, saying which process it waits for; `clean` and a build into a folder being
served refuse at once, naming the process. The system releases the lock when its
holder ends, however it ends (a SIGKILL, a CI timeout), so a killed build's lock is
never in anyone's way: the file still names it, but nothing holds it, and the next
build takes it over. The file itself stays (removing it while another build waits on
it would let a third lock a new one); it is empty whenever no build runs.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dateline.errors import UsageError
from dateline.write.output import beside

try:
    import fcntl
except ImportError:  # Windows: no advisory locks here; builds there are not guarded
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Holder:
    """Who holds an output folder's lock: a process id and its command."""

    pid: int
    command: str

    def __str__(self) -> str:
        return f"dateline {self.command} (process {self.pid})" if self.pid else "another build"


def lock_path(out: Path) -> Path:
    return beside(out, "lock")


@contextmanager
def holding(
    out: Path, command: str, waiting: Callable[[str], object] | None = None
) -> Iterator[None]:
    """Hold `out`'s lock for the span of `command` ('build', 'serve', 'clean').

    If another process holds it: wait for it, telling `waiting` whom we wait for; or
    raise UsageError naming it, without `waiting` or if it is serving the folder.
    """
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if not _take(fd, block=False):
            holder = _holder(fd)
            if waiting is None or holder.command == "serve":
                raise UsageError(f"{out} is in use by {holder}; {_advice(holder)}")
            waiting(f"{out} is being written by {holder}; waiting for it to finish")
            _take(fd, block=True)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": command}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # no one's: a stale name is only one a killed build left
    finally:
        os.close(fd)  # which releases the lock


def _take(fd: int, *, block: bool) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    except OSError as exc:  # a file system without locks (some network mounts): unguarded
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
    return True


def _holder(fd: int) -> Holder:
    """Who holds the lock, as its file says (a holder that has only just taken it may
    not have written its name yet)."""
    try:
        said = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return Holder(int(said["pid"]), str(said["command"]))
    except (ValueError, KeyError, TypeError):
        return Holder(0, "build")


def _advice(holder: Holder) -> str:
    if holder.command == "serve":
        return "stop that server, or build into another folder"
    return "wait for it to finish, or stop it"
