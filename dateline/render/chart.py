"""Tracker charts: each source's claims for one metric over time, as SVG drawn at build time.

Only geometry lives here (plain numbers in frozen dataclasses); the theme's `chart.svg`
template draws it, so a site can restyle the chart without touching code. No JavaScript
is needed to read it, and the tracker page's table carries the same data for screen
readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateline.model.metrics import Metric, Reported
from dateline.words import ENGLISH, Words

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 92, 16, 24, 40
PAD = 24  # keeps the first and last points (and their arrows) off the plot's edges
MARKERS = ("circle", "square", "triangle", "diamond")
# Points drawn per source at most: more than the plot's 500 pixels can tell apart would
# only grow the page (a metric reported all through a long story gathers thousands).
MOST_POINTS = 120


@dataclass(frozen=True)
class Point:
    """One claim on the chart: where it sits and how far its bounds reach."""

    x: float
    y: float
    low_y: float | None  # whisker ends for ranges; None when the claim has no such bound
    high_y: float | None
    open_up: bool  # "more than", "at least": no upper bound
    open_down: bool  # "up to", "fewer than": no lower bound
    label: str  # the claim as written, for the point's tooltip


@dataclass(frozen=True)
class Series:
    """One source's claims, oldest first, and the polyline through them."""

    source: str
    index: int
    marker: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    top: int
    bottom: int  # y of the plot's baseline
    series: tuple[Series, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    thinned: bool  # some source has more claims than the chart draws
    most: int  # points drawn per source at most


def as_datetime(moment: datetime | date, zone: ZoneInfo) -> datetime:
    """A claim's as-of on the time axis; a bare date sits at midday of that day."""
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment, time(12, 0), tzinfo=zone)


def nice_step(top: float) -> float:
    """A round tick step giving at most five intervals up to `top`."""
    if top <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(top))
    for factor in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if math.ceil(top / step) <= 5:
            return step
    return 10 * magnitude


def format_number(value: float) -> str:
    """Axis labels: thousands separators, decimals only where they matter."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _centre(claim_low: Decimal | None, claim_high: Decimal | None, value: Decimal) -> Decimal:
    if claim_low is not None and claim_high is not None:
        return (claim_low + claim_high) / 2
    return value


def build_chart(metric: Metric, zone: ZoneInfo, words: Words = ENGLISH) -> Chart:
    """Lay out every source's claims for `metric` on shared time and value axes (dates
    on the axis in `words`' language)."""
    by_source: dict[str, list[Reported]] = {}
    for reported in metric.claims:
        by_source.setdefault(reported.claim.source, []).append(reported)
    moments = [as_datetime(r.claim.as_of, zone).timestamp() for r in metric.claims]
    first, last = min(moments), max(moments)
    if first == last:
        first, last = first - 43200, last + 43200
    claims = [r.claim for r in metric.claims]
    highest = max(float(b) for c in claims for b in (c.low, c.high, c.value) if b is not None)
    wanted = highest * 1.1 if highest > 0 else 1.0  # headroom above the highest claim
    step = nice_step(wanted)
    intervals = math.ceil(wanted / step)
    top_value = step * intervals
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x_of(timestamp: float) -> float:
        return LEFT + PAD + (timestamp - first) / (last - first) * (right - LEFT - 2 * PAD)

    def y_of(value: Decimal | float) -> float:
        return bottom - float(value) / top_value * (bottom - TOP)

    series = []
    thinned = False
    for index, (source, claims) in enumerate(by_source.items()):
        ordered = sorted(claims, key=lambda r: as_datetime(r.claim.as_of, zone).timestamp())
        thinned = thinned or len(ordered) > MOST_POINTS
        points = []
        for r in _spread(ordered):
            c = r.claim
            ranged = c.low is not None and c.high is not None and c.low != c.high
            points.append(
                Point(
                    x=x_of(as_datetime(c.as_of, zone).timestamp()),
                    y=y_of(_centre(c.low, c.high, c.value)),
                    low_y=y_of(c.low) if ranged and c.low is not None else None,
                    high_y=y_of(c.high) if ranged and c.high is not None else None,
                    open_up=c.high is None,
                    open_down=c.low is None,
                    label=f"{source}: {c.text}",
                )
            )
        series.append(Series(source, index, MARKERS[index % len(MARKERS)], tuple(points)))

    y_ticks = tuple(Tick(y_of(step * i), format_number(step * i)) for i in range(intervals + 1))
    x_ticks = _time_ticks(first, last, zone, words, x_of)
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        right,
        TOP,
        bottom,
        tuple(series),
        y_ticks,
        tuple(x_ticks),
        thinned,
        MOST_POINTS,
    )


def _time_ticks(
    first: float, last: float, zone: ZoneInfo, words: Words, x_of: Callable[[float], float]
) -> list[Tick]:
    """The time axis' labels: dates at its ends and middle, or with their times when
    the claims span less than two days."""
    span_days = (last - first) / 86400
    ticks = []
    for fraction in (0.0, 0.5, 1.0) if span_days >= 2 else (0.0, 1.0):
        moment = datetime.fromtimestamp(first + fraction * (last - first), zone)
        label = words.day_month(moment) + ("" if span_days >= 2 else f" {moment:%H:%M}")
        ticks.append(Tick(x_of(moment.timestamp()), label))
    return ticks


def _spread(claims: list[Reported]) -> list[Reported]:
    """At most MOST_POINTS of `claims`, evenly spread over them, first and last kept
    (picked before their points are laid out, so the rest cost nothing)."""
    if len(claims) <= MOST_POINTS:
        return claims
    last = len(claims) - 1
    picked = sorted({round(i * last / (MOST_POINTS - 1)) for i in range(MOST_POINTS)})
    return [claims[i] for i in picked]
