"""Script-driven reader features in Chromium: live updates, relative times, zones, redirects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dateline.build import build
from tests.browser.conftest import serve
from tests.conftest import write_tree

SITE = 'title = "Desk"\nbase_url = "https://example.org/live/"\nper_page = 3\n'


def live_entry(title: str, when: datetime, extra: str = "") -> str:
    return f"---\ntime: {when.isoformat(timespec='minutes')}\ntitle: {title}\n{extra}---\nAbout {title}.\n"


@pytest.fixture
def live_site(tmp_path: Path):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE,
            "storm/_index.md": "---\ntitle: Storm live\ntimezone: Europe/London\nstatus: live\n---\nWinds.\n",
            "storm/a.md": live_entry("Old news", now - timedelta(days=2), "key: true\n"),
            "storm/b.md": live_entry("Morning", now - timedelta(hours=3)),
            "storm/c.md": live_entry("Earlier", now - timedelta(minutes=50)),
            "storm/d.md": live_entry("Recent", now - timedelta(minutes=25)),
        },
    )
    out = tmp_path / "site"
    build(content, out)
    server, url = serve(out)
    yield content, out, url + "storm/", now
    server.shutdown()


def collect_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_new_entries_offered_then_inserted(browser, live_site) -> None:
    content, out, url, now = live_site
    page = browser.new_page()
    errors = collect_errors(page)
    page.add_init_script("window.datelinePollMs = 200")
    page.goto(url)
    assert page.locator(".live-updates").is_visible()
    assert page.locator(".live-show").is_hidden()
    (content / "storm" / "e.md").write_text(live_entry("Bridge closed", now - timedelta(minutes=5)))
    (content / "storm" / "f.md").write_text(live_entry("Trains halted", now - timedelta(minutes=1)))
    build(content, out)
    button = page.locator(".live-show")
    button.wait_for(state="visible", timeout=10_000)
    assert button.inner_text() == "2 new updates"
    assert page.locator(".live-status").inner_text() == "2 new updates available"
    # Nothing moved under the reader before they asked.
    assert page.locator("[role=log] .entry-title").first.inner_text() == "Recent"
    button.click()
    page.wait_for_selector("#entry-f")
    titles = page.locator("[role=log] .entry-title").all_inner_texts()
    assert titles[:3] == ["Trains halted", "Bridge closed", "Recent"]
    assert page.evaluate("document.activeElement.id") == "entry-f"
    assert button.is_hidden()
    assert errors == []
    page.close()


def test_pause_stops_polling(browser, live_site) -> None:
    _content, _out, url, _now = live_site
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.url.endswith("latest.json") else None)
    page.add_init_script("window.datelinePollMs = 150")
    page.goto(url)
    page.wait_for_timeout(600)
    assert len(requests) >= 1
    pause = page.locator(".live-pause")
    pause.click()
    assert pause.get_attribute("aria-pressed") == "true"
    assert pause.inner_text() == "Resume live updates"
    seen = len(requests)
    page.wait_for_timeout(1200)
    assert len(requests) == seen
    pause.click()
    page.wait_for_timeout(600)
    assert len(requests) > seen
    page.close()


def test_ended_stories_do_not_poll(browser, sample_url: str) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script("window.datelinePollMs = 100")
    page.goto(sample_url + "ukraine-day-7/")
    page.wait_for_timeout(800)
    assert not any(u.endswith("latest.json") for u in requests)
    assert page.locator(".live-updates").is_hidden()
    page.close()


def test_relative_times_and_zone_switch(browser, live_site) -> None:
    _content, _out, url, _now = live_site
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    errors = collect_errors(page)
    page.goto(url)
    recent = page.locator("#entry-d")
    assert recent.locator(".relative-time").inner_text() in ("25 min ago", "26 min ago")
    assert page.locator("#entry-b .relative-time").inner_text().startswith("3 h ")
    clock = recent.locator("time.clock").first
    story_clock = clock.inner_text()
    assert story_clock.endswith(("GMT", "BST"))
    switch = page.locator("button.zone-switch")
    assert switch.inner_text() == "Show times in my time zone (America/New_York)"
    switch.click()
    assert clock.inner_text().endswith(("EST", "EDT"))
    assert clock.get_attribute("datetime") is not None
    page.reload()  # the choice is remembered
    assert page.locator("#entry-d time.clock").first.inner_text().endswith(("EST", "EDT"))
    page.locator("button.zone-switch").click()
    assert page.locator("#entry-d time.clock").first.inner_text() == story_clock
    assert errors == []
    context.close()


def test_anchor_to_an_entry_on_an_older_page_redirects(browser, live_site) -> None:
    _content, _out, url, _now = live_site
    page = browser.new_page()
    page.goto(url + "#entry-a")
    page.wait_for_url(url + "a/")
    assert page.locator("h1").inner_text() == "Old news"
    # Without a redirect, the key-developments link already points at the right page.
    page.goto(url)
    assert page.locator(".key-events li a").get_attribute("href") == "page/1/#entry-a"
    page.close()


def _long_entry(title: str, when: datetime, extra: str = "", box: str = "") -> str:
    body = " ".join([f"{title} paragraph text."] * 40)
    return f"---\ntime: {when.isoformat(timespec='minutes')}\ntitle: {title}\n{extra}---\n{body}\n{box}"


BOX = "\n```figures Homes without power\nGrid operator: {value}\n```\n"


def test_an_open_page_follows_corrections_changes_and_withdrawals_in_place(
    browser, tmp_path: Path
) -> None:
    """A correction, a changed claim and a withdrawn entry, all above where the reader
    is reading, reach the open page without a reload and without moving what they read;
    screen readers are told once."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    files = {
        "site.toml": 'title = "Desk"\nbase_url = "https://example.org/live/"\n',
        "storm/_index.md": "---\ntitle: Storm live\ntimezone: Europe/London\nstatus: live\n---\nWinds.\n",
        "storm/a.md": _long_entry("Alpha", now - timedelta(minutes=5)),
        "storm/b.md": _long_entry(
            "Bravo", now - timedelta(minutes=10), box=BOX.format(value="40,000")
        ),
        "storm/c.md": _long_entry("Charlie", now - timedelta(minutes=15)),
        "storm/d.md": _long_entry("Delta", now - timedelta(minutes=20)),
        "storm/e.md": _long_entry("Echo", now - timedelta(minutes=25)),
    }
    content = write_tree(tmp_path / "content", files)
    out = tmp_path / "site"
    build(content, out)
    server, url = serve(out)
    page = browser.new_page(viewport={"width": 800, "height": 600})
    errors = collect_errors(page)
    page.add_init_script("window.datelinePollMs = 200")
    page.goto(url + "storm/")
    page.evaluate("window.notReloaded = true")
    page.evaluate(
        """() => {
          window.told = [];
          const region = document.querySelector('.live-changes');
          new MutationObserver(() => window.told.push(region.textContent))
            .observe(region, {childList: true, characterData: true, subtree: true});
          const delta = document.getElementById('entry-d');
          window.scrollBy(0, delta.getBoundingClientRect().top - 120);
        }"""
    )
    before = page.evaluate("document.getElementById('entry-d').getBoundingClientRect().top")
    assert 110 <= before <= 130 and page.evaluate("window.scrollY") > 0
    # The desk corrects Alpha, changes Bravo's claim and withdraws Charlie.
    (content / "storm" / "a.md").write_text(
        _long_entry(
            "Alpha", now - timedelta(minutes=5), "correction: The wind speed was 90 mph, not 190.\n"
        )
    )
    (content / "storm" / "b.md").write_text(
        _long_entry("Bravo", now - timedelta(minutes=10), box=BOX.format(value="more than 52,000"))
    )
    (content / "storm" / "c.md").unlink()
    build(content, out)
    page.wait_for_function("window.told.length > 0", timeout=10_000)
    page.wait_for_timeout(800)  # a few more polls: nothing is told twice
    assert page.evaluate("window.told") == ["1 entry corrected; 1 entry updated; 1 entry removed"]
    assert page.evaluate("window.notReloaded") is True
    assert "90 mph, not 190" in page.locator("#entry-a .correction").inner_text()
    assert page.locator("#entry-b .figure-box .claim-value").inner_text() == "more than 52,000"
    assert page.locator("#entry-c").count() == 0
    after = page.evaluate("document.getElementById('entry-d').getBoundingClientRect().top")
    assert abs(after - before) <= 1, (before, after)
    # The replaced articles are enhanced like the rest (their copy-link buttons).
    assert page.locator("#entry-a .copy-link").count() == 1
    assert errors == []
    page.close()
    server.shutdown()
