"""Summaries: an entry with `summary: true` (dateline's growth of the contract) is a
"What you need to know" block at the top of the front page while it is the newest
summary, and is marked as one in the feeds and structured data."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser

from tests.conftest import STORY_INDEX, entry, run_cli, soup


def test_the_newest_summary_heads_the_front_page_and_is_marked(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/old.md": entry("Day one in brief", time="2022-03-01 22:00", extra="summary: true\n"),
            "s/new.md": entry("Day two in brief", time="2022-03-02 22:00", extra="summary: true\n"),
            "s/late.md": entry("A later update", time="2022-03-02 23:00"),
        }
    )
    out = tmp_path / "site"
    result = run_cli("--content", root, "--out", out)
    assert result.code == 0, result.stderr
    front = soup(out / "s" / "index.html")
    block = front.select_one("section.summary")
    assert block.h2.get_text() == "What you need to know"
    assert [h.get_text() for h in block.select(".entry-title")] == ["Day two in brief"]
    assert block.select_one("time")["datetime"].startswith("2022-03-02T22:00")
    # Above the timeline, which still shows every entry in its place.
    main = front.find("main")
    assert main.find("section", class_="summary") is main.find("section")
    log = [h.get_text() for h in front.select("[role=log] .entry-title")]
    assert log == ["A later update", "Day two in brief", "Day one in brief"]
    badges = front.select("[role=log] .badge-summary")
    assert len(badges) == 2
    atom = feedparser.parse((out / "s" / "feed.xml").read_bytes())
    marked = {e.title for e in atom.entries if any(t.term == "summary" for t in e.get("tags", []))}
    assert marked == {"Day one in brief", "Day two in brief"}
    feed = json.loads((out / "s" / "feed.json").read_text())
    assert {i["title"] for i in feed["items"] if i["_dateline"]["summary"]} == marked
    page = soup(out / "s" / "new" / "index.html")
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["articleSection"] == "What you need to know"
    blog = json.loads(front.find("script", type="application/ld+json").string)
    sections = {u["headline"]: u.get("articleSection") for u in blog["liveBlogUpdate"]}
    assert sections["Day two in brief"] == "What you need to know"
    assert sections["A later update"] is None


def test_no_summary_no_block(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry("Alpha")})
    assert run_cli("--content", root, "--out", tmp_path / "site").code == 0
    assert soup(tmp_path / "site" / "s" / "index.html").select_one("section.summary") is None


def test_summary_must_be_true_or_false(content, tmp_path: Path) -> None:
    root = content(
        {"s/_index.md": STORY_INDEX, "s/a.md": entry("Alpha", extra="summary: yes please\n")}
    )
    result = run_cli("--content", root, "--out", tmp_path / "site")
    assert result.code == 1 and "'summary' must be true or false" in result.stderr
