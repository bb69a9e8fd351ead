"""Markdown bodies: one configured markdown-it parser for every entry.

Raw HTML is off and only http, https, mailto and relative links survive, because entry
text comes from many hands. Figure fences become placeholders that the page renderer
fills from the parsed boxes (so a theme owns their markup); an image with a title,
alone in its paragraph, becomes a captioned figure with its credit.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from dateline.read.images import SIZES
from dateline.read.sanitize import clean
from dateline.urls import PLAIN_WEB_URL, is_safe_url

FIGURES_INFO = "figures"
PLACEHOLDER = "<!--dateline:figures:{}-->"
_HEADING_SHIFT = 2  # a body's '#' sits under the entry's own h2 headline


@dataclass(frozen=True)
class ImageRef:
    """An image a body uses, with the file line it is on (for missing-file errors)."""

    src: str
    alt: str
    line: int
    token: Token = field(compare=False, repr=False)  # to give it its size (`sized`)


def sized(image: ImageRef, width: int, height: int, srcset: str | None = None) -> None:
    """Render `image` with its width and height, so a page keeps its layout while the
    picture loads (the stylesheet scales it down to fit), and with `srcset`, its smaller
    copies (see images)."""
    image.token.meta["size"] = (width, height)
    if srcset:
        image.token.meta["srcset"] = srcset


def figures_name(info: str) -> str | None:
    """The metric name of a fence info string `figures NAME`, '' if unnamed, else None."""
    word, _, rest = info.strip().partition(" ")
    return rest.strip() if word == FIGURES_INFO else None


def _render_fence(self, tokens: list[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    token = tokens[idx]
    if "box" in token.meta:
        return PLACEHOLDER.format(token.meta["box"]) + "\n"
    return self.fence(tokens, idx, options, env)


# A file an editor puts in the body with image syntax, by its extension: shown with the
# browser's own player, as GitLab's and Obsidian's Markdown do, not as a broken image.
_PLAYED = {
    **dict.fromkeys((".mp4", ".m4v", ".webm", ".ogv", ".mov"), "video"),
    **dict.fromkeys((".mp3", ".m4a", ".aac", ".oga", ".ogg", ".opus", ".wav", ".flac"), "audio"),
}


def media_kind(src: str) -> str:
    """'video', 'audio' or 'image': how a body shows the file at `src`."""
    path = urlsplit(src).path.lower()
    return _PLAYED.get(path[path.rfind(".") :], "image") if "." in path else "image"


def _player(kind: str, src: str, alt: str) -> str:
    """A video or audio player; its label is the alt text, and a browser that plays
    neither shows a link to the file instead."""
    label = html.escape(alt, quote=True)
    named = f' aria-label="{label}"' if alt else ""
    inline = " playsinline" if kind == "video" else ""  # not full screen on an iPhone
    fallback = f'<a href="{src}">{label or "Download the file"}</a>'
    return f'<{kind} src="{src}" controls preload="metadata"{inline}{named}>{fallback}</{kind}>'


def _render_image(self, tokens: list[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = html.escape(token.attrGet("src") or "", quote=True)
    if (kind := media_kind(src)) != "image":
        return _captioned(_player(kind, src, alt), token)
    size = token.meta.get("size")
    dimensions = f' width="{size[0]}" height="{size[1]}"' if size else ""
    if srcset := token.meta.get("srcset"):
        dimensions += f' srcset="{html.escape(srcset, quote=True)}" sizes="{SIZES}"'
    img = f'<img src="{src}" alt="{html.escape(alt, quote=True)}"{dimensions} loading="lazy">'
    return _captioned(img, token)


def _captioned(shown: str, token: Token) -> str:
    """`shown` in a figure with its caption and credit, when it stands alone in its
    paragraph with a title (see `_figures_and_headings`)."""
    if not token.meta.get("figure"):
        return shown
    title = str(token.attrGet("title") or "")
    caption, _, credit = title.rpartition("|") if "|" in title else (title, "", "")
    caption_html = html.escape(caption.strip())
    if credit.strip():
        caption_html += f' <span class="credit">{html.escape(credit.strip())}</span>'
    return f'<figure class="photo">{shown}<figcaption>{caption_html}</figcaption></figure>\n'


def _figures_and_headings(state) -> None:  # type: ignore[no-untyped-def]
    """Core rule: captioned images become figures; body headings move below the headline."""
    tokens: list[Token] = state.tokens
    for i, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + _HEADING_SHIFT, 6)
            token.tag = f"h{level}"
        if token.type != "inline" or i == 0 or tokens[i - 1].type != "paragraph_open":
            continue
        children = [
            c for c in token.children or [] if not (c.type == "text" and not c.content.strip())
        ]
        if len(children) == 1 and children[0].type == "image" and children[0].attrGet("title"):
            children[0].meta["figure"] = True
            tokens[i - 1].hidden = True
            tokens[i + 1].hidden = True


def make_parser(allow_html: bool = False) -> MarkdownIt:
    """The one parser configuration; build it once and reuse it (it is costly to make).

    Raw HTML stays escaped text unless the site allows it; then `render` sanitizes it.
    """
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = is_safe_url
    normalize = md.normalizeLink  # mdurl's parse, encode and format: a big part of reading
    md.normalizeLink = lambda url: url if PLAIN_WEB_URL.fullmatch(url) else normalize(url)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("image", _render_image)
    md.core.ruler.push("dateline_figures", _figures_and_headings)
    return md


def _inline(tokens: list[Token], first_line: int, kind: str) -> Iterator[tuple[Token, int]]:
    """Every inline token of type `kind` (an image, a link), with its file line."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = first_line + (token.map[0] if token.map else 0)
        for child in token.children:
            if child.type == kind:
                yield child, line


def images(tokens: list[Token], first_line: int) -> Iterator[ImageRef]:
    """Every image in parsed tokens, with its file line."""
    for child, line in _inline(tokens, first_line, "image"):
        alt = "".join(c.content for c in child.children or [])
        yield ImageRef(str(child.attrGet("src") or ""), alt, line, child)


def markdown_file_links(tokens: list[Token], first_line: int) -> Iterator[tuple[Token, int]]:
    """Every link to a Markdown file by a relative path (`0715-kharkiv.md`), with its
    file line: what an editor writes to link an entry, as in their editor or on GitHub."""
    for child, line in _inline(tokens, first_line, "link_open"):
        href = str(child.attrGet("href") or "")
        if ".md" not in href.lower():  # most links: no need to parse them
            continue
        parts = urlsplit(href)
        if parts.path.lower().endswith(".md") and not (
            parts.scheme or parts.netloc or href.startswith("/")
        ):
            yield child, line


def render(md: MarkdownIt, tokens: list[Token]) -> str:
    """Render parsed tokens; with raw HTML allowed, through the sanitizer.

    The sanitizer strips comments, so it cleans the stretches between figure boxes and
    the box placeholders are put back between them: no raw HTML can forge a box.
    """
    if not md.options["html"]:
        return md.renderer.render(tokens, md.options, {})
    parts: list[str] = []
    chunk: list[Token] = []
    for token in tokens:
        if token.type == "fence" and "box" in token.meta:
            parts.append(clean(md.renderer.render(chunk, md.options, {})))
            parts.append(PLACEHOLDER.format(token.meta["box"]) + "\n")
            chunk = []
        else:
            chunk.append(token)
    parts.append(clean(md.renderer.render(chunk, md.options, {})))
    return "".join(parts)
