"""The command line: parse arguments, run a command, turn errors into exit statuses.

This is the one place errors become output: content errors print as
`path:line: message` with exit 1, usage errors exit 2, and no traceback reaches an
editor for a mistake in their files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jinja2

from .build import build
from .errors import BuildError, UsageError

COMMANDS = ("build",)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build a dateline live-blog site from Markdown entries.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    b = sub.add_parser("build", help="build the site (the default command)")
    b.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        help="content folder (default: content)",
    )
    b.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    b.add_argument("--drafts", action="store_true", help="include entries marked draft: true")
    b.add_argument(
        "--strict",
        action="store_true",
        help="also fail on warnings and on broken internal links or anchors",
    )
    b.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 built, 1 content errors, 2 usage)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in (*COMMANDS, "-h", "--help"):
        args_list.insert(0, "build")
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exc:  # argparse has printed the usage message
        return int(exc.code or 0)
    try:
        report = build(args.content, args.out, drafts=args.drafts, strict=args.strict)
    except BuildError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        print(
            f"{count} error{'s' if count != 1 else ''}; nothing was written",
            file=sys.stderr,
        )
        return 1
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    except jinja2.TemplateSyntaxError as exc:
        print(f"{exc.filename}:{exc.lineno}: template error: {exc.message}", file=sys.stderr)
        return 1
    except jinja2.TemplateError as exc:
        print(f"build.py: error: theme template failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"build.py: error: could not write the site: {exc}", file=sys.stderr)
        return 1
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        print(
            f"Built {report.stories} stor{'ies' if report.stories != 1 else 'y'}, "
            f"{report.entries} entr{'ies' if report.entries != 1 else 'y'}, "
            f"{report.files} files into {args.out} "
            f"in {report.seconds:.2f}s"
        )
    return 0
