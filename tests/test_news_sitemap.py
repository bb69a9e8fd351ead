"""The Google News sitemap, read back against Google Search Central's rules: the
articles of the last two days (counted from the newest entry, not the clock), each with
its publication, language, date and title, named in robots.txt and the sitemap index."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

from tests.conftest import STORY_INDEX, run_cli

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
BASE = "https://example.org/live/"


def read_news(site: Path) -> list[dict[str, str]]:
    """Each <url> of news-sitemap.xml, checked against Google's format as it is read."""
    root = ElementTree.parse(site / "news-sitemap.xml").getroot()
    assert root.tag == f"{SM}urlset"
    urls = root.findall(f"{SM}url")
    assert 0 < len(urls) <= 1000  # Google: at most 1,000 news:news tags
    found = []
    for url in urls:
        (news,) = url.findall(f"{NEWS}news")  # exactly one per URL
        (publication,) = news.findall(f"{NEWS}publication")
        item = {
            "loc": url.findtext(f"{SM}loc"),
            "name": publication.findtext(f"{NEWS}name"),
            "language": publication.findtext(f"{NEWS}language"),
            "date": news.findtext(f"{NEWS}publication_date"),
            "title": news.findtext(f"{NEWS}title"),
        }
        assert all(item.values()), item
        # ISO 639 codes, with Google's two exceptions for Chinese.
        assert re.fullmatch(r"[a-z]{2,3}|zh-cn|zh-tw", item["language"])
        # W3C datetime with a time zone (Google's "complete date plus hours and minutes").
        assert datetime.fromisoformat(item["date"]).tzinfo is not None
        found.append(item)
    locs = [item["loc"] for item in found]
    assert len(set(locs)) == len(locs)
    return found


def test_the_sample_sites_news_sitemap_follows_googles_rules(sample_site: Path) -> None:
    items = read_news(sample_site)
    dates = [datetime.fromisoformat(i["date"]) for i in items]
    assert dates == sorted(dates, reverse=True)
    newest = dates[0]
    # Every entry of the site's pages published within two days of the newest, and only those.
    expected = set()
    for page in sample_site.glob("*/*/index.html"):
        html = page.read_text(encoding="utf-8")
        if '"@type": "NewsArticle"' not in html:
            continue
        published = re.search(r'"datePublished": "([^"]+)"', html).group(1)  # type: ignore[union-attr]
        if datetime.fromisoformat(published) >= newest - timedelta(days=2):
            expected.add(BASE + page.parent.relative_to(sample_site).as_posix() + "/")
    assert {i["loc"] for i in items} == expected
    assert all(i["name"] == "Dateline sample newsroom" and i["language"] == "en" for i in items)
    for item in items:
        page = sample_site / item["loc"][len(BASE) :] / "index.html"
        assert '<h1 class="entry-title"' in page.read_text() and item["title"] in page.read_text()
    robots = (sample_site / "robots.txt").read_text().splitlines()
    assert f"Sitemap: {BASE}news-sitemap.xml" in robots
    index = ElementTree.parse(sample_site / "sitemap.xml").getroot()
    assert index.tag == f"{SM}sitemapindex"
    assert BASE + "news-sitemap.xml" in [e.text for e in index.iter(f"{SM}loc")]


def _entry(time: str, title: str, extra: str = "") -> str:
    return f"---\ntime: {time}\ntitle: {title}\n{extra}---\nText.\n"


def test_two_days_are_counted_from_the_newest_entry_and_drafts_stay_out(
    content, tmp_path: Path
) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/new.md": _entry("2022-03-05 12:00", "Newest & <latest>"),
            "s/day.md": _entry("2022-03-04 12:00", "A day before"),
            "s/edge.md": _entry("2022-03-03 12:00", "Two days before, to the minute"),
            "s/old.md": _entry("2022-03-03 11:59", "Older than two days"),
            "s/draft.md": _entry("2022-03-05 11:00", "A draft", "draft: true\n"),
            "t/_index.md": STORY_INDEX.replace("Test story", "Other story"),
            "t/other.md": _entry("2022-03-04 18:00", "In another story"),
        }
    )
    for drafts in ((), ("--drafts",)):
        out = tmp_path / f"site{len(drafts)}"
        assert run_cli("--content", root, "--out", out, *drafts).code == 0
        titles = [i["title"] for i in read_news(out)]
        assert titles == [
            "Newest & <latest>",
            "In another story",
            "A day before",
            "Two days before, to the minute",
        ]
    # Years after the entries, by the build's clock: the window is the content's.
    assert "news:news" in (tmp_path / "site0" / "news-sitemap.xml").read_text()


def test_no_base_url_no_news_sitemap(content, tmp_path: Path) -> None:
    root = content(
        {"s/_index.md": STORY_INDEX, "s/a.md": _entry("2022-03-05 12:00", "A")},
        site_toml='title = "T"\n',
    )
    assert run_cli("--content", root, "--out", tmp_path / "site").code == 0
    assert not (tmp_path / "site" / "news-sitemap.xml").exists()
    assert "news" not in (tmp_path / "site" / "robots.txt").read_text()
