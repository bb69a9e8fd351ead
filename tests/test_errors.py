"""Every content mistake fails the build as `path:line: message`, all at once, exit 1."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SITE_TOML, STORY_INDEX, entry, run_cli, write_tree

FIXTURES = Path(__file__).parent / "fixtures"


def build_errors(content: Path, tmp_path: Path, *extra: str) -> list[str]:
    result = run_cli("--content", content, "--out", tmp_path / "out", *extra)
    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # nothing was written
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith("nothing was written")
    return lines[:-1]


def rel(content: Path, name: str) -> str:
    """The path as the CLI prints it (relative to the repository, where it runs)."""
    return str(content / name)


@dataclass(frozen=True)
class Case:
    """One case of a fixture file: its title, the files it writes, the lines expected."""

    title: str
    files: dict[str, str]
    expected: list[str]


def read_cases(path: Path) -> list[Case]:
    """The cases of a fixture file laid out as markdown-it-py's: a title line, `.`, the
    files (each after a `==> path <==` line), `.`, the expected lines, `.`; anything
    between cases is commentary. A malformed case fails collection, naming its line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    dots = [i for i, line in enumerate(lines) if line.rstrip("\n") == "."]
    if len(dots) % 3:
        raise ValueError(f"{path}: {len(dots)} '.' lines; each case has three")
    cases: list[Case] = []
    for opening, middle, closing in zip(dots[::3], dots[1::3], dots[2::3], strict=True):
        title = lines[opening - 1].strip() if opening else ""
        if not title or title in {case.title for case in cases}:
            raise ValueError(f"{path}:{opening + 1}: a case needs a title of its own above '.'")
        files: dict[str, str] = {}
        name = None
        for number, line in enumerate(lines[opening + 1 : middle], opening + 2):
            header = re.fullmatch(r"==> (\S+) <==", line.rstrip("\n"))
            if header and header[1] not in files:
                name = header[1]
                files[name] = ""
            elif name is None or header:
                raise ValueError(f"{path}:{number}: start each file with '==> path <==', once")
            else:
                files[name] += line
        expected = [line.rstrip("\n") for line in lines[middle + 1 : closing]]
        if not files or not expected:
            raise ValueError(f"{path}:{opening}: case {title!r} needs files and expected lines")
        cases.append(Case(title, files, expected))
    return cases


ERROR_CASES = read_cases(FIXTURES / "errors.md")


@pytest.mark.parametrize("case", ERROR_CASES, ids=[case.title for case in ERROR_CASES])
def test_each_error_is_reported_at_its_line(tmp_path: Path, case: Case) -> None:
    """tests/fixtures/errors.md: each content tree, built by the command line, fails
    with exactly its expected `path:line: message` lines and writes nothing."""
    defaults = {"content/site.toml": SITE_TOML, "content/s/_index.md": STORY_INDEX}
    files = {name: text.encode() for name, text in case.files.items()}  # byte for byte
    write_tree(tmp_path, {**defaults, **files})
    result = run_cli("--content", "content", "--out", "site", cwd=tmp_path)
    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    *errors, last = result.stderr.splitlines()
    assert errors == case.expected
    count = len(case.expected)
    assert last == f"{count} error{'s' if count != 1 else ''}; nothing was written"
    assert not (tmp_path / "site").exists()


def test_every_error_in_one_run_sorted_with_count(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/b.md": "---\ntime: 2022-03-02 10:00\ntitle: B\npined: true\n---\n",
            "s/a.md": "---\ntitle: A\ntime: never\n---\n```figures X\nY: ?\n```\n",
            "t/_index.md": "---\ntitle: T\nstatus: paused\n---\n",
        }
    )
    result = run_cli("--content", root, "--out", tmp_path / "out")
    assert result.code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"{rel(root, 's/a.md')}:3: 'time': cannot read 'never' as a time; write it like '2022-03-02 14:05'",
        f"{rel(root, 's/b.md')}:4: unknown key 'pined' (did you mean 'pinned'?)",
        f"{rel(root, 't/_index.md')}:3: status must be 'live' or 'ended', not 'paused'",
        "3 errors; nothing was written",
    ]


def test_figure_errors_are_reported_even_when_time_is_bad(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": "---\ntitle: A\ntime: 2022-03-02 10:00\n---\n```figures X\nY: ?\n```\n",
        }
    )
    assert build_errors(root, tmp_path) == [
        f"{rel(root, 's/a.md')}:6: cannot read a number at the start of '?'; write it like '498', 'more than 7,000', '1.5 million' or '1,000-2,000'"
    ]


def test_story_and_site_errors(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": "---\ntitle: S\ntimezone: Mars/Olympus\nstatsu: live\n---\n",
            "Bad Name/_index.md": "---\ntitle: B\n---\n",
            "n/a.md": entry(),
        },
        site_toml='title = "X"\nbase_ur = "https://example.org/"\n',
    )
    assert build_errors(root, tmp_path) == [
        f"{rel(root, 'site.toml')}:2: unknown key 'base_ur' (did you mean 'base_url'?)"
    ]
    (root / "site.toml").write_text('title = "X"\n')
    assert build_errors(root, tmp_path) == [
        f"{rel(root, 'Bad Name/_index.md')}:1: story folder 'Bad Name' is used in URLs; rename it to 'bad-name'",
        f"{rel(root, 'n/_index.md')}:1: story 'n' has no _index.md; add one with 'title:'",
        f"{rel(root, 's/_index.md')}:3: unknown time zone 'Mars/Olympus'; use an IANA name such as 'Europe/Kyiv' or 'UTC'",
        f"{rel(root, 's/_index.md')}:4: unknown key 'statsu' (did you mean 'status'?)",
    ]


def test_site_toml_syntax_and_values(content, tmp_path: Path) -> None:
    root = content(
        {}, site_toml='title = "X"\nbase_url = "example.org"\nlanguage = "english language"\n'
    )
    assert build_errors(root, tmp_path) == [
        f"{rel(root, 'site.toml')}:2: base_url 'example.org' must be an absolute http(s) URL, like 'https://example.org/live/'",
        f"{rel(root, 'site.toml')}:3: language 'english language' is not a BCP 47 tag such as 'en' or 'en-GB'",
    ]
    (root / "site.toml").write_text('title = "X"\nbase_url = \n')
    errors = build_errors(root, tmp_path)
    assert errors[0].startswith(f"{rel(root, 'site.toml')}:2: site.toml is not valid TOML")


def test_drafts_are_validated(content, tmp_path: Path) -> None:
    root = content(
        {"s/_index.md": STORY_INDEX, "s/d.md": "---\ntime: bad\ntitle: D\ndraft: true\n---\n"}
    )
    assert build_errors(root, tmp_path) == [
        f"{rel(root, 's/d.md')}:2: 'time': cannot read 'bad' as a time; write it like '2022-03-02 14:05'"
    ]


def test_two_files_one_permalink(content, tmp_path: Path) -> None:
    root = content(
        {"s/_index.md": STORY_INDEX, "s/Kharkiv Update.md": entry(), "s/kharkiv-update.md": entry()}
    )
    assert build_errors(root, tmp_path) == [
        f"{rel(root, 's/kharkiv-update.md')}:1: 'kharkiv-update.md' gives the same permalink as 'Kharkiv Update.md'; rename one"
    ]


def test_repeated_local_time_at_clock_change(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": "---\ntitle: S\ntimezone: Europe/London\n---\n",
            "s/a.md": entry(time="2022-10-30 01:30"),
        }
    )
    assert build_errors(root, tmp_path) == [
        f"{rel(root, 's/a.md')}:2: 'time': 2022-10-30 01:30 happens twice in Europe/London (the clocks go back); write an explicit offset: '2022-10-30 01:30+01:00' or '2022-10-30 01:30+00:00'"
    ]


def test_invalid_utf8(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": b"---\ntitle: A\ntime: 2022-03-02 10:00\n---\ncaf\xe9\n",
        }
    )
    assert build_errors(root, tmp_path) == [
        f"{rel(root, 's/a.md')}:5: not valid UTF-8 text; save the file as UTF-8"
    ]


def test_usage_errors_exit_2(content, tmp_path: Path) -> None:
    root = content({"s/_index.md": STORY_INDEX})
    assert run_cli("--bogus").code == 2
    missing = run_cli("--content", tmp_path / "nope", "--out", tmp_path / "out")
    assert missing.code == 2 and "content folder" in missing.stderr
    assert run_cli("--content", root, "--out", root).code == 2
    assert run_cli("--content", root, "--out", tmp_path).code == 2  # contains the content
    assert run_cli("--content", root, "--out", root / "s" / "site").code == 2  # inside it
    other = tmp_path / "someone-elses"
    other.mkdir()
    (other / "keep.txt").write_text("precious")
    refused = run_cli("--content", root, "--out", other)
    assert refused.code == 2 and "was not made by dateline" in refused.stderr
    assert (other / "keep.txt").read_text() == "precious"


def test_broken_site_template_is_reported_without_traceback(content, tmp_path: Path) -> None:
    root = content(
        {
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(),
            "_theme/templates/entry.html": "{% extends 'base.html' %}\n{% block main %}{{ entry.title }\n{% endblock %}",
        }
    )
    result = run_cli("--content", root, "--out", tmp_path / "out")
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert f"{root / '_theme/templates/entry.html'}:2: template error:" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "forked-workers"])
def test_a_template_failing_while_rendering_is_reported_at_its_line(
    content, tmp_path: Path, parallel: bool
) -> None:
    """A theme mistake Jinja finds only while rendering (an unknown attribute) is told
    by the template's own file and line, also when a forked worker met it."""
    files = {
        "s/_index.md": STORY_INDEX,
        "_theme/templates/entry.html": (
            "{% extends 'base.html' %}\n{% block main %}\n{{ entry.headline }}\n{% endblock %}"
        ),
    }
    count = 320 if parallel else 1  # past the number a build forks workers from
    files.update(
        {
            f"s/e{i}.md": entry(f"Entry {i}", f"2022-03-02 {10 + i // 60}:{i % 60:02d}")
            for i in range(count)
        }
    )
    root = content(files)
    result = run_cli("--content", root, "--out", tmp_path / "out")
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"{root / '_theme/templates/entry.html'}:3: template error: "
        "'dateline.model.site.Entry object' has no attribute 'headline'"
    )
    assert not (tmp_path / "out").exists()


def _render_failing(folder: str) -> str:
    """In a forked worker: render a template that fails on its second line."""
    from dateline.render.theme import make_env

    return make_env([Path(folder)]).get_template("bad.html").render(entry=object())


def test_a_template_error_from_a_worker_is_placed_by_its_traceback_text(tmp_path: Path) -> None:
    """A worker's exception reaches the build with its traceback only as text (what
    multiprocessing sends); the template's place is read from that text."""
    import multiprocessing

    import jinja2

    from dateline.render.theme import template_error

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/bad.html").write_text("<p>\n{{ entry.headline }}\n</p>\n")
    with (
        multiprocessing.get_context("fork").Pool(1) as pool,
        pytest.raises(jinja2.UndefinedError) as raised,
    ):
        pool.apply(_render_failing, (str(tmp_path),))
    error = template_error(raised.value, [tmp_path])
    assert (error.path, error.line) == (str(tmp_path / "templates/bad.html"), 2)
    assert error.message == "template error: 'object object' has no attribute 'headline'"


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("title: Breaking: explosion in Kyiv", "Breaking: explosion in Kyiv"),
        ("title: Kyiv's mayor: we stay", "Kyiv's mayor: we stay"),
        ("title: 'It's here'", "It's here"),
        ('title: "Kyiv" says minister', '"Kyiv" says minister'),
        ("title: [Live] Kyiv", "[Live] Kyiv"),
        ("title: @home", "@home"),
        ("title: - a dash first", "- a dash first"),
        ("author: Jane: Doe", "Jane: Doe"),
    ],
)
def test_a_yaml_slip_gets_the_line_to_write_instead(content, written: str, meant: str) -> None:
    """The line each message suggests builds, with the value the editor meant."""
    from dateline.build import read_site
    from dateline.errors import BuildError

    key = written.partition(":")[0]
    lines = ["---", "time: 2022-03-02 10:00", "title: A", "author: B", "---", "Body."]
    lines[2 if key == "title" else 3] = written
    root = content({"s/_index.md": STORY_INDEX, "s/a.md": "\n".join(lines) + "\n"})
    with pytest.raises(BuildError) as raised:
        read_site(root)
    [error] = raised.value.errors
    assert error.line == (3 if key == "title" else 4)
    assert error.message.startswith("front matter is not valid YAML: ")
    suggested = f"{key}: " + error.message.rsplit(f" {key}: ", 1)[1]
    (root / "s" / "a.md").write_text("\n".join(lines).replace(written, suggested) + "\n")
    site, _ = read_site(root)
    entry_read = site.stories[0].entries[0]
    assert (entry_read.title if key == "title" else entry_read.author) == meant
