"""Bad input gets an exact message, attacks never reach a reader, nothing is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from dateline.build import build
from tests.conftest import ROOT, entry, run_cli, soup, write_tree

CORPUS = Path(__file__).parent / "corpus"
KYIV_STORY = "---\ntitle: S\ntimezone: Europe/Kyiv\n---\n"
SITE = 'title = "T"\nbase_url = "https://example.org/"\n'
BAD = sorted(CORPUS.glob("bad/*.md"))
GOOD = sorted(CORPUS.glob("good/*.md"))


def story_with(tmp_path: Path, files: dict[str, str | bytes], site: str = SITE) -> Path:
    return write_tree(tmp_path / "content", {"site.toml": site, "s/_index.md": KYIV_STORY, **files})


@pytest.mark.parametrize("case", BAD, ids=[p.stem for p in BAD])
def test_bad_corpus_gives_exact_messages(tmp_path: Path, case: Path) -> None:
    content = story_with(tmp_path, {"s/case.md": case.read_bytes()})
    result = run_cli("--content", content, "--out", tmp_path / "out")
    assert result.code == 1
    assert "Traceback" not in result.stderr
    prefix = f"{content / 's' / 'case.md'}:"
    lines = result.stderr.splitlines()
    assert all(line.startswith(prefix) for line in lines[:-1]), lines
    got = [line[len(prefix) :] for line in lines[:-1]]
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert got == expected
    count = len(expected)
    assert lines[-1] == f"{count} error{'s' if count != 1 else ''}; nothing was written"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", GOOD, ids=[p.stem for p in GOOD])
def test_good_corpus_builds(tmp_path: Path, case: Path) -> None:
    content = story_with(tmp_path, {"s/case.md": case.read_bytes()})
    build(content, tmp_path / "out")
    assert (tmp_path / "out" / "s" / "case" / "index.html").is_file()


def test_bom_crlf_file_reads_as_written(tmp_path: Path) -> None:
    content = story_with(
        tmp_path, {"s/case.md": (CORPUS / "good" / "bom-and-crlf.md").read_bytes()}
    )
    build(content, tmp_path / "out")
    page = soup(tmp_path / "out" / "s" / "case" / "index.html")
    assert page.h1.get_text() == "Saved on Windows"
    assert page.select_one(".entry-body p").get_text() == "Body with CRLF."
    assert "\r" not in (tmp_path / "out" / "s" / "case" / "index.html").read_text()


def test_quoted_values_are_text(tmp_path: Path) -> None:
    content = story_with(
        tmp_path, {"s/case.md": (CORPUS / "good" / "quoted-values.md").read_text()}
    )
    build(content, tmp_path / "out")
    page = soup(tmp_path / "out" / "s" / "case" / "index.html")
    assert page.h1.get_text() == "Yes: a title with a colon"
    assert [a.get_text() for a in page.select(".tags a")] == ["no", "on"]  # not False / True


def assert_safe(page: Path) -> None:
    parsed = soup(page)
    for tag in parsed.find_all(True):
        for attribute, value in tag.attrs.items():
            assert not attribute.lower().startswith("on"), (tag.name, attribute)
            if attribute in ("href", "src", "action", "data", "poster"):
                scheme = urlsplit(str(value).strip()).scheme.lower()
                assert scheme in ("", "http", "https", "mailto"), (tag.name, value)
        if tag.name == "iframe":
            assert str(tag.get("src", "https://")).startswith("https://")
        if tag.name == "script":
            assert tag.get("type") == "application/ld+json" or urlsplit(
                tag.get("src", "")
            ).path.endswith("static/dateline.js")
        assert "style" not in tag.attrs or tag.name == "link"
    for body in parsed.select(".entry-body"):  # what content may put on a page
        for tag in body.find_all(["svg", "math", "object", "form", "input", "style", "script"]):
            raise AssertionError(f"{tag.name} in an entry body")


@pytest.mark.parametrize("allow_html", [False, True], ids=["html-off", "html-allowed"])
def test_attack_corpus_never_reaches_a_reader(tmp_path: Path, allow_html: bool) -> None:
    site = SITE + ("allow_html = true\n" if allow_html else "")
    content = story_with(
        tmp_path, {"s/attack.md": (CORPUS / "attacks.md").read_text(), "s/a.png": b"png"}, site
    )
    out = tmp_path / "out"
    build(content, out)
    pages = [
        out / "s" / "index.html",
        out / "s" / "attack" / "index.html",
        *sorted(out.glob("s/figures/*/index.html")),
        *sorted(out.glob("s/tags/*/index.html")),
    ]
    for page in pages:
        assert_safe(page)
    html = (out / "s" / "attack" / "index.html").read_text()
    parsed = soup(out / "s" / "attack" / "index.html")
    assert parsed.h1.get_text() == "\"><script>alert('title')</script>"
    hrefs = [a.get("href") for a in parsed.select(".entry-body a")]
    assert (
        "https://example.org/safe" in hrefs
        and "mailto:desk@example.org" in hrefs
        and "../a.png" in hrefs
    )
    box = parsed.select_one("figure.figure-box")
    assert box.select("tbody th")[0].get_text() == '"><script>alert(1)</script>'
    assert box.select("tbody th")[1].get_text() == "<img src=x onerror=alert(1)>"
    for item in json.loads((out / "s" / "feed.json").read_text())["items"]:
        fragment = BeautifulSoup(item["content_html"], "html.parser")
        for tag in fragment.find_all(True):
            assert not any(a.lower().startswith("on") for a in tag.attrs)
            for link in (tag.get("href"), tag.get("src")):
                assert link is None or urlsplit(link).scheme in ("http", "https", "mailto"), link
    if not allow_html:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not run


def test_allowed_html_keeps_safe_embeds(tmp_path: Path) -> None:
    body = (
        '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Brewery strike video" allowfullscreen></iframe>\n\n'
        "Text with <mark>highlight</mark>.\n\n```figures M\nA: 5\n```\n\nAfter the box."
    )
    content = story_with(tmp_path, {"s/a.md": entry(body=body)}, SITE + "allow_html = true\n")
    build(content, tmp_path / "out")
    page = soup(tmp_path / "out" / "s" / "a" / "index.html")
    frame = page.find("iframe")
    assert (
        frame["src"] == "https://www.youtube-nocookie.com/embed/abc"
        and frame["title"] == "Brewery strike video"
    )
    assert page.find("mark").get_text() == "highlight"
    assert page.select_one("figure.figure-box caption").get_text(" ", strip=True).endswith("M")
    assert "After the box." in page.get_text()


def test_raw_html_cannot_forge_a_figure_box(tmp_path: Path) -> None:
    body = "<!--dateline:figures:0-->\n\nText."
    for allow in ("", "allow_html = true\n"):
        content = story_with(tmp_path, {"s/a.md": entry(body=body)}, SITE + allow)
        build(content, tmp_path / "out")
        assert soup(tmp_path / "out" / "s" / "a" / "index.html").select("figure.figure-box") == []


def test_symlinks_out_of_content_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    content = story_with(tmp_path, {"s/a.md": entry()})
    (content / "s" / "leak.txt").symlink_to(secret)
    (content / "s" / "inside.txt").symlink_to(content / "s" / "a.md")
    (content / "_theme" / "static").mkdir(parents=True)
    (content / "_theme" / "static" / "style.css").symlink_to(secret)
    result = run_cli("--content", content, "--out", tmp_path / "out")
    assert result.code == 1
    assert result.stderr.splitlines()[:-1] == [
        f"{content / '_theme/static/style.css'}:1: links to a file outside the content folder",
        f"{content / 's/leak.txt'}:1: links to a file outside the content folder; copy it in",
    ]
    assert not (tmp_path / "out").exists()


def test_story_folder_symlinked_outside_is_refused(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "elsewhere", {"_index.md": KYIV_STORY, "a.md": entry()})
    content = write_tree(tmp_path / "content", {"site.toml": SITE})
    (content / "linked").symlink_to(outside, target_is_directory=True)
    result = run_cli("--content", content, "--out", tmp_path / "out")
    assert (
        result.stderr.splitlines()[0]
        == f"{content / 'linked'}:1: story folder links outside the content folder"
    )


def test_entry_size_limit(tmp_path: Path) -> None:
    big = entry(body="word " * 500)  # about 2.5 KB
    content = story_with(tmp_path, {"s/big.md": big}, SITE + "max_entry_kb = 1\n")
    result = run_cli("--content", content, "--out", tmp_path / "out")
    assert (
        result.stderr.splitlines()[0]
        == f"{content / 's/big.md'}:1: entry is 3 KB, over the 1 KB limit; split it, or raise max_entry_kb in site.toml"
    )
    (content / "site.toml").write_text(SITE + "max_entry_kb = 4\n")
    assert run_cli("--content", content, "--out", tmp_path / "out").code == 0


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Kyiv.md", "kyiv.md"),
        (unicodedata.normalize("NFC", "café.md"), unicodedata.normalize("NFD", "café.md")),
        ("a b.md", "a-b.md"),
    ],
    ids=["case", "unicode-normalisation", "punctuation"],
)
def test_permalink_collisions(tmp_path: Path, first: str, second: str) -> None:
    content = story_with(tmp_path, {"s/" + first: entry("One")})
    try:
        (content / "s" / second).write_text(entry("Two"))
    except OSError:
        pytest.skip("this filesystem cannot hold both names")
    names = sorted(p.name for p in (content / "s").glob("*.md") if p.name != "_index.md")
    if len(names) < 2:
        pytest.skip("this filesystem folds these names into one file")
    result = run_cli("--content", content, "--out", tmp_path / "out")
    assert result.code == 1
    (message,) = result.stderr.splitlines()[:-1]
    assert message.endswith(f"gives the same permalink as {names[0]!r}; rename one")


PATHOLOGICAL = {
    "nested-brackets": "[" * 20000 + "a" + "]" * 20000,
    "nested-emphasis": "*a " * 20000 + "b" + " a*" * 20000,
    "nested-quotes": "> " * 5000 + "deep",
    "nested-lists": "".join("  " * i + "- item\n" for i in range(2000)),
    "long-link-chain": "[a](b)" * 20000,
    "unclosed-backticks": "`" * 20000 + "x",
    "many-figure-lines": "```figures M\n" + "Source: 1,000,000,000,000,000\n" * 5000 + "```",
    "long-figure-line": "```figures M\n" + "S" * 50000 + ": " + "1" * 15 + " x" * 20000 + "\n```",
}


def test_pathological_markdown_finishes(tmp_path: Path) -> None:
    """Each build must end, with a page or a clear error, well within the time allowed."""
    files = {f"s/{name}.md": entry(body=text) for name, text in PATHOLOGICAL.items()}
    content = story_with(tmp_path, files, SITE + "max_entry_kb = 4096\n")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--content",
            str(content),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in PATHOLOGICAL:
        assert (tmp_path / "out" / "s" / name / "index.html").is_file()
