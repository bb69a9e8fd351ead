"""Build synthetic live stories with dateline, Pelican and Hugo; print one table.

    python benchmarks/run.py                      # N = 1,000, 5,000 and 20,000
    python benchmarks/run.py --sizes 300 --jobs 1

For each size it writes the same articles for all three tools, times a full build of
each in this one run, and prints dateline's time as a ratio to the others. For dateline
it also prints pages written, peak memory, a command-line rebuild after editing one
entry, and the dev server's incremental rebuild after the same edit: to the edited
entry's page written and to the whole rebuild done. Pelican is
installed in a throwaway virtual environment (default theme, pagination 20); Hugo is
used when the Debian package is on the machine (minimal layouts, pagination 20).
Numbers are printed, never asserted: speed goals are read, not unit-tested.
"""

from __future__ import annotations

import argparse
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

from benchmarks.generate import generate  # noqa: E402

# Runs in a fresh interpreter: one full build, then the dev server's incremental path.
MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
from dateline.cli import main
content, out, jobs, edit = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
started = time.perf_counter()
code = main(["build", "--content", str(content), "--out", str(out), "-q", "--jobs", jobs])
seconds = time.perf_counter() - started
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
if code != 0:
    raise SystemExit(f"the dateline build failed with exit status {code}")
result = {"code": code, "seconds": seconds, "peak_mb": peak}
if sys.argv[5] == "serve":
    from dateline.rebuild import Rebuilder
    rebuilder = Rebuilder(content.resolve(), out.parent / "served")
    first = rebuilder.build()
    rebuilder.settle()  # as the server does after each build
    edit.write_text(edit.read_text().replace("title: \"", "title: \"Edited ", 1))
    told = []
    started = time.perf_counter()
    again = rebuilder.build({edit.resolve()}, lambda paths: told.append(time.perf_counter()))
    result["serve_rebuild_ms"] = (time.perf_counter() - started) * 1000
    result["serve_page_ms"] = (told[0] - started) * 1000  # the edited entry's page written
    result["serve_rendered"] = again.rendered
    result["serve_written"] = again.written
print(json.dumps(result))
"""


def run_dateline(content: Path, out: Path, jobs: int, edit: Path, serve: bool) -> dict:
    os.sync()  # no tool pays for the writes of the step before it
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            MEASURE,
            str(content),
            str(out),
            str(jobs),
            str(edit),
            "serve" if serve else "-",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(f"dateline benchmark run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


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


def timed(command: list[str], cwd: Path, output: Path) -> float:
    """Seconds a cold build takes (its `output` removed first)."""
    shutil.rmtree(output, ignore_errors=True)
    os.sync()
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def fresh(folder: Path) -> Path:
    """`folder` removed, with a dateline build cache beside it: the next build is cold."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder.parent / f".{folder.name}.dateline-cache").unlink(missing_ok=True)
    return folder


def bench(
    size: int, work: Path, jobs: int, pelican: Path | None, hugo: str | None, repeat: int = 1
) -> dict:
    base = work / f"n{size}"
    content = generate(base / "content", size)
    entries = sum(1 for p in content.glob("*/*.md") if p.name != "_index.md")
    edit = content / "story-1" / f"e{size // 2:06d}.md"
    row: dict[str, object] = {"N": size, "entries": entries}
    # Cold full builds (`repeat` of them, the median kept); the last also measures the
    # dev server, whose edit the command-line rebuild below then picks up.
    fulls = [
        run_dateline(content, fresh(base / "site"), jobs, edit, serve=number == repeat - 1)
        for number in range(repeat)
    ]
    first = fulls[-1]
    row.update(
        seconds=statistics.median(f["seconds"] for f in fulls),
        peak_mb=first["peak_mb"],
        serve_ms=first["serve_rebuild_ms"],
        page_ms=first["serve_page_ms"],
        serve_rendered=first["serve_rendered"],
    )
    row["pages"] = sum(1 for _ in (base / "site").rglob("*.html"))
    again = run_dateline(content, base / "site", jobs, edit, serve=False)  # after the edit
    row["rebuild"] = again["seconds"]
    items = articles(content)
    if pelican is not None:
        write_pelican(items, base / "pelican")
        command = [str(pelican), "-m", "pelican", "content", "-o", "output", "-s"]
        row["pelican"] = statistics.median(
            timed([*command, "pelicanconf.py", "-q"], base / "pelican", base / "pelican/output")
            for _ in range(repeat)
        )
    if hugo is not None:
        write_hugo(items, base / "hugo")
        row["hugo"] = statistics.median(
            timed([hugo, "--quiet"], base / "hugo", base / "hugo/public") for _ in range(repeat)
        )
    shutil.rmtree(base, ignore_errors=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-pelican", action="store_true")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each full build N times, keep the median"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="where to write stories and sites (default: the system's temporary folder); "
        "/dev/shm takes the disk out of the comparison",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dateline-bench-", dir=args.work) as scratch:
        work = Path(scratch)
        pelican = None if args.no_pelican else pelican_python(work)
        hugo = None if args.no_hugo else shutil.which("hugo")
        if hugo is None and not args.no_hugo:
            print("(hugo is not on this machine: apt-get install hugo to compare)")
        print(
            f"{os.cpu_count()} cores, --jobs {args.jobs}; times in seconds unless marked; "
            f"full builds: median of {args.repeat}"
        )
        header = (
            f"{'N':>7} {'entries':>7} {'dateline':>9} {'entries/s':>9} {'pages':>6} "
            f"{'peak MB':>7} {'rebuild':>8} {'of full':>7} {'page ms':>7} {'serve ms':>8} "
            f"{'pelican':>8} {'ratio':>6} {'hugo':>6} {'ratio':>6}"
        )
        print(header)
        for size in args.sizes:
            row = bench(size, work, args.jobs, pelican, hugo, args.repeat)
            pel, hug = row.get("pelican"), row.get("hugo")
            print(
                f"{row['N']:>7,} {row['entries']:>7,} {row['seconds']:>9.2f} "
                f"{row['entries'] / row['seconds']:>9,.0f} {row['pages']:>6,} "
                f"{row['peak_mb']:>7,.0f} {row['rebuild']:>8.2f} "
                f"{row['rebuild'] / row['seconds']:>7.2f} {row['page_ms']:>7.0f} "
                f"{row['serve_ms']:>8.0f} "
                f"{pel if pel is not None else float('nan'):>8.2f} "
                f"{row['seconds'] / pel if pel else float('nan'):>6.2f} "
                f"{hug if hug is not None else float('nan'):>6.2f} "
                f"{row['seconds'] / hug if hug else float('nan'):>6.2f}",
                flush=True,
            )
        print(
            "ratio = dateline's time / the other tool's time on the same articles (lower is better)"
        )
        print("rebuild = a command-line build after editing one entry (of full: as a share")
        print("of the full build); page ms = the dev server, from the edit to the edited")
        print("entry's page written; serve ms = to the whole rebuild done, feeds included")


if __name__ == "__main__":
    main()
