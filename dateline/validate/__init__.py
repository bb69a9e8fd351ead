"""Checks across files, after every file is read on its own (`validate_site`)."""

from __future__ import annotations

from datetime import datetime

from dateline.read.entryfile import Problems
from dateline.read.site import ContentRead
from dateline.validate.checks import (
    check_aliases,
    warn_future,
    warn_taken_views,
    warn_undated_repeats,
)
from dateline.validate.links import check_entry_links


def validate_site(read: ContentRead, now: datetime, problems: Problems) -> None:
    """Add to `problems` what no single file shows: aliases taken twice, figures
    repeated without a date, times ahead of the clock `now`, links to files gone.

    Run on every build, reused entries included, so a build that reuses what it read
    before fails, or builds, as a build from nothing does.
    """
    for story in read.stories:
        check_aliases(list(story.every), list(story.media), problems)
        warn_undated_repeats(list(story.entries), problems)
        warn_future(list(story.entries), now, problems)
        if story.story is not None:
            warn_taken_views(story.story, problems)
    check_entry_links(read.linking, read.listings, problems)
