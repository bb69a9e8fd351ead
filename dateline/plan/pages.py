"""The site as a list of page jobs: what each page is, before any is rendered.

A `PageJob` names a page's template and site path, a key of everything it shows (a
page whose key is unchanged need not be rendered again) and the template context;
both key and context may be functions, called only when the page is rendered. The
functions here write nothing: `render.renderer` renders the jobs, in this order (the
sitemap lists pages in it). A new page kind is a function here yielding its jobs,
its path in `routes`, and its template in the theme.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from dateline import routes
from dateline.model.metrics import Metric, tracker_pages
from dateline.model.site import Entry, Site, newest
from dateline.model.site_figures import move_text, moves, stories_of
from dateline.plan.jobs import PageJob
from dateline.plan.pagination import Tag, TimelinePage, paginate_entries
from dateline.plan.story import StoryPlan, story_key
from dateline.plan.views import view_pages
from dateline.render.chart import build_chart
from dateline.render.metadata import (
    describe,
    entry_jsonld,
    entry_text,
    image_url,
    plain_text,
    site_jsonld,
    story_jsonld,
    timeline_image,
    tracker_jsonld,
)
from dateline.words import Words

# The site's open data of every metric, by file and format (its trackers' datasets).
SITE_DATA = {routes.SITE_FIGURES_JSON: "application/json", routes.FIGURES_CSV: "text/csv"}
TAG_PER_PAGE = 200  # links on each page of a topic
TRACKER_PER_PAGE = 200  # rows in each page of a metric's table of claims


def story_pages(site: Site, plan: StoryPlan) -> Iterator[PageJob]:
    """Every page of a story: its timeline, its entries (each followed by its earlier
    addresses), its metrics' trackers, its topics."""
    for timeline in plan.pages:
        yield timeline_page(site, plan, timeline)
    story = plan.story
    for entry in story.entries:
        yield entry_page(site, plan, entry)
        for alias in entry.aliases:
            yield PageJob(
                "redirect.html",
                routes.alias(story.slug, alias),
                (entry.slug, entry.title, story_key(story)),
                lambda entry=entry: {"entry": entry, "story": story},
                listed=False,
                canonical=entry.path,
            )
    for metric in plan.metrics:
        yield from tracker_pages_of(site, plan, metric)
    for tag in plan.tags:
        yield from tag_pages(plan, tag)
    yield from view_pages(site, plan)


def early_pages(site: Site, plan: StoryPlan, entries: list[Entry]) -> Iterator[PageJob]:
    """The dev server's first pages after an edit: the edited `entries`' own pages and
    the timeline pages showing them (the front page always), unlisted (the full list
    follows)."""
    shown = {plan.where.get(e.slug) for e in entries} | {plan.pages[0].path}
    for entry in entries:
        yield entry_page(site, plan, entry, listed=False)
    for timeline in plan.pages:
        if timeline.path in shown:
            yield timeline_page(site, plan, timeline, listed=False)


def entry_page(site: Site, plan: StoryPlan, entry: Entry, listed: bool = True) -> PageJob:
    """An entry's permalink page, linking to the updates before and after it."""
    story = plan.story
    at = plan.order[entry.slug]
    newer = story.entries[at - 1] if at > 0 else None
    older = story.entries[at + 1] if at + 1 < len(story.entries) else None
    notes = plan.notes(entry)

    def context() -> dict[str, object]:
        text = entry_text(entry)
        return {
            "meta": {
                "description": describe(text) or entry.title,
                "og_type": "article",
                "title": entry.title,
                "image": image_url(site, entry),
                "image_alt": entry.image_alt,
                "published": entry.time,
                "modified": entry.modified,
                "jsonld": entry_jsonld(site, story, entry, text),
            },
            "entry": entry,
            "newer": newer,
            "older": older,
            **plan.common,
        }

    def key() -> tuple[object, ...]:
        around = tuple((e.slug, e.title) if e else None for e in (newer, older))
        return (entry, notes, story_key(story), plan.where.get(entry.slug), around)

    return PageJob("entry.html", entry.path, key, context, lastmod=entry.modified, listed=listed)


def timeline_page(
    site: Site, plan: StoryPlan, timeline: TimelinePage, listed: bool = True
) -> PageJob:
    """A page of the story's timeline: the front page (number 0) or an archive page."""
    story = plan.story
    front = timeline.number == 0
    modified = story.modified if front else newest(timeline.entries)
    # JSON-LD's coverage times: the story's first entry, and its last once ended.
    coverage = (
        story.entries[-1].time if story.entries else None,
        story.entries[0].time if story.entries and story.status == "ended" else None,
    )
    # Only the front page shows these; archive pages stay byte-stable.
    extra = _front_key(plan, modified) if front else ()
    # Every page's head: in its key too, as an archive page's key holds no standfirst.
    description = story.summary or describe(plain_text(story.standfirst_html))
    image, image_alt = timeline_image(site, story, timeline.entries)
    return PageJob(
        "story.html",
        timeline.path,
        lambda: (
            timeline,
            tuple(plan.notes(e) for e in timeline.entries),
            story_key(story),
            coverage,
            extra,
            description,
            image,
            image_alt,
        ),
        lambda: {
            "meta": {
                "description": description,
                "og_type": "website",
                "title": story.title,
                "image": image,
                "image_alt": image_alt,
                "jsonld": story_jsonld(
                    site,
                    story,
                    timeline.entries,
                    {e.slug: entry_text(e) for e in timeline.entries},
                    modified,
                    image,
                ),
            },
            "timeline": timeline,
            "pinned": plan.pinned,
            "key_entries": plan.key_entries,
            "summary": plan.summary,
            **plan.common,
        },
        lastmod=modified,
        listed=listed,
    )


def _front_key(plan: StoryPlan, modified: datetime | None) -> tuple[object, ...]:
    """What a story's front page shows besides its entries: standfirst, last update,
    pinned and key entries, the lists of metrics and topics."""
    return (
        plan.story.standfirst_html,
        modified,
        plan.pinned,
        tuple(plan.notes(e) for e in plan.pinned),
        tuple((e, plan.where.get(e.slug)) for e in plan.key_entries),
        plan.summary,
        plan.notes(plan.summary) if plan.summary else None,
        tuple((m.slug, m.name, len(m.claims)) for m in plan.metrics),
        tuple((t.name, t.path) for t in plan.tags),
    )


def tracker_pages_of(site: Site, plan: StoryPlan, metric: Metric) -> Iterator[PageJob]:
    """A metric's tracker: its chart and newest claims, then pages of earlier ones."""
    story = plan.story
    shared = metric.slug in plan.shared
    front_path = routes.tracker(story.slug, metric.slug)
    for listing in tracker_pages(metric, front_path, TRACKER_PER_PAGE):
        front = listing.number == 0
        yield PageJob(
            "tracker.html",
            listing.path,
            # the front page's chart shows every claim; an archive page only its own
            (metric if front else (metric.name, listing), story_key(story), shared),
            lambda listing=listing, front=front: {
                "meta": {
                    "description": f"Every claim for “{metric.name}”, by source, over time.",
                    "jsonld": tracker_jsonld(
                        site,
                        metric,
                        listing.path,
                        {routes.figures_json(story.slug): "application/json"},
                        f"“{story.title}”",
                    )
                    if front
                    else None,
                },
                "metric": metric,
                "listing": listing,
                "chart": build_chart(metric, story.zone, plan.words) if front else None,
                "across": shared,  # other stories report it too: link the site's tracker
                **plan.common,
            },
            lastmod=lambda listing=listing, front=front: newest(
                r.entry for r in (metric if front else listing).claims
            ),
        )


def tag_pages(plan: StoryPlan, tag: Tag) -> Iterator[PageJob]:
    """A topic's pages: links to its entries, paginated like the timeline."""
    story = plan.story
    for listing in paginate_entries(tag.entries, tag.path, TAG_PER_PAGE):
        count = len(tag.entries) if listing.number == 0 else None
        yield PageJob(
            "tag.html",
            listing.path,
            lambda listing=listing, count=count: (
                tag.name,
                listing,
                tuple(plan.where.get(e.slug) for e in listing.entries),
                count,
                story_key(story),
            ),
            lambda listing=listing: {"tag": tag, "listing": listing, **plan.common},
            lastmod=lambda listing=listing: newest(listing.entries),
        )


def site_pages(site: Site, figures: bool) -> Iterator[PageJob]:
    """The site's own pages: the front page listing every story, newest first, the
    search page (unless search is off) and the 404 page (linking to the site's figures,
    if it has any)."""
    stories = sorted(
        site.stories,
        key=lambda s: (s.modified.timestamp() if s.modified else float("-inf"), s.slug),
        reverse=True,
    )
    summary = tuple((story_key(s), s.modified, len(s.entries)) for s in stories)
    yield PageJob(
        "index.html",
        routes.HOME,
        summary,
        lambda: {
            "meta": {
                "description": describe(
                    site.words("Live coverage: {stories}").format(
                        stories="; ".join(s.title for s in stories)
                    )
                )
                if stories
                else None,
                "og_type": "website",
                "title": site.config.title,
                "jsonld": site_jsonld(site),
            },
            "stories": stories,
        },
        lastmod=stories[0].modified if stories else None,
    )
    if site.config.search:
        yield PageJob(
            "search.html",
            routes.SEARCH,
            tuple((s.slug, s.title) for s in stories),
            lambda: {"stories": stories},
            listed=False,  # a page of results for each query, not one to index
        )
    yield PageJob(
        "404.html",
        routes.NOT_FOUND,
        (figures,),
        lambda: {"figures": figures},
        listed=False,
        anywhere=True,
    )


def site_figure_pages(site: Site, metrics: tuple[Metric, ...], words: Words) -> Iterator[PageJob]:
    """The site's figures: a page listing every metric with each source's latest claim,
    then each metric's tracker across every story that reports it (none without
    figures)."""
    if not metrics:
        return
    titles = {story.slug: story.title for story in site.stories}
    stories = {story.slug: story for story in site.stories}
    summaries = tuple(
        (metric, tuple(move_text(m, words) for m in moves(metric)), stories_of(metric))
        for metric in metrics
    )
    yield PageJob(
        "figures-index.html",
        routes.site_trackers(),
        tuple((m.slug, m.name, m.unit, m.description, said, on) for m, said, on in summaries)
        + tuple(titles.items()),
        lambda: {
            "meta": {"description": "Every metric the site's figure boxes track, by source."},
            "metrics": [
                {"metric": m, "moves": said, "stories": [stories[s] for s in on]}
                for m, said, on in summaries
            ],
        },
        lastmod=lambda: newest(r.entry for m in metrics for r in m.claims),
    )
    for metric, said, on in summaries:
        shown = {slug: titles[slug] for slug in on}
        yield from _site_tracker(site, metric, said, shown, words)


def _site_tracker(
    site: Site, metric: Metric, said: tuple[str, ...], titles: dict[str, str], words: Words
) -> Iterator[PageJob]:
    """One metric's tracker across every story: what changed, its chart, its claims."""
    for listing in tracker_pages(metric, routes.site_tracker(metric.slug), TRACKER_PER_PAGE):
        front = listing.number == 0
        yield PageJob(
            "site-tracker.html",
            listing.path,
            (metric if front else (metric.name, listing), said, tuple(titles.items())),
            lambda listing=listing, front=front: {
                "meta": {
                    "description": f"Every claim for “{metric.name}”, by source, in every story.",
                    "jsonld": tracker_jsonld(
                        site,
                        metric,
                        listing.path,
                        SITE_DATA,
                        "every story",
                    )
                    if front
                    else None,
                },
                "metric": metric,
                "listing": listing,
                "moves": said if front else (),
                "titles": titles,
                "chart": build_chart(metric, site.config.zone, words) if front else None,
            },
            lastmod=lambda listing=listing, front=front: newest(
                r.entry for r in (metric if front else listing).claims
            ),
        )
