"""The README's and the docs' promises, checked: the new-story walkthrough in
docs/content.md builds as written, and the docs site builds with --strict."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, load_json, run_cli, soup

README = (ROOT / "README.md").read_text(encoding="utf-8")
CONTENT_DOCS = (ROOT / "docs" / "content.md").read_text(encoding="utf-8")


def test_new_story_walkthrough_builds(tmp_path: Path) -> None:
    section = CONTENT_DOCS.split("### A new story, start to finish", 1)[1].split("\n## ", 1)[0]
    files = re.findall(r"cat > (\S+) <<'MD'\n(.*?)\nMD\n", section, re.S)
    assert len(files) == 2
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(ROOT / "content" / "site.toml", content / "site.toml")
    shutil.copy(ROOT / "content" / "logo.png", content / "logo.png")  # the settings name it
    for name, text in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    result = run_cli("--content", content, "--out", tmp_path / "site")
    assert result.code == 0, result.stderr
    page = soup(tmp_path / "site" / "storm-eunice" / "index.html")
    assert page.h1.get_text() == "Storm Eunice: live updates"
    assert page.find("time", string="07:00 GMT") is not None
    claim = load_json(tmp_path / "site" / "storm-eunice" / "figures.json")["metrics"][0]["claims"][
        0
    ]
    assert (claim["qualifier"], claim["low"], claim["as_of"]) == (
        "more than",
        400000,
        "2022-02-18T15:00:00+00:00",
    )


def test_readme_commands_match_ci() -> None:
    assert "bash scripts/test.sh" in README
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_docs_site_builds_strict(tmp_path: Path) -> None:
    """mkdocs.yml is strict: a page left out of the nav, a link to a missing page or a
    missing #anchor is a warning, and --strict fails on it."""
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (site / "index.html").is_file()
    assert (site / "content" / "index.html").is_file()
