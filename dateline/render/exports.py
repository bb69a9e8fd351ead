"""The site's figures across every story, as open data (contract v1.1): `figures.json`,
`figures.csv` (one row a claim) and `datapackage.json`, a Frictionless Data Package
whose table schema lets pandas, Datawrapper or Flourish load the CSV without guessing.

A metric's identity across stories is its slug: the UN's refugee count reported on
thirty daily pages is one history here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from dateline import routes
from dateline.model.metrics import Metric, Reported, claim_fields, metric_document
from dateline.model.site import Site
from dateline.slugs import slugify
from dateline.urls import absolute

COLUMNS = (
    ("metric", "string", "The metric's identity: its name, slugified"),
    ("metric_name", "string", "The metric's name, as the registry or its first box gives it"),
    ("story", "string", "The story (its folder's name) whose entry reported the claim"),
    ("source", "string", "Who makes the claim"),
    ("source_url", "string", "A link to the source or the claim"),
    ("source_kind", "string", "What kind of source it is (from the figures registry)"),
    ("source_party", "string", "The side of the conflict it speaks for (from the registry)"),
    ("qualifier", "string", "more than, about, up to... (the canonical phrase), or empty"),
    ("value", "number", "The number as written (a range's low end)"),
    ("low", "number", "The lowest the claim allows; empty when it has no lower bound"),
    ("high", "number", "The highest the claim allows; empty when it has no upper bound"),
    ("unit", "string", "Words after the number, as written"),
    ("as_of", "string", "When the claim holds: an ISO 8601 date, or date-time with offset"),
    ("status", "string", "verified, unverified or disputed"),
    ("entry", "string", "The permalink of the entry that reported the claim"),
    ("text", "string", "The claim as the box shows it"),
)
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _row(site: Site, metric: Metric, reported: Reported) -> dict[str, object]:
    """A claim as a row of figures.csv: its metric, its story, then as figures.json has it."""
    base, entry = site.config.base_url, reported.entry
    url = absolute(base, entry.path) if base else entry.path
    return {
        "metric": metric.slug,
        "metric_name": metric.name,
        "story": entry.story,
        **claim_fields(reported, url),
    }


# One metric's share of the exports: its figures.json object and its CSV rows.
Part = tuple[str, str]


def metric_part(site: Site, metric: Metric) -> Part:
    """`metric` in the site's figures.json (each claim with its story, one a line, for
    diffs) and its rows of figures.csv (RFC 4180: CRLF line ends, quotes where needed,
    empty where a value is null). Made one metric at a time, so an edit of one box
    makes only its metric's part again."""
    rows = [_row(site, metric, r) for r in metric.claims]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow("" if row[name] is None else row[name] for name, _, _ in COLUMNS)
    return metric_document(metric, map(_claim, rows)), out.getvalue()


def _claim(row: dict[str, object]) -> dict[str, object]:
    """A CSV row as a claim of figures.json: the same keys, but the metric's own."""
    return {k: v for k, v in row.items() if k not in ("metric", "metric_name")}


def figures_json(site: Site, parts: list[Part]) -> str:
    """The site's `figures.json`: every metric's part, then the registry's sources."""
    sources = ",\n".join(
        _ENCODER.encode(
            {
                "name": s.name,
                "aliases": list(s.aliases),
                "url": s.url,
                "kind": s.kind,
                "party": s.party,
            }
        )
        for s in site.registry.sources
    )
    metrics = ",\n".join(json_part for json_part, _ in parts)
    return '{"metrics": [\n' + metrics + '\n], "sources": [\n' + sources + "\n]}\n"


def figures_csv(parts: list[Part]) -> str:
    """`figures.csv`: a header row, then every metric's rows."""
    header = ",".join(name for name, _, _ in COLUMNS) + "\r\n"
    return header + "".join(rows for _, rows in parts)


def datapackage(site: Site) -> str:
    """`datapackage.json`: a Frictionless Data Package describing figures.csv."""
    package = {
        "profile": "tabular-data-package",
        "name": slugify(site.config.title).strip("-") or "dateline-figures",
        "title": f"{site.config.title}: figures",
        "description": "Every claim of every figure box on the site, one row a claim.",
        "resources": [
            {
                "name": "figures",
                "path": routes.FIGURES_CSV,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": name, "type": kind, "description": about}
                        for name, kind, about in COLUMNS
                    ],
                    "missingValues": [""],
                },
            }
        ],
    }
    return json.dumps(package, ensure_ascii=False, indent=2) + "\n"


def site_exports(site: Site, parts: list[Part]) -> Iterator[tuple[str, str]]:
    """(path, text) of each of the site's open-data files, from its metrics' parts."""
    yield routes.SITE_FIGURES_JSON, figures_json(site, parts)
    yield routes.FIGURES_CSV, figures_csv(parts)
    yield routes.DATAPACKAGE, datapackage(site)
