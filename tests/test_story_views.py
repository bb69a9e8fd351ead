"""A story's other readings: its key developments in full (`S/key/`) and every entry
from the first (`S/oldest/`), plain pages in the sitemap."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SITEMAP_NS, STORY_INDEX, entry, run_cli, sitemap_urls, soup

BASE = "https://example.org/live/"


def titles(page: Path) -> list[str]:
    return [h.get_text(strip=True) for h in soup(page).select("main article .entry-title")]


def test_key_developments_in_full_newest_first_linked_and_listed(sample_site: Path) -> None:
    story = sample_site / "ukraine-day-7"
    front = soup(story / "index.html")
    listed = [a.get_text(" ", strip=True) for a in front.select(".key-events li a")]
    link = front.select_one(".key-events .key-all a")
    assert link["href"] == "key/"
    page = story / "key" / "index.html"
    shown = titles(page)
    assert len(shown) == len(listed) >= 3
    assert [t in item for t, item in zip(shown, listed, strict=True)] == [True] * len(shown)
    articles = soup(page).select("main article")
    assert all(a.select_one(".entry-body").get_text(strip=True) for a in articles)  # in full
    assert all("entry-key" in a["class"] for a in articles)
    locs = [u.findtext(f"{SITEMAP_NS}loc") for u in sitemap_urls(sample_site)]
    assert BASE + "ukraine-day-7/key/" in locs and BASE + "ukraine-day-7/oldest/" in locs


def test_oldest_first_reads_the_story_as_it_happened(sample_site: Path) -> None:
    story = sample_site / "ukraine-day-7"
    newest_first = titles(story / "index.html")[-15:]  # the log (after pinned copies)
    assert titles(story / "oldest" / "index.html") == newest_first[::-1]
    assert soup(story / "index.html").select_one(".read-from-start a")["href"] == "oldest/"


def test_oldest_first_pages_are_numbered_from_the_first_and_keep_their_bytes(
    content, tmp_path: Path
) -> None:
    files = {"s/_index.md": STORY_INDEX}
    for i in range(5):
        files[f"s/e{i}.md"] = entry(f"Entry {i}", time=f"2022-03-02 1{i}:00")
    root = content(files, site_toml='title = "T"\nper_page = 2\n')
    out = tmp_path / "site"
    assert run_cli("--content", root, "--out", out).code == 0
    assert titles(out / "s" / "oldest" / "index.html") == ["Entry 0", "Entry 1"]
    assert titles(out / "s" / "oldest" / "page" / "2" / "index.html") == ["Entry 2", "Entry 3"]
    assert titles(out / "s" / "oldest" / "page" / "3" / "index.html") == ["Entry 4"]
    later = soup(out / "s" / "oldest" / "index.html").select_one(".pagination a[rel=next]")
    assert later["href"] == "page/2/" and "Later updates" in later.get_text()
    full = (out / "s" / "oldest" / "page" / "2" / "index.html").read_bytes()
    (root / "s" / "e5.md").write_text(entry("Entry 5", time="2022-03-02 16:00"))
    assert run_cli("--content", root, "--out", out).code == 0
    assert (out / "s" / "oldest" / "page" / "2" / "index.html").read_bytes() == full
    assert titles(out / "s" / "oldest" / "page" / "3" / "index.html") == ["Entry 4", "Entry 5"]


def test_a_v1_entry_named_key_keeps_its_permalink(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/key.md": entry("The key entry", extra="key: true\n"),
            "s/b.md": entry("Another", time="2022-03-02 11:00"),
        }
    )
    out = tmp_path / "site"
    result = run_cli("--content", root, "--out", out)
    assert result.code == 0, result.stderr
    assert "s/key.md:1: warning: 'key' is the address of the story's key-events page" in (
        result.stderr
    )
    assert soup(out / "s" / "key" / "index.html").find("h1").get_text() == "The key entry"
    assert soup(out / "s" / "index.html").select_one(".key-all") is None
    assert (out / "s" / "oldest" / "index.html").is_file()  # the other view stays
