"""Metrics across a story: every claim for one metric, in the order it was reported.

A metric's identity is its slugified name, so `People who fled Ukraine` in two entries
is one history. This is what `figures.json` publishes for graphics desks and checkers.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateline.model.site import Entry, Story
from dateline.plan.pagination import paginate_items
from dateline.read.figures import Claim, FigureBox
from dateline.times import iso
from dateline.words import ENGLISH, Words


@dataclass(frozen=True)
class Reported:
    """A claim and the entry that reported it."""

    claim: Claim
    entry: Entry


@dataclass(frozen=True)
class Metric:
    """One metric's name (as first written) and its claims, oldest report first."""

    slug: str
    name: str
    claims: tuple[Reported, ...]
    unit: str | None = None  # from the figures registry (v1.1)
    description: str | None = None


def collect_metrics(story: Story) -> tuple[Metric, ...]:
    """Group every box's claims by metric slug; metrics in order of first report."""
    return metrics_of(story.entries)


def metrics_of(entries: Iterable[Entry]) -> tuple[Metric, ...]:
    """Group the claims of `entries` (newest first) by metric slug, oldest report first;
    metrics in order of first report."""
    grouped: dict[str, list[Reported]] = {}
    first: dict[str, FigureBox] = {}
    for entry in reversed(tuple(entries)):
        for box in entry.boxes:
            first.setdefault(box.slug, box)
            grouped.setdefault(box.slug, []).extend(Reported(c, entry) for c in box.claims)
    return tuple(
        Metric(slug, first[slug].name, tuple(claims), first[slug].unit, first[slug].description)
        for slug, claims in grouped.items()
    )


@dataclass(frozen=True)
class ClaimsPage:
    """One page of a metric's tracker: some of its claims, oldest first.

    A metric reported in every few entries of a weeks-long story gathers thousands of
    claims; its tracker is paginated like the timeline (the newest claims at the
    tracker's address, archive pages numbered from the oldest), so no page grows with
    the story.
    """

    number: int  # 0 for the tracker's own address
    path: str
    claims: tuple[Reported, ...]
    newer: str | None
    older: str | None
    first: int  # position of the page's first claim among all of the metric's, from 1
    total: int


def tracker_pages(metric: Metric, front: str, per_page: int) -> list[ClaimsPage]:
    """`metric`'s tracker pages: the newest `per_page` claims at site path `front`."""
    total = len(metric.claims)
    pages = []
    for number, path, newest_first, newer, older in paginate_items(
        metric.claims[::-1], front, per_page
    ):
        first = total - len(newest_first) + 1 if number == 0 else (number - 1) * per_page + 1
        pages.append(ClaimsPage(number, path, newest_first[::-1], newer, older, first, total))
    return pages


def json_number(number: Decimal | None) -> int | float | None:
    """A Decimal as JSON: whole numbers as integers, so 1,597 is 1597 and never 1597.0."""
    if number is None:
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def claim_fields(reported: Reported, entry_url: str) -> dict[str, object]:
    """One claim as every figures.json has it (the contract's keys, in its order), the
    entry that reported it at `entry_url`."""
    claim = reported.claim
    return {
        "source": claim.source,
        "source_url": claim.source_url,
        "source_kind": claim.source_kind,
        "source_party": claim.source_party,
        "qualifier": claim.qualifier,
        "value": json_number(claim.value),
        "low": json_number(claim.low),
        "high": json_number(claim.high),
        "unit": claim.unit,
        "as_of": iso(claim.as_of),
        "status": claim.status,
        "entry": entry_url,
        "text": claim.text,
    }


def metric_document(metric: Metric, claims: Iterable[dict[str, object]]) -> str:
    """One metric of a figures.json around its `claims`, serialised.

    One claim a line: a diff of the file shows which claims changed, and each line is
    made by the C encoder, where `indent=2` (13 lines a claim) made Python fall back to
    its pure-Python one. So a metric with thousands of claims is serialised faster, and
    figures.json is smaller.
    """
    lines = ",\n".join("  " + _ENCODER.encode(claim) for claim in claims)
    head = _ENCODER.encode(
        {
            "slug": metric.slug,
            "name": metric.name,
            "unit": metric.unit,
            "description": metric.description,
        }
    )
    return f'{head[:-1]}, "claims": [\n{lines}\n]}}'


def metric_json(metric: Metric, entry_url: dict[str, str]) -> str:
    """One metric of a story's `figures.json`; `entry_url` maps entry slug to permalink."""
    return metric_document(
        metric, (claim_fields(r, entry_url[r.entry.slug]) for r in metric.claims)
    )


def figures_json(story: Story, metrics: list[str]) -> str:
    """The contract's `figures.json` around serialised metrics (from `metric_json`).

    Each metric is serialised on its own so a rebuild redoes only metrics that changed.
    """
    head = json.dumps({"story": story.slug}, ensure_ascii=False)
    return head[:-1] + ', "metrics": [\n' + ",\n".join(metrics) + "\n]}\n"


def claim_key(claim: Claim) -> tuple[Decimal | None, Decimal | None, str | None]:
    return claim.low, claim.high, claim.qualifier


def previous_claims(metrics: tuple[Metric, ...]) -> dict[tuple[str, str, str], Reported]:
    """(entry slug, metric slug, source) -> the source's earlier claim, where it changed.

    This is what lets a box say "up from 660,000 on 1 March": the same source, the
    same metric, an earlier entry, a different figure.
    """
    changed: dict[tuple[str, str, str], Reported] = {}
    for metric in metrics:
        last: dict[str, Reported] = {}
        for reported in metric.claims:
            source = reported.claim.source.casefold()
            before = last.get(source)
            if (
                before is not None
                and before.entry.slug != reported.entry.slug
                and claim_key(before.claim) != claim_key(reported.claim)
            ):
                changed[(reported.entry.slug, metric.slug, reported.claim.source)] = before
            last[source] = reported
    return changed


@functools.lru_cache(maxsize=65536)
def change_text(before: Claim, now: Claim, words: Words = ENGLISH) -> str:
    """'up from about 660,000 on 1 March', 'down from …' or 'changed from …', in
    `words`' language.

    Cached: the dev server asks again for every claim of the story on every save."""
    if now.value > before.value:
        phrase = "up from {before} on {day}"
    elif now.value < before.value:
        phrase = "down from {before} on {day}"
    else:
        phrase = "changed from {before} on {day}"
    when = before.as_of
    day = words.day_month(when, full=True)
    day += f" {when.year}" if when.year != now.as_of.year else ""
    return words(phrase).format(before=before.text, day=day)
