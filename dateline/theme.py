"""The theme: Jinja2 templates and static assets, which a site may override file by file.

A site puts files in `<content>/_theme/templates/` or `<content>/_theme/static/`; each
replaces the default theme's file of the same name, and everything else falls back.
Templates are compiled once per build and autoescaped, so no content reaches a page
unescaped unless the code marks it as already-safe HTML.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2

from . import times
from .chart import format_number
from .slugs import slugify

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "theme"
SITE_THEME = "_theme"


def theme_dirs(content: Path) -> list[Path]:
    """Theme folders in override order: the site's own first, then the default."""
    own = content / SITE_THEME
    return [own, DEFAULT_THEME] if own.is_dir() else [DEFAULT_THEME]


def make_env(dirs: list[Path]) -> jinja2.Environment:
    """A Jinja2 environment over the theme folders, with dateline's filters (the
    renderer adds `url` and the other helpers that link from the page it renders)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
        auto_reload=False,  # a renderer lives for one build, or the dev server makes anew
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["clock"] = times.clock
    env.filters["long_date"] = times.long_date
    env.filters["short_date"] = times.short_date
    env.filters["iso"] = times.iso
    env.filters["slug"] = slugify
    env.filters["number"] = format_number
    return env


def static_files(dirs: list[Path]) -> Iterator[tuple[Path, str]]:
    """Every static asset as (source file, output path), overrides winning."""
    seen: set[str] = set()
    for theme in dirs:
        static = theme / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            name = path.relative_to(static).as_posix()
            if path.is_file() and not path.name.startswith(".") and name not in seen:
                seen.add(name)
                yield path, f"static/{name}"
