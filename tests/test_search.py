"""Full-text search over unspaced Chinese, run against a real SQLite FTS5 table."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hazreg.search import index_text, index_texts, match_query

ALPHABET = "消防灭火器安全通道堵"  # ten CJK characters, so random substrings often occur


class Index:
    """An in-memory FTS5 table created exactly as the project's migration creates it."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE hazard_search USING fts5(text, tokenize='unicode61')")

    def add(self, rowid: int, *parts: str | None) -> None:
        self.db.execute("INSERT INTO hazard_search (rowid, text) VALUES (?, ?)", (rowid, index_text(*parts)))

    def find(self, query: str) -> set[int]:
        match = match_query(query)
        assert match is not None, f"{query!r} has no search terms"
        rows = self.db.execute("SELECT rowid FROM hazard_search WHERE hazard_search MATCH ?", (match,))
        return {r[0] for r in rows}

    def clear(self) -> None:
        self.db.execute("DELETE FROM hazard_search")


@pytest.fixture
def index() -> Iterator[Index]:
    idx = Index()
    yield idx
    idx.db.close()


def test_words_inside_unspaced_chinese(index: Index) -> None:
    index.add(1, "仓库东侧灭火器过期未更换", "临江市宏达化工有限公司")
    index.add(2, "消防通道被杂物堵塞", "青山镇顺发五金厂")
    index.add(3, "配电箱未接地")
    assert index.find("消防") == {2}  # two characters
    assert index.find("灭火器") == {1}  # three characters
    assert index.find("灭火器过期") == {1}
    assert index.find("宏达化工") == {1}  # in the unit name, a second part
    assert index.find("通道") == {2}
    assert index.find("火灭") == set()  # the characters are there, but not in this order
    assert index.find("器灭") == set()
    assert index.find("消防器") == set()
    assert index.find("配电箱接地") == set()  # not a substring: 未 stands between


def test_single_characters(index: Index) -> None:
    index.add(1, "灭火器过期")
    index.add(2, "消防通道堵塞")
    assert index.find("火") == {1}
    assert index.find("期") == {1}  # the last character of a run
    assert index.find("塞") == {2}
    assert index.find("道") == {2}
    assert index.find("水") == set()


def test_latin_words_and_numbers_match_as_prefixes(index: Index) -> None:
    index.add(1, "不符合GB 35181-2017要求")
    index.add(2, "3号库房灭火器过期")  # a number stuck to Chinese
    index.add(3, "LNG储罐区 gb50016")
    assert index.find("GB") == {1, 3}
    assert index.find("gb") == {1, 3}
    assert index.find("3518") == {1}
    assert index.find("35181") == {1}
    assert index.find("351810") == set()
    assert index.find("3") == {1, 2}  # prefix of 35181 and the number 3
    assert index.find("灭火器") == {2}
    assert index.find("号库房") == {2}
    assert index.find("lng") == {3}
    assert index.find("储罐") == {3}
    assert index.find("GB50016") == {3}
    assert index.find("GB35181") == set()  # a space stands between in the text


def test_latin_glued_to_chinese_is_split(index: Index) -> None:
    index.add(1, "LNG储罐区")
    index.add(2, "储罐区LNG泄漏")
    assert index.find("储罐") == {1, 2}
    assert index.find("LNG") == {1, 2}
    assert index.find("LNG储罐") == {1, 2}  # both terms, ANDed
    assert index.find("泄漏") == {2}


def test_several_terms_are_anded(index: Index) -> None:
    index.add(1, "灭火器过期", "宏达化工")
    index.add(2, "灭火器缺失", "顺发五金")
    index.add(3, "消防通道堵塞", "宏达化工")
    assert index.find("灭火器 宏达") == {1}
    assert index.find("宏达 灭火器") == {1}
    assert index.find("灭火器，宏达") == {1}  # Chinese punctuation separates terms too
    assert index.find("灭火器 五金") == {2}
    assert index.find("宏达") == {1, 3}
    assert index.find("灭火器 消防") == set()


def test_full_width_and_case_are_folded(index: Index) -> None:
    index.add(1, "ＧＢ３５１８１ 消防")
    assert index.find("gb35181") == {1}
    assert index.find("GB３５") == {1}


def test_fts_syntax_in_queries_is_just_text(index: Index) -> None:
    index.add(1, "AND OR NOT NEAR 消防")
    index.add(2, "灭火器")
    assert index.find("NOT") == {1}
    assert index.find('"消防" OR NEAR') == {1}  # OR and NEAR are words to look for, not operators
    assert index.find("消防 OR 灭火器") == set()  # so this asks for all three
    assert index.find("灭火器*") == {2}


@pytest.mark.parametrize("query", ["", "   ", "，。！？", "---", "* \" ( ) :", "、；“”"])
def test_punctuation_only_queries_have_no_terms(query: str) -> None:
    assert match_query(query) is None


def test_empty_parts_are_indexed_as_nothing() -> None:
    assert index_text(None, "", "  ，") == ""


texts = st.text(alphabet=ALPHABET, min_size=0, max_size=12)


@settings(max_examples=300)
@given(st.lists(texts, min_size=1, max_size=6), st.data())
def test_fts_finds_exactly_the_texts_containing_the_substring(docs: list[str], data) -> None:
    """FTS5 agrees with Python's `in` for any substring, across several texts in one table."""
    source = data.draw(st.sampled_from(docs + [data.draw(st.text(alphabet=ALPHABET, min_size=1, max_size=6))]))
    if not source:
        source = data.draw(st.text(alphabet=ALPHABET, min_size=1, max_size=4))
    start = data.draw(st.integers(0, len(source) - 1))
    end = data.draw(st.integers(start + 1, len(source)))
    needle = source[start:end]
    idx = Index()
    try:
        for rowid, doc in enumerate(docs, start=1):
            idx.add(rowid, doc)
        expected = {rowid for rowid, doc in enumerate(docs, start=1) if needle in doc}
        assert idx.find(needle) == expected
    finally:
        idx.db.close()


@settings(max_examples=200)
@given(st.lists(st.lists(texts, min_size=1, max_size=3), min_size=1, max_size=5),
       st.text(alphabet=ALPHABET, min_size=1, max_size=4))
def test_words_never_match_across_parts_or_punctuation(records: list[list[str]], needle: str) -> None:
    """A record made of several parts matches only where one part contains the word."""
    idx = Index()
    try:
        for rowid, parts in enumerate(records, start=1):
            idx.add(rowid, *parts)
        expected = {rowid for rowid, parts in enumerate(records, start=1) if any(needle in p for p in parts)}
        assert idx.find(needle) == expected
    finally:
        idx.db.close()


# What a register's descriptions and names hold: Chinese, full-width and ASCII letters and
# digits, punctuation of both widths, spaces, a combining accent (NFKC composes it), a
# ligature (NFKC splits it), and nothing at all.
_PART = st.one_of(st.none(), st.text(alphabet="灭火器过期消防通道ＡＢａｂAbz09０９，。、 ,.-e\u0301ﬁ", max_size=10),
                  st.text(alphabet="火器Ａa，e\u0301", max_size=4))  # short ones: the same and alike often


@settings(max_examples=300)
@given(st.lists(st.lists(_PART, min_size=1, max_size=3), min_size=1, max_size=12), st.integers(1, 4))
def test_remembered_index_texts_are_index_texts(calls: list[list[str | None]], limit: int) -> None:
    """`check` works out each part's index text once and remembers it (bounded by `limit`):
    call after call, with parts repeated, forgotten and worked out again, it gives exactly
    what index_text gives for the same parts."""
    text_of = index_texts(limit)
    for parts in calls * 2:  # every part met again, some of them after the memory was emptied
        assert text_of(*parts) == index_text(*parts)
