"""The history's hash chain: each entry's hash covers its content and the hash before it.

Editing, deleting, inserting or reordering any entry with another tool changes that
entry's hash or breaks the link after it, from that point on; `hazreg check` finds
the first such entry, and an anchor (the head's count and hash, written down or sent
upward) proves nothing up to it has changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

GENESIS = "0" * 64
# The columns an entry's hash covers, in this order; before/after as the stored JSON text.
FIELDS = ("seq", "at", "operator", "record_type", "record_id", "action", "before", "after", "note")


def entry_hash(prev: str, values: Sequence[Any]) -> str:
    """The hash of one history entry (`values` in FIELDS order) chained to `prev`."""
    payload = json.dumps([prev, *values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
