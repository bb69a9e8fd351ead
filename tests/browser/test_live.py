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
    assert page.locator("[role=status]").inner_text() == "2 new updates available"
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
    assert page.locator(".key-events a").get_attribute("href") == "page/1/#entry-a"
    page.close()
