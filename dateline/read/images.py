"""Smaller copies of a story's photos, offered with `srcset` so a browser fetches one
sized for its screen.

A newsroom photo comes off the camera or the wire at 3,000-6,000 pixels and several
megabytes; the column is 640 CSS pixels. Shown as it is, a phone on a slow network spends
seconds on pixels it throws away. Each local JPEG, PNG or WebP still wider than a copy is
also written at the widths below, beside the original (`smoke.jpg`, `smoke.480w.jpg`),
and the page lists them; the original stays the largest choice and what feeds, social
cards and readers who open the image get. Animated images keep their motion (no
copies), SVGs have no pixels to spare.

Pillow is imported only when a build shows such a photo.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image as Picture

# One, two and three times a phone's column, and a desktop column at two.
WIDTHS = (480, 800, 1280)
# What the theme's column gives an image: 40rem at most, less the page's margins below.
SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"
_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
_LARGEST = 89_000_000  # pixels: under Pillow's decompression-bomb warning; larger gets no copies
_SPARE = 0.9  # a copy must save at least a tenth of the width to be worth a file


def copy_name(name: str, width: int) -> str:
    """The file name of the copy of `name` that is `width` pixels wide."""
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{width}w.{suffix}"


def copy_widths(path: Path, width: int, height: int) -> tuple[int, ...]:
    """The widths to copy the photo at `path` to (`width` x `height` as shown), or ()
    when it gets none: not a still JPEG, PNG or WebP, too small, too large to decode, or
    a copy's name already taken by a file of the story's own."""
    if path.suffix.lower() not in _FORMATS or width * height > _LARGEST:
        return ()
    widths = tuple(w for w in WIDTHS if w <= width * _SPARE)
    # A JPEG never moves in a browser; Pillow calls a phone's JPEG with a depth map or
    # preview inside (MPO) "animated", which would cost it its copies.
    still = _FORMATS[path.suffix.lower()] == "JPEG"
    if not widths or (not still and _animated(path)):
        return ()
    if any(path.with_name(copy_name(path.name, w)).exists() for w in widths):
        return ()
    return widths


def _animated(path: Path) -> bool:
    """Whether the image has frames (an APNG or animated WebP); True if unreadable, so
    a file Pillow cannot open gets no copies."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return bool(getattr(image, "is_animated", False))
    except (OSError, ValueError, Image.DecompressionBombError):
        return True


def srcset(src: str, width: int, widths: tuple[int, ...]) -> str | None:
    """The `srcset` for an image written as `src` (`width` pixels wide) with copies at
    `widths`, or None when its address cannot carry one (a query, a fragment, or a
    space or comma, which a srcset reads as separators)."""
    if not widths or any(c in src for c in "?#, \t\n"):
        return None
    candidates = [f"{copy_name(src, w)} {w}w" for w in widths]
    return ", ".join([*candidates, f"{src} {width}w"])


def resized(source: Path, width: int) -> bytes:
    """The photo at `source` scaled to `width` pixels wide, in its own format, turned as
    its EXIF orientation says (the copy carries no EXIF: no camera data or location
    leaves in it) and keeping its colour profile.

    Rendering cannot fail on content: should a photo that opened when the entry was read
    not decode now (a truncated file), the copy is the original's bytes, which every
    browser shows as it would the original.
    """
    from PIL import Image, ImageOps

    try:
        with Image.open(source) as opened:
            kind = _FORMATS[source.suffix.lower()]  # as its name says (a phone's MPO: JPEG)
            profile = opened.info.get("icc_profile")
            turned = _turned(opened)
            if kind == "JPEG":  # decode at a fraction of the size (DCT scaling): far faster
                across, down = (opened.height, opened.width) if turned else opened.size
                wanted = (width, max(1, round(down * width / across)))
                opened.draft(None, wanted[::-1] if turned else wanted)
            upright = ImageOps.exif_transpose(opened)
            if upright.mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
                clear = "A" in upright.mode or "transparency" in upright.info
                upright = upright.convert("RGBA" if clear else "RGB")
            height = max(1, round(upright.height * width / upright.width))
            small = upright.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            return _encoded(small, kind, profile)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return source.read_bytes()


def _turned(image: Picture) -> bool:
    """Whether the image's EXIF orientation swaps its width and height."""
    return image.getexif().get(0x0112, 1) in (5, 6, 7, 8)


def _encoded(image: Picture, kind: str, profile: bytes | None) -> bytes:
    """`image` in format `kind`: JPEG and WebP at quality 80 (a news photo's copies
    look the same at a fraction of the bytes), PNG losslessly."""
    buffer = io.BytesIO()
    options: dict[str, object] = {"icc_profile": profile} if profile else {}
    if kind == "JPEG":
        if image.mode in ("LA", "RGBA"):
            image = image.convert("RGB")
        options |= {"quality": 80, "optimize": True, "progressive": True}
    elif kind == "WEBP":
        options |= {"quality": 80}
    image.save(buffer, kind, **options)
    return buffer.getvalue()
