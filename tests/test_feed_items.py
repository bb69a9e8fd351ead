"""A story's feeds carry its newest `feed_items` entries (contract v1.1): 50 unless
site.toml says otherwise, 0 for every entry."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from dateline.build import build
from dateline.serve.rebuild import Rebuilder
from tests.conftest import SITE_TOML, STORY_INDEX, entry, run_cli

COUNT = 60


def long_story(content, setting: str = ""):
    files = {"s/_index.md": STORY_INDEX}
    for i in range(COUNT):  # e00 the oldest, e59 the newest
        files[f"s/e{i:02}.md"] = entry(
            f"Entry {i}", time=f"2022-03-{1 + i // 24:02} {i % 24:02}:00"
        )
    return content(files, SITE_TOML + setting)


def feed_titles(site: Path) -> tuple[list[str], list[str]]:
    atom = feedparser.parse((site / "s" / "feed.xml").read_bytes())
    assert not atom.bozo, atom.bozo_exception
    items = json.loads((site / "s" / "feed.json").read_text(encoding="utf-8"))["items"]
    return [e.title for e in atom.entries], [item["title"] for item in items]


@pytest.mark.parametrize(
    ("setting", "carried"), [("", 50), ("feed_items = 5\n", 5), ("feed_items = 0\n", COUNT)]
)
@pytest.mark.parametrize("workers", [1, 2])
def test_feeds_carry_the_newest_entries(
    content, tmp_path: Path, monkeypatch, setting: str, carried: int, workers: int
) -> None:
    import dateline.speed.parallel

    monkeypatch.setattr(dateline.speed.parallel, "PARALLEL_FROM", 1)  # workers share feeds
    build(long_story(content, setting), tmp_path / "site", jobs=workers)
    newest = [f"Entry {i}" for i in range(COUNT - 1, COUNT - 1 - carried, -1)]
    assert feed_titles(tmp_path / "site") == (newest, newest)


def test_an_old_entrys_edit_leaves_the_feeds_and_a_new_entry_changes_them(
    content, tmp_path: Path
) -> None:
    root = long_story(content, "feed_items = 5\n")
    rebuilder = Rebuilder(root, tmp_path / "live")
    assert rebuilder.build().ok
    rebuilder.output.take_fresh()
    old = root / "s" / "e03.md"
    old.write_text(entry("Entry 3, corrected", time="2022-03-01 03:00"))
    assert rebuilder.build({old}).ok
    written = rebuilder.output.take_fresh()
    assert "s/e03/index.html" in written
    assert not {"s/feed.xml", "s/feed.json"} & set(written)
    new = root / "s" / "e60.md"
    new.write_text(entry("Entry 60", time="2022-03-03 13:00"))
    assert rebuilder.build({new}).ok
    assert {"s/feed.xml", "s/feed.json"} <= set(rebuilder.output.take_fresh())
    titles = feed_titles(tmp_path / "live")
    assert titles[0] == ["Entry 60", "Entry 59", "Entry 58", "Entry 57", "Entry 56"]


@pytest.mark.parametrize("value", ["-1", '"five"', "2.5"])
def test_feed_items_must_be_a_whole_number(content, tmp_path: Path, value: str) -> None:
    root = long_story(content, f"feed_items = {value}\n")
    result = run_cli("--content", root, "--out", tmp_path / "site")
    assert result.code == 1
    assert (
        f"{root / 'site.toml'}:3: 'feed_items' must be a whole number, 0 (every entry) or more"
        in result.stderr
    )
