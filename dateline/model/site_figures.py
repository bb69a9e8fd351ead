"""Figures across the whole site: each metric's claims from every story, and how each
source's latest claim moved (contract v1.1).

A newsroom runs a new live page each day of a long story, so one count is reported on
thirty pages; here it is one history, a metric's identity being its slug.
"""

from __future__ import annotations

from dataclasses import dataclass

from dateline.model.metrics import Metric, Reported, change_text, claim_key, metrics_of
from dateline.model.site import Site
from dateline.words import Words


def site_metrics(site: Site) -> tuple[Metric, ...]:
    """Every metric of the site, its claims from every story, oldest report first;
    metrics in order of first report."""
    entries = sorted(
        (e for story in site.stories for e in story.entries if e.boxes),
        key=lambda e: (e.stamp, e.story, e.slug),
        reverse=True,
    )
    return metrics_of(entries)


def stories_of(metric: Metric) -> tuple[str, ...]:
    """The stories (slugs) reporting `metric`, in order of first report."""
    return tuple(dict.fromkeys(r.entry.story for r in metric.claims))


@dataclass(frozen=True)
class Move:
    """A source's latest claim for a metric, and its claim before that, if different."""

    source: str
    latest: Reported
    before: Reported | None


def moves(metric: Metric) -> tuple[Move, ...]:
    """How the latest claim of each source moved, sources in order of first claim."""
    last: dict[str, Reported] = {}
    earlier: dict[str, Reported] = {}  # the source's last claim that differs from its latest
    names: dict[str, str] = {}
    for reported in metric.claims:  # oldest first
        source = reported.claim.source.casefold()
        names.setdefault(source, reported.claim.source)
        before = last.get(source)
        if before is not None and claim_key(before.claim) != claim_key(reported.claim):
            earlier[source] = before
        last[source] = reported
    return tuple(Move(names[s], last[s], earlier.get(s)) for s in last)


def move_text(move: Move, words: Words) -> str:
    """'UNHCR: more than 1 million on 3 March, up from 874,000 on 2 March'."""
    now = move.latest.claim
    day = words.day_month(now.as_of, full=True)
    text = words("{source}: {claim} on {day}").format(source=move.source, claim=now.text, day=day)
    if move.before is not None:
        text += ", " + change_text(move.before.claim, now, words)
    return text
