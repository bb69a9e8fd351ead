"""One build: check the output folder, read everything, then render into a staged folder.

The order is the guarantee: content errors and unsafe output folders are found before
anything is written, and the published folder is replaced only by a complete build.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, ContentError, ContentWarning, UsageError
from .linkcheck import check_links
from .output import check_output, staged
from .pages import render_site
from .reader import read_site


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary line."""

    stories: int
    entries: int
    files: int
    seconds: float
    warnings: tuple[ContentWarning, ...]
    details: tuple[str, ...] = ()  # one line per story, for --verbose


def build(
    content: Path,
    out: Path,
    *,
    drafts: bool = False,
    strict: bool = False,
    progress: Callable[[], object] | None = None,
    jobs: int | None = None,
) -> BuildReport:
    """Build `content` into `out`. Raises BuildError (content) or UsageError (folders).

    `strict` also fails on warnings and on any broken internal link or anchor in the
    output; either way the published folder is left as it was. `progress` is called
    once for each page rendered. `jobs` worker processes share large builds (default:
    one per core); the output is the same whatever their number.
    """
    jobs = jobs or os.cpu_count() or 1
    started = time.perf_counter()
    if not content.is_dir():
        raise UsageError(f"content folder {content} not found")
    check_output(out, content)
    site, warnings = read_site(content, drafts=drafts, jobs=jobs)
    if strict and warnings:
        raise BuildError([ContentError(w.path, w.line, w.message) for w in warnings])
    read_done = time.perf_counter()
    with staged(out) as output:
        render_site(site, output, progress, jobs)
        if strict and (broken := check_links(output.root, str(out))):
            raise BuildError(broken)
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
