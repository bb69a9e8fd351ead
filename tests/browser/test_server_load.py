"""The dev server under a burst, idle and hostile connections: every request answered.

(The soak test, minutes of load while entries are saved, is `benchmarks/soak.py`.)
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

from dateline.serve.server import State, make_server
from tests.browser.test_server import SITE, _serving, get


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    with _serving(tmp_path_factory.mktemp("load"), SITE) as started:
        yield started


def test_a_burst_of_200_requests_is_answered_every_one(served) -> None:
    _content, out, port, _proc = served
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    wanted = [f"/{pages[i % len(pages)]}" for i in range(180)]
    wanted += [f"/missing-{i}/" for i in range(20)]
    start = threading.Barrier(len(wanted))

    def fetch(path: str) -> tuple[str, int]:
        start.wait()  # all at once, as tabs reloading after a save
        return path, get(port, path)[0]

    with ThreadPoolExecutor(len(wanted)) as pool:
        answers = list(pool.map(fetch, wanted))
    assert len(answers) == 200
    assert all(status == (404 if "missing-" in p else 200) for p, status in answers), answers


@pytest.mark.parametrize("length", [4_000, 60_000])
def test_a_very_long_path_segment_is_answered_414_without_a_traceback(
    tmp_path: Path, length: int
) -> None:
    with _serving(tmp_path, SITE) as (_content, _out, port, proc):
        status, _, _ = get(port, "/" + "a" * length)
        # Cyrillic, percent-encoded as a browser sends it: 6 characters each
        status_in_story, _, _ = get(port, "/s/" + quote("ж" * (length // 6)) + "/")
        assert get(port, "/s/")[0] == 200  # and it is still up
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert status == 414 and status_in_story == 414
    assert "Traceback" not in stderr and "Errno" not in stderr, stderr


def test_answers_at_once_while_100_idle_connections_are_held(served) -> None:
    _content, _out, port, _proc = served
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(100)]
    half = idle[:50]
    for sock in half:  # half of them with a request begun and never finished
        sock.sendall(b"GET /s/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    try:
        for _ in range(20):
            assert get(port, "/s/")[0] == 200
    finally:
        for sock in idle:
            sock.close()


def test_idle_and_slow_connections_are_closed(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>Hi</p>")
    stopping = threading.Event()
    server = make_server(tmp_path, State(), "127.0.0.1", 0, stopping, idle=0.5)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        silent = socket.create_connection(("127.0.0.1", port), timeout=5)
        slow = socket.create_connection(("127.0.0.1", port), timeout=5)
        slow.sendall(b"GET / HTTP/1.1\r\n")  # and the headers never come
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        kept.request("GET", "/")
        assert kept.getresponse().read() == b"<p>Hi</p>"
        began = time.monotonic()
        for sock in (silent, slow):
            assert sock.recv(1024) == b""  # closed, not answered: it asked nothing whole
        assert time.monotonic() - began < 4  # closed by the server, not the 5 s timeout
        assert kept.sock is not None
        kept.sock.settimeout(5)
        assert kept.sock.recv(1) == b""  # the kept-alive connection closed when idle
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
