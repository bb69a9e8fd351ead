"""Every output path of a site, and the names a story keeps for itself: one place.

A site path is relative to the output folder, with `/` between parts; a page's path
ends in `/` (its file is `index.html` in that folder). Python and templates ask these
functions (templates as `routes.tracker(...)`), never join paths themselves, so a
page kind added or moved changes here, and `urls` turns any of these into a link that
works under any sub-path.
"""

from __future__ import annotations

HOME = ""  # the site's front page, listing every story
NOT_FOUND = "404.html"
ROBOTS = "robots.txt"
HEADERS = "_headers"  # cache headers for Netlify and Cloudflare Pages (not a page)
SITEMAP = "sitemap.xml"
STATIC = "static/"  # the theme's assets

INDEX = "index.html"  # a page's file in its folder
FEED_ATOM = "feed.xml"
FEED_JSON = "feed.json"
FIGURES_JSON = "figures.json"
LATEST_JSON = "latest.json"
ARCHIVE = "page"  # a paginated list's older pages: <list>page/N/
TAGS = "tags"
TRACKERS = "figures"

# Names at the top of the site that its own pages use: no story folder may take one.
SITE_RESERVED = frozenset({TRACKERS})
# The CMS's admin page, written only for a site with a `[cms]` table (so a v1 story
# folder named `admin` keeps building without one).
ADMIN = "admin/"

# Names in a story's folder that its own pages use: an entry file or media folder by
# one of these names would collide with them.
RESERVED = frozenset({TRACKERS, TAGS, ARCHIVE, FEED_ATOM, FEED_JSON, FIGURES_JSON, INDEX})


def file_of(path: str) -> str:
    """The file a site path is written to: a page's `index.html`, else the path itself."""
    return path + INDEX if path.endswith("/") or not path else path


def story(slug: str) -> str:
    """A story's front page: its newest entries."""
    return f"{slug}/"


def entry(story_slug: str, slug: str) -> str:
    """An entry's permalink page; from its file name, never its title."""
    return f"{story_slug}/{slug}/"


def alias(story_slug: str, name: str) -> str:
    """An entry's earlier permalink: a page sending readers on to the entry."""
    return f"{story_slug}/{name}/"


def archive(front: str, number: int) -> str:
    """Page `number` of a paginated list whose first page is `front`."""
    return f"{front}{ARCHIVE}/{number}/"


def tag(story_slug: str, slug: str) -> str:
    """A topic's page in a story."""
    return f"{story_slug}/{TAGS}/{slug}/"


def tracker(story_slug: str, metric: str) -> str:
    """A metric's tracker in a story: its chart and every claim."""
    return f"{story_slug}/{TRACKERS}/{metric}/"


def in_story(story_slug: str, name: str) -> str:
    """A file in a story's folder: its media, a photo's copies, a data file or feed."""
    return f"{story_slug}/{name}"


def feed_atom(story_slug: str) -> str:
    return in_story(story_slug, FEED_ATOM)


def feed_json(story_slug: str) -> str:
    return in_story(story_slug, FEED_JSON)


def figures_json(story_slug: str) -> str:
    return in_story(story_slug, FIGURES_JSON)


def latest_json(story_slug: str) -> str:
    """What the live page polls for new entries."""
    return in_story(story_slug, LATEST_JSON)


def sitemap_part(number: int) -> str:
    """One file of a sitemap split in parts (an index at `SITEMAP` lists them)."""
    return f"sitemap-{number}.xml"


def static(name: str) -> str:
    """A theme asset (`style.css`), copied from the theme's `static/` folder."""
    return STATIC + name


# The site's figures across every story (contract v1.1).
SITE_FIGURES_JSON = "figures.json"
FIGURES_CSV = "figures.csv"
DATAPACKAGE = "datapackage.json"


def site_trackers() -> str:
    """Every metric of the site, across every story."""
    return f"{TRACKERS}/"


def site_tracker(metric: str) -> str:
    """A metric's tracker across every story that reports it."""
    return f"{TRACKERS}/{metric}/"


def admin(name: str = "") -> str:
    """The CMS's admin page (`admin/`) or a file beside it: `config.yml`, its scripts."""
    return ADMIN + name


# Site search (on unless `search = false`): its page, and Pagefind's index and scripts
# in a folder beside it. A story folder named `search` keeps its address instead.
SEARCH = "search/"
SEARCH_BUNDLE = SEARCH + "pagefind/"

# Google News' sitemap: the entries of the last two days (see metadata.news_sitemap).
NEWS_SITEMAP = "news-sitemap.xml"


def logo(name: str) -> str:
    """The publisher's logo (`logo` in site.toml), copied beside the theme's assets."""
    return f"{STATIC}logo/{name.rpartition('/')[2]}"


# A story's other readings of its entries: its key developments in full, and every
# entry oldest first. Not reserved (a v1 entry may be called `key.md`): a story whose
# entry, alias or media folder takes one of these names goes without that page.
KEY_EVENTS = "key"
OLDEST = "oldest"
STORY_VIEWS = (KEY_EVENTS, OLDEST)


def key_events(story_slug: str) -> str:
    """A story's key developments, in full, newest first."""
    return f"{story_slug}/{KEY_EVENTS}/"


def oldest(story_slug: str) -> str:
    """A story's entries from the first, for reading an ended story as it happened."""
    return f"{story_slug}/{OLDEST}/"
