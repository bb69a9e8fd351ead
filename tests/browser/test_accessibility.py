"""axe-core finds no violations on the built sample site's main kinds of page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE_DIR = Path(__file__).parent / ".axe"
PAGES = [
    "",
    "ukraine-day-7/",
    "ukraine-day-7/1745-russia-admits-losses/",
    "ukraine-day-7/figures/people-who-fled-ukraine/",
    "ukraine-day-7/tags/kharkiv/",
    "riverside-by-election/",
]


@pytest.fixture(scope="session")
def axe_source() -> str:
    found = sorted(AXE_DIR.glob("axe-*.min.js"))
    if not found:
        message = "axe-core is not installed; run bash scripts/test.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found[-1].read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(
    browser, sample_url: str, axe_source: str, path: str, scheme: str
) -> None:
    page = browser.new_page(color_scheme=scheme)
    page.goto(sample_url + path)
    assert axe_violations(page, axe_source) == []
    page.close()


def axe_violations(page, axe_source: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What axe-core finds on the open page against WCAG 2.2 AA and its best practices."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_not_found_page_has_no_axe_violations(
    browser, subpath_host: str, axe_source: str, scheme: str
) -> None:
    """Served deep under a sub-path, as a reader who followed a dead link meets it."""
    page = browser.new_page(color_scheme=scheme)
    page.goto(subpath_host + "live/ukraine-day-7/gone/")
    assert axe_violations(page, axe_source) == []
    page.close()
