"""Files that cannot be read or written: said as such, at their path, with exit status 3,
and the published site left as it was.

Permissions are taken away with chmod; as root (CI's containers) the build runs without
the capabilities that let root read any file (`setpriv`), so it meets them as an
editor's account would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, STORY_INDEX, entry, png, site_snapshot, write_tree

SITE = 'title = "Desk"\nbase_url = "https://example.org/"\nlogo = "logo.png"\n'
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def run(content: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """`build.py ARGS --content CONTENT`, from the folder holding it, without root's
    right to read and write anything."""
    prefix = UNPRIVILEGED if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, sys.executable, str(ROOT / "build.py"), *map(str, args), "--content", content],
        capture_output=True,
        text=True,
        cwd=content.parent,
        timeout=120,
    )


def build(content: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return run(content, "build", "-q", "--out", out)


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE,
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry("First", body="![A grey square](photo.png)"),
            "s/b.md": entry("Second", time="2022-03-02 11:00"),
            "s/photo.png": png(4, 4),
            "logo.png": png(120, 120),
        },
    )
    out = tmp_path / "site"
    assert build(content, out).returncode == 0
    return content, out


@pytest.mark.parametrize(
    ("unreadable", "mode"),
    [
        ("s/b.md", 0o000),
        ("site.toml", 0o000),
        ("s", 0o000),
        ("s/photo.png", 0o000),
        ("logo.png", 0o000),
    ],
)
def test_an_unreadable_file_is_a_read_failure_at_its_path(
    site: tuple[Path, Path], unreadable: str, mode: int
) -> None:
    content, out = site
    before = site_snapshot(out)
    (content / "s" / "b.md").write_text(entry("Second, edited", time="2022-03-02 11:00"))
    target = content / unreadable
    target.chmod(mode)
    try:
        run = build(content, out)
    finally:
        target.chmod(0o755 if target.is_dir() else 0o644)
    assert run.returncode == 3, run.stderr
    assert (
        run.stderr
        == f"build.py build: error: content/{unreadable}: cannot read: permission denied\n"
    )
    assert "Traceback" not in run.stderr
    assert site_snapshot(out) == before  # the edit not published: nothing was
    assert build(content, out).returncode == 0  # and once readable, it builds


def test_an_output_that_cannot_be_written_is_a_write_failure(site: tuple[Path, Path]) -> None:
    content, out = site
    before = site_snapshot(out)
    (content / "s" / "b.md").write_text(entry("Second, edited", time="2022-03-02 11:00"))
    out.parent.chmod(0o555)  # no working folder can be made beside the output
    try:
        run = build(content, out)
    finally:
        out.parent.chmod(0o755)
    assert run.returncode == 3, run.stderr
    assert run.stderr.startswith("build.py build: error: ")
    assert ": cannot write: permission denied\n" in run.stderr
    assert "Traceback" not in run.stderr
    assert site_snapshot(out) == before


def test_a_new_entry_that_cannot_be_made_is_a_write_failure(site: tuple[Path, Path]) -> None:
    content, _out = site
    story = content / "s"
    before = sorted(p.name for p in story.iterdir())
    story.chmod(0o555)
    try:
        made = run(content, "new", "s", "Council building hit")
    finally:
        story.chmod(0o755)
    assert made.returncode == 3, made.stderr
    assert made.stderr.startswith("build.py new: error: content/s/")
    assert made.stderr.endswith(".md: cannot write: permission denied\n")
    assert sorted(p.name for p in story.iterdir()) == before
