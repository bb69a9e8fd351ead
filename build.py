#!/usr/bin/env python3
"""Build the site: `python build.py [--content DIR] [--out DIR] [--drafts]`."""

from dateline.cli import run

if __name__ == "__main__":
    run()
