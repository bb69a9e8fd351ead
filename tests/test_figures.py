"""The figure-box grammar of the content contract, claim by claim."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dateline.build import read_site
from dateline.read.figures import FigureError, parse_box, parse_claim
from dateline.slugs import slugify
from tests.conftest import STORY_INDEX, entry

ZONE = ZoneInfo("Europe/Kyiv")
ENTRY_TIME = datetime(2022, 3, 2, 17, 45, tzinfo=ZONE)
D = Decimal

# line -> (qualifier, value, low, high, unit, text)
CLAIMS = [
    ("MoD: 498", (None, D(498), D(498), D(498), None, "498")),
    ("MoD: 1,597", (None, D(1597), D(1597), D(1597), None, "1,597")),
    ("MoD: 498 troops", (None, D(498), D(498), D(498), "troops", "498 troops")),
    ("A: more than 7,000", ("more than", D(7000), D(7000), None, None, "more than 7,000")),
    ("A: over 5", ("over", D(5), D(5), None, None, "over 5")),
    (
        "A: at least 800,000 people",
        ("at least", D(800000), D(800000), None, "people", "at least 800,000 people"),
    ),
    ("A: about 3,700", ("about", D(3700), D(3700), D(3700), None, "about 3,700")),
    ("A: around 12", ("around", D(12), D(12), D(12), None, "around 12")),
    (
        "A: approximately 1.25",
        ("approximately", D("1.25"), D("1.25"), D("1.25"), None, "approximately 1.25"),
    ),
    ("A: nearly 100", ("nearly", D(100), None, D(100), None, "nearly 100")),
    ("A: almost 100", ("almost", D(100), None, D(100), None, "almost 100")),
    ("A: up to 40", ("up to", D(40), None, D(40), None, "up to 40")),
    ("A: at most 40", ("at most", D(40), None, D(40), None, "at most 40")),
    ("A: fewer than 10", ("fewer than", D(10), None, D(10), None, "fewer than 10")),
    ("A: less than 10", ("less than", D(10), None, D(10), None, "less than 10")),
    ("A: under 10", ("under", D(10), None, D(10), None, "under 10")),
    ("A: More Than 7,000", ("more than", D(7000), D(7000), None, None, "More Than 7,000")),
    ("A: 1.5 million", (None, D(1500000), D(1500000), D(1500000), None, "1.5 million")),
    ("A: 1.5m", (None, D(1500000), D(1500000), D(1500000), None, "1.5m")),
    ("A: 3k", (None, D(3000), D(3000), D(3000), None, "3k")),
    ("A: 2 thousand", (None, D(2000), D(2000), D(2000), None, "2 thousand")),
    (
        "A: 1.2 billion dollars",
        (None, D(1200000000), D(1200000000), D(1200000000), "dollars", "1.2 billion dollars"),
    ),
    ("A: 1-2 million", (None, D(1000000), D(1000000), D(2000000), None, "1-2 million")),
    ("A: 1,000-2,000", (None, D(1000), D(1000), D(2000), None, "1,000-2,000")),
    ("A: 10 to 20 troops", (None, D(10), D(10), D(20), "troops", "10 to 20 troops")),
    ("A: between 10 and 20", (None, D(10), D(10), D(20), None, "between 10 and 20")),
    ("A: 500k to 1m", (None, D(500000), D(500000), D(1000000), None, "500k to 1m")),
    ("A: 41.2%", (None, D("41.2"), D("41.2"), D("41.2"), "%", "41.2%")),
]


@pytest.mark.parametrize(("line", "expected"), CLAIMS, ids=[c[0] for c in CLAIMS])
def test_claim_values(line: str, expected: tuple) -> None:
    claim = parse_claim(line, 7, ENTRY_TIME, ZONE)
    got = (claim.qualifier, claim.value, claim.low, claim.high, claim.unit, claim.text)
    assert got == expected
    assert claim.line == 7


def test_numbers_are_exact_not_floats() -> None:
    claim = parse_claim("A: 1,234,567.891 million", 1, ENTRY_TIME, ZONE)
    assert claim.value == Decimal("1234567891000")
    assert isinstance(claim.value, Decimal)


def test_source_link_and_defaults() -> None:
    claim = parse_claim(
        "[Adviser to Ukraine's president](https://example.org/claim): more than 7,000",
        3,
        ENTRY_TIME,
        ZONE,
    )
    assert claim.source == "Adviser to Ukraine's president"
    assert claim.source_url == "https://example.org/claim"
    assert claim.status == "unverified"
    assert claim.as_of == ENTRY_TIME  # as-of defaults to the entry's time


def test_as_of_date_time_and_status() -> None:
    claim = parse_claim("MoD: 498 (as of 2022-03-02) [verified]", 1, ENTRY_TIME, ZONE)
    assert claim.as_of == date(2022, 3, 2)
    assert claim.status == "verified"
    timed = parse_claim("MoD: 498 (as of 2022-03-02 09:00) [Disputed]", 1, ENTRY_TIME, ZONE)
    assert timed.as_of == datetime(2022, 3, 2, 9, 0, tzinfo=ZONE)
    assert timed.status == "disputed"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("MoD 498", "cannot read 'MoD 498' as 'SOURCE: CLAIM'"),
        ("MoD: lots", "cannot read a number at the start of 'lots'"),
        ("MoD: 7,00", "cannot read a number at the start of '7,00'"),
        ("MoD: 7,000+", "cannot read a number at the start of '7,000+'"),
        ("MoD: more than 1-2", "cannot read a number at the start of 'more than 1-2'"),
        ("MoD: 5 [verfied]", "unknown status [verfied] (did you mean 'verified'?)"),
        ("MoD: 5 (as at 2022-03-02)", "cannot read '(as at 2022-03-02)' after the number"),
        ("MoD: 5 (as of sometime)", "as-of date: cannot read 'sometime' as a time"),
        ("MoD: 20-10", "range in '20-10' runs from high to low"),
        ("MoD: 10-", "range in '10-' has no upper end"),
        ("MoD:", "source 'MoD' has no claim after the colon"),
        (
            "[MoD](javascript:alert): 5",
            "source link 'javascript:alert' is not an http, https or relative URL",
        ),
    ],
)
def test_claim_errors(line: str, message: str) -> None:
    with pytest.raises(FigureError) as info:
        parse_claim(line, 12, ENTRY_TIME, ZONE)
    assert info.value.line == 12
    assert message in info.value.message


def test_box_collects_every_error_with_file_lines() -> None:
    body = "MoD: 498\nbad line\n\nnote: one\nA: lots\nnote: two\n"
    box, errors = parse_box("Russian troops killed", body, 10, ENTRY_TIME, ZONE)
    assert box is None
    assert [(e.line, e.message.split(";")[0]) for e in errors] == [
        (12, "cannot read 'bad line' as 'SOURCE: CLAIM'"),
        (15, "cannot read a number at the start of 'lots'"),
        (16, "a box has at most one 'note:' line"),
    ]


def test_box_note_any_position_and_slug() -> None:
    box, errors = parse_box(
        "People who fled  Ukraine",
        "note: Not verified.\nUN: at least 800,000\n",
        1,
        ENTRY_TIME,
        ZONE,
    )
    assert errors == []
    assert box is not None
    assert (box.name, box.slug, box.note) == (
        "People who fled Ukraine",
        "people-who-fled-ukraine",
        "Not verified.",
    )
    assert [c.source for c in box.claims] == ["UN"]


def test_empty_and_unnamed_boxes_are_errors() -> None:
    assert parse_box("X", "\n", 4, ENTRY_TIME, ZONE)[1][0].message == "figure box 'X' has no claims"
    assert "name the metric" in parse_box("", "A: 1", 4, ENTRY_TIME, ZONE)[1][0].message


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Russian troops killed", "russian-troops-killed"),
        ("Ukraine's State Emergency Service", "ukraines-state-emergency-service"),
        ("Ukraine’s losses", "ukraines-losses"),
        (
            'Ukrainian soldiers and "nationalists" killed',
            "ukrainian-soldiers-and-nationalists-killed",
        ),
        ("Убитые — мирные жители", "убитые-мирные-жители"),
        ("  People who fled Ukraine!  ", "people-who-fled-ukraine"),
        ("COVID-19 cases (total)", "covid-19-cases-total"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("A: " + "1" * 60, "the number 11111111111111111111… is too long; check it"),
        ("A: 2,000,000,000,000,000", "the number 2,000,000,000,000,000 is too large; check it"),
        ("A: 5000000 billion", "the number 5000000 billion is too large; check it"),
    ],
)
def test_absurd_numbers_are_errors(line: str, message: str) -> None:
    with pytest.raises(FigureError) as info:
        parse_claim(line, 1, ENTRY_TIME, ZONE)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("line", "warning"),
    [
        ("UN: 1.5 mln", "'mln' is read as a unit, not a scale, so the claim is 1.5; write 'million' if it is 1,500,000"),
        ("UN: about 2 bn people", "'bn people' is read as a unit, not a scale, so the claim is 2; write 'billion' if it is 2,000,000,000"),
        ("UN: 1-2 Mln.", "'Mln.' is read as a unit, not a scale, so the claim is 1-2; write 'million' if it is 1,000,000-2,000,000"),
        ("UN: 30 thous refugees", "'thous refugees' is read as a unit, not a scale, so the claim is 30; write 'thousand' if it is 30,000"),
        ("UN: 1.5 million", None),
        ("UN: 1.5m", None),
        ("UN: 40 mines", None),  # a unit that merely starts with the letters
    ],
)  # fmt: skip
def test_an_abbreviated_scale_is_warned_of(content, line: str, warning: str | None) -> None:
    """As written it is a unit (the contract), and would chart a million times too small."""
    root = content(
        {"s/_index.md": STORY_INDEX, "s/a.md": entry(body=f"```figures Fled\n{line}\n```")}
    )
    _site, warnings = read_site(root)
    assert [(w.line, w.message) for w in warnings if "scale" in w.message] == (
        [(6, warning)] if warning else []
    )


def test_a_web_address_as_the_source_gets_the_link_to_write() -> None:
    """`https://t.me/x/1: 498` split at its first colon read `https` as the source."""
    with pytest.raises(FigureError) as raised:
        parse_claim("https://t.me/channel/123: more than 7,000", 9, ENTRY_TIME, ZONE)
    assert raised.value.line == 9
    message = str(raised.value)
    assert message == (
        "a web address cannot be the source itself; name the source and link it: "
        "[t.me](https://t.me/channel/123): more than 7,000"
    )
    suggested = parse_claim(message.split("link it: ", 1)[1], 9, ENTRY_TIME, ZONE)
    assert (suggested.source, suggested.source_url, suggested.low) == (
        "t.me",
        "https://t.me/channel/123",
        D(7000),
    )
