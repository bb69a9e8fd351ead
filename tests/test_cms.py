"""The CMS: the admin page a `[cms]` table makes, and the figure-box form, whose grammar
(theme/cms/dateline-cms.js, run here in Node) must agree with the build's."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from markdown_it import MarkdownIt

from dateline.read.entryfile import ENTRY_SCHEMA
from dateline.read.figures import FigureError, parse_box, parse_claim
from dateline.render.cms import DECAP_SRI, DECAP_URL, DECAP_VERSION
from dateline.serve.cms import DECAP_SERVER_VERSION
from dateline.times import TimeError, parse_time
from tests.conftest import ROOT, run_cli, soup, write_tree

WIDGETS = ROOT / "theme" / "cms" / "dateline-cms.js"
LINES = ROOT / "tests" / "fixtures" / "figure-lines.txt"
KYIV = ZoneInfo("Europe/Kyiv")
ENTRY_TIME = datetime(2022, 3, 2, 18, 0, tzinfo=KYIV)

CMS_TOML = 'title = "Newsroom"\nbase_url = "https://example.org/live/"\n\n[cms]\n'
ENTRY = "---\ntime: 2022-03-02 10:00\ntitle: {title}\n---\n{body}\n"
BOX = "```figures Russian troops killed\nRussian MoD: 498 (as of 2022-03-02)\n```"


def node(script: str, payload: object) -> object:
    """Run `script` in Node with the widgets' functions as `cms` and `payload` as
    `input`; what it prints, read as JSON."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed; CI must run the CMS's tests")
        pytest.skip("node not installed")
    program = (
        "const cms = require(process.argv[1]);"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        f"process.stdout.write(JSON.stringify((() => {{ {script} }})()));"
    )
    run = subprocess.run(
        [found, "-e", program, str(WIDGETS)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


def fixture_lines() -> list[str]:
    lines = LINES.read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_the_form_reads_every_claim_line_as_the_build_does() -> None:
    """Each line of the table, read by the build and by the CMS: both accept it or both
    refuse it, and what the form shows is what the build understood."""
    lines = fixture_lines()
    js = node(
        "return input.map(line => { const c = cms.readLine(line); const problem ="
        " cms.claimProblem(c, 'Europe/Kyiv'); let value = null;"
        " if (!problem) value = cms.parseValue(c.claim.replace(/\\s+/g, ' ').trim());"
        " return {claim: c, problem, value}; });",
        lines,
    )
    assert len(js) == len(lines)
    accepted = refused = 0
    for line, seen in zip(lines, js, strict=True):
        try:
            claim = parse_claim(line.strip(), 1, ENTRY_TIME, KYIV)
        except FigureError as exc:
            assert seen["problem"], f"the CMS accepts {line!r}; the build says {exc.message}"
            refused += 1
            continue
        if seen["problem"] == node("return cms.AS_OF_FORM;", None):
            # The one difference, on purpose: the form asks for ISO dates, though the
            # build also reads what python-dateutil does.
            assert claim.dated and not re.match(r"\d{4}-\d\d-\d\d", seen["claim"]["as_of"])
            continue
        assert seen["problem"] is None, f"the CMS refuses {line!r}: {seen['problem']}"
        form, value = seen["claim"], seen["value"]
        assert form["source"] == claim.source
        assert (form["url"] or None) == claim.source_url
        assert " ".join(form["claim"].split()) == claim.text
        assert form["status"] == claim.status
        assert bool(form["as_of"]) == claim.dated
        assert value["qualifier"] == claim.qualifier
        assert value["range"] == claim.is_range
        for bound in ("low", "high"):
            want = getattr(claim, bound)
            assert value[bound] == (None if want is None else float(want)), (line, bound)
        assert (" ".join(value["unit"].split()) or None) == claim.unit
        accepted += 1
    assert accepted >= 30 and refused >= 10  # the table exercises both sides


def sample_blocks() -> list[tuple[Path, str, str]]:
    """Every figures block of the sample content: (file, the body from the block's
    first line, the block as markdown-it finds it)."""
    md = MarkdownIt("commonmark")
    found = []
    for path in sorted((ROOT / "content").glob("*/*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        lines = body.split("\n")
        for token in md.parse(body):
            if token.type == "fence" and token.info.split()[:1] == ["figures"]:
                start, end = token.map
                block = "\n".join(lines[start:end])
                found.append((path, "\n".join(lines[start:]), block))
    return found


def test_every_sample_figure_box_round_trips_through_the_form_unchanged() -> None:
    """Decap's editor finds each block with the component's pattern, reads it into the
    form (`fromBlock`), keeps the form's data as JSON and writes it back (`toBlock`):
    every block of the sample content comes back byte for byte, every claim shown."""
    blocks = sample_blocks()
    assert len(blocks) >= 10
    js = node(
        "return input.map(rest => { const m = cms.FENCE.exec(rest);"
        " const form = JSON.parse(JSON.stringify(cms.readBlock(m[0])));"
        " return {matched: m[0], claims: form.claims.length, written: cms.writeBlock(form)}; });",
        [rest for _path, rest, _block in blocks],
    )
    for (path, _rest, block), seen in zip(blocks, js, strict=True):
        assert seen["matched"] == block, path
        assert seen["written"] == block, path
        name, _, inner = block.partition("\n")
        box, errors = parse_box(
            name.split(None, 1)[1], inner.rsplit("\n", 1)[0], 1, ENTRY_TIME, KYIV
        )
        assert not errors and box is not None
        assert seen["claims"] == len(box.claims), path


def test_an_edited_box_changes_only_the_lines_edited() -> None:
    """One claim changed in the form: that line is written anew in the contract's
    grammar, every other line as it was (its spacing and order too)."""
    block = (
        "```figures Turnout\n"
        "Returning officer:  41.2%   [verified] (as of 2024-05-02 23:30)\n"
        "note: The returning officer's figure is the official one.\n"
        "[Residents' campaign group](https://example.org/r): about 45%\n"
        "```"
    )
    written = node(
        "const form = cms.readBlock(input); form.claims[1].claim = 'about 46%';"
        " form.claims[1].status = 'disputed'; return cms.writeBlock(form);",
        block,
    )
    lines = written.split("\n")
    assert lines[1] == "Returning officer:  41.2%   [verified] (as of 2024-05-02 23:30)"
    assert lines[2] == "note: The returning officer's figure is the official one."
    assert lines[3] == "[Residents' campaign group](https://example.org/r): about 46% [disputed]"
    box, errors = parse_box("Turnout", "\n".join(lines[1:-1]), 1, ENTRY_TIME, KYIV)
    assert not errors and box is not None
    assert [c.status for c in box.claims] == ["verified", "disputed"]


@pytest.mark.parametrize(
    "block",
    [
        "~~~~figures Turnout\nReturning officer: 41.2%\n\n  Campaign group: about 45%  \n~~~~",
        "```figures   Turnout  \nnote:   Official.\nReturning officer: 41.2%\n```",
        "``` figures Turnout\nReturning officer: 41.2%\nnot a claim line\n  ```",
    ],
)
def test_a_box_written_unusually_round_trips_unchanged(block: str) -> None:
    """Other fences, blank lines, spacing, a note first, even a line the build would
    refuse: an untouched box is written back as it was."""
    seen = node(
        "const m = cms.FENCE.exec(input + '\\n\\nAfter.');"
        " return {matched: m && m[0], written: cms.writeBlock(JSON.parse(JSON.stringify("
        "cms.readBlock(m[0]))))};",
        block,
    )
    assert seen == {"matched": block, "written": block}


def test_a_box_made_in_the_form_is_in_the_contract_grammar() -> None:
    """A new box, every field of a claim filled: the build reads back what was typed."""
    form = {
        "metric": "  People who fled   Ukraine ",
        "claims": [
            {"source": "UNHCR", "url": "https://data.unhcr.org/", "claim": "more than 1 million people", "as_of": "2022-03-03", "status": "verified"},
            {"source": "Polish border guard", "url": "", "claim": "about 575,000", "as_of": "", "status": "unverified"},
        ],
        "note": "Border crossings.",
    }  # fmt: skip
    written = node("return cms.writeBlock(input);", form)
    assert written.split("\n")[0] == "```figures People who fled Ukraine"
    inner = "\n".join(written.split("\n")[1:-1])
    box, errors = parse_box("People who fled Ukraine", inner, 1, ENTRY_TIME, KYIV)
    assert not errors and box is not None
    first, second = box.claims
    assert (first.source, first.source_url, first.low, first.status) == (
        "UNHCR",
        "https://data.unhcr.org/",
        1_000_000,
        "verified",
    )
    assert str(first.as_of) == "2022-03-03" and first.dated
    assert (second.qualifier, second.low, second.high, second.dated) == (
        "about",
        575000,
        575000,
        False,
    )
    assert box.note == "Border crossings."


@pytest.mark.parametrize(
    "text",
    [
        "2022-03-02 14:05",
        "2022-03-02T14:05:30",
        "2022-03-02 14:05+02:00",
        "2022-02-30 10:00",
        "2022-03-02 25:00",
        "2022-03-02",
        "2022-03-27 03:30",  # Kyiv's clocks skip it
        "2022-10-30 03:30",  # and show it twice
        "2022-10-30 03:30+03:00",
        "2022-10-30 04:30",
    ],
)
def test_the_time_field_refuses_what_the_build_refuses(text: str) -> None:
    problem = node("return cms.timeProblem(input, 'Europe/Kyiv', false);", text)
    try:
        parse_time(text, KYIV)
    except TimeError:
        assert problem, f"the CMS accepts {text!r}"
    else:
        assert problem is None, problem


def test_the_preview_shows_the_box_as_the_site_does_and_names_mistakes(tmp_path: Path) -> None:
    """The preview's box has the site's markup (so the site's stylesheet styles it) and
    the same rows; a claim the build would refuse is named above it."""
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": 'title = "T"\n',
            "s/_index.md": "---\ntitle: S\n---\n",
            "s/a.md": ENTRY.format(title="A", body=BOX),
        },
    )
    assert run_cli("build", "--content", content, "--out", tmp_path / "site").code == 0
    site_box = soup(tmp_path / "site" / "s" / "a" / "index.html").select_one("figure.figure-box")
    html = node("return cms.previewBlock(cms.readBlock(input), 'Europe/Kyiv', null);", BOX)
    preview = soup_of(html).select_one("figure.figure-box")
    assert preview.select_one("tbody tr")["class"] == site_box.select_one("tbody tr")["class"]
    for selector in (
        "caption",
        "thead",
        "tbody th",
        "tbody td.claim-value",
        "tbody td.claim-status",
    ):
        assert preview.select_one(selector).get_text(" ", strip=True) == site_box.select_one(
            selector
        ).get_text(" ", strip=True), selector
    assert not soup_of(html).select(".dateline-cms-problems")
    bad = node(
        "const f = cms.readBlock(input); f.claims[0].claim = 'many';"
        " return cms.previewBlock(f, 'Europe/Kyiv', {sources: ['unhcr'], metrics: []});",
        BOX,
    )
    problems = soup_of(bad).select_one(".dateline-cms-problems").get_text(" ", strip=True)
    assert "cannot read a number at the start of 'many'" in problems
    unknown = node(
        "return cms.previewBlock(cms.readBlock(input), null, {sources: ['unhcr'], metrics: []});",
        BOX,
    )
    assert "source 'Russian MoD' is not in figures.toml" in soup_of(unknown).get_text(" ")
    escaped = node(
        "const f = cms.readBlock(input); f.metric = '<img src=x onerror=alert(1)>';"
        " return cms.previewBlock(f, null, null);",
        BOX,
    )
    assert not soup_of(escaped).select("img")


def soup_of(html: str):  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_a_cms_table_writes_the_admin_page_and_its_configuration(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": CMS_TOML + 'backend = "github"\nrepo = "newsroom/live"\n',
            "figures.toml": '[[source]]\nname = "UNHCR"\n\n[[metric]]\nname = "Refugees"\n',
            "s/_index.md": "---\ntitle: A story\ntimezone: Europe/Kyiv\n---\n",
            "s/a.md": ENTRY.format(title="A", body=BOX),
            "t/_index.md": "---\ntitle: Another\n---\n",
            "t/b.md": ENTRY.format(title="B", body="Text."),
        },
    )
    out = tmp_path / "site"
    assert run_cli("build", "--content", content, "--out", out).code == 0
    page = soup(out / "admin" / "index.html")
    assert page.select_one('meta[name="robots"]')["content"] == "noindex, nofollow"
    decap = page.select_one("script[integrity]")
    assert (decap["src"], decap["integrity"]) == (DECAP_URL, DECAP_SRI)
    assert f"@{DECAP_VERSION}/" in decap["src"]
    widgets = [s["src"] for s in page.select("script[src]") if "dateline-cms.js" in s["src"]]
    assert widgets and (out / "admin" / widgets[0].split("?")[0]).is_file()
    offered = json.loads(page.select_one("#dateline-cms").string)
    assert offered["sources"] == ["Russian MoD", "UNHCR"] and offered["metrics"][0] == "Refugees"
    assert offered["style"].startswith("../static/style.css?v=")

    config = yaml.safe_load((out / "admin" / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"] == {"name": "github", "branch": "main", "repo": "newsroom/live"}
    assert "local_backend" not in config
    story = next(c for c in config["collections"] if c["name"] == "s")
    assert story["folder"] == "content/s" and story["create"] is True
    assert story["slug"] == "{{time | date('HHmm')}}-{{slug}}"
    assert story["preview_path"] == "s/{{filename}}/"
    fields = {f["name"]: f for f in story["fields"]}
    assert set(fields) == set(ENTRY_SCHEMA) | {"body"}  # every key of the contract
    assert (
        fields["time"]["timezone"] == "Europe/Kyiv" and fields["time"]["widget"] == "dateline-time"
    )
    assert [fields[k]["widget"] for k in ("key", "pinned", "draft")] == ["boolean"] * 3
    assert fields["tags"]["widget"] == "list" and "required" not in fields["title"]
    assert "figures" in fields["body"]["editor_components"]
    stories = next(c for c in config["collections"] if c["name"] == "stories")
    assert [f["file"] for f in stories["files"]] == ["content/s/_index.md", "content/t/_index.md"]
    new = next(c for c in config["collections"] if c["name"] == "new-story")
    assert (new["folder"], new["path"], new["create"]) == ("content", "{{slug}}/_index", True)
    # Not a page for readers: in no sitemap, linked from no page.
    assert "admin" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "admin/" not in (out / "s" / "index.html").read_text(encoding="utf-8")


def test_without_a_cms_table_nothing_changes(tmp_path: Path) -> None:
    """A v1 content folder: no admin page, and a story folder named `admin` builds."""
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": 'title = "T"\n',
            "admin/_index.md": "---\ntitle: Admin story\n---\n",
            "admin/a.md": ENTRY.format(title="A", body="Text."),
        },
    )
    assert run_cli("build", "--content", content, "--out", tmp_path / "site").code == 0
    assert not (tmp_path / "site" / "admin" / "config.yml").exists()
    assert (tmp_path / "site" / "admin" / "a" / "index.html").is_file()
    (content / "site.toml").write_text(CMS_TOML + 'backend = "git-gateway"\n', encoding="utf-8")
    run = run_cli("build", "--content", content, "--out", tmp_path / "site")
    assert run.code == 1 and "admin/_index.md:1: 'admin' is a name dateline uses" in run.stderr


@pytest.mark.parametrize(
    ("table", "line", "message"),
    [
        ('backend = "github"\n', 4, '[cms] needs repo = "owner/name"'),
        ('backend = "svn"\nrepo = "a/b"\n', 5, "cms.backend must be one of"),
        ('backend = "github"\nrepo = "a/b"\nbrnach = "main"\n', 7, "unknown key 'cms.brnach' (did you mean 'branch'?)"),
        ('backend = "github"\nrepo = "not a repo"\n', 6, "cms.repo 'not a repo' must be"),
        ('backend = "github"\nrepo = "a/b"\nbase_url = "auth.example.org"\n', 7, "must be an absolute http(s) URL"),
        ('backend = "github"\nrepo = "a/b"\ncontent_path = "../elsewhere"\n', 7, "must be a folder inside"),
        ('backend = "github"\nrepo = "a/b"\nbranch = 3\n', 7, "cms.branch must be a quoted string"),
    ],
)  # fmt: skip
def test_cms_table_mistakes_name_their_line(
    tmp_path: Path, table: str, line: int, message: str
) -> None:
    content = write_tree(
        tmp_path / "content",
        {"site.toml": CMS_TOML + table, "s/_index.md": "---\ntitle: S\n---\n"},
    )
    run = run_cli("check", "--content", content)
    assert run.code == 1
    assert f"site.toml:{line}: " in run.stderr and message in run.stderr, run.stderr


def test_the_cms_command_prints_or_writes_the_admin_page(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": CMS_TOML + 'backend = "gitlab"\nrepo = "group/live"\ncontent_path = "news/content"\n',
            "s/_index.md": "---\ntitle: S\n---\n",
        },
    )  # fmt: skip
    printed = run_cli("cms", "--content", content)
    assert printed.code == 0
    config = yaml.safe_load(printed.stdout)
    assert config["backend"]["name"] == "gitlab"
    assert config["collections"][0]["folder"] == "news/content/s"
    written = run_cli("cms", "--content", content, "--out", tmp_path / "admin")
    assert written.code == 0
    assert sorted(p.name for p in (tmp_path / "admin").iterdir()) == [
        "config.yml",
        "dateline-cms.js",
        "index.html",
    ]
    assert (tmp_path / "admin" / "config.yml").read_text(encoding="utf-8") == printed.stdout
    bare = write_tree(tmp_path / "bare", {"site.toml": 'title = "T"\n'})
    refused = run_cli("cms", "--content", bare)
    assert refused.code == 2 and "has no [cms] table" in refused.stderr


def test_decap_is_pinned_in_one_version_everywhere() -> None:
    """package.json pins what `npm ci` installs; the page pins the same script by its
    digest, so a browser refuses any other file."""
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    decap = {k: v for k, v in package["devDependencies"].items() if k.startswith("decap-")}
    assert decap == {"decap-cms": DECAP_VERSION, "decap-server": DECAP_SERVER_VERSION}
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/decap-cms"]["version"] == DECAP_VERSION
    script = ROOT / "node_modules" / "decap-cms" / "dist" / "decap-cms.js"
    if not script.is_file():
        if os.environ.get("CI"):
            pytest.fail("npm ci has not installed decap-cms")
        pytest.skip("npm ci not run")
    digest = base64.b64encode(hashlib.sha384(script.read_bytes()).digest()).decode()
    assert f"sha384-{digest}" == DECAP_SRI
