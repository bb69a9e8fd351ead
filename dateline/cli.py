"""The command line: parse arguments, run a command, turn errors into exit statuses.

This is the one place errors become output: content errors print as
`path:line: message` with exit 1, usage errors exit 2, files that cannot be read or
written as `path: cannot read: reason` with exit 3, and no traceback reaches an editor
for a mistake in their files or their folders.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import jinja2

from dateline.build import build
from dateline.errors import BuildError, ContentError, FileError, UsageError, file_error
from dateline.render.theme import template_error, theme_dirs
from dateline.write.targets import Nowhere

COMMANDS = ("build", "serve", "check", "new", "new-story", "cms", "clean")


def _content(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content", type=Path, default=Path("content"), help="content folder (default: content)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="dateline: build live-blog timelines from Markdown entries.",
        epilog="With no command, 'build' runs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", help="build the site (the default command)")
    _content(b)
    b.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    b.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    b.add_argument(
        "--strict", action="store_true", help="also fail on warnings and broken internal links"
    )
    b.add_argument(
        "--no-cache",
        action="store_true",
        help="ignore and do not write the build cache kept beside the output folder",
    )
    b.add_argument(
        "-j", "--jobs", type=int, default=None, help="worker processes (default: one per core)"
    )
    b.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")
    b.add_argument("-v", "--verbose", action="store_true", help="print what each story produced")

    s = sub.add_parser("serve", help="preview: build, serve, rebuild and reload on every save")
    _content(s)
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    s.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    s.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    s.add_argument("--out", type=Path, help="folder to serve from (default: a temporary folder)")
    s.add_argument(
        "--cms",
        action="store_true",
        help="also serve the Decap CMS editor at /admin/, with its local proxy (needs Node.js)",
    )
    s.add_argument(
        "--cms-port", type=int, default=8081, help="port of the CMS's local proxy (default: 8081)"
    )

    c = sub.add_parser("check", help="check all content without writing anything")
    _content(c)
    c.add_argument(
        "--strict",
        action="store_true",
        help="also fail on warnings and on broken internal links in the pages it would write",
    )

    n = sub.add_parser("new", help="start a new entry in a story, timed now")
    _content(n)
    n.add_argument("story", help="the story's folder name")
    n.add_argument("headline", help="the entry's headline")

    ns = sub.add_parser("new-story", help="start a new story")
    _content(ns)
    ns.add_argument("slug", help="folder name, used in URLs: lowercase words and hyphens")
    ns.add_argument("title", help="the story's headline")

    cl = sub.add_parser(
        "clean", help="remove what killed builds left beside the output folder, and its cache"
    )
    cl.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    cl.add_argument(
        "--keep-cache", action="store_true", help="keep the build cache beside the output"
    )

    cm = sub.add_parser("cms", help="write the Decap CMS admin page (site.toml's [cms] table)")
    _content(cm)
    cm.add_argument(
        "--out",
        type=Path,
        help="folder to write index.html, config.yml and the editor's script into "
        "(default: print config.yml)",
    )
    return parser


def _print_errors(errors: Sequence[ContentError], tail: str) -> None:
    for error in errors:
        print(error, file=sys.stderr)
    count = len(errors)
    print(f"{count} error{'s' if count != 1 else ''}; {tail}", file=sys.stderr)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def cmd_build(args: argparse.Namespace) -> int:
    progress = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm  # a bar only where someone watches it

        tqdm.monitor_interval = 0  # no monitor thread: builds fork worker processes
        bar = tqdm(unit=" pages", desc="Rendering", leave=False, mininterval=0.5, delay=1.0)
        progress = bar.update
    report = build(
        args.content,
        args.out,
        drafts=args.drafts,
        strict=args.strict,
        progress=progress,
        jobs=args.jobs,
        use_cache=not args.no_cache,
        waiting=_say("build"),
    )
    if progress is not None:
        bar.close()
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    if args.verbose:
        for line in report.details:
            print(line)
    if not args.quiet:
        print(
            f"Built {_plural(report.stories, 'story', 'stories')}, "
            f"{_plural(report.entries, 'entry', 'entries')}, "
            f"{_plural(report.files, 'file')} into {args.out} in {report.seconds:.2f}s"
        )
    return 0


def _say(command: str) -> Callable[[str], None]:
    """A message on the way (a build waiting for another), as errors are printed."""
    return lambda message: print(f"build.py {command}: {message}", file=sys.stderr, flush=True)


def cmd_clean(args: argparse.Namespace) -> int:
    from dateline.write.cache import cache_path
    from dateline.write.lock import holding
    from dateline.write.output import remove_leftovers

    with holding(args.out, "clean"):  # refused while a build or server has the folder
        removed = remove_leftovers(args.out)
        cache = cache_path(args.out)
        if not args.keep_cache and cache.exists():
            cache.unlink()
            removed.append(cache)
    for path in removed:
        print(f"removed {path}")
    if not removed:
        print(f"Nothing to clean beside {args.out}.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    if not args.content.is_dir():
        raise UsageError(f"content folder {args.content} not found")
    if args.strict:
        with tempfile.TemporaryDirectory(prefix="dateline-check-") as scratch:
            site = Path(scratch) / "site"
            report = build(args.content, site, strict=True, drafts=True, use_cache=False)
        warnings = report.warnings
    else:
        warnings = build(args.content, None, drafts=True, target=Nowhere()).warnings
    for warning in warnings:
        print(warning, file=sys.stderr)
    print(f"No errors in {args.content}.")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from dateline.scaffold import new_entry

    path = new_entry(args.content, args.story, args.headline, datetime.now(UTC))
    print(path)
    return 0


def cmd_new_story(args: argparse.Namespace) -> int:
    from dateline.scaffold import new_story, start_site

    index = new_story(args.content, args.slug, args.title)
    if started := start_site(args.content):
        print(
            f"{started}: the site's settings, started; set its title and base_url", file=sys.stderr
        )
    print(index)
    return 0


def cmd_cms(args: argparse.Namespace) -> int:
    from dateline import routes
    from dateline.build import read_site
    from dateline.render.renderer import Renderer

    if not args.content.is_dir():
        raise UsageError(f"content folder {args.content} not found")
    site, _warnings = read_site(args.content, drafts=True)
    if site.config.cms is None:
        raise UsageError(
            f"{args.content / 'site.toml'} has no [cms] table; add one: see docs/cms.md"
        )
    files = Renderer(args.content, keep=False).admin(site)
    if args.out is None:
        sys.stdout.write(str(files[routes.admin("config.yml")]))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for path, made in files.items():
        name = routes.file_of(path).removeprefix(routes.admin())
        if isinstance(made, Path):
            shutil.copyfile(made, args.out / name)
        else:
            (args.out / name).write_text(made, encoding="utf-8")
    print(f"Wrote {', '.join(sorted(routes.file_of(p) for p in files))} into {args.out}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from dateline.write.lock import holding
    from dateline.write.output import check_output

    content = args.content.resolve()
    if not content.is_dir():
        raise UsageError(f"content folder {args.content} not found")
    if args.out is not None:
        check_output(args.out, content)
    out = args.out or Path(tempfile.mkdtemp(prefix="dateline-serve-"))
    _stop_on_signals()
    try:
        # A folder of one's own needs no lock; one named with --out is held while served.
        with holding(args.out, "serve", _say("serve")) if args.out else contextlib.nullcontext():
            _serve(args, content, out)
    except KeyboardInterrupt:
        pass
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


def _stop_on_signals() -> None:
    """Stop on `kill`, a closed terminal or a CI job's end as on Ctrl-C, so the
    temporary output folder goes with the server: left to the default action, SIGTERM
    ends the process at once, and every run would leave a whole copy of the site in
    the temporary folder."""

    def stop(signum: int, frame: object) -> NoReturn:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        if (number := getattr(signal, name, None)) is not None:
            signal.signal(number, stop)


def _serve(args: argparse.Namespace, content: Path, out: Path) -> None:
    """Build `content` into `out`, then serve it and rebuild on each change until
    interrupted (KeyboardInterrupt)."""
    from dateline.render.theme import DEFAULT_THEME
    from dateline.serve.rebuild import Rebuilder, Result
    from dateline.serve.server import State, make_server, watch_and_rebuild

    def report(result: Result) -> None:
        if result.ok:
            for warning in result.warnings:
                print(warning, file=sys.stderr)
            print(
                f"Built in {result.seconds * 1000:.0f} ms: {_plural(result.rendered, 'page')} "
                f"rendered, {_plural(result.written, 'file')} written",
                flush=True,
            )
        else:
            _print_errors(result.errors, "still serving the last good site")
            sys.stderr.flush()

    cms, proxy = None, None
    if args.cms:
        from dateline.serve.cms import local_cms

        cms, proxy = local_cms(content, args.host, args.cms_port)
    rebuilder = Rebuilder(content, out, drafts=args.drafts, cms=cms)
    state = State()
    first = rebuilder.build(jobs=os.cpu_count() or 1)  # no threads yet: forking is safe
    report(first)
    state.publish(first)
    if first.ok:
        state.warned(first)
    rebuilder.settle()
    stopping = threading.Event()
    try:
        server = make_server(
            out, state, args.host, args.port, stopping, lambda: rebuilder.base_path
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {args.host}:{args.port} ({exc.strerror}); try --port"
        ) from None
    # Rebuilds run on the main thread while pages are served from others: hand the GIL
    # over sooner than Python's default, so a page reloading mid-rebuild is served at once.
    sys.setswitchinterval(0.0005)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Serving on http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    running = proxy.start() if proxy is not None else None
    if running is not None:
        print(
            f"Editor on http://{host}:{server.server_address[1]}/admin/ "
            f"(Decap's local proxy on {proxy.api}, editing {proxy.root})",
            flush=True,
        )
    try:
        watch_and_rebuild(rebuilder, [content, DEFAULT_THEME], state, stopping, report)
    finally:
        stopping.set()
        server.shutdown()
        if running is not None:
            running.terminate()
            running.wait(timeout=10)


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": cmd_build,
    "serve": cmd_serve,
    "check": cmd_check,
    "new": cmd_new,
    "new-story": cmd_new_story,
    "cms": cmd_cms,
    "clean": cmd_clean,
}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 built, 1 content errors, 2 usage,
    3 a file that could not be read or written)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in (*COMMANDS, "-h", "--help"):
        args_list.insert(0, "build")
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exc:  # argparse has printed the usage message
        return int(exc.code or 0)
    try:
        return HANDLERS[args.command](args)
    except BuildError as exc:
        # `check` never writes: its count says what a build would do.
        tail = "a build would write nothing" if args.command == "check" else "nothing was written"
        _print_errors(exc.errors, tail)
        return 1
    except UsageError as exc:
        print(f"build.py {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except jinja2.TemplateError as exc:  # the theme's: `path:line: template error: …`
        print(template_error(exc, theme_dirs(args.content)), file=sys.stderr)
        return 1
    except FileError as exc:
        print(f"build.py {args.command}: error: {exc}", file=sys.stderr)
        return 3
    except OSError as exc:  # outside a build: `new`, `cms --out`, `clean`
        error = file_error(exc, getattr(args, "out", None))
        print(f"build.py {args.command}: error: {error}", file=sys.stderr)
        return 3


def run() -> NoReturn:
    """Every way in (`python build.py`, the `dateline` command, `python -m dateline`):
    `main`, then leave without tearing the interpreter down.

    Freeing every object of a large build one by one is time spent on memory the
    system takes back at once anyway. Everything a command opens is closed by then;
    only output is buffered.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader that went away (`| head`)
            stream.flush()
    os._exit(code)
