"""Incremental rebuilds give byte-for-byte the output of a full build, after any change."""

from __future__ import annotations

import gc
import random
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dateline.build import build, read_site
from dateline.errors import BuildError, ContentError
from dateline.read.cache import ReadCache
from dateline.serve.rebuild import Rebuilder
from tests.conftest import STORY_INDEX, png, site_snapshot, write_tree

SITE = 'title = "Desk"\nbase_url = "https://example.org/live/"\nper_page = 3\n'


def entry(i: int, title: str | None = None, extra: str = "", body: str = "") -> str:
    return (
        f"---\ntime: 2022-03-0{1 + i // 4} {10 + i % 4}:00\ntitle: {title or f'Entry {i}'}\n"
        f"tags: [t{i % 3}]\n{extra}---\nBody of entry {i}. {body}\n"
    )


def box(value: str) -> str:
    return f"\n```figures People who fled\nUN: {value}\nGov: about 5,000\n```\n"


def original(i: int) -> str:
    """Entry `i` as the `site` fixture writes it."""
    return entry(
        i, extra="key: true\n" if i % 3 == 0 else "", body=box(f"{1000 + i},000") if i % 2 else ""
    )


def snapshot(folder: Path) -> dict[str, object]:
    return site_snapshot(folder, hidden=False)


@pytest.fixture
def site(tmp_path: Path):
    files = {
        "site.toml": SITE,
        "s/_index.md": "---\ntitle: Story\ntimezone: Europe/Kyiv\n---\nIntro.\n",
    }
    for i in range(8):
        files[f"s/e{i}.md"] = original(i)
    files["t/_index.md"] = "---\ntitle: Other\n---\n"
    files["t/a.md"] = entry(0)
    content = write_tree(tmp_path / "content", files)
    rebuilder = Rebuilder(content.resolve(), tmp_path / "live")
    assert rebuilder.build().ok
    return content, rebuilder, tmp_path


def full(content: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build from nothing makes (no build cache: it could share a mistake)."""
    out = tmp_path / "full"
    build(content, out, use_cache=False)
    return snapshot(out)


def write(path: Path, text: str) -> set[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return {path.resolve()}


def write_bytes(path: Path, data: bytes) -> set[Path]:
    path.write_bytes(data)
    return {path.resolve()}


def remove(path: Path) -> set[Path]:
    path.unlink()
    return {path.resolve()}


def rename(old: Path, new: Path) -> set[Path]:
    old.rename(new)
    return {old.resolve(), new.resolve()}


STEPS: dict[str, Callable[[Path], set[Path]]] = {
    "edit a headline": lambda c: write(c / "s/e2.md", entry(2, "A new headline")),
    "edit a figure (changes another entry's note)": lambda c: write(
        c / "s/e3.md", entry(3, body=box("2,500,000"))
    ),
    "add an entry (pages shift)": lambda c: write(c / "s/e9.md", entry(9, extra="pinned: true\n")),
    "delete an entry": lambda c: remove(c / "s/e1.md"),
    # Its page is rendered with the key it had, but the server removed the file: written.
    "put the deleted entry back as it was": lambda c: write(c / "s/e1.md", original(1)),
    # Each of these removes pages (and the folders they leave empty), then brings them
    # back: the dev server must make those folders again.
    "make an entry a draft": lambda c: write(
        c / "s/e6.md", original(6).replace("key: true\n", "key: true\ndraft: true\n")
    ),
    "publish it again": lambda c: write(c / "s/e6.md", original(6)),
    "give an entry a new topic": lambda c: write(
        c / "s/e6.md", original(6).replace("tags: [t0]", "tags: [t0, new-topic]")
    ),
    "take the topic away": lambda c: write(c / "s/e6.md", original(6)),
    "give the topic back": lambda c: write(
        c / "s/e6.md", original(6).replace("tags: [t0]", "tags: [t0, new-topic]")
    ),
    "rename a metric": lambda c: write(
        c / "s/e3.md", entry(3, body=box("2,500,000").replace("People who fled", "Displaced"))
    ),
    "rename the metric back": lambda c: write(c / "s/e3.md", entry(3, body=box("2,500,000"))),
    "move an entry to another day (pages shift)": lambda c: write(
        c / "s/e0.md", original(0).replace("2022-03-01 10:00", "2022-03-09 10:00")
    ),
    "move it back": lambda c: write(c / "s/e0.md", original(0)),
    "rename a story's folder": lambda c: rename(c / "t", c / "u"),
    "rename the folder back": lambda c: rename(c / "u", c / "t"),
    "drop base_url (no feeds, no sitemap)": lambda c: write(
        c / "site.toml", SITE.replace('base_url = "https://example.org/live/"\n', "")
    ),
    "give base_url back": lambda c: write(c / "site.toml", SITE),
    "add an entry with a large photo": lambda c: {
        *write_bytes(c / "s/p.png", png(900, 600)),
        *write(c / "s/e8.md", entry(8, body="![A photo](p.png)")),
    },
    "delete the entry and the photo": lambda c: {*remove(c / "s/p.png"), *remove(c / "s/e8.md")},
    "put both back": lambda c: {
        *write_bytes(c / "s/p.png", png(900, 600)),
        *write(c / "s/e8.md", entry(8, body="![A photo](p.png)")),
    },
    "rename an entry": lambda c: rename(c / "s/e5.md", c / "s/renamed.md"),
    "rename an entry, its old address kept as an alias": lambda c: {
        *remove(c / "s/e7.md"),
        *write(c / "s/e7-moved.md", entry(7, extra="aliases: [e7]\n")),
    },
    "add media": lambda c: write(c / "s/map.svg", "<svg/>"),
    "show a photo": lambda c: {
        *write_bytes(c / "s/photo.png", png(40, 30)),
        *write(c / "s/e4.md", entry(4, body="![A photo](photo.png)")),
    },
    "replace the photo with another size (its entry unchanged)": lambda c: write_bytes(
        c / "s/photo.png", png(30, 40)
    ),
    "show a large photo (smaller copies)": lambda c: {
        *write_bytes(c / "s/wide.png", png(1000, 600)),
        *write(c / "s/e6.md", entry(6, body="![A wide photo](wide.png)")),
    },
    "replace the large photo (its entry unchanged)": lambda c: write_bytes(
        c / "s/wide.png", png(900, 700)
    ),
    "add a file named as a copy is (no copies then)": lambda c: write_bytes(
        c / "s/wide.800w.png", png(8, 8)
    ),
    "remove that file (copies again)": lambda c: remove(c / "s/wide.800w.png"),
    "stop showing the large photo": lambda c: write(c / "s/e6.md", entry(6)),
    "end the story": lambda c: write(
        c / "s/_index.md", "---\ntitle: Story\ntimezone: Europe/Kyiv\nstatus: ended\n---\nIntro.\n"
    ),
    "edit the standfirst (every timeline page's description, with no summary)": lambda c: write(
        c / "s/_index.md",
        "---\ntitle: Story\ntimezone: Europe/Kyiv\nstatus: ended\n---\nA new intro.\n",
    ),
    "give the story a lead photo (every timeline page's social card)": lambda c: {
        *write_bytes(c / "s/lead.png", png(60, 40)),
        *write(
            c / "s/_index.md",
            "---\ntitle: Story\ntimezone: Europe/Kyiv\nstatus: ended\n---\n![Lead](lead.png)\n",
        ),
    },
    "change the story's zone": lambda c: write(
        c / "s/_index.md", "---\ntitle: Story\ntimezone: Asia/Tokyo\n---\nIntro.\n"
    ),
    "change site settings": lambda c: write(
        c / "site.toml", SITE.replace("per_page = 3", "per_page = 2")
    ),
    "override a template": lambda c: write(
        c / "_theme/templates/tag.html",
        '{% extends "base.html" %}{% block main %}<h1>Tag {{ tag.name }}</h1>{% endblock %}',
    ),
    "edit the override": lambda c: write(
        c / "_theme/templates/tag.html",
        '{% extends "base.html" %}{% block main %}<h1>Topic: {{ tag.name }}</h1>{% endblock %}',
    ),
    "remove the override": lambda c: remove(c / "_theme/templates/tag.html"),
    "remove a whole story": lambda c: {*remove(c / "t/a.md"), *remove(c / "t/_index.md")},
}


# The photo's smaller copies after these steps (equal to a full build's either way).
COPIES = {
    "show a large photo (smaller copies)": ["wide.480w.png", "wide.800w.png"],
    "add a file named as a copy is (no copies then)": ["wide.800w.png"],  # the editor's
    "remove that file (copies again)": ["wide.480w.png", "wide.800w.png"],
    "stop showing the large photo": [],
}


def test_incremental_equals_full_after_every_kind_of_change(site) -> None:
    content, rebuilder, tmp_path = site
    assert snapshot(tmp_path / "live") == full(content, tmp_path)
    for name, step in STEPS.items():
        changed = step(content)
        result = rebuilder.build(changed, lambda written: None)  # as the server: pages first
        assert result.ok, (name, result.errors)
        built = snapshot(tmp_path / "live")
        assert built == full(content, tmp_path), name
        if name in COPIES:
            assert (
                sorted(p[2:] for p in built if p.startswith("s/wide.") and "w." in p)
                == (COPIES[name])
            ), name


def _random_change(rng: random.Random, c: Path) -> set[Path]:
    """One change an editor might make, picked by `rng`: most often an entry written
    (key, pinned, draft, alias, correction, a box whose metric may be renamed, a photo,
    a link to another entry) or its text edited, else a file deleted or renamed, a photo added or removed,
    the story, site settings or theme changed, a story folder renamed, or a mistake."""
    s = c / "s"
    names = sorted(p.name for p in s.glob("*.md") if p.name != "_index.md")
    i = rng.randrange(12)
    kind = rng.choice("wwwwwwdrpisfomtt")
    if kind == "t" and names:  # only what its page shows: written ahead of the rebuild
        path = s / rng.choice(names)
        text = path.read_text()
        if rng.random() < 0.5:
            return write(path, text.replace("title: ", "title: Re: ", 1))
        return write(path, text.replace("---\n", "---\nauthor: Desk\n", 1) + "More.\n")
    if kind == "d" and names:
        return remove(s / rng.choice(names))
    if kind == "r" and names and not (new := s / f"r{rng.randrange(20)}.md").exists():
        return rename(s / rng.choice(names), new)
    if kind == "p":
        photo = s / "p.png"
        if photo.exists():
            return remove(photo)
        return write_bytes(photo, png(rng.choice([40, 900]), rng.choice([30, 600])))
    if kind == "i":
        status, zone = rng.choice(["live", "ended", "paused"]), rng.choice(["UTC", "Asia/Tokyo"])
        intro = rng.choice(["Intro.", "See [the first](e1.md).", "![P](p.png)"])
        return write(
            s / "_index.md",
            f"---\ntitle: Story\ntimezone: {zone}\nstatus: {status}\n---\n{intro}\n",
        )
    if kind == "s":
        per_page = SITE.replace("per_page = 3", f"per_page = {rng.choice([2, 3, 4])}")
        return write(c / "site.toml", rng.choice([per_page, per_page.split("base_url")[0]]))
    if kind == "f":
        folders = [c / "t", c / "u"]
        return rename(*folders) if folders[0].exists() else rename(*folders[::-1])
    if kind == "o":
        override = c / "_theme/templates/tag.html"
        if override.exists():
            return remove(override)
        return write(override, '{% extends "base.html" %}{% block main %}T{% endblock %}')
    if kind == "m":
        return write(
            s / f"e{i}.md",
            rng.choice([entry(i, extra="pined: true\n"), entry(i, body=box("lots"))]),
        )
    extra = rng.choice(
        [
            "",
            "key: true\n",
            "pinned: true\n",
            "draft: true\n",
            f"aliases: [old{i}]\n",
            "correction: Fixed.\n",
        ]
    )
    metric = rng.choice(["People who fled", "Displaced"])
    body = rng.choice(
        [
            "",
            box(f"{rng.randrange(1, 4)},000").replace("People who fled", metric),
            "![P](p.png)",
            "See [e1](e1.md).",
        ]
    )
    return write(s / f"e{i}.md", entry(i, rng.choice([None, "A new headline"]), extra, body))


def _errors(errors: Iterable[ContentError]) -> list[tuple[str, int, str]]:
    return sorted((e.path, e.line, e.message) for e in errors)


def _tree(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _restore(folder: Path, before: dict[Path, bytes]) -> set[Path]:
    """Put `folder` back as `before` (an editor undoing a mistake); the paths changed."""
    now = _tree(folder)
    changed = {p for p in now.keys() | before.keys() if now.get(p) != before.get(p)}
    for path in changed:
        if path in before:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(before[path])
        else:
            path.unlink()
    for empty in sorted((d for d in folder.rglob("*") if d.is_dir()), reverse=True):
        if not any(empty.iterdir()):
            empty.rmdir()
    return {p.resolve() for p in changed}


def _random_steps(
    content: Path, seed: int, count: int
) -> Iterator[tuple[int, dict[Path, bytes], set[Path], random.Random]]:
    """`count` random changes to `content`: each step's number, the tree before it, the
    paths it changed and the generator (for more changes of the step's own)."""
    rng = random.Random(seed)
    for step in range(count):
        before = _tree(content)
        yield step, before, _random_change(rng, content), rng


@pytest.mark.parametrize("seed", range(4))
def test_random_changes_build_as_a_build_from_nothing(site, seed: int) -> None:
    """After each of a run of random changes, the dev server and a command-line build
    from the cache make what a build from nothing makes: the same files byte for byte,
    or the same errors; a change that makes errors is then undone, as an editor would.
    (Such runs found a preview that broke for good once an entry was made a draft and
    published again, and links to deleted entries that still built.)"""
    content, rebuilder, tmp_path = site
    built = 0
    for step, before, changed, _rng in _random_steps(content, seed, 15):
        for undo in (False, True):
            last_good = snapshot(tmp_path / "live")
            served = rebuilder.build(changed, lambda written: None)
            try:
                expected, errors = full(content, tmp_path), []
            except BuildError as exc:
                expected, errors = None, _errors(exc.errors)
            assert _errors(served.errors) == errors, (seed, step, undo)
            if errors:  # not even the edited entry's page is written ahead
                assert snapshot(tmp_path / "live") == last_good, (seed, step, undo)
            try:
                build(content, tmp_path / "cached")
                cached = []
            except BuildError as exc:
                cached = _errors(exc.errors)
            assert cached == errors, (seed, step, undo)
            if expected is not None:
                built += 1
                assert snapshot(tmp_path / "live") == expected, (seed, step, undo)
                assert snapshot(tmp_path / "cached") == expected, (seed, step, undo)
                break
            assert not undo, "undoing a change must leave a site that builds"
            changed = _restore(content, before)
    assert built == 15  # every step ends in a site that builds


@pytest.mark.parametrize("seed", range(4))
def test_rebuilds_stopped_at_random_pages_leave_no_trace(site, seed: int) -> None:
    """As the dev server does when a save comes during a rebuild: a build stopped
    before a random page, another random change, then a build of both, makes what a
    build from nothing makes (a change that makes errors is undone, as an editor would)."""
    content, rebuilder, tmp_path = site
    stopped = 0
    for step, before, changed, rng in _random_steps(content, seed, 12):
        asked = iter(range(rng.randrange(20), -(10**6), -1))  # stop when it reaches 0
        result = rebuilder.build(
            changed, lambda written: None, interrupted=lambda asked=asked: next(asked) <= 0
        )
        if result.interrupted:
            stopped += 1
            changed |= _random_change(rng, content)  # the newer change
            result = rebuilder.build(changed, lambda written: None)
        try:
            expected = full(content, tmp_path)
        except BuildError:
            assert not result.ok, (seed, step)
            result = rebuilder.build(changed | _restore(content, before), lambda w: None)
            expected = full(content, tmp_path)
        assert result.ok and not result.interrupted, (seed, step)
        assert snapshot(tmp_path / "live") == expected, (seed, step)
    assert stopped >= 6, stopped  # most builds were stopped somewhere


def test_a_first_build_shared_by_workers_is_kept_for_rebuilds(site, monkeypatch) -> None:
    """The dev server's first build, its pages shared with forked workers, makes what
    one process makes; the server keeps every page's key and file as if it had written
    them all, so an edit re-renders only what shows it and a removed page goes."""
    import dateline.read.entries
    import dateline.speed.parallel

    monkeypatch.setattr(dateline.speed.parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(dateline.read.entries, "PARALLEL_FROM", 1)
    content, alone, tmp_path = site
    shared = Rebuilder(content.resolve(), tmp_path / "shared")
    first = shared.build(jobs=2)
    on_disk = [p for p in (tmp_path / "shared").rglob("*") if p.is_file()]
    assert (first.files, first.written) == (len(on_disk) - 1, len(on_disk) - 1)  # no marker
    assert first.rendered == alone.renderer.rendered
    assert snapshot(tmp_path / "shared") == snapshot(tmp_path / "live")
    edited = shared.build(write(content / "s/e0.md", entry(0, "Edited oldest entry")))
    assert 0 < edited.rendered <= 7, edited  # as test_one_edit_rerenders_only_what_shows_it
    for name, step in STEPS.items():
        result = shared.build(step(content))
        assert result.ok, (name, result.errors)
        assert snapshot(tmp_path / "shared") == full(content, tmp_path), name


def test_a_theme_error_in_a_shared_first_build_is_told_and_leaves_no_half_file(
    site, monkeypatch
) -> None:
    """A template failing in the server's process and its workers alike is told at its
    line, and every worker has finished its file first: no temporary file is left in
    the served folder."""
    import dateline.read.entries
    import dateline.speed.parallel

    monkeypatch.setattr(dateline.speed.parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(dateline.read.entries, "PARALLEL_FROM", 1)
    content, _rebuilder, tmp_path = site
    template = write(content / "_theme/templates/entry.html", '\n{% include "missing.html" %}')
    result = Rebuilder(content.resolve(), tmp_path / "shared").build(jobs=2)
    [error] = result.errors
    assert str(error).startswith(
        f"{next(iter(template))}:2: template error: 'missing.html' not found in search paths"
    )
    assert [p.name for p in (tmp_path / "shared").rglob(".*.tmp")] == []


def test_theme_mistakes_while_serving_are_told_at_their_line_and_fixed_by_a_save(site) -> None:
    """A template with a syntax error leaves the served site as it was (every template
    is compiled before a page is written); one failing while rendering is told at its
    line too; a save that fixes it builds what a full build makes. No "internal
    error": the server shows theme mistakes as it shows content ones."""
    content, rebuilder, tmp_path = site
    before = snapshot(tmp_path / "live")
    tag = content / "_theme/templates/tag.html"
    result = rebuilder.build(
        write(tag, "{% extends 'base.html' %}\n{% block main %}{{ tag.name }\n")
    )
    assert [str(e) for e in result.errors] == [
        f"{tag.resolve()}:2: template error: unexpected '}}'"
    ]
    assert snapshot(tmp_path / "live") == before
    result = rebuilder.build(
        write(tag, "{% extends 'base.html' %}\n{% block main %}\n{{ tag.nam }}{% endblock %}")
    )
    assert [str(e) for e in result.errors] == [
        f"{tag.resolve()}:3: template error: 'dateline.plan.pagination.Tag object' has no attribute 'nam'"
    ]
    assert rebuilder.build(write(content / "s/e2.md", entry(2, "Meanwhile"))).errors
    fixed = rebuilder.build(write(tag, "{% extends 'base.html' %}{% block main %}T{% endblock %}"))
    assert fixed.ok
    assert snapshot(tmp_path / "live") == full(content, tmp_path)


def test_dev_server_builds_pause_the_collector_and_give_it_back(site, monkeypatch) -> None:
    """Each of the dev server's builds runs without automatic collections; the server's threads get them back after,
    failed build or not, and `settle` collects then."""
    import dateline.build

    content, rebuilder, _tmp_path = site
    seen = []
    real = dateline.build.read_site

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(dateline.build, "read_site", watched)
    assert rebuilder.build(write(content / "s/e2.md", entry(2, "New"))).ok
    assert not rebuilder.build(write(content / "s/e2.md", entry(2, extra="pined: 1\n"))).ok
    assert seen == [False, False] and gc.isenabled()


class _Stop(Exception):
    """Ends a scripted watch (raised by it; the server's loop raises it on)."""


def _serve_script(rebuilder, content: Path, script, monkeypatch) -> list[object]:
    """Run the dev server's watch loop on the changes `script(steps)` yields (sets of
    paths) until it raises _Stop; each build (its changed file names and whether it
    was interrupted) and settle, in order."""
    import watchfiles

    import dateline.serve.server

    steps: list[object] = []
    real_build = rebuilder.build

    def build(changed, pages_done, interrupted=None):
        steps.append(("build", sorted(p.name for p in changed)))
        result = real_build(changed, pages_done, interrupted=interrupted)
        steps.append("interrupted" if result.interrupted else "built")
        return result

    def settle(full=True):
        steps.append(f"settle full={full}")

    def changes(*paths, **options):
        for changed in script(steps):
            yield {(watchfiles.Change.modified, str(p)) for p in changed}

    monkeypatch.setattr(dateline.serve.server, "IDLE", 0.2)
    monkeypatch.setattr(watchfiles, "watch", changes)
    monkeypatch.setattr(rebuilder, "build", build)
    monkeypatch.setattr(rebuilder, "settle", settle)
    with pytest.raises(_Stop):
        dateline.serve.server.watch_and_rebuild(
            rebuilder, [content], dateline.serve.server.State(), threading.Event(), lambda r: None
        )
    return steps


def _until(steps: list[object], count: int, step: object) -> None:
    """Wait until `step` is in `steps` `count` times (the server's thread is busy)."""
    import time

    deadline = time.monotonic() + 10
    while steps.count(step) < count:
        assert time.monotonic() < deadline, steps
        time.sleep(0.005)


def test_the_dev_server_collects_everything_only_when_idle(site, monkeypatch) -> None:
    """After each rebuild the server collects only what that build made (5 ms at 20,400
    entries); the full collection (300-390 ms there), which a save made just after
    another would wait for, comes once no change has come for a while (IDLE)."""
    content, rebuilder, tmp_path = site

    def script(steps):
        for number, headline in enumerate(("One", "Two"), start=1):
            yield write(content / "s/e2.md", entry(2, headline))
            _until(steps, number, "settle full=False")
        _until(steps, 1, "settle full=True")  # nothing came for a while
        yield write(content / "s/e2.md", entry(2, "Three"))
        _until(steps, 3, "settle full=False")
        raise _Stop

    steps = _serve_script(rebuilder, content, script, monkeypatch)
    built = [("build", ["e2.md"]), "built", "settle full=False"]
    assert steps[:10] == [*built, *built, "settle full=True", *built]
    assert steps[10:] in ([], ["settle full=True"])  # (if the stop came after a while)
    assert "Three" in (tmp_path / "live/s/e2/index.html").read_text()


def test_a_change_during_a_rebuild_stops_it_and_comes_with_it_next(site, monkeypatch) -> None:
    """A save while the server rebuilds (1 s at 20,400 entries) stops that build
    between two pages; the next build takes both changes and leaves the site as a
    build from nothing makes it."""
    content, rebuilder, tmp_path = site
    real_build = rebuilder.build
    during = threading.Event()

    def slow_build(changed, pages_done, interrupted=None):
        def asked() -> bool:
            during.wait(10)  # the change comes before the first page is rendered
            return interrupted()

        return real_build(changed, pages_done, interrupted=asked if interrupted else None)

    monkeypatch.setattr(rebuilder, "build", slow_build)
    told: list[list[str]] = []
    monkeypatch.setattr(
        "dateline.serve.server.State.pages_written", lambda self, written: told.append(written)
    )

    def script(steps):  # (a key entry now: not a text edit, whose page comes at once)
        yield write(content / "s/e2.md", entry(2, "First save", extra="key: true\n"))
        _until(steps, 1, ("build", ["e2.md"]))
        yield write(content / "s/e5.md", entry(5, "Second save"))
        during.set()  # (the watch has queued it: it asked for the next change)
        _until(steps, 1, "settle full=False")
        raise _Stop

    steps = _serve_script(rebuilder, content, script, monkeypatch)
    assert steps[:5] == [
        *(("build", ["e2.md"]), "interrupted"),
        *(("build", ["e2.md", "e5.md"]), "built", "settle full=False"),
    ]
    # The stopped build wrote nothing; the next wrote both edited entries' pages first.
    assert {"s/e2/index.html", "s/e5/index.html"} <= set(told[0])
    assert "First save" in (tmp_path / "live/s/e2/index.html").read_text()
    assert snapshot(tmp_path / "live") == full(content, tmp_path)


def test_a_build_after_a_stopped_one_runs_to_its_end_whatever_comes(site, monkeypatch) -> None:
    """Saves coming faster than builds finish (a long story on a busy machine) must not
    stop every build: the one that takes over a stopped build's changes is not stopped
    again, so the preview moves on; the save made meanwhile comes next."""
    content, rebuilder, tmp_path = site
    real_build = rebuilder.build
    second, third = threading.Event(), threading.Event()
    calls: list[bool] = []

    def slow_build(changed, pages_done, interrupted=None):
        calls.append(interrupted is not None)
        if len(calls) == 1:  # the first: a newer save comes before its first page
            return real_build(changed, pages_done, interrupted=lambda: second.wait(10))
        if len(calls) == 2:
            third.wait(10)  # and another while the second builds
        return real_build(changed, pages_done, interrupted=interrupted)

    monkeypatch.setattr(rebuilder, "build", slow_build)

    def script(steps):
        yield write(content / "s/e2.md", entry(2, "First save", extra="key: true\n"))
        _until(steps, 1, ("build", ["e2.md"]))
        yield write(content / "s/e5.md", entry(5, "Second save", extra="key: true\n"))
        second.set()
        _until(steps, 1, ("build", ["e2.md", "e5.md"]))
        yield write(content / "s/e7.md", entry(7, "Third save", extra="key: true\n"))
        third.set()
        _until(steps, 2, "settle full=False")
        raise _Stop

    steps = _serve_script(rebuilder, content, script, monkeypatch)
    assert steps[:7] == [
        *(("build", ["e2.md"]), "interrupted"),
        *(("build", ["e2.md", "e5.md"]), "built", "settle full=False"),
        *(("build", ["e7.md"]), "built"),
    ]
    assert calls == [True, False, True]  # only the build taking over could not be stopped
    assert snapshot(tmp_path / "live") == full(content, tmp_path)


def test_the_dev_server_stops_when_the_watching_ends(site, monkeypatch) -> None:
    """(The server stops as it did when the watch loop ran on its own thread.)"""
    import watchfiles

    import dateline.serve.server

    content, rebuilder, tmp_path = site

    def changes(*paths, **options):
        write(content / "s/e2.md", entry(2, "Last"))
        yield {(watchfiles.Change.modified, str(content / "s/e2.md"))}

    monkeypatch.setattr(watchfiles, "watch", changes)
    stopping = threading.Event()
    state = dateline.serve.server.State()
    dateline.serve.server.watch_and_rebuild(rebuilder, [content], state, stopping, lambda r: None)
    assert "Last" in (tmp_path / "live/s/e2/index.html").read_text()


def test_a_quick_settle_leaves_frozen_garbage_to_a_full_one(site) -> None:
    import weakref

    _content, rebuilder, _tmp_path = site

    class Node:
        pass

    made = Node()
    made.itself = made  # a cycle: only a collection frees it
    gone = weakref.ref(made)
    try:
        gc.collect()
        gc.freeze()  # as a settle after an earlier build left it
        del made
        rebuilder.settle(full=False)
        assert gone() is not None
        rebuilder.settle()
        assert gone() is None
    finally:
        gc.unfreeze()


def test_one_edit_rerenders_only_what_shows_it(site) -> None:
    content, rebuilder, _tmp_path = site
    result = rebuilder.build(write(content / "s/e0.md", entry(0, "Edited oldest entry")))
    # The entry's page, the archive page that shows it, its tag page, the page of the
    # update after it (which links to it by its headline), the front page (its "Latest
    # developments": the entry is key), the key-events and oldest-first pages that show
    # it in full, and the feeds; not the other entries' pages or the other story.
    # Besides, the search index: the edited entry's piece and what lists it.
    assert result.rendered <= 7, (result, rebuilder.output.fresh)
    written = rebuilder.output.fresh
    pages = [p for p in written if not p.startswith("search/pagefind/")]
    assert len(written) == result.written
    assert 0 < len(pages) <= 10 and len(written) - len(pages) <= 8, written
    unchanged = rebuilder.build(set())
    assert (unchanged.rendered, unchanged.written) == (0, 0)


def test_edited_entry_pages_are_written_first(site) -> None:
    """The dev server hears which files were written twice: the edited entry's page and
    the timeline pages showing it as soon as they are written, then the other pages."""
    content, rebuilder, tmp_path = site
    told: list[list[str]] = []
    result = rebuilder.build(
        write(content / "s/e0.md", entry(0, "Edited oldest entry")), told.append
    )
    assert result.ok
    first, rest = told
    assert "s/e0/index.html" in first
    where = next(
        page for page in first if page != "s/e0/index.html" and page != "s/index.html"
    )  # the archive page that shows the oldest entry
    assert "Edited oldest entry" in (tmp_path / "live" / where).read_text()
    assert "s/tags/t0/index.html" in rest
    assert not set(first) & set(rest)
    assert not [p for p in first + rest if not p.endswith(".html")]  # feeds come after
    assert snapshot(tmp_path / "live") == full(content, tmp_path)


def _html(folder: Path) -> dict[str, str]:
    return {p: b.decode() for p, b in snapshot(folder).items() if p.endswith(".html")}


def _pages_when_read(rebuilder: Rebuilder, folder: Path, monkeypatch) -> list[dict[str, str]]:
    """The HTML pages in `folder` each time the rebuilder starts reading the site again."""
    seen: list[dict[str, str]] = []
    read = read_site

    def reading(*args, **kwargs):
        seen.append(_html(folder))
        return read(*args, **kwargs)

    monkeypatch.setattr("dateline.build.read_site", reading)
    return seen


def test_an_edited_entrys_pages_are_written_before_the_site_is_read_again(
    site, monkeypatch
) -> None:
    """A save that changes only what pages show of an entry (headline, text, byline,
    correction) is on its own page and the timeline page showing it before the story is
    read again: a few milliseconds at any length of story. The rebuild that follows
    brings every other page up to date."""
    content, rebuilder, tmp_path = site
    seen = _pages_when_read(rebuilder, tmp_path / "live", monkeypatch)
    before = _html(tmp_path / "live")
    told: list[list[str]] = []
    edited = (
        original(1)
        .replace("Entry 1", "A new headline")
        .replace("Body of", "Text of")
        .replace("tags:", "correction: A date was wrong.\ntags:")
    )
    result = rebuilder.build(write(content / "s/e1.md", edited), told.append)
    assert result.ok
    # Its page, then the archive page showing it; not the front page, which does not.
    page, archive = told[0]
    assert page == "s/e1/index.html" and archive.startswith("s/page/")
    for path in (page, archive):
        assert "A new headline" not in before[path]
        assert "A new headline" in seen[0][path] and "Text of entry 1" in seen[0][path]
        assert "A date was wrong." in seen[0][path]
    assert seen[0]["s/index.html"] == before["s/index.html"]
    assert not {page, archive} & {p for later in told[1:] for p in later}
    newer = (tmp_path / "live/s/e2/index.html").read_text()  # links to it by its headline
    assert "A new headline" in newer and "A new headline" not in seen[0]["s/e2/index.html"]
    assert result.rendered >= 3 and result.written >= 3  # the early pages counted, and the rest
    assert snapshot(tmp_path / "live") == full(content, tmp_path)


def test_a_key_entrys_new_headline_is_on_the_front_page_before_the_site_is_read(
    site, monkeypatch
) -> None:
    """The front page lists key entries by headline ("Latest developments") and shows
    the story's last update: both come early too."""
    content, rebuilder, tmp_path = site
    seen = _pages_when_read(rebuilder, tmp_path / "live", monkeypatch)
    edited = (
        original(3)
        .replace("Entry 3", "A key headline")
        .replace("key: true", "key: true\nupdated: 2022-03-04 12:00")
    )
    told: list[list[str]] = []
    assert rebuilder.build(write(content / "s/e3.md", edited), told.append).ok
    assert set(told[0]) == {"s/e3/index.html", "s/index.html", "s/page/2/index.html"}
    front = seen[0]["s/index.html"]
    assert "A key headline" in front and 'datetime="2022-03-04T12:00:00+02:00"' in front
    assert snapshot(tmp_path / "live") == full(content, tmp_path)


@pytest.mark.parametrize(
    "change",
    [
        ("2022-03-01 11:00", "2022-03-03 09:30"),  # its place in the timeline
        ("tags: [t1]", "tags: [t1, new]"),  # a topic page it links to
        ("1001,000", "1002,000"),  # a figure: its box's notes are the story's
        ("tags: [t1]\n", "tags: [t1]\npinned: true\n"),  # shown above the timeline
        ("tags: [t1]\n", "tags: [t1]\ndraft: true\n"),  # gone from the site
        ("tags: [t1]\n", "tags: [t1]\naliases: [e2]\n"),  # a mistake only the story shows
        ("Body of entry 1.", "See [gone](gone.md)."),  # a link to a missing file
        ("title: Entry 1", "title: [Entry 1"),  # a mistake in the file
    ],
    ids=["time", "tags", "figures", "pinned", "draft", "alias", "link", "yaml"],
)
def test_an_edit_that_changes_more_than_its_page_waits_for_the_rebuild(
    site, change: tuple[str, str], monkeypatch
) -> None:
    content, rebuilder, tmp_path = site
    page = tmp_path / "live/s/e1/index.html"
    before = _html(tmp_path / "live")
    seen = _pages_when_read(rebuilder, tmp_path / "live", monkeypatch)
    edited = original(1).replace(*change)
    assert edited != original(1)
    result = rebuilder.build(write(content / "s/e1.md", edited), lambda written: None)
    assert seen == [before]
    try:
        expected = full(content, tmp_path)
    except BuildError:
        assert not result.ok
        assert page.read_text() == before["s/e1/index.html"]
    else:
        assert result.ok and snapshot(tmp_path / "live") == expected


def test_after_a_failed_build_no_page_is_written_ahead(site, monkeypatch) -> None:
    """A mistake in one file fails every build until fixed; a headline edited elsewhere
    meanwhile must not reach the served site ahead of it."""
    content, rebuilder, tmp_path = site
    page = tmp_path / "live/s/e1/index.html"
    before = page.read_text()
    assert not rebuilder.build(write(content / "s/e3.md", entry(3, extra="pined: 1\n"))).ok
    told: list[list[str]] = []
    edited = original(1).replace("Entry 1", "A new headline")
    assert not rebuilder.build(write(content / "s/e1.md", edited), told.append).ok
    assert page.read_text() == before and not told
    assert rebuilder.build(write(content / "s/e3.md", original(3)), told.append).ok
    assert "A new headline" in page.read_text()


def test_errors_keep_the_last_good_output(site) -> None:
    content, rebuilder, tmp_path = site
    before = snapshot(tmp_path / "live")
    result = rebuilder.build(write(content / "s/e2.md", "---\ntitle: x\ntime: later\n---\n"))
    assert not result.ok
    assert [str(e).split(": ", 1)[1] for e in result.errors] == [
        "'time': cannot read 'later' as a time; write it like '2022-03-02 14:05'"
    ]
    assert snapshot(tmp_path / "live") == before
    assert rebuilder.build(write(content / "s/e2.md", entry(2, "Fixed"))).ok
    assert snapshot(tmp_path / "live") == full(content, tmp_path)


@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "forked-workers"])
def test_cached_command_line_builds_equal_full_builds(site, parallel: bool, monkeypatch) -> None:
    """The build cache beside the output: every rebuild equals a build without it."""
    import dateline.read.entries
    import dateline.speed.parallel
    import dateline.write.cache

    if parallel:  # make the small test site take the forked-worker paths
        monkeypatch.setattr(dateline.speed.parallel, "PARALLEL_FROM", 1)
        monkeypatch.setattr(dateline.read.entries, "PARALLEL_FROM", 1)
    monkeypatch.setattr(dateline.write.cache, "_BATCH", 2)  # many batches, most kept as they are
    content, _rebuilder, tmp_path = site
    cached = tmp_path / "cached"
    build(content, cached, jobs=1)
    cache_file = cached.parent / ".cached.dateline-cache"
    assert cache_file.is_file() and not (cached / ".cached.dateline-cache").exists()
    for name, step in STEPS.items():
        step(content)
        report = build(content, cached, jobs=2)
        reference = tmp_path / "reference"
        build(content, reference, use_cache=False)
        assert snapshot(cached) == snapshot(reference), name
        assert report.files == len(
            [p for p in cached.rglob("*") if p.is_file() and p.name != ".dateline"]
        )
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
        # No parts, no staging: the cache, and the lock files (empty, no one holds them).
        assert leftovers == [".cached.dateline-cache", ".cached.lock", ".reference.lock"]


def test_cache_copies_the_batches_of_unchanged_entries(site, monkeypatch) -> None:
    import dateline.write.cache

    monkeypatch.setattr(dateline.write.cache, "_BATCH", 2)
    pickled: list[int] = []
    pickler = dateline.write.cache.inline_pickler
    monkeypatch.setattr(
        dateline.write.cache, "inline_pickler", lambda handle: pickled.append(1) or pickler(handle)
    )
    content, _rebuilder, tmp_path = site
    out = tmp_path / "out"
    build(content, out)
    assert len(pickled) == 5  # nine entry files, two a batch
    pickled.clear()
    write(content / "s/e2.md", entry(2, "Only this changed"))
    build(content, out)
    assert len(pickled) == 1  # the edited entry's batch; four copied
    loaded = dateline.write.cache.load(out, content)
    assert len(loaded.batches) == 5 and len(loaded.read.entries) == 9
    assert snapshot(out) == full(content, tmp_path)


def test_cache_reuses_unchanged_pages_and_survives_hand_edits(site) -> None:
    content, _rebuilder, tmp_path = site
    out = tmp_path / "out"
    build(content, out)
    write(content / "s/e2.md", entry(2, "Only this changed"))
    report = build(content, out)
    reused = report.details[-1]
    assert "unchanged" in reused
    # A page changed by hand in the output is rebuilt, not taken for the built one.
    page = out / "s" / "e5" / "index.html"
    page.write_text("tampered")
    # Nor is a feed changed by hand spliced into the next one.
    feed = out / "s" / "feed.xml"
    feed.write_bytes(feed.read_bytes().replace(b"<entry>", b"<entry><x/>"))
    write(content / "s/e3.md", entry(3, "Another change"))
    build(content, out)
    assert page.read_text() != "tampered"
    assert b"<x/>" not in feed.read_bytes()
    assert snapshot(out) == full(content, tmp_path)
    # A broken cache file is ignored, not fatal.
    (tmp_path / ".out.dateline-cache").write_bytes(b"not a pickle")
    build(content, out)
    assert snapshot(out) == full(content, tmp_path)


def test_a_future_time_is_judged_by_each_read_not_kept_with_the_entry(content) -> None:
    """The read cache keeps an entry's own warnings; whether it is ahead of the clock
    changes as time passes, so it is checked afresh each time."""
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": "---\ntime: 2030-01-01 12:00 +00:00\ntitle: A\n---\n",
        }
    )
    cache = ReadCache()
    before = datetime(2029, 12, 31, 12, 0, tzinfo=UTC)
    _, warnings = read_site(root, cache=cache, now=before)
    assert [(w.line, w.message.split(" (")[0]) for w in warnings] == [
        (2, "'time' is 24 hours ahead of the clock")
    ]
    _, warnings = read_site(root, cache=cache, now=before)  # read from the cache
    assert len(warnings) == 1
    _, warnings = read_site(root, cache=cache, now=datetime(2030, 1, 1, 12, 5, tzinfo=UTC))
    assert warnings == []


def test_an_update_time_ahead_of_the_clock_is_warned_of_too(content) -> None:
    """ "Updated 16:30" shown before 16:30: the same kind of typo."""
    text = "---\ntime: 2022-03-02 12:00 +00:00\ntitle: A\nupdated: 2023-03-02 13:00 +00:00\n---\n"
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": text})
    now = datetime(2022, 3, 2, 14, 0, tzinfo=UTC)
    _, warnings = read_site(root, now=now)
    assert [(w.line, w.message.split(" (")[0]) for w in warnings] == [
        (4, "'updated' is 365 days ahead of the clock")
    ]
    _, warnings = read_site(root, now=datetime(2023, 3, 2, 13, 5, tzinfo=UTC))
    assert warnings == []
