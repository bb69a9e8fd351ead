"""Forked worker processes, shared by reading and rendering a large build.

Both phases split their work the same way: this process takes a share too (rather than
waiting), the workers inherit everything by `fork` (nothing is sent to them), and the
garbage collector is frozen first, so the workers' collections never walk (and so
copy) the heap they inherited.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool


def how_many(jobs: int, items: int, threshold: int) -> int:
    """Processes to share `items` between: 1 below `threshold` items (starting workers
    would cost more than they save) or where processes cannot be forked."""
    if items < threshold or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(jobs, os.cpu_count() or 1))


@contextmanager
def pool(processes: int) -> Iterator[Pool]:
    """Forked workers beside this process: `processes` - 1 of them."""
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(processes - 1) as workers:
            yield workers
    finally:
        gc.unfreeze()


def worker_of(name: str, workers: int) -> int:
    """The worker (0 to `workers` - 1) that makes the file or item called `name`.

    A hash of the name (CRC-32: the same in every process), not every n-th in turn:
    content often repeats with a period (a figure box in every fourth entry), which a
    round robin would hand to one worker.
    """
    return zlib.crc32(name.encode()) % workers
