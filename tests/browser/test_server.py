"""The dev server, started for real: safe serving, live reload, errors shown in the page."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_tree

SITE = 'title = "Desk"\nbase_url = "https://example.org/"\n'
ENTRY = "---\ntime: 2022-03-02 10:00\ntitle: {title}\n---\nBody.\n"


@pytest.fixture
def server(tmp_path: Path):
    with _serving(tmp_path, SITE) as started:
        yield started


@contextlib.contextmanager
def _serving(tmp_path: Path, site_toml: str, temporary: Path | None = None):
    """`build.py serve` on a small story: (content, out, port, process). With a
    `temporary` folder, the server is given no --out and that folder as TMPDIR."""
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": site_toml,
            "s/_index.md": "---\ntitle: Story\n---\nIntro.\n",
            "s/a.md": ENTRY.format(title="First headline"),
            "s/b.md": "---\ntime: 2022-03-02 09:00\ntitle: Earlier entry\n---\nBody.\n",
            "s/c.md": "---\ntime: 2022-03-02 08:00\ntitle: Earliest entry\n---\nBody.\n",
        },
    )
    out = tmp_path / "served" if temporary is None else None
    where = ["--out", str(out)] if out is not None else []
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--content",
            str(content),
            "--port",
            "0",  # the system picks a free port; the server prints it
            *where,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            **({"TMPDIR": str(temporary)} if temporary is not None else {}),
        },
    )
    deadline = time.monotonic() + 30
    port = 0
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if match := re.search(r"Serving on http://127\.0\.0\.1:(\d+)/", line):
            port = int(match.group(1))
            break
    else:
        proc.kill()
        pytest.fail("the server did not start")
    try:
        yield content, out, port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get(
    port: int, path: str, host: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def test_serves_pages_with_reload_script_only_when_served(server) -> None:
    _content, out, port, _proc = server
    status, headers, body = get(port, "/s/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"/__dateline/events" in body
    assert b"/__dateline/events" not in (out / "s" / "index.html").read_bytes()
    assert get(port, "/s")[0] == 301
    assert get(port, "/static/style.css")[1]["Content-Type"] == "text/css; charset=utf-8"
    status, _, body = get(port, "/no/such/page/")
    assert status == 404 and b"Page not found" in body


@pytest.mark.parametrize(
    "stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name
)
def test_the_temporary_output_folder_goes_with_the_server(tmp_path: Path, stop) -> None:
    """Without --out the site is built in a temporary folder; stopped by `kill` (as a
    CI job's end or a closed terminal stops it) as by Ctrl-C, the server removes it."""
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    with _serving(tmp_path, SITE, temporary) as (_content, _out, port, proc):
        [folder] = temporary.glob("dateline-serve-*")
        assert get(port, "/s/")[0] == 200 and (folder / "s" / "index.html").is_file()
        proc.send_signal(stop)
        assert proc.wait(timeout=10) == 0
        assert "Traceback" not in proc.stderr.read()
    assert list(temporary.iterdir()) == []


def test_answers_under_the_base_url_path_too(tmp_path: Path) -> None:
    """As the host will: the 404 page links from there (/live/static/style.css)."""
    with _serving(tmp_path, SITE.replace("example.org/", "example.org/live/")) as started:
        _content, out, port, _proc = started
        status, _, body = get(port, "/live/no/such/page/")
        assert status == 404 and b'href="/live/static/style.css?v=' in body
        status, headers, _ = get(port, "/live/static/style.css")
        assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8"
        live, root = get(port, "/live/s/")[2], get(port, "/s/")[2]
        # The same page; its reload script told where the site was found.
        assert live.replace(b'"/live/".length', b'"/".length') == root != live
        status, headers, _ = get(port, "/live")
        assert status == 301 and headers["Location"] == "/live/"
        assert get(port, "/live/../../etc/passwd")[0] == 400
        (out / "live").mkdir()  # the folder's own files come first
        (out / "live" / "own.txt").write_text("own")
        assert get(port, "/live/own.txt")[2] == b"own"
        assert get(port, "/elsewhere/static/style.css")[0] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/s/../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/static/..%5c..%5c..%5cetc%5cpasswd",
        "/index.html%00.txt",
        "/%00",
        "/%ff%fe",
    ],
)
def test_traversal_is_refused(server, path: str) -> None:
    _content, _out, port, _proc = server
    status, _, body = get(port, path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body


def test_symlink_out_of_the_folder_is_not_served(server, tmp_path: Path) -> None:
    _content, out, port, _proc = server
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    (out / "leak.txt").symlink_to(secret)
    status, _, body = get(port, "/leak.txt")
    assert status == 404 and b"root:" not in body


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "", "localhost.:80"]
)
def test_foreign_host_refused(server, host: str) -> None:
    _content, _out, port, _proc = server
    assert get(port, "/s/", host=host)[0] == 400


@pytest.mark.parametrize(
    "host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}", "LOCALHOST"]
)
def test_local_hosts_allowed_and_no_cors(server, host: str) -> None:
    _content, _out, port, _proc = server
    status, headers, _ = get(
        port, "/s/", host=host.format(port=port), headers={"Origin": "https://evil.example"}
    )
    assert status == 200
    assert not any(name.lower().startswith("access-control-") for name in headers)


def test_edit_reaches_open_page_and_errors_show_in_it(browser, server) -> None:
    content, _out, port, proc = server
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"http://127.0.0.1:{port}/s/a/")
    assert page.locator("h1").inner_text() == "First headline"
    page.wait_for_timeout(300)  # the event stream is connected
    (content / "s" / "a.md").write_text(ENTRY.format(title="Second headline"))
    page.wait_for_function(
        "document.querySelector('h1').textContent === 'Second headline'", timeout=15_000
    )

    (content / "s" / "a.md").write_text(
        "---\ntime: 2022-03-02 10:00\ntitle: Broken\npined: true\n---\n"
    )
    overlay = page.locator("#dateline-errors")
    overlay.wait_for(state="visible", timeout=15_000)
    assert "s/a.md:4: unknown key 'pined' (did you mean 'pinned'?)" in overlay.inner_text()
    assert page.get_attribute("#dateline-errors", "role") == "alert"
    assert page.locator("h1").inner_text() == "Second headline"  # the last good page stays
    assert get(port, "/s/")[0] == 200  # and the server keeps serving
    assert proc.poll() is None

    (content / "s" / "a.md").write_text(ENTRY.format(title="Third headline"))
    page.wait_for_function(
        "document.querySelector('h1').textContent === 'Third headline'", timeout=15_000
    )
    assert page.locator("#dateline-errors").count() == 0
    assert errors == []
    page.close()


@pytest.mark.parametrize("under", ["/", "/live/"], ids=["root", "base-url-path"])
def test_an_edit_reloads_the_pages_that_show_it_and_no_other(
    browser, tmp_path: Path, under: str
) -> None:
    """Whether the preview is browsed at its root or under base_url's path."""
    site_toml = SITE.replace("example.org/", f"example.org{under}")
    with _serving(tmp_path, site_toml) as (content, _out, port, _proc):
        _edit_reloads_what_shows_it(browser, content, f"http://127.0.0.1:{port}{under}")


def _edit_reloads_what_shows_it(browser, content: Path, site: str) -> None:  # type: ignore[no-untyped-def]
    edited, timeline, other = (browser.new_page() for _ in range(3))
    edited.goto(f"{site}s/a/")
    timeline.goto(f"{site}s/")
    other.goto(f"{site}s/c/")  # (b's page links to a by its headline: it shows it)
    for page in (edited, timeline, other):
        page.evaluate("window.loadedBefore = true")  # gone if the page reloads
    edited.wait_for_timeout(300)  # the event streams are connected
    (content / "s" / "a.md").write_text(ENTRY.format(title="Edited headline"))
    edited.wait_for_function(
        "document.querySelector('h1').textContent === 'Edited headline'", timeout=15_000
    )
    timeline.wait_for_function(
        "document.querySelector('.entry-title').textContent === 'Edited headline'",
        timeout=15_000,
    )
    other.wait_for_timeout(1500)  # the rest of the rebuild (feeds) is long done
    assert other.evaluate("window.loadedBefore") is True
    assert other.locator("h1").inner_text() == "Earliest entry"
    for page in (edited, timeline, other):
        page.close()


def test_a_stream_that_wakes_once_for_two_versions_hears_of_both() -> None:
    """A build tells open pages twice (the edited entry's pages, then the rest); a page
    whose stream wakes once for both is told every file written since the version it
    knew, so it reloads only if one is its own (it reloaded every time before)."""
    import json

    from dateline.errors import ContentError
    from dateline.serve.rebuild import Result
    from dateline.serve.server import State

    state = State()
    assert state.pages_written(["s/a/index.html"])
    known = state.version
    assert state.pages_written(["s/a/index.html", "s/index.html"])
    assert state.pages_written(["s/b/index.html"])
    told = json.loads(state.snapshot(known))
    assert told["version"] == known + 2
    assert told["written"] == ["s/a/index.html", "s/b/index.html", "s/index.html"]
    assert json.loads(state.snapshot(-1))["written"] is None  # a page just connected
    state.publish(Result((ContentError("s/a.md", 2, "x"),), (), 0, 0, 0, 0.0))
    assert json.loads(state.snapshot(known))["written"] is None  # mistakes: every page


def test_warnings_show_on_open_pages_until_fixed(browser, server) -> None:
    """A box source the figures registry does not know builds, with a warning that the
    open page shows (as the terminal does) until the name is put right."""
    content, _out, port, _proc = server
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{port}/s/a/")
    page.wait_for_timeout(300)  # the event stream is connected
    assert page.locator("#dateline-warnings").count() == 0
    (content / "figures.toml").write_text('[[source]]\nname = "UNHCR"\n')
    boxed = "---\ntime: 2022-03-02 10:00\ntitle: Refugees\n---\n```figures Refugees\n{}: 5\n```\n"
    (content / "s" / "a.md").write_text(boxed.format("UNHRC"))
    notice = page.locator("#dateline-warnings")
    notice.wait_for(state="visible", timeout=15_000)
    assert "s/a.md:6: warning: source 'UNHRC' is not in figures.toml; did you mean 'UNHCR'?" in (
        notice.inner_text()
    )
    assert page.get_attribute("#dateline-warnings", "role") == "status"
    (content / "s" / "a.md").write_text(boxed.format("UNHCR"))
    page.wait_for_function("!document.getElementById('dateline-warnings')", timeout=15_000)
    assert "UNHCR" in page.locator(".figure-box").inner_text()
    page.close()
