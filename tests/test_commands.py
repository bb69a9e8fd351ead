"""The editor's commands: new-story, new, check, and build's summary."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import SITE_TOML, entry, run_cli, write_tree


def test_new_story_then_new_entry_builds(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content", {"site.toml": SITE_TOML + 'timezone = "Asia/Tokyo"\n'}
    )
    made = run_cli("new-story", "storm-eunice", "Storm Eunice: live", "--content", content)
    assert made.code == 0, made.stderr
    index = content / "storm-eunice" / "_index.md"
    assert made.stdout.strip() == str(index)
    assert index.read_text().startswith('---\ntitle: "Storm Eunice: live"\nstatus: live\n---\n')
    before = datetime.now(UTC)
    result = run_cli("new", "storm-eunice", 'Winds of 122 mph: "record"', "--content", content)
    assert result.code == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.parent == content / "storm-eunice"
    text = path.read_text()
    match = re.fullmatch(
        r'---\ntime: (\S+ \S+)\ntitle: "Winds of 122 mph: \\"record\\""\n---\n\n', text
    )
    assert match, text
    written = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M").replace(
        tzinfo=ZoneInfo("Asia/Tokyo")
    )
    assert before - timedelta(minutes=1) <= written <= datetime.now(UTC)  # now, in the site's zone
    again = run_cli("new", "storm-eunice", 'Winds of 122 mph: "record"', "--content", content)
    assert Path(again.stdout.strip()) != path  # never overwrites
    built = run_cli("--content", content, "--out", tmp_path / "site")
    assert built.code == 0, built.stderr
    assert (tmp_path / "site" / "storm-eunice" / path.stem / "index.html").is_file()


def test_new_uses_the_story_zone(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {"site.toml": SITE_TOML, "s/_index.md": "---\ntitle: S\ntimezone: America/Chicago\n---\n"},
    )
    path = Path(run_cli("new", "s", "Hello", "--content", content).stdout.strip())
    written = re.search(r"time: (.+)", path.read_text()).group(1)
    now_there = datetime.now(ZoneInfo("America/Chicago")).replace(tzinfo=None)
    assert abs(datetime.strptime(written, "%Y-%m-%d %H:%M") - now_there) < timedelta(minutes=2)


def test_new_and_new_story_usage_errors(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content", {"site.toml": SITE_TOML, "s/_index.md": "---\ntitle: S\n---\n"}
    )
    assert run_cli("new-story", "Bad Slug", "T", "--content", content).code == 2
    exists = run_cli("new-story", "s", "Again", "--content", content)
    assert exists.code == 2 and "already exists" in exists.stderr
    missing = run_cli("new", "nope", "Headline", "--content", content)
    assert missing.code == 2 and "no story 'nope'" in missing.stderr
    assert (content / "s" / "_index.md").read_text() == "---\ntitle: S\n---\n"


def test_check_writes_nothing_and_reports_everything(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {"site.toml": SITE_TOML, "s/_index.md": "---\ntitle: S\n---\n", "s/a.md": entry()},
    )
    ok = run_cli("check", "--content", content, cwd=tmp_path)
    assert ok.code == 0 and ok.stdout.strip() == f"No errors in {content}."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]
    (content / "s" / "b.md").write_text("---\ntitle: B\ntime: soon\ndraft: true\n---\n")
    bad = run_cli("check", "--content", content, cwd=tmp_path)
    assert bad.code == 1
    # Paths are shown relative to where the editor runs the command.
    assert (
        bad.stderr.splitlines()[0]
        == "content/s/b.md:3: 'time': cannot read 'soon' as a time; write it like '2022-03-02 14:05'"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_check_strict_fails_on_warnings_and_broken_links(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": "---\ntitle: S\n---\n",
            "s/a.md": entry(body="![](pic.png)"),
            "s/pic.png": b"png",
        },
    )
    assert run_cli("check", "--content", content).code == 0  # a warning alone passes
    strict = run_cli("check", "--strict", "--content", content)
    assert strict.code == 1
    assert (
        strict.stderr.splitlines()[0] == f"{content / 's/a.md'}:5: image 'pic.png' has no alt text"
    )
    assert strict.stderr.splitlines()[-1] == "1 error; a build would write nothing"
    (content / "s" / "a.md").write_text(entry(body="![A map](pic.png) [gone](../nowhere/)"))
    linked = run_cli("check", "--strict", "--content", content)
    assert linked.code == 1 and "broken link '../../nowhere/': no such file" in linked.stderr


def test_build_summary_quiet_and_verbose(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {"site.toml": SITE_TOML, "s/_index.md": "---\ntitle: S\n---\n", "s/a.md": entry()},
    )
    normal = run_cli("--content", content, "--out", tmp_path / "site")
    assert re.fullmatch(
        rf"Built 1 story, 1 entry, \d+ files into {re.escape(str(tmp_path / 'site'))} in \d+\.\d\ds\n",
        normal.stdout,
    )
    assert run_cli("--content", content, "--out", tmp_path / "site", "-q").stdout == ""
    verbose = run_cli("--content", content, "--out", tmp_path / "site", "--verbose").stdout
    assert "  s: 1 entries, 0 figure boxes, zone UTC, live" in verbose
    assert "unchanged" in verbose


def test_check_strict_warns_on_an_old_figure_dated_as_new(tmp_path: Path) -> None:
    box = "```figures Killed\nMoD: 498{as_of}\n```"
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": "---\ntitle: S\n---\n",
            "s/a.md": entry(body=box.format(as_of="")),
            "s/b.md": entry("Later", time="2022-03-02 18:00", body=box.format(as_of="")),
        },
    )
    strict = run_cli("check", "--strict", "--content", content)
    assert strict.code == 1
    assert (
        strict.stderr.splitlines()[0]
        == f"{content / 's/b.md'}:6: MoD's '498' is the figure it gave in 'a'; add (as of DATE) so it is not dated to this entry"
    )
    (content / "s" / "b.md").write_text(
        entry("Later", time="2022-03-02 18:00", body=box.format(as_of=" (as of 2022-03-02 10:00)"))
    )
    assert run_cli("check", "--strict", "--content", content).code == 0


def test_entry_timed_ahead_of_the_clock_warns(tmp_path: Path) -> None:
    """A wrong year, day or zone would top the timeline as the latest update."""
    tokyo = ZoneInfo("Asia/Tokyo")
    soon = datetime.now(tokyo) + timedelta(minutes=5)  # within clocks' disagreement
    later = datetime.now(tokyo) + timedelta(hours=3, minutes=1)
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": "---\ntitle: S\ntimezone: Asia/Tokyo\n---\n",
            "s/soon.md": entry("Soon", time=f"{soon:%Y-%m-%d %H:%M}"),
            "s/later.md": entry("Later", time=f"{later:%Y-%m-%d %H:%M}"),  # in the story's zone
        },
    )
    built = run_cli("--content", content, "--out", tmp_path / "site")
    assert built.code == 0
    warned = [line for line in built.stderr.splitlines() if "ahead of the clock" in line]
    assert len(warned) == 1
    assert warned[0].startswith(
        f"{content / 's/later.md'}:2: warning: 'time' is 3 hours ahead of the clock (now "
    )
    assert warned[0].endswith(
        " JST), so it shows as the latest update until then; check the date and the time zone"
    )
    # Warned again by a build that reads the entry from its cache, and by --strict fatally.
    again = run_cli("--content", content, "--out", tmp_path / "site")
    assert "later.md:2: warning: 'time' is 3 hours ahead" in again.stderr
    strict = run_cli("check", "--strict", "--content", content)
    assert strict.code == 1 and "later.md:2: 'time' is 3 hours ahead" in strict.stderr


def test_first_story_in_an_empty_folder_starts_the_site(tmp_path: Path) -> None:
    """A newsroom's first `new-story` also writes a starter site.toml, so the next
    build works; one already there is left alone."""
    content = tmp_path / "content"
    made = run_cli("new-story", "storm", "Storm Eunice", "--content", content)
    assert made.code == 0, made.stderr
    assert made.stdout.strip() == str(content / "storm" / "_index.md")  # stdout as before
    assert f"{content / 'site.toml'}: the site's settings, started" in made.stderr
    assert run_cli("new", "storm", "Red warning", "--content", content).code == 0
    built = run_cli("--content", content, "--out", tmp_path / "site")
    assert built.code == 0, built.stderr
    assert "Live coverage" in (tmp_path / "site" / "index.html").read_text()
    (content / "site.toml").write_text('title = "Desk"\n')
    again = run_cli("new-story", "flood", "Floods", "--content", content)
    assert again.code == 0 and again.stderr == ""
    assert (content / "site.toml").read_text() == 'title = "Desk"\n'
