"""Bylines: `author` is one name or (dateline's growth of the contract) a list of them;
each name is its own author in structured data and in both feeds."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser

from tests.conftest import STORY_INDEX, run_cli, soup


def _entry(author: str) -> str:
    return f"---\ntime: 2022-03-02 10:00\ntitle: Alpha\nauthor: {author}\n---\nText.\n"


def _build(content, tmp_path: Path, author: str):  # type: ignore[no-untyped-def]
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": _entry(author)})
    out = tmp_path / "site"
    return run_cli("--content", root, "--out", out), out


def test_several_authors_are_each_named(content, tmp_path: Path) -> None:
    result, out = _build(content, tmp_path, "[Olena Kovalenko, Mark Ellis]")
    assert result.code == 0, result.stderr
    page = soup(out / "s" / "a" / "index.html")
    assert page.select_one(".entry-byline .author").get_text() == "Olena Kovalenko, Mark Ellis"
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert [a["name"] for a in data["author"]] == ["Olena Kovalenko", "Mark Ellis"]
    atom = feedparser.parse((out / "s" / "feed.xml").read_bytes())
    assert [a["name"] for a in atom.entries[0].authors] == ["Olena Kovalenko", "Mark Ellis"]
    feed = json.loads((out / "s" / "feed.json").read_text())
    assert feed["items"][0]["authors"] == [{"name": "Olena Kovalenko"}, {"name": "Mark Ellis"}]


def test_one_name_reads_as_before(content, tmp_path: Path) -> None:
    result, out = _build(content, tmp_path, "Live desk")
    assert result.code == 0, result.stderr
    assert soup(out / "s" / "a" / "index.html").select_one(".author").get_text() == "Live desk"
    feed = json.loads((out / "s" / "feed.json").read_text())
    assert feed["items"][0]["authors"] == [{"name": "Live desk"}]


def test_an_empty_name_in_the_list_is_an_error_at_its_line(content, tmp_path: Path) -> None:
    result, out = _build(content, tmp_path, "\n  - Olena Kovalenko\n  - ''")
    assert result.code == 1
    assert "s/a.md:6: each item of 'author' must be a word or phrase" in result.stderr
    assert not out.exists()
