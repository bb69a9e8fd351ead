"""The floor of dateline's stack: a bare markdown-it-py + Jinja2 loop over the same entries.

    python benchmarks/floor.py CONTENT OUT JOBS [--contract]

Reads each entry's front matter (PyYAML's C loader), renders its body with a
CommonMark markdown-it-py parser and a one-template Jinja2 page (autoescaped), and
writes one page per entry, shared between JOBS forked processes. No timeline, feeds,
figure boxes, topics, sitemap or checks: what no build on this stack can go below.

With `--contract`, it also writes what the content contract requires for every entry
beyond its page, as plainly as this stack allows: each story's timeline (20 entries a
page, each with its text, as dateline's shows them) and its Atom (feedgen, as
dateline's) and JSON feeds with one item for each of its newest 50 entries (contract
v1.1's default `feed_items`), its text included. Still no
topics, sitemap, figure boxes, page metadata, checks or cache: what no build that keeps
the contract can go below on this stack.

`run.py` times both beside dateline, so a target can be read against what is possible.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
from datetime import datetime
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

ENV = jinja2.Environment(autoescape=True)
PAGE = ENV.from_string(
    "<!doctype html><html><head><title>{{ title }}</title></head><body><article>"
    "<h1>{{ title }}</h1><time>{{ time }}</time>{{ body }}</article></body></html>"
)
TIMELINE = ENV.from_string(
    "<!doctype html><html><head><title>{{ story }}</title></head><body>"
    "{% for name, title, time, body in entries %}<article><h2>"
    '<a href="{{ up }}{{ name }}/">{{ title }}</a></h2><time>{{ time }}</time>{{ body }}</article>'
    "{% endfor %}</body></html>"
)
MD = MarkdownIt("commonmark")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
BASE = "https://example.org/"
PER_PAGE = 20

# (story, file stem, title, time, body HTML, Atom item, JSON item) of one entry
Row = tuple[str, str, str, str, str, bytes, str]


def page(path: Path, out: Path) -> tuple[dict, str]:
    """Read one entry and write its page; its front matter and body HTML."""
    _, head, body = path.read_text().split("---\n", 2)
    fields = yaml.load(head, Loader=LOADER)
    html = MD.render(body)
    text = PAGE.render(title=fields["title"], time=fields["time"], body=Markup(html))
    folder = out / path.parent.name / path.stem
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text)
    return fields, html


def render(job: tuple[list[Path], Path]) -> int:
    paths, out = job
    for path in paths:
        page(path, out)
    return len(paths)


def contract_rows(job: tuple[list[Path], Path]) -> list[Row]:
    """Each entry's page written, and what its story's timeline and feeds need of it."""
    from feedgen.entry import FeedEntry  # (the bare floor does not import these)
    from lxml import etree

    paths, out = job
    rows = []
    for path in paths:
        fields, html = page(path, out)
        title, time = fields["title"], str(fields["time"])
        url, when = f"{BASE}{path.parent.name}/{path.stem}/", datetime.fromisoformat(time)
        atom = FeedEntry()
        atom.id(url)
        atom.title(title)
        atom.link(href=url)
        atom.published(when)
        atom.updated(when)
        atom.content(html, type="html")
        item = {"id": url, "url": url, "title": title, "content_html": html}
        item["date_published"] = when.isoformat()
        atom_item = etree.tostring(atom.atom_entry(), encoding="utf-8")
        json_item = json.dumps(item, ensure_ascii=False)
        rows.append((path.parent.name, path.stem, title, time, html, atom_item, json_item))
    return rows


def timeline(job: tuple[list[tuple[str, int, list[Row]]], Path]) -> int:
    pages, out = job
    for story, number, rows in pages:
        folder = out / story / ("" if number == 1 else f"page/{number}")
        folder.mkdir(parents=True, exist_ok=True)
        entries = [(r[1], r[2], r[3], Markup(r[4])) for r in rows]
        up = "" if number == 1 else "../../"
        (folder / "index.html").write_text(TIMELINE.render(story=story, up=up, entries=entries))
    return len(pages)


FEED_ITEMS = 50  # the contract's default: a story's feeds carry its newest 50 entries


def feeds(story: str, rows: list[Row], out: Path) -> None:
    """The story's Atom and JSON feeds of its newest FEED_ITEMS rows (`rows` newest first)."""
    from feedgen.feed import FeedGenerator

    rows = rows[:FEED_ITEMS]

    atom = FeedGenerator()
    atom.id(f"{BASE}{story}/")
    atom.title(story)
    atom.link(href=f"{BASE}{story}/")
    head = atom.atom_str(pretty=False).removesuffix(b"</feed>")
    (out / story / "feed.xml").write_bytes(head + b"".join(r[5] for r in rows) + b"</feed>\n")
    head = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": story})
    items = ",\n".join(r[6] for r in rows)
    (out / story / "feed.json").write_text(f'{head[:-1]}, "items": [\n{items}\n]}}\n')


def shared(work, items: list, out: Path, jobs: int, also=lambda: None) -> list:
    """`work` on each of `jobs` shares of `items`, this process doing one (and `also`,
    while the others work); the results."""
    shares = [(items[n::jobs], out) for n in range(jobs)]
    if jobs == 1:
        also()
        return [work(shares[0])]
    with mp.get_context("fork").Pool(jobs - 1) as pool:
        pending = pool.map_async(work, shares[1:])
        also()
        return [work(shares[0]), *pending.get()]


def main() -> None:
    content, out, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    paths = sorted(p for p in content.glob("*/*.md") if p.name != "_index.md")
    for story in {p.parent.name for p in paths}:
        (out / story).mkdir(parents=True)
    if "--contract" not in sys.argv[4:]:
        shared(render, paths, out, jobs)
        return
    stories: dict[str, list[Row]] = {}
    for row in sorted(r for rows in shared(contract_rows, paths, out, jobs) for r in rows):
        stories.setdefault(row[0], []).append(row)
    for rows in stories.values():
        rows.reverse()  # newest first
    pages = [
        (story, start // PER_PAGE + 1, rows[start : start + PER_PAGE])
        for story, rows in stories.items()
        for start in range(0, len(rows), PER_PAGE)
    ]
    shared(timeline, pages, out, jobs, lambda: [feeds(s, r, out) for s, r in stories.items()])


if __name__ == "__main__":
    main()
