"""Headless Chromium (Debian's) driven by Playwright, against the built site on localhost."""

from __future__ import annotations

import functools
import http
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static host as browsers meet them: HTTP/1.1, and revalidation by ETag (the
    file's mtime in nanoseconds and its size, as nginx makes it).

    http.server alone speaks HTTP/1.0, whose ETags Chromium does not revalidate with,
    and revalidates by Last-Modified, to the second: a file rebuilt in the second it
    was first served was answered "304 Not Modified" for good, and a live page polling
    it never saw the new entries (a flaky test, when the rebuild came that soon).
    """

    protocol_version = "HTTP/1.1"
    _etag: str | None = None

    def send_head(self):  # type: ignore[no-untyped-def]
        # One handler answers every request of a kept-alive connection: no ETag carries
        # over from the request before.
        self._etag = None
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.partition("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")  # a folder's page, as http.server serves it
        if os.path.isfile(path):
            stat = os.stat(path)
            self._etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
            if self.headers.get("If-None-Match") == self._etag:
                self.send_response(http.HTTPStatus.NOT_MODIFIED)
                self.end_headers()
                return None
        # With If-None-Match sent, http.server no longer answers by Last-Modified.
        return super().send_head()

    def end_headers(self) -> None:
        if self._etag is not None:
            self.send_header("ETag", self._etag)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HostWith404(_QuietHandler):
    """A static host that answers a missing file with the site's 404 page, as GitHub
    Pages, Netlify and S3 do: at whatever address was asked for."""

    not_found: Path

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):  # type: ignore[no-untyped-def, override]
        if code != 404:
            return super().send_error(code, message, explain)
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; CI must run the browser tests")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def sample_url(sample_site: Path) -> Iterator[str]:
    server, url = serve(sample_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def subpath_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site as a host serves it: under /live/ (its base_url pointing there),
    the 404 page for any missing address. Yields the host's root URL."""
    www = tmp_path_factory.mktemp("host") / "www"
    handler = type("Host", (_HostWith404,), {"not_found": www / "live" / "404.html"})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(www))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    content = www.parent / "content"
    shutil.copytree(ROOT / "content", content)
    toml = (content / "site.toml").read_text()
    (content / "site.toml").write_text(
        re.sub(r'(?m)^base_url = ".*"$', f'base_url = "{origin}live/"', toml)
    )
    built = run_cli("--content", content, "--out", www / "live", "-q")
    assert built.code == 0, built.stderr
    yield origin
    server.shutdown()


AXE_DIR = Path(__file__).parent / ".axe"


@pytest.fixture(scope="session")
def axe_source() -> str:
    found = sorted(AXE_DIR.glob("axe-*.min.js"))
    if not found:
        message = "axe-core is not installed; run bash scripts/test.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found[-1].read_text(encoding="utf-8")


def axe_violations(page, axe_source: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What axe-core finds on the open page against WCAG 2.2 AA and its best practices."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
