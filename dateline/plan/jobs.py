"""A page to render, as the planners (`plan.pages`, `plan.views`) describe it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

LastModified = datetime | Callable[[], datetime | None] | None


@dataclass(frozen=True)
class PageJob:
    """One page to render: `template` at site path `path`.

    `context`'s `meta` item feeds the description, OpenGraph and JSON-LD tags of
    base.html. `listed` pages go into the sitemap with `lastmod` (or what it returns,
    called only by the process writing the sitemap). A page a host serves `anywhere` a
    file is missing (the 404 page) links from the host's root under base_url's path.
    `canonical`: the site path of the page this one stands for, when not itself (an
    entry's earlier address).
    """

    template: str
    path: str
    key: object | Callable[[], object]
    context: Callable[[], dict[str, object]]
    lastmod: LastModified = None
    listed: bool = True
    anywhere: bool = False
    canonical: str | None = None
