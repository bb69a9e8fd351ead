"""Timeline pages: a front page of the newest entries and stable archive pages.

Archive pages are counted from the oldest entry, so page 1 always holds the first
`per_page` entries of the story and a full page never changes as the story grows: only
the newest archive page fills up. An entry's anchor therefore lives on a page that can
be computed, and links to older entries go straight there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import TypeVar

from dateline import routes
from dateline.model.site import Entry, Story
from dateline.slugs import slugify


@dataclass(frozen=True)
class Day:
    """A day heading on a timeline page and its entries, newest first."""

    date: date
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class TimelinePage:
    """One page of the timeline: the front page (number 0) or an archive page."""

    number: int
    path: str  # site path of the page's folder
    entries: tuple[Entry, ...]  # newest first
    newer: str | None  # site path of the next newer page
    older: str | None

    @property
    def days(self) -> list[Day]:
        return days(self.entries)


@dataclass(frozen=True)
class Tag:
    """A topic and the entries that carry it, newest first."""

    name: str
    slug: str
    path: str
    entries: tuple[Entry, ...]


def days(entries: tuple[Entry, ...]) -> list[Day]:
    """Group entries (newest first) by their date in the story's zone."""
    return [Day(d, tuple(group)) for d, group in groupby(entries, key=lambda e: e.time.date())]


def paginate(story: Story, per_page: int) -> list[TimelinePage]:
    """The story's front page (newest `per_page` entries), then archive pages."""
    return paginate_entries(story.entries, story.path, per_page)


def paginate_entries(entries: tuple[Entry, ...], front: str, per_page: int) -> list[TimelinePage]:
    """A front page at site path `front` and archive pages under `front/page/N/`.

    Archive pages are numbered from the oldest entry, so a full page never changes.
    """
    return [TimelinePage(*page) for page in paginate_items(entries, front, per_page)]


T = TypeVar("T")


def paginate_items(
    items: tuple[T, ...], front: str, per_page: int
) -> list[tuple[int, str, tuple[T, ...], str | None, str | None]]:
    """Pages of `items` (newest first) as (number, path, items, newer, older): the
    newest `per_page` at site path `front` (number 0), then archive pages under
    `front/page/N/` numbered from the oldest item, so a full page never changes."""
    first, rest = items[:per_page], items[per_page:]
    oldest_first = rest[::-1]
    chunks = [oldest_first[i : i + per_page] for i in range(0, len(oldest_first), per_page)]
    count = len(chunks)

    def archive(number: int) -> str:
        return routes.archive(front, number)

    pages = [(0, front, first, None, archive(count) if count else None)]
    for number, chunk in enumerate(chunks, start=1):
        pages.append(
            (
                number,
                archive(number),
                tuple(reversed(chunk)),
                archive(number + 1) if number < count else front,
                archive(number - 1) if number > 1 else None,
            )
        )
    return pages


def locations(pages: list[TimelinePage]) -> dict[str, str]:
    """Entry slug -> site path of the timeline page that shows it."""
    return {entry.slug: page.path for page in pages for entry in page.entries}


def collect_tags(story: Story) -> list[Tag]:
    """Every tag of the story with its entries; tags sorted by name."""
    grouped: dict[str, list[Entry]] = {}
    names: dict[str, str] = {}
    for entry in story.entries:
        for name in entry.tags:
            slug = slugify(name)
            names.setdefault(slug, name)
            grouped.setdefault(slug, []).append(entry)
    return [
        Tag(names[slug], slug, routes.tag(story.slug, slug), tuple(grouped[slug]))
        for slug in sorted(grouped)
    ]
