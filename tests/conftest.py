"""Shared fixtures: small content trees built inline, and the sample site built once."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent

SITE_TOML = 'title = "Test desk"\nbase_url = "https://example.org/live/"\n'
STORY_INDEX = "---\ntitle: Test story\ntimezone: Europe/Kyiv\n---\nThe standfirst.\n"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (path -> text, dedented) under `root`; return root."""
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
    return root


def entry(
    title: str = "An entry",
    time: str = "2022-03-02 10:00",
    extra: str = "",
    body: str = "Body text.",
) -> str:
    """A minimal valid entry file."""
    return f"---\ntime: {time}\ntitle: {title}\n{extra}---\n{body}\n"


def png(width: int, height: int) -> bytes:
    """A real PNG of one grey, `width` by `height` (test data: browsers and imagesize read
    it as any other)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run `python build.py ARGS` as an editor would, in a subprocess."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def content(tmp_path: Path):
    """A factory: content(files) writes a content tree with a default site.toml."""

    def make(files: dict[str, str | bytes], site_toml: str | None = SITE_TOML) -> Path:
        root = tmp_path / "content"
        base = {"site.toml": site_toml} if site_toml is not None else {}
        return write_tree(root, {**base, **files})

    return make


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's sample content, built once with the real command line."""
    out = tmp_path_factory.mktemp("sample") / "site"
    result = run_cli("--content", ROOT / "content", "--out", out)
    assert result.code == 0, result.stderr
    return out


def _pagefind_record(raw: bytes) -> object:
    """A Pagefind index file's record (gzip, a `pagefind_dcd` signature, then CBOR)."""
    import gzip

    import cbor2

    data = gzip.decompress(raw)
    assert data.startswith(b"pagefind_dcd")
    return cbor2.loads(data[len(b"pagefind_dcd") :])


def site_snapshot(folder: Path, hidden: bool = True) -> dict[str, object]:
    """Every file of a built site by path, as bytes; what to compare two builds by.

    Byte for byte, except three files of the search bundle, which Pagefind writes with
    its filters in hash-map order (Pagefind issue #638): its filter files, the metadata
    file naming them and the entry file naming that. Those are compared by what they
    hold (each filter's values and pages, sorted), under names without their hashes.
    `hidden`: dot files too (the build's marker).
    """
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (hidden or not p.name.startswith("."))
    }
    bundle = "search/pagefind/"
    filters = {}
    for path in [p for p in files if p.startswith(bundle + "filter/")]:
        name, values = _pagefind_record(files.pop(path))  # type: ignore[misc]
        filters[path.rsplit("/", 1)[1].removesuffix(".pf_filter")] = (name, sorted(values))
    for path in [p for p in files if p.startswith(bundle) and p.endswith(".pf_meta")]:
        version, pages, chunks, named, sorts, meta = _pagefind_record(files.pop(path))  # type: ignore[misc]
        files[bundle + "*.pf_meta"] = repr(
            (version, pages, chunks, sorted(filters[h] for _, h in named), sorts, meta)
        )
    if (entry := files.pop(bundle + "pagefind-entry.json", None)) is not None:
        data = json.loads(entry)
        for language in data["languages"].values():
            language.pop("hash")
        files[bundle + "pagefind-entry.json"] = repr(data)
    return files


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_urls(site: Path) -> list:
    """The <url> elements listing the site's pages: sitemap.xml's, or those of the page
    sitemaps its index names (not the news sitemap, which lists entries again)."""
    from xml.etree import ElementTree

    root = ElementTree.parse(site / "sitemap.xml").getroot()
    if root.tag == f"{SITEMAP_NS}urlset":
        return root.findall(f"{SITEMAP_NS}url")
    urls = []
    for loc in root.iter(f"{SITEMAP_NS}loc"):
        name = loc.text.rsplit("/", 1)[1]
        if name != "news-sitemap.xml":
            urls += ElementTree.parse(site / name).getroot().findall(f"{SITEMAP_NS}url")
    return urls
