"""What a story's pages are made from, worked out once before any page is rendered.

A `StoryPlan` holds everything the story's pages share: where the timeline shows each
entry, the metrics and their change notes, the topics, the front page's lists. The
page jobs (`plan.pages`) and the template helpers read it; nothing in it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dateline import routes
from dateline.model.metrics import Metric, Reported, change_text, collect_metrics, previous_claims
from dateline.model.site import Entry, Story, taken_views
from dateline.plan.pagination import Tag, TimelinePage, collect_tags, locations, paginate
from dateline.words import Words

KEY_LIMIT = 20  # "Latest developments" lists this many key entries at most

Notes = tuple[tuple[str | None, ...], ...]  # per box, per claim: "up from …" or None


@dataclass(frozen=True)
class StoryPlan:
    """A story's pages' shared inputs. `notes` are worked out when first asked for (the
    dev server renders an edited entry's pages before the rest)."""

    story: Story
    pages: tuple[TimelinePage, ...]  # the front page, then archive pages
    where: dict[str, str]  # entry slug -> the timeline page showing it
    order: dict[str, int]  # entry slug -> its place in the story, newest first
    metrics: tuple[Metric, ...]
    tags: tuple[Tag, ...]
    pinned: tuple[Entry, ...]  # the front page's lists above the timeline
    key_entries: tuple[Entry, ...]
    summary: Entry | None  # the newest "What you need to know", which heads the front page
    # The key-events and oldest-first pages this story has (`routes.STORY_VIEWS`): not
    # one whose name an entry, alias or media folder has taken (see `taken_views`).
    views: tuple[str, ...]
    changed: dict[tuple[str, str, str], Reported]  # each claim's source's claim before
    words: Words
    shared: frozenset[str] = frozenset()  # metrics other stories report too
    _notes: dict[str, Notes] = field(default_factory=dict, compare=False, repr=False)

    @property
    def common(self) -> dict[str, object]:
        """What every page of the story has in its template context."""
        return {
            "story": self.story,
            "metrics": self.metrics,
            "tags": self.tags,
            "views": self.views,
        }

    def notes(self, entry: Entry) -> Notes:
        """Each claim of the entry's boxes: how it moved from the source's claim before."""
        found = self._notes.get(entry.slug)
        if found is None:
            found = self._notes[entry.slug] = tuple(
                tuple(
                    change_text(before.claim, claim, self.words)
                    if (before := self.changed.get((entry.slug, box.slug, claim.source)))
                    else None
                    for claim in box.claims
                )
                for box in entry.boxes
            )
        return found

    def with_edit(self, entry: Entry, per_page: int) -> StoryPlan | None:
        """This plan with `entry` in place of the entry of its name, if the edit changed
        only what pages show of it (its text, headline, byline, times of update), not
        where it goes: the dev server's early pages after a save. Else None.

        Its notes are the old entry's, as its boxes are the same.
        """
        at = self.order.get(entry.slug)
        if at is None or not _same_but_text(old := self.story.entries[at], entry):
            return None
        story = self.story.with_entry(at, entry)

        def swap(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
            return tuple(entry if e is old else e for e in entries)

        return replace(
            self,
            story=story,
            pages=tuple(paginate(story, per_page)),
            pinned=swap(self.pinned),
            key_entries=swap(self.key_entries),
            summary=entry if self.summary is old else self.summary,
            _notes=self._notes,
        )


def plan_story(
    story: Story, per_page: int, words: Words, shared: frozenset[str] = frozenset()
) -> StoryPlan:
    metrics = collect_metrics(story)
    pages = paginate(story, per_page)
    return StoryPlan(
        story=story,
        pages=tuple(pages),
        where=locations(pages),
        order={e.slug: i for i, e in enumerate(story.entries)},
        metrics=metrics,
        tags=tuple(collect_tags(story)),
        pinned=tuple(e for e in story.entries if e.pinned),
        key_entries=tuple(e for e in story.entries if e.key)[:KEY_LIMIT],
        summary=next((e for e in story.entries if e.summary), None),
        views=tuple(v for v in routes.STORY_VIEWS if v not in taken_views(story)),
        changed=previous_claims(metrics),
        words=words,
        shared=shared,
    )


def story_key(story: Story) -> tuple[object, ...]:
    """What every page of a story shows of the story itself."""
    return (story.slug, story.title, story.summary, story.status, story.zone.key)


# What an edit may change for `StoryPlan.with_edit`: what the entry's page prints of
# it, never where it goes (time, pinned), what it links to (tags, aliases, links),
# its figures (their notes are the story's) or its badges (the front page's lists).
_TEXT_FIELDS = (
    "title",
    "body",
    "authors",
    "location",
    "correction",
    "updated",
    "image",
    "image_alt",
)


def _same_but_text(old: Entry, new: Entry) -> bool:
    """Whether `new` differs from `old` in `_TEXT_FIELDS` at most: at the same instant
    (datetimes in one zone compare by wall clock), with the same boxes, tags, aliases
    and links wherever in the file they moved (no page shows their lines)."""
    kept = {name: getattr(old, name) for name in _TEXT_FIELDS}
    return (
        replace(new, **kept, boxes=old.boxes) == old
        and new.stamp == old.stamp
        and _unplaced(new) == _unplaced(old)
    )


def _unplaced(entry: Entry) -> tuple[object, ...]:
    """An entry's boxes and links, without the lines of the file they are on."""
    boxes = tuple(
        replace(box, line=0, claims=tuple(replace(claim, line=0) for claim in box.claims))
        for box in entry.boxes
    )
    return boxes, tuple((link.story, link.name) for link in entry.links)
