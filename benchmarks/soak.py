"""Soak the dev server: many readers polling and browsing while an editor saves each second.

    python benchmarks/soak.py                          # 60 s, 50 clients, 300 entries
    python benchmarks/soak.py --seconds 10 --clients 20 --entries 1000

Generates a story (`generate.py`: figure boxes in every fourth entry, two small stories
beside it), starts `python -m dateline serve` on it on 127.0.0.1 (a port the system
picks), and for `--seconds` runs, all on 127.0.0.1:

- `--clients` readers, each on a keep-alive connection as a browser keeps one (a new
  one about every 20th request): GET the story's `latest.json`, and every fourth
  request a page instead (the site index, the story's front page and second page, an
  entry's page, a tracker, the site's trackers), then a pause of 0 to 2 x `--pause`.
  Each stands for many readers: a page polls `latest.json` every 30 s, so 50 clients
  polling every 0.1 s ask as often as 15,000 open pages. A request that fails on a
  reused connection before any answer is sent again once on a new one, as browsers do
  (counted as a retry; a failure only if that fails too);
- 5 open tabs: each loads a page and holds the event stream (`/__dateline/events`)
  open, reloading its page (and reopening the stream) when an event says it changed,
  as the reload script does;
- an editor: every second a save of one of the story's three newest entries (its text
  changed, written to a temporary file beside it then renamed over it, as most editors
  save; `--in-place` writes the file itself instead), and every tenth save a new entry
  (written in place, a new file).

Every 0.2 s it samples the server's memory (VmRSS of it and any process it started,
from /proc). At the end it prints the requests answered by status, the failures by
kind, the latencies (the slowest answer and its URL), the saves, the rebuilds the
server reported ("Built in" lines) and the server's peak memory; then stops the
server with SIGINT. Latencies are as the readers saw them: from sending a request to
its whole body read, in this one Python process (its CPU use is printed beside them).
The exit status is 1 if any request went unanswered, any answer was not 200 or 304
(every URL asked exists), a `latest.json` was not JSON, a stream dropped, or the
server ended early or did not stop; so CI can run it. Numbers are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import add_entry, generate  # noqa: E402
from dateline import routes  # noqa: E402
from dateline.serve.server import EVENTS, KEEPALIVE_SECONDS  # noqa: E402

HOST = "127.0.0.1"
TABS = 5  # open pages holding the event stream
PAGE_EVERY = 4  # a reader's every fourth request is a page, the others latest.json
NEW_CONNECTION = 1 / 20  # the chance a reader opens a new connection for a request
TIMEOUT = 10.0  # seconds a reader waits on a connection before it counts a timeout
RECONNECT = 3.0  # seconds an EventSource waits before reopening a dropped stream
NEW_ENTRY_EVERY = 10  # every tenth save adds an entry
SAMPLE_EVERY = 0.2  # seconds between memory samples
# A reused keep-alive connection the server has closed: sent again on a new one.
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass
class Tally:
    """What the readers and tabs saw, added to from their threads under `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    bad: Counter[tuple[int, str]] = field(default_factory=Counter)  # (status, URL)
    latencies: list[tuple[float, str]] = field(default_factory=list)
    retries: int = 0
    streams: int = 0  # event streams opened
    events: int = 0
    keepalives: int = 0
    reloads: int = 0

    def answered(self, status: int, seconds: float, url: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append((seconds, url))
            if status not in (200, 304):
                self.bad[status, url] += 1

    def failed(self, kind: str) -> None:
        with self.lock:
            self.failures[kind] += 1

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + n)


def failure_kind(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, BrokenPipeError):
        return "broken pipe"
    if isinstance(exc, TimeoutError):  # socket.timeout too
        return "timeout"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed without an answer"
    if isinstance(exc, http.client.IncompleteRead):
        return "body cut short"
    return type(exc).__name__


def get(conn: http.client.HTTPConnection, url: str) -> tuple[int, bytes]:
    conn.request("GET", url, headers={"Accept-Encoding": "identity"})
    response = conn.getresponse()
    return response.status, response.read()


def fetch(
    conn: http.client.HTTPConnection, url: str, tally: Tally
) -> tuple[http.client.HTTPConnection, bytes | None]:
    """GET `url` on `conn` (or a new connection, for a stale one), counting its answer or
    failure; the connection to use next and the body (None if there was no answer)."""
    started = time.perf_counter()
    reused = conn.sock is not None
    try:
        try:
            status, body = get(conn, url)
        except STALE:
            if not reused:
                raise
            tally.add("retries")
            conn.close()
            conn = http.client.HTTPConnection(HOST, conn.port, timeout=TIMEOUT)
            status, body = get(conn, url)
    except (OSError, http.client.HTTPException) as exc:
        tally.failed(failure_kind(exc))
        conn.close()
        return conn, None
    tally.answered(status, time.perf_counter() - started, url)
    return conn, body


def reader(
    port: int,
    latest: str,
    pages: list[str],
    pause: float,
    seed: int,
    stop: threading.Event,
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    count = rng.randrange(PAGE_EVERY)  # not all readers fetch a page at once
    while not stop.is_set():
        count += 1
        url = rng.choice(pages) if count % PAGE_EVERY == 0 else latest
        if rng.random() < NEW_CONNECTION:
            conn.close()  # the next request opens a new connection
        conn, body = fetch(conn, url, tally)
        if body is not None and url == latest:
            try:
                json.loads(body)
            except ValueError:
                tally.failed("latest.json not JSON")
        stop.wait(rng.uniform(0, 2 * pause))
    conn.close()


def changed(state: dict, here: str) -> bool:
    """Whether the reload script reloads the page at site file `here` for `state`."""
    written = state.get("written")
    return written is None or any(p == here or not p.endswith(".html") for p in written)


def tab(port: int, page: str, stop: threading.Event, tally: Tally) -> None:
    """An open page: loaded, then its event stream held open; reloaded as the reload
    script reloads it, the stream reopened as EventSource reopens one."""
    here = routes.file_of(page.lstrip("/"))
    version: int | None = None
    load = True
    while not stop.is_set():
        if load:
            conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
            fetch(conn, page, tally)
            conn.close()
            version, load = None, False
        try:
            for state in events(port, stop, tally):
                if state["errors"]:
                    version = state["version"]
                elif version is not None and state["version"] != version and changed(state, here):
                    tally.add("reloads")
                    load = True
                    break
                else:
                    version = state["version"]
            else:
                if not stop.is_set():
                    tally.failed("event stream ended")
        except (OSError, ValueError) as exc:
            if not stop.is_set():
                tally.failed(f"event stream: {failure_kind(exc)}")
        if not load:
            stop.wait(RECONNECT)


def events(port: int, stop: threading.Event, tally: Tally):  # type: ignore[no-untyped-def]
    """The `state` events of one event stream, until it ends or `stop` is set; raises
    TimeoutError if it stays silent past two keep-alives."""
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as sock:
        sock.sendall(
            f"GET {EVENTS} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n".encode()
        )
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(4096)
            if not chunk:
                raise http.client.RemoteDisconnected("closed before its headers")
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        if status != 200:
            raise ValueError(f"status {status}")
        tally.add("streams")
        sock.settimeout(0.5)  # to look at `stop` between reads
        heard = time.monotonic()
        while not stop.is_set():
            while b"\n\n" in buffer:
                message, _, buffer = buffer.partition(b"\n\n")
                lines = message.decode().splitlines()
                if lines and lines[0].startswith(":"):
                    tally.add("keepalives")
                    continue
                data = "".join(line[5:].strip() for line in lines if line.startswith("data:"))
                if "event: state" in lines and data:
                    tally.add("events")
                    yield json.loads(data)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                if time.monotonic() - heard > 2 * KEEPALIVE_SECONDS:
                    raise
                continue
            if not chunk:
                return
            heard = time.monotonic()
            buffer += chunk


@dataclass
class Saves:
    edits: int = 0
    added: int = 0


def editor(
    content: Path, entries: int, in_place: bool, stop: threading.Event, saves: Saves
) -> None:
    """Every second a save: one of the three newest entries of the first story, with
    an update line of its own; every tenth save a new entry instead."""
    story = content / "story-1"
    newest = [story / f"e{n:06d}.md" for n in range(entries - 3, entries)]
    originals = {path: path.read_text() for path in newest}
    number = 0
    while not stop.wait(1.0):
        number += 1
        if number % NEW_ENTRY_EVERY == 0:
            path = add_entry(content, entries + saves.added)
            saves.added += 1
            originals[path] = path.read_text()
            newest = [*newest[1:], path]
            continue
        path = newest[number % len(newest)]
        text = originals[path] + f"\nUpdate {number}: officials said the convoy reached the city.\n"
        if in_place:
            path.write_text(text)
        else:
            temporary = path.with_name(f".{path.name}.{number}.tmp")
            temporary.write_text(text)
            os.replace(temporary, path)
        saves.edits += 1


def process_tree(pid: int) -> list[int]:
    """`pid` and every process under it, from /proc."""
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rpartition(")")[2].split()[1])
            parents.setdefault(ppid, []).append(int(name))
    tree, todo = [], [pid]
    while todo:
        tree.append(current := todo.pop())
        todo.extend(parents.get(current, []))
    return tree


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Sample:
    """The server's VmRSS and its children's (Pagefind indexing after a rebuild), in kB."""

    when: float
    server_kb: int
    children_kb: int
    children: tuple[str, ...]  # their names

    @property
    def kb(self) -> int:
        return self.server_kb + self.children_kb


def sample_memory(pid: int, stop: threading.Event, samples: list[Sample]) -> None:
    """The server's memory, every `SAMPLE_EVERY` seconds until `stop` is set."""
    while not stop.is_set():
        children = process_tree(pid)[1:]
        names = []
        for child in children:
            with contextlib.suppress(OSError):  # it has ended
                names.append(Path(f"/proc/{child}/comm").read_text().strip())
        samples.append(
            Sample(
                time.monotonic(),
                status_kb(pid, "VmRSS"),
                sum(status_kb(child, "VmRSS") for child in children),
                tuple(names),
            )
        )
        stop.wait(SAMPLE_EVERY)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class ServerOutput:
    port: int = 0
    built_ms: list[float] = field(default_factory=list)  # every "Built in" line's time
    errors: list[str] = field(default_factory=list)  # lines on its standard error
    ready: threading.Event = field(default_factory=threading.Event)


def read_stdout(server: subprocess.Popen[str], output: ServerOutput) -> None:
    assert server.stdout is not None
    for line in server.stdout:
        if serving := re.search(r"Serving on http://127\.0\.0\.1:(\d+)/", line):
            output.port = int(serving.group(1))
            output.ready.set()
        if built := re.match(r"Built in (\d+) ms", line):
            output.built_ms.append(float(built.group(1)))
    output.ready.set()  # it ended


def read_stderr(server: subprocess.Popen[str], output: ServerOutput) -> None:
    assert server.stderr is not None
    for line in server.stderr:
        output.errors.append(line.rstrip("\n"))


def site_urls(content: Path, served: Path, story: str) -> tuple[str, list[str]]:
    """The story's latest.json and the pages readers open, each checked to be built."""
    trackers = sorted(p.name for p in (served / story / routes.TRACKERS).iterdir() if p.is_dir())
    entries = sorted(p.stem for p in (content / story).glob("e*.md"))
    rng = random.Random(1)
    paths = [
        routes.HOME,
        routes.story(story),
        routes.archive(routes.story(story), 2),
        *(routes.entry(story, name) for name in entries[-3:] + rng.sample(entries, 5)),
        routes.tracker(story, trackers[0]),
        routes.site_trackers(),
    ]
    for path in [routes.latest_json(story), *paths]:
        if not (served / routes.file_of(path)).is_file():
            raise SystemExit(f"the built site has no {routes.file_of(path)}")
    return "/" + routes.latest_json(story), ["/" + path for path in paths]


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def stop_server(server: subprocess.Popen[str]) -> tuple[str, float]:
    """SIGINT, then SIGTERM, then SIGKILL; how it ended and how long it took."""
    started = time.monotonic()
    if (code := server.poll()) is not None:
        return f"by itself before, exit status {code}", 0.0
    for sent, wait in ((signal.SIGINT, 30), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        server.send_signal(sent)
        try:
            code = server.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        return f"on {sent.name}, exit status {code}", time.monotonic() - started
    return "not at all", time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument(
        "--pause",
        type=float,
        default=0.1,
        help="mean seconds a reader waits between requests (0: none)",
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="save edits by writing the entry's file itself, not a temporary file renamed",
    )
    args = parser.parse_args()
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dateline-soak-") as scratch:
        content = generate(Path(scratch) / "content", args.entries)
        served = Path(scratch) / "served"
        command = [sys.executable, "-m", "dateline", "serve", "--content", str(content)]
        command += ["--port", "0", "--host", HOST, "--out", str(served)]
        started = time.monotonic()
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        output = ServerOutput()
        sampling = threading.Event()
        samples: list[Sample] = []
        helpers = [
            threading.Thread(target=read_stdout, args=(server, output), daemon=True),
            threading.Thread(target=read_stderr, args=(server, output), daemon=True),
            threading.Thread(target=sample_memory, args=(server.pid, sampling, samples)),
        ]
        for thread in helpers:
            thread.start()
        try:
            if not output.ready.wait(600) or not output.port:
                raise SystemExit("the server did not start:\n" + "\n".join(output.errors[-20:]))
            first = time.monotonic() - started
            latest, pages = site_urls(content, served, "story-1")
            print(
                f"{args.entries:,} entries, {args.clients} readers (pause {args.pause} s) "
                f"and {TABS} open tabs, {args.seconds:.0f} s, on {HOST}:{output.port}; "
                f"first build and start {first:.1f} s"
            )
            stop, tally, saves = threading.Event(), Tally(), Saves()
            workers = [
                threading.Thread(
                    target=reader,
                    args=(output.port, latest, pages, args.pause, n, stop, tally),
                )
                for n in range(args.clients)
            ]
            workers += [
                threading.Thread(target=tab, args=(output.port, pages[n % 4], stop, tally))
                for n in range(TABS)
            ]
            workers.append(
                threading.Thread(
                    target=editor, args=(content, args.entries, args.in_place, stop, saves)
                )
            )
            built_before = len(output.built_ms)
            cpu_before = time.process_time()
            server_cpu_before = cpu_seconds(server.pid)
            load_started = time.monotonic()
            for thread in workers:
                thread.start()
            while time.monotonic() - load_started < args.seconds and server.poll() is None:
                time.sleep(0.1)
            if server.poll() is not None:
                problems.append(f"the server ended during the run (status {server.returncode})")
            stop.set()
            for thread in workers:
                thread.join(TIMEOUT + 5)
            ran = time.monotonic() - load_started
            client_cpu = time.process_time() - cpu_before
            server_cpu = cpu_seconds(server.pid) - server_cpu_before if server.poll() is None else 0
            hwm = status_kb(server.pid, "VmHWM")
            time.sleep(1.0)  # the last save's rebuild reported
            rebuilds = output.built_ms[built_before:]
        finally:
            ended, stopping = stop_server(server)
            sampling.set()
            for thread in helpers:
                thread.join(5)
    if not ended.startswith("on SIGINT, exit status 0"):
        problems.append(f"the server stopped {ended}")

    answered = sum(tally.statuses.values())
    failed = sum(tally.failures.values())
    latencies = sorted(tally.latencies)
    times = [seconds for seconds, _ in latencies]
    polls = sorted(s for s, url in latencies if url == latest)
    page_times = sorted(s for s, url in latencies if url != latest)
    load = [sample for sample in samples if load_started <= sample.when <= load_started + ran]
    print(f"ran {ran:.1f} s")
    statuses = ", ".join(f"{status}: {n:,}" for status, n in sorted(tally.statuses.items()))
    print(f"requests answered: {answered:,} ({statuses or 'none'})")
    kinds = ", ".join(f"{kind}: {n:,}" for kind, n in tally.failures.most_common())
    print(f"failures: {failed:,}{f' ({kinds})' if kinds else ''}")
    print(f"retries on a new connection after a stale keep-alive one: {tally.retries:,}")
    for (status, url), n in sorted(tally.bad.items()):
        print(f"  {status} for {url}: {n:,}")
    print(f"requests/s: {answered / ran:,.0f}")
    if latencies:
        slowest, slowest_url = latencies[-1]
        print(
            f"latency ms: p50 {percentile(times, 0.5) * 1000:.1f}, "
            f"p99 {percentile(times, 0.99) * 1000:.1f}, max {slowest * 1000:.0f} "
            f"(GET {slowest_url})"
        )
        for name, values in (("latest.json", polls), ("pages", page_times)):
            if values:
                print(
                    f"  {name}: {len(values):,}, p50 {percentile(values, 0.5) * 1000:.1f}, "
                    f"p99 {percentile(values, 0.99) * 1000:.1f}, max {values[-1] * 1000:.0f}"
                )
    how = "written in place" if args.in_place else "written to a temporary file, then renamed"
    print(
        f"saves: {saves.edits + saves.added} ({saves.edits} edits {how}; "
        f"{saves.added} new {'entry' if saves.added == 1 else 'entries'} written in place)"
    )
    built = f" (median {statistics.median(rebuilds):.0f} ms, max {max(rebuilds):.0f})"
    print(f"rebuilds reported: {len(rebuilds)}{built if rebuilds else ''}")
    print(
        f"event streams: {tally.streams} opened by {TABS} tabs, {tally.events} events, "
        f"{tally.keepalives} keep-alives, {tally.reloads} reloads"
    )
    peak = max(load, key=lambda sample: sample.kb, default=Sample(0, 0, 0, ()))
    alone = max((sample.server_kb for sample in load), default=0)
    first_build = max((sample.kb for sample in samples), default=0)
    at_start, at_end = (load[0].server_kb, load[-1].server_kb) if load else (0, 0)
    started_children = sorted({name for sample in load for name in sample.children})
    print(
        f"server peak memory: {peak.kb / 1024:.0f} MB under load (VmRSS every "
        f"{SAMPLE_EVERY} s, with its children: {peak.server_kb / 1024:.0f} MB + "
        f"{peak.children_kb / 1024:.0f} MB of {', '.join(peak.children) or 'none'}); "
        f"the server alone {alone / 1024:.0f} MB at most, {at_start / 1024:.0f} MB at the "
        f"start, {at_end / 1024:.0f} at the end; {first_build / 1024:.0f} MB with its first "
        f"build; VmHWM {hwm / 1024:.0f} MB; children seen: {', '.join(started_children) or 'none'}"
    )
    print(
        f"CPU: server {server_cpu:.1f} s ({server_cpu / ran:.0%} of a core), "
        f"these clients {client_cpu:.1f} s ({client_cpu / ran:.0%})"
    )
    print(f"server stopped {ended} in {stopping:.1f} s")
    if output.errors:
        print(f"server's standard error: {len(output.errors)} lines, the last:")
        for line in output.errors[-10:]:
            print(f"  {line}")
    if failed:
        problems.append(f"{failed:,} requests or streams failed")
    if tally.bad:
        problems.append(f"{sum(tally.bad.values()):,} answers were not 200 or 304")
    print("FAILED: " + "; ".join(problems) if problems else "OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
