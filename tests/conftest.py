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
