"""Reader pages on real output: figure trackers, change notes, pagination, tags."""

from __future__ import annotations

from pathlib import Path

import pytest

import dateline.plan.pages
import dateline.render.chart
from dateline.build import build
from tests.conftest import (
    SITE_TOML,
    SITEMAP_NS,
    STORY_INDEX,
    entry,
    load_json,
    png,
    run_cli,
    sitemap_urls,
    soup,
    write_tree,
)

STORY = "ukraine-day-7"


def points(svg) -> dict[str, list[tuple[float, float]]]:
    return {
        g["data-source"]: [(float(p["data-x"]), float(p["data-y"])) for p in g.select("g.point")]
        for g in svg.select("g.series")
    }


def test_every_metric_has_a_tracker_linked_from_box_and_story(sample_site: Path) -> None:
    metrics = load_json(sample_site / STORY / "figures.json")["metrics"]
    story = soup(sample_site / STORY / "index.html")
    numbers = [a["href"] for a in story.select("nav.numbers a")]
    assert numbers == [f"figures/{m['slug']}/" for m in metrics]
    for metric in metrics:
        page = soup(sample_site / STORY / "figures" / metric["slug"] / "index.html")
        assert page.h1.get_text() == metric["name"]
        rows = page.select("table.tracker-table tbody tr")
        assert [r.find_all("td")[0].get_text() for r in rows] == [
            c["text"] for c in metric["claims"]
        ]
        sources = list(dict.fromkeys(c["source"] for c in metric["claims"]))
        assert list(points(page.find("svg", class_="chart"))) == sources
    for link in story.select("a.figure-box-track"):
        assert (sample_site / STORY / link["href"] / "index.html").is_file()


def test_tracker_chart_series_in_time_order(sample_site: Path) -> None:
    fled = soup(sample_site / STORY / "figures" / "people-who-fled-ukraine" / "index.html")
    series = points(fled.find("svg", class_="chart"))
    (un,) = series.values()
    assert len(un) == 2
    assert un[0][0] < un[1][0]  # 1 March before 2 March
    assert un[0][1] > un[1][1]  # 660,000 is lower on the chart than 800,000 (SVG y grows down)
    # "at least 800,000" is open-ended upwards; "about 660,000" is not.
    point_tags = fled.select("g.series g.point")
    assert [bool(p.select("path.open-bound")) for p in point_tags] == [False, True]
    path = fled.select_one("g.series path.series-line")["d"]
    assert path.startswith(f"M{un[0][0]:.1f},{un[0][1]:.1f} L{un[1][0]:.1f},{un[1][1]:.1f}")
    killed = points(
        soup(sample_site / STORY / "figures" / "russian-troops-killed" / "index.html").find(
            "svg", class_="chart"
        )
    )
    assert list(killed) == ["Russian Ministry of Defence", "Adviser to Ukraine's president"]
    assert (
        killed["Russian Ministry of Defence"][0][1] > killed["Adviser to Ukraine's president"][0][1]
    )


def test_box_says_how_a_claim_changed(sample_site: Path) -> None:
    page = soup(sample_site / STORY / "index.html")
    later = page.find(id="entry-1540-un-800000").select_one(".claim-change")
    assert later.get_text() == "up from about 660,000 on 1 March"
    assert page.find(id="entry-0810-un-refugees-earlier").select_one(".claim-change") is None


def test_tag_pages(sample_site: Path) -> None:
    page = soup(sample_site / STORY / "tags" / "kharkiv" / "index.html")
    assert page.h1.get_text() == "Updates on “kharkiv”"
    links = [a["href"] for a in page.select("ol.entry-list a")]
    assert links == ["../../#entry-0920-kharkiv-planes", "../../#entry-0715-kharkiv-shelling"]
    entry_tag = soup(sample_site / STORY / "0715-kharkiv-shelling" / "index.html").select_one(
        ".tags a"
    )
    assert entry_tag["href"] == "../tags/kharkiv/"


def long_story(root: Path, count: int, per_page: int = 3) -> Path:
    (root / "s").mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(
        f'title = "T"\nbase_url = "https://example.org/"\nper_page = {per_page}\n'
    )
    (root / "s" / "_index.md").write_text("---\ntitle: Long story\n---\n")
    for i in range(count):
        key = "key: true\n" if i == 0 else ""
        (root / "s" / f"e{i:02d}.md").write_text(
            f"---\ntime: 2022-03-0{1 + i // 4} {10 + i % 4}:00\ntitle: Entry {i}\ntags: [t{i % 2}]\n{key}---\nBody {i}.\n"
        )
    return root


def titles(path: Path) -> list[str]:
    return [h.get_text() for h in soup(path).select("[role=log] .entry-title")]


def test_pagination_is_stable_as_the_story_grows(tmp_path: Path) -> None:
    content = long_story(tmp_path / "content", 8)
    out = tmp_path / "site"
    build(content, out)
    assert titles(out / "s" / "index.html") == ["Entry 7", "Entry 6", "Entry 5"]
    assert titles(out / "s" / "page" / "1" / "index.html") == ["Entry 2", "Entry 1", "Entry 0"]
    assert titles(out / "s" / "page" / "2" / "index.html") == ["Entry 4", "Entry 3"]
    assert not (out / "s" / "page" / "3").exists()
    front = soup(out / "s" / "index.html")
    assert front.select_one("nav.pagination a[rel=next]")["href"] == "page/2/"
    page2 = soup(out / "s" / "page" / "2" / "index.html")
    assert page2.select_one("nav.pagination a[rel=prev]")["href"] == "../../"
    assert page2.select_one("nav.pagination a[rel=next]")["href"] == "../1/"
    # A key entry that left the front page is linked where it now lives.
    assert front.select_one("nav.key-events a")["href"] == "page/1/#entry-e00"
    assert (
        soup(out / "s" / "e00" / "index.html").select_one(".breadcrumb a")["href"]
        == "../page/1/#entry-e00"
    )
    page1 = (out / "s" / "page" / "1" / "index.html").read_bytes()

    (content / "s" / "e08.md").write_text(
        "---\ntime: 2022-03-03 12:00\ntitle: Entry 8\n---\nNew.\n"
    )
    build(content, out)
    assert titles(out / "s" / "index.html") == ["Entry 8", "Entry 7", "Entry 6"]
    assert titles(out / "s" / "page" / "2" / "index.html") == ["Entry 5", "Entry 4", "Entry 3"]
    assert (
        out / "s" / "page" / "1" / "index.html"
    ).read_bytes() == page1  # a full page never changes
    tag = soup(out / "s" / "tags" / "t0" / "index.html")
    assert [a.get_text() for a in tag.select("ol.entry-list a")] == [
        "Entry 6",
        "Entry 4",
        "Entry 2",
        "Entry 0",
    ]


def test_tag_pages_are_paginated(tmp_path: Path, monkeypatch) -> None:
    import dateline.plan.pages

    monkeypatch.setattr(dateline.plan.pages, "TAG_PER_PAGE", 2)
    content = long_story(tmp_path / "content", 8)
    out = tmp_path / "site"
    build(content, out)
    # t0 is on entries 0, 2, 4 and 6 (long_story tags entry i with t{i % 2}).
    front = soup(out / "s" / "tags" / "t0" / "index.html")
    assert [a.get_text() for a in front.select("ol.entry-list a")] == ["Entry 6", "Entry 4"]
    assert front.select_one("nav.pagination a[rel=next]")["href"] == "page/1/"
    assert "4 updates, newest first." in front.get_text()
    oldest = soup(out / "s" / "tags" / "t0" / "page" / "1" / "index.html")
    assert [a.get_text() for a in oldest.select("ol.entry-list a")] == ["Entry 2", "Entry 0"]
    assert oldest.select_one("nav.pagination a[rel=prev]")["href"] == "../../"
    assert "updates, newest first" not in oldest.get_text()  # the count is on the front page only
    assert not (out / "s" / "tags" / "t0" / "page" / "2").exists()


def test_a_long_metrics_tracker_is_paginated_and_its_chart_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A metric reported all through a long story: no tracker page grows with it."""
    monkeypatch.setattr(dateline.plan.pages, "TRACKER_PER_PAGE", 3)
    monkeypatch.setattr(dateline.render.chart, "MOST_POINTS", 4)
    root = tmp_path / "content"
    (root / "s").mkdir(parents=True)
    (root / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/"\n')
    (root / "s" / "_index.md").write_text("---\ntitle: Long story\n---\n")
    for i in range(10):
        (root / "s" / f"e{i}.md").write_text(
            f"---\ntime: 2022-03-{1 + i:02d} 10:00\ntitle: Entry {i}\n---\n"
            f"```figures Homes without power\nGrid operator: {1000 + i:,}\n```\n"
        )
    out = tmp_path / "site"
    build(root, out, strict=True)  # strict: every link between the pages resolves
    tracker = out / "s" / "figures" / "homes-without-power"

    def rows(page: Path) -> list[str]:
        return [r.find("td").get_text() for r in soup(page).select("table.tracker-table tbody tr")]

    front = soup(tracker / "index.html")
    assert rows(tracker / "index.html") == ["1,007", "1,008", "1,009"]
    assert front.select_one("table.tracker-table caption").get_text() == (
        "Claims 8–10 of 10, oldest first"
    )
    assert front.select_one("nav.pagination a[rel=next]")["href"] == "page/3/"
    pages = [tracker / "page" / str(n) / "index.html" for n in (1, 2, 3)]
    assert [rows(p) for p in pages] == [
        ["1,000", "1,001", "1,002"],
        ["1,003", "1,004", "1,005"],
        ["1,006"],
    ]
    assert soup(pages[0]).find("svg", class_="chart") is None  # the chart is on the front
    # The chart draws four of the ten claims, the first and the last among them.
    (series,) = points(front.find("svg", class_="chart")).values()
    assert len(series) == 4
    assert [t.get_text() for t in front.select("g.point title")][::3] == [
        "Grid operator: 1,000",
        "Grid operator: 1,009",
    ]
    assert "shows 4 of them" in front.select_one("figcaption").get_text()


def test_a_topic_written_twice_in_an_entry_is_listed_once(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(extra="tags: [Kharkiv, peace-talks, kharkiv, Peace talks, x]\n"),
        },
    )
    build(content, tmp_path / "site")
    page = soup(tmp_path / "site" / "s" / "a" / "index.html")
    topics = [(a.get_text(), a["href"]) for a in page.select("ul.tags a")]
    assert topics == [
        ("Kharkiv", "../tags/kharkiv/"),
        ("peace-talks", "../tags/peace-talks/"),
        ("x", "../tags/x/"),
    ]


def test_a_renamed_entry_keeps_its_old_addresses_as_aliases(tmp_path: Path) -> None:
    """`aliases:` names an entry's earlier file names (or permalinks): each old address
    gets a page that sends readers on, with no script, and tells crawlers where the
    entry is now; it is not listed in the sitemap."""
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/1425-johnson-war-crime.md": entry(
                "Johnson accuses Putin of a war crime",
                extra='aliases: [1425-johnson, "1425 Johnson Putin.md"]\n',
            ),
        },
    )
    out = tmp_path / "site"
    result = run_cli("--content", content, "--out", out, "--strict")
    assert result.code == 0, result.stderr
    for old in ("1425-johnson", "1425-johnson-putin"):
        page = soup(out / "s" / old / "index.html")
        assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == (
            "0; url=../1425-johnson-war-crime/"
        )
        assert page.find("link", rel="canonical")["href"] == (
            "https://example.org/live/s/1425-johnson-war-crime/"
        )
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        assert page.find("main").a.get_text() == "Johnson accuses Putin of a war crime"
    sitemap = [url.findtext(f"{SITEMAP_NS}loc") for url in sitemap_urls(out)]
    assert "https://example.org/live/s/1425-johnson-war-crime/" in sitemap
    assert not [loc for loc in sitemap if "1425-johnson/" in loc]


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("[b]", "alias 'b' is already the permalink of b.md"),
        ("[Tags]", "alias 'tags' is already a name dateline uses for the story's own pages"),
        ("[photos]", "alias 'photos' is already a folder of media (photos/)"),
        ("[a.md]", "alias 'a.md' is this entry's own permalink"),
        ('["???"]', "alias '???' needs a letter or digit"),
        ("[gone]", "b.md:4: alias 'gone' is already an alias of a.md"),  # the later file
    ],
)
def test_an_alias_that_would_replace_a_page_is_an_error(
    tmp_path: Path, aliases: str, message: str
) -> None:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(extra=f"aliases: {aliases}\n"),
            "s/b.md": entry("B", extra="aliases: [gone]\n"),
            "s/photos/map.png": png(4, 4),
        },
    )
    result = run_cli("check", "--content", content)
    assert result.code == 1
    where = "" if message.startswith("b.md") else "a.md:4: "
    assert result.stderr.splitlines()[0] == f"{content / 's'}/{where}{message}"


def test_an_entry_page_leads_to_the_updates_before_and_after_it(sample_site: Path) -> None:
    """A reader who arrived at one update (a shared link) can go on through the story
    in either direction without going back to the timeline."""
    story = sample_site / "ukraine-day-7"
    order = [
        a["id"].removeprefix("entry-") for a in soup(story / "index.html").select(".log article")
    ]
    for at, slug in enumerate(order):
        nav = soup(story / slug / "index.html").find("nav", class_="entry-nav")
        links = {a["rel"][0]: a["href"] for a in nav.find_all("a")}
        expected = {}
        if at > 0:
            expected["prev"] = f"../{order[at - 1]}/"
        if at + 1 < len(order):
            expected["next"] = f"../{order[at + 1]}/"
        assert links == expected, slug
    newest = soup(story / order[0] / "index.html").find("nav", class_="entry-nav")
    older = soup(story / order[1] / "index.html").find("h1").get_text()
    assert newest.a.get_text(" ", strip=True) == f"Older update {older}"


def test_the_site_index_describes_its_stories(sample_site: Path) -> None:
    """Search engines show the description under the site's name (Lighthouse's SEO
    audit asks for one)."""
    page = soup(sample_site / "index.html")
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert description.startswith("Live coverage: ")
    titles = [h2.get_text(strip=True) for h2 in page.select(".story-card h2")]
    assert titles and titles[0] in description and len(description) <= 200


def test_the_hidden_new_updates_button_has_a_name_before_the_script_runs(
    sample_site: Path,
) -> None:
    """pa11y's H91 rule: a button without text has no accessible name, hidden or not."""
    for story in ("ukraine-day-7", "riverside-by-election"):
        button = soup(sample_site / story / "index.html").select_one("button.live-show")
        assert button.has_attr("hidden") and button.get_text(strip=True) == "Show new updates"
