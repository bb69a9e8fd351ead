"""axe-core and pa11y (HTML_CodeSniffer, WCAG2AA) find nothing on every kind of page of
the built sample site, with JavaScript on and off, as outside checkers test it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

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


# "Without JavaScript" for a checker that is itself a script: the site's own scripts
# (the reader script, search's) are not loaded, so each page is as it is served.
SITE_SCRIPTS = re.compile(r"/static/dateline\.js|/search/pagefind/")


@pytest.mark.parametrize(
    ("scheme", "javascript"),
    [("light", True), ("dark", True), ("light", False)],
    ids=["light", "dark", "light-no-js"],
)
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(
    browser, sample_url: str, axe_source: str, path: str, scheme: str, javascript: bool
) -> None:
    context = browser.new_context(color_scheme=scheme)
    if not javascript:
        context.route(SITE_SCRIPTS, lambda route: route.abort())
    page = context.new_page()
    page.goto(sample_url + path)
    if javascript and path.startswith("search/"):  # its results in, as a reader meets it
        page.wait_for_selector(".search-result")
    assert axe_violations(page, axe_source) == []
    context.close()


PA11Y = Path(__file__).parent / "pa11y.mjs"
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"


@pytest.mark.parametrize("javascript", ["on", "off"])
def test_no_pa11y_errors_on_any_page(sample_url: str, subpath_host: str, javascript: str) -> None:
    """pa11y's HTML_CodeSniffer runner at WCAG2AA, as outside audits run it: the hidden
    live-updates button without a name was its H91 error on every story page."""
    if not (NODE_MODULES / ".bin" / "pa11y").exists() or not shutil.which("node"):
        message = "pa11y is not installed; run bash scripts/install-test-deps.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    urls = [sample_url + path for path in PAGES] + [subpath_host + "live/ukraine-day-7/gone/"]
    done = subprocess.run(
        ["node", str(PA11Y), javascript, *urls], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert set(found) == set(urls)  # every page was checked
    assert {url: errors for url, errors in found.items() if errors} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_not_found_page_has_no_axe_violations(
    browser, subpath_host: str, axe_source: str, scheme: str
) -> None:
    """Served deep under a sub-path, as a reader who followed a dead link meets it."""
    page = browser.new_page(color_scheme=scheme)
    page.goto(subpath_host + "live/ukraine-day-7/gone/")
    assert axe_violations(page, axe_source) == []
    page.close()
