"""The build, one for the command line, `check` and the dev server: read and validate
everything into the model (`read_site`), then plan, render and write into a target.

The order is the guarantee: content errors and unsafe output folders are found before
anything is written, and the published folder changes only once a build is complete.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from dateline.errors import (
    BuildError,
    ContentError,
    ContentWarning,
    UsageError,
    display_path,
    file_errors,
)
from dateline.model.site import Site
from dateline.read.cache import ReadCache
from dateline.read.cms_settings import LocalCms
from dateline.read.entryfile import Problems
from dateline.read.site import read_content
from dateline.validate import validate_site
from dateline.write.targets import Staged, Target, Written


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary line."""

    stories: int
    entries: int
    files: int
    seconds: float
    warnings: tuple[ContentWarning, ...]
    details: tuple[str, ...] = ()  # one line per story, for --verbose
    written: Written = field(default_factory=Written)


def read_site(
    content: Path,
    *,
    drafts: bool = False,
    cache: ReadCache | None = None,
    jobs: int = 1,
    now: datetime | None = None,
) -> tuple[Site, list[ContentWarning]]:
    """Read, then check, everything under `content` into the site to render; raise
    BuildError listing every mistake.

    With a `cache` from an earlier read, unchanged entry files are not read again.
    Entries timed after `now` (the clock) are warned of.
    """
    problems = Problems()
    read = read_content(content, problems, drafts=drafts, cache=cache, jobs=jobs)
    validate_site(read, now or datetime.now(UTC), problems)
    if problems.errors:
        raise BuildError(problems.errors)
    if read.config.base_url is None:
        problems.warn(
            display_path(content / "site.toml"),
            1,
            "no base_url: feeds and canonical links are left out, figures.json links are relative",
        )
    stories = tuple(s.story for s in read.stories if s.story is not None)
    site = Site(
        config=read.config,
        stories=stories,
        content=content,
        words=read.words,
        registry=read.registry,
    )
    return site, sorted(problems.warnings)


def build(
    content: Path,
    out: Path | None,
    *,
    drafts: bool = False,
    strict: bool = False,
    progress: Callable[[], object] | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
    target: Target | None = None,
    changes: frozenset[Path] = frozenset(),
    now: datetime | None = None,
    cms: LocalCms | None = None,
    waiting: Callable[[str], object] | None = None,
) -> BuildReport:
    """Build `content` into `out`. Raises BuildError (content) or UsageError (folders).

    `strict` also fails on warnings and on any broken internal link or anchor in the
    output; either way the published folder is left as it was. `progress` is called
    once for each page rendered. `jobs` worker processes share large builds (default:
    one per core); the output is the same whatever their number. `use_cache` keeps a
    build cache beside `out` so the next build redoes only what changed.

    `target` is where the build writes: by default a staged `out` (the command line);
    `Nowhere()` for `check`; the dev server's, which keeps its caches between builds,
    with the `changes` (paths) since its last build. Either way the same steps run:
    read and validate everything, then render and write. `cms`: the dev server's
    admin page, through Decap's local proxy (`serve --cms`). `waiting` is told when
    the build waits for another one writing into `out` (see `write.lock`).

    A file that cannot be read or written raises FileError, saying which and where.
    """
    jobs = jobs or os.cpu_count() or 1
    started = time.perf_counter()
    if not content.is_dir():
        raise UsageError(f"content folder {content} not found")
    if target is None:
        assert out is not None
        target = Staged(content, out, use_cache, waiting)
    with file_errors(target.out), target.building(changes) as cache:
        site, warnings = read_site(content, drafts=drafts, jobs=jobs, cache=cache, now=now)
        if cms is not None:
            site = replace(site, config=replace(site.config, cms=cms.settings(site.config.cms)))
        if strict and warnings:
            raise BuildError([ContentError(w.path, w.line, w.message) for w in warnings])
        read_done = time.perf_counter()
        written = target.write(site, jobs=jobs, progress=progress, strict=strict)
    return BuildReport(
        stories=len(site.stories),
        entries=sum(len(s.entries) for s in site.stories),
        files=written.files,
        seconds=time.perf_counter() - started,
        warnings=tuple(warnings),
        details=(
            f"read {len(site.stories)} stories in {read_done - started:.2f}s",
            *(
                f"  {s.slug}: {len(s.entries)} entries, {sum(len(e.boxes) for e in s.entries)} "
                f"figure boxes, zone {s.zone.key}, {s.status}"
                for s in site.stories
            ),
            f"rendered and wrote {written.files} files ({written.reused} unchanged) in "
            f"{time.perf_counter() - read_done:.2f}s",
        ),
        written=written,
    )
