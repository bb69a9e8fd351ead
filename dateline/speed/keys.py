"""Digests of what a page shows, for the build cache.

A page's key is a tuple of the frozen values it is rendered from. Pickled whole, it
would carry every entry on it, bodies and all, once per page and once per feed item;
entries are pickled as their `digest` instead, which the reader made from the file's
bytes and what they were read against, and a metric's claims as their entry's digest
and line.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import pickle

from dateline.model.metrics import Reported
from dateline.model.site import Entry


def _reduce_entry(entry: Entry) -> object:
    if entry.digest:
        return bytes, (entry.digest,)
    return entry.__reduce_ex__(5)


def _reduce_reported(reported: Reported) -> object:
    """A claim as its entry's digest and its line: the entry's bytes and settings decide
    it wholly. (A tracker's key holds every claim of its metric; pickled whole, each
    tracker and figures.json piece would pickle every claim in full on every rebuild.)"""
    if reported.entry.digest:
        return tuple, ((reported.entry.digest, reported.claim.line),)
    return reported.__reduce_ex__(5)


# A dispatch table rather than `persistent_id`: it is consulted only for objects that are
# not plain tuples, strings or numbers, so the rest of a key pickles at C speed.
_DISPATCH = copyreg.dispatch_table | {Entry: _reduce_entry, Reported: _reduce_reported}


def key_digest(key: object) -> bytes:
    """16 bytes that change whenever anything in `key` does."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(key)
    return hashlib.blake2b(buffer.getvalue(), digest_size=16).digest()
