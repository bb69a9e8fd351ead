"""`new` and `new-story`: files an editor starts from, with the required keys filled in.

The time is the current time in the story's zone, written without an offset, exactly
as an editor would type it; the caller passes "now" in so tests can fix it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dateline.errors import BuildError, UsageError, display_path
from dateline.read.config import load_site_config
from dateline.read.entryfile import INDEX_FILE
from dateline.read.frontmatter import FrontMatterError, read_fields, split
from dateline.read.story import STORY_SCHEMA
from dateline.slugs import slugify
from dateline.times import TimeError, load_zone


def story_zone(content: Path, story: str) -> ZoneInfo:
    """The zone entries of `story` are written in: its own, else the site's."""
    config, errors = load_site_config(content / "site.toml", display_path(content / "site.toml"))
    if config is None:
        raise BuildError(errors)
    index = content / story / INDEX_FILE
    if not index.is_file():
        raise UsageError(
            f"no story {story!r} in {content} (start one with: new-story {story} TITLE)"
        )
    try:
        fields, _ = read_fields(split(index.read_text(encoding="utf-8")), STORY_SCHEMA)
        if "timezone" in fields:
            return load_zone(str(fields["timezone"].value))
    except (FrontMatterError, TimeError, UnicodeDecodeError):
        pass  # the build reports these; a new entry still gets the site's zone
    return config.zone


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def new_entry(content: Path, story: str, headline: str, now: datetime) -> Path:
    """Create an entry file for `headline` at `now` in the story's zone; return its path."""
    if not headline.strip():
        raise UsageError("give the entry a headline")
    zone = story_zone(content, story)
    local = now.astimezone(zone)
    stem = f"{local:%Y%m%d-%H%M}-{slugify(headline)[:60].strip('-') or 'entry'}"
    path = content / story / f"{stem}.md"
    counter = 2
    while path.exists():
        path = content / story / f"{stem}-{counter}.md"
        counter += 1
    path.write_text(
        f"---\ntime: {local:%Y-%m-%d %H:%M}\ntitle: {_quoted(headline.strip())}\n---\n\n",
        encoding="utf-8",
    )
    return path


SITE_STARTER = """\
# The site's settings: see docs/content.md, "Site settings: site.toml".
title = "Live coverage"
# The address the site will be served from; feeds, the sitemap and social cards need it.
# base_url = "https://example.org/live/"
# language = "en"
# timezone = "UTC"   # the zone entries' times are in, unless a story says otherwise
"""


def start_site(content: Path) -> Path | None:
    """Write a starter `site.toml` into a content folder that has none (a newsroom's
    first story), so the first build works; its path, or None if there was one."""
    toml = content / "site.toml"
    if toml.exists():
        return None
    content.mkdir(parents=True, exist_ok=True)
    toml.write_text(SITE_STARTER, encoding="utf-8")
    return toml


def new_story(content: Path, slug: str, title: str) -> Path:
    """Create `<content>/<slug>/_index.md`; refuse a slug that is not one, or exists."""
    if slugify(slug) != slug or not slug:
        raise UsageError(f"{slug!r} is not a slug; try {slugify(slug) or 'my-story'!r}")
    if not title.strip():
        raise UsageError("give the story a title")
    folder = content / slug
    if folder.exists():
        raise UsageError(f"{folder} already exists")
    folder.mkdir(parents=True)
    index = folder / INDEX_FILE
    index.write_text(
        f"---\ntitle: {_quoted(title.strip())}\nstatus: live\n---\n"
        "Write the standfirst here: two or three sentences that open the story.\n",
        encoding="utf-8",
    )
    return index
