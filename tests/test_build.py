"""Build behaviour on small inline sites: output safety, drafts, zones, themes, escaping."""

from __future__ import annotations

import gc
import hashlib
import shutil
import struct
from pathlib import Path

import pytest

from dateline import build as build_module
from dateline.build import build
from dateline.errors import BuildError
from dateline.render import theme
from dateline.serve.rebuild import Rebuilder
from dateline.write.output import MARKER
from tests.conftest import (
    ROOT,
    STORY_INDEX,
    entry,
    load_json,
    png,
    run_cli,
    site_snapshot,
    soup,
)


def snapshot(folder: Path) -> dict[str, object]:
    return site_snapshot(folder)


def test_failed_build_leaves_published_site_untouched(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry("First")})
    out = tmp_path / "site"
    assert run_cli("--content", root, "--out", out).code == 0
    before = snapshot(out)
    (root / "s" / "a.md").write_text(entry("First", extra="pined: true\n"))
    (root / "s" / "b.md").write_text(entry("Second"))
    result = run_cli("--content", root, "--out", out)
    assert result.code == 1
    assert snapshot(out) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert sorted(leftovers) == [".site.dateline-cache", ".site.lock"]  # no staging folder left


def test_build_pauses_the_garbage_collector_and_gives_it_back(
    content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build runs without automatic collections (see speed.collector); the
    process calling it, a test runner or a server, gets its collector back, failed
    build or not."""
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry("First")})
    seen = []
    real = build_module.read_site

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "read_site", watched)
    build(root, tmp_path / "site")
    assert seen == [False] and gc.isenabled()
    (root / "s" / "a.md").write_text(entry("First", extra="pined: true\n"))
    with pytest.raises(BuildError):
        build(root, tmp_path / "site")
    assert gc.isenabled()
    (root / "s" / "a.md").write_text(entry("First"))
    gc.disable()  # a caller that had turned it off keeps it off
    try:
        build(root, tmp_path / "other")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_crash_mid_render_leaves_previous_site(
    content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry("First")})
    out = tmp_path / "site"
    build(root, out)
    before = snapshot(out)

    def explode(site, output, *args):  # writes part of a site, then dies as a Ctrl-C would
        output.write("index.html", "partial")
        raise KeyboardInterrupt

    import dateline.write.targets

    monkeypatch.setattr(dateline.write.targets, "render_site", explode)
    with pytest.raises(KeyboardInterrupt):
        build(root, out)
    assert snapshot(out) == before
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".site.dateline-cache", ".site.lock", "content", "site"]


def test_rebuild_replaces_own_output_and_drops_stale_files(content, tmp_path: Path) -> None:
    root = content(
        {"s/_index.md": STORY_INDEX, "s/a.md": entry("First"), "s/b.md": entry("Second")}
    )
    out = tmp_path / "site"
    build(root, out)
    assert (out / MARKER).is_file() and (out / "s" / "b" / "index.html").is_file()
    (root / "s" / "b.md").unlink()
    build(root, out)
    assert not (out / "s" / "b").exists()
    assert (out / "s" / "a" / "index.html").is_file()


def test_rebuild_never_writes_through_a_symlink_in_the_output(content, tmp_path: Path) -> None:
    """A rebuild updates the output in place, but not one holding something a build
    did not make: that folder is replaced whole, the link with it."""
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry("First")})
    out = tmp_path / "site"
    build(root, out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(out / "s" / "a")
    (out / "s" / "a").symlink_to(elsewhere, target_is_directory=True)
    (root / "s" / "a.md").write_text(entry("First, edited"))
    build(root, out)
    assert list(elsewhere.iterdir()) == []
    assert not (out / "s" / "a").is_symlink()
    assert "First, edited" in (out / "s" / "a" / "index.html").read_text()
    build(root, tmp_path / "fresh", use_cache=False)
    assert snapshot(out) == snapshot(tmp_path / "fresh")


def test_errors_raise_before_anything_is_written(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": "---\ntitle: A\n---\n"})
    with pytest.raises(BuildError) as info:
        build(root, tmp_path / "site")
    assert [(e.line, e.message) for e in info.value.errors] == [
        (1, "missing 'time:' in the front matter")
    ]
    assert not (tmp_path / "site").exists()


def test_drafts_flag(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry("Public"),
            "s/d.md": entry("Secret", extra="draft: true\n"),
        }
    )
    build(root, tmp_path / "site")
    assert not (tmp_path / "site" / "s" / "d").exists()
    assert "Secret" not in (tmp_path / "site" / "s" / "index.html").read_text()
    result = run_cli("--content", root, "--out", tmp_path / "with-drafts", "--drafts")
    assert result.code == 0
    page = soup(tmp_path / "with-drafts" / "s" / "index.html")
    assert "Draft" in page.find(id="entry-d").get_text()


def test_permalink_from_file_name_not_title(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/kharkiv.md": entry("Shelling in Kharkiv")})
    build(root, tmp_path / "site")
    (root / "s" / "kharkiv.md").write_text(
        entry("Heavy shelling in Kharkiv, school hit", body="Changed body.")
    )
    build(root, tmp_path / "site")
    page = soup(tmp_path / "site" / "s" / "kharkiv" / "index.html")
    assert page.h1.get_text() == "Heavy shelling in Kharkiv, school hit"


def test_timeline_across_a_clock_change(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": "---\ntitle: Storm\ntimezone: Europe/London\n---\n",
            "s/a.md": entry("Before", time="2022-10-30 00:50"),
            "s/b.md": entry("First 01:30", time="2022-10-30 01:30+01:00"),
            "s/c.md": entry("Second 01:30", time="2022-10-30 01:30+00:00"),
            "s/d.md": entry("After", time="2022-10-30 02:10"),
            "s/e.md": entry("Next day, in UTC", time="2022-10-31T09:00:00Z"),
        }
    )
    build(root, tmp_path / "site")
    page = soup(tmp_path / "site" / "s" / "index.html")
    articles = page.find(attrs={"role": "log"}).find_all("article")
    shown = [
        (
            a.find(class_="entry-title").get_text(),
            a.find("time").get_text(),
            a.find("time")["datetime"],
        )
        for a in articles
    ]
    assert shown == [
        ("Next day, in UTC", "09:00 GMT", "2022-10-31T09:00:00+00:00"),
        ("After", "02:10 GMT", "2022-10-30T02:10:00+00:00"),
        ("Second 01:30", "01:30 GMT", "2022-10-30T01:30:00+00:00"),
        ("First 01:30", "01:30 BST", "2022-10-30T01:30:00+01:00"),
        ("Before", "00:50 BST", "2022-10-30T00:50:00+01:00"),
    ]
    days = [h.get_text() for h in page.find_all("h2", class_="day-heading")]
    assert days == ["Monday 31 October 2022", "Sunday 30 October 2022"]


def test_site_timezone_is_the_default_and_story_overrides(content, tmp_path: Path) -> None:
    root = content(
        {
            "a/_index.md": "---\ntitle: A\n---\n",
            "a/x.md": entry(time="2022-07-01 12:00"),
            "b/_index.md": "---\ntitle: B\ntimezone: Asia/Tokyo\n---\n",
            "b/x.md": entry(time="2022-07-01 12:00"),
            "c/_index.md": "---\ntitle: C\n---\n",
        },
        site_toml='title = "T"\nbase_url = "https://example.org/"\ntimezone = "America/New_York"\n',
    )
    build(root, tmp_path / "site")
    a = load_json(tmp_path / "site" / "a" / "feed.json")["items"][0]
    b = load_json(tmp_path / "site" / "b" / "feed.json")["items"][0]
    assert a["date_published"] == "2022-07-01T12:00:00-04:00"
    assert b["date_published"] == "2022-07-01T12:00:00+09:00"
    assert (
        soup(tmp_path / "site" / "b" / "index.html").find("article").find("time").get_text()
        == "12:00 JST"
    )
    # A story with no entries still builds.
    assert "No updates yet." in soup(tmp_path / "site" / "c" / "index.html").get_text()


def test_utc_is_the_default_zone(content, tmp_path: Path) -> None:
    root = content(
        {"s/_index.md": "---\ntitle: S\n---\n", "s/a.md": entry(time="2022-03-02 10:00")}
    )
    build(root, tmp_path / "site")
    assert (
        load_json(tmp_path / "site" / "s" / "feed.json")["items"][0]["date_published"]
        == "2022-03-02T10:00:00+00:00"
    )


def test_without_base_url_warns_and_leaves_out_feeds(content, tmp_path: Path) -> None:
    root = content(
        {"s/_index.md": STORY_INDEX, "s/a.md": entry(body="```figures X\nY: 5\n```")},
        site_toml='title = "T"\n',
    )
    result = run_cli("--content", root, "--out", tmp_path / "site")
    assert result.code == 0
    assert f"{root / 'site.toml'}:1: warning: no base_url" in result.stderr
    assert not (tmp_path / "site" / "s" / "feed.xml").exists()
    assert not (tmp_path / "site" / "s" / "feed.json").exists()
    assert soup(tmp_path / "site" / "s" / "index.html").find("link", rel="canonical") is None
    claim = load_json(tmp_path / "site" / "s" / "figures.json")["metrics"][0]["claims"][0]
    assert claim["entry"] == "s/a/"


def test_untrusted_text_is_escaped(content, tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    root = content(
        {
            "s/_index.md": f'---\ntitle: "{evil}"\n---\n{evil}\n',
            "s/a.md": entry(
                title=f"'{evil}'",
                extra=f"author: '\"><img src=x onerror=alert(1)>'\ntags: ['{evil}']\n",
                body=f"{evil}\n\n[click](javascript:alert(1))\n\n```figures M\n[S<script>x</script>](https://x.org/a): 5\nT<img src=x onerror=alert>: 6 <b>units</b>\nnote: {evil}\n```",
            ),
        }
    )
    build(root, tmp_path / "site")
    for page in [
        tmp_path / "site" / "s" / "index.html",
        tmp_path / "site" / "s" / "a" / "index.html",
    ]:
        html = page.read_text()
        parsed = soup(page)
        # Only the theme's own script, never one from content.
        scripts = [
            page.parent / tag["src"].partition("?")[0]
            for tag in parsed.find_all("script")
            if tag.get("type") != "application/ld+json"
        ]
        assert [s.resolve() for s in scripts] == [tmp_path / "site" / "static" / "dateline.js"]
        assert not any(
            tag.get("onerror") or tag.get("onmouseover") for tag in parsed.find_all(True)
        )
        assert "javascript:" not in "".join(str(a.get("href")) for a in parsed.find_all("a"))
        assert "&lt;script&gt;" in html


def test_site_theme_overrides_a_template_and_asset(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(),
            "_theme/templates/entry.html": '{% extends "base.html" %}{% block main %}<h1 class="custom">{{ entry.title }}</h1>{% endblock %}',
            "_theme/static/style.css": "body { color: red; }",
        }
    )
    build(root, tmp_path / "site")
    assert (
        soup(tmp_path / "site" / "s" / "a" / "index.html").find("h1", class_="custom").get_text()
        == "An entry"
    )
    assert (tmp_path / "site" / "static" / "style.css").read_text() == "body { color: red; }"
    # Its links carry a digest of the file, so no cache keeps the old one after a change.
    digest = hashlib.blake2b(b"body { color: red; }", digest_size=5).hexdigest()
    stylesheet = soup(tmp_path / "site" / "s" / "a" / "index.html").find("link", rel="stylesheet")
    assert stylesheet["href"] == f"../../static/style.css?v={digest}"
    (root / "_theme" / "static" / "style.css").write_text("body { color: blue; }")
    build(root, tmp_path / "site")
    restyled = soup(tmp_path / "site" / "s" / "a" / "index.html").find("link", rel="stylesheet")
    assert restyled["href"].startswith("../../static/style.css?v=")
    assert restyled["href"] != stylesheet["href"]
    assert (
        soup(tmp_path / "site" / "s" / "index.html").find(class_="standfirst") is not None
    )  # default kept
    assert not (tmp_path / "site" / "_theme").exists()


def test_compiled_templates_are_kept_and_an_edited_template_compiled_again(
    content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    theme._bytecode_cache.cache_clear()
    template = '{% extends "base.html" %}{% block main %}<h1 class="v">WORD {{ entry.title }}</h1>{% endblock %}'
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(),
            "_theme/templates/entry.html": template.replace("WORD", "one"),
        }
    )
    try:
        build(root, tmp_path / "site", use_cache=False)
        kept = list((tmp_path / "cache" / "dateline").rglob("*.cache"))
        assert kept, "no compiled template was kept"
        headline = lambda: soup(tmp_path / "site/s/a/index.html").find("h1", class_="v").get_text()  # noqa: E731
        assert headline() == "one An entry"
        (root / "_theme/templates/entry.html").write_text(template.replace("WORD", "two"))
        build(root, tmp_path / "site", use_cache=False)
        assert headline() == "two An entry"
        for path in (tmp_path / "cache" / "dateline").rglob("*.cache"):  # damaged files
            path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
        build(root, tmp_path / "site", use_cache=False)
        assert headline() == "two An entry"
        shutil.rmtree(tmp_path / "cache")
        (tmp_path / "cache").write_text("a file where the cache folder would go")
        theme._bytecode_cache.cache_clear()
        build(root, tmp_path / "site", use_cache=False)
        assert headline() == "two An entry"
    finally:
        theme._bytecode_cache.cache_clear()


def test_media_in_subfolders_copied(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body='![A map](img/map.png "Where it happened | Graphic: Desk")'),
            "s/img/map.png": b"\x89PNG fake",
            "s/.hidden.swp": b"editor swap file",
        }
    )
    build(root, tmp_path / "site")
    assert (tmp_path / "site" / "s" / "img" / "map.png").read_bytes() == b"\x89PNG fake"
    assert not (tmp_path / "site" / "s" / ".hidden.swp").exists()
    img = soup(tmp_path / "site" / "s" / "a" / "index.html").find("img")
    assert img["src"] == "../img/map.png"
    assert "width" not in img.attrs  # no size in a file that is not really an image


def test_local_photos_carry_their_size(content, tmp_path: Path) -> None:
    """So a page keeps its layout while a photo loads; read from the file's header."""
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body='![Wide](wide.png)\n\n![Tall](sub/tall.png "Caption")'),
            "s/wide.png": png(64, 36),
            "s/sub/tall.png": png(30, 50),
        }
    )
    build(root, tmp_path / "site")
    for page in ("s/a/index.html", "s/index.html"):
        sizes = [
            (img["alt"], img["width"], img["height"])
            for img in soup(tmp_path / "site" / page).find_all("img")
        ]
        assert sizes == [("Wide", "64", "36"), ("Tall", "30", "50")], page


def _jpeg_header(width: int, height: int, orientation: int) -> bytes:
    """A JPEG's start as a phone writes it: EXIF orientation, then the frame's size."""
    ifd = struct.pack(">HHHIHH", 1, 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0)
    exif = b"Exif\x00\x00MM\x00\x2a" + struct.pack(">I", 8) + ifd
    frame = struct.pack(">BHHBBBB", 8, height, width, 1, 1, 0x11, 0)
    return (
        b"\xff\xd8\xff\xe1"
        + struct.pack(">H", len(exif) + 2)
        + exif
        + b"\xff\xc0"
        + struct.pack(">H", len(frame) + 2)
        + frame
        + b"\xff\xd9"
    )


def test_a_turned_phone_photo_gets_the_size_it_shows_at(content, tmp_path: Path) -> None:
    """Phones store a portrait photo sideways and say "turn it" in EXIF; browsers do."""
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body="![Upright](upright.jpg)\n\n![Level](level.jpg)"),
            "s/upright.jpg": _jpeg_header(40, 30, orientation=6),  # turn 90° clockwise
            "s/level.jpg": _jpeg_header(40, 30, orientation=1),
        }
    )
    build(root, tmp_path / "site")
    imgs = soup(tmp_path / "site" / "s" / "a" / "index.html").find_all("img")
    assert [(i["width"], i["height"]) for i in imgs] == [("30", "40"), ("40", "30")]


def test_output_is_deterministic(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(),
            "s/b.md": entry("B", time="2022-03-02 11:00"),
        }
    )
    build(root, tmp_path / "one")
    build(root, tmp_path / "two")
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_output_is_the_same_whatever_the_number_of_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample site (figure boxes, images, several stories), forked workers made to
    share even this small a site: byte for byte what one process writes."""
    import dateline.read.entries
    import dateline.speed.parallel

    build(ROOT / "content", tmp_path / "one", jobs=1, use_cache=False)
    monkeypatch.setattr(dateline.speed.parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(dateline.read.entries, "PARALLEL_FROM", 1)
    build(ROOT / "content", tmp_path / "two", jobs=2, use_cache=False)
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")


def test_a_killed_builds_staging_folder_is_cleared_by_the_next(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry("First")})
    out = tmp_path / "site"
    build(root, out)
    dead = tmp_path / ".site.building-4194305"  # above any pid Linux hands out
    (dead / "s").mkdir(parents=True)
    (dead / "s" / "index.html").write_text("half a build")
    spilled = tmp_path / ".site.bodies-4194305"
    spilled.mkdir()
    (spilled / "4194305.html").write_text("<p>bodies</p>")
    build(root, out)
    assert not dead.exists() and not spilled.exists()
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert leftovers == [".site.dateline-cache", ".site.lock"]


def test_bodies_wait_in_a_spill_file_during_a_build(content, tmp_path: Path) -> None:
    """A build holds where each body is, not the bodies; outside a build (the dev server,
    check) they are held in memory. Either way an entry reads the same HTML."""
    from dateline.build import read_site
    from dateline.speed.bodies import spilling

    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry(body="Some *body* text.")})
    held, _ = read_site(root)
    assert held.stories[0].entries[0].body.inline == "<p>Some <em>body</em> text.</p>\n"
    with spilling(tmp_path / "site"):
        site, _ = read_site(root)
        spilled = site.stories[0].entries[0]
        assert spilled.body.inline is None and spilled.body.size > 0
        assert spilled.body_html == "<p>Some <em>body</em> text.</p>\n"
        folders = [p.name for p in tmp_path.iterdir() if ".bodies-" in p.name]
        assert len(folders) == 1
    assert not [p for p in tmp_path.iterdir() if ".bodies-" in p.name]


def test_a_spilled_body_never_stands_for_another_builds_text(content, tmp_path: Path) -> None:
    """Bodies are keys of caches that outlive a build (the last plain texts). Two builds
    in one process must not make equal Bodies for different texts: a spill file's name
    is never used twice, however often stores come and go."""
    from dateline.speed import bodies

    names = set()
    for _ in range(20):  # a freed store's id() came straight back: one name, 20 stores
        store = bodies._Store(tmp_path)
        names.add(store.put("same size").path)
        store.close()
        del store
    assert len(names) == 20
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry(body="Alpha text.")})
    out = tmp_path / "site"
    for word in ("Alpha", "Bravo", "Alpha", "Delta"):  # bodies of one size, one offset
        (root / "s" / "a.md").write_text(entry(body=f"{word} text."))
        build(root, out, use_cache=False)
        description = soup(out / "s" / "a" / "index.html").find(
            "meta", attrs={"name": "description"}
        )
        assert description["content"] == f"{word} text."


def test_rebuild_in_place_when_a_file_becomes_a_folder_and_back(content, tmp_path: Path) -> None:
    """In-place rebuilds remove what went before they move new files in, so a path can
    change from a media file to an entry's folder, and back."""
    root = content({"s/_index.md": STORY_INDEX, "s/b.md": entry("B"), "s/clip": b"media"})
    out = tmp_path / "site"
    build(root, out)
    assert (out / "s" / "clip").read_bytes() == b"media"
    (root / "s" / "clip").unlink()
    (root / "s" / "clip.md").write_text(entry("Clip", time="2022-03-02 11:00"))
    build(root, out)
    assert "Clip" in (out / "s" / "clip" / "index.html").read_text()
    (root / "s" / "clip.md").unlink()
    (root / "s" / "clip").write_bytes(b"media again")
    build(root, out)
    assert (out / "s" / "clip").read_bytes() == b"media again"
    build(root, tmp_path / "fresh", use_cache=False)
    assert snapshot(out) == snapshot(tmp_path / "fresh")


@pytest.mark.parametrize(
    ("language", "direction"),
    [
        ("ar", "rtl"),
        ("ar-EG", "rtl"),
        ("he", "rtl"),
        ("fa-IR", "rtl"),
        ("ur", "rtl"),
        ("ku-Arab", "rtl"),  # Kurdish in Arabic script
        ("pa-Arab", "rtl"),
        ("ug-Cyrl", "ltr"),  # Uyghur in Cyrillic
        ("en-GB", "ltr"),
        ("uk", "ltr"),
    ],
)
def test_pages_say_which_way_their_language_runs(
    content, tmp_path: Path, language: str, direction: str
) -> None:
    root = content(
        {"s/_index.md": STORY_INDEX, "s/a.md": entry()},
        site_toml=f'title = "Desk"\nlanguage = "{language}"\n',
    )
    build(root, tmp_path / "site")
    for page in ("index.html", "s/index.html", "s/a/index.html", "404.html"):
        html = soup(tmp_path / "site" / page).find("html")
        assert (html["lang"], html["dir"]) == (language, direction), page


def test_links_to_entry_files_lead_to_their_pages(content, tmp_path: Path) -> None:
    """`[earlier](0715-kharkiv.md)`, as editors link files in their editor or on GitHub,
    leads to that entry's permalink, from its own page and from the timeline."""
    links = (
        "[earlier](0715-Kharkiv.md#entry-0715-kharkiv) [story](_index.md) "
        "[other](../t/a.md) [page](0715-kharkiv/)"
    )
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/0715-Kharkiv.md": entry("Kharkiv", time="2022-03-02 07:15"),
            "s/b.md": entry("Links", body=links),
            "t/_index.md": "---\ntitle: Other\n---\n",
            "t/a.md": entry("Other story's entry"),
        }
    )
    assert build(root, tmp_path / "site", strict=True).entries == 3  # --strict: links resolve
    on_page = [
        a["href"]
        for a in soup(tmp_path / "site" / "s" / "b" / "index.html").select(".entry-body a")
    ]
    assert on_page == [
        "../0715-kharkiv/#entry-0715-kharkiv",  # the file name slugified, as its permalink
        "../",
        "../../t/a/",
        "../0715-kharkiv/",  # a link to the page itself, untouched
    ]
    article = soup(tmp_path / "site" / "s" / "index.html").find(id="entry-b")
    assert [a["href"] for a in article.select(".entry-body a")] == [
        "0715-kharkiv/#entry-0715-kharkiv",
        "",  # the story's own page: this one
        "../t/a/",
        "0715-kharkiv/",
    ]


def test_a_reused_entry_whose_linked_file_went_is_an_error_too(content, tmp_path: Path) -> None:
    """The build cache and the dev server reuse an entry read while the file it links to
    was there: they must fail as a build from nothing does once that file is deleted,
    including from a draft, and build again once it is back (also when the entry was
    read again while it was gone)."""
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body="See [this](b.md) and [that](../t/c.md)."),
            "s/d.md": entry("Draft", extra="draft: true\n", body="Also [b](b.md)."),
            "s/b.md": entry("Linked"),
            "t/_index.md": STORY_INDEX,
            "t/c.md": entry("Elsewhere"),
        }
    )
    rebuilder = Rebuilder(root.resolve(), tmp_path / "live")
    assert rebuilder.build().ok
    build(root, tmp_path / "site")  # leaves a build cache beside the site
    (root / "s" / "b.md").unlink()
    (root / "t" / "c.md").unlink()
    expected = [  # as every build lists errors: by file, line and message
        (str(root / "s" / "a.md"), 5, "link to '../t/c.md': no entry or story file by that name"),
        (str(root / "s" / "a.md"), 5, "link to 'b.md': no entry or story file by that name"),
        (str(root / "s" / "d.md"), 6, "link to 'b.md': no entry or story file by that name"),
    ]
    for use_cache in (False, True):
        with pytest.raises(BuildError) as raised:
            build(root, tmp_path / "site", use_cache=use_cache)
        assert [(e.path, e.line, e.message) for e in raised.value.errors] == expected
    served = rebuilder.build({(root / "s" / "b.md").resolve(), (root / "t" / "c.md").resolve()})
    assert [(e.path, e.line, e.message) for e in served.errors] == expected
    # Read again while the files are gone, the entry must not keep the error once they
    # are back: the dev server reads it no more until it is edited.
    (root / "s" / "a.md").write_text(entry(body="See [this](b.md) and [that](../t/c.md)!"))
    served = rebuilder.build({(root / "s" / "a.md").resolve()})
    assert [(e.path, e.line, e.message) for e in served.errors] == expected
    (root / "s" / "b.md").write_text(entry("Linked"))
    (root / "t" / "c.md").write_text(entry("Elsewhere"))
    assert build(root, tmp_path / "site").entries == 3
    assert rebuilder.build({(root / "s" / "b.md").resolve(), (root / "t" / "c.md").resolve()}).ok


def test_a_link_to_a_draft_is_warned_of_where_it_would_lead_nowhere(
    content, tmp_path: Path
) -> None:
    """A published entry (or standfirst) linking to a draft links to a page the build
    does not make; a draft's own links, and any link in a build with drafts, do not."""
    root = content(
        {
            "s/_index.md": STORY_INDEX + "\nFollow [it](next.md).\n",
            "s/a.md": entry(body="More [soon](next.md)."),
            "s/b.md": entry("Draft too", extra="draft: true\n", body="See [next](next.md)."),
            "s/next.md": entry("Not yet", extra="draft: true\n"),
        }
    )
    report = build(root, tmp_path / "site")
    warned = "that entry is a draft, so the link leads nowhere until it is published"
    assert [(w.path, w.line, w.message) for w in report.warnings] == [
        (str(root / "s" / "_index.md"), 7, f"link to 'next.md': {warned}"),
        (str(root / "s" / "a.md"), 5, f"link to 'next.md': {warned}"),
    ]
    with pytest.raises(BuildError):  # --strict: warnings fail the build
        build(root, tmp_path / "site", strict=True)
    assert build(root, tmp_path / "drafts", drafts=True, strict=True).warnings == ()


@pytest.mark.parametrize("target", ["gone.md", "../nowhere/a.md", "../_theme/x.md", "../site.md"])
def test_a_link_to_a_missing_entry_file_is_an_error(content, tmp_path: Path, target: str) -> None:
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": entry(body=f"See [this]({target}).")})
    (root / "_theme").mkdir()
    (root / "_theme" / "x.md").write_text("x")
    (root / "site.md").write_text("x")
    with pytest.raises(BuildError) as raised:
        build(root, tmp_path / "site")
    assert [(e.line, e.message) for e in raised.value.errors] == [
        (5, f"link to {target!r}: no entry or story file by that name")
    ]
