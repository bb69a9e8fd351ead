"""Figures across the site: the figures registry (`figures.toml`) merges names, warns of
drift, and the site's figures are exported as JSON, CSV and a Frictionless Data Package."""

from __future__ import annotations

import csv
from pathlib import Path

import frictionless

from dateline.build import build
from dateline.serve.rebuild import Rebuilder
from tests.conftest import SITEMAP_NS, entry, load_json, run_cli, sitemap_urls, soup
from tests.test_incremental import snapshot

REGISTRY = """\
[[source]]
name = "UNHCR"
aliases = ["UN refugee agency", "United Nations refugee agency"]
url = "https://data.unhcr.org/en/situations/ukraine"
kind = "un"

[[source]]
name = "Russian Ministry of Defence"
aliases = ["Russian MoD", "Russia's defence ministry"]
kind = "military"
party = "Russia"

[[metric]]
name = "People who fled Ukraine"
aliases = ["Refugees from Ukraine"]
unit = "people"
description = "Refugees and others who crossed into neighbouring countries."
"""

DAY_1 = "---\ntitle: Day 1\ntimezone: Europe/Kyiv\n---\nThe first day.\n"
DAY_2 = "---\ntitle: Day 2\ntimezone: Europe/Kyiv\n---\nThe second day.\n"


def box(name: str, *lines: str) -> str:
    return "```figures " + name + "\n" + "\n".join(lines) + "\n```\n"


def war(content, registry: str | None = REGISTRY) -> Path:
    """Two days of a story, the same metric and sources spelled three ways."""
    files = {
        "day-1/_index.md": DAY_1,
        "day-1/refugees.md": entry(
            "Refugees",
            time="2022-03-02 09:00",
            body=box("Refugees from Ukraine", "UN refugee agency: 874,000 (as of 2022-03-02)"),
        ),
        "day-1/losses.md": entry(
            "Losses",
            time="2022-03-02 12:00",
            body=box(
                "Russian troops killed",
                "Russia's defence ministry: 498 (as of 2022-03-02)",
                "[Adviser to Ukraine's president](https://example.org/claim): more than 7,000",
            ),
        ),
        "day-2/_index.md": DAY_2,
        "day-2/refugees.md": entry(
            "A million",
            time="2022-03-03 10:00",
            body=box(
                "People who fled Ukraine", "united  nations refugee agency: more than 1 million"
            ),
        ),
    }
    if registry is not None:
        files["figures.toml"] = registry
    return content(files)


def test_aliases_are_recorded_under_the_registry_name(content, tmp_path: Path) -> None:
    root = war(content)
    build(root, tmp_path / "site")
    site = load_json(tmp_path / "site" / "figures.json")
    metrics = {m["slug"]: m for m in site["metrics"]}
    assert sorted(metrics) == ["people-who-fled-ukraine", "russian-troops-killed"]
    fled = metrics["people-who-fled-ukraine"]
    assert (fled["name"], fled["unit"]) == ("People who fled Ukraine", "people")
    assert fled["description"].startswith("Refugees and others")
    assert [(c["story"], c["source"], c["low"]) for c in fled["claims"]] == [
        ("day-1", "UNHCR", 874000),
        ("day-2", "UNHCR", 1000000),
    ]
    assert {c["source_url"] for c in fled["claims"]} == {
        "https://data.unhcr.org/en/situations/ukraine"
    }
    killed = {c["source"]: c for c in metrics["russian-troops-killed"]["claims"]}
    assert killed["Russian Ministry of Defence"]["source_party"] == "Russia"
    assert killed["Russian Ministry of Defence"]["source_kind"] == "military"
    # A source the registry does not know keeps its own name and link, and no kind.
    adviser = killed["Adviser to Ukraine's president"]
    assert (adviser["source_url"], adviser["source_kind"]) == ("https://example.org/claim", None)
    assert [s["name"] for s in site["sources"]] == ["UNHCR", "Russian Ministry of Defence"]
    # A story's own figures.json says the same, under the same names.
    day_1 = load_json(tmp_path / "site" / "day-1" / "figures.json")
    assert [m["slug"] for m in day_1["metrics"]] == [
        "people-who-fled-ukraine",
        "russian-troops-killed",
    ]
    assert day_1["metrics"][0]["claims"][0]["source"] == "UNHCR"


def test_a_link_on_the_box_line_wins_over_the_registry_url(content, tmp_path: Path) -> None:
    root = war(content)
    (root / "day-1" / "refugees.md").write_text(
        entry(
            "Refugees",
            time="2022-03-02 09:00",
            body=box("Refugees from Ukraine", "[UNHCR](https://example.org/own): 874,000"),
        )
    )
    build(root, tmp_path / "site")
    claims = load_json(tmp_path / "site" / "figures.json")["metrics"][0]["claims"]
    assert [c["source_url"] for c in claims] == [
        "https://example.org/own",
        "https://data.unhcr.org/en/situations/ukraine",
    ]


def test_unknown_names_warn_at_their_line_and_strict_fails(content, tmp_path: Path) -> None:
    root = war(content)
    (root / "day-2" / "typo.md").write_text(
        entry(
            "Typo",
            time="2022-03-03 11:00",
            body=box("Refugees from Ukrain", "UNHRC: more than 1.1 million"),
        )
    )
    result = run_cli("--content", root, "--out", tmp_path / "site")
    assert result.code == 0, result.stderr
    shown = str(root / "day-2" / "typo.md")
    assert (
        f"{shown}:5: warning: metric 'Refugees from Ukrain' is not in figures.toml; did you mean 'People who fled Ukraine'?"
        in result.stderr
    )
    assert (
        f"{shown}:6: warning: source 'UNHRC' is not in figures.toml; did you mean 'UNHCR'?"
        in result.stderr
    )
    check = run_cli("check", "--content", root)
    assert check.code == 0 and "did you mean 'UNHCR'?" in check.stderr
    strict = run_cli("--content", root, "--out", tmp_path / "strict", "--strict")
    assert strict.code == 1
    assert (
        f"{shown}:6: source 'UNHRC' is not in figures.toml; did you mean 'UNHCR'?" in strict.stderr
    )
    assert not (tmp_path / "strict").exists()


def test_without_a_registry_nothing_warns_and_names_stay(content, tmp_path: Path) -> None:
    root = war(content, registry=None)
    result = run_cli("--content", root, "--out", tmp_path / "site")
    assert result.code == 0 and "not in figures.toml" not in result.stderr
    slugs = [m["slug"] for m in load_json(tmp_path / "site" / "figures.json")["metrics"]]
    assert slugs == ["refugees-from-ukraine", "russian-troops-killed", "people-who-fled-ukraine"]


def test_site_json_and_csv_agree_claim_for_claim(content, tmp_path: Path) -> None:
    build(war(content), tmp_path / "site")
    site = load_json(tmp_path / "site" / "figures.json")
    raw = (tmp_path / "site" / "figures.csv").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # RFC 4180 line ends
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    from_json = [
        {
            "metric": m["slug"],
            "metric_name": m["name"],
            **{k: "" if v is None else str(v) for k, v in c.items()},
        }
        for m in site["metrics"]
        for c in m["claims"]
    ]
    assert rows == from_json
    assert len(rows) == 4


def test_the_data_package_validates_and_loads_typed(content, tmp_path: Path) -> None:
    build(war(content), tmp_path / "site")
    package = tmp_path / "site" / "datapackage.json"
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    resource = frictionless.Package(str(package)).get_resource("figures")
    rows = resource.read_rows()
    assert [row["low"] for row in rows if row["metric"] == "people-who-fled-ukraine"] == [
        874000,
        1000000,
    ]
    assert rows[0]["high"] is not None and all(row["story"] for row in rows)


def test_registry_edits_rebuild_as_a_build_from_nothing(content, tmp_path: Path) -> None:
    """The build cache and the dev server, after figures.toml changes, write what a
    build from nothing writes."""
    root = war(content)
    cached, live = tmp_path / "cached", tmp_path / "live"
    build(root, cached)
    rebuilder = Rebuilder(root, live)
    assert rebuilder.build().ok
    renamed = REGISTRY.replace('name = "UNHCR"', 'name = "UN High Commissioner for Refugees"')
    renamed = renamed.replace(
        'aliases = ["UN refugee agency"', 'aliases = ["UNHCR", "UN refugee agency"'
    )
    for registry in (renamed, REGISTRY.replace('party = "Russia"\n', ""), REGISTRY):
        (root / "figures.toml").write_text(registry)
        build(root, cached)
        assert rebuilder.build({root / "figures.toml"}).ok
        fresh = tmp_path / f"fresh-{len(registry)}"
        build(root, fresh, use_cache=False)
        assert snapshot(cached) == snapshot(fresh)
        assert snapshot(live) == snapshot(fresh)
    claims = load_json(cached / "figures.json")["metrics"][0]["claims"]
    assert claims[0]["source"] == "UNHCR"


def test_site_trackers_are_linked_listed_and_paginated(
    content, tmp_path: Path, monkeypatch
) -> None:
    import dateline.plan.pages

    monkeypatch.setattr(dateline.plan.pages, "TRACKER_PER_PAGE", 1)
    site = tmp_path / "site"
    build(war(content), site)
    fled = soup(site / "figures" / "people-who-fled-ukraine" / "index.html")
    assert [
        td.get_text(strip=True) for td in fled.select(".tracker-table tbody td:nth-of-type(4)")
    ] == ["Day 2"]
    older = fled.select_one('.pagination a[rel="next"]')["href"]
    archive = soup(site / "figures" / "people-who-fled-ukraine" / older / "index.html")
    assert (
        archive.select_one(".tracker-table tbody td:nth-of-type(4)").get_text(strip=True) == "Day 1"
    )
    # A story's tracker links to the site's only for a metric other stories report too.
    across = ".tracker-across a"
    day_1 = site / "day-1" / "figures"
    link = soup(day_1 / "people-who-fled-ukraine" / "index.html").select_one(across)["href"]
    assert link == "../../../figures/people-who-fled-ukraine/"
    assert soup(day_1 / "russian-troops-killed" / "index.html").select_one(across) is None
    index = soup(site / "figures" / "index.html")
    assert [a.get_text() for a in index.select(".metric-summary h2 a")] == [
        "People who fled Ukraine",
        "Russian troops killed",
    ]
    assert "UNHCR: more than 1 million on 3 March, up from 874,000 on 2 March" in [
        li.get_text() for li in index.select(".metric-latest li")
    ]
    sitemap = [url.findtext(f"{SITEMAP_NS}loc") for url in sitemap_urls(site)]
    for path in ("figures/", "figures/people-who-fled-ukraine/", "figures/russian-troops-killed/"):
        assert f"https://example.org/live/{path}" in sitemap
    not_found = soup(site / "404.html")
    assert "/live/figures/" in [a["href"] for a in not_found.select("main a")]


def test_a_story_folder_cannot_take_the_sites_figures_address(content, tmp_path: Path) -> None:
    root = war(content)
    (root / "figures").mkdir()
    (root / "figures" / "_index.md").write_text(DAY_1)
    result = run_cli("--content", root, "--out", tmp_path / "site")
    assert result.code == 1
    assert (
        f"{root / 'figures' / '_index.md'}:1: 'figures' is a name dateline uses for the site's own pages; rename the story folder"
        in result.stderr
    )


def test_one_box_edit_rewrites_only_what_shows_it(content, tmp_path: Path) -> None:
    """The dev server, after one entry's box changes: that metric's trackers (the story's
    and the site's), the figures list and the exports are written again; another
    metric's trackers and the other story's pages are not."""
    root = war(content)
    rebuilder = Rebuilder(root, tmp_path / "live")
    assert rebuilder.build().ok
    written: list[str] = []
    (root / "day-2" / "refugees.md").write_text(
        entry(
            "A million",
            time="2022-03-03 10:00",
            body=box("People who fled Ukraine", "UNHCR: more than 1.1 million"),
        )
    )
    assert rebuilder.build({root / "day-2" / "refugees.md"}, written.extend).ok
    written += rebuilder.output.take_fresh()  # what came after the pages: data, exports
    assert {
        "figures/people-who-fled-ukraine/index.html",
        "figures/index.html",
        "day-2/figures/people-who-fled-ukraine/index.html",
        "day-2/refugees/index.html",
        "figures.json",
        "figures.csv",
    } <= set(written)
    untouched = {
        "figures/russian-troops-killed/index.html",
        "day-1/figures/russian-troops-killed/index.html",
        "day-1/losses/index.html",
        "day-1/figures/people-who-fled-ukraine/index.html",
        "datapackage.json",
    }
    assert not untouched & set(written)
    fresh = tmp_path / "fresh"
    build(root, fresh, use_cache=False)
    assert snapshot(tmp_path / "live") == snapshot(fresh)
