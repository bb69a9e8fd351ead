"""`python -m dateline`: the same command line as build.py."""

from dateline.cli import run

if __name__ == "__main__":
    run()
