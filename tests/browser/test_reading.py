"""The sample site in a real browser: readable without JavaScript, on a phone and a desktop."""

from __future__ import annotations

import re

import pytest

PAGES = [
    "",
    "ukraine-day-7/",
    "ukraine-day-7/1745-russia-admits-losses/",
    "ukraine-day-7/figures/russian-troops-killed/",
    "ukraine-day-7/tags/kharkiv/",
    "riverside-by-election/",
    "search/?q=troops",
    "ukraine-day-7/key/",
]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("width", [320, 1280])
def test_no_horizontal_scroll_and_no_console_errors(
    browser, sample_url: str, path: str, width: int, javascript: bool
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 800}, java_script_enabled=javascript
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    response = page.goto(sample_url + path)
    assert response is not None and response.status == 200
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{path} scrolls sideways at {width}px ({scroll_width}px wide)"
    assert problems == []
    context.close()


def test_story_reads_fully_without_javascript(browser, sample_url: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.goto(sample_url + "ukraine-day-7/")
    assert page.locator("h1").count() == 1
    titles = page.locator("[role=log] article .entry-title")
    assert titles.count() == 15
    for i in range(titles.count()):
        assert titles.nth(i).is_visible()
    # Figure box cells are visible on a phone, with the as-of label spelled out.
    box = page.locator("#entry-1745-russia-admits-losses figure.figure-box").first
    source = box.locator("tbody th").first
    assert source.inner_text().splitlines() == [
        "Russian Ministry of Defence",
        "Government; speaks for Russia, a party to the conflict",
    ]
    assert source.locator(".claim-who").is_visible()
    assert box.locator(".claim-as-of").first.inner_text() == "2 Mar 2022"
    label = page.evaluate(
        "getComputedStyle(document.querySelector('.claim-as-of'), '::before').content"
    )
    assert label == '"As of "'  # the hidden column header, spelled out on a phone
    assert box.locator(".claim-status").first.is_visible()
    # The stylesheet loaded (relative link from the story folder).
    weight = page.evaluate("getComputedStyle(document.querySelector('.entry-time')).fontWeight")
    assert weight == "700"
    # "Latest developments" jumps to the entry on the same page.
    page.locator(".key-events a").first.click()
    assert page.url.endswith("#entry-1930-navalny")
    context.close()


def test_images_load_with_alt_text(browser, sample_url: str) -> None:
    page = browser.new_page()
    page.goto(sample_url + "ukraine-day-7/0715-kharkiv-shelling/")
    img = page.locator("figure.photo img")
    img.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('figure.photo img').complete")
    assert page.evaluate("document.querySelector('figure.photo img').naturalWidth") == 640
    assert img.get_attribute("alt") == "Smoke rising above rooftops in a city"
    page.close()


def test_photo_keeps_its_place_while_it_loads(browser, sample_url: str) -> None:
    """On a slow network the text below a photo does not jump when it arrives."""
    page = browser.new_page(viewport={"width": 390, "height": 800})
    held = []
    page.route("**/*.png", lambda route: held.append(route))  # unanswered: still loading
    page.goto(sample_url + "ukraine-day-7/0715-kharkiv-shelling/", wait_until="domcontentloaded")
    page.locator("figure.photo img").scroll_into_view_if_needed()  # it loads lazily
    for _ in range(50):  # until the browser has asked for it (and been kept waiting)
        if held:
            break
        page.wait_for_timeout(100)
    width, height, complete = page.evaluate(
        """(() => { const img = document.querySelector('figure.photo img');
                    const box = img.getBoundingClientRect();
                    return [box.width, box.height, img.complete]; })()"""
    )
    assert not complete and held
    assert 300 < width <= 390 and height == pytest.approx(width * 360 / 640, abs=1)
    page.close()


def test_site_works_opened_from_disk(browser, sample_site) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((sample_site / "index.html").as_uri())
    page.locator(".story-list a", has_text="Kharkiv shelled").click()
    assert page.url == (sample_site / "ukraine-day-7" / "index.html").as_uri()
    assert page.locator("h1").inner_text().startswith("Russia-Ukraine war")
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"  # CSS loaded
    page.locator("#entry-1745-russia-admits-losses a.entry-time").click()
    assert page.url.endswith("ukraine-day-7/1745-russia-admits-losses/index.html")
    page.locator(".figure-box-track").first.click()
    assert page.url.endswith("ukraine-day-7/figures/russian-troops-killed/index.html")
    assert errors == []
    page.close()


@pytest.mark.parametrize("missing", ["live/nothing-here", "live/ukraine-day-7/gone/and/deeper/"])
def test_not_found_page_works_wherever_it_is_served(
    browser, subpath_host: str, missing: str
) -> None:
    """Under a sub-path, at any depth: styled, its links lead into the site, and its skip
    link stays on the page (a <base> element sent it to the front page instead)."""
    origin = subpath_host
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    failed: list[str] = []  # a 404 for what it links to, or a request that failed
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on(  # a favicon still loading when the link is followed is cancelled: not a failure
        "requestfailed",
        lambda r: failed.append(r.url) if "ERR_ABORTED" not in (r.failure or "") else None,
    )
    response = page.goto(origin + missing)
    assert response is not None and response.status == 404
    failed.remove(origin + missing)  # the page itself, and nothing it loads
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == (
        "absolute"  # the stylesheet applies
    )
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.url == origin + missing + "#main"
    page.get_by_role("link", name="See all live coverage").click()
    page.wait_for_url(origin + "live/")
    assert page.locator(".story-list a").count() == 3
    assert failed == []
    context.close()


LONG_WORDS = """---
time: 2022-03-02 10:00
title: A pasted link as a source
---
https://t.me/averyveryveryveryveryveryveryveryverylongchannelname/123456789

```figures Killed
[t.me/averyveryveryveryveryveryveryveryverylongchannelname](https://t.me/a/1): more than 7,000 soldiersofficersandconscriptswithoutspaces
```

| Region | Registered | Voted | Turnout |
|---|---|---|---|
| Kharkivska-oblast-and-its-districts | 1234567890 | 1234567890 | 1234567890 |
"""


def test_long_unbroken_words_do_not_push_the_page_sideways(browser, tmp_path) -> None:
    """A pasted link as a source, a long name in a table: a phone still reads the page
    without scrolling sideways (a table is as wide as its longest word)."""
    from tests.browser.conftest import serve
    from tests.conftest import SITE_TOML, STORY_INDEX, run_cli, write_tree

    content = write_tree(
        tmp_path / "content",
        {"site.toml": SITE_TOML, "s/_index.md": STORY_INDEX, "s/a.md": LONG_WORDS},
    )
    assert run_cli("--content", content, "--out", tmp_path / "site", "-q").code == 0
    server, url = serve(tmp_path / "site")
    try:
        page = browser.new_page(viewport={"width": 320, "height": 640})
        for path in ("s/a/", "s/", "s/figures/killed/"):
            page.goto(url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
            inner = "Math.max(0, ...[...document.querySelectorAll('figure')].map(f => f.scrollWidth - f.clientWidth))"
            assert page.evaluate(inner) == 0, path  # nor inside a figure box
        page.close()
    finally:
        server.shutdown()


ARABIC_ENTRY = """---
time: 2022-03-02 10:00
title: قصف خاركيف
key: true
correction: صُحّح عدد القتلى.
---
قال مسؤولون إن القصف أصاب مبنى المجلس.

> نص مقتبس من بيان.

```figures القتلى
وزارة الدفاع: 498
```
"""


def test_a_right_to_left_site_is_laid_out_from_the_right(browser, tmp_path, axe_source) -> None:
    """An Arabic site (language = "ar"): the page runs right to left, the marks that
    sit at the start of a line (a key entry's bar, a correction's, a quote's) are on the
    right, nothing scrolls sideways, and the skip link shows on the screen."""
    from tests.browser.conftest import axe_violations, serve
    from tests.conftest import run_cli, write_tree

    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": 'title = "مكتب الأخبار"\nlanguage = "ar"\n',
            "s/_index.md": "---\ntitle: حرب أوكرانيا\n---\nتغطية مباشرة.\n",
            "s/a.md": ARABIC_ENTRY,
        },
    )
    assert run_cli("--content", content, "--out", tmp_path / "site", "-q").code == 0
    server, url = serve(tmp_path / "site")
    try:
        page = browser.new_page(viewport={"width": 390, "height": 800})
        for path in ("s/", "s/a/"):
            page.goto(url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            sides = page.evaluate(
                """() => ['.correction', '.entry-body blockquote'].map(s => {
                     const css = getComputedStyle(document.querySelector(s));
                     return [css.borderRightWidth, css.borderLeftWidth]; })"""
            )
            assert sides == [["4px", "0px"], ["3px", "0px"]], path
            assert (
                page.evaluate(
                    "getComputedStyle(document.querySelector('.figure-box th')).textAlign"
                )
                == "start"
            )
            page.keyboard.press("Tab")
            box = page.evaluate(
                "(() => { const r = document.activeElement.getBoundingClientRect(); return [document.activeElement.className, r.left, r.right]; })()"
            )
            assert box[0] == "skip-link" and box[1] >= 0 and box[2] <= 390, (path, box)
            assert axe_violations(page, axe_source) == [], path
        page.close()
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    ("width", "scale", "fetched"),
    [(390, 2, 800), (390, 3, 1280), (1280, 1, 800), (1280, 2, 1280)],
    ids=["phone", "phone-3x", "desktop", "desktop-2x"],
)
def test_a_phone_downloads_a_photo_sized_for_its_screen(
    browser, tmp_path, width: int, scale: int, fetched: int
) -> None:
    """A 2,000-pixel photo: each screen fetches the smallest copy that is sharp on it,
    never the original, and shows it at the column's width."""
    from tests.browser.conftest import serve
    from tests.conftest import SITE_TOML, STORY_INDEX, entry, run_cli, write_tree
    from tests.test_images import jpeg

    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body='![Smoke over the city](photo.jpg "Smoke | Photographer")'),
            "s/photo.jpg": jpeg(2000, 1500),
        },
    )
    assert run_cli("--content", content, "--out", tmp_path / "site", "-q").code == 0
    server, url = serve(tmp_path / "site")
    try:
        page = browser.new_page(viewport={"width": width, "height": 800}, device_scale_factor=scale)
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url.rsplit("/", 1)[-1]))
        page.goto(url + "s/a/")
        img = page.locator("figure.photo img")
        img.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('figure.photo img').complete")
        chosen = page.evaluate("document.querySelector('figure.photo img').currentSrc")
        assert chosen.endswith(f"/s/photo.{fetched}w.jpg")
        assert [name for name in asked if name.startswith("photo.")] == [f"photo.{fetched}w.jpg"]
        shown = img.bounding_box()
        assert shown is not None and shown["width"] == pytest.approx(min(width - 32, 640), abs=2)
        page.close()
    finally:
        server.shutdown()


def test_video_and_sound_play_in_the_page(browser, tmp_path, axe_source) -> None:
    """A sound file written with image syntax plays in the browser's own player (its
    length read from the file), the players are labelled for screen readers, and
    neither pushes a phone's page sideways."""
    from tests.browser.conftest import axe_violations, serve
    from tests.conftest import run_cli
    from tests.test_images import media_site

    content = media_site(tmp_path)
    assert run_cli("--content", content, "--out", tmp_path / "site", "-q").code == 0
    server, url = serve(tmp_path / "site")
    try:
        page = browser.new_page(viewport={"width": 320, "height": 640})
        page.goto(url + "s/a/")
        page.wait_for_function("document.querySelector('audio').readyState >= 1")
        assert page.evaluate("document.querySelector('audio').duration") == pytest.approx(0.5)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.get_by_role("figure").get_by_label("Drone footage of the square").count() == 1
        assert axe_violations(page, axe_source) == []
        page.close()
    finally:
        server.shutdown()


def test_the_reader_script_speaks_the_site_language(browser, tmp_path, axe_source) -> None:
    """What the script writes (relative times, buttons) is in the site's language too."""
    from datetime import UTC, datetime, timedelta

    from tests.browser.conftest import axe_violations, serve
    from tests.conftest import SITE_TOML, STORY_INDEX, entry, run_cli, write_tree

    recent = (datetime.now(UTC) - timedelta(minutes=25)).strftime("%Y-%m-%d %H:%M+00:00")
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML + 'language = "uk"\n',
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry("Обстріл Харкова", time=recent),
        },
    )
    assert run_cli("--content", content, "--out", tmp_path / "site", "-q").code == 0
    server, url = serve(tmp_path / "site")
    try:
        page = browser.new_page()
        page.goto(url + "s/")
        assert re.fullmatch(r"2[4-6] хв тому", page.locator(".relative-time").inner_text())
        assert page.locator(".copy-link").first.inner_text() == "Копіювати посилання"
        assert (
            page.locator(".zone-switch")
            .inner_text()
            .startswith("Показувати час у моєму часовому поясі (")
        )
        assert axe_violations(page, axe_source) == []
        page.close()
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    ("language", "label"), [("en", "As of"), ("uk", "Станом на"), ("ar", "حتى تاريخ")]
)
def test_a_figure_box_on_a_phone_labels_its_dates_in_the_site_language(
    browser, tmp_path, language: str, label: str
) -> None:
    """On a narrow screen a box's rows become cards with no column headers, each date
    labelled instead: in the site's language, not the stylesheet's English."""
    from tests.browser.conftest import serve
    from tests.conftest import SITE_TOML, STORY_INDEX, entry, run_cli, write_tree

    box = "```figures People who fled\nUN: more than 800,000 (as of 2022-03-01)\n```"
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML + f'language = "{language}"\n',
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body=box),
        },
    )
    assert run_cli("--content", content, "--out", tmp_path / "site", "-q").code == 0
    server, url = serve(tmp_path / "site")
    before = "el => getComputedStyle(el, '::before').content"
    try:
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.goto(url + "s/a/")
        date = page.locator(".claim-as-of")
        assert date.evaluate(before) == f'"{label} "'
        assert date.evaluate("el => el.getBoundingClientRect().height") > 0
        page.set_viewport_size({"width": 1200, "height": 800})  # a table, with its headers
        assert date.evaluate(before) == "none"
        assert page.locator(".figure-box thead th").nth(2).inner_text().strip() != ""
        page.close()
    finally:
        server.shutdown()


def test_an_old_address_leads_to_the_renamed_entry(browser, tmp_path) -> None:
    """A link shared before an entry's file was renamed still reaches it, without
    JavaScript."""
    from tests.browser.conftest import serve
    from tests.conftest import SITE_TOML, STORY_INDEX, entry, run_cli, write_tree

    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/1425-war-crime.md": entry(
                "Johnson accuses Putin", extra="aliases: [1425-johnson]\n"
            ),
        },
    )
    assert run_cli("--content", content, "--out", tmp_path / "site", "-q").code == 0
    server, url = serve(tmp_path / "site")
    try:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(url + "s/1425-johnson/")
        page.wait_for_url(url + "s/1425-war-crime/")
        assert page.locator("h1").inner_text() == "Johnson accuses Putin"
        context.close()
    finally:
        server.shutdown()


def test_a_metric_is_followed_across_stories(browser, sample_url: str) -> None:
    """The sample's refugee count, reported on day 7 as "People who fled Ukraine" by
    the "UN refugee agency" and on day 8 as "Refugees from Ukraine" by "UNHCR", is one
    history: one chart series, claims from both days, links that lead where they say."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(sample_url + "ukraine-day-7/figures/people-who-fled-ukraine/")
    page.get_by_role("link", name="The same metric across every story").click()
    assert page.url == sample_url + "figures/people-who-fled-ukraine/"
    assert page.locator("h1").inner_text() == "People who fled Ukraine"
    changed = page.locator(".tracker-moves li").all_inner_texts()
    assert changed == [
        "UNHCR: more than 1 million people on 3 March, up from at least 800,000 people on 2 March"
    ]
    # One series (the two spellings of the source are one), a point per claim.
    assert page.locator(".tracker-chart svg g.series").count() == 1
    assert page.locator(".tracker-chart svg .series .point").count() == 3
    rows = page.locator(".tracker-table tbody tr")
    assert rows.count() == 3
    stories = [rows.nth(i).locator("td").nth(3).inner_text() for i in range(3)]
    assert stories[0].startswith("Russia-Ukraine war: Kharkiv") and "million" in stories[2]
    rows.nth(2).locator("td").nth(4).get_by_role("link").click()
    assert page.url == sample_url + "ukraine-day-8/0900-one-million/"
    assert "more than 1 million" in page.locator(".figure-box").inner_text()
    assert "United Nations" in page.locator(".figure-box .claim-who").inner_text()
    page.goto(sample_url + "figures/")
    page.get_by_role("link", name="People who fled Ukraine").click()
    assert page.url == sample_url + "figures/people-who-fled-ukraine/"
    page.close()
