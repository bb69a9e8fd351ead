"""The garbage collector held off while a build runs (see `collector_paused`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection for the length of a build.

    A build makes almost no cyclic garbage but holds every entry, page key and piece
    it makes until its end, which each automatic collection would walk for nothing. A
    one-off build's process ends after the build; the dev server collects between
    builds (`Rebuilder.settle`).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
