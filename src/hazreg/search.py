"""Full-text search over Chinese text written without spaces.

SQLite's tokenizers split on spaces, which Chinese does not have, and the trigram
tokenizer cannot find two-character words such as 消防. So text is indexed as
overlapping character pairs (灭火器过期 -> 灭火 火器 器过 过期, plus the run's last
character alone), and a query becomes a phrase of the same pairs: a word of two or
more characters matches wherever it stands, using the FTS5 index, never a scan.
Latin words and numbers are indexed whole and matched as prefixes (GB, 35181).
"""

from __future__ import annotations

import re
import unicodedata
from itertools import groupby

# CJK ideographs (with extensions and compatibility forms), kana and hangul. Plain
# ranges rather than a regex character class: compiling that class took longer than
# everything else `hazreg add` imports from hazreg.
_CJK_RANGES = (
    (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)
_WORDS = re.compile(r"[^\W_]+")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _runs(text: str) -> list[tuple[bool, str]]:
    # Within a word, CJK runs and everything else (Latin, digits) are separate terms, so
    # "3号库房" is the number 3 and the Chinese 号库房, not one token no query can find.
    text = unicodedata.normalize("NFKC", text).casefold()
    return [
        (cjk, "".join(run))
        for word in _WORDS.findall(text)
        for cjk, run in groupby(word, _is_cjk)
    ]


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def index_text(*parts: str | None) -> str:
    """The text stored in the search index for a record made of `parts`."""
    tokens: list[str] = []
    for part in parts:
        for cjk, run in _runs(part or ""):
            tokens.extend(_pairs(run) if cjk else [run])
    return " ".join(tokens)


def match_query(query: str) -> str | None:
    """An FTS5 MATCH expression finding every term of `query`; None if it has no terms."""
    clauses: list[str] = []
    for cjk, run in _runs(query):
        if cjk and len(run) > 1:
            clauses.append('"' + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + '"')
        else:
            clauses.append(f'"{run}"*')
    return " AND ".join(clauses) or None
