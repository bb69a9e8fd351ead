"""A build killed outright (SIGKILL: a CI timeout, an out-of-memory kill) leaves no
process behind, and the next build leaves nothing beside the site but what a clean
build leaves, with the same site.

Each build runs with a marker in its environment, which every process it starts
inherits: once a killed build has died, no process on the machine may carry it for
longer than a watched child takes to end (`OUTLIVES`). The kills come
at points a seeded random draws over a whole build's measured time, and in each kind
of build (first build, rebuild) one comes while the workers render, one while Pagefind
indexes.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from benchmarks.generate import generate
from tests.conftest import ROOT, site_snapshot

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="finds processes by their environment in /proc"
)

# Past PARALLEL_FROM (300) in both the reader and the renderer, so both fork workers.
ENTRIES = 400
# A watched worker or Pagefind ends within milliseconds of the build; an unwatched one
# goes on with what it was doing (here 0.1 to 0.4 s; on a large site, minutes), into a
# folder the next build removes.
OUTLIVES = 0.1  # s
# What a clean build leaves beside its output: the cache, and a lock file.
KEPT_BESIDE = (".dateline-cache", ".lock")


def _start(content: Path, out: Path, marker: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "dateline", "build", "--content", str(content)]
    env = {**os.environ, "DATELINE_KILL_TEST": marker}
    return subprocess.Popen(
        [*command, "--out", str(out), "-q"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _build(content: Path, out: Path, marker: str) -> float:
    """Build to the end; how long it took."""
    began = time.monotonic()
    running = _start(content, out, marker)
    _, said = running.communicate(timeout=120)
    assert running.returncode == 0, said.decode()
    return time.monotonic() - began


def _marked(marker: str) -> list[tuple[int, str]]:
    """Every process on the machine whose environment holds `marker`: (pid, name)."""
    wanted = f"DATELINE_KILL_TEST={marker}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
            name = (proc / "comm").read_text().strip()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if wanted in environ.split(b"\0"):
            found.append((int(proc.name), name))
    return found


def _outlived(marker: str) -> tuple[float, list[tuple[int, str]]]:
    """How long the marked processes went on once the build had died (up to 5 s), and
    which were there when it died."""
    began = time.monotonic()
    there = left = _marked(marker)
    while left and time.monotonic() - began < 5:
        time.sleep(0.005)
        left = _marked(marker)
    return time.monotonic() - began, there


def _kill_after(running: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL the build after `delay` seconds; whether it was still running."""
    try:
        running.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        running.kill()
    running.wait()
    return running.returncode == -signal.SIGKILL


def _kill_in_pagefind(running: subprocess.Popen[bytes], marker: str) -> bool:
    """SIGKILL the build as soon as its Pagefind runs; whether it did before the end."""
    while running.poll() is None:
        if any(name == "pagefind" for _, name in _marked(marker)):
            running.kill()
            running.wait()
            return True
    return False


def _kill_in_render(running: subprocess.Popen[bytes], out: Path, delay: float) -> bool:
    """SIGKILL the build `delay` seconds into its rendering, which its workers share (it
    starts with their feeds' folder in the staged site); whether it was still running."""
    stage = out.parent / f".{out.name}.building-{running.pid}"
    while running.poll() is None and not any(stage.glob(".dateline-feeds-*")):
        time.sleep(0.002)
    return _kill_after(running, delay)


def _retitled(content: Path, title: str) -> None:
    """A new site title: every page renders again and search indexes them again."""
    settings = content / "site.toml"
    lines = settings.read_text(encoding="utf-8").splitlines()
    lines[0] = f'title = "{title}"'
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _left_beside(out: Path) -> list[str]:
    return sorted(
        p.name for p in out.parent.iterdir() if p != out and not p.name.endswith(KEPT_BESIDE)
    )


def _ready(kind: str, content: Path, out: Path, marker: str, number: int) -> float | None:
    """Set up the build `kind` names: a first build (nothing at `out`) or a rebuild of
    every page. A rebuild's time measured (a first build's is the clean one's)."""
    if kind.startswith("first"):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(out.parent / f".{out.name}.dateline-cache", ignore_errors=True)
        return None
    if not out.exists():
        _build(content, out, marker)
    _retitled(content, f"Desk {number}")
    took = _build(content, out, marker)
    _retitled(content, f"Desk {number} again")
    return took


# First builds, then rebuilds of every page: killed at any point, while the workers
# render, while Pagefind indexes.
PLAN = [
    *("first", "first", "first in render", "first in pagefind"),
    *("rebuild", "rebuild in render", "rebuild in pagefind"),
]


def test_a_killed_build_leaves_no_process_and_the_next_build_no_leftover(tmp_path: Path):
    content = generate(tmp_path / "content", ENTRIES, stories=2)
    settings = (content / "site.toml").read_text(encoding="utf-8")
    marker = uuid.uuid4().hex
    clean, out = tmp_path / "clean" / "site", tmp_path / "work" / "site"
    rng = random.Random(29)
    try:
        first = _build(content, clean, marker)
        killed = 0
        for number, kind in enumerate(PLAN):
            took = _ready(kind, content, out, marker, number) or first
            running = _start(content, out, marker)
            if kind.endswith("in pagefind"):
                assert _kill_in_pagefind(running, marker), f"{kind}: Pagefind never seen"
                killed += 1
            elif kind.endswith("in render"):
                killed += _kill_in_render(running, out, rng.uniform(0, 0.2) * took)
            else:
                killed += _kill_after(running, rng.uniform(0.05, 0.95) * took)
            lived, there = _outlived(marker)
            assert lived < OUTLIVES, f"killed ({kind}), went on for {lived:.2f} s: {there}"
        assert killed >= 5, "most kills came after their build had ended"

        (content / "site.toml").write_text(settings, encoding="utf-8")
        _build(content, out, marker)
        assert _left_beside(out) == []
        assert site_snapshot(out) == site_snapshot(clean)
    finally:
        for pid, _ in _marked(marker):  # so that a failure leaves nothing running either
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
