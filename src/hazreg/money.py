"""Money is exact: stored as integer fen (分), typed and shown as yuan with two decimals."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation, localcontext

from hazreg.errors import InvalidInput

_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|万元|元)?", re.ASCII)
# Fen are stored in an SQLite INTEGER (64-bit signed); no larger amount can be kept.
MAX_FEN = 2**63 - 1
_CENT = Decimal("0.01")


def parse_yuan(value: str | int | Decimal, field: str = "funds") -> Decimal:
    """'12000', '12,000.50', '1.2万', '3000元' -> Decimal yuan; never a float."""
    if isinstance(value, float):
        value = repr(value)  # only from spreadsheets; repr keeps what was typed
    if isinstance(value, Decimal) and value.is_finite():
        text = format(value, "f")  # Decimal('1E+3') is 1000, not text with an exponent
    else:
        text = str(value)
    text = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("¥", "")
    m = _AMOUNT.fullmatch(text)
    if not m:
        raise InvalidInput("err.money", field, value=value)
    # Enough precision that nothing typed is ever rounded before the checks below.
    with localcontext() as ctx:
        ctx.prec = len(m[1]) + 10
        try:
            amount = Decimal(m[1]) * (10000 if m[2] in ("万", "万元") else 1)
            cents = amount.quantize(_CENT)
        except InvalidOperation:
            raise InvalidInput("err.money", field, value=value) from None
        if amount != cents:
            raise InvalidInput("err.money_cents", field, value=value)
        if cents * 100 > MAX_FEN:
            raise InvalidInput("err.money", field, value=value)
    return cents


_BARE_AMOUNT = re.compile(r"¥?\s*[\d,]+(?:\.\d+)?", re.ASCII)


def as_wan(text: str) -> str:
    """A cell of a column headed in 万元: a bare number is read in 万元, a cell naming its unit keeps it."""
    return text.strip() + "万" if _BARE_AMOUNT.fullmatch(unicodedata.normalize("NFKC", text).strip()) else text


def to_fen(yuan: Decimal) -> int:
    """Whole fen for an amount in yuan; exact, never via a float."""
    with localcontext() as ctx:
        ctx.prec = 60
        fen = Decimal(yuan) * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{yuan!r} is not a whole number of fen")
    return int(fen)


def from_fen(fen: int | None) -> Decimal | None:
    if fen is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        return (Decimal(fen) / 100).quantize(_CENT)


def to_wan(yuan: Decimal | str | int) -> str:
    """An amount in yuan as 万元, exactly: 12000.50 -> '1.20005' (forms head funds 治理资金（万元）)."""
    with localcontext() as ctx:
        ctx.prec = 60
        text = format(Decimal(yuan) / 10000, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
