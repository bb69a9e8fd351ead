"""The `[cms]` table of `site.toml`: where Decap CMS finds the repository it edits.

With the table, the build writes an admin page (`admin/`) beside the site, so editors
who never open a terminal write entries in the browser and the CMS commits them. The
settings are those of Decap's `backend`, named as Decap names them where it can be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from dateline.errors import ContentError
from dateline.read.frontmatter import unknown_key_message

# Decap's backends that commit to a git host; `git-gateway` works through Netlify.
BACKENDS = ("github", "gitlab", "gitea", "bitbucket", "azure", "git-gateway")
CMS_KEYS = ("backend", "repo", "branch", "base_url", "auth_endpoint", "content_path")
_REPO = re.compile(r"^[\w.-]+(/[\w.-]+)+$")
_URL = re.compile(r"^https?://[^/\s]+(/\S*)?$")
_PATH = re.compile(r"^(?!/)(?!.*(^|/)\.\.(/|$))[\w./-]*$")


@dataclass(frozen=True)
class CmsSettings:
    """How the admin page reaches the repository."""

    backend: str  # one of BACKENDS
    repo: str | None  # owner/name on the git host (every backend but git-gateway)
    branch: str = "main"
    base_url: str | None = None  # the OAuth server's address (GitHub without Netlify)
    auth_endpoint: str | None = None  # its path, when not Decap's default `auth`
    content_path: str = "content"  # the content folder, from the repository's top
    # The dev server's (`serve --cms`): the address of Decap's local proxy, used instead
    # of the git host, and a copy of Decap's script to serve beside the page (None: the
    # pinned CDN's).
    api: str | None = None
    script: Path | None = None


@dataclass(frozen=True)
class LocalCms:
    """What `dateline serve --cms` asks of the build: the admin page, working through
    Decap's local proxy on this machine, with or without a `[cms]` table."""

    content_path: str  # the content folder, from the top of the folder the proxy edits
    api: str  # the local proxy's address
    script: Path | None = None  # Decap's script, installed by npm, to serve beside the page

    def settings(self, configured: CmsSettings | None) -> CmsSettings:
        """The site's own settings (or plain ones), made local."""
        base = configured or CmsSettings(backend="git-gateway", repo=None)
        return replace(base, content_path=self.content_path, script=self.script, api=self.api)


def read_cms(
    table: object, shown: str, lines: dict[str, int], errors: list[ContentError]
) -> CmsSettings | None:
    """The `[cms]` table's settings, or None without it; mistakes go to `errors` at the
    line of their key (`lines`, with the table's own line under '')."""
    if table is None:
        return None

    def error(key: str, message: str) -> None:
        errors.append(ContentError(shown, lines.get(key, lines[""]), message))

    if not isinstance(table, dict):
        error("", "'cms' must be a table: a [cms] line, then backend = \"github\" and repo = …")
        return None
    before = len(errors)
    for key, value in table.items():
        if key not in CMS_KEYS:
            error(key, unknown_key_message(key, list(CMS_KEYS)).replace("'", "'cms.", 1))
        elif not isinstance(value, str) or not value.strip():
            error(key, f"cms.{key} must be a quoted string, like {_EXAMPLES[key]}")
    if len(errors) > before:
        return None
    settings = {key: value.strip() for key, value in table.items()}
    backend = settings.get("backend")
    if backend not in BACKENDS:
        choices = ", ".join(f'"{b}"' for b in BACKENDS)
        error("backend" if backend else "", f"cms.backend must be one of {choices}")
    repo = settings.get("repo")
    if backend != "git-gateway" and not repo:
        error("", f'[cms] needs repo = "owner/name", the repository {backend or "Decap"} edits')
    elif repo and not _REPO.match(repo):
        error("repo", f"cms.repo {repo!r} must be the repository's owner/name, like 'org/live'")
    if (url := settings.get("base_url")) and not _URL.match(url):
        error("base_url", f"cms.base_url {url!r} must be an absolute http(s) URL")
    path = settings.get("content_path", "content").strip("/") or "."
    if not _PATH.match(path):
        error("content_path", f"cms.content_path {path!r} must be a folder inside the repository")
    if len(errors) > before:
        return None
    return CmsSettings(
        backend=backend,  # type: ignore[arg-type]  # checked above
        repo=repo,
        branch=settings.get("branch", "main"),
        base_url=settings.get("base_url"),
        auth_endpoint=settings.get("auth_endpoint"),
        content_path=path,
    )


_EXAMPLES = {
    "backend": 'backend = "github"',
    "repo": 'repo = "newsroom/live"',
    "branch": 'branch = "main"',
    "base_url": 'base_url = "https://auth.example.org"',
    "auth_endpoint": 'auth_endpoint = "auth"',
    "content_path": 'content_path = "content"',
}
