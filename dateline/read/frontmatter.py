"""Front matter: the YAML block between `---` lines, read strictly and with line numbers.

YAML's own typing guesses (`yes` is True, `2022-03-02 14:05:00` a UTC-less datetime,
`title: 2022` a number). Editors' values are read as written instead: this module walks
the composed YAML nodes and takes each scalar's text, so every key keeps the line it was
written on and every type check can say exactly what to write.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Literal

import yaml

try:  # libyaml is several times faster on big stories; same safe composer either way
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Kind = Literal["text", "bool", "list", "time", "names"]  # names: one, or a list
Value = str | bool | tuple[str, ...]


@dataclass(frozen=True)
class Field:
    """A front-matter value as written and the file line it is on."""

    value: Value
    line: int


@dataclass(frozen=True)
class Document:
    """A Markdown file split into its front matter text and body."""

    yaml_text: str
    yaml_line: int  # file line of the first YAML line
    body: str
    body_line: int  # file line of the first body line


class FrontMatterError(ValueError):
    """A front-matter mistake at a 1-based file line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def split(text: str) -> Document:
    """Split a file into front matter and body; the file must open with a `---` line.

    Walks the front matter's lines only: the body is sliced off whole, not split into
    lines and joined again.
    """
    text = text.removeprefix("\ufeff")
    end = text.find("\n")
    if (text if end == -1 else text[:end]).rstrip() != "---":
        raise FrontMatterError(
            1,
            "no front matter: start the file with a '---' line, then 'title:' and 'time:'",
        )
    yaml_start = start = end + 1
    index = 1  # 0-based number of the line at `start`
    while end != -1:
        end = text.find("\n", start)
        if (text[start:] if end == -1 else text[start:end]).rstrip() in ("---", "..."):
            return Document(
                yaml_text=text[yaml_start : max(start - 1, yaml_start)],
                yaml_line=2,
                body="" if end == -1 else text[end + 1 :],
                body_line=index + 2,
            )
        index += 1
        start = end + 1
    raise FrontMatterError(1, "front matter is not closed: add a '---' line after it")


def _text(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


# The YAML tags plain values resolve to; anything else (`!!python/...`, `!custom`) was
# written on purpose and is refused rather than silently read as text.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "null", "bool", "int", "float", "timestamp", "seq", "map")
)


def _convert(key: str, kind: Kind, node: yaml.Node, line: int, first_line: int) -> Value | None:
    """Turn a value node into the kind the key wants, or raise with what to write.

    `line` is the key's file line; `first_line` the file line of the YAML's first line.
    """
    if node.tag not in _PLAIN_TAGS:
        raise FrontMatterError(line, f"'{key}' has a YAML tag ({node.tag}); write a plain value")
    if kind == "names" and not isinstance(node, yaml.SequenceNode):
        name = _convert(key, "text", node, line, first_line)
        return (name,) if name else ()
    if kind in ("list", "names"):
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise FrontMatterError(line, f"'{key}' must be a list, like [kharkiv, peace-talks]")
        items = []
        for item in node.value:
            value = _text(item)
            if value is None or not value.strip():
                raise FrontMatterError(
                    first_line + item.start_mark.line,
                    f"each item of '{key}' must be a word or phrase",
                )
            items.append(value.strip())
        return tuple(items)
    value = _text(node)
    if value is None:
        raise FrontMatterError(line, f"'{key}' must be a single value, not a list or mapping")
    if node.tag == "tag:yaml.org,2002:null" and kind != "time":
        return None
    if kind == "bool":
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise FrontMatterError(line, f"'{key}' must be true or false, not {value!r}")
    return value.strip()


def _explain(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str]:
    """Where a YAML mistake is (a line of the front matter, from 0) and what to write.

    YAML's own words ("mapping values are not allowed in this context") mean nothing to
    an editor on deadline, and the commonest mistakes are few: a headline with a colon,
    a quote or bracket left open, a value starting with a character YAML keeps for
    itself. Those get the line as it should be written; anything else YAML's words.
    """
    problem = exc.problem or "invalid YAML"
    at = exc.problem_mark.line if exc.problem_mark else 0
    opened = exc.context_mark.line if exc.context_mark else at
    context = exc.context or ""
    text = lines[at] if at < len(lines) else ""
    key, colon, value = text.partition(":")
    value = value.strip()
    quoted = f"{key}: {_quoted(value)}"
    if "quoted scalar" in context:
        return opened, "a quote opened on this line is not closed"
    if "flow sequence" in context:
        return opened, "a list opened with '[' on this line is not closed with ']'"
    if "simple key" in context:
        return opened, "this line has no ':'; write it as 'key: value'"
    if not colon or not key.strip():
        return at, problem
    if text[:1].isspace():
        if "mapping values" in problem or "tab" in problem:
            return at, "this line is indented; start it at the beginning of the line"
        return at, problem
    if ": " in value and "mapping values" in problem:
        return at, f'a value with ": " in it needs quotes: {quoted}'
    first = value[:1] or " "  # never '' (which is `in` every string)
    if first in "\"'" and "expected key" in problem:
        return at, f"the quotes end before the value does; quote all of it: {quoted}"
    if first in "[{" and "expected key" in problem:
        return at, f"a value starting with {first!r} is read as a list; quote it: {quoted}"
    if first in "@`|>%&*!-?" and ("cannot start" in problem or "not allowed" in problem):
        return at, f"a value cannot start with {first!r}; put it in quotes: {quoted}"
    if value:  # YAML stumbled inside this line's value: as text, in quotes, it reads
        return at, f"YAML cannot read this value ({problem}); put it in quotes: {quoted}"
    return at, problem


def _quoted(value: str) -> str:
    """`value` as a YAML string, in single quotes unless it has one (an apostrophe)."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]  # quotes the editor meant to go round the whole value
    return f"'{value}'" if "'" not in value else json.dumps(value, ensure_ascii=False)


def read_fields(
    doc: Document, schema: dict[str, Kind], required: tuple[str, ...] = ()
) -> tuple[dict[str, Field], list[FrontMatterError]]:
    """Read the front matter against `schema`, returning fields and every error found.

    A `required` key written with a wrong value gets one message (about the value), not
    a second one saying it is missing.
    """
    errors: list[FrontMatterError] = []
    fields: dict[str, Field] = {}
    written: dict[str, int] = {}
    loader = _Loader(doc.yaml_text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        at, problem = _explain(exc, doc.yaml_text.split("\n"))
        line = doc.yaml_line + at
        return fields, [FrontMatterError(line, f"front matter is not valid YAML: {problem}")]
    except yaml.YAMLError as exc:
        return fields, [FrontMatterError(doc.yaml_line, f"front matter is not valid YAML: {exc}")]
    finally:
        loader.dispose()
    if root is not None and not isinstance(root, yaml.MappingNode):
        return fields, [FrontMatterError(doc.yaml_line, "front matter must be 'key: value' lines")]
    seen_nodes: set[int] = set()
    for key_node, value_node in root.value if root is not None else ():
        line = doc.yaml_line + key_node.start_mark.line
        key = _text(key_node)
        if key is None:
            errors.append(FrontMatterError(line, "front matter keys must be plain words"))
            continue
        if id(value_node) in seen_nodes:
            errors.append(
                FrontMatterError(line, f"'{key}' repeats another value (YAML alias); write it out")
            )
            continue
        seen_nodes.add(id(value_node))
        if key not in schema:
            errors.append(FrontMatterError(line, unknown_key_message(key, schema)))
            continue
        written.setdefault(key, line)
        if key in fields:
            errors.append(
                FrontMatterError(line, f"'{key}' is given twice (first on line {fields[key].line})")
            )
            continue
        try:
            value = _convert(key, schema[key], value_node, line, doc.yaml_line)
        except FrontMatterError as exc:
            errors.append(exc)
            continue
        if value is not None:
            fields[key] = Field(value, line)
    failed = {exc.line for exc in errors}
    for key in required:
        if key not in written:
            errors.append(FrontMatterError(1, f"missing '{key}:' in the front matter"))
        elif key not in fields and written[key] not in failed:
            errors.append(FrontMatterError(written[key], f"'{key}' is empty"))
    return fields, errors


def unknown_key_message(key: str, known: dict[str, Kind] | list[str]) -> str:
    """'unknown key' naming the closest known key, so `pined:` reads as the typo it is."""
    names = sorted(known)
    close = difflib.get_close_matches(key.lower(), names, n=1, cutoff=0.6)
    if close:
        return f"unknown key '{key}' (did you mean '{close[0]}'?)"
    return f"unknown key '{key}'; known keys are: {', '.join(names)}"
