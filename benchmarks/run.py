"""Build synthetic live stories with dateline, Pelican and Hugo; print one table.

    python benchmarks/run.py                      # N = 1,000, 5,000 and 20,000
    python benchmarks/run.py --sizes 300 --jobs 1

For each size it writes the same articles for all three tools, times full builds of
each in this one run (the tools taking turns), and prints dateline's time as a ratio to
the others. For dateline it also prints pages written, peak memory, a command-line
rebuild after editing one entry, a publish's rebuild after adding one (on a fresh copy
of the content, as a CI runner checks it out), another after a change every page shows
(the site's title), and the dev server's incremental rebuild after the same edit: to the edited
entry's page written and to the whole rebuild done, and the dev server's peak memory.
Pelican is installed in a throwaway virtual environment (default theme, pagination 20);
Hugo is used when the Debian package is on the machine (minimal layouts, pagination 20).
Two floors are timed the same way (benchmarks/floor.py): a bare markdown-it-py + Jinja2
loop writing each entry's page, and that loop also writing the timeline and feeds the
content contract requires, so each target can be read against the lowest this stack
reaches. Numbers are printed, never asserted: speed goals are read, not unit-tested.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import add_entry, generate  # noqa: E402

# Each tool's build runs under this small wrapper, so all three are timed the same way:
# the whole process, interpreter start and exit included, and the peak memory of the
# largest process it started (a build and its workers).
WRAP = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[2:], cwd=sys.argv[1], capture_output=True, text=True)
seconds = time.perf_counter() - started
if done.returncode != 0:
    raise SystemExit(f"{sys.argv[2:]} failed:\n{done.stderr[-3000:]}")
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak}))
"""

# The dev server's incremental path, in a fresh interpreter: a first build as `serve`
# makes it (timed too: an editor waits for it when starting the server), one edit, then
# the rebuild it triggers.
SERVE = r"""
import json, resource, sys, time
from pathlib import Path
from dateline.serve.rebuild import Rebuilder
content, out, edit = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
started = time.perf_counter()
rebuilder = Rebuilder(content.resolve(), out)
rebuilder.build(jobs=int(sys.argv[4]))
first = time.perf_counter() - started
rebuilder.settle()  # as the server does after each build
edit.write_text(edit.read_text().replace("title: \"", "title: \"Edited ", 1))
told = []
started = time.perf_counter()
again = rebuilder.build({edit.resolve()}, lambda paths: told.append(time.perf_counter()))
print(json.dumps({
    "serve_first_s": first,
    "serve_rebuild_ms": (time.perf_counter() - started) * 1000,
    "serve_page_ms": (told[0] - started) * 1000,  # the edited entry's page written
    "serve_rendered": again.rendered,
    "serve_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # its peak
}))
"""


def timed(command: list[str], cwd: Path) -> dict:
    """Wall seconds and peak MB of one build.

    Each build writes into a folder no build has used (a cold build), and no file is
    deleted between one tool's full build and the next's: on this machine's disk, files
    made just after others were deleted cost several times more (see `settle`). The
    caller warms the tool's inputs and code first (see `warm`).
    """
    os.sync()  # no tool pays for the writes of the step before it
    return _python_json(WRAP, [str(cwd), *command], cwd)


def _python_json(code: str, args: list[str], cwd: Path) -> dict:
    """Run `code` in a fresh interpreter; the JSON object its last line prints."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def dateline_command(content: Path, out: Path, jobs: int) -> list[str]:
    """A command-line build, as an editor runs it: `python build.py` (from ROOT)."""
    command = [sys.executable, "build.py", "build", "--content", str(content)]
    return [*command, "--out", str(out), "-q", "--jobs", str(jobs)]


def dateline_build(content: Path, out: Path, jobs: int) -> dict:
    return timed(dateline_command(content, out, jobs), ROOT)


def serve_rebuild(content: Path, out: Path, edit: Path, jobs: int) -> dict:
    """The dev server's first build, then its rebuild after `edit` is saved."""
    return _python_json(SERVE, [str(content), str(out), str(edit), str(jobs)], ROOT)


def read_all(folder: Path) -> None:
    """Read every file under `folder`, so a build finds it in the page cache."""
    for root, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                while handle.read(1 << 20):
                    pass


def warm(inputs: Path, warm_up: list[str], cwd: Path) -> None:
    """Before a timed build: read the tool's input files, and run the tool once on a
    tiny site, so its code (Python modules, Hugo's binary) is in memory too.

    This machine pages out files nobody has touched for about a minute (the kernel's
    DAMON reclaim: `pageout` of regions idle for 12 intervals of 5 s). Reading 20,000
    entries from the disk then took 1.9 s instead of 0.3, so a build's time depended on
    how long ago its files were last read: at 20,000 entries every tool's were gone by
    its turn (a round of the four takes about 100 s), at smaller sizes only in the first
    round after `settle`, and the floor always ran warm, straight after dateline had
    read the same files. Builds on an editor's machine or a CI runner read files just
    written or read; so every tool is timed warm, alike.
    """
    read_all(inputs)
    subprocess.run(warm_up, cwd=cwd, check=True, capture_output=True)


def _prefix_title(path: Path, key: str, prefix: str) -> None:
    """Change a file's title by prefixing the text after its first `key`."""
    path.write_text(path.read_text().replace(key, key + prefix, 1))


def pelican_python(work: Path) -> Path | None:
    """Pelican in a throwaway virtual environment; None if it cannot be installed."""
    env = work / "pelican-venv"
    python = env / "bin" / "python"
    if not python.exists():
        venv.create(env, with_pip=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "pelican", "markdown"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"(Pelican not installed: {done.stderr.strip()[-200:]})")
            return None
    return python


FRONT = re.compile(r"^---\n(.*?)\n---\n", re.S)


def articles(content: Path) -> list[tuple[str, dict[str, str], str]]:
    """(name, fields, body) for every entry of the generated content."""
    found = []
    for path in sorted(content.glob("*/*.md")):
        if path.name == "_index.md":
            continue
        text = path.read_text()
        match = FRONT.match(text)
        assert match
        fields = {}
        for line in match.group(1).splitlines():
            key, _, value = line.partition(": ")
            fields[key] = value.strip().strip('"')
        found.append((f"{path.parent.name}-{path.stem}", fields, text[match.end() :]))
    return found


def write_pelican(items: list, folder: Path) -> None:
    (folder / "content").mkdir(parents=True)
    for name, fields, body in items:
        tags = fields.get("tags", "").strip("[]")
        (folder / "content" / f"{name}.md").write_text(
            f"Title: {fields['title']}\nDate: {fields['time']}\nTags: {tags}\n"
            f"Category: live\nSlug: {name}\nAuthor: {fields.get('author', 'Desk')}\n\n{body}"
        )
    (folder / "pelicanconf.py").write_text(
        "SITENAME = 'Benchmark'\nSITEURL = ''\nTIMEZONE = 'Europe/London'\n"
        "DEFAULT_LANG = 'en'\nDEFAULT_PAGINATION = 20\nFEED_ALL_ATOM = None\n"
        "CATEGORY_FEED_ATOM = None\nTRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\n"
        "AUTHOR_FEED_RSS = None\nLOAD_CONTENT_CACHE = False\n"
    )


def write_hugo(items: list, folder: Path) -> None:
    posts = folder / "content" / "posts"
    posts.mkdir(parents=True)
    for name, fields, body in items:
        stamp = fields["time"]  # "2022-02-24 05:11+02:00"
        date = stamp[:16].replace(" ", "T") + ":00" + stamp[16:]
        (posts / f"{name}.md").write_text(
            f'---\ntitle: "{fields["title"]}"\ndate: {date}\ntags: {fields.get("tags", "[]")}\n---\n{body}'
        )
    layouts = folder / "layouts" / "_default"
    layouts.mkdir(parents=True)
    page = '<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>'
    (layouts / "baseof.html").write_text(page)
    (layouts / "single.html").write_text(
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date }}</time>{{ .Content }}</article>{{ end }}'
    )
    listing = (
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<article><h2>'
        '<a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ .Content }}</article>{{ end }}{{ end }}'
    )
    (layouts / "list.html").write_text(listing)
    (layouts / "index.html").write_text(listing)
    (folder / "config.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "Benchmark"\npaginate = 20\n'
        "disableKinds = ['RSS', 'sitemap', 'robotsTXT']\n"
    )


def bench(
    size: int,
    work: Path,
    jobs: int,
    pelican: Path | None,
    hugo: str | None,
    repeat: int = 1,
    pause: float = 0.0,
) -> dict:
    base = work / f"n{size}"
    content = generate(base / "content", size)
    entries = sum(1 for p in content.glob("*/*.md") if p.name != "_index.md")
    edit = content / "story-1" / f"e{size // 2:06d}.md"
    row: dict[str, object] = {"N": size, "entries": entries}
    runs = range(repeat)
    # Each tool's input: the generated content (dateline and the floors) or the same
    # articles in the tool's own layout; and a tiny copy of each, for its warm-up run
    # before each timed build.
    tiny = base / "tiny"
    items, tiny_items = articles(content), articles(generate(tiny / "content", 30))
    sites = {tool: (content, tiny / "content") for tool in ("dateline", "floor", "contract")}
    for tool, write in (("pelican", write_pelican), ("hugo", write_hugo)):
        if (pelican if tool == "pelican" else hugo) is not None:
            write(items, base / tool)
            write(tiny_items, tiny / tool)
            sites[tool] = (base / tool, tiny / tool)

    def command(tool: str, site: Path, out: Path) -> tuple[list[str], Path]:
        """`tool`'s build of the input folder `site` into `out`, and where it runs."""
        if tool == "dateline":
            return dateline_command(site, out, jobs), ROOT
        if tool in ("floor", "contract"):
            floor = [sys.executable, str(ROOT / "benchmarks" / "floor.py"), str(site), str(out)]
            return [*floor, str(jobs), *(["--contract"] if tool == "contract" else [])], ROOT
        if tool == "pelican":
            settings = ["-s", str(site / "pelicanconf.py"), "-q", "-o", str(out)]
            return [str(pelican), "-m", "pelican", str(site / "content"), *settings], site
        return [str(hugo), "--quiet", "-s", str(site), "-d", str(out)], site

    def warmed(tool: str, name: str) -> None:
        """Warm `tool` for its next timed build (see `warm`); `name`: its warm-up's
        output folder, one no build has used."""
        site, small = sites[tool]
        warm(site, *command(tool, small, tiny / name))

    settle(pause)
    row["folder_us"] = folder_cost(base / "folder-cost")
    # Full builds from nothing (`repeat` rounds, each into a new folder with the tool's
    # inputs warm; the median kept). The tools take turns within each round: this
    # machine's speed drifts by 10-30% over minutes, and timing one tool's runs
    # together, then the next's, put that drift into their ratio.
    times: dict[str, list[dict]] = {tool: [] for tool in sites}
    for n in runs:
        for tool, (site, _) in sites.items():
            warmed(tool, f"{tool}{n}")
            times[tool].append(timed(*command(tool, site, base / f"{tool}-out{n}")))
    for tool, timings in times.items():
        if timings:
            row[tool] = statistics.median(t["seconds"] for t in timings)
    row["seconds"] = row.pop("dateline")
    row["peak_mb"] = max(r["peak_mb"] for r in times["dateline"])
    site = base / f"dateline-out{repeat - 1}"
    row["pages"] = sum(1 for _ in site.rglob("*.html"))
    warmed("dateline", "dateline-serve")
    served = serve_rebuild(content, base / "served", edit, jobs)
    row.update(
        serve_first=served["serve_first_s"],
        serve_ms=served["serve_rebuild_ms"],
        page_ms=served["serve_page_ms"],
        serve_rendered=served["serve_rendered"],
        serve_mb=served["serve_mb"],
    )
    # Command-line rebuilds over the last full build, `repeat` of each (the median kept,
    # as for full builds): after editing one entry (the first after the dev server's
    # edit above), and after a new site title, which changes and replaces every page.
    rebuilds, restyles = [], []
    for n in runs:
        if n:
            _prefix_title(edit, 'title: "', f"Edit {n} ")
        read_all(content)  # (the code is warm: the builds follow one another)
        rebuilds.append(dateline_build(content, site, jobs)["seconds"])
    for n in runs:
        _prefix_title(content / "site.toml", 'title = "', f"Retitled {n} ")
        read_all(content)
        restyles.append(dateline_build(content, site, jobs)["seconds"])
    row["rebuild"] = statistics.median(rebuilds)
    row["restyle"] = statistics.median(restyles)
    row["fresh"] = statistics.median(
        fresh_publish(content, site, jobs, size + n, base / f"checkout{n}") for n in runs
    )
    return row  # the folders stay until the run's temporary folder goes


def fresh_publish(content: Path, site: Path, jobs: int, index: int, checkout: Path) -> float:
    """A publish on a CI runner: one entry added, then a build on a fresh checkout
    (every content file with a new modification time and inode) over the output and
    build cache as the last build left them, as actions/cache restores them (their
    bytes and modification times; dateline asks nothing else of them).

    The old content folder is moved aside, not deleted (see `settle`)."""
    add_entry(content, index)
    shutil.copytree(content, checkout, copy_function=shutil.copyfile)
    content.rename(checkout.with_name(checkout.name + "-before"))
    checkout.rename(content)
    read_all(content)
    return dateline_build(content, site, jobs)["seconds"]


def settle(seconds: float) -> None:
    """Wait, before a size's timed builds, until no file has been deleted for `seconds`.

    This machine's disk (ext4 without a journal) does not hand out an inode freed in the
    last minute or so: making a file or folder steps past each one, reading the inode
    table to check (the kernel's `recently_deleted`, the top of a profile of slow
    folders). So after the previous size's rebuilds had replaced thousands of pages, or
    pip had installed Pelican, a page in a new folder cost 260 µs instead of 75 for the
    next minute, and the tool that ran first paid most.
    """
    os.sync()
    time.sleep(seconds)


def folder_cost(probe: Path, count: int = 500) -> float:
    """Microseconds to write a 20 KB page into a new folder under `probe`, as dateline
    and Hugo give each entry (Pelican writes a file per entry, no folder).

    Printed beside each size's timings: on this machine the cost varied from 60 to 700
    µs with the disk's state. The probe is left in place (see `settle`: deleting it
    would slow the builds that follow).
    """
    probe.mkdir(parents=True)
    page = b"x" * 20_000
    started = time.perf_counter()
    for n in range(count):
        os.mkdir(probe / f"e{n}")
        (probe / f"e{n}" / "index.html").write_bytes(page)
    return (time.perf_counter() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-pelican", action="store_true")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time each full build and rebuild N times, keep the median",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=65.0,
        help="seconds to wait before each size's timed builds, so none pays for files "
        "deleted just before (see settle(); CI passes 0)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="where to write stories and sites (default: the system's temporary folder); "
        "/dev/shm takes the disk out of the comparison",
    )
    args = parser.parse_args()
    # As `pip install` does for an installed package (Pelican's venv has its bytecode):
    # an editable checkout run with PYTHONDONTWRITEBYTECODE would compile every module
    # on every build.
    compileall.compile_dir(ROOT / "dateline", quiet=1)
    with tempfile.TemporaryDirectory(prefix="dateline-bench-", dir=args.work) as scratch:
        work = Path(scratch)
        pelican = None if args.no_pelican else pelican_python(work)
        hugo = None if args.no_hugo else shutil.which("hugo")
        if hugo is None and not args.no_hugo:
            print("(hugo is not on this machine: apt-get install hugo to compare)")
        print(
            f"{os.cpu_count()} cores, --jobs {args.jobs}; times in seconds unless marked; "
            f"builds: median of {args.repeat}"
        )
        header = (
            f"{'N':>7} {'entries':>7} {'dateline':>9} {'entries/s':>9} {'pages':>6} "
            f"{'peak MB':>7} {'rebuild':>8} {'of full':>7} {'fresh':>6} {'of full':>7} {'restyle':>7} "
            f"{'serve s':>7} {'page ms':>7} "
            f"{'serve ms':>8} {'serve MB':>8} "
            f"{'pelican':>8} {'ratio':>6} {'hugo':>6} {'ratio':>6} {'floor':>6} {'f/pel':>6} "
            f"{'contract':>8} {'c/pel':>6} {'c/hugo':>6} {'dir µs':>6}"
        )
        print(header)
        nan = float("nan")
        for size in args.sizes:
            row = bench(size, work, args.jobs, pelican, hugo, args.repeat, args.settle)
            pel, hug, seconds = row.get("pelican"), row.get("hugo"), row["seconds"]
            contract = row["contract"]
            print(
                f"{row['N']:>7,} {row['entries']:>7,} {seconds:>9.2f} "
                f"{row['entries'] / seconds:>9,.0f} {row['pages']:>6,} "
                f"{row['peak_mb']:>7,.0f} {row['rebuild']:>8.2f} "
                f"{row['rebuild'] / seconds:>7.2f} {row['fresh']:>6.2f} "
                f"{row['fresh'] / seconds:>7.2f} {row['restyle']:>7.2f} "
                f"{row['serve_first']:>7.2f} {row['page_ms']:>7.0f} "
                f"{row['serve_ms']:>8.0f} {row['serve_mb']:>8,.0f} "
                f"{pel if pel is not None else nan:>8.2f} {seconds / pel if pel else nan:>6.2f} "
                f"{hug if hug is not None else nan:>6.2f} {seconds / hug if hug else nan:>6.2f} "
                f"{row['floor']:>6.2f} {row['floor'] / pel if pel else nan:>6.2f} "
                f"{contract:>8.2f} {contract / pel if pel else nan:>6.2f} "
                f"{contract / hug if hug else nan:>6.2f} {row['folder_us']:>6.0f}",
                flush=True,
            )
        print(
            "ratio = dateline's time / the other tool's time on the same articles (lower is better)"
        )
        print("rebuild = a command-line build after editing one entry (of full: as a share")
        print("of the full build); fresh = a publish on a CI runner: a build after adding one")
        print("entry, on a fresh copy of the content (new modification times and inodes), over")
        print("the last output and build cache (of full: as a share of the full build);")
        print("restyle = a command-line build after a change every page")
        print("shows (the site's title); serve s = the dev server's first build; page ms =")
        print("the dev server, from the edit to the edited entry's page written; serve ms = to")
        print("the whole rebuild done, feeds included; serve MB = the dev server's peak memory,")
        print("its first build and that rebuild; floor = a bare markdown-it-py + Jinja2 loop")
        print("writing one page per entry (benchmarks/floor.py), f/pel = its ratio to Pelican:")
        print("the lowest this stack reaches; contract = the floor that also writes what the")
        print("content contract requires of each entry beyond its page (the timeline, Atom and")
        print(
            "JSON feeds with the newest 50 entries' text: floor.py --contract), c/pel and c/hugo = its"
        )
        print("ratios: the lowest a build keeping the contract reaches; dir µs = the disk's")
        print("cost of a page in a new folder, as dateline and Hugo write each entry, just")
        print("before that size's builds.")
        print("Every build is timed as a whole process, interpreter start and exit included,")
        print("but for the dev server's (in its process), its inputs read and the tool run")
        print(f"once on a tiny site just before (see warm()), after {args.settle:.0f} s with no")
        print("file deleted (see --settle).")


if __name__ == "__main__":
    main()
