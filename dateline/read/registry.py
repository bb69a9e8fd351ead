"""The figures registry, `content/figures.toml` (contract v1.1, optional): which names
of sources and metrics are the same, once for the whole site.

Boxes are written on deadline, so one ministry is "Russian Ministry of Defence",
"Russian MoD" and "Russia's defence ministry". A box line naming a registered name or
alias (ignoring case and runs of spaces) is recorded under the registry's name; with a
registry, a name it does not know is a warning naming the closest one it does.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from dateline.errors import ContentError
from dateline.read.config import toml_error_line
from dateline.read.figures import FigureBox
from dateline.read.frontmatter import unknown_key_message
from dateline.slugs import slugify

REGISTRY_FILE = "figures.toml"
SOURCE_KEYS = ("name", "aliases", "url", "kind", "party")
METRIC_KEYS = ("name", "aliases", "unit", "description")
_TABLE = re.compile(r"\s*\[\[\s*(source|metric)\s*\]\]\s*(#.*)?$")
_KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")


def normal(name: str) -> str:
    """A name as the registry matches it: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Source:
    """A registered source: the name shown and exported, and who it is."""

    name: str
    aliases: tuple[str, ...] = ()
    url: str | None = None
    kind: str | None = None  # government, military, un, ngo, media…
    party: str | None = None  # the side of the conflict it speaks for


@dataclass(frozen=True)
class MetricInfo:
    """A registered metric: the name shown and exported (its slug is its identity)."""

    name: str
    aliases: tuple[str, ...] = ()
    unit: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Registry:
    """The registry's sources and metrics, looked up by any of their names."""

    sources: tuple[Source, ...] = ()
    metrics: tuple[MetricInfo, ...] = ()
    _sources: dict[str, Source] = field(default_factory=dict, compare=False, repr=False)
    _metrics: dict[str, MetricInfo] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for source in self.sources:
            for name in (source.name, *source.aliases):
                self._sources[normal(name)] = source
        for metric in self.metrics:
            for name in (metric.name, *metric.aliases):
                self._metrics[normal(name)] = metric

    @cached_property
    def digest(self) -> bytes:
        """Stands for the registry in what entries are read against."""
        return hashlib.blake2b(repr((self.sources, self.metrics)).encode(), digest_size=16).digest()

    def source(self, name: str) -> Source | None:
        return self._sources.get(normal(name))

    def metric(self, name: str) -> MetricInfo | None:
        return self._metrics.get(normal(name))

    def apply(self, box: FigureBox, warn: Callable) -> FigureBox:
        """`box` under the registry's names, with what it says of each source and of the
        metric; `warn(line, message)` for a name it does not know."""
        metric = self.metric(box.name)
        if metric is not None:
            box = replace(
                box,
                name=metric.name,
                slug=slugify(metric.name),
                unit=metric.unit,
                description=metric.description,
            )
        elif self.metrics:
            warn(box.line, _unknown("metric", box.name, [m.name for m in self.metrics]))
        claims = []
        for claim in box.claims:
            source = self.source(claim.source)
            if source is not None:
                claim = replace(
                    claim,
                    source=source.name,
                    source_url=claim.source_url or source.url,  # a link on the line wins
                    source_kind=source.kind,
                    source_party=source.party,
                )
            elif self.sources:
                known = [s.name for s in self.sources]
                warn(claim.line, _unknown("source", claim.source, known))
            claims.append(claim)
        return replace(box, claims=tuple(claims))


def _unknown(what: str, name: str, known: list[str]) -> str:
    """The warning for a name the registry does not know, naming the closest it does."""
    folded = {normal(k): k for k in known}
    close = difflib.get_close_matches(normal(name), list(folded), n=1, cutoff=0.5)
    hint = f"; did you mean '{folded[close[0]]}'?" if close else f"; add it to {REGISTRY_FILE}"
    return f"{what} {name!r} is not in {REGISTRY_FILE}{hint}"


EMPTY = Registry()


def load_registry(path: Path, shown: str) -> tuple[Registry, list[ContentError]]:
    """Read `figures.toml` (`shown` as messages print it); no file, no registry."""
    if not path.is_file():
        return EMPTY, []
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        return EMPTY, [ContentError(shown, 1, f"{REGISTRY_FILE} is not valid UTF-8 text")]
    except tomllib.TOMLDecodeError as exc:
        line = toml_error_line(exc)
        return EMPTY, [ContentError(shown, line, f"{REGISTRY_FILE} is not valid TOML: {exc}")]
    lines = _lines(text)
    errors: list[ContentError] = []
    for key in data:
        if key not in ("source", "metric"):
            message = unknown_key_message(key, ["metric", "source"])
            errors.append(ContentError(shown, lines.get(("", 0, key), 1), message))
    sources = _tables(data, "source", SOURCE_KEYS, lines, shown, errors)
    metrics = _tables(data, "metric", METRIC_KEYS, lines, shown, errors)
    if errors:
        return EMPTY, errors
    registry = Registry(
        tuple(Source(**t) for t in sources),  # type: ignore[arg-type]
        tuple(MetricInfo(**t) for t in metrics),  # type: ignore[arg-type]
    )
    return registry, []


Lines = dict[tuple[str, int, str], int]  # (table kind, its number, key) -> line


def _lines(text: str) -> Lines:
    """Where each table and each of its keys is (tomllib does not say)."""
    lines: Lines = {}
    kind, counts = "", {"source": -1, "metric": -1}
    for number, line in enumerate(text.split("\n"), start=1):
        if table := _TABLE.match(line):
            kind = table.group(1)
            counts[kind] += 1
            lines[(kind, counts[kind], "")] = number
        elif key := _KEY.match(line):
            lines.setdefault((kind, counts.get(kind, 0), key.group(1)), number)
    return lines


def _tables(
    data: dict,
    kind: str,
    keys: tuple[str, ...],
    lines: Lines,
    shown: str,
    errors: list[ContentError],
) -> list[dict[str, object]]:
    """The `[[kind]]` tables checked: known keys of the right types, a name, and no
    name or alias claimed twice."""
    tables = data.get(kind, [])
    if not isinstance(tables, list):
        line = lines.get(("", 0, kind), 1)
        errors.append(ContentError(shown, line, f"write each {kind} as a [[{kind}]] table"))
        return []
    found: list[dict[str, object]] = []
    taken: dict[str, tuple[int, str]] = {}  # a name as matched -> (its table, its name)
    for number, table in enumerate(tables):

        def error(key: str, message: str, number: int = number) -> None:
            line = lines.get((kind, number, key)) or lines.get((kind, number, ""), 1)
            errors.append(ContentError(shown, line, message))

        read = _table(table, kind, keys, error)
        if read is None:
            continue
        for at, name in enumerate((read["name"], *read["aliases"])):  # type: ignore[misc]
            owner = taken.setdefault(normal(name), (number, str(read["name"])))
            if owner[0] != number:
                message = f"{name!r} is already a name of {kind} {owner[1]!r}; give each name once"
                error("aliases" if at else "name", message)
        found.append(read)
    return found


def _table(
    table: dict, kind: str, keys: tuple[str, ...], error: Callable[[str, str], None]
) -> dict[str, object] | None:
    """One `[[kind]]` table's values, or None (with its errors said)."""
    ok = True
    for key, value in table.items():
        if key not in keys:
            error(key, unknown_key_message(key, list(keys)))
            ok = False
        elif key == "aliases":
            names = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
            if not names:
                error(key, 'aliases must be a list of names, like aliases = ["Russian MoD"]')
                ok = False
        elif not isinstance(value, str) or not value.strip():
            error(key, f'{key!r} must be text in quotes, like {key} = "…"')
            ok = False
    if "name" not in table:
        error("", f'[[{kind}]] needs a name, like name = "…"')
        return None
    if not ok:
        return None
    read: dict[str, object] = {
        k: " ".join(str(table[k]).split()) for k in keys if k in table and k != "aliases"
    }
    read["aliases"] = tuple(" ".join(a.split()) for a in table.get("aliases", ()))
    return read
