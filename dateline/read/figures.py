"""Figure boxes: what each source claims for one contested metric.

A box line is `SOURCE: CLAIM`. The parse is exact and refuses to guess: a line it cannot
read is an error at its line, numbers keep every digit (Decimal, never float), and the
bounds a qualifier implies follow the content contract's table. Getting a casualty
figure subtly wrong is worse than failing the build.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateline.slugs import slugify
from dateline.times import TimeError, parse_time
from dateline.urls import is_safe_url

STATUSES = ("unverified", "verified", "disputed")

# Canonical qualifier -> (gives a low bound, gives a high bound).
QUALIFIERS: dict[str, tuple[bool, bool]] = {
    "more than": (True, False),
    "over": (True, False),
    "at least": (True, False),
    "about": (True, True),
    "around": (True, True),
    "approximately": (True, True),
    "nearly": (False, True),
    "almost": (False, True),
    "up to": (False, True),
    "at most": (False, True),
    "fewer than": (False, True),
    "less than": (False, True),
    "under": (False, True),
}
_SCALES = {
    "thousand": Decimal(1000),
    "k": Decimal(1000),
    "million": Decimal(1_000_000),
    "m": Decimal(1_000_000),
    "billion": Decimal(1_000_000_000),
}

_NUM = (
    r"(?P<{p}digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:(?P<{p}suffix>[kKmM])(?![^\W\d_])|\s+(?P<{p}scale>thousand|million|billion)\b)?"
)
_QUALIFIER = "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True))
_VALUE = re.compile(
    rf"(?:between\s+{_NUM.format(p='a')}\s+and\s+{_NUM.format(p='b')}"
    rf"|(?:(?P<qualifier>{_QUALIFIER})\s+)?{_NUM.format(p='c')}"
    rf"(?:\s*[-\u2013]\s*|\s+to\s+)?(?(qualifier)|{_NUM.format(p='d')})?)"
    r"(?=\s|%|$)",
    re.IGNORECASE,
)
_STATUS_TAIL = re.compile(r"\[\s*([^\[\]]*?)\s*\]\s*$")
_AS_OF_TAIL = re.compile(r"\(\s*as\s+of\s+([^()]*?)\s*\)\s*$", re.IGNORECASE)
_LINK_SOURCE = re.compile(r"^\[(?P<name>[^\]]+)\]\((?P<url>[^()\s]+)\)\s*:\s*(?P<claim>.*)$")
_PLAIN_SOURCE = re.compile(r"^(?P<name>[^:\[\]]+?)\s*:\s*(?P<claim>.*)$")


@dataclass(frozen=True)
class Claim:
    """One source's claim for one metric, as parsed from one box line."""

    source: str
    source_url: str | None
    qualifier: str | None
    value: Decimal
    low: Decimal | None
    high: Decimal | None
    is_range: bool
    unit: str | None
    as_of: datetime | date
    status: str
    text: str
    line: int
    dated: bool = False  # the editor wrote "(as of …)"; otherwise as_of is the entry's time
    source_kind: str | None = None  # from the figures registry (v1.1)
    source_party: str | None = None


@dataclass(frozen=True)
class FigureBox:
    """A metric's box in one entry: its claims side by side and an optional note."""

    name: str
    slug: str
    claims: tuple[Claim, ...]
    note: str | None
    line: int
    unit: str | None = None  # from the figures registry (v1.1)
    description: str | None = None


class FigureError(ValueError):
    """A box line that does not parse; carries the 1-based line number."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


LARGEST = Decimal(10) ** 15  # no real count is larger; a longer number is a typo


def _number(match: re.Match[str], p: str) -> Decimal | None:
    digits = match.group(f"{p}digits")
    if digits is None:
        return None
    scale = (match.group(f"{p}suffix") or match.group(f"{p}scale") or "").lower()
    if len(digits) > 40:  # checked before Decimal arithmetic on a pasted run of digits
        raise ValueError(f"the number {digits[:20]}… is too long; check it")
    number = Decimal(digits.replace(",", "")) * _SCALES.get(scale, Decimal(1))
    if number > LARGEST:
        raise ValueError(
            f"the number {digits}{' ' + scale if scale else ''} is too large; check it"
        )
    return number


def _unscaled(match: re.Match[str], p: str) -> bool:
    return not (match.group(f"{p}suffix") or match.group(f"{p}scale"))


def parse_value(
    text: str,
) -> tuple[str | None, Decimal, Decimal | None, Decimal | None, bool, str]:
    """Split `VALUE [UNIT…]` into qualifier, value, low, high, is_range and the unit text.

    Raises ValueError with an editor-facing message when no value can be read.
    """
    m = _VALUE.match(text)
    if not m:
        raise ValueError(
            f"cannot read a number at the start of {text!r}; write it like "
            "'498', 'more than 7,000', '1.5 million' or '1,000-2,000'"
        )
    rest = text[m.end() :].strip()
    if m.group("adigits"):
        first, second, low_p, high_p = _number(m, "a"), _number(m, "b"), "a", "b"
    else:
        first, second, low_p, high_p = _number(m, "c"), _number(m, "d"), "c", "d"
    if second is None:
        if m.group(0).rstrip()[-1:] in ("-", "\u2013") or m.group(0).lower().endswith("to"):
            raise ValueError(f"range in {text!r} has no upper end")
        qualifier = (m.group("qualifier") or "").lower() or None
        has_low, has_high = QUALIFIERS[qualifier] if qualifier else (True, True)
        assert first is not None
        return (
            qualifier,
            first,
            first if has_low else None,
            first if has_high else None,
            False,
            rest,
        )
    assert first is not None
    # A scale word after a range's high end applies to both ends: "1-2 million".
    if _unscaled(m, low_p) and not _unscaled(m, high_p):
        scale = (m.group(f"{high_p}suffix") or m.group(f"{high_p}scale")).lower()
        first = first * _SCALES[scale]
    if first > second:
        raise ValueError(f"range in {text!r} runs from high to low; write the smaller number first")
    return None, first, first, second, True, rest


def parse_claim(line_text: str, line: int, default_as_of: datetime, zone: ZoneInfo) -> Claim:
    """Parse one `SOURCE: CLAIM` line (line numbers are the file's)."""
    link = _LINK_SOURCE.match(line_text)
    plain = None if link else _PLAIN_SOURCE.match(line_text)
    found = link or plain
    if not found:
        raise FigureError(
            line,
            f"cannot read {line_text!r} as 'SOURCE: CLAIM'; write it like "
            "'Russian Ministry of Defence: 498 (as of 2022-03-02)'",
        )
    source = " ".join(found.group("name").split())
    if plain and source.lower() in ("http", "https") and found.group("claim").startswith("//"):
        address, _, rest = line_text.partition(": ")
        raise FigureError(
            line,
            "a web address cannot be the source itself; name the source and link it: "
            f"[{address.split('//', 1)[1].split('/', 1)[0]}]({address}): {rest or 'CLAIM'}",
        )
    url = link.group("url") if link else None
    if url is not None and not is_safe_url(url):
        raise FigureError(line, f"source link {url!r} is not an http, https or relative URL")
    claim = found.group("claim").strip()
    if not claim:
        raise FigureError(line, f"source {source!r} has no claim after the colon")

    claim, status, as_of, dated = _tails(claim, line, default_as_of, zone)
    try:
        qualifier, value, low, high, is_range, unit = parse_value(claim)
    except ValueError as exc:
        raise FigureError(line, str(exc)) from None
    if any(ch in unit for ch in "()[]"):
        raise FigureError(
            line,
            f"cannot read {unit!r} after the number; write the date as "
            "'(as of 2022-03-02)' and the status as '[verified]', in that order, at the end",
        )
    shown = " ".join(claim.split())
    return Claim(
        source=source,
        source_url=url,
        qualifier=qualifier,
        value=value,
        low=low,
        high=high,
        is_range=is_range,
        unit=" ".join(unit.split()) or None,
        as_of=as_of,
        status=status,
        text=shown,
        line=line,
        dated=dated,
    )


def _tails(
    claim: str, line: int, default_as_of: datetime, zone: ZoneInfo
) -> tuple[str, str, datetime, bool]:
    """A claim's `[status]` and `(as of DATE)` taken off its end, in either order:
    (the claim without them, its status, its as-of time, whether it gave one)."""
    status, as_of = "unverified", default_as_of
    seen_status = seen_as_of = False
    while True:
        if not seen_status and (m := _STATUS_TAIL.search(claim)):
            status = m.group(1).lower()
            if status not in STATUSES:
                hint = difflib.get_close_matches(status, STATUSES, n=1)
                also = f" (did you mean '{hint[0]}'?)" if hint else ""
                raise FigureError(
                    line,
                    f"unknown status [{m.group(1)}]{also}; use [verified], [unverified] "
                    "or [disputed]",
                )
            claim, seen_status = claim[: m.start()].rstrip(), True
        elif not seen_as_of and (m := _AS_OF_TAIL.search(claim)):
            try:
                as_of = parse_time(m.group(1), zone, allow_date=True)
            except TimeError as exc:
                raise FigureError(line, f"as-of date: {exc}") from None
            claim, seen_as_of = claim[: m.start()].rstrip(), True
        else:
            break
    return claim, status, as_of, seen_as_of


# Scale words as newsrooms abbreviate them; the contract reads them as units.
_SCALE_SLIPS = {
    "mln": "million",
    "mn": "million",
    "mio": "million",
    "bn": "billion",
    "bln": "billion",
    "thous": "thousand",
    "tsd": "thousand",
}


def scale_slip(claim: Claim) -> str | None:
    """A warning for a claim whose unit starts with an abbreviated scale word.

    `1.5 mln` is, as the contract reads it, 1.5 of the unit "mln": its tracker would
    plot it beside other sources' 1,500,000 as if it were a million times smaller.
    Only a warning (`--strict` fails on it): a unit is free words.
    """
    word = (claim.unit or "").split(" ", 1)[0].rstrip(".").lower()
    full = _SCALE_SLIPS.get(word)
    if full is None:
        return None
    numbers = (claim.low, claim.high) if claim.is_range else (claim.value,)
    read = "-".join(_plain(n) for n in numbers if n is not None)
    meant = "-".join(_plain(n * _SCALES[full]) for n in numbers if n is not None)
    return (
        f"{claim.unit!r} is read as a unit, not a scale, so the claim is {read}; "
        f"write '{full}' if it is {meant}"
    )


def _plain(number: Decimal) -> str:
    return f"{int(number):,}" if number == int(number) else f"{number:,}"


def parse_box(
    name: str, body: str, first_line: int, default_as_of: datetime, zone: ZoneInfo
) -> tuple[FigureBox | None, list[FigureError]]:
    """Parse a box's lines; `first_line` is the file line of the opening fence.

    Returns every error in the box rather than stopping at the first, so an editor fixes
    them in one pass.
    """
    errors: list[FigureError] = []
    name = " ".join(name.split())
    slug = slugify(name)
    if not slug:
        errors.append(
            FigureError(
                first_line,
                "name the metric after 'figures', e.g. '```figures Russian troops killed'",
            )
        )
    claims: list[Claim] = []
    note: str | None = None
    # split('\n'), not splitlines(): that also splits on \x1c-\x1e, \x85 and \u2028,
    # which would put every later error on the wrong line.
    for offset, raw in enumerate(body.split("\n"), start=1):
        line, text = first_line + offset, raw.strip()
        if not text:
            continue
        if text.lower().startswith("note:"):
            if note is not None:
                errors.append(FigureError(line, "a box has at most one 'note:' line"))
            note = text[5:].strip()
            if not note:
                errors.append(FigureError(line, "'note:' has no text"))
            continue
        try:
            claims.append(parse_claim(text, line, default_as_of, zone))
        except FigureError as exc:
            errors.append(exc)
    if not claims and not errors:
        errors.append(FigureError(first_line, f"figure box {name!r} has no claims"))
    if errors:
        return None, errors
    return FigureBox(name=name, slug=slug, claims=tuple(claims), note=note, line=first_line), []
