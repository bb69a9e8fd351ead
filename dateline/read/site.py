"""Reading `content/`: every file into checked, immutable values (the build's first step).

Every file is read and every mistake collected before anything is rendered, so an
editor sees all problems of a build at once and a failed build never writes a byte.
What no single file shows is checked next, by `validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from dateline import routes
from dateline.errors import BuildError, ContentError, display_path
from dateline.read.cache import ReadCache
from dateline.read.config import SiteConfig, load_site_config
from dateline.read.entryfile import INDEX_FILE, Problems
from dateline.read.files import inside, is_hidden, list_files
from dateline.read.markup import make_parser
from dateline.read.registry import EMPTY, REGISTRY_FILE, Registry, load_registry
from dateline.read.story import Linking, StoryRead, read_story
from dateline.render.theme import SITE_THEME, theme_dirs
from dateline.words import Words, load_words


@dataclass(frozen=True)
class ContentRead:
    """A content folder as read: settings, the theme's words, each story as read, and
    what the checks across files need (links found, each story folder's files)."""

    config: SiteConfig
    words: Words
    stories: tuple[StoryRead, ...]
    linking: Linking
    listings: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    registry: Registry = EMPTY


def read_content(
    content: Path, problems: Problems, *, drafts: bool, cache: ReadCache | None, jobs: int
) -> ContentRead:
    """Read everything under `content`, adding each mistake to `problems`; raise
    BuildError only when the settings cannot be read at all.

    With a `cache` from an earlier read, unchanged entry files are not read again.
    """
    toml = content / "site.toml"
    if toml.exists() and not inside(toml, content.resolve()):
        raise BuildError([ContentError(display_path(toml), 1, "links outside the content folder")])
    config, errors = load_site_config(toml, display_path(toml))
    problems.errors.extend(errors)
    if config is None:
        raise BuildError(problems.errors)
    words, errors = load_words(theme_dirs(content), config.language)
    problems.errors.extend(errors)
    theme = content / SITE_THEME
    if theme.is_dir():
        for path in sorted(theme.rglob("*")):
            if path.is_file() and not inside(path, content.resolve()):
                problems.error(display_path(path), 1, "links to a file outside the content folder")
    registry = _registry(content, problems)
    md = make_parser(allow_html=config.allow_html)
    stories = []
    listings: dict[str, list[tuple[str, bool]]] = {}  # story folder -> its files
    linking = Linking()
    for folder in sorted(p for p in content.iterdir() if p.is_dir()):
        if is_hidden(folder.name) or folder.name.startswith("_"):
            continue
        if cache is not None and cache.trusted is not None and folder in cache.listings:
            files = cache.listings[folder]
        else:
            files = list_files(folder)
            if cache is not None:
                cache.listings[folder] = files
        if not files:
            continue  # an empty folder (git keeps none) is debris, not a story
        listings[folder.name] = files
        if folder.name in routes.SITE_RESERVED or (
            config.cms is not None and folder.name + "/" == routes.ADMIN
        ):
            message = (
                f"{folder.name!r} is a name dateline uses for the site's own pages; "
                "rename the story folder"
            )
            problems.error(display_path(folder / INDEX_FILE), 1, message)
            continue
        if config.search and folder.name + "/" == routes.SEARCH:
            # A v1 story may be named `search`: it keeps its address, the site its search.
            message = (
                "the story folder 'search' takes the search page's address, so the site "
                "has no search; rename the folder, or set search = false in site.toml"
            )
            problems.warn(display_path(folder / INDEX_FILE), 1, message)
            config = replace(config, search=False)
        story = read_story(
            md, folder, config, drafts, problems, cache, files, linking, jobs, registry
        )
        if story is not None:
            stories.append(story)
    return ContentRead(config, words, tuple(stories), linking, listings, registry)


def _registry(content: Path, problems: Problems) -> Registry:
    """The figures registry, `figures.toml`, if the content folder has one of its own."""
    toml = content / REGISTRY_FILE
    if toml.exists() and not inside(toml, content.resolve()):
        problems.error(display_path(toml), 1, "links outside the content folder")
        return EMPTY
    registry, errors = load_registry(toml, display_path(toml))
    problems.errors.extend(errors)
    return registry
