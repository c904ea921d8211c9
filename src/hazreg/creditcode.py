"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: a registration-authority code, an organisation-type code, a 6-digit
administrative-division code, a 9-character organisation code with its own check
character (GB 11714), and a final check character over the first 17. The letters
I, O, S, V and Z are never used, so they cannot be confused with digits.
"""

from __future__ import annotations

import unicodedata

from hazreg.errors import InvalidInput

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise(text: str) -> str:
    """Trim, fold full-width characters to half-width (NFKC), upper-case, drop inner spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def check_character(first17: str) -> str:
    """The 18th character that GB 32100-2015 computes from the first 17."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate(text: str, field: str = "credit_code") -> str:
    """The normalised code, or InvalidInput saying which check failed."""
    code = normalise(text)
    if len(code) != 18:
        raise InvalidInput("err.code_length", field, value=text, length=len(code))
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise InvalidInput("err.code_chars", field, value=text, chars="".join(bad))
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidInput("err.code_check", field, value=text, found=code[17], expected=expected)
    return code
