"""Property-based tests: generated figure lines and front matter, read back exactly.

Every valid claim hypothesis can build from parts parses back to those parts; every
invalid one is a FigureError at its line; nothing raises anything else.
"""

from __future__ import annotations

import posixpath
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.common.normalize_url import normalizeLink

from dateline.read.entryfile import ENTRY_SCHEMA, Problems, parse_entry
from dateline.read.figures import QUALIFIERS, STATUSES, FigureError, parse_box, parse_claim
from dateline.read.frontmatter import FrontMatterError, read_fields, split
from dateline.read.markup import make_parser
from dateline.urls import PLAIN_WEB_URL, rebase, relative, srcset_urls

ZONE = ZoneInfo("Europe/Kyiv")
ENTRY_TIME = datetime(2022, 3, 2, 17, 45, tzinfo=ZONE)
SCALES = {"": 1, " thousand": 1000, " million": 10**6, " billion": 10**9, "k": 1000, "m": 10**6}
UNITS = ["", "troops", "people", "civilians killed", "homes without power", "%"]

source_names = (
    st.text(
        alphabet=st.characters(
            codec="utf-8", categories=["L", "N", "Zs"], include_characters="'.-&"
        ),
        min_size=1,
        max_size=30,
    )
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and not s.lower().startswith("note"))
)


@st.composite
def numbers(draw: st.DrawFn) -> tuple[str, Decimal, str]:
    """(text as an editor writes it, exact value, scale text) for one NUMBER."""
    whole = draw(st.integers(min_value=0, max_value=999_999))
    decimals = draw(st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,3}", fullmatch=True)))
    commas = draw(st.booleans())
    scale = draw(st.sampled_from(list(SCALES)))
    digits = f"{whole:,}" if commas else str(whole)
    value = Decimal(f"{whole}{decimals}") * SCALES[scale]
    return f"{digits}{decimals}", value, scale


@st.composite
def claims(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    """A valid claim line and what it must parse to."""
    source = draw(source_names)
    link = draw(
        st.one_of(
            st.none(),
            st.sampled_from(["https://example.org/a", "http://x.example/b?c=d", "report.pdf"]),
        )
    )
    kind = draw(st.sampled_from(["single", "qualified", "dash", "to", "between"]))
    text, value, scale = draw(numbers())
    expected: dict[str, object] = {"qualifier": None, "value": value}
    if kind in ("single", "qualified"):
        qualifier = draw(st.sampled_from(sorted(QUALIFIERS))) if kind == "qualified" else None
        has_low, has_high = QUALIFIERS[qualifier] if qualifier else (True, True)
        shown = f"{qualifier} {text}{scale}" if qualifier else f"{text}{scale}"
        expected.update(
            qualifier=qualifier, low=value if has_low else None, high=value if has_high else None
        )
    else:
        high_text, high, high_scale = draw(numbers())
        if scale and not high_scale:
            high_scale = scale  # a scale on the low end alone must be repeated on the high end
            high = Decimal(high_text.replace(",", "")) * SCALES[scale]
        low = value if scale else Decimal(text.replace(",", "")) * SCALES[high_scale]
        if low > high:
            low, high = high, low
            text, high_text = high_text, text
            scale, high_scale = (high_scale, scale) if scale else (scale, high_scale)
        if kind == "dash":
            shown = f"{text}{scale}-{high_text}{high_scale}"
        elif kind == "to":
            shown = f"{text}{scale} to {high_text}{high_scale}"
        else:
            shown = f"between {text}{scale} and {high_text}{high_scale}"
        if not scale and high_scale and kind == "dash":
            pass  # "1-2 million": the scale after the high end applies to both
        expected.update(value=low, low=low, high=high)
    unit = draw(st.sampled_from(UNITS))
    if unit == "%":
        shown += "%"
    elif unit:
        shown += f" {unit}"
    as_of = draw(
        st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))
    )
    status = draw(st.one_of(st.none(), st.sampled_from(STATUSES)))
    line = f"[{source}]({link}): {shown}" if link else f"{source}: {shown}"
    if as_of is not None:
        line += f" (as of {as_of.isoformat()})"
    if status is not None:
        line += f" [{status}]"
    expected.update(
        source=source,
        source_url=link,
        unit=unit or None,
        text=shown,
        as_of=as_of if as_of is not None else ENTRY_TIME,
        status=status or "unverified",
    )
    return line, expected


@settings(max_examples=400, deadline=None)
@given(claims(), st.integers(min_value=1, max_value=5000))
def test_valid_claims_parse_back_exactly(case: tuple[str, dict[str, object]], line: int) -> None:
    text, expected = case
    claim = parse_claim(text, line, ENTRY_TIME, ZONE)
    got = {key: getattr(claim, key) for key in expected}
    assert got == expected, text
    assert claim.line == line


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120), st.integers(min_value=1, max_value=5000))
def test_any_line_parses_or_is_a_located_error(text: str, line: int) -> None:
    try:
        parse_claim(text, line, ENTRY_TIME, ZONE)
    except FigureError as error:
        assert error.line == line
        assert error.message


@settings(max_examples=300, deadline=None)
@given(claims(), st.sampled_from(["~", "+", "?", "(", "[", "≈", "x"]), st.integers(0, 200))
def test_corrupted_claims_are_errors_or_still_exact(
    case: tuple[str, dict[str, object]], junk: str, position: int
) -> None:
    text, _ = case
    at = text.index(":") + 2 + position % max(1, len(text) - text.index(":") - 2)
    broken = text[:at] + junk + text[at:]
    try:
        claim = parse_claim(broken, 9, ENTRY_TIME, ZONE)
    except FigureError as error:
        assert error.line == 9
    else:
        assert claim.text in broken  # what is shown is what was written


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(claims().map(lambda c: c[0]), st.text(max_size=40)), max_size=8),
    st.integers(1, 100),
)
def test_boxes_report_each_bad_line_once(lines: list[str], first_line: int) -> None:
    body = "\n".join(lines)
    box, errors = parse_box("Metric", body, first_line, ENTRY_TIME, ZONE)
    assert (box is None) == bool(errors)
    for error in errors:
        assert first_line <= error.line <= first_line + body.count("\n") + 1
    assert len({e.line for e in errors if "note" not in e.message}) == len(
        [e for e in errors if "note" not in e.message]
    )


yaml_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=30),
        st.dates(),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
keys = st.one_of(st.sampled_from(sorted(ENTRY_SCHEMA)), st.text(min_size=1, max_size=12))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, yaml_values, max_size=8))
def test_front_matter_never_raises_and_keeps_lines(data: dict[str, object]) -> None:
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\nBody\n"
    doc = split(text)
    fields, errors = read_fields(doc, ENTRY_SCHEMA, ("title", "time"))
    lines = text.count("\n")
    for error in errors:
        assert isinstance(error, FrontMatterError)
        assert 1 <= error.line <= lines
    for name, field in fields.items():
        assert name in ENTRY_SCHEMA
        assert text.splitlines()[field.line - 1].startswith((name, f"'{name}'", f'"{name}"'))
        value = data[name]
        if ENTRY_SCHEMA[name] == "bool":
            assert field.value is value
        elif ENTRY_SCHEMA[name] == "list":
            assert isinstance(field.value, tuple)


_YAML_BITS = st.sampled_from(
    ["Kyiv", ": ", ":", "'", '"', "[", "]", "{", "}", "@", "`", "-", " ", "#", "|", ">", "&",
     "*", "!", "?", "%", ",", "\\", "é", "Київ", "\t"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_YAML_BITS, min_size=1, max_size=10).map("".join))
def test_a_suggested_front_matter_line_is_valid_yaml_text(value: str) -> None:
    """Whatever an editor typed after `title: `, a line the message suggests instead
    reads back as one plain text value."""
    text = f"---\ntime: 2022-03-02 10:00\ntitle: {value}\n---\nBody\n"
    _fields, errors = read_fields(split(text), ENTRY_SCHEMA, ("title", "time"))
    for error in errors:
        assert 1 <= error.line <= 4
        for lead in ("needs quotes: ", "quote it: ", "quote all of it: ", "put it in quotes: "):
            if lead in error.message:
                suggested = error.message.split(lead, 1)[1]
                assert suggested.startswith("title: ")
                read = yaml.safe_load(suggested)
                assert isinstance(read, dict) and isinstance(read["title"], str)


MD = make_parser()


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400)
    | st.text(max_size=400).map(
        lambda t: ("---\ntime: 2022-03-02 10:00\ntitle: T\n---\n" + t).encode()
    )
)
def test_whole_entry_reader_reports_or_reads(data: bytes) -> None:
    problems = Problems()
    entry = parse_entry(MD, data, "e.md", Path("/nonexistent"), "s", "e", ZONE, problems)
    assert (entry is None) == bool(problems.errors)
    for error in problems.errors:
        assert error.path == "e.md" and error.line >= 1 and error.message


# Fast paths checked against the plain code they stand in for ------------------------

_REBASE_REFERENCE = re.compile(r'(\s(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)')
_HTML_BITS = st.sampled_from(
    ['<a href="x/">', ' href="y"', '\thref="/z"', ' src="#q"', 'href="w"', ' src="https://e"',
     ' src="a:b"', ' href="mailto:x"', ' href=""', "text ", '\nsrc="r"', ' hhref="t"',
     ' href="1a:b"', '\u00a0href="u"', '\x1chref="v"', ' src=" href="k"', "é", '"', "="]
)  # fmt: skip


@given(st.lists(_HTML_BITS, max_size=12).map("".join), st.sampled_from(["../", "a\\b/", "x"]))
def test_rebase_prefixes_what_the_regular_expression_finds(html: str, prefix: str) -> None:
    expected = _REBASE_REFERENCE.sub(lambda m: m.group(1) + prefix, html)
    assert rebase(html, prefix) == expected


_SRCSET_URLS = st.sampled_from(
    ["a.jpg", "b/c.480w.png", "../d.webp", "https://e.org/f.jpg", "/g.jpg", "h,i.jpg", "data:x"]
)
_DESCRIPTORS = st.sampled_from(["", " 2x", " 480w", "  1.5x ", " (x, y) 1x"])


@given(
    st.lists(st.tuples(_SRCSET_URLS, _DESCRIPTORS), min_size=1, max_size=5),
    st.sampled_from([", ", " ,  ", ",\n"]),
    st.sampled_from(["../", "x/"]),
)
def test_srcset_addresses_are_found_and_each_relative_one_rebased(
    candidates: list[tuple[str, str]], comma: str, prefix: str
) -> None:
    value = comma.join(url + descriptor for url, descriptor in candidates)
    assert [url for _, url in srcset_urls(value)] == [url for url, _ in candidates]
    rebased = comma.join(
        (url if re.match(r"[a-z]+:|/", url) else prefix + url) + descriptor
        for url, descriptor in candidates
    )
    assert rebase(f'<img alt="" srcset="{value}">', prefix) == f'<img alt="" srcset="{rebased}">'


def _split_reference(text: str) -> object:
    """The front matter split as first written: every line of the file split out."""
    lines = text.removeprefix("\ufeff").split("\n")
    if lines[0].rstrip() != "---":
        return 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            body = "\n".join(lines[index + 1 :])
            return ("\n".join(lines[1:index]), 2, body, index + 2)
    return 1


@given(
    st.lists(
        st.sampled_from(["---", "--- ", "...", "a: b", "", " ", "---x", "\ufeff---"]), max_size=8
    )
)
def test_front_matter_split_agrees_with_splitting_every_line(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        doc = split(text)
        got: object = (doc.yaml_text, doc.yaml_line, doc.body, doc.body_line)
    except FrontMatterError as exc:
        got = exc.line
    assert got == _split_reference(text)


_PLAIN_URLS = st.builds(
    "{}://{}{}".format,
    st.sampled_from(["http", "https"]),
    st.text("abcxyz0123456789.-", min_size=1, max_size=20),
    st.one_of(st.just(""), st.text("aZ09/_.~-", max_size=30).map(lambda p: "/" + p)),
)


@given(_PLAIN_URLS)
def test_plain_web_links_are_what_markdown_would_make_them(url: str) -> None:
    assert PLAIN_WEB_URL.fullmatch(url)
    assert normalizeLink(url) == url


# Folders share names often (so links share prefixes); files have a dot, folders none.
_FOLDERS = st.lists(st.sampled_from(["a", "ab", "b", "story-1", "story-10", "tags"]), max_size=4)
_FILES = st.sampled_from(["index.html", "feed.xml", "a.css", "b.png"])


@given(_FOLDERS, _FILES, _FOLDERS, st.one_of(st.none(), _FILES))
def test_relative_links_land_on_their_target_the_shortest_way(
    page_dirs: list[str], page_file: str, target_dirs: list[str], target_file: str | None
) -> None:
    """Followed from the page's folder, a link lands on its target (a folder's index,
    or a file), and climbs only above the folders page and target do not share."""
    page = "/".join([*page_dirs, page_file])
    target = "".join(f"{d}/" for d in target_dirs) + (target_file or "")
    link = relative(page, target)
    landed = posixpath.normpath(posixpath.join(*page_dirs, link))
    assert landed == posixpath.normpath(target or ".")
    assert link.endswith("/") == (target_file is None)
    shared = 0
    while shared < min(len(page_dirs), len(target_dirs)) and (
        page_dirs[shared] == target_dirs[shared]
    ):
        shared += 1
    assert link.count("../") == len(page_dirs) - shared


@given(_FOLDERS, _FILES, _FOLDERS, st.one_of(st.none(), _FILES))
def test_relative_links_ignore_empty_parts(
    page_dirs: list[str], page_file: str, target_dirs: list[str], target_file: str | None
) -> None:
    """A target written with a leading or doubled slash (a theme's `url('/static/x')`)
    links as the clean site path does."""
    page = "/".join([*page_dirs, page_file])
    target = "".join(f"{d}/" for d in target_dirs) + (target_file or "")
    sloppy = "/" + target.replace("/", "//")
    assert relative(page, sloppy) == relative(page, target)


@st.composite
def edited_stories(draw):
    """A story's entries (times and update times on a few minutes, so many tie, in two
    zones naming the same instants differently), one of them, and its edited update."""
    minutes = st.integers(min_value=0, max_value=6)
    zones = st.sampled_from([ZONE, ZoneInfo("UTC")])

    def moment(at: int, zone: ZoneInfo) -> datetime:
        return datetime(2022, 3, 2, 12, at, tzinfo=ZoneInfo("UTC")).astimezone(zone)

    def updated(time: datetime):
        later = draw(st.one_of(st.none(), minutes))
        return None if later is None or later < time.minute else moment(later, draw(zones))

    entries = []
    for n in range(draw(st.integers(min_value=1, max_value=6))):
        time = moment(draw(st.integers(min_value=0, max_value=3)), draw(zones))
        entries.append((n, time, updated(time)))
    at = draw(st.integers(min_value=0, max_value=len(entries) - 1))
    return entries, at, updated(entries[at][1])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(edited_stories())
def test_a_storys_last_update_after_one_edit_is_as_if_read_anew(case) -> None:
    """`Story.with_entry` (the dev server's early pages) works out the story's last
    update from the one before the edit; it must be the very datetime a fresh read gives,
    zone included, as pages print it."""
    from dataclasses import replace

    from dateline.model.site import Entry, Story, newest
    from dateline.speed.bodies import Body

    rows, at, new_update = case

    def entry(n: int, time: datetime, updated: datetime | None) -> Entry:
        return Entry(
            story="s", slug=f"e{n}", source=f"e{n}.md", time=time, title="T", key=False,
            pinned=False, tags=(), authors=(), location=None, updated=updated,
            correction=None, draft=False, body=Body("<p>x</p>"), boxes=(),
        )  # fmt: skip

    entries = tuple(entry(*row) for row in rows)
    story = Story(
        slug="s", title="S", summary=None, zone=ZONE, status="live", standfirst_html="",
        entries=entries, folder=Path("s"), media=(),
    )  # fmt: skip
    edited = replace(entries[at], updated=new_update)
    after = story.with_entry(at, edited)
    fresh = newest(after.entries)
    assert after.entries == (*entries[:at], edited, *entries[at + 1 :])
    assert after.modified == fresh and after.modified.isoformat() == fresh.isoformat()
