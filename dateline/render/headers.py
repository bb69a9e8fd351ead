"""The `_headers` file: how long browsers and CDNs may keep each file, for Netlify and
Cloudflare Pages (docs/publishing.md, "Cache headers").

What an open page polls (`latest.json`), and what a reader loads first (front pages,
the site index, feeds, sitemaps, figures.json) may be kept a minute at most, so a new
entry reaches everyone within a minute of the deploy; files whose address changes when
their bytes do (theme assets linked with `?v=<digest>`, Pagefind's hashed index) a year.
Every other file keeps the host's own default, which has browsers ask again each time.

Both hosts apply every rule whose path matches and join the values of a header two of
them set, so no path may match two rules: front pages are listed story by story, never
a catch-all `/*`. Paths are as a browser sends them (under `base_url`'s path, non-ASCII
percent-encoded), which is what both hosts' matchers compare. Cloudflare reads the first
100 rules only: site-wide rules come first, then live stories, most recently updated first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from dateline import routes
from dateline.model.site import Site, Story
from dateline.urls import absolute, base_path

POLLED = "public, max-age=30"  # latest.json: polled every 30 s, so late by a minute at most
SHORT = "public, max-age=60"  # what a reader loads first: a minute old at most
IMMUTABLE = "public, max-age=31536000, immutable"  # a new address whenever the bytes change

# Pagefind's content-hashed files, in its bundle folder (its scripts and
# pagefind-entry.json keep their names, and so the host's default).
HASHED_SEARCH = ("*.pf_meta", "fragment/*", "index/*", "filter/*")

_SAFE = "/%!$&'()*+,;=:@~"  # what stays as it is in a path: a browser sends these unescaped


@dataclass(frozen=True)
class Group:
    """Rules sharing one reason, said in a comment above them: (path, Cache-Control)."""

    why: str
    rules: tuple[tuple[str, str], ...]


def headers_file(site: Site) -> str:
    """The text of `_headers` for `site`: a comment, then each group's rules."""
    lines = [
        "# Cache headers for Netlify and Cloudflare Pages, written by dateline",
        '# (docs/publishing.md, "Cache headers"). A host joins the values of every rule',
        "# matching a path, so no path matches two rules here; files not listed keep the",
        "# host's default, public, max-age=0, must-revalidate (asked again each time).",
    ]
    for group in cache_groups(site):
        lines += ["", f"# {group.why}"]
        for path, value in group.rules:
            lines += [path, f"  Cache-Control: {value}"]
    return "\n".join(lines) + "\n"


def cache_groups(site: Site) -> list[Group]:
    """Every rule of `_headers`, grouped by why, in the order the file lists them."""
    base = site.config.base_url
    url = _address(base_path(base))
    groups = [
        Group(
            "The theme's assets: pages link them with ?v=<digest of their bytes>.",
            ((url(routes.STATIC) + "*", IMMUTABLE),),
        )
    ]
    if site.config.search:
        bundle = url(routes.SEARCH_BUNDLE)
        groups.append(
            Group(
                "Pagefind's index: each file is named by a digest of its bytes.",
                tuple((bundle + name, IMMUTABLE) for name in HASHED_SEARCH),
            )
        )
    front = [(url(routes.HOME), SHORT), (url(routes.SITE_FIGURES_JSON), SHORT)]
    if base:  # (no sitemaps without a base URL: they list absolute URLs)
        sitemaps = url(routes.SITEMAP).replace(".xml", "*.xml")  # its parts too, past 50,000
        front += [(sitemaps, SHORT), (url(routes.NEWS_SITEMAP), SHORT)]
    groups.append(Group("The site index, its figures and sitemaps: a minute at most.", (*front,)))
    for story in stories_first(site.stories):
        why = f"{story.slug} ({story.status}): the files readers poll and load first."
        groups.append(Group(why, story_rules(story, url, bool(base))))
    return groups


def story_rules(
    story: Story, url: Callable[[str], str], feeds: bool
) -> tuple[tuple[str, str], ...]:
    """A story's polled and first-loaded files: latest.json, its front page, feeds and
    figures.json (not its entry, topic or archive pages, which keep the default)."""
    slug = story.slug
    rules = [(url(routes.latest_json(slug)), POLLED), (url(routes.story(slug)), SHORT)]
    if feeds:  # (written only with a base URL, as their links are absolute)
        rules += [(url(routes.feed_atom(slug)), SHORT), (url(routes.feed_json(slug)), SHORT)]
    rules.append((url(routes.figures_json(slug)), SHORT))
    return tuple(rules)


def stories_first(stories: tuple[Story, ...]) -> list[Story]:
    """Live stories before ended ones, each most recently updated first: the order that
    keeps the stories readers poll inside a host's cap on rules."""
    updated = lambda story: story.modified.timestamp() if story.modified else 0.0  # noqa: E731
    return sorted(stories, key=lambda story: (story.status != "live", -updated(story)))


def _address(base: str) -> Callable[[str], str]:
    """A function from a site path to its path on the host, as a browser sends it."""

    def address(site_path: str) -> str:
        path = absolute(base, site_path)
        return path if path.isascii() else quote(path, safe=_SAFE)

    return address
