"""An editor's session in Decap CMS, for real: `build.py serve --cms` on a throwaway git
repository of the sample content, Decap's local proxy from npm, headless Chromium.

The editor logs in, writes an entry with a figure box of two claims through the form,
edits a claim of another entry's box, and saves; the files are then what the content
contract says, `check --strict` passes, and the built pages show both boxes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_cli, soup

DECAP_SERVER = ROOT / "node_modules" / ".bin" / "decap-server"
NEW_ENTRY = "content/riverside-by-election/0140-recount-requested.md"
EDITED = "content/ukraine-day-7/1745-russia-admits-losses.md"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def newsroom(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A git repository of the sample content, served with the CMS: (repo, address)."""
    if not DECAP_SERVER.is_file():
        if os.environ.get("CI"):
            pytest.fail("decap-server is not installed (npm ci); CI must run the CMS test")
        pytest.skip("npm ci not run")
    repo = tmp_path / "newsroom"
    shutil.copytree(ROOT / "content", repo / "content")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "The sample content")
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--content",
            str(repo / "content"),
            "--port",
            "0",
            "--cms",
            "--cms-port",
            str(_free_port()),
            "--out",
            str(tmp_path / "served"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    address = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and address is None:
        line = proc.stdout.readline()
        if match := re.search(r"Editor on (http://127\.0\.0\.1:\d+/admin/)", line):
            address = match.group(1)
    if address is None:
        proc.kill()
        pytest.fail("serve --cms did not start")
    try:
        yield repo, address
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _log_in(page, address: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(address)
    page.get_by_role("button", name="Login").click()
    page.get_by_text("Collections").first.wait_for()


def _open(page, url: str) -> None:  # type: ignore[no-untyped-def]
    """Go to one of the editor's views (a change of the address's #fragment alone does
    not make Decap's router move)."""
    page.goto(url)
    page.reload()


def _publish(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Publish").first.click()
    page.get_by_text("Publish now").click()
    page.get_by_text("Entry saved", exact=False).first.wait_for(timeout=15_000)
    page.get_by_text("Changes saved", exact=False).first.wait_for(timeout=15_000)


def _wait_for(path: Path, changed_from: str | None = None) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if path.is_file() and (text := path.read_text(encoding="utf-8")) != changed_from:
            return text
        time.sleep(0.1)
    raise AssertionError(f"{path} was not written")


def test_an_editor_writes_and_edits_figure_boxes_in_the_cms(browser, newsroom) -> None:
    repo, address = newsroom
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Leaving an entry just saved can still ask "leave with unsaved changes?" while
    # Decap settles; a dismissed question would cancel the navigation.
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, address)

    # A new entry, its box made through the form.
    _open(page, address + "#/collections/riverside-by-election/new")
    page.get_by_label("Headline").fill("Recount requested")
    time_field = page.get_by_label("Time", exact=True)
    time_field.fill("2024-03-31 01:30")  # a minute Europe/London's clocks skip
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("The losing candidate asked for a recount.")
    page.get_by_title("Add Component").click()
    page.get_by_role("menuitem", name="Figure box").click()
    page.get_by_label("Metric").fill("Turnout")
    page.get_by_role("button", name="Add claim").click()
    page.get_by_label("Source", exact=True).nth(0).fill("Returning officer")
    page.get_by_label("Claim", exact=True).nth(0).fill("many")
    preview = page.frame_locator("iframe").first
    # The preview names what the build would refuse, before anything is saved.
    problem = preview.locator(".dateline-cms-problems")
    problem.wait_for()
    assert "cannot read a number at the start of 'many'" in problem.inner_text()
    page.get_by_label("Claim", exact=True).nth(0).fill("41.2%")
    page.get_by_label("As of").nth(0).fill("2024-05-02 23:30")
    page.get_by_label("Status").nth(0).click()
    page.get_by_text("verified", exact=True).click()
    page.get_by_role("button", name="Add claim").click()
    page.get_by_label("Source", exact=True).nth(1).fill("Residents' campaign group")
    page.get_by_label("Source link").nth(1).fill("https://example.org/riverside-campaign")
    page.get_by_label("Claim", exact=True).nth(1).fill("about 44%")
    page.get_by_label("Note").fill("A recount may change both figures.")
    problem.wait_for(state="detached")
    box = preview.locator("figure.figure-box")
    assert box.locator("tbody tr").count() == 2
    assert "Residents' campaign group" in box.inner_text()
    # A time the build would refuse stops the save, with the reason at the field.
    page.get_by_role("button", name="Publish").first.click()
    page.get_by_text("Publish now").click()
    page.get_by_text("clocks in Europe/London skip 2024-03-31 01:30").wait_for()
    assert not (repo / NEW_ENTRY).exists()
    errors.remove("undefined")  # Decap's own: a refused save rejects a promise with nothing
    time_field.fill("2024-05-03 01:40")
    _publish(page)
    written = _wait_for(repo / NEW_ENTRY)
    assert written == (
        "---\ntitle: Recount requested\ntime: 2024-05-03 01:40\n---\n"
        "The losing candidate asked for a recount.\n\n"
        "```figures Turnout\n"
        "Returning officer: 41.2% (as of 2024-05-02 23:30) [verified]\n"
        "[Residents' campaign group](https://example.org/riverside-campaign): about 44%\n"
        "note: A recount may change both figures.\n"
        "```\n"
    )

    # An existing entry with two boxes: one claim of the second changed.
    before = (repo / EDITED).read_text(encoding="utf-8")
    _open(page, address + "#/collections/ukraine-day-7/entries/1745-russia-admits-losses")
    wounded = page.locator("input[id^='claim-field']").nth(2)  # the second box's claim
    assert wounded.input_value() == "1,597"
    wounded.fill("more than 1,597")
    _publish(page)
    after = _wait_for(repo / EDITED, changed_from=before)
    untouched = re.search(r"```figures Russian troops killed\n.*?\n```\n", before, re.S)
    assert untouched is not None and untouched.group(0) in after  # byte for byte
    assert "Russian Ministry of Defence: more than 1,597 (as of 2022-03-02)\n" in after
    assert "Not independently verified." in after

    # What the CMS wrote is the contract: the strictest check passes, and the pages
    # built from it show both boxes.
    check = run_cli("check", "--strict", "--content", repo / "content")
    assert check.code == 0, check.stderr
    site = repo.parent / "site"
    assert run_cli("build", "--content", repo / "content", "--out", site).code == 0
    new = soup(site / "riverside-by-election" / "0140-recount-requested" / "index.html")
    rows = new.select("figure.figure-box tbody tr")
    assert [r.th.get_text(strip=True) for r in rows] == [
        "Returning officer",
        "Residents' campaign group",
    ]
    value = rows[1].select_one(".claim-value")
    for change in value.select(".claim-change"):  # how it moved, shown under the claim
        change.decompose()
    assert value.get_text() == "about 44%"
    assert [r["class"][1] for r in rows] == ["claim-verified", "claim-unverified"]
    edited = soup(site / "ukraine-day-7" / "1745-russia-admits-losses" / "index.html")
    values = [v.get_text().strip() for v in edited.select("figure.figure-box .claim-value")]
    assert "more than 1,597" in values and "498" in values
    assert errors == []


def test_the_editor_is_served_as_decap_needs_it(newsroom) -> None:
    """The admin page with Decap's script from npm (the pinned file, by its digest),
    its configuration as YAML through the local proxy, and no reload script: a reload
    while an editor types would lose their words."""
    _repo, address = newsroom
    with urllib.request.urlopen(address) as response:
        page = response.read().decode("utf-8")
    assert "__dateline" not in page
    script = re.search(r'<script src="([^"]+)" integrity="(sha384-[^"]+)"', page)
    assert script is not None and script.group(1) == "decap-cms.js"
    with urllib.request.urlopen(address + script.group(1)) as response:
        digest = base64.b64encode(hashlib.sha384(response.read()).digest()).decode()
    assert f"sha384-{digest}" == script.group(2)
    with urllib.request.urlopen(address + "config.yml") as response:
        assert response.headers["Content-Type"].startswith("text/yaml")
        config = yaml.safe_load(response.read())
    assert config["local_backend"]["url"].startswith("http://127.0.0.1:")
    assert config["collections"][0]["folder"] == "content/riverside-by-election"
