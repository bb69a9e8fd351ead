"""The theme in the site's language: phrases, dates and counts; English as it was."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from dateline.build import build
from dateline.serve.rebuild import Rebuilder
from dateline.words import SCRIPT_PHRASES
from tests.conftest import ROOT, SITE_TOML, STORY_INDEX, entry, run_cli, soup, write_tree

SHIPPED = sorted(p.stem for p in (ROOT / "theme" / "i18n").glob("*.toml"))  # ar de es fr ru uk


def theme_phrases() -> set[str]:
    """Every phrase the theme writes: in its templates (`"…" | t`, counted phrases, the
    pagination labels), in the reader script and in the Python that writes page text."""
    found: set[str] = set()
    for path in (ROOT / "theme" / "templates").iterdir():
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'"([^"]+)"\s*\|\s*(?:t|plural)\b', text))
        for call in re.findall(r"pagination\(([^)]*)\)", text):
            found.update(re.findall(r'"([^"]+)"', call))
    script = (ROOT / "theme" / "static" / "dateline.js").read_text(encoding="utf-8")
    said = set(re.findall(r'say\("([^"]+)"', script))
    assert said == set(SCRIPT_PHRASES)  # the page carries what the script says
    found |= said
    for path in (ROOT / "dateline").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'words\("([^"]+)"\)', text))
        found.update(re.findall(r'phrase = "([^"]+)"', text))
    return found


def english_words(page: Path) -> set[str]:
    """The theme's English phrases on a built page: each a whole piece of its text (or
    of an aria-label, a title), with any value put in."""
    html = soup(page)
    for tag in html(["script", "style"]):
        tag.decompose()
    pieces = {" ".join(s.split()) for s in html.strings} | {
        " ".join(str(t[a]).split())
        for t in html.find_all(True)
        for a in ("aria-label",)
        if t.has_attr(a)
    }
    found = set()
    for phrase in theme_phrases():
        pattern = re.compile(".+".join(map(re.escape, re.split(r"\{\w+\}", phrase))))
        if any(pattern.fullmatch(piece) for piece in pieces):
            found.add(phrase)
    return found


@pytest.mark.parametrize("language", SHIPPED)
def test_each_shipped_file_translates_every_phrase_and_no_other(language: str) -> None:
    table = tomllib.loads((ROOT / "theme" / "i18n" / f"{language}.toml").read_text("utf-8"))
    phrases = theme_phrases()
    assert len(phrases) > 60
    assert set(table) == phrases
    for phrase, value in table.items():
        forms = value.values() if isinstance(value, dict) else [value]
        for form in forms:  # the values put in stay, and nothing else is asked for
            assert set(re.findall(r"\{(\w+)\}", form)) == set(re.findall(r"\{(\w+)\}", phrase)), (
                phrase
            )


def sample_in(language: str, folder: Path) -> Path:
    """The sample site built with `language` in its site.toml."""
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    toml = (content / "site.toml").read_text(encoding="utf-8")
    (content / "site.toml").write_text(
        re.sub(r'language = "[^"]*"', f'language = "{language}"', toml), encoding="utf-8"
    )
    out = folder / "site"
    result = run_cli("--content", content, "--out", out, "--strict")
    assert result.code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def ukrainian_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_in("uk-UA", tmp_path_factory.mktemp("uk"))


PAGES = [
    "index.html",
    "404.html",
    "ukraine-day-7/index.html",
    "ukraine-day-7/1745-russia-admits-losses/index.html",
    "ukraine-day-7/1540-un-800000/index.html",
    "ukraine-day-7/figures/people-who-fled-ukraine/index.html",
    "ukraine-day-7/tags/kharkiv/index.html",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_ukrainian_site_shows_no_english_theme_words(ukrainian_site: Path, page: str) -> None:
    assert english_words(ukrainian_site / page) == set()
    assert soup(ukrainian_site / page).html["lang"] == "uk-UA"


@pytest.mark.parametrize("language", [lang for lang in SHIPPED if lang != "uk"])
def test_every_shipped_language_leaves_no_english_theme_words(
    tmp_path: Path, language: str
) -> None:
    """None but those the language writes the same ("Source" in French, "Live" and
    "Status" in German), and its own dates."""
    table = tomllib.loads((ROOT / "theme" / "i18n" / f"{language}.toml").read_text("utf-8"))
    same = {phrase for phrase, value in table.items() if value == phrase}
    site = sample_in(language, tmp_path)
    for page in PAGES:
        assert english_words(site / page) <= same, (language, page)
    heading = soup(site / "ukraine-day-7" / "index.html").find("h2", class_="day-heading")
    assert (
        heading.get_text()
        == {
            "de": "Mittwoch, 2. März 2022",
            "es": "miércoles, 2 de marzo de 2022",
            "fr": "mercredi 2 mars 2022",
            "ru": "среда, 2 марта 2022\u202fг.",
            "ar": "الأربعاء، 2 مارس 2022",
        }[language]
    )


def test_english_pages_are_checked_for_the_same_words(sample_site: Path) -> None:
    """The check above can fail: the English site shows these phrases."""
    assert {"Skip to content", "Latest developments", "Key development"} <= english_words(
        sample_site / "ukraine-day-7" / "index.html"
    )


def test_ukrainian_dates_counts_and_notes(ukrainian_site: Path) -> None:
    timeline = soup(ukrainian_site / "ukraine-day-7" / "index.html")
    assert (
        timeline.find("h2", class_="day-heading").get_text(strip=True)
        == "середа, 2 березня 2022\u202fр."
    )
    front = soup(ukrainian_site / "index.html").get_text(" ")
    assert "15 оновлень" in front and "3 оновлення" in front  # many, few
    entry_page = soup(ukrainian_site / "ukraine-day-7" / "1540-un-800000" / "index.html")
    assert entry_page.find(class_="claim-change").get_text() == "зросло з about 660,000 (1 березня)"
    assert entry_page.find(class_="claim-as-of").get_text() == "2 бер. 2022\u202fр., 15:40 EET"
    fled = ukrainian_site / "ukraine-day-7" / "figures" / "people-who-fled-ukraine" / "index.html"
    killed = ukrainian_site / "ukraine-day-7" / "figures" / "russian-troops-killed" / "index.html"
    assert soup(fled).find("title", id="chart-title").get_text().endswith("1 джерела з часом")
    assert soup(killed).find("title", id="chart-title").get_text().endswith("2 джерел з часом")
    words = timeline.find("script", id="dateline-words")
    assert '"Copy link": "Копіювати посилання"' in words.string  # UTF-8, not \u escapes


def test_english_pages_carry_no_words_for_the_script(sample_site: Path) -> None:
    assert soup(sample_site / "ukraine-day-7" / "index.html").find(id="dateline-words") is None


def test_a_site_translates_the_theme_itself_phrase_by_phrase(tmp_path: Path) -> None:
    """A site's `_theme/i18n/` file overrides dateline's phrase by phrase; `de-AT`
    reads `de.toml`, then `de-AT.toml` over it; a language dateline has no file for
    still gets its own dates and plural forms."""
    files = {
        "s/_index.md": STORY_INDEX,
        "s/a.md": entry("Erste", extra="key: true\n"),
        "s/b.md": entry("Zweite", time="2022-03-02 11:00"),
        "_theme/i18n/de.toml": '"Key development" = "Wichtig"\n"Live" = "Live-Ticker"\n'
        '"{count} update" = { one = "{count} Meldung", other = "{count} Meldungen" }\n',
        "_theme/i18n/de-AT.toml": '"Live" = "Liveticker"\n',
    }
    content = write_tree(
        tmp_path / "content", {"site.toml": SITE_TOML + 'language = "de-AT"\n', **files}
    )
    out = tmp_path / "site"
    build(content, out)
    page = soup(out / "s" / "index.html")
    assert page.find(class_="badge-key").get_text() == "Wichtig"
    assert page.find(class_="story-status").get_text(strip=True) == "Liveticker"
    assert page.find("h2", class_="day-heading").get_text() == "Mittwoch, 2. März 2022"
    assert "2 Meldungen" in soup(out / "index.html").get_text()
    assert page.find("a", class_="skip-link").get_text() == "Zum Inhalt springen"  # dateline's

    (content / "site.toml").write_text(SITE_TOML + 'language = "pl"\n')
    build(content, out)
    page = soup(out / "s" / "index.html")
    assert page.find("h2", class_="day-heading").get_text() == "środa, 2 marca 2022"
    assert page.find("a", class_="skip-link").get_text() == "Skip to content"  # no Polish file

    (content / "site.toml").write_text(SITE_TOML + 'language = "uk"\n')
    build(content, out)  # the build cache: every page again, in the other language
    page = soup(out / "s" / "index.html")
    assert page.find(class_="badge-key").get_text() == "Ключова подія"
    assert page.find("a", class_="skip-link").get_text() == "Перейти до змісту"


def test_mistakes_in_a_translation_file_are_errors_at_their_lines(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML + 'language = "uk"\n',
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(),
            "_theme/i18n/uk.toml": '"Live" = "Наживо"\n"Pinned" = 3\n"Draft" = "Чернетка\n',
        },
    )
    result = run_cli("check", "--content", content)
    assert result.code == 1
    shown = content / "_theme" / "i18n" / "uk.toml"
    assert result.stderr.splitlines()[0].startswith(f"{shown}:3: not valid TOML: ")
    (shown).write_text('"Live" = "Наживо"\n"Pinned" = 3\n')
    result = run_cli("check", "--content", content)
    assert result.stderr.splitlines()[0] == (
        f"{shown}:2: the translation of 'Pinned' must be text, or a table of plural forms "
        'such as { one = "…", other = "…" }'
    )


def test_the_dev_server_follows_a_change_of_language(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {"site.toml": SITE_TOML, "s/_index.md": STORY_INDEX, "s/a.md": entry(extra="key: true\n")},
    )
    rebuilder = Rebuilder(content.resolve(), tmp_path / "live")
    assert rebuilder.build().ok
    badge = lambda: soup(tmp_path / "live" / "s" / "index.html").find(class_="badge-key").get_text()  # noqa: E731
    assert badge() == "Key development"
    (content / "site.toml").write_text(SITE_TOML + 'language = "uk"\n')
    assert rebuilder.build({(content / "site.toml").resolve()}).ok
    assert badge() == "Ключова подія"
    (content / "site.toml").write_text(SITE_TOML)
    assert rebuilder.build({(content / "site.toml").resolve()}).ok
    assert badge() == "Key development"


def test_an_english_site_can_change_the_theme_s_words(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML + 'language = "en-GB"\n',
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(extra="key: true\n"),
            "_theme/i18n/en.toml": '"Key development" = "Key event"\n',
        },
    )
    build(content, tmp_path / "site")
    page = soup(tmp_path / "site" / "s" / "index.html")
    assert page.find(class_="badge-key").get_text() == "Key event"
    assert page.find("h2", class_="day-heading").get_text() == "Wednesday 2 March 2022"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '"All updates on {story}" = "Усі оновлення: {сюжет}"',
            "the translation of 'All updates on {story}' has {сюжет}, which the phrase "
            "does not; it may use {story}",
        ),
        (
            '"All updates on {story}" = "Усі оновлення: {story"',
            "the translation of 'All updates on {story}' has a lone { or }; write {{ or }} for one",
        ),
        (
            '"{count} update" = { one = "{count} оновлення", fev = "{count} оновлення" }',
            "the translation of '{count} update' has a plural form 'fev'; the forms are "
            "zero, one, two, few, many, other",
        ),
    ],
)
def test_a_translation_that_would_stop_the_build_halfway_is_an_error(
    tmp_path: Path, line: str, message: str
) -> None:
    """Caught when the file is read, with its line: a `{name}` the phrase does not
    have, or a lone brace, would otherwise fail while pages are being written."""
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML + 'language = "uk"\n',
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(),
            "_theme/i18n/uk.toml": f'"Live" = "Наживо"\n{line}\n',
        },
    )
    result = run_cli("--content", content, "--out", tmp_path / "site")
    assert result.code == 1 and not (tmp_path / "site").exists()
    assert (
        result.stderr.splitlines()[0] == f"{content / '_theme' / 'i18n' / 'uk.toml'}:2: {message}"
    )
