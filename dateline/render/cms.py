"""The Decap CMS admin page: `admin/config.yml` made from the site, and the page itself.

Decap edits the content folder's files in the repository and commits them, so the files
stay the source of truth; this module only tells it what the files are. Each story is a
folder collection of entries (file names `HHMM-slug.md`, as the content guide advises);
each front-matter key of the contract is a field of the widget it needs; the stories
themselves are a collection of their `_index.md` files. The editor's own widgets and
the figure-box form live in the theme's `cms/dateline-cms.js`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from dateline import routes, urls
from dateline.model.site import Site, Story
from dateline.read.cms_settings import CmsSettings
from dateline.read.figures import STATUSES
from dateline.render.theme import asset_version

# Decap's script, pinned: this exact file, checked by the browser against its digest
# (Subresource Integrity), never whatever version a CDN serves today. The version is
# package.json's, which `dateline serve --cms` installs to work offline.
DECAP_VERSION = "3.16.3"
DECAP_URL = f"https://unpkg.com/decap-cms@{DECAP_VERSION}/dist/decap-cms.js"
DECAP_SRI = "sha384-A/Gdn928CNLufmnGWGs9RM4Q9o8bSNLeJERqBFrBjwzL7FRpoLT3MPF8Tl0+Wd2p"
DECAP_LOCAL = routes.admin("decap-cms.js")  # a copy beside the page, for offline editing

WIDGETS = "dateline-cms.js"  # the theme's `cms/` file: dateline's widgets for Decap
STORIES = "stories"
NEW_STORY = "new-story"


@dataclass(frozen=True)
class AdminPage:
    """What the admin page's files are made of."""

    config_yml: str
    data: dict[str, object]  # what the editor's widgets offer: names, stories' zones
    script: str  # Decap's script: the pinned CDN's address, or a copy beside the page
    widgets: str  # dateline's widgets (the theme's `cms/dateline-cms.js`)
    integrity: str = DECAP_SRI


def entry_collection(story: Story, folder: str, site_url: str | None) -> dict[str, object]:
    """A story's entries as one folder collection."""
    zone = story.zone.key
    collection: dict[str, object] = {
        "name": story.slug,
        "label": story.title,
        "label_singular": "entry",
        "description": f"Entries of this story. Times are wall-clock times in {zone}.",
        "folder": f"{folder}/{story.slug}",
        "create": True,
        "extension": "md",
        "format": "frontmatter",
        # HHMM-slug.md, the contract's advice: the hour and minute as written (no zone
        # conversion), then the headline's slug. The name never changes after.
        "slug": "{{time | date('HHmm')}}-{{slug}}",
        "summary": "{{time}} · {{title}}",
        "sortable_fields": ["time", "title"],
        "media_folder": "",  # images beside the entry, in the story's folder
        "public_folder": "",
        "fields": entry_fields(zone),
    }
    if site_url:
        collection["preview_path"] = routes.entry(story.slug, "{{filename}}")
    return collection


def entry_fields(zone: str) -> list[dict[str, object]]:
    """Each front-matter key of an entry (contract v1.1) as a field, then the body."""
    optional = {"required": False}
    return [
        {"name": "title", "label": "Headline", "widget": "string"},
        {
            "name": "time",
            "label": "Time",
            "widget": "dateline-time",
            "timezone": zone,
            "hint": f"When it was reported, as a clock in {zone} showed it.",
        },
        {"name": "key", "label": "Key development", "widget": "boolean", **optional},
        {"name": "pinned", "label": "Pinned above the timeline", "widget": "boolean", **optional},
        {"name": "tags", "label": "Topics", "widget": "list", **optional},
        {"name": "author", "label": "Byline", "widget": "string", **optional},
        {"name": "location", "label": "Location", "widget": "string", **optional},
        {
            "name": "updated",
            "label": "Updated",
            "widget": "dateline-time",
            "timezone": zone,
            "hint": "The time of the last substantive edit; shown as “Updated HH:MM”.",
            **optional,
        },
        {"name": "correction", "label": "Correction notice", "widget": "text", **optional},
        {"name": "draft", "label": "Draft (not published)", "widget": "boolean", **optional},
        {
            "name": "summary",
            "label": "What you need to know (a summary of the story so far)",
            "widget": "boolean",
            **optional,
        },
        {
            "name": "aliases",
            "label": "Earlier permalinks",
            "widget": "list",
            "hint": "Only after renaming the file: its old name, so old links still work.",
            **optional,
        },
        {
            "name": "body",
            "label": "Body",
            "widget": "markdown",
            "editor_components": ["figures", "image"],
            "hint": "Add a figure box with + → Figure box.",
        },
    ]


def story_fields() -> list[dict[str, object]]:
    """A story's `_index.md`: its front matter and standfirst."""
    optional = {"required": False}
    return [
        {"name": "title", "label": "Headline", "widget": "string"},
        {"name": "summary", "label": "Summary", "widget": "string", **optional},
        {
            "name": "timezone",
            "label": "Time zone",
            "widget": "string",
            "hint": "An IANA name such as Europe/Kyiv; empty: the site's.",
            **optional,
        },
        {
            "name": "status",
            "label": "Status",
            "widget": "select",
            "options": ["live", "ended"],
            **optional,
        },
        {"name": "body", "label": "Standfirst", "widget": "markdown", **optional},
    ]


def story_collections(site: Site, folder: str) -> list[dict[str, object]]:
    """The stories as files to edit, and a collection that only makes new ones."""
    stories: list[dict[str, object]] = [
        {
            "name": STORIES,
            "label": "Stories",
            "description": "Each story's headline, settings and standfirst.",
            "files": [
                {
                    "name": story.slug,
                    "label": story.title,
                    "file": f"{folder}/{story.slug}/_index.md",
                    "fields": story_fields(),
                }
                for story in site.stories
            ],
        }
    ]
    return [
        *(stories if site.stories else []),
        {
            "name": NEW_STORY,
            "label": "New story",
            "label_singular": "story",
            "description": (
                "Start a story: its folder is named from the headline. Its entries appear "
                "in the editor after the next build (publish, or save with the preview on)."
            ),
            "folder": folder,
            "path": "{{slug}}/_index",
            "create": True,
            "extension": "md",
            "format": "frontmatter",
            # Decap lists every file two folders down here, entries too; a filter no
            # file passes keeps the list empty, as stories are edited under "Stories".
            "filter": {"field": "title", "value": ""},
            "fields": story_fields(),
        },
    ]


def cms_config(site: Site, cms: CmsSettings) -> dict[str, object]:
    """Decap's configuration for the site: backend, media and collections."""
    backend: dict[str, object] = {"name": cms.backend, "branch": cms.branch}
    for key in ("repo", "base_url", "auth_endpoint"):
        if value := getattr(cms, key):
            backend[key] = value
    config: dict[str, object] = {"backend": backend}
    if cms.api is not None:  # `serve --cms`: through Decap's local proxy
        config["local_backend"] = {"url": cms.api}
    folder = cms.content_path
    config["media_folder"] = folder  # overridden by each story: media beside entries
    config["public_folder"] = ""
    if site.config.base_url:
        config["site_url"] = site.config.base_url
        config["display_url"] = site.config.base_url
    config["slug"] = {"encoding": "ascii", "clean_accents": True}
    config["collections"] = [
        *(entry_collection(s, folder, site.config.base_url) for s in site.stories),
        *story_collections(site, folder),
    ]
    return config


def offered_names(site: Site) -> dict[str, list[str]]:
    """The source and metric names the figure-box form offers: the registry's, then
    every other name the site's boxes use."""
    sources = [s.name for s in site.registry.sources]
    metrics = [m.name for m in site.registry.metrics]
    for story in site.stories:
        for entry in story.entries:
            for box in entry.boxes:
                metrics.append(box.name)
                sources.extend(claim.source for claim in box.claims)
    return {
        "sources": sorted(set(sources), key=str.casefold),
        "metrics": sorted(set(metrics), key=str.casefold),
    }


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def admin_page(site: Site, cms: CmsSettings, *, style: str, script: str, widgets: str) -> AdminPage:
    """The admin page's configuration and data; `style` is the site's stylesheet as the
    admin page links it (the preview shows boxes in the site's own style)."""
    config = cms_config(site, cms)
    header = (
        "# Written by dateline from site.toml and the story folders at each build; "
        "change those, not this file.\n"
    )
    registry = site.registry
    data = {
        **offered_names(site),
        # Names (and aliases) a box may use without a warning, as the build compares them.
        "registered": {
            "sources": [_folded(n) for s in registry.sources for n in (s.name, *s.aliases)],
            "metrics": [_folded(n) for m in registry.metrics for n in (m.name, *m.aliases)],
        },
        "statuses": list(STATUSES),
        "style": style,
        "stories": {s.slug: {"title": s.title, "zone": s.zone.key} for s in site.stories},
    }
    return AdminPage(
        config_yml=header
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=10_000),
        data=data,
        script=script,
        widgets=widgets,
    )


def integrity(data: bytes) -> str:
    """A file's Subresource Integrity value, as `DECAP_SRI` is written."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def admin_files(
    site: Site, dirs: list[Path], page: Callable[[AdminPage], str], versions: dict[str, str]
) -> Iterator[tuple[str, str | Path]]:
    """The admin folder's files, as (site path, text or a file to copy): the page (made
    by `page`), its configuration, dateline's widgets and, for offline editing, Decap's
    own script. `versions` are the theme assets' digests, for the stylesheet's link."""
    cms = site.config.cms
    assert cms is not None
    here = routes.admin()
    style = urls.relative(here, routes.static("style.css"))
    if version := versions.get(routes.static("style.css")):
        style += f"?v={version}"
    widgets = next((w for t in dirs if (w := t / "cms" / WIDGETS).is_file()), None)
    widgets_src = urls.relative(here, routes.admin(WIDGETS))
    if widgets is not None:
        widgets_src += "?v=" + asset_version(widgets)
        yield routes.admin(WIDGETS), widgets
    script = DECAP_URL
    if cms.script is not None:
        script = urls.relative(here, DECAP_LOCAL)
        yield DECAP_LOCAL, cms.script
    admin = admin_page(site, cms, style=style, script=script, widgets=widgets_src)
    yield routes.file_of(here), page(admin)
    yield routes.admin("config.yml"), admin.config_yml
