"""A one-off build's feeds: items made by every worker into part files, then joined.

A long story's feeds hold every entry (tens of megabytes each). In a one-off
build every worker makes the Atom and JSON items of a contiguous run of the story's
entries into two part files of its own, copying an item from the last build's feeds
where its inputs are unchanged; when all are done, the parent joins each feed from the
parts whole, in worker order. So no worker makes a long story's feeds alone while the
others wait, no feed is held whole in memory, and the join copies two files a worker
rather than reading and writing every item. (The dev server keeps items in memory
instead: see `Renderer.data_files`.)
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from dateline import routes
from dateline.model.site import Site, Story
from dateline.render.feeds import JSON_SEPARATOR, atom_frame, feed_entries, json_frame
from dateline.speed.keys import key_digest
from dateline.write.output import Output

if TYPE_CHECKING:
    from dateline.render.data import FeedItems
    from dateline.speed.forks import Share

# Where a worker put an entry's feed items: (key digest, worker, Atom start, Atom size,
# JSON start, JSON size) in that worker's part files.
FeedPlace = tuple[bytes, int, int, int, int, int]


@dataclass(frozen=True)
class LastFeeds:
    """With a build cache: what tells whether an item can be copied from the last
    build's feeds. `before` holds the last build's files' digests and stats, `spans`
    each item's place in its feeds, `settings` the digest of the site's settings."""

    before: dict[str, tuple[bytes, int, int]]
    spans: dict[str, tuple[bytes, int, int, int, int]] | None
    settings: bytes


def feed_share(
    story: Story,
    folder: Path,
    share: Share,
    items: FeedItems,
    prefix: str,
    out: Output,
    last: LastFeeds | None,
) -> dict[str, FeedPlace]:
    """A one-off build: this worker's share of the story's feed items (links made
    absolute with `prefix`), written to two part files in `folder` that `join_feeds`
    joins.

    The share is a contiguous run of the story's entries (worker n of k takes the n-th
    k-th), so each part is a stretch of the finished feed, JSON separators included.
    Returns where each item is. With a build cache (`last`), an item whose inputs are
    unchanged is copied from the last build's feeds in `out` instead of made again.
    """
    worker, workers = share.worker, share.workers
    entries = feed_entries(items.site, story)
    mine = entries[worker * len(entries) // workers : (worker + 1) * len(entries) // workers]
    places: dict[str, FeedPlace] = {}
    with contextlib.ExitStack() as stack:
        old = _old_feeds(story, out, last, stack) if last is not None else None
        atom = stack.enter_context((folder / f"{story.slug}.{worker}.atom").open("wb"))
        json = stack.enter_context((folder / f"{story.slug}.{worker}.json").open("wb"))
        atom_at = json_at = 0  # where the next items go (counted: tell() is a syscall)
        for entry in mine:
            digest = key_digest(items.key(entry, last.settings)) if last is not None else b""
            span = old[2].get(entry.slug) if old is not None else None
            if old is not None and span is not None and span[0] == digest:
                atom_xml = old[0][span[1] : span[1] + span[2]]
                json_bytes = old[1][span[3] : span[3] + span[4]]
            else:
                atom_xml, json_bytes = items.make(entry, prefix)
            if json_at:
                json_at += json.write(JSON_SEPARATOR)
            places[entry.slug] = (digest, worker, atom_at, len(atom_xml), json_at, len(json_bytes))
            atom_at += atom.write(atom_xml)
            json_at += json.write(json_bytes)
    return places


def _old_feeds(
    story: Story, out: Output, last: LastFeeds, stack: contextlib.ExitStack
) -> tuple[bytes, bytes, dict[str, tuple[bytes, int, int, int, int]]] | None:
    """The last build's feeds of `story` (mapped, not read) and their items' places,
    if both files are still as that build wrote them."""
    if last.spans is None:
        return None
    old = []
    for path in (routes.feed_atom(story.slug), routes.feed_json(story.slug)):
        before = last.before.get(path)
        data = out.previous_file(path, before[1], before[2]) if before else None
        if data is None:
            return None
        old.append(stack.enter_context(data))
    return old[0], old[1], last.spans


def join_feeds(
    site: Site, story: Story, out: Output, parts: Path, places: dict[str, FeedPlace]
) -> dict[str, tuple[bytes, int, int, int, int]]:
    """Write `story`'s Atom and JSON feeds from the workers' part files, newest first.

    Returns each item's digest and place in the joined files, which the build cache
    keeps so the next build can copy unchanged items from them.
    """
    paths = (routes.feed_atom(story.slug), routes.feed_json(story.slug))
    # Workers in order hold the story's entries in order (see feed_share); a worker
    # with no entries has no places.
    workers = sorted({place[1] for place in places.values()})
    starts: dict[int, tuple[int, int]] = {}  # worker -> where its parts begin in the feeds
    with out.stream(paths[0]) as atom, out.stream(paths[1]) as json:
        atom_head, atom_tail = atom_frame(site, story)
        json_head, json_tail = json_frame(site, story)
        atom_at = atom.write(atom_head)  # positions counted, as in the parts
        json_at = json.write(json_head)
        for number, worker in enumerate(workers):
            if number:
                json_at += json.write(JSON_SEPARATOR)  # between the parts
            starts[worker] = (atom_at, json_at)
            atom_at += _append(atom, parts / f"{story.slug}.{worker}.atom")
            json_at += _append(json, parts / f"{story.slug}.{worker}.json")
        atom.write(atom_tail)
        json.write(json_tail)
    spans: dict[str, tuple[bytes, int, int, int, int]] = {}
    for entry in feed_entries(site, story):
        digest, worker, atom_start, atom_size, json_start, json_size = places[entry.slug]
        atom_at, json_at = starts[worker]
        spans[entry.slug] = (
            digest,
            atom_at + atom_start,
            atom_size,
            json_at + json_start,
            json_size,
        )
    return spans


def _append(target: BinaryIO, part: Path) -> int:
    """Copy a part file to the end of `target` a megabyte at a time; its size."""
    with part.open("rb") as source:
        shutil.copyfileobj(source, target, 1 << 20)
        return source.tell()
