"""The theme's words in the site's language: labels, dates and counts.

A newsroom publishing in Ukrainian or Arabic needs its readers to see "Оновлено 14:25"
and "середа, 2 березня 2022 р.", not the theme's English. Each phrase the theme shows is
looked up by its English text in `i18n/<language>.toml` of the theme folders (the site's
own `_theme/i18n/` first, phrase by phrase, then dateline's); a phrase with no
translation stays English. Dates come from the Unicode CLDR through Babel, so every
language has its own day and month names and order with no file at all; counts take
the language's plural forms ("1 оновлення", "5 оновлень").

English needs neither: its words are the keys, and its dates keep dateline's own
formatting (British order), so an English site never imports Babel.
"""

from __future__ import annotations

import hashlib
import string
import tomllib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from dateline import times
from dateline.errors import ContentError, display_path
from dateline.read.config import toml_error_line

Phrase = str | dict[str, str]  # a phrase, or a count's forms by plural category

# What the reader script (theme/static/dateline.js) writes; pages carry these phrases'
# translations for it. Counted phrases by their singular.
SCRIPT_PHRASES = (
    "just now",
    "{min} min ago",
    "{h} h {min} min ago",
    "Show times in the story's time zone",
    "Show times in my time zone ({zone})",
    "Copy link",
    "Link copied",
    "{count} new update",
    "{count} new update available",
    "Pause live updates",
    "Resume live updates",
    "{count} result",
    "More results",
    "Search is not available right now.",
    "{count} entry corrected",
    "{count} entry updated",
    "{count} entry removed",
)


class _Kept(dict):
    """Values for str.format_map that leave any other `{name}` for a later fill."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Words:
    """One language's phrases; called with an English phrase, gives the translation.

    Equal (and hashed) by language and table digest, so caches keyed on it hold.
    """

    def __init__(self, language: str, table: dict[str, Phrase]) -> None:
        self.language = language
        self.table = table
        self.english = language.lower().split("-")[0] == "en"
        self.digest = hashlib.blake2b(
            repr((language, sorted(table.items()))).encode(), digest_size=8
        ).hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Words) and (self.language, self.digest) == (
            other.language,
            other.digest,
        )

    def __hash__(self) -> int:
        return hash((self.language, self.digest))

    def __repr__(self) -> str:
        return f"Words({self.language!r}, {len(self.table)} phrases)"

    def __call__(self, phrase: str) -> str:
        """`phrase` in this language (a template's `"…" | t`: looked up once, when the
        template is compiled)."""
        found = self.table.get(phrase)
        return found if isinstance(found, str) else phrase

    def count(self, one: str, other: str, count: int) -> str:
        """`one` or `other` (English forms with `{count}`) in this language's plural
        form for `count`: '5 оновлень'."""
        found = self.table.get(one)
        if isinstance(found, dict):
            form = found.get(_plural_form(self.language, count)) or found.get("other")
            if form:
                return form.format_map(_Kept(count=count))
        return (one if count == 1 else other).format_map(_Kept(count=count))

    def number(self, value: int) -> str:
        """A whole number with the language's digit grouping: '1,234', '1 234'."""
        if self.english:
            return f"{value:,}"
        from babel.numbers import format_decimal

        return format_decimal(value, locale=_locale(self.language))

    def long_date(self, day: date) -> str:
        """A day heading: 'Wednesday 2 March 2022', 'середа, 2 березня 2022 р.'."""
        return times.long_date(day) if self.english else _cldr(day, "full", self.language)

    def day_month(self, moment: date, *, full: bool = False) -> str:
        """'2 Mar' (a chart's axis) or, `full`, '2 March' (in sentences)."""
        if self.english:
            return times.day_month(moment, full=full)
        day = moment.date() if isinstance(moment, datetime) else moment
        return _cldr(day, "skeleton:MMMMd" if full else "skeleton:MMMd", self.language)

    def short_date(self, moment: datetime | date) -> str:
        """A compact date, with the clock for a time: '2 Mar 2022, 14:05 EET'."""
        if self.english:
            return times.short_date(moment)
        day = moment.date() if isinstance(moment, datetime) else moment
        text = _cldr(day, "skeleton:yMMMd", self.language)
        return f"{text}, {times.clock(moment)}" if isinstance(moment, datetime) else text

    def script(self, phrases: tuple[str, ...]) -> dict[str, Phrase]:
        """The translations of `phrases` (the reader script's), for the page to carry."""
        return {p: self.table[p] for p in phrases if p in self.table}


ENGLISH = Words("en", {})


@lru_cache(maxsize=4096)
def _cldr(day: date, pattern: str, language: str) -> str:
    """A date in `language`'s CLDR form (Babel); days repeat on every page, so kept."""
    from babel.dates import format_date, format_skeleton

    locale = _locale(language)
    if pattern.startswith("skeleton:"):
        return format_skeleton(pattern.removeprefix("skeleton:"), day, locale=locale)
    return format_date(day, pattern, locale=locale)


@lru_cache(maxsize=64)
def _locale(language: str):  # type: ignore[no-untyped-def]
    """Babel's locale for a BCP 47 tag, or its language's, or English."""
    from babel import Locale, UnknownLocaleError

    for tag in (language.replace("-", "_"), language.split("-")[0]):
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


def _plural_form(language: str, count: int) -> str:
    """CLDR's plural category of `count` in `language`: 'one', 'few', 'many'…"""
    return str(_locale(language).plural_form(count))


def load_words(theme_dirs: list[Path], language: str) -> tuple[Words, list[ContentError]]:
    """The phrases for `language` from `i18n/` in `theme_dirs` (the site's first).

    `uk-UA` reads `uk.toml`, then `uk-UA.toml` over it; the site's files over
    dateline's. A file that is not valid TOML, or a phrase that is not text or a
    table of plural forms, is an error at its line.
    """
    table: dict[str, Phrase] = {}
    errors: list[ContentError] = []
    primary = language.split("-")[0]
    names = [primary] + ([language] if language.lower() != primary.lower() else [])
    for folder in reversed(theme_dirs):  # dateline's first, the site's over it
        i18n = folder / "i18n"
        if not i18n.is_dir():
            continue
        files = {p.stem.lower(): p for p in i18n.glob("*.toml")}
        for name in names:
            if (path := files.get(name.lower())) is not None:
                table.update(_read(path, errors))
    return Words(language, table), errors


def _read(path: Path, errors: list[ContentError]) -> dict[str, Phrase]:
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        errors.append(ContentError(shown, 1, "not valid UTF-8 text; save the file as UTF-8"))
        return {}
    except tomllib.TOMLDecodeError as exc:
        errors.append(ContentError(shown, toml_error_line(exc), f"not valid TOML: {exc}"))
        return {}
    phrases: dict[str, Phrase] = {}
    for key, value in data.items():
        plural = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        if isinstance(value, str) or (plural and value):
            problem = _check(key, value)
        else:
            problem = (
                f"the translation of {key!r} must be text, or a table of plural forms "
                'such as { one = "…", other = "…" }'
            )
        if problem is None:
            phrases[key] = value
            continue
        line = next((n for n, t in enumerate(text.split("\n"), 1) if key in t), 1)
        errors.append(ContentError(shown, line, problem))
    return phrases


_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def _check(key: str, value: Phrase) -> str | None:
    """What is wrong with a translation, or None. A `{name}` the phrase does not have,
    or a lone brace, would stop the build halfway through writing pages."""
    forms = value if isinstance(value, dict) else {"": value}
    if wrong := sorted(set(forms) - set(_CATEGORIES) - {""}):
        return (
            f"the translation of {key!r} has a plural form {wrong[0]!r}; "
            f"the forms are {', '.join(_CATEGORIES)}"
        )
    wanted = _names(key) or set()
    for form in forms.values():
        names = _names(form)
        if names is None:
            return f"the translation of {key!r} has a lone {{ or }}; write {{{{ or }}}} for one"
        if extra := sorted(names - wanted):
            keep = ", ".join(f"{{{n}}}" for n in sorted(wanted)) or "no {…}"
            return (
                f"the translation of {key!r} has {{{extra[0]}}}, which the phrase does not; "
                f"it may use {keep}"
            )
    return None


def _names(text: str) -> set[str] | None:
    """The `{name}`s in `text`, or None if its braces do not pair up."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None
