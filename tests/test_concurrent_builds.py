"""Builds into one output folder, one at a time by design: a lock beside it
(`write.lock`), waited for, taken over from a killed build, and `clean`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dateline.write.lock import holding, lock_path
from tests.conftest import ROOT, STORY_INDEX, entry, run_cli, site_snapshot, write_tree

SITE = 'title = "Desk"\nbase_url = "https://example.org/"\n'


@pytest.fixture
def content(tmp_path: Path) -> Path:
    files = {"site.toml": SITE, "s/_index.md": STORY_INDEX}
    for n in range(120):
        files[f"s/e{n:03}.md"] = entry(f"Entry {n}", time=f"2022-03-02 {n // 60:02}:{n % 60:02}")
    return write_tree(tmp_path / "content", files)


def start_build(content: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "build", "-q", "--content", content, "--out", out],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_builds_started_together_both_end_well_with_a_clean_builds_bytes(
    content: Path, tmp_path: Path
) -> None:
    for trial in range(3):
        out = tmp_path / f"site{trial}"
        first, second = start_build(content, out), start_build(content, out)
        for proc in (first, second):
            _, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, stderr
    clean = tmp_path / "clean"
    assert run_cli("build", "--content", content, "--out", clean, "--no-cache").code == 0
    for trial in range(3):
        out = tmp_path / f"site{trial}"
        assert site_snapshot(out) == site_snapshot(clean)
        beside = sorted(p.name for p in tmp_path.glob(f".site{trial}.*"))
        assert beside == [f".site{trial}.dateline-cache", f".site{trial}.lock"]


def test_a_second_build_waits_for_the_first_and_says_whom_for(
    content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    release = threading.Event()
    held = threading.Event()

    def hold() -> None:
        with holding(out, "build"):
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    waiting = start_build(content, out)
    time.sleep(2)
    assert waiting.poll() is None  # still waiting
    assert not out.exists()
    release.set()
    holder.join()
    _, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr
    assert stderr == (
        f"build.py build: {out} is being written by dateline build (process {os.getpid()}); "
        "waiting for it to finish\n"
    )
    assert (out / "index.html").is_file()


def test_a_folder_being_served_is_refused_naming_the_server(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    with holding(out, "serve"):
        run = run_cli("build", "--content", content, "--out", out)
    assert run.code == 2
    assert f"is in use by dateline serve (process {os.getpid()}); stop that server" in run.stderr
    assert not out.exists()


def test_a_killed_builds_lock_is_taken_over(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal, sys; from pathlib import Path\n"
            "from dateline.write.lock import holding\n"
            "with holding(Path(sys.argv[1]), 'build'):\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n",
            str(out),
        ],
        cwd=ROOT,
        timeout=30,
    )
    assert killed.returncode == -signal.SIGKILL
    stale = json.loads(lock_path(out).read_text())
    assert stale["command"] == "build" and stale["pid"] != os.getpid()  # it names the dead one
    run = run_cli("build", "--content", content, "--out", out)
    assert run.code == 0 and "waiting" not in run.stderr, run.stderr
    assert lock_path(out).read_text() == ""  # no one holds it now


def test_clean_removes_what_killed_builds_left(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_cli("build", "--content", content, "--out", out).code == 0
    left = [tmp_path / f".site.{kind}-99999999" for kind in ("building", "old", "bodies")]
    for folder in left:
        (folder / "s").mkdir(parents=True)
        (folder / "s" / "index.html").write_text("half a page")
    with holding(out, "build"):
        refused = run_cli("clean", "--out", out)
    assert refused.code == 2 and "in use by dateline build" in refused.stderr
    assert all(folder.exists() for folder in left)
    run = run_cli("clean", "--out", out, "--keep-cache")
    assert run.code == 0
    assert not any(folder.exists() for folder in left)
    assert (tmp_path / ".site.dateline-cache").exists() and (out / "index.html").is_file()
    assert run_cli("clean", "--out", out).code == 0
    assert sorted(p.name for p in tmp_path.glob(".site.*")) == [".site.lock"]
    assert (out / "index.html").is_file()  # the site itself stays


def test_the_next_build_removes_what_a_killed_build_left(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_cli("build", "--content", content, "--out", out).code == 0
    # A killed build's folders, under a number some running process has now.
    left = [tmp_path / f".site.{kind}-1" for kind in ("building", "bodies")]
    for folder in left:
        folder.mkdir()
    assert run_cli("build", "--content", content, "--out", out).code == 0
    assert not any(folder.exists() for folder in left)
