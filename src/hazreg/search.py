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
from collections.abc import Callable
from operator import add

# Runs of letters outside ASCII (Chinese, and any other script) are indexed as pairs;
# runs of ASCII letters and digits as whole words. After NFKC, full-width Latin and
# digits are ASCII. (This class compiles in a tenth of a millisecond; one listing
# every CJK block took longer to compile than the rest of `hazreg add` takes to import.)
_RUNS = re.compile(r"([^\W\d_a-zA-Z]+)|([\da-zA-Z]+)")


def nfc(text: str) -> str:
    """A name as the register keeps it (Unicode NFC): what a lookup compares, so "é" typed as
    e and a combining accent (NFD, as macOS and some input methods give it) finds the same."""
    return text if text.isascii() or unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _runs(text: str) -> list[tuple[bool, str]]:
    # "3号库房" is the number 3 and the Chinese 号库房, not one token no query can find.
    text = unicodedata.normalize("NFKC", text).casefold()
    return [(bool(cjk), cjk or word) for cjk, word in _RUNS.findall(text)]


def index_text(*parts: str | None) -> str:
    """The text stored in the search index for a record made of `parts`."""
    tokens: list[str] = []
    for part in parts:
        if not part:
            continue
        for cjk, word in _RUNS.findall(unicodedata.normalize("NFKC", part).casefold()):
            if cjk:
                tokens += map(add, cjk, cjk[1:])  # every pair of neighbouring characters
                tokens.append(cjk[-1])
            else:
                tokens.append(word)
    return " ".join(tokens)


# How many parts' index texts index_texts remembers at most (about 12 MB of descriptions and names).
REMEMBERED = 50_000


def index_texts(limit: int | None = None) -> Callable[..., str]:
    """index_text(*parts), each part's own text worked out once and remembered while the same
    text comes again (`check` reads every hazard: descriptions in a district's register repeat
    standard wordings, and a unit's name comes with each of its hazards). index_text of several
    parts is their own texts joined by a space, an empty one left out. At most `limit` texts
    (REMEMBERED) are remembered: then the memory is emptied and starts again."""
    limit = REMEMBERED if limit is None else limit
    memo: dict[str, str] = {}

    def text(*parts: str | None) -> str:
        texts: list[str] = []
        for part in parts:
            if not part:
                continue
            own = memo.get(part)
            if own is None:
                own = index_text(part)
                if len(memo) >= limit:
                    memo.clear()
                memo[part] = own
            if own:
                texts.append(own)
        return " ".join(texts)

    return text


def match_query(query: str) -> str | None:
    """An FTS5 MATCH expression finding every term of `query`; None if it has no terms."""
    clauses: list[str] = []
    for cjk, run in _runs(query):
        if cjk and len(run) > 1:
            clauses.append('"' + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + '"')
        else:
            clauses.append(f'"{run}"*')
    return " AND ".join(clauses) or None
