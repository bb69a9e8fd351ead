"""The floor of dateline's stack: a bare markdown-it-py + Jinja2 loop over the same entries.

    python benchmarks/floor.py CONTENT OUT JOBS

Reads each entry's front matter (PyYAML's C loader), renders its body with a
CommonMark markdown-it-py parser and a one-template Jinja2 page (autoescaped), and
writes one page per entry, shared between JOBS forked processes. No timeline, feeds,
figure boxes, topics, sitemap or checks: what no build on this stack can go below.
`run.py` times it beside dateline, so a target can be read against what is possible.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

PAGE = jinja2.Environment(autoescape=True).from_string(
    "<!doctype html><html><head><title>{{ title }}</title></head><body><article>"
    "<h1>{{ title }}</h1><time>{{ time }}</time>{{ body }}</article></body></html>"
)
MD = MarkdownIt("commonmark")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def render(job: tuple[list[Path], Path]) -> int:
    paths, out = job
    for path in paths:
        _, head, body = path.read_text().split("---\n", 2)
        fields = yaml.load(head, Loader=LOADER)
        html = PAGE.render(title=fields["title"], time=fields["time"], body=Markup(MD.render(body)))
        folder = out / path.parent.name / path.stem
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(html)
    return len(paths)


def main() -> None:
    content, out, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    paths = sorted(p for p in content.glob("*/*.md") if p.name != "_index.md")
    for story in {p.parent.name for p in paths}:
        (out / story).mkdir(parents=True)
    shares = [(paths[n::jobs], out) for n in range(jobs)]
    if jobs == 1:
        render(shares[0])
    else:
        with mp.get_context("fork").Pool(jobs - 1) as pool:
            pending = pool.map_async(render, shares[1:])
            render(shares[0])
            pending.get()


if __name__ == "__main__":
    main()
