"""Rendering shared by forked workers: a one-off build's, and the dev server's first.

Every worker walks the whole site (cheap bookkeeping) and renders the pages whose path
hashes to it, so the bytes written are the same whatever the number of workers. In a
one-off build each worker also makes its share of the feed items into part files, which
the parent joins once all are done (see feedparts). The dev server shares only its
pages: the feeds and data files stay with the server, which keeps their pieces.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dateline import routes
from dateline.model.site import Site
from dateline.render.renderer import Renderer
from dateline.speed import forks
from dateline.speed.forks import ALONE, Share, how_many, pool
from dateline.write.feedparts import FeedPlace, join_feeds
from dateline.write.live import LiveOutput
from dateline.write.output import Output

if TYPE_CHECKING:
    from dateline.write.cache import BuildCache

PARALLEL_FROM = 300  # entries; below this, starting workers costs more than it saves

# What a worker of a one-off build hands back: its output's files, its pages' digests,
# its data files' pieces, where it put its feed items.
WorkerResult = tuple[
    tuple, dict[str, tuple[bytes, int, int]], dict, dict[str, dict[str, FeedPlace]]
]


def _renderer(site: Site, cache: BuildCache | None, parts: Path) -> Renderer:
    renderer = Renderer(site.content, keep=False, words=site.words)
    renderer.feed_parts = parts
    if cache is not None:
        renderer.digests_before = cache.digests
        renderer.pieces = dict(cache.pieces)  # type: ignore[arg-type]
    return renderer


def _kept_pieces(renderer: Renderer) -> dict:
    """The pieces of the stories whose data files this worker made, for the cache."""
    return {k: v for k, v in renderer.pieces.items() if k[1] in renderer.data_stories}


def _render_share(worker: int) -> WorkerResult:
    # Inherited by fork: the site, the parent's output, workers, build cache, parts folder.
    site, parent, workers, cache, parts = forks.inherited()  # type: ignore[misc]
    out = Output(parent.root, parent.previous, parent.existing)
    renderer = _renderer(site, cache, parts)  # type: ignore[arg-type]
    renderer.share = Share(worker, workers)
    renderer.render(site, out)
    return out.share(), renderer.digests, _kept_pieces(renderer), renderer.feed_places


def render_site(
    site: Site,
    out: Output,
    progress: Callable[[], object] | None = None,
    jobs: int = 1,
    cache: BuildCache | None = None,
) -> None:
    """Write every page, feed, data file and asset of `site` into `out` (a one-off build).

    With `jobs` > 1 and a large site, forked worker processes each render and write
    a share of the files; the bytes written are the same as with one process. With a build
    `cache`, pages whose inputs are unchanged are kept from the previous output, and
    the cache is updated for the next build.
    """
    # Inside the staging folder (so a killed build's parts go with it), removed before
    # the build is put in place.
    parts = Path(tempfile.mkdtemp(prefix=".dateline-feeds-", dir=out.root))
    try:
        renderer = _renderer(site, cache, parts)
        renderer.progress = progress
        entries = sum(len(story.entries) for story in site.stories)
        workers = how_many(jobs, entries, PARALLEL_FROM)
        if workers == 1:
            renderer.render(site, out)
            results: list[WorkerResult] = []
        else:
            with forks.handing((site, out, workers, cache, parts)), pool(workers) as others:
                pending = others.map_async(_render_share, range(1, workers))
                renderer.share = Share(0, workers)
                renderer.render(site, out)
                results = pending.get()
        digests = dict(renderer.digests)
        pieces = _kept_pieces(renderer)
        places = renderer.feed_places
        for share, their_digests, their_pieces, their_places in results:
            out.absorb(share)
            digests.update(their_digests)
            pieces.update(their_pieces)
            for story, found in their_places.items():
                places.setdefault(story, {}).update(found)
        for story in site.stories if site.config.base_url else ():
            spans = join_feeds(site, story, out, parts, places.get(story.slug, {}))
            pieces[("feedspans", story.slug, "")] = (None, spans)
            for path in (routes.feed_atom(story.slug), routes.feed_json(story.slug)):
                digests[path] = (b"feed", 0, 0)  # the cache records their stat
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    if cache is not None:
        cache.digests = digests
        cache.pieces = pieces


def _render_live_share(worker: int) -> tuple[dict[str, object], int]:
    site, out, workers = forks.inherited()  # type: ignore[misc]  # (by fork)
    renderer = Renderer(site.content, keep=False, words=site.words)
    renderer.share = Share(worker, workers, pages_only=True)
    renderer.render(site, out)
    return out.placed(), renderer.rendered


def render_live(site: Site, renderer: Renderer, out: LiveOutput, jobs: int) -> None:
    """A dev server's build: with `jobs` > 1 (its first build) and a large site, its pages
    shared by forked workers; else in this process.

    A first build rendered in one process took 1.4-1.9 times a command-line build's
    time. `renderer` (the server's, kept for its rebuilds) renders its share of the
    pages and every other file, and keeps every page's key as if it had rendered it;
    the workers write the rest of the pages straight into `out`, and hand back what
    they wrote. Fork only before the server starts its threads.
    """
    entries = sum(len(story.entries) for story in site.stories)
    workers = how_many(jobs, entries, PARALLEL_FROM)
    if workers == 1:
        renderer.render(site, out)
        return
    with forks.handing((site, out, workers)), pool(workers) as others:
        pending = others.map_async(_render_live_share, range(1, workers))
        renderer.share = Share(0, workers, lead=True)
        try:
            renderer.render(site, out)
        except Exception:  # (a theme error) no worker is stopped mid-file, as
            pending.wait()  # leaving the pool would, leaving a temporary file
            raise
        finally:
            renderer.share = ALONE
        results = pending.get()
    for placed, rendered in results:
        out.absorb_placed(placed)
        renderer.rendered += rendered
