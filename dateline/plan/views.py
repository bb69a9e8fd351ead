"""A story's other readings of its entries, as page jobs: its key developments in full
(`S/key/`, newest first, linked from the front page's "Latest developments") and every
entry from the first (`S/oldest/`, for reading an ended story as it happened). Both
are plain pages, read without script, in the sitemap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dateline import routes
from dateline.model.site import Entry, Site, newest
from dateline.plan.jobs import PageJob
from dateline.plan.pagination import paginate_items
from dateline.plan.story import StoryPlan, story_key


@dataclass(frozen=True)
class ViewPage:
    """One page of a view: its entries in the view's order, and the pages before and
    after it in that order (`earlier` and `later` for oldest first)."""

    kind: str  # routes.KEY_EVENTS or routes.OLDEST
    number: int
    path: str
    entries: tuple[Entry, ...]
    newer: str | None  # the page before this one, as the pagination links it
    older: str | None


def view_pages(site: Site, plan: StoryPlan) -> Iterator[PageJob]:
    """The pages of the story's views that it has (`StoryPlan.views`)."""
    story, per_page = plan.story, site.config.per_page
    pages: list[ViewPage] = []
    if routes.KEY_EVENTS in plan.views and (keys := tuple(e for e in story.entries if e.key)):
        front = routes.key_events(story.slug)
        for number, path, entries, newer, older in paginate_items(keys, front, per_page):
            pages.append(ViewPage(routes.KEY_EVENTS, number, path, entries, newer, older))
    if routes.OLDEST in plan.views and story.entries:
        pages.extend(_oldest_first(story.entries[::-1], routes.oldest(story.slug), per_page))
    for page in pages:
        yield PageJob(
            "view.html",
            page.path,
            (page, tuple(plan.notes(e) for e in page.entries), story_key(story)),
            lambda page=page: {
                "meta": {"description": story.summary or story.title, "title": story.title},
                "view": page,
                **plan.common,
            },
            lastmod=newest(page.entries),
        )


def _oldest_first(entries: tuple[Entry, ...], front: str, per_page: int) -> list[ViewPage]:
    """Pages of `entries` (oldest first) from the first: `front`, then `front/page/2/`
    and on; a page, once full, never changes as the story grows."""
    chunks = [entries[i : i + per_page] for i in range(0, len(entries), per_page)]
    paths = [front if n == 1 else routes.archive(front, n) for n in range(1, len(chunks) + 1)]
    return [
        ViewPage(
            routes.OLDEST,
            number,
            paths[number - 1],
            chunk,
            paths[number - 2] if number > 1 else None,
            paths[number] if number < len(chunks) else None,
        )
        for number, chunk in enumerate(chunks, start=1)
    ]
