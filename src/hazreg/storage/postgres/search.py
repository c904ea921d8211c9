"""Chinese search on PostgreSQL, as exact as SQLite's (hazreg.search), and indexed.

A hazard's row of `hazard_search` keeps three forms of the same text:
- `text`: the index text SQLite's FTS5 row holds (hazreg.search.index_text), which `check`
  compares with the hazard;
- `words`: the normalised runs of it (NFKC, casefolded), one per word, separated by spaces
  (灭火器过期 3号库房 -> "灭火器过期 3 号库房");
- `pairs`: the distinct pairs of neighbouring characters of its non-ASCII runs, GIN-indexed.

A query term of two or more characters (消防) asks the GIN index for rows holding all its pairs
(`pairs @> …`), then checks that the term stands inside one word (`strpos`): a match is exactly
"the term is in the normalised text", as with SQLite's phrase of pairs. A single character is
found inside a word by scan; an ASCII word (GB, 35181) as the start of a word, as SQLite's
prefix query finds it.
"""

from __future__ import annotations

from typing import Any

from hazreg.search import _runs


def _words_and_pairs(text: str) -> tuple[str, list[str]]:
    """The words and distinct pairs behind an index text ("灭火 火器 器 gb" -> "灭火器 gb")."""
    words: list[str] = []
    pairs: list[str] = []
    run = ""
    for token in text.split():
        if token.isascii():
            words.append(token)
        elif len(token) == 2:  # a pair: its first character begins or continues a run
            run += token[0]
            pairs.append(token)
        else:  # a run's last character closes it
            words.append(run + token)
            run = ""
    return " ".join(words), sorted(set(pairs))


def index_row(hazard_id: int, text: str) -> tuple[int, str, str, list[str]]:
    """The `hazard_search` row (id, text, words, pairs) of a hazard whose index text is `text`."""
    words, pairs = _words_and_pairs(text)
    return hazard_id, text, words, pairs


def search_condition(query: str, params: dict[str, Any], alias: str = "s") -> str | None:
    """A WHERE condition on `hazard_search` (as `alias`) finding every term of `query`, with its
    parameters added to `params` (psycopg named style); None if the query has no terms."""
    clauses: list[str] = []
    for cjk, run in _runs(query):
        name = f"q{len(params)}"
        if cjk and len(run) > 1:
            params[name] = run
            params[name + "p"] = sorted({run[i : i + 2] for i in range(len(run) - 1)})
            clauses.append(f"{alias}.pairs @> %({name}p)s::text[] AND strpos({alias}.words, %({name})s) > 0")
        elif cjk:
            params[name] = run
            clauses.append(f"strpos({alias}.words, %({name})s) > 0")
        else:
            params[name] = " " + run
            clauses.append(f"strpos(' ' || {alias}.words, %({name})s) > 0")
    return " AND ".join(clauses) or None
