"""Checks across a story's entries, after each file is read on its own: pure functions
of the entries that add to `problems`.

Run on every build, never kept with an entry read once: an entry reused from a cache
is checked against the others as they are now.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from dateline import routes
from dateline.model.site import Entry, Story, taken_views
from dateline.read.entryfile import Problems


def warn_undated_repeats(entries: list[Entry], problems: Problems) -> None:
    """Warn where a claim without "(as of …)" repeats a figure a source gave earlier.

    Its as-of then defaults to the later entry's time, dating an old claim as new: the
    tracker would show the source saying it again. (A warning: `--strict` fails on it.)
    """
    last: dict[tuple[str, str], tuple[tuple[object, ...], Entry]] = {}
    for entry in reversed(entries):  # oldest first
        for box in entry.boxes:
            for claim in box.claims:
                figure = (claim.qualifier, claim.low, claim.high, claim.unit)
                key = (box.slug, claim.source.casefold())
                before = last.get(key)
                if before is not None and before[0] == figure and not claim.dated:
                    problems.warn(
                        entry.source,
                        claim.line,
                        f"{claim.source}'s {claim.text!r} is the figure it gave in "
                        f"{before[1].slug!r}; add (as of DATE) so it is not dated to this entry",
                    )
                last[key] = (figure, entry)


FUTURE_GRACE = timedelta(minutes=10)  # clocks differ; an editor may time a minute ahead


def check_aliases(entries: list[Entry], media: list[Path], problems: Problems) -> None:
    """An alias must name no page of the story: not an entry's permalink (drafts'
    too: they publish later), nor another entry's alias, nor a media folder's page,
    nor a name the story uses itself."""
    aliased = sorted((e for e in entries if e.aliases), key=lambda e: e.source)
    if not aliased:  # (most stories: nothing to look up on every save in the preview)
        return
    taken = {e.slug: f"the permalink of {os.path.basename(e.source)}" for e in entries}
    taken |= dict.fromkeys(routes.RESERVED, "a name dateline uses for the story's own pages")
    taken |= {m.parts[0]: f"a folder of media ({m.parts[0]}/)" for m in media if len(m.parts) > 1}
    for entry in aliased:
        for alias in entry.aliases:
            if alias in taken:
                problems.error(
                    entry.source, entry.aliases_line, f"alias {alias!r} is already {taken[alias]}"
                )
            else:
                taken[alias] = f"an alias of {os.path.basename(entry.source)}"


def warn_future(entries: list[Entry], now: datetime, problems: Problems) -> None:
    """Warn of entries timed ahead of the clock (`entries` newest first).

    Such an entry tops the timeline as the latest update until its time comes; far
    more often than a plan, its time is a typo: the year, the day, or a time written
    in another zone than the story's. Checked on every build, never kept with an
    entry read once: what is in the future now will not be tomorrow. (A warning:
    `--strict` fails on it.)
    """
    for entry in entries:
        ahead = entry.time - now
        if ahead <= FUTURE_GRACE:
            break
        problems.warn(
            entry.source,
            entry.time_line,
            _ahead("time", ahead, now, entry, ", so it shows as the latest update until then"),
        )
    for entry in entries:  # an `updated:` ahead shows "Updated 16:30" before 16:30
        if entry.updated is not None and (ahead := entry.updated - now) > FUTURE_GRACE:
            problems.warn(entry.source, entry.updated_line, _ahead("updated", ahead, now, entry))


def _ahead(key: str, ahead: timedelta, now: datetime, entry: Entry, effect: str = "") -> str:
    """The warning for `key` of `entry`, `ahead` of the clock `now`."""
    here = now.astimezone(entry.time.tzinfo)
    return (
        f"'{key}' is {_duration(ahead)} ahead of the clock (now {here:%Y-%m-%d %H:%M %Z})"
        f"{effect}; check the date and the time zone"
    )


def _duration(span: timedelta) -> str:
    minutes = span.total_seconds() / 60
    for size, unit in ((60 * 24 * 365, "year"), (60 * 24, "day"), (60, "hour"), (1, "minute")):
        if minutes >= 2 * size or size == 1:
            count = round(minutes / size)
            return f"{count:,} {unit}{'s' if count != 1 else ''}"
    raise AssertionError  # the loop ends at minutes


_VIEW_NAMES = {routes.KEY_EVENTS: "key-events page", routes.OLDEST: "oldest-first page"}


def warn_taken_views(story: Story, problems: Problems) -> None:
    """A story view's address taken by an entry, alias or media folder: the story goes
    without that page (a v1 story may have an entry called `key.md`), and is told."""
    for name, owner in sorted(taken_views(story).items()):
        problems.warn(
            owner,
            1,
            f"{name!r} is the address of the story's {_VIEW_NAMES[name]}, which this "
            f"file's page takes; the story has none (rename the file to have it)",
        )
