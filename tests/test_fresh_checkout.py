"""A publish is a rebuild: on a CI runner's fresh checkout (every file with a new
modification time and inode), with the last output and the build cache restored as
`actions/cache` restores them (a tar archive), only what changed is read and rendered,
and the output is byte-for-byte a build from nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

import dateline.read.entryfile
import dateline.render.renderer
from dateline.build import build
from dateline.write.cache import cache_path
from tests.conftest import ROOT, STORY_INDEX, png, write_tree
from tests.test_incremental import snapshot

SITE = 'title = "Desk"\nbase_url = "https://example.org/live/"\nper_page = 3\nfeed_items = 4\n'
GIT = ["git", "-c", "user.name=Desk", "-c", "user.email=desk@example.org"]


def entry(i: int, title: str | None = None) -> str:
    photo = "\n![Crowd at the station](crowd.png)\n" if i == 2 else ""
    return (
        f"---\ntime: 2022-03-0{1 + i // 4} {10 + i % 4}:00\ntitle: {title or f'Entry {i}'}\n"
        f"tags: [t{i % 3}]\n---\nBody of entry {i}.\n{photo}"
        f"\n```figures People who fled\nUN: {(1000 + i) * 1000:,}\nGov: about 5,000\n```\n"
    )


class Counts:
    """What a build did that costs: entry files parsed, pages rendered, photos resized."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed = self.pages = self.resized = 0
        parse, resize = dateline.read.entryfile.parse_entry, dateline.render.renderer.resized

        def parsing(*args, **kwargs):
            self.parsed += 1
            return parse(*args, **kwargs)

        def resizing(*args, **kwargs):
            self.resized += 1
            return resize(*args, **kwargs)

        monkeypatch.setattr(dateline.read.entryfile, "parse_entry", parsing)
        monkeypatch.setattr(dateline.render.renderer, "resized", resizing)

    def build(self, content: Path, out: Path) -> tuple[int, int, int]:
        self.parsed = self.pages = self.resized = 0
        build(content, out, jobs=1, progress=self._page)
        return self.parsed, self.pages, self.resized

    def _page(self) -> None:
        self.pages += 1


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """The newsroom's repository: a story of nine entries, one showing a photo."""
    files: dict[str, str | bytes] = {
        "content/site.toml": SITE,
        "content/s/_index.md": STORY_INDEX,
        "content/s/crowd.png": png(1600, 900),
    }
    for i in range(9):
        files[f"content/s/e{i}.md"] = entry(i)
    repo = write_tree(tmp_path / "origin", files)
    _git(repo, "init", "-q", "-b", "main")
    _commit(repo, "The story so far")
    return repo


def _git(repo: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True)


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)


def publish_runner(origin: Path, runner: Path, saved: Path | None) -> Path:
    """A CI runner's job: a fresh clone of `origin` at `runner` (where every run
    checks out), the output and cache restored from the archive `saved` if any."""
    if runner.exists():
        shutil.rmtree(runner)
    subprocess.run(["git", "clone", "-q", str(origin), str(runner)], check=True)
    if saved is not None:
        with tarfile.open(saved) as archive:
            archive.extractall(runner, filter="data")  # keeps files' modification times
    return runner


def save_output(runner: Path, saved: Path) -> None:
    """As actions/cache saves the paths `site` and `.site.dateline-cache`."""
    with tarfile.open(saved, "w") as archive:
        for name in ("site", ".site.dateline-cache"):
            archive.add(runner / name, arcname=name)


def first_publish(
    origin: Path, runner: Path, saved: Path, counts: Counts
) -> tuple[Path, tuple[int, int, int]]:
    """The first run: a checkout with nothing restored, built, its output saved; the
    checkout and what its build counted."""
    first = publish_runner(origin, runner, None)
    counted = counts.build(first / "content", first / "site")
    save_output(first, saved)
    return first, counted


def test_a_publish_with_nothing_new_reads_and_renders_nothing(
    origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = Counts(monkeypatch)
    runner, saved = tmp_path / "runner", tmp_path / "saved.tar"
    first, (parsed, pages, resized) = first_publish(origin, runner, saved, counts)
    assert (parsed, resized) == (9, 3) and pages > 9
    before = snapshot(first / "site")

    again = publish_runner(origin, runner, saved)
    assert counts.build(again / "content", again / "site") == (0, 0, 0)
    assert snapshot(again / "site") == before


def test_a_publish_after_a_new_entry_renders_what_a_local_rebuild_does(
    origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = Counts(monkeypatch)
    runner, saved = tmp_path / "runner", tmp_path / "saved.tar"
    first_publish(origin, runner, saved, counts)
    # The editor's machine: the same build, then the new entry rebuilt in place.
    desk = tmp_path / "desk"
    shutil.copytree(origin / "content", desk / "content")
    counts.build(desk / "content", desk / "site")
    (desk / "content/s/e9.md").write_text(entry(9))
    local = counts.build(desk / "content", desk / "site")
    shutil.copy(desk / "content/s/e9.md", origin / "content/s/e9.md")
    _commit(origin, "A new entry")

    runner = publish_runner(origin, runner, saved)
    published = counts.build(runner / "content", runner / "site")
    assert published == local and published[0] == 1 and published[2] == 0
    assert 0 < published[1] < 15  # its page, the timeline's, its topic's, the trackers
    reference = tmp_path / "reference"
    build(runner / "content", reference, use_cache=False)
    assert snapshot(runner / "site") == snapshot(reference) == snapshot(desk / "site")


def test_files_touched_but_unchanged_are_not_read_again_but_a_new_photo_is(
    origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Content digests, not times, say a file changed (a `git stash pop`, a copy)."""
    counts = Counts(monkeypatch)
    content, out = origin / "content", tmp_path / "site"
    counts.build(content, out)
    for path in content.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    assert counts.build(content, out) == (0, 0, 0)
    (content / "s/crowd.png").write_bytes(png(1200, 900))
    parsed, _pages, resized = counts.build(content, out)
    assert parsed == 9 and resized == 2  # its entries may show it; 1,200 px wide: two copies
    reference = tmp_path / "reference"
    build(content, reference, use_cache=False)
    assert snapshot(out) == snapshot(reference)


def test_the_cache_outlives_libraries_installed_anew_but_not_a_new_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runner installs the libraries again for every publish (from pip's cache): new
    files, the same versions. Only a new version makes the build cache stale."""
    import dateline.write.cache as cache

    site = write_tree(
        tmp_path / "site-packages",
        {"inkpot/__init__.py": "VERSION = 1\n", "inkpot-1.0.dist-info/METADATA": "Name: inkpot\n"},
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(cache, "_LIBRARIES", {"inkpot": "inkpot"})
    content = write_tree(tmp_path / "content", {"site.toml": SITE})
    before = cache.fingerprint(content)
    shutil.copytree(site, tmp_path / "reinstalled")
    shutil.rmtree(site)
    shutil.copytree(tmp_path / "reinstalled", site, copy_function=shutil.copy)  # new times
    assert cache.fingerprint(content) == before
    (site / "inkpot-1.0.dist-info").rename(site / "inkpot-1.1.dist-info")
    assert cache.fingerprint(content) != before


def publish_workflow() -> tuple[dict, list[dict]]:
    """examples/publish.yml, and its job's steps in order."""
    workflow = yaml.safe_load((ROOT / "examples/publish.yml").read_text())
    return workflow, workflow["jobs"]["publish"]["steps"]


def test_the_publish_workflow_restores_and_saves_what_the_build_keeps() -> None:
    """examples/publish.yml caches the very folder and cache file its build writes, the
    restore before the build and the save after it, under the same key."""
    _, steps = publish_workflow()
    uses = [step.get("uses", step.get("run", "")) for step in steps]
    restore = next(i for i, u in enumerate(uses) if u.startswith("actions/cache/restore@"))
    run = next(i for i, u in enumerate(uses) if u.startswith("dateline build"))
    save = next(i for i, u in enumerate(uses) if u.startswith("actions/cache/save@"))
    assert restore < run < save < uses.index("actions/upload-pages-artifact@v3")
    command = uses[run].split()
    out = Path(command[command.index("--out") + 1])
    kept = {out.name, cache_path(out).relative_to(Path.cwd()).as_posix()}
    for step in (steps[restore], steps[save]):
        assert set(step["with"]["path"].split()) == kept
    assert steps[restore]["with"]["key"] == steps[save]["with"]["key"]
    assert steps[save]["with"]["key"].startswith(steps[restore]["with"]["restore-keys"])
    assert steps[uses.index("actions/upload-pages-artifact@v3")]["with"]["path"] == out.name


def test_the_publish_workflow_installs_dateline_only_when_its_environment_is_new() -> None:
    """The environment is restored under a key naming the exact Python and the DATELINE
    line; pip runs only on a miss, and the build runs the environment's dateline."""
    workflow, steps = publish_workflow()
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    venv = next(s for s in steps if s.get("id") == "venv")
    key = venv["with"]["key"]
    assert f"steps.{python['id']}.outputs.python-version" in key
    assert "env.DATELINE" in key and "DATELINE" in workflow["env"]
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert install["if"] == "steps.venv.outputs.cache-hit != 'true'"
    folder = venv["with"]["path"]
    assert install["run"].startswith(f"python -m venv {folder} && {folder}/bin/pip install")
    on_path = folder.replace("~", "$HOME") + "/bin"
    path_step = next(i for i, s in enumerate(steps) if on_path in s.get("run", ""))
    build = next(i for i, s in enumerate(steps) if s.get("run", "").startswith("dateline build"))
    assert steps.index(venv) < steps.index(install) < path_step < build
