"""Times as editors write them: story-zone wall clock, explicit offsets, clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dateline.times import TimeError, clock, load_zone, long_date, parse_time

KYIV = ZoneInfo("Europe/Kyiv")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-03-02 14:05", datetime(2022, 3, 2, 14, 5, tzinfo=KYIV)),
        ("2022-03-02T14:05", datetime(2022, 3, 2, 14, 5, tzinfo=KYIV)),
        ("2022-03-02 14:05:30", datetime(2022, 3, 2, 14, 5, 30, tzinfo=KYIV)),
        ("2 March 2022 14:05", datetime(2022, 3, 2, 14, 5, tzinfo=KYIV)),
        ("March 2, 2022 2pm", datetime(2022, 3, 2, 14, 0, tzinfo=KYIV)),
        ("13/02/2022 10:00", datetime(2022, 2, 13, 10, 0, tzinfo=KYIV)),
        ("2022-03-02 14:05+00:00", datetime(2022, 3, 2, 14, 5, tzinfo=UTC)),
        ("2022-03-02T14:05Z", datetime(2022, 3, 2, 14, 5, tzinfo=UTC)),
        ("2022-03-02 14:05 UTC", datetime(2022, 3, 2, 14, 5, tzinfo=UTC)),
    ],
)
def test_times_read_as_written(text: str, expected: datetime) -> None:
    got = parse_time(text, KYIV)
    assert got == expected
    assert got.utcoffset() == expected.utcoffset()


def test_naive_time_is_story_zone_not_utc() -> None:
    got = parse_time("2022-03-02 05:00", KYIV)
    assert isinstance(got, datetime)
    assert got.utcoffset() == timedelta(hours=2)
    assert got.isoformat() == "2022-03-02T05:00:00+02:00"
    assert clock(got) == "05:00 EET"
    assert long_date(got) == "Wednesday 2 March 2022"


def test_summer_time_changes_offset_and_abbreviation() -> None:
    before = parse_time("2022-03-27 00:30", LONDON)
    after = parse_time("2022-03-27 03:30", LONDON)
    assert isinstance(before, datetime) and isinstance(after, datetime)
    assert (clock(before), clock(after)) == ("00:30 GMT", "03:30 BST")
    assert after.timestamp() - before.timestamp() == 2 * 3600  # 01:00-02:00 never happened


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2022-03-27 01:30",
            "2022-03-27 01:30 does not exist in Europe/London (the clocks skip it); write an explicit offset, like '2022-03-27 01:30+00:00'",
        ),
        (
            "2022-10-30 01:30",
            "2022-10-30 01:30 happens twice in Europe/London (the clocks go back); write an explicit offset: '2022-10-30 01:30+01:00' or '2022-10-30 01:30+00:00'",
        ),
        ("2022-03-02", "'2022-03-02' has no time of day; write it like '2022-03-02 14:05'"),
        ("2 March 2022", "'2 March 2022' has no time of day; write it like '2022-03-02 14:05'"),
        ("14:05", "'14:05' has no full date; write it like '2022-03-02 14:05'"),
        (
            "03/02/2022 10:00",
            "'03/02/2022 10:00' could be 2 March or 3 February; write the date as YYYY-MM-DD",
        ),
        ("yesterday", "cannot read 'yesterday' as a time; write it like '2022-03-02 14:05'"),
        (
            "2022-02-30 10:00",
            "cannot read '2022-02-30 10:00' as a time; write it like '2022-03-02 14:05'",
        ),
        (
            "2022-03-02 14:05 EET",
            "unknown time zone name in '2022-03-02 14:05 EET'; write an offset instead, like '14:05+02:00'",
        ),
    ],
)
def test_times_that_would_need_a_guess(text: str, message: str) -> None:
    with pytest.raises(TimeError) as info:
        parse_time(text, LONDON)
    assert str(info.value) == message


def test_explicit_offset_resolves_repeated_hour() -> None:
    first = parse_time("2022-10-30 01:30+01:00", LONDON)
    second = parse_time("2022-10-30 01:30+00:00", LONDON)
    assert isinstance(first, datetime) and isinstance(second, datetime)
    assert second.timestamp() - first.timestamp() == 3600
    assert clock(first.astimezone(LONDON)) == "01:30 BST"
    assert clock(second.astimezone(LONDON)) == "01:30 GMT"


def test_dates_allowed_for_as_of() -> None:
    assert parse_time("2022-03-02", KYIV, allow_date=True) == date(2022, 3, 2)
    with pytest.raises(
        TimeError, match="'2022-02-30' is not a real date; write it like '2022-03-02'"
    ):
        parse_time("2022-02-30", KYIV, allow_date=True)  # found by the fuzzer


def test_unknown_zone() -> None:
    with pytest.raises(TimeError, match="unknown time zone 'Europe/Kiev2'"):
        load_zone("Europe/Kiev2")
