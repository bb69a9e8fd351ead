"""axe-core finds no violations on the built sample site's main kinds of page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

PAGES = [
    "",
    "ukraine-day-7/",
    "ukraine-day-7/1745-russia-admits-losses/",
    "ukraine-day-7/figures/people-who-fled-ukraine/",
    "ukraine-day-7/tags/kharkiv/",
    "riverside-by-election/",
    "figures/",
    "figures/people-who-fled-ukraine/",
    "search/?q=UNHCR",
    "ukraine-day-7/key/",
    "ukraine-day-7/oldest/",
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(
    browser, sample_url: str, axe_source: str, path: str, scheme: str
) -> None:
    page = browser.new_page(color_scheme=scheme)
    page.goto(sample_url + path)
    if path.startswith("search/"):  # with its results in, as a reader meets it
        page.wait_for_selector(".search-result")
    assert axe_violations(page, axe_source) == []
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_not_found_page_has_no_axe_violations(
    browser, subpath_host: str, axe_source: str, scheme: str
) -> None:
    """Served deep under a sub-path, as a reader who followed a dead link meets it."""
    page = browser.new_page(color_scheme=scheme)
    page.goto(subpath_host + "live/ukraine-day-7/gone/")
    assert axe_violations(page, axe_source) == []
    page.close()
