"""The theme: Jinja2 templates and static assets, which a site may override file by file.

A site puts files in `<content>/_theme/templates/` or `<content>/_theme/static/`; each
replaces the default theme's file of the same name, and everything else falls back.
Templates are compiled once (and kept compiled between builds) and autoescaped, so no
content reaches a page unescaped unless the code marks it as already-safe HTML.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import traceback
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from dateline import routes, times
from dateline.errors import ContentError, display_path
from dateline.render.chart import format_number
from dateline.slugs import slugify
from dateline.words import ENGLISH, SCRIPT_PHRASES, Words

SITE_THEME = "_theme"


def _default_theme() -> Path:
    """The theme dateline ships with: the repository's top-level `theme/` folder.

    An installed wheel carries it inside the package (`default_theme`, see
    pyproject.toml); a source checkout or an editable install has it beside the package.
    """
    package = Path(__file__).resolve().parent.parent  # dateline/
    installed = package / "default_theme"
    return installed if installed.is_dir() else package.parent / "theme"


DEFAULT_THEME = _default_theme()


def theme_dirs(content: Path) -> list[Path]:
    """Theme folders in override order: the site's own first, then the default."""
    own = content / SITE_THEME
    return [own, DEFAULT_THEME] if own.is_dir() else [DEFAULT_THEME]


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache (which already skips a damaged file), never failing a build
    on a cache folder it cannot write to.

    Keyed by the language's phrases too: a template's `"…" | t` is translated when it
    is compiled (a constant, folded by Jinja), so its code differs by language.
    """

    def __init__(self, folder: str, words: str) -> None:
        super().__init__(folder)
        self.words = words

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{name}\0{self.words}", filename)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@cache
def _bytecode_cache(words: str) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs, as Python keeps .pyc files.

    Compiling the theme again in every process of every build is a good part of a
    small build; loading it from here is far cheaper. Entries are keyed by template file
    and checked against its source, so an edited template is compiled again. In the
    user's cache folder; none where that cannot be made.
    """
    try:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder = root / "dateline" / f"templates-jinja{jinja2.__version__}"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None
    return _TemplateCache(str(folder), words)


def make_env(dirs: list[Path], words: Words = ENGLISH) -> jinja2.Environment:
    """A Jinja2 environment over the theme folders, with dateline's filters (the
    renderer adds `url` and the other helpers that link from the page it renders).

    `words` translates the theme: `"Updated" | t` (folded into the compiled template),
    `"{count} update" | plural("{count} updates", n)`, dates, and
    `"All updates on {story}" | t | fill(story=…)` for phrases with a value in them.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
        auto_reload=False,  # a renderer lives for one build, or the dev server makes anew
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_bytecode_cache(words.digest),
    )
    # JSON in pages (JSON-LD, the script's words) as UTF-8, not \u escapes: a third of
    # the bytes for text in Cyrillic or Arabic. tojson still escapes <, >, & and '.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["t"] = words
    env.filters["plural"] = words.count
    env.filters["fill"] = lambda phrase, **values: phrase.format(**values)
    env.filters["count"] = words.number
    env.globals["script_words"] = words.script(SCRIPT_PHRASES)  # for dateline.js
    env.globals["routes"] = routes  # every site path a template links to
    env.filters["clock"] = times.clock
    env.filters["long_date"] = words.long_date
    env.filters["short_date"] = words.short_date
    env.filters["iso"] = times.iso
    env.filters["slug"] = slugify
    env.filters["number"] = format_number
    env.filters["unbroken_numbers"] = unbroken_numbers
    return env


# A number as claims write it: digits with the separators of any language between them
# ("1,597,000", "1 597 000", "41.2%", "-5").
_NUMBER = re.compile(r"[-\u2212+]?\d(?:[\d.,'\u00a0\u202f ]*\d)?%?")


def unbroken_numbers(text: str) -> Markup:
    """A claim's text with each number kept on one line (`<span class="num">`, which the
    stylesheet does not let wrap): a figure read as "1,59" then "7" is a wrong figure."""
    parts, at = [], 0
    for match in _NUMBER.finditer(text):
        parts.append(escape(text[at : match.start()]))
        parts.append(Markup('<span class="num">%s</span>') % match.group(0))
        at = match.end()
    parts.append(escape(text[at:]))
    return Markup("").join(parts)


def asset_version(source: Path) -> str:
    """A digest of a theme file's bytes, for its links (`style.css?v=…`): after a theme
    change no reader gets new pages with a file a browser or a CDN kept."""
    return hashlib.blake2b(source.read_bytes(), digest_size=5).hexdigest()


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
                yield path, routes.static(name)


# A frame of a traceback told as text: a worker's, which reaches the build as text.
_FRAME = re.compile(r'File "([^"\n]+)", line (\d+)')
_TEMPLATE_SUFFIXES = ("html", "svg", "xml", "txt", "j2", "jinja", "jinja2")


def template_error(exc: jinja2.TemplateError, dirs: list[Path]) -> ContentError:
    """A theme's mistake as `path:line: template error: …`, where a theme author looks.

    A syntax error knows its place. An error while rendering (a missing include, an
    unknown attribute) is found in the traceback, where Jinja puts each template's
    own file and line; a forked worker's traceback reaches the build as text (see
    multiprocessing's RemoteTraceback), searched the same way. Failing both, the
    theme's templates folder is named.
    """
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or "templates"
        return ContentError(display_path(Path(where)), exc.lineno, f"template error: {exc.message}")
    folders = tuple(os.path.join(os.path.abspath(d / "templates"), "") for d in dirs)
    frames = [(f.filename, f.lineno or 1) for f in traceback.extract_tb(exc.__traceback__)]
    if exc.__cause__ is not None:  # a worker's traceback, as text
        frames += [(name, int(line)) for name, line in _FRAME.findall(str(exc.__cause__))]
    for filename, line in reversed(frames):
        if os.path.abspath(filename).startswith(folders):
            return ContentError(display_path(Path(filename)), line, f"template error: {exc}")
    return ContentError(display_path(dirs[0] / "templates"), 1, f"template error: {exc}")


def compile_all(env: jinja2.Environment) -> None:
    """Compile every template now, so that a syntax error in any is found before a
    page is written (the dev server writes into the folder it serves)."""
    for name in env.list_templates(extensions=_TEMPLATE_SUFFIXES):
        env.get_template(name)
