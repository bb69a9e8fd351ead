"""Links between content files: every link to an entry or story file leads to a page
this build makes."""

from __future__ import annotations

from dateline.read.entryfile import Problems, missing_link
from dateline.read.story import Linking
from dateline.slugs import slugify


def check_entry_links(
    linking: Linking, listings: dict[str, list[tuple[str, bool]]], problems: Problems
) -> None:
    """Every link to an entry or story file leads to a file that is there now, and to a
    page this build makes.

    Checked on every build, after reading, against the story folders' listings (no
    file-system calls), not when an entry is read: the build cache and the dev server
    reuse entries read before the file they link to was deleted, or created. So a build
    that reuses them fails, or builds, as a build from nothing does. A link to a draft
    left out of the build leads nowhere until the draft is published: a warning.
    """
    present: dict[str, set[str]] = {}
    for shown, links, published in linking.links:
        for link in links:
            names = present.get(link.story)
            if names is None:
                files = listings.get(link.story, ())
                names = present[link.story] = {name for name, _ in files if "/" not in name}
            if link.name not in names:
                problems.error(shown, link.line, missing_link(link.written))
            elif published and (link.story, slugify(link.name[:-3])) in linking.unpublished:
                problems.warn(
                    shown,
                    link.line,
                    f"link to {link.written!r}: that entry is a draft, so the link leads "
                    "nowhere until it is published",
                )
