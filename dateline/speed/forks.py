"""Forked worker processes, shared by reading and rendering a large build.

Both phases split their work the same way: this process takes a share too (rather than
waiting), the workers inherit everything by `fork` (nothing is sent to them), and the
garbage collector is frozen first, so the workers' collections never walk (and so
copy) the heap they inherited. A worker ends as soon as the process that forked it
does, even one killed outright, so no build leaves a process behind.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing as mp
import os
import signal
import sys
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.pool import Pool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# What forked workers inherit instead of being sent: set only while a phase shares its
# work (`handing`), and read by the workers' functions (`inherited`). The one slot of
# module state the build has; a fork copies it with everything else.
_INHERITED: object = None


def how_many(jobs: int, items: int, threshold: int) -> int:
    """Processes to share `items` between: 1 below `threshold` items (starting workers
    would cost more than they save) or where processes cannot be forked."""
    if items < threshold or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(jobs, os.cpu_count() or 1))


@contextmanager
def pool(processes: int) -> Iterator[Pool]:
    """Forked workers beside this process: `processes` - 1 of them, each ending as soon
    as this process does (`_watch_parent`)."""
    gc.freeze()
    # Both ends stay open here while the pool lasts, as it may fork a worker to replace
    # one: only this process's death closes the last write end, which the workers watch.
    parent_alive = os.pipe()
    try:
        context = mp.get_context("fork")
        with context.Pool(processes - 1, _start_worker, parent_alive) as workers:
            yield workers
    finally:
        for end in parent_alive:
            os.close(end)
        gc.unfreeze()


def _start_worker(read_end: int, write_end: int) -> None:
    _default_signals()
    os.close(write_end)
    threading.Thread(target=_watch_parent, args=(read_end,), daemon=True).start()


def _watch_parent(read_end: int) -> None:
    """End this worker once the process that forked it has died, however it died (the
    read returns when the last write end closes): a killed build's workers would
    otherwise go on with their share, writing into a folder the next build removes."""
    os.read(read_end, 1)
    os._exit(1)


def _default_signals() -> None:
    """Workers end on SIGTERM, as the pool ends them, whatever handler the process
    that forked them set (the dev server's stops it as Ctrl-C does)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> Callable[[], None] | None:
    """What a child process should run before its program (Popen's `preexec_fn`) to be
    killed when this process dies, or None where the system has no such watch.

    Linux's `prctl(PR_SET_PDEATHSIG)`, which fires when the thread that started the
    child ends: the child's caller must wait for it in that thread. A parent that died
    before the call has already left the child with another parent, so it ends at once.
    """
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def watch() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)

    return watch


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def worker_of(name: str, workers: int) -> int:
    """The worker (0 to `workers` - 1) that makes the file or item called `name`.

    A hash of the name (CRC-32: the same in every process), not every n-th in turn:
    content often repeats with a period (a figure box in every fourth entry), which a
    round robin would hand to one worker.
    """
    return zlib.crc32(name.encode()) % workers


def worker_of_lighter_lead(name: str, workers: int) -> int:
    """As `worker_of`, but worker 0 (the process that forked the others) takes a
    smaller share, as it also does work of its own the others do not.

    Made for the dev server's first build, where the server's own process also makes
    every feed and data file, about a fifth as much work as all the pages: with two
    processes it takes 4 pages in 10, so both finish together. Each other worker takes
    6 slices; the lead takes 6 - `workers` (at least 1), which balances a fifth's extra
    work for any number of workers.
    """
    lead = max(1, 6 - workers)
    slot = zlib.crc32(name.encode()) % (lead + 6 * (workers - 1))
    return 0 if slot < lead else 1 + (slot - lead) // 6


@contextmanager
def handing(value: object) -> Iterator[None]:
    """Make `value` what `inherited` returns, here and in workers forked meanwhile."""
    global _INHERITED
    _INHERITED = value
    try:
        yield
    finally:
        _INHERITED = None


def inherited() -> object:
    """What the phase that forked this worker (or runs here) handed on (`handing`)."""
    return _INHERITED


def map_shared(
    function: Callable[[T], R],
    items: Sequence[T],
    names: Sequence[str],
    workers: int,
) -> list[R]:
    """`function` of every item, in order: here alone with one worker, else shared
    with forked workers, each item going to the worker its name hashes to
    (`worker_of`); this process takes its share too rather than waiting."""
    if workers == 1:
        return [function(item) for item in items]
    with pool(workers) as others:
        ours = [worker_of(name, workers) == 0 for name in names]
        theirs = [item for item, own in zip(items, ours, strict=True) if not own]
        chunk = max(16, len(theirs) // (workers * 8))
        pending = others.map_async(function, theirs, chunksize=chunk)
        mine = iter([function(item) for item, own in zip(items, ours, strict=True) if own])
        done = iter(pending.get())
        return [next(mine if own else done) for own in ours]


@dataclass(frozen=True)
class Share:
    """Which files of one output this process writes, when several processes share it.

    Every process walks the whole site (cheap bookkeeping) and takes the files whose
    path hashes to it (`worker_of`), so the output is the same whatever the number of
    workers. The dev server's shared first build shares only its pages: its workers
    write their share of the pages and nothing else (`pages_only`); the server's own
    process (`lead`) takes fewer pages (`worker_of_lighter_lead`) and every other file,
    and keeps every page's key.
    """

    worker: int = 0
    workers: int = 1
    lead: bool = False
    pages_only: bool = False

    def mine(self, path: str, page: bool = False) -> bool:
        """Whether this process writes the file at `path` (a `page`, or any other)."""
        if self.workers == 1:
            return True
        if not (self.lead or self.pages_only):
            return worker_of(path, self.workers) == self.worker
        if page:
            return worker_of_lighter_lead(path, self.workers) == self.worker
        return self.lead


ALONE = Share()
