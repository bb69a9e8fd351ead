"""Figure boxes and trackers as readers see them at a phone's, a tablet's and a desktop's
width: a number is never split across lines ("1,59" then "7" reads as another figure),
and a table's words are not broken inside ("independe" / "ntly")."""

from __future__ import annotations

import pytest

PAGES = [
    "ukraine-day-7/",  # the sample's boxes, among them "Russian troops wounded"
    "ukraine-day-7/figures/russian-troops-killed/",
    "figures/people-who-fled-ukraine/",
]

# Each number, and each word of a cell, laid out: the pieces split over two lines.
SPLIT = """(selector) => {
  const split = [];
  const lines = (node, start, end) => {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    return tops.size;
  };
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const number = node.parentElement.closest('.num') !== null;
      // A number whole; words between spaces and hyphens (a line may end after a hyphen).
      const pieces = number ? /\\S+/g : /[^\\s\\-\u2010-\u2014]+/g;
      for (const match of node.textContent.matchAll(pieces)) {
        // Words, and whole numbers; not a pasted address longer than a phone is wide.
        if (!number && match[0].length > 18) continue;
        if (lines(node, match.index, match.index + match[0].length) > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize("width", [320, 768, 1280])
@pytest.mark.parametrize("path", PAGES)
def test_numbers_and_words_in_boxes_and_trackers_stay_whole(
    browser, sample_url: str, path: str, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(sample_url + path)
    numbers = page.locator(".figure-box .num, .tracker-table .num")
    assert numbers.count() >= 2
    # (Not the header a phone's card layout hides for screen readers, 1 px wide.)
    cells = ", ".join(
        f"{t} tbody {c}" for t in (".figure-box", ".tracker-table") for c in ["th", "td"]
    )
    assert page.evaluate(SPLIT, cells) == []
    rects = numbers.evaluate_all("ns => ns.map(n => n.getClientRects().length)")
    assert set(rects) == {1}  # each number one box: not wrapped
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()
