"""Slugs: the identities that permalinks and metric histories hang on.

The rule is the content contract's: lowercase, apostrophes dropped, letters and digits of
any script kept, every other run of characters one `-`. It must never change, or
published permalinks and metric histories would move.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_APOSTROPHES = re.compile("['\u2019\u02bc]")
_NOT_ALNUM = re.compile(r"[^\w]+|_+")


@functools.lru_cache(maxsize=16384)
def slugify(text: str) -> str:
    """Return the contract's slug of `text` ('' when nothing is left).

    Cached: every page slugifies the same few tag names again."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _APOSTROPHES.sub("", text)
    return _NOT_ALNUM.sub("-", text).strip("-")
