"""Reading the times editors write, and showing them to readers.

An editor types `time: 2022-03-02 14:05` meaning 14:05 where the story happens. Reading
that as UTC, guessing a day/month order, or silently picking one side of a clock change
would publish a false time, so each of those is an error that says what to write instead.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser
from dateutil.parser import UnknownTimezoneWarning

# Two defaults that differ in every field: a field dateutil filled from the default
# (rather than from the text) shows up as a difference between the two parses.
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(2001, 2, 2, 1, 1, 1)
_HAS_DIGIT = re.compile(r"\d")
_EXAMPLE = "2022-03-02 14:05"
_YEAR_FIRST = re.compile(r"^\d{4}[-/.]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class TimeError(ValueError):
    """A time that cannot be read without guessing; the message says what to write."""


def load_zone(name: str) -> ZoneInfo:
    """Return the IANA zone `name`, or raise TimeError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeError(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Kyiv' or 'UTC'"
        ) from None


def _parse(text: str, default: datetime, dayfirst: bool) -> datetime:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownTimezoneWarning)
        return dateparser.parse(text, default=default, dayfirst=dayfirst)


def _parse_loose(text: str, allow_date: bool) -> datetime | date:
    """Read a non-ISO time with dateutil, refusing anything it would have to guess."""
    if not _HAS_DIGIT.search(text):
        raise TimeError(f"cannot read {text!r} as a time; write it like {_EXAMPLE!r}")
    try:
        a = _parse(text, _DEFAULT_A, dayfirst=False)
        b = _parse(text, _DEFAULT_B, dayfirst=False)
        # Year-first dates are unambiguous; dateutil's dayfirst would swap their fields.
        c = a if _YEAR_FIRST.match(text) else _parse(text, _DEFAULT_A, dayfirst=True)
    except UnknownTimezoneWarning:
        raise TimeError(
            f"unknown time zone name in {text!r}; write an offset instead, like '14:05+02:00'"
        ) from None
    except (ValueError, OverflowError):
        raise TimeError(f"cannot read {text!r} as a time; write it like {_EXAMPLE!r}") from None
    if a.date() != c.date():
        raise TimeError(
            f"{text!r} could be {day_month(a, full=True)} or {day_month(c, full=True)}; "
            "write the date as YYYY-MM-DD"
        )
    if a.date() != b.date():
        raise TimeError(f"{text!r} has no full date; write it like {_EXAMPLE!r}")
    if a.hour != b.hour:
        if allow_date and a.tzinfo is None:
            return a.date()
        raise TimeError(f"{text!r} has no time of day; write it like {_EXAMPLE!r}")
    # Minutes or seconds not written were filled from the default: they are zero.
    return a.replace(
        minute=a.minute if a.minute == b.minute else 0,
        second=a.second if a.second == b.second else 0,
    )


def parse_time(text: str, zone: ZoneInfo, *, allow_date: bool = False) -> datetime | date:
    """Read `text` as an aware datetime (or a date, if `allow_date` and no time is given).

    A time without an offset is wall-clock time in `zone`.
    """
    text = text.strip()
    if _ISO_DATE.match(text):
        if allow_date:
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise TimeError(
                    f"{text!r} is not a real date; write it like '2022-03-02'"
                ) from None
        raise TimeError(f"{text!r} has no time of day; write it like {_EXAMPLE!r}")
    try:
        a = datetime.fromisoformat(text)  # the common, unambiguous case
    except ValueError:
        a = _parse_loose(text, allow_date)
        if isinstance(a, date) and not isinstance(a, datetime):
            return a
    if a.tzinfo is not None:
        return a
    return localize(a, zone)


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """Attach `zone` to a wall-clock time, refusing times a clock change skips or repeats."""
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    stamp = f"{naive:%Y-%m-%d %H:%M}"
    if early.utcoffset() != late.utcoffset():
        round_trip = early.astimezone(ZoneInfo("UTC")).astimezone(zone)
        if round_trip.replace(tzinfo=None) != naive:
            raise TimeError(
                f"{stamp} does not exist in {zone.key} (the clocks skip it); "
                f"write an explicit offset, like '{stamp}{_offset(early)}'"
            )
        raise TimeError(
            f"{stamp} happens twice in {zone.key} (the clocks go back); write an explicit "
            f"offset: '{stamp}{_offset(early)}' or '{stamp}{_offset(late)}'"
        )
    return early


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset() or timedelta(0)
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def iso(moment: datetime | date) -> str:
    """ISO 8601: with its offset for a time, plain for a date."""
    return moment.isoformat()


# English names, not the C library's locale: pages read the same wherever they are
# built, and formatting from fields is cheaper than strftime (these run for every
# time on every page).
_MONTHS = (  # noqa: SIM905 (a line reads better than twelve)
    "January February March April May June July August September October November December"
).split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()  # noqa: SIM905


def clock(moment: datetime) -> str:
    """Reader-facing clock time with the zone's abbreviation, e.g. '05:00 EET'."""
    return f"{moment.hour:02d}:{moment.minute:02d} {moment.tzname()}"


def long_date(day: date) -> str:
    """A day heading readers parse at a glance, e.g. 'Wednesday 2 March 2022'."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def day_month(moment: date, *, full: bool = False) -> str:
    """A day and the month's short name, e.g. '2 Mar' (a chart's time axis), or with
    `full` its whole name, e.g. '2 March' (in sentences)."""
    name = _MONTHS[moment.month - 1]
    return f"{moment.day} {name if full else name[:3]}"


def short_date(moment: datetime | date) -> str:
    """A compact date for figure boxes, e.g. '2 Mar 2022' or '2 Mar 2022, 14:05 EET'."""
    text = f"{day_month(moment)} {moment.year}"
    if isinstance(moment, datetime):
        text += f", {clock(moment)}"
    return text
