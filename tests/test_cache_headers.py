"""Cache headers: the `_headers` file read as Netlify and Cloudflare Pages read it, and
the nginx recipe in docs/publishing.md served by Debian's nginx and asked over HTTP.

A live story's reader must see a new entry within a minute of the deploy: what open
pages poll and what readers load first may be kept a minute at most, files with a new
address whenever their bytes change a year, and no path may get two values.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from dateline import routes
from dateline.build import build
from tests.conftest import ROOT, STORY_INDEX, entry

YEAR = "public, max-age=31536000, immutable"
HASHED_SEARCH = re.compile(r"search/pagefind/(fragment/|index/|filter/|[^/]*\.pf_meta$)")

Rules = list[tuple[str, dict[str, str]]]


# `_headers` as the hosts read it --------------------------------------------------------


def parse_headers(text: str) -> Rules:
    """Netlify's format: a path line, then its headers indented, `Name: value`; `#`
    starts a comment. A header set twice in one rule is joined, as both hosts do."""
    rules: Rules = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("/"):
            rules.append((line.rstrip(), {}))
            continue
        assert line.startswith("  ") and rules, f"line {number}: a header before a path"
        name, _, value = line.strip().partition(":")
        assert name and value.strip(), f"line {number}: not a Name: value"
        values = rules[-1][1]
        key = name.strip().lower()
        values[key] = f"{values[key]}, {value.strip()}" if key in values else value.strip()
    return rules


def netlify_pattern(path: str) -> re.Pattern[str]:
    """Netlify's matcher (netlify/build, headers-parser `getForRegExp`): `*` alone is
    the rest of the path, `*` in a part anything, `:name` one part; a trailing slash is
    optional and case does not count."""

    def part(text: str) -> str:
        if text.startswith(":"):
            return "([^/]+)"
        if text == "*":
            return "?(.*)"
        return text.replace("*", "(.*)") if "*" in text else re.escape(text)

    parts = [part(p.rstrip()) for p in path.split("/") if p.rstrip()]
    return re.compile(f"^/{'/'.join(parts)}/?$", re.IGNORECASE)


def cloudflare_pattern(path: str) -> re.Pattern[str]:
    """Cloudflare Pages' matcher (workers-sdk, `generateRulesMatcher`): `*` anything,
    `:name` one part, the whole path exactly, case counting."""
    pattern = "(.*)".join(re.escape(piece) for piece in path.split("*"))
    return re.compile("^" + re.sub(r":[A-Za-z]\w*", "([^/]+)", pattern) + "$")


HOSTS = {"netlify": netlify_pattern, "cloudflare": cloudflare_pattern}


def addresses(site: Path, base: str) -> dict[str, Path]:
    """Every file of a build by the path a browser asks for it (a folder's page as the
    folder), percent-encoded as a browser sends it."""
    found = {}
    for file in sorted(site.rglob("*")):
        name = file.relative_to(site).as_posix()
        if not file.is_file() or name in {routes.HEADERS, ".dateline"}:
            continue
        page = name.removesuffix(routes.INDEX) if file.name == routes.INDEX else name
        found[quote(base + page, safe="/%")] = file
    return found


def cache_controls(rules: Rules, host: str, address: str) -> list[str]:
    pattern = HOSTS[host]
    return [v["cache-control"] for path, v in rules if pattern(path).match(address)]


def max_age(value: str) -> int:
    found = re.search(r"(?:^|[ ,])max-age=(\d+)", value)
    assert found, value
    return int(found[1])


def check_headers_file(site: Path, base: str) -> tuple[Rules, dict[str, Path]]:
    """What holds for any build's `_headers`; gives its rules and the build's files."""
    text = (site / routes.HEADERS).read_text(encoding="utf-8")
    rules = parse_headers(text)
    files = addresses(site, base)
    assert rules and len(rules) <= 100, "Cloudflare Pages reads 100 rules"
    assert max(map(len, text.splitlines())) <= 2000, "Cloudflare's limit on a line"
    for path, values in rules:
        assert path.isascii() and path.startswith(base), path
        assert path.count("*") <= 1, path  # Cloudflare drops a rule with two
        assert set(values) == {"cache-control"}, (path, values)
        if path == base + routes.NEWS_SITEMAP:  # (not in every build: none matches then)
            continue
        for host, pattern in HOSTS.items():
            assert any(pattern(path).match(a) for a in files), (host, path, "matches no file")
    for address in files:
        for host in HOSTS:
            matched = cache_controls(rules, host, address)
            assert len(matched) <= 1, (host, address, matched)  # joined, if two
    return rules, files


def value_for(rules: Rules, address: str) -> str | None:
    """The Cache-Control a file gets, the same on both hosts (None: the host's default)."""
    found = {host: cache_controls(rules, host, address) for host in HOSTS}
    assert found["netlify"] == found["cloudflare"], (address, found)
    return found["netlify"][0] if found["netlify"] else None


def test_headers_give_what_readers_poll_a_minute_and_hashed_files_a_year(
    sample_site: Path,
) -> None:
    base = "/live/"  # the sample's base_url is https://example.org/live/
    rules, files = check_headers_file(sample_site, base)
    stories = sorted(p.parent.name for p in sample_site.glob(f"*/{routes.LATEST_JSON}"))
    assert stories
    short = [base, base + routes.SITE_FIGURES_JSON, base + routes.SITEMAP]
    short += [a for a in files if a == base + routes.NEWS_SITEMAP]
    for slug in stories:
        polled = value_for(rules, base + routes.latest_json(slug))
        assert polled is not None and max_age(polled) <= 30, (slug, polled)
        short += [base + routes.story(slug), base + routes.figures_json(slug)]
        short += [base + routes.feed_atom(slug), base + routes.feed_json(slug)]
    for address in short:
        assert address in files, address
        value = value_for(rules, address)
        assert value is not None and max_age(value) <= 60 and "immutable" not in value, address
    hashed = [a for a in files if a.startswith(base + routes.STATIC) or HASHED_SEARCH.search(a)]
    assert any(routes.STATIC in a for a in hashed) and len(hashed) < len(files)
    for address in hashed:
        assert value_for(rules, address) == YEAR, address
    if (sample_site / "search" / "pagefind").is_dir():  # site search on: its index too
        assert any("/pagefind/fragment/" in a for a in hashed)
    for address in files:  # the rest (entry pages, Pagefind's scripts): never a year
        value = value_for(rules, address)
        assert address in hashed or value is None or max_age(value) <= 60, (address, value)
    entry_page = base + "ukraine-day-7/0430-us-airspace/"
    assert entry_page in files and value_for(rules, entry_page) is None  # host's default


def test_headers_name_a_cyrillic_story_as_a_browser_asks_for_it(content, tmp_path) -> None:
    """A story named in Cyrillic, with a base_url under /live/ and without one: each
    rule names the percent-encoded path, and no rule names a file the build lacks."""
    files = {
        "київ/_index.md": STORY_INDEX,
        "київ/Обстріл.md": entry("Обстріл"),
        "ended/_index.md": STORY_INDEX.replace("---\nThe", "status: ended\n---\nThe"),
        "ended/one.md": entry("One"),
    }
    for base, toml in [("/live/", None), ("/", 'title = "Desk"\n')]:
        out = tmp_path / f"site-{len(base)}"
        root = content(files, **({"site_toml": toml} if toml else {}))
        build(root, out)
        rules, built = check_headers_file(out, base)
        latest = base + "%D0%BA%D0%B8%D1%97%D0%B2/latest.json"
        assert unquote(latest) == f"{base}київ/latest.json" and latest in built
        assert value_for(rules, latest) == "public, max-age=30"
        paths = [path for path, _ in rules]
        assert paths.index(latest) < paths.index(base + "ended/latest.json")  # live first
        feeds = [p for p in paths if p.endswith(routes.FEED_ATOM)]
        assert len(feeds) == (2 if base == "/live/" else 0)  # feeds need a base_url


# nginx ---------------------------------------------------------------------------------

RECIPE = re.compile(r"^```nginx\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def nginx_recipe() -> str:
    """The nginx block of docs/publishing.md, exactly as readers copy it."""
    blocks = RECIPE.findall((ROOT / "docs" / "publishing.md").read_text(encoding="utf-8"))
    assert len(blocks) == 1, "docs/publishing.md should have one nginx block"
    return blocks[0]


def nginx_conf(prefix: Path, site: Path, port: int) -> str:
    """A whole nginx.conf around the recipe: every file nginx writes in `prefix`.

    `master_process off` keeps nginx one process as the user running the tests (root
    in CI): a master started as root would hand requests to workers running as nobody,
    who cannot read pytest's temporary folders."""
    inner = "\n".join(f"        {line}" if line else "" for line in nginx_recipe().splitlines())
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
master_process off;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{
    worker_connections 64;
}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
{temp}
    server {{
        listen 127.0.0.1:{port};
        root {site};
{inner}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None
    )
    if found is None:
        message = "nginx is not installed: bash scripts/install-test-deps.sh (nginx-light)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the nginx recipe's test")
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx(sample_site: Path, tmp_path: Path) -> Iterator[http.client.HTTPConnection]:
    """Debian's nginx serving the sample site with the documented recipe."""
    binary, port = nginx_binary(), free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_conf(tmp_path, sample_site, port), encoding="utf-8")
    tested = subprocess.run(
        [binary, "-t", "-c", conf, "-p", tmp_path, "-e", tmp_path / "error.log"],
        capture_output=True,
        text=True,
    )
    assert tested.returncode == 0, tested.stderr
    proc = subprocess.Popen(
        [binary, "-c", conf, "-p", tmp_path, "-e", tmp_path / "error.log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        yield connection
        connection.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def ask(connection: http.client.HTTPConnection, path: str) -> tuple[int, str | None, bytes]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.getheader("Cache-Control"), response.read()


def test_the_nginx_recipe_serves_every_file_with_its_cache_header(
    nginx: http.client.HTTPConnection, sample_site: Path
) -> None:
    """Served at the host's root, every file answers 200 with the value `_headers`
    gives it (a minute where `_headers` leaves the host's default); a missing page is
    the 404 page."""
    rules = parse_headers((sample_site / routes.HEADERS).read_text(encoding="utf-8"))
    seen = {}
    for address, file in addresses(sample_site, "/live/").items():
        served = "/" + address.removeprefix("/live/")
        status, value, body = ask(nginx, served)
        assert status == 200 and body == file.read_bytes(), served
        assert value == (value_for(rules, address) or "public, max-age=60"), (served, value)
        seen[served] = value
    assert seen["/ukraine-day-7/latest.json"] == "public, max-age=30"
    assert seen["/ukraine-day-7/feed.xml"] == seen["/ukraine-day-7/"] == "public, max-age=60"
    assert seen["/"] == seen["/ukraine-day-7/0430-us-airspace/"] == "public, max-age=60"
    assert seen["/static/style.css"] == YEAR
    linked = re.search(
        r'href="(static/style\.css\?v=\w+)"', (sample_site / "index.html").read_text()
    )
    assert linked and ask(nginx, "/" + linked[1])[:2] == (200, YEAR)  # as pages link it
    status, value, body = ask(nginx, "/no-such-story/")
    assert (status, value) == (404, "public, max-age=60")
    assert body == (sample_site / routes.NOT_FOUND).read_bytes()
