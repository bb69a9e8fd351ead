"""The sample site, built by the real command line, read back as HTML, JSON and Atom."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import jsonschema

from tests.conftest import ROOT, load_json, soup

STORY = "ukraine-day-7"
ATOM = "{http://www.w3.org/2005/Atom}"


def entry_files() -> list[Path]:
    return sorted(p for p in (ROOT / "content" / STORY).glob("*.md") if p.name != "_index.md")


def published_slugs() -> list[str]:
    return [p.stem for p in entry_files() if "draft: true" not in p.read_text()]


def test_layout(sample_site: Path) -> None:
    for path in [
        "index.html",
        "404.html",
        "static/style.css",
        f"{STORY}/index.html",
        f"{STORY}/feed.xml",
        f"{STORY}/feed.json",
        f"{STORY}/figures.json",
        f"{STORY}/kharkiv-smoke.png",
        "riverside-by-election/index.html",
    ]:
        assert (sample_site / path).is_file(), path
    for slug in published_slugs():
        assert (sample_site / STORY / slug / "index.html").is_file(), slug
    # Media is copied byte for byte.
    assert (sample_site / STORY / "kharkiv-smoke.png").read_bytes() == (
        ROOT / "content" / STORY / "kharkiv-smoke.png"
    ).read_bytes()


def test_drafts_left_out(sample_site: Path) -> None:
    assert not (sample_site / STORY / "2230-draft-next-day").exists()
    page = soup(sample_site / STORY / "index.html")
    assert "Draft: overnight developments" not in page.get_text()


def test_timeline_newest_first_under_day_headings(sample_site: Path) -> None:
    page = soup(sample_site / STORY / "index.html")
    log = page.find(attrs={"role": "log"})
    articles = log.find_all("article")
    times = [datetime.fromisoformat(a.find("time")["datetime"]) for a in articles]
    assert times == sorted(times, reverse=True)
    assert len(articles) == len(published_slugs())
    days = [h.get_text(strip=True) for h in log.find_all("h2", class_="day-heading")]
    assert days == ["Wednesday 2 March 2022"]
    # Every time is shown in the story's zone with its abbreviation and exact datetime.
    first = articles[0].find("time")
    assert first.get_text() == "22:00 EET"
    assert first["datetime"] == "2022-03-02T22:00:00+02:00"


def test_one_h1_standfirst_and_status(sample_site: Path) -> None:
    page = soup(sample_site / STORY / "index.html")
    assert [h.get_text(strip=True) for h in page.find_all("h1")] == [
        "Russia-Ukraine war: Kharkiv shelled as Moscow admits first losses"
    ]
    assert (
        "Russian forces pounded Ukraine's second city" in page.find(class_="standfirst").get_text()
    )
    assert page.find(class_="story-status").get_text(strip=True) == "Coverage ended"
    assert page.html["lang"] == "en-GB"


def test_pinned_entry_is_on_top(sample_site: Path) -> None:
    page = soup(sample_site / STORY / "index.html")
    pinned = page.find("section", class_="pinned")
    timeline = page.find(attrs={"role": "log"})
    assert pinned is not None and pinned.sourceline < timeline.sourceline
    assert [h.get_text(strip=True) for h in pinned.find_all(class_="entry-title")] == [
        "What we know on day seven"
    ]


def test_latest_developments_link_to_key_entries(sample_site: Path) -> None:
    page = soup(sample_site / STORY / "index.html")
    links = page.find("nav", class_="key-events").select("li a")
    key_titles = []
    for path in reversed(entry_files()):
        text = path.read_text()
        if "key: true" in text and "draft: true" not in text:
            key_titles.append(re.search(r"^title: \"?(.*?)\"?$", text, re.M).group(1))
    assert [a.get_text(" ", strip=True).split(" ", 2)[2] for a in links] == key_titles
    ids = {tag["id"] for tag in page.find_all(id=True)}
    for a in links:
        assert a["href"].startswith("#") and a["href"][1:] in ids


def test_entry_details(sample_site: Path) -> None:
    page = soup(sample_site / STORY / "index.html")
    peace = page.find(id="entry-2050-peace-talks")
    assert peace.find(class_="entry-updated").get_text(" ", strip=True) == "Updated 21:40 EET"
    assert [li.get_text() for li in peace.find_all("li")] == ["peace-talks"]
    johnson = page.find(id="entry-1425-johnson-war-crime")
    assert "They were made in the House of Commons." in johnson.find(class_="correction").get_text()
    assert johnson.find(class_="entry-byline").get_text(" ", strip=True) == "By Live desk · London"
    assert "Key development" in johnson.get_text()
    # `updated` earlier than or equal to `time` is not shown
    assert page.find(id="entry-1930-navalny").find(class_="entry-updated") is None


def test_photo_caption_credit_and_alt(sample_site: Path) -> None:
    for path in [
        sample_site / STORY / "index.html",
        sample_site / STORY / "0715-kharkiv-shelling" / "index.html",
    ]:
        figure = soup(path).find("figure", class_="photo")
        img = figure.find("img")
        assert img["alt"] == "Smoke rising above rooftops in a city"
        assert figure.find(class_="credit").get_text() == "Illustration: DATELINE/Sample"
        assert "Illustration of smoke over a city skyline." in figure.figcaption.get_text()
        # The image resolves from the page it is on.
        assert (path.parent / img["src"]).resolve() == (
            sample_site / STORY / "kharkiv-smoke.png"
        ).resolve()


def test_figure_boxes_are_accessible_tables(sample_site: Path) -> None:
    page = soup(sample_site / STORY / "index.html")
    entry = page.find(id="entry-1745-russia-admits-losses")
    boxes = entry.find_all("figure", class_="figure-box")
    assert len(boxes) == 2
    table = boxes[0].find("table")
    assert "Russian troops killed" in table.caption.get_text()
    assert [th["scope"] for th in table.thead.find_all("th")] == ["col"] * 4
    rows = table.tbody.find_all("tr")
    cells = [[c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])] for row in rows]
    # Who each source is, from the figures registry, in words, with its name.
    assert cells == [
        [
            "Russian Ministry of Defence Government; speaks for Russia, a party to the conflict",
            "498",
            "2 Mar 2022",
            "Not independently verified",
        ],
        [
            "Adviser to Ukraine's president Government; speaks for Ukraine, a party to the conflict",
            "more than 7,000",
            "2 Mar 2022",
            "Not independently verified",
        ],
    ]
    assert all(row.th["scope"] == "row" for row in rows)
    assert (
        boxes[0].select_one(".figure-box-note span").get_text(strip=True)
        == "Neither figure has been independently verified."
    )
    # A verified claim says so; a disputed one still says it is not verified.
    turnout = soup(sample_site / "riverside-by-election" / "index.html").find(
        "figure", class_="figure-box"
    )
    statuses = [td.get_text(strip=True) for td in turnout.find_all("td", class_="claim-status")]
    assert statuses == ["Verified", "Not independently verified"]
    disputed = page.find(id="entry-1805-russian-claims-ukrainian-losses").find(
        "td", class_="claim-status"
    )
    assert disputed.get_text(strip=True) == "Disputed, not independently verified"


def test_entry_permalink_pages(sample_site: Path) -> None:
    page = soup(sample_site / STORY / "1745-russia-admits-losses" / "index.html")
    assert [h.get_text(strip=True) for h in page.find_all("h1")] == [
        "Russia admits its first losses; Ukraine says the real toll is far higher"
    ]
    assert (
        page.find("link", rel="canonical")["href"]
        == f"https://example.org/live/{STORY}/1745-russia-admits-losses/"
    )
    assert len(page.find_all("figure", class_="figure-box")) == 2
    back = page.find("nav", class_="breadcrumb").a["href"]
    assert back == "../#entry-1745-russia-admits-losses"
    stylesheet, _, version = page.find("link", rel="stylesheet")["href"].partition("?v=")
    assert (sample_site / STORY / "1745-russia-admits-losses" / stylesheet).resolve() == (
        sample_site / "static" / "style.css"
    ).resolve()
    assert re.fullmatch(r"[0-9a-f]{10}", version)


def test_site_index_lists_stories(sample_site: Path) -> None:
    page = soup(sample_site / "index.html")
    links = [(a.get_text(strip=True), a["href"]) for a in page.select(".story-list h2 a")]
    # Most recently updated first.
    assert links == [
        ("Riverside by-election: the count (sample story)", "riverside-by-election/"),
        ("Russia-Ukraine war: a million people have fled, the UN says", "ukraine-day-8/"),
        ("Russia-Ukraine war: Kharkiv shelled as Moscow admits first losses", f"{STORY}/"),
    ]


def test_figures_json_matches_contract(sample_site: Path) -> None:
    data = load_json(sample_site / STORY / "figures.json")
    assert data["story"] == STORY
    metrics = {m["slug"]: m for m in data["metrics"]}
    killed = metrics["russian-troops-killed"]
    assert (killed["name"], killed["unit"], killed["description"]) == (
        "Russian troops killed",
        "troops",
        None,
    )
    assert killed["claims"][0] == {
        "source": "Russian Ministry of Defence",
        "source_url": None,
        "source_kind": "government",  # from content/figures.toml (contract v1.1)
        "source_party": "Russia",
        "qualifier": None,
        "value": 498,
        "low": 498,
        "high": 498,
        "unit": None,
        "as_of": "2022-03-02",
        "status": "unverified",
        "entry": f"https://example.org/live/{STORY}/1745-russia-admits-losses/",
        "text": "498",
    }
    assert killed["claims"][1]["qualifier"] == "more than"
    assert (killed["claims"][1]["low"], killed["claims"][1]["high"]) == (7000, None)
    wounded = metrics["ukrainian-soldiers-wounded"]["claims"][0]
    assert (wounded["qualifier"], wounded["low"], wounded["high"], wounded["status"]) == (
        "about",
        3700,
        3700,
        "disputed",
    )
    assert metrics["russian-troops-wounded"]["claims"][0]["value"] == 1597
    # One metric across two entries, oldest report first, each linking its entry.
    fled = metrics["people-who-fled-ukraine"]["claims"]
    assert [(c["text"], c["as_of"]) for c in fled] == [
        ("about 660,000", "2022-03-01"),
        ("at least 800,000 people", "2022-03-02T15:40:00+02:00"),
    ]
    assert fled[1]["unit"] == "people"
    assert fled[0]["source_url"] == "https://data.unhcr.org/en/situations/ukraine"
    feed_urls = {item["url"] for item in load_json(sample_site / STORY / "feed.json")["items"]}
    for metric in data["metrics"]:
        for claim in metric["claims"]:
            assert claim["entry"] in feed_urls
    turnout = load_json(sample_site / "riverside-by-election" / "figures.json")["metrics"][0][
        "claims"
    ][0]
    assert (turnout["value"], turnout["unit"], turnout["as_of"], turnout["status"]) == (
        41.2,
        "%",
        "2024-05-02T23:30:00+01:00",
        "verified",
    )


JSON_FEED_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string"},
                    "url": {"type": "string"},
                    "title": {"type": "string"},
                    "content_html": {"type": "string"},
                    "date_published": {"type": "string"},
                    "date_modified": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "image": {"type": "string", "format": "uri"},
                    "authors": {"type": "array", "items": {"type": "object", "required": ["name"]}},
                },
            },
        },
    },
}


def test_json_feed(sample_site: Path) -> None:
    feed = load_json(sample_site / STORY / "feed.json")
    jsonschema.validate(feed, JSON_FEED_SCHEMA)
    assert feed["feed_url"] == f"https://example.org/live/{STORY}/feed.json"
    items = feed["items"]
    assert len(items) == len(published_slugs())
    published = [datetime.fromisoformat(i["date_published"]) for i in items]
    assert published == sorted(published, reverse=True)
    assert all(
        i["id"] == i["url"] and i["url"].startswith("https://example.org/live/") for i in items
    )
    kharkiv = next(i for i in items if i["url"].endswith("/0715-kharkiv-shelling/"))
    assert kharkiv["date_published"] == "2022-03-02T07:15:00+02:00"
    assert kharkiv["date_modified"] == "2022-03-02T09:05:00+02:00"
    # Relative links in bodies become absolute in feeds.
    assert f'src="https://example.org/live/{STORY}/kharkiv-smoke.png"' in kharkiv["content_html"]
    # An entry's picture is its item's image, which feed readers show with it.
    assert kharkiv["image"] == f"https://example.org/live/{STORY}/kharkiv-smoke.png"
    assert [i["url"] for i in items if "image" in i] == [kharkiv["url"]]


def test_atom_feed(sample_site: Path) -> None:
    raw = (sample_site / STORY / "feed.xml").read_bytes()
    root = ElementTree.fromstring(raw)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(published_slugs())
    for element in entries:
        for required in ("id", "title", "updated", "link", "published", "content"):
            assert element.find(f"{ATOM}{required}") is not None, required
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Russia-Ukraine war: Kharkiv shelled as Moscow admits first losses"
    links = [e.link for e in parsed.entries]
    json_urls = [i["url"] for i in load_json(sample_site / STORY / "feed.json")["items"]]
    assert links == json_urls  # same items, same order (newest first)
    assert parsed.entries[0].published == "2022-03-02T22:00:00+02:00"
