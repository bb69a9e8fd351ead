"""Site search in a real browser: Pagefind's index of the sample site, asked through the
search page as a reader would (typing, choosing a story, following a result)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from bs4 import BeautifulSoup

from tests.browser.conftest import axe_violations

RESULTS = ".search-results .search-result"


def entry_texts(site: Path) -> dict[str, str]:
    """Each entry page's article text, by its path in the site ('story/slug/')."""
    texts = {}
    for page in site.glob("*/*/index.html"):
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find(
            "article", attrs={"data-pagefind-body": True}
        )
        if article is not None:
            texts[page.parent.relative_to(site).as_posix() + "/"] = article.get_text(" ")
    return texts


def words_of(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{7,}", text)}


def search(page, url: str, query: str, **params: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Open the search page for `query` and wait for its answer; the results' links."""
    extra = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    page.goto(f"{url}search/?q={quote(query)}{extra}")
    page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
    return page.eval_on_selector_all(RESULTS + " h2 a", "links => links.map(a => a.href)")


def test_a_word_from_one_entry_finds_that_entry_first(
    browser, sample_url: str, sample_site: Path
) -> None:
    texts = entry_texts(sample_site)
    assert len(texts) == 21  # every entry has its page indexed, and only entries
    # Words whose stem (Pagefind searches by stem: "accused" finds "accuses") is in
    # exactly one entry's text, several of them (not a lucky one).
    stems = Counter(s for text in texts.values() for s in {w[:6] for w in words_of(text)})
    unique = sorted(w for text in texts.values() for w in words_of(text) if stems[w[:6]] == 1)[:5]
    assert len(unique) == 5
    page = browser.new_page()
    for word in unique:
        (entry,) = [path for path, text in texts.items() if word in words_of(text)]
        for order in ("newest", "best"):
            links = search(page, sample_url, word, order=order)
            assert links and links[0] == sample_url + entry, (word, order, links)
    # A result shows the headline, the time and the story, and the word marked.
    first = page.locator(RESULTS).first
    headline = BeautifulSoup((sample_site / entry / "index.html").read_text(), "html.parser")
    assert first.locator("h2").inner_text() == headline.find("h1").get_text()
    meta = first.locator(".search-meta").inner_text()
    story_title = BeautifulSoup(
        (sample_site / entry.split("/")[0] / "index.html").read_text(), "html.parser"
    ).find("h1")
    assert re.search(r"\d{1,2}:\d{2}", meta) and meta.endswith(" · " + story_title.get_text()), meta
    assert first.locator(".search-excerpt mark").count() >= 1
    first.locator("h2 a").click()
    page.wait_for_url(sample_url + entry)
    page.close()


def test_the_story_filter_narrows_results(browser, sample_url: str, sample_site: Path) -> None:
    texts = entry_texts(sample_site)
    stories = {path.split("/")[0] for path in texts}
    assert len(stories) == 3
    # A word in entries of more than one story.
    by_word: dict[str, set[str]] = {}
    for path, text in texts.items():
        for word in words_of(text):
            by_word.setdefault(word, set()).add(path.split("/")[0])
    word = sorted(w for w, on in by_word.items() if len(on) >= 2)[0]
    page = browser.new_page()
    everywhere = search(page, sample_url, word)
    story = sorted(by_word[word])[0]
    assert {link[len(sample_url) :].split("/")[0] for link in everywhere} >= by_word[word]
    # Choosing the story in the form narrows the same search to it.
    page.select_option("#search-story", story)
    page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
    assert f"story={story}" in page.url  # the address says what was searched, to share
    narrowed = page.eval_on_selector_all(RESULTS + " h2 a", "l => l.map(a => a.href)")
    assert narrowed and len(narrowed) < len(everywhere)
    assert set(narrowed) < set(everywhere)
    title = page.locator(f"#search-story option[value='{story}']").inner_text()
    for meta in page.locator(RESULTS + " .search-meta").all_inner_texts():
        assert meta.endswith(title)
    # The story page's own box searches that story.
    page.goto(sample_url + story + "/")
    box = page.locator("form[data-search-box]")
    box.locator("input[type=search]").fill(word)
    box.locator("button").click()
    page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
    assert page.locator("#search-story").input_value() == story
    again = page.eval_on_selector_all(RESULTS + " h2 a", "l => l.map(a => a.href)")
    assert sorted(again) == sorted(narrowed)
    page.close()


def test_a_source_name_finds_its_claims(browser, sample_url: str, sample_site: Path) -> None:
    """Figure boxes are indexed with their entries: every entry quoting UNHCR in a box
    is found by the name, and only entries that mention it."""
    boxes = {}
    for page_file in sample_site.glob("*/*/index.html"):
        soup = BeautifulSoup(page_file.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article", attrs={"data-pagefind-body": True})
        if article is None:
            continue
        sources = [th.get_text(" ") for th in article.select("figure.figure-box tbody th")]
        path = page_file.parent.relative_to(sample_site).as_posix() + "/"
        boxes[path] = (any("UNHCR" in s for s in sources), "UNHCR" in article.get_text())
    quoting = {path for path, (in_box, _) in boxes.items() if in_box}
    mentioning = {path for path, (_, anywhere) in boxes.items() if anywhere}
    assert quoting  # the sample's refugee figures are UNHCR's
    page = browser.new_page()
    found = {link[len(sample_url) :] for link in search(page, sample_url, "UNHCR")}
    assert quoting <= found <= mentioning
    page.close()


def test_search_under_a_sub_path_links_there(browser, subpath_host: str) -> None:
    page = browser.new_page()
    links = search(page, subpath_host + "live/", "UNHCR")
    assert links and all(link.startswith(subpath_host + "live/ukraine-day-") for link in links)
    response = page.goto(links[0])
    assert response is not None and response.status == 200
    page.close()


def test_without_javascript_the_boxes_are_hidden(browser, sample_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    for path in ("", "ukraine-day-7/"):
        page.goto(sample_url + path)
        assert page.locator("form[data-search-box]").count() == 1
        assert not page.locator("form[data-search-box]").is_visible()
    page.goto(sample_url + "search/?q=UNHCR")
    assert not page.locator("form.search-form").is_visible()
    assert "Search needs JavaScript" in page.locator("main").inner_text()
    assert page.locator("main a[href]").first.is_visible()
    context.close()
    # With it, the boxes show and a search from the site index opens the search page.
    page = browser.new_page()
    page.goto(sample_url)
    box = page.locator("form[data-search-box]")
    assert box.is_visible()
    assert box.locator("label").inner_text() == "Search all stories"
    box.locator("input").fill("UNHCR")
    box.locator("input").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=UNHCR"))
    page.wait_for_selector(RESULTS)
    page.close()


def test_the_search_page_with_results_passes_axe(browser, sample_url: str, axe_source: str) -> None:
    page = browser.new_page()
    search(page, sample_url, "troops")
    assert page.locator(RESULTS).count() > 1
    assert axe_violations(page, axe_source) == []
    status = page.locator(".search-status")
    assert status.get_attribute("role") == "status"
    assert re.fullmatch(r"\d+ results", status.inner_text())
    page.close()


def test_the_topic_filter_keeps_entries_of_that_topic(
    browser, sample_url: str, sample_site: Path
) -> None:
    tagged: dict[str, set[str]] = {}
    for page_file in sample_site.glob("*/*/index.html"):
        article = BeautifulSoup(page_file.read_text(encoding="utf-8"), "html.parser").find(
            "article", attrs={"data-pagefind-body": True}
        )
        for link in article.select(".tags a") if article is not None else ():
            path = page_file.parent.relative_to(sample_site).as_posix() + "/"
            tagged.setdefault(link.get_text(), set()).add(sample_url + path)
    page = browser.new_page()
    everywhere = set(search(page, sample_url, "Russia"))
    topics = page.eval_on_selector_all("#search-tag option", "o => o.map(x => x.value)")
    assert topics[0] == "" and sorted(topics[1:]) == sorted(tagged)  # every topic offered
    topic = next(t for t in sorted(tagged) if tagged[t] & everywhere and everywhere - tagged[t])
    page.select_option("#search-tag", topic)
    page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
    narrowed = set(page.eval_on_selector_all(RESULTS + " h2 a", "l => l.map(a => a.href)"))
    assert narrowed == everywhere & tagged[topic]
    # The address keeps the topic: a reload searches the same.
    page.reload()
    page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
    assert page.locator("#search-tag").input_value() == topic
    assert set(page.eval_on_selector_all(RESULTS + " h2 a", "l => l.map(a => a.href)")) == narrowed
    page.close()
