"""The benchmark's floors do the work they stand for, so their times can be read as bounds.

`floor.py --contract` is the lowest a build keeping the content contract could take on
this stack; if it skipped an entry's feed item or timeline slot, the bound would be
too low and a target read against it would look reachable when it is not.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import feedparser
from bs4 import BeautifulSoup

from benchmarks.generate import generate
from tests.conftest import ROOT


def _floor(content: Path, out: Path, *flags: str) -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "floor.py"), str(content), str(out)]
    subprocess.run([*command, "2", *flags], check=True, cwd=ROOT, timeout=120)


def test_contract_floor_writes_every_entry_to_its_timeline_and_the_newest_to_its_feeds(
    tmp_path: Path,
) -> None:
    content = generate(tmp_path / "content", 90, stories=2)
    _floor(content, tmp_path / "out", "--contract")
    out = tmp_path / "out"
    for story in sorted(p for p in content.iterdir() if p.is_dir()):
        names = sorted(p.stem for p in story.glob("*.md") if p.name != "_index.md")
        pages = sorted(out.glob(f"{story.name}/page/*/index.html"))
        timeline = [out / story.name / "index.html", *pages]
        articles = [
            article
            for page in timeline
            for article in BeautifulSoup(page.read_text(), "html.parser").select("article")
        ]
        assert len(timeline) == -(-len(names) // 20)  # 20 entries a page
        shown = []
        for article in articles:
            href = article.select_one("h2 a")["href"]
            shown.append(href.rstrip("/").rsplit("/", 1)[-1])
            assert article.select_one("p") is not None  # with the entry's text
        assert sorted(shown) == names
        for page in timeline:  # each link leads to the entry's page
            for a in BeautifulSoup(page.read_text(), "html.parser").select("article h2 a"):
                assert (page.parent / a["href"] / "index.html").resolve().is_file()
        atom = feedparser.parse((out / story.name / "feed.xml").read_bytes())
        assert not atom.bozo
        feed = json.loads((out / story.name / "feed.json").read_text())
        for items, url, text in (
            (atom.entries, "link", lambda i: i.content[0].value),
            (feed["items"], "url", lambda i: i["content_html"]),
        ):
            slugs = [item[url].rstrip("/").rsplit("/", 1)[-1] for item in items]
            # The newest 50 (contract v1.1's default feed_items), newest first, each once.
            assert slugs == sorted(names, reverse=True)[:50]
            assert all("<p>" in text(item) for item in items)  # with the entry's text


def test_bare_floor_writes_only_entry_pages(tmp_path: Path) -> None:
    content = generate(tmp_path / "content", 40, stories=2)
    _floor(content, tmp_path / "out")
    written = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.*"))
    entries = sorted(
        p.relative_to(content).with_suffix("") / "index.html"
        for p in content.glob("*/*.md")
        if p.name != "_index.md"
    )
    assert written == entries
