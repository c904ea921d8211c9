"""Money is exact: stored as integer fen (分), typed and shown as yuan with two decimals."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from hazreg.errors import InvalidInput

_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|万元|元)?")


def parse_yuan(value: str | int | Decimal, field: str = "funds") -> Decimal:
    """'12000', '12,000.50', '1.2万', '3000元' -> Decimal yuan; never a float."""
    if isinstance(value, float):
        value = repr(value)  # only from spreadsheets; repr keeps what was typed
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("¥", "")
    m = _AMOUNT.fullmatch(text)
    if not m:
        raise InvalidInput("err.money", field, value=value)
    try:
        amount = Decimal(m[1]) * (10000 if m[2] in ("万", "万元") else 1)
    except InvalidOperation:
        raise InvalidInput("err.money", field, value=value) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput("err.money_cents", field, value=value)
    return amount.quantize(Decimal("0.01"))


def to_fen(yuan: Decimal) -> int:
    return int(yuan * 100)


def from_fen(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))
