"""Where a build's time goes: CPU time by step and kind of output, beside the floor's.

    python benchmarks/breakdown.py                    # a 2,000-entry site
    python benchmarks/breakdown.py --size 20000
    python benchmarks/breakdown.py --content content  # an existing site

`run.py` says how fast a build is; this says why, so the next change goes where the time
is. It reads and renders the site in this one process (no workers, no build cache, so no
step hides behind another) with a timer around each step, and prints each step's CPU
time: its own, not what it calls that has a line of its own. A timer costs about a
microsecond a call, some 20 an entry, so the steps' times are a little high. Beside them
it times the floor (`floor.py`: front matter, Markdown and a one-template page an entry,
nothing else) on the same entries, which is what any build on this stack pays.
Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from markdown_it import MarkdownIt  # noqa: E402

from benchmarks import floor  # noqa: E402
from benchmarks.generate import generate  # noqa: E402
from dateline.build import read_site  # noqa: E402
from dateline.read import entryfile  # noqa: E402
from dateline.render import renderer  # noqa: E402
from dateline.speed.bodies import spilling  # noqa: E402
from dateline.write import output  # noqa: E402

# (where the function is looked up, its name, the step it is). Functions are looked up
# by name at each call, so replacing them there times every call.
READING = [
    (entryfile, "read_fields", "reading: front matter (YAML, checks)"),
    (MarkdownIt, "parse", "reading: Markdown parse (markdown-it-py)"),
    (entryfile, "render", "reading: Markdown to HTML, sanitized"),
    (entryfile, "parse_box", "reading: figure boxes"),
    (entryfile, "body", "reading: bodies set aside (spill file)"),
]
RENDERING = [
    (renderer.Renderer, "page", "rendering: the site's front page and 404 page"),
    (renderer, "feed_share", "rendering: feed items (Atom, JSON Feed)"),
    (renderer.Renderer, "data_files", "rendering: figures.json"),
    (renderer.Renderer, "_sitemap_file", "rendering: sitemap"),
    (output.Output, "write", "rendering: writing pages and files"),
    (output.Output, "copy", "rendering: copying static files and media"),
]
# Pages are timed by their template: one step per kind of page.
PAGE_KINDS = {
    "entry.html": "rendering: entry pages",
    "story.html": "rendering: timeline pages, with their articles",
    "tracker.html": "rendering: metric trackers and charts",
    "tag.html": "rendering: topic pages",
    "figures-index.html": "rendering: the site's figure pages, across stories",
    "site-tracker.html": "rendering: the site's figure pages, across stories",
}


class Clock:
    """CPU time per step, each step's own: a step's time leaves out the steps it calls."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._stack: list[list[float]] = []  # per open step: [started, time in callees]

    def wrap(self, function: Callable, step: str) -> Callable:
        def timed(*args: object, **kwargs: object) -> object:
            # Renderer.page(self, job) is timed by the job's kind.
            kind = getattr(args[1], "template", None) if len(args) > 1 else None
            here = PAGE_KINDS.get(kind, step) if function.__name__ == "page" else step
            self._stack.append([time.process_time(), 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                started, inner = self._stack.pop()
                took = time.process_time() - started
                self.spent[here] = self.spent.get(here, 0.0) + took - inner
                if self._stack:
                    self._stack[-1][1] += took

        return timed

    @contextmanager
    def timing(self, places: list[tuple[object, str, str]], rest: str) -> Iterator[None]:
        """Time every call of the functions at `places` while inside, and as `rest` the
        time spent inside besides theirs."""
        originals = [(owner, name, getattr(owner, name)) for owner, name, _ in places]
        for (owner, name, function), (_, _, step) in zip(originals, places, strict=True):
            setattr(owner, name, self.wrap(function, step))
        before, started = sum(self.spent.values()), time.process_time()
        try:
            yield
        finally:
            took = time.process_time() - started
            self.spent[rest] = took - (sum(self.spent.values()) - before)
            for owner, name, function in originals:
                setattr(owner, name, function)


def start_up() -> tuple[float, float]:
    """Wall seconds to start Python, and to start it and import the command line."""

    def wall(code: str) -> float:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            best = min(best, time.perf_counter() - started)
        return best

    return wall("pass"), wall("import dateline.cli")


def profile(content: Path, scratch: Path) -> tuple[dict[str, float], int, float]:
    """One read and one render of `content` with every step timed: (CPU seconds per
    step, entries, the floor's CPU seconds on the same entries)."""
    clock = Clock()
    with spilling(scratch / "site"):
        with clock.timing(READING, "reading: the rest"):
            site, _ = read_site(content, jobs=1)
        maker = renderer.Renderer(site.content, keep=False, words=site.words)
        maker.feed_parts = Path(tempfile.mkdtemp(dir=scratch))
        if site.config.base_url is None:
            print("(site.toml has no base_url: no feeds or sitemap to time)")
        with clock.timing(RENDERING, "rendering: the rest (index, 404, static, bookkeeping)"):
            maker.render(site, output.Output(scratch / "out"))
    entries = sum(len(story.entries) for story in site.stories)
    paths = sorted(p for p in content.glob("*/*.md") if p.name != "_index.md")
    for story in {p.parent.name for p in paths}:
        (scratch / "floor" / story).mkdir(parents=True)
    started = time.process_time()
    floor.render((paths, scratch / "floor"))
    return clock.spent, entries, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2000, help="entries to generate")
    parser.add_argument("--content", type=Path, help="profile this site instead")
    args = parser.parse_args()
    python, imported = start_up()
    with tempfile.TemporaryDirectory(prefix="dateline-profile-") as scratch:
        work = Path(scratch)
        content = args.content or generate(work / "content", args.size)
        spent, entries, floor_seconds = profile(content.resolve(), work)
    total = sum(spent.values())
    print(f"{entries:,} entries, one process, CPU seconds (start-up: wall seconds)")
    print(f"{'step':<62} {'s':>6} {'µs/entry':>8} {'share':>6}")
    print(f"{'start-up: Python itself':<62} {python:>6.2f}")
    print(f"{'start-up: importing dateline':<62} {imported - python:>6.2f}")
    for step, seconds in spent.items():
        print(f"{step:<62} {seconds:>6.2f} {seconds * 1e6 / entries:>8.0f} {seconds / total:>6.0%}")
    print(f"{'reading and rendering':<62} {total:>6.2f} {total * 1e6 / entries:>8.0f}")
    print(
        f"{'the floor (benchmarks/floor.py), same entries':<62} {floor_seconds:>6.2f} "
        f"{floor_seconds * 1e6 / entries:>8.0f} {floor_seconds / total:>6.0%}"
    )
    print("(writing counts the kernel's time too, which on this machine's disk was several")
    print("times higher within a minute of files being deleted: see run.py's --settle)")


if __name__ == "__main__":
    main()
