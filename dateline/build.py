"""One build: check the output folder, read everything, then render, staged.

The order is the guarantee: content errors and unsafe output folders are found before
anything is written, and the published folder changes only once a build is complete.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dateline.errors import BuildError, ContentError, ContentWarning, UsageError
from dateline.read.site import read_site
from dateline.speed.bodies import spilling
from dateline.speed.parallel import render_site
from dateline.validate.output_links import check_links
from dateline.write.cache import load as load_cache
from dateline.write.cache import save as save_cache
from dateline.write.output import check_output, staged


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary line."""

    stories: int
    entries: int
    files: int
    seconds: float
    warnings: tuple[ContentWarning, ...]
    details: tuple[str, ...] = ()  # one line per story, for --verbose


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection for the length of a build.

    A build makes almost no cyclic garbage (some 600 objects in a 20,000-entry build)
    but holds a million objects by its end, which each full collection walks: five of
    them, and a thousand smaller ones, cost about 4% of such a build's CPU time (read
    and rendered in one process, three runs each) and found nothing to free; in the
    dev server's first build at 20,000 entries, 15%. A one-off build's process ends
    after the build; the dev server collects between builds (`Rebuilder.settle`).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(
    content: Path,
    out: Path,
    *,
    drafts: bool = False,
    strict: bool = False,
    progress: Callable[[], object] | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
) -> BuildReport:
    """Build `content` into `out`. Raises BuildError (content) or UsageError (folders).

    `strict` also fails on warnings and on any broken internal link or anchor in the
    output; either way the published folder is left as it was. `progress` is called
    once for each page rendered. `jobs` worker processes share large builds (default:
    one per core); the output is the same whatever their number. `use_cache` keeps a
    build cache beside `out` so the next build redoes only what changed.
    """
    jobs = jobs or os.cpu_count() or 1
    started = time.perf_counter()
    if not content.is_dir():
        raise UsageError(f"content folder {content} not found")
    check_output(out, content)
    # Entries' bodies wait in a file, not all in memory at once.
    with collector_paused(), spilling(out):
        store = load_cache(out, content) if use_cache else None
        read_cache = store.read if store is not None else None
        site, warnings = read_site(content, drafts=drafts, jobs=jobs, cache=read_cache)
        if strict and warnings:
            raise BuildError([ContentError(w.path, w.line, w.message) for w in warnings])
        read_done = time.perf_counter()
        with staged(out) as output:
            render_site(site, output, progress, jobs, store)
            if strict and (broken := check_links(output.files(), str(out))):
                raise BuildError(broken)
        if store is not None:
            save_cache(store, out)
    return BuildReport(
        stories=len(site.stories),
        entries=sum(len(s.entries) for s in site.stories),
        files=output.count,
        seconds=time.perf_counter() - started,
        warnings=tuple(warnings),
        details=(
            f"read {len(site.stories)} stories in {read_done - started:.2f}s",
            *(
                f"  {s.slug}: {len(s.entries)} entries, {sum(len(e.boxes) for e in s.entries)} "
                f"figure boxes, zone {s.zone.key}, {s.status}"
                for s in site.stories
            ),
            f"rendered and wrote {output.count} files ({output.reused} unchanged) in "
            f"{time.perf_counter() - read_done:.2f}s",
        ),
    )
