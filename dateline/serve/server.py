"""The editors' preview server: serve the output, rebuild on save, reload open pages.

Standard library HTTP plus watchfiles for change events. Open pages keep a Server-Sent
Events connection; after a rebuild they reload, and when content has mistakes they show
an overlay with every `path:line: message` while the last good site stays served. The
reload script is added to HTML as it is served; built files never contain it.

It serves only files inside the output folder (no `..`, encoded or not, no NUL bytes,
no symlinks out), answers only to the host names it was bound for (a page on another
site cannot reach it through DNS rebinding), and sends no CORS headers.

Every request gets an answer, whatever its path: a burst of them waits in a deep listen
queue rather than being dropped, each connection has a thread of its own up to
`MAX_CONNECTIONS` (beyond, a 503 at once), and one left idle or unread for
`IDLE_SECONDS` is closed, so a slow or silent client holds a thread for no longer.
"""

from __future__ import annotations

import http.server
import json
import mimetypes
import queue
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dateline import routes
from dateline.errors import ContentError
from dateline.serve.rebuild import Rebuilder, Result

EVENTS = "/__dateline/events"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
KEEPALIVE_SECONDS = 15
HISTORY = 64  # versions whose written files are kept, for streams that wake late
# Connections queued by the system before they are accepted: an editor's tabs, each
# reloading at once after a save, plus the CMS (Python's default, 5, drops a burst).
BACKLOG = 1024
MAX_CONNECTIONS = 256  # each holds a thread; an open page's event stream holds one
IDLE_SECONDS = 20.0  # a connection with nothing to read or unable to take a write
MAX_PATH = 4096  # characters: longer request paths are no file of the site (414)
NAME_MAX = 255  # bytes in one path segment, as most file systems allow
# Types Python's table may not know: the CMS's configuration, which Decap reads as YAML.
_TYPES = {".yml": "text/yaml", ".yaml": "text/yaml"}

RELOAD_SCRIPT = r"""<script>
(function () {
  // A panel of messages: the errors a build stopped at (over the top of the page, as
  // an alert), or the warnings of one that built (along its foot, as a status).
  var PANELS = {
    errors: ["dateline-errors", "alert",
      "The site did not build. The page shows the last good version.",
      "inset:0 0 auto 0;z-index:2147483647;max-height:60vh;background:#3b0008;color:#fff;" +
      "padding:1rem 1.25rem;box-shadow:0 4px 16px rgba(0,0,0,.4)"],
    warnings: ["dateline-warnings", "status", "Built, with warnings (--strict fails on them):",
      "inset:auto 0 0 0;z-index:2147483646;max-height:40vh;background:#fff4cc;color:#1a1a1a;" +
      "padding:.75rem 1.25rem;border-top:3px solid #8a6100"]
  };
  var shown = {errors: null, warnings: null};
  function panel(kind, messages) {
    if (shown[kind]) { shown[kind].remove(); shown[kind] = null; }
    if (!messages || !messages.length) return;
    var spec = PANELS[kind], box = document.createElement("div");
    box.id = spec[0];
    box.setAttribute("role", spec[1]);
    box.style.cssText =
      "position:fixed;overflow:auto;font:14px/1.5 ui-monospace,monospace;" + spec[3];
    var title = document.createElement("strong");
    title.textContent = spec[2];
    box.appendChild(title);
    var list = document.createElement("ul");
    messages.forEach(function (m) {
      var item = document.createElement("li");
      item.textContent = m;
      list.appendChild(item);
    });
    box.appendChild(list);
    document.body.appendChild(box);
    shown[kind] = box;
  }
  var version = null;
  var here = decodeURIComponent(location.pathname).slice(SERVED_UNDER.length);
  if (here === "" || /\/$/.test(here)) here += "index.html";
  function changed(state) {
    // A version lists the files written since the one this page last heard of: reload
    // only if this page or an asset is among them. One that lists nothing (a build
    // with mistakes, or one this stream cannot account for) reloads every page.
    if (!state.written) return true;
    return state.written.some(function (p) { return p === here || !/\.html$/.test(p); });
  }
  var source = new EventSource("/__dateline/events");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.errors.length) { panel("errors", state.errors); version = state.version; return; }
    panel("warnings", state.warnings);
    if (version !== null && state.version !== version && changed(state)) {
      location.reload();
      return;
    }
    panel("errors", []);
    version = state.version;
  });
})();
</script>
"""


@dataclass
class State:
    """What open pages are told: a version that moves on each build, and current errors."""

    version: int = 0
    errors: list[str] = field(default_factory=list)
    # The last complete build's warnings (a source the figures registry does not know,
    # an entry timed ahead), shown on open pages until a build has none.
    warnings: list[str] = field(default_factory=list)
    # The files each recent version wrote; None: any page may have changed.
    written: dict[int, list[str] | None] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, result: Result) -> None:
        with self.changed:
            if result.ok and not self.errors and result.written == 0:
                return  # nothing a reader could see changed
            self._next(None)
            self.errors = [str(e) for e in result.errors]
            self.changed.notify_all()

    def warned(self, result: Result) -> None:
        """Tell open pages the warnings of a build that completed, if they changed."""
        warnings = [str(w) for w in result.warnings]
        with self.changed:
            if warnings != self.warnings:
                self.warnings = warnings
                self._next([])  # no page to reload: each shows them where it is
                self.changed.notify_all()

    def pages_written(self, written: list[str]) -> bool:
        """Tell open pages which files were written, as soon as they are (the edited
        entry's pages first, the rest of the pages next, not waiting for the feeds); a
        page reloads if it is one of them. True if pages were told anything."""
        with self.changed:
            if not written and not self.errors:
                return False
            self._next(sorted(written) if written else None)
            self.errors = []
            self.changed.notify_all()
            return True

    def _next(self, written: list[str] | None) -> None:
        self.version += 1
        self.written[self.version] = written
        self.written.pop(self.version - HISTORY, None)

    def snapshot(self, since: int) -> str:
        """The state for a page that last heard of version `since`: with every file
        written since, as one build tells pages twice (its edited entry's pages, then
        the rest) and a stream may wake once for both. Unaccounted for: None."""
        parts = [self.written.get(v) for v in range(since + 1, self.version + 1)]
        written: list[str] | None = None
        if since >= 0 and all(p is not None for p in parts):
            written = sorted({name for part in parts if part is not None for name in part})
        return json.dumps(
            {
                "version": self.version,
                "errors": self.errors,
                "warnings": self.warnings,
                "written": written,
            }
        )


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves one folder safely, with the reload script and the event stream."""

    root: Path
    state: State
    base_path: Callable[[], str]  # the path part of base_url, '/live/' (or '/')
    hosts: frozenset[str]
    stopping: threading.Event
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: unsent, the body waited for the client's
    # delayed acknowledgement of the headers, some 40 ms on every kept-alive request.
    disable_nagle_algorithm = True
    _sent = False  # whether this request's answer has begun

    def log_message(self, format: str, *args: object) -> None:
        pass  # a preview server that prints every request drowns the build messages

    def _host_allowed(self) -> bool:
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in self.hosts

    def _send(
        self, status: int, body: bytes, content_type: str, extra: Iterable[tuple[str, str]] = ()
    ) -> None:
        self._sent = True
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, f"{status} {message}\n".encode(), "text/plain; charset=utf-8")

    def _resolve(self, raw_path: str) -> tuple[Path | int | None, str]:
        """The file for a request path (None if missing; an HTTP status if refused), and
        the path the site was found under: '/', or base_url's path."""
        path = unquote(urlsplit(raw_path).path, errors="strict")
        if "\0" in path or "\\" in path:
            return 400, "/"
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if ".." in parts:
            return 400, "/"
        if len(path) > MAX_PATH or any(len(p.encode()) > NAME_MAX for p in parts):
            return 414, "/"  # no file can have such a name: say so, not ask the disk
        found = self._file(parts, path)
        prefix = unquote(self.base_path())
        if found is None and prefix != "/" and (path + "/").startswith(prefix):
            # The site as its host serves it, under base_url's path (the 404 page links
            # from there); the folder's own files come first.
            return self._file(parts[prefix.count("/") - 1 :], path), prefix
        return found, "/"

    def _file(self, parts: list[str], path: str) -> Path | int | None:
        """The file at `parts` inside the folder; None if missing; 301 for a folder
        asked for without its slash."""
        target = self.root.joinpath(*parts)
        try:
            resolved = target.resolve()
            if not resolved.is_relative_to(self.root):
                return None  # a symlink out of the folder: as if it were not there
            if resolved.is_dir():
                if not path.endswith("/"):
                    return 301
                resolved = resolved / routes.INDEX
            return resolved if resolved.is_file() else None
        except OSError:  # a name too long for the disk, a loop of links: not a file here
            return None

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self._sent = False  # (one handler answers every request of a kept-alive connection)
        try:
            self._get()
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away, or stopped reading
        except Exception as exc:  # a request must get an answer, and the terminal no traceback
            self.close_connection = True
            print(f"dateline: preview server: {self.path[:80]!r}: {exc!r}", file=sys.stderr)
            if not self._sent:
                self._error(500, "Internal error")

    def _get(self) -> None:
        if not self._host_allowed():
            self._error(400, "Unknown host")
            return
        if urlsplit(self.path).path == EVENTS:
            self._events()
            return
        try:
            found, under = self._resolve(self.path)
        except UnicodeDecodeError:
            found, under = 400, "/"
        if found == 301:
            location = urlsplit(self.path).path + "/"
            self._send(301, b"", "text/plain", [("Location", location)])
            return
        if isinstance(found, int):
            self._error(found, "URI too long" if found == 414 else "Bad request")
            return
        status = 200
        if found is None:
            status, found = 404, self.root / routes.NOT_FOUND
            if not found.is_file():
                self._error(404, "Not found")
                return
        try:
            body = found.read_bytes()
        except FileNotFoundError:  # removed by the rebuild running meanwhile
            self._error(404, "Not found")
            return
        content_type = _TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0]
        content_type = content_type or "application/octet-stream"
        if content_type == "text/html" and not found.is_relative_to(self.root / routes.ADMIN):
            # (Not the CMS's page: a reload there would drop what the editor is typing.)
            # The script tells the page's own file by its address, less the path the
            # site was found under; written into a script, so no '<' in it.
            under_js = json.dumps(under).replace("<", "\\u003c")
            script = RELOAD_SCRIPT.replace("SERVED_UNDER", under_js)
            body = body.replace(b"</body>", script.encode() + b"</body>", 1)
        if content_type.startswith("text/") or content_type in (
            "application/json",
            "application/xml",
        ):
            content_type += "; charset=utf-8"
        self._send(status, body, content_type)

    def _events(self) -> None:
        self._sent = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = -1
        try:
            while not self.stopping.is_set():
                with self.state.changed:
                    if self.state.version == seen:
                        self.state.changed.wait(KEEPALIVE_SECONDS)
                    version, data = self.state.version, self.state.snapshot(seen)
                if version != seen:
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                    seen = version
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (ConnectionError, TimeoutError):
            pass  # the page closed, or stopped reading for IDLE_SECONDS


class Server(http.server.ThreadingHTTPServer):
    """A thread per connection, up to `MAX_CONNECTIONS`; the rest are told 503."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], handler: type[Handler]) -> None:
        super().__init__(address, handler)
        self._open = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        if not self._open.acquire(blocking=False):
            _too_busy(request)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._open.release()

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        """One line, not a traceback, for what escaped a request's handling."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            print(f"dateline: preview server: {error!r}", file=sys.stderr)


def _too_busy(request: socket.socket) -> None:
    """Answer a connection beyond `MAX_CONNECTIONS` at once, without a thread."""
    try:
        request.settimeout(1.0)
        request.sendall(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n"
        )
    except OSError:
        pass


def make_server(
    root: Path,
    state: State,
    host: str,
    port: int,
    stopping: threading.Event,
    base_path: Callable[[], str] = lambda: "/",
    idle: float = IDLE_SECONDS,
) -> Server:
    """An HTTP server for `root`; `host` is also accepted as a Host header name.

    It also answers under `base_path()` (base_url's path, asked afresh on each request
    as site.toml may change), as the host will."""
    hosts = LOCAL_HOSTS | {host.lower(), f"[{host.lower()}]"}
    handler = type(
        "BoundHandler",
        (Handler,),
        {
            "root": root.resolve(),
            "state": state,
            "hosts": hosts,
            "stopping": stopping,
            "base_path": staticmethod(base_path),
            "timeout": idle,  # each read and write of a connection: see IDLE_SECONDS
        },
    )
    return Server((host, port), handler)


IDLE = 0.5  # seconds without a change after which the dev server collects all garbage


def watch_and_rebuild(
    rebuilder: Rebuilder, paths: list[Path], state: State, stopping: threading.Event, report
) -> None:
    """Rebuild on every batch of file changes until `stopping` is set.

    The files are watched from a thread of their own, so that a change made while a
    rebuild runs stops it (see `Rebuilder.build`): the next build takes both changes,
    and runs to its end whatever comes meanwhile.
    All garbage is collected once no change has come for `IDLE` seconds (see
    `Rebuilder.settle`).
    """
    pending: queue.SimpleQueue[set[Path] | BaseException | None] = queue.SimpleQueue()
    threading.Thread(target=_watch, args=(paths, stopping, pending), daemon=True).start()
    idle = True  # nothing built since the last full collection
    carried: set[Path] = set()  # the changes of a build stopped for a newer one
    ended = False  # the watching ended: build what came before, then stop
    while not (ended or stopping.is_set()):
        try:
            changes = pending.get(timeout=IDLE)
        except queue.Empty:
            if not idle:
                rebuilder.settle()
                idle = True
            continue
        idle = False
        resumed = bool(carried)  # this build takes over a stopped one's changes
        changed = set(carried)
        while True:  # every change that has come, in one build
            if isinstance(changes, BaseException):
                raise changes
            if changes is None:
                ended = True
                break
            changed |= changes
            try:
                changes = pending.get_nowait()
            except queue.Empty:
                break
        if not changed:
            continue
        told = False

        def pages_done(written: list[str]) -> None:
            nonlocal told
            told = state.pages_written(written) or told

        # A build that takes over a stopped one's changes runs to its end: saves coming
        # faster than a build finishes (a long story on a busy machine) would otherwise
        # stop every build, and the preview would never change.
        newer = None if resumed else (lambda: not pending.empty())
        try:
            result = rebuilder.build(changed, pages_done, interrupted=newer)
        except Exception as exc:  # a bug must not take the preview down mid-deadline
            traceback.print_exc()
            rebuilder.renderer = None  # start afresh next time
            message = f"dateline: internal error: {exc!r} (please report it)"
            result = Result((ContentError("dateline", 1, message),), (), 0, 0, 0, 0.0)
        if result.interrupted:
            carried = changed
            continue
        carried = set()
        if not told or not result.ok:
            state.publish(result)
        if result.ok:
            state.warned(result)
        report(result)
        rebuilder.settle(full=False)


def _watch(
    paths: list[Path],
    stopping: threading.Event,
    pending: queue.SimpleQueue[set[Path] | BaseException | None],
) -> None:
    """Put each batch of changed paths into `pending` until `stopping` is set, then
    None; or the error that stopped the watching, for the main thread to raise."""
    from watchfiles import watch  # imported here: only the dev server needs it

    try:
        for changes in watch(*paths, stop_event=stopping, debounce=1600, step=10, rust_timeout=500):
            pending.put({Path(p) for _, p in changes})
    except BaseException as exc:  # handed to the main thread, which raises it
        pending.put(exc)
    else:
        pending.put(None)
