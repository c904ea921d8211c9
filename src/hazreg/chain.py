"""The history's hash chain: each entry's hash covers its content and the hash before it.

Editing, deleting, inserting or reordering any entry with another tool changes that
entry's hash or breaks the link after it, from that point on; `hazreg check` finds
the first such entry, and an anchor (the head's count and hash, written down or sent
upward) proves nothing up to it has changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

GENESIS = "0" * 64
# The columns an entry's hash covers, in this order; before/after as the stored JSON text.
FIELDS = ("seq", "at", "operator", "record_type", "record_id", "action", "before", "after", "note")
# json.dumps(…, ensure_ascii=False, separators=(",", ":")) without building an encoder per call:
# the same text, byte for byte (`check` hashes every entry of the history).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_sha256 = hashlib.sha256
_string = json.encoder.encode_basestring  # what that encoder writes a str as (the C function)


def _json_list(values: Sequence[Any]) -> str:
    """_encode(list(values)), byte for byte, faster for what history rows hold (str, int, None):
    each str written by the encoder's own string function, anything else by the encoder."""
    return "[" + ",".join([_string(v) if v.__class__ is str else "null" if v is None
                           else int.__repr__(v) if v.__class__ is int else _encode(v) for v in values]) + "]"


def entry_text(prev: str, values: Sequence[Any], effective_at: str | None = None) -> bytes:
    """The bytes an entry's hash covers: the JSON list of `prev`, `values` (in FIELDS order) and,
    when it differs from the write time `at`, `effective_at`.

    `effective_at` is the moment the change took effect (the date an officer gave, or a
    ledger's date); it is hashed only when it differs from the write time `at`, so
    entries written before it existed, and ordinary ones since, hash as they always
    did, while changing it on any entry changes that entry's hash."""
    extra = [effective_at] if effective_at is not None and effective_at != values[1] else []
    return _json_list([prev, *values, *extra]).encode("utf-8")


def entry_hash(prev: str, values: Sequence[Any], effective_at: str | None = None) -> str:
    """The hash of one history entry (`values` in FIELDS order) chained to `prev`."""
    return _sha256(entry_text(prev, values, effective_at)).hexdigest()


def texts_of(rows: Iterable[Sequence[Any]]) -> Iterator[tuple[Any, str | None, str | None, bytes]]:
    """(seq, link, hash, the bytes its hash covers) of chain rows as `Store.chain_rows` gives
    them, the bytes written here (by this module's own encoder) over the link the entry names."""
    width = len(FIELDS)
    for row in rows:
        values, (effective, link, digest) = row[:width], row[width:]
        yield values[0], link, digest, entry_text(link, values, effective)
