"""The search index a build writes: Pagefind's bundle of every entry page, kept as it was
while no entry page changes, made again when one does, off with `search = false`.
(What a reader's search finds is tested in a browser: tests/browser/test_search.py.)"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from dateline.serve.rebuild import Rebuilder
from tests.conftest import SITE_TOML, STORY_INDEX, run_cli, soup

BUNDLE = Path("search/pagefind")


def _entry(title: str, body: str = "Text.", time: str = "2022-03-02 10:00") -> str:
    return f"---\ntime: {time}\ntitle: {title}\n---\n{body}\n"


def indexed(site: Path) -> dict[str, str]:
    """What the bundle holds: each result's address and its text (Pagefind's fragments
    are gzip, a signature, then JSON)."""
    found = {}
    for fragment in (site / BUNDLE / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        record = json.loads(data[len(b"pagefind_dcd") :])
        found[record["url"]] = record["content"]
    return found


def stamps(site: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (site / BUNDLE).rglob("*")
        if p.is_file()
    }


def test_every_entry_page_is_one_result_and_nothing_else(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": _entry("Alpha", "Mariupol shelled."),
            "s/b.md": _entry("Beta", "```figures Refugees\nUNHCR: 1,000,000\n```"),
        }
    )
    out = tmp_path / "site"
    assert run_cli("--content", root, "--out", out).code == 0
    found = indexed(out)
    assert set(found) == {"/s/a/", "/s/b/"}
    assert "Mariupol shelled" in found["/s/a/"]
    assert "UNHCR" in found["/s/b/"] and "Refugees" in found["/s/b/"]
    entry = json.loads((out / BUNDLE / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 2
    # Only what the search page uses: no ready-made interfaces, no playground.
    assert not list((out / BUNDLE).glob("*-ui.*")) and not (out / BUNDLE / "playground").exists()
    page = soup(out / "search" / "index.html")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert "search/" not in (out / "sitemap-1.xml").read_text()


def test_a_rebuild_indexes_again_only_when_an_entry_page_changed(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": _entry("Alpha"), "s/b.md": _entry("B")})
    out = tmp_path / "site"
    assert run_cli("--content", root, "--out", out).code == 0
    first = stamps(out)
    # Nothing changed, then only what no entry page shows (the story's summary).
    assert run_cli("--content", root, "--out", out).code == 0
    assert stamps(out) == first
    (root / "s" / "_index.md").write_text(STORY_INDEX.replace("---\nThe", "summary: New\n---\nThe"))
    assert run_cli("--content", root, "--out", out).code == 0
    assert stamps(out) == first
    # An entry's text: indexed again; pieces of unchanged entries keep their files.
    (root / "s" / "a.md").write_text(_entry("Alpha", "Zaporizhzhia power plant."))
    assert run_cli("--content", root, "--out", out).code == 0
    assert "Zaporizhzhia power plant" in indexed(out)["/s/a/"]
    after = stamps(out)
    assert after != first
    assert {p for p in after if p in first and after[p] == first[p] and "fragment/" in p}


def test_the_dev_servers_rebuild_indexes_the_edit(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": _entry("Alpha")})
    rebuilder = Rebuilder(root.resolve(), tmp_path / "live")
    assert rebuilder.build().ok
    served = tmp_path / "live"
    first = stamps(served)
    assert rebuilder.build({root / "s" / "a.md"}).ok  # saved unchanged
    assert stamps(served) == first
    (root / "s" / "a.md").write_text(_entry("Alpha", "Kherson retaken."))
    assert rebuilder.build({root / "s" / "a.md"}).ok
    assert "Kherson retaken" in indexed(served)["/s/a/"]
    (root / "s" / "b.md").write_text(_entry("Beta", "Odesa port."))
    assert rebuilder.build({root / "s" / "b.md"}).ok
    assert set(indexed(served)) == {"/s/a/", "/s/b/"}
    # No file of an earlier index is left behind.
    bundle_files = {p.name for p in (served / BUNDLE / "fragment").iterdir()}
    assert len(bundle_files) == 2


def test_search_false_turns_it_off(content, tmp_path: Path) -> None:
    root = content(
        {"s/_index.md": STORY_INDEX, "s/a.md": _entry("Alpha")},
        site_toml=SITE_TOML + "search = false\n",
    )
    out = tmp_path / "site"
    assert run_cli("--content", root, "--out", out).code == 0
    assert not (out / "search").exists()
    for page in out.rglob("*.html"):
        text = page.read_text()
        assert "data-pagefind" not in text and "data-search" not in text, page


def test_a_v1_story_named_search_keeps_its_address(content, tmp_path: Path) -> None:
    root = content({"search/_index.md": STORY_INDEX, "search/a.md": _entry("Alpha")})
    out = tmp_path / "site"
    result = run_cli("--content", root, "--out", out)
    assert result.code == 0, result.stderr
    assert (
        "search/_index.md:1: warning: the story folder 'search' takes the search page's "
        "address, so the site has no search" in result.stderr
    )
    assert soup(out / "search" / "index.html").find("h1").get_text(strip=True) == "Test story"
    assert not (out / BUNDLE).exists()
    assert run_cli("--content", root, "--out", tmp_path / "strict", "--strict").code == 1


def test_when_pagefind_cannot_run_the_build_says_so_and_publishes_nothing(
    content, tmp_path: Path
) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": _entry("Alpha")})
    out = tmp_path / "site"
    assert run_cli("--content", root, "--out", out).code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (root / "s" / "a.md").write_text(_entry("Alpha", "Changed."))
    os.environ["PAGEFIND_BINARY_PATH"] = str(tmp_path / "no-such-pagefind")
    try:
        result = run_cli("--content", root, "--out", out)
    finally:
        del os.environ["PAGEFIND_BINARY_PATH"]
    assert result.code == 2
    assert "site search: Pagefind could not index the pages" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_site_with_no_entries_yet_builds_and_indexes_its_first(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX})
    out = tmp_path / "site"
    result = run_cli("--content", root, "--out", out)
    assert result.code == 0, result.stderr
    assert (out / "search" / "index.html").is_file() and not (out / BUNDLE).exists()
    (root / "s" / "a.md").write_text(_entry("Alpha", "First light over Kyiv."))
    assert run_cli("--content", root, "--out", out).code == 0
    assert "First light over Kyiv" in indexed(out)["/s/a/"]


def test_a_newer_save_stops_the_dev_servers_indexing_and_the_next_build_does_it(
    content, tmp_path: Path, monkeypatch
) -> None:
    """Indexing a long story takes seconds: a save meanwhile stops it (the served bundle
    stays the last one), and the build with that save indexes both."""
    import dateline.write.search as search

    root = content({"s/_index.md": STORY_INDEX, "s/a.md": _entry("Alpha")})
    rebuilder = Rebuilder(root.resolve(), tmp_path / "live")
    assert rebuilder.build().ok
    served = tmp_path / "live"
    first = stamps(served)
    newer = {"saved": False}
    gather = search._gather

    def gathered_then_saved(*args):  # type: ignore[no-untyped-def]
        gather(*args)
        newer["saved"] = True  # the editor saves again while Pagefind runs

    monkeypatch.setattr(search, "_gather", gathered_then_saved)
    (root / "s" / "a.md").write_text(_entry("Alpha", "Lviv sirens."))
    result = rebuilder.build({root / "s" / "a.md"}, interrupted=lambda: newer["saved"])
    assert result.ok and "Lviv sirens" in (served / "s" / "a" / "index.html").read_text()
    assert stamps(served) == first  # the last bundle, whole
    newer["saved"] = False
    (root / "s" / "b.md").write_text(_entry("Beta", "Dnipro bridge."))
    assert rebuilder.build({root / "s" / "b.md"}).ok
    found = indexed(served)
    assert "Lviv sirens" in found["/s/a/"] and "Dnipro bridge" in found["/s/b/"]
