"""Headless Chromium (Debian's) driven by Playwright, against the built site on localhost."""

from __future__ import annotations

import functools
import http
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

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
