"""The site as immutable values: what reading produces and rendering consumes.

Everything here is checked and final before a byte of output is written, so rendering
cannot fail on content and an incremental build can tell what depends on what.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from dateline import routes
from dateline.errors import display_path
from dateline.read.config import SiteConfig
from dateline.read.figures import FigureBox
from dateline.read.registry import EMPTY, Registry
from dateline.speed.bodies import Body
from dateline.words import ENGLISH, Words


@dataclass(frozen=True)
class EntryLink:
    """A body's link to an entry or story file: the story folder and file it leads to,
    the path as written and the line it is on."""

    story: str
    name: str
    written: str
    line: int


@dataclass(frozen=True)
class Entry:
    """One timed development in a story."""

    story: str
    slug: str
    source: str  # the file as shown in messages
    time: datetime  # in the story's zone
    title: str
    key: bool
    pinned: bool
    tags: tuple[str, ...]
    authors: tuple[str, ...]  # the byline's names, as many as the entry has
    location: str | None
    updated: datetime | None  # in the story's zone, set only when later than `time`
    correction: str | None
    draft: bool
    body: Body  # links relative to the story folder; figure boxes as placeholders
    boxes: tuple[FigureBox, ...]
    image: str | None = None  # the body's first image (URL as written), for social cards
    image_alt: str | None = None  # its alt text, which social cards show for it
    aliases: tuple[str, ...] = ()  # earlier permalinks (slugs), each a page sending readers on
    # Photos the body offers smaller copies of: (path in the story folder, widths).
    copies: tuple[tuple[str, tuple[int, ...]], ...] = ()
    # A "What you need to know" summary of the story so far (dateline's growth of the
    # contract): the newest one heads the front page.
    summary: bool = False
    # A digest of the file's bytes and of everything it was read against: equal digests
    # mean equal entries, so the build cache keys pages on 16 bytes instead of pickling
    # the entry. Empty when unknown (an entry made by hand).
    digest: bytes = field(default=b"", compare=False, repr=False)
    time_line: int = field(default=1, compare=False, repr=False)  # of `time:`, for messages
    updated_line: int = field(default=1, compare=False, repr=False)  # of `updated:`
    aliases_line: int = field(default=1, compare=False, repr=False)  # of `aliases:`
    # Its links to entry files: a build that reuses the entry checks they are still there.
    links: tuple[EntryLink, ...] = field(default=(), compare=False, repr=False)

    @property
    def path(self) -> str:
        """Site path of the entry's permalink page; from the file name, never the title."""
        return routes.entry(self.story, self.slug)

    @property
    def anchor(self) -> str:
        """Fragment id of the entry on timeline pages."""
        return f"entry-{self.slug}"

    @property
    def author(self) -> str | None:
        """The byline as pages print it: the names, comma-separated."""
        return ", ".join(self.authors) or None

    @property
    def modified(self) -> datetime:
        return self.updated or self.time

    @property
    def body_html(self) -> str:
        """The rendered body (read from the spill file during a build; see bodies)."""
        return self.body.html

    @cached_property
    def stamp(self) -> float:
        """`time` as a POSIX timestamp, for ordering: same-zone datetimes compare by wall
        clock, wrong across a clock change. Kept, as entries are immutable."""
        return self.time.timestamp()


@dataclass(frozen=True)
class Story:
    """A live story: its settings, standfirst and entries, newest first."""

    slug: str
    title: str
    summary: str | None
    zone: ZoneInfo
    status: str  # "live" or "ended"
    standfirst_html: str
    entries: tuple[Entry, ...]
    folder: Path
    media: tuple[Path, ...]  # files to copy, relative to `folder`
    image: str | None = None  # the standfirst's first image (URL as written): social cards
    image_alt: str | None = None  # its alt text
    # Smaller copies to make of photos the standfirst or an entry shows (see images).
    copies: tuple[tuple[str, tuple[int, ...]], ...] = ()
    # Each media file's name, size and content digest (see read.files.media_key).
    media_key: tuple[tuple[str, int, bytes], ...] = ()

    @property
    def path(self) -> str:
        return routes.story(self.slug)

    @cached_property
    def modified(self) -> datetime | None:
        """The latest entry time or update; kept, as stories are immutable.

        (cached_property writes the instance dict directly, which a frozen dataclass
        allows.)
        """
        return newest(self.entries)

    @cached_property
    def media_digests(self) -> dict[str, bytes]:
        """Each media file's content digest, by its name in the story folder."""
        return {name: digest for name, _, digest in self.media_key}

    def with_entry(self, at: int, entry: Entry) -> Story:
        """This story with `entry` in place of its entry at `at`: the dev server's view
        of one edit before it reads the story again. Its `modified` is worked out from
        this story's where it can be, rather than over every entry, which in a long
        story would mean walking them all on every save."""
        old, before = self.entries[at], self.modified
        story = replace(self, entries=(*self.entries[:at], entry, *self.entries[at + 1 :]))
        if before is not None:  # (never None: `at` is an entry)
            top, new, was = (t.timestamp() for t in (before, entry.modified, old.modified))
            if new > top:  # the one latest now
                story.__dict__["modified"] = entry.modified
            elif new < top and was < top:  # the latest was and is another entry
                story.__dict__["modified"] = before
        return story


def newest(entries: Iterable[Entry]) -> datetime | None:
    """The latest time or update among `entries` (None if there are none).

    By timestamp: same-zone datetimes compare by wall clock, wrong across a clock change.
    """
    return max((e.modified for e in entries), key=datetime.timestamp, default=None)


@dataclass(frozen=True)
class Site:
    """Everything a build renders."""

    config: SiteConfig
    stories: tuple[Story, ...]
    content: Path
    words: Words = ENGLISH  # the theme's words in the site's language
    registry: Registry = EMPTY  # the figures registry (figures.toml), if any


def taken_views(story: Story) -> dict[str, str]:
    """The story views (`routes.STORY_VIEWS`) whose address an entry's permalink, alias
    or media folder has, with the file that has it (as messages show it)."""
    owners: dict[str, str] = {}
    for entry in story.entries:
        for name in (entry.slug, *entry.aliases):
            if name in routes.STORY_VIEWS:
                owners.setdefault(name, entry.source)
    for media in story.media:
        if len(media.parts) > 1 and media.parts[0] in routes.STORY_VIEWS:
            owners.setdefault(media.parts[0], display_path(story.folder / media))
    return owners
