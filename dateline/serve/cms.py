"""`dateline serve --cms`: the admin page beside the preview, and Decap's local proxy.

Decap CMS in the browser reads and writes the content files through `decap-server`, a
small Node server on this machine (Decap's "local backend"), so an editor on a laptop
edits in the browser with no git host and no network, and the preview rebuilds on each
save as it does for a file saved in an editor.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from dateline.errors import UsageError
from dateline.read.cms_settings import LocalCms
from dateline.render.cms import DECAP_SRI, integrity
from dateline.speed.forks import die_with_parent

DECAP_SERVER_VERSION = "3.11.3"  # package.json's, which `npm ci` installs
_CHECKOUT = Path(__file__).resolve().parent.parent.parent  # dateline's own, when run from one


def repository_root(content: Path) -> Path:
    """The top of the git repository holding `content` (the folder the proxy edits),
    or the content folder's parent outside one."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=content,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return Path(top).resolve()
    except (OSError, subprocess.CalledProcessError):
        return content.parent


def installed(root: Path, name: str) -> Path | None:
    """A file `npm ci` installed (`name` under node_modules/): the repository's, else
    dateline's own checkout's."""
    for folder in (root, _CHECKOUT):
        if (found := folder / "node_modules" / name).is_file():
            return found
    return None


def verified_script(root: Path) -> Path | None:
    """Decap's script installed by npm, if it is the very file the page pins (its
    digest is the page's integrity hash): a different version would be refused by the
    browser, so the page then loads the pinned file from the CDN instead."""
    script = installed(root, "decap-cms/dist/decap-cms.js")
    if script is None:
        return None
    if integrity(script.read_bytes()) != DECAP_SRI:
        print(
            f"{script}: not the pinned Decap CMS; the admin page loads it from the CDN",
            file=sys.stderr,
        )
        return None
    return script


@dataclass(frozen=True)
class Proxy:
    """How to start decap-server for a repository."""

    command: tuple[str, ...]
    root: Path  # the folder it reads and writes
    host: str
    port: int

    @property
    def api(self) -> str:
        return f"http://{self.host}:{self.port}/api/v1"

    def start(self) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "GIT_REPO_DIRECTORY": str(self.root),
            "PORT": str(self.port),
            "BIND_HOST": self.host,
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "warn"),
        }
        try:
            # Killed with the server, however it ends (started from its main thread).
            return subprocess.Popen(
                self.command, cwd=self.root, env=env, preexec_fn=die_with_parent()
            )
        except OSError as exc:
            raise UsageError(f"cannot start Decap's local proxy ({exc.strerror})") from None


def proxy_command(root: Path) -> tuple[str, ...]:
    """decap-server as `npm ci` installed it (the repository's, else dateline's own
    checkout's), else the pinned version through npx."""
    if (server := installed(root, ".bin/decap-server")) is not None:
        return (str(server),)
    if shutil.which("npx") is None:
        raise UsageError("--cms needs Node.js: install it, then run `npm ci` beside package.json")
    return ("npx", "--yes", f"decap-server@{DECAP_SERVER_VERSION}")


def local_cms(content: Path, host: str, port: int) -> tuple[LocalCms, Proxy]:
    """What the build is asked for, and the proxy to start, for editing `content`."""
    root = repository_root(content)
    content_path = content.resolve().relative_to(root).as_posix()
    proxy = Proxy(proxy_command(root), root, host, port)
    return LocalCms(content_path, proxy.api, verified_script(root)), proxy
