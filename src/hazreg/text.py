"""Free text as every record keeps it: trimmed, NFC, and None when blank (no Pydantic here:
the commands that only clean a note or a name need not load it)."""

from __future__ import annotations

import unicodedata
from typing import Any


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        # Most text is already NFC; checking is far cheaper than normalising every cell.
        if not value.isascii() and not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
    return value


def clean_text(value: str | None) -> str | None:
    """Free text as every record keeps it: trimmed, NFC, and None when blank."""
    return blank_to_none(value)  # type: ignore[no-any-return]
