"""`export history` as CSV is made by SQLite: each entry's whole CSV line, quoted as csv.writer
quotes it, with before and after written from their stored JSON text by the formatter's own rule.

The file must be byte for byte what the Python formatter (`write_csv` of `history_record`s, still
used for JSON, JSONL and XLSX and by any store without `history_lines`) writes from the same
entries: in both languages, with every window, and whatever another tool left in a history row
(JSON written otherwise: keys out of order, other spacing, escapes, numbers, lists, text, nested
objects, duplicate keys; formula signs, quotes, line ends and NUL in any text).
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import NOW, Cli
from hazreg.cli.exports import history_lines
from hazreg.demo import build_demo
from hazreg.i18n import set_lang
from hazreg.register import open_register
from hazreg.render.export import csv_field, write_csv, write_lines
from hazreg.render.records import HISTORY_COLUMNS, history_record
from hazreg.storage.sqlite.exports import ExportQueries

# The tests name their register themselves (a SQLite file: the lines are SQLite's).
pytestmark = pytest.mark.own_addresses

# Stored before/after texts hazreg's writers never make, each of which the formatter rewrites or
# keeps in its own way; and texts a spreadsheet would run or CSV must quote.
ODD_JSON = [
    '{"b": 1, "a": 2}', '{"a":1}', '{"a": 1.0E5}', '{"a": 1.50}', '{"a": -0}', '{"a": "\\u4e2d\\/"}',
    '{"a": 1, "a": 2}', '{"10": 1, "9": 2}', '{"a": {"b": [1, {"c": null}]}}', '{"a": NaN}', '{"a": Infinity}',
    '{"a": 123456789012345678901234567890}', '{"a": [1, "=x", true]}', '{}', ' {"a": 1}', '{"a": 1} ',
    '[1, "=x"]', '["=SUM(A1)", "b"]', '"=x"', '"plain"', "5", "-5", "1.5", "true", "false", "null", "",
    '{"a": "say \\"hi\\", twice\\n"}', '{"a": "\\u0000 nul"}', '{"é": 1, "e": 2, "z": 3, "中": 4, "😀": 5}',
    '{"a": "\u2028"}', '{"a": 1e400}',
]
ODD_TEXT = ["=SUM(A1)", "+1", "-5", "@x", "\tx", "\rx", "＝1", "'=x", "a,b", 'say "hi"', "line\nbreak", "x\r\ny",
            "nul\x00inside", "", None, 7]


def _odd_history(path: Path) -> None:
    """The demo register, then history rows another tool wrote (the chain does not matter here)."""
    build_demo(path, "tester").store.close()
    conn = sqlite3.connect(path)
    (top,) = conn.execute("SELECT max(seq) FROM history").fetchone()
    kinds = ["hazard", "unit", "inspection", "draw", "campaign", "accident", "leader", "settings", "=odd", None]
    rows = []
    for n, text in enumerate(ODD_JSON + ODD_TEXT):
        before = text if n < len(ODD_JSON) else None
        after = ODD_JSON[(n * 5) % len(ODD_JSON)]
        operator = ODD_TEXT[n % len(ODD_TEXT)]
        note = ODD_TEXT[(n * 3) % len(ODD_TEXT)]
        at = f"2026-11-{10 + n % 18:02d}T01:02:03.000000Z"
        rows.append((top + 1 + n, at, operator if operator is not None else "x", kinds[n % len(kinds)] or "hazard",
                     n if n % 4 else -n, "=edit" if n % 7 == 0 else "edit", before, after, note, at))
    conn.executemany("INSERT INTO history (seq, at, operator, record_type, record_id, action, before, after, note,"
                     " effective_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "register.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HAZREG_NOW", NOW)
        env.setenv("HAZREG_OPERATOR", "tester")
        _odd_history(path)
    return path


def _both(cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str) -> tuple[bytes, bytes]:
    """(SQLite's lines, the Python formatter's file) for one command line (to stdout and to a file)."""
    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    stdout = cli(*args).stdout_bytes
    cli(*args, "-o", str(new))
    with monkeypatch.context() as m:
        m.delattr(ExportQueries, "history_lines")
        cli(*args, "-o", str(old))
    assert new.read_bytes() == stdout
    return new.read_bytes(), old.read_bytes()


OPTIONS = [[], ["--since", "2026-11-15"], ["--until", "2026-11-15"], ["--since", "2026-11-12", "--until", "2026-11-20"],
           ["--week", "2026-W47"], ["--by", "tester"], ["--by", "=SUM(A1)"], ["--by", "无此人"], ["--bom"]]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: " ".join(o) or "all")
def test_history_csv_from_sql_is_byte_identical(odd, cli, monkeypatch, tmp_path, lang, options):
    monkeypatch.setenv("HAZREG_DB", str(odd))
    new, old = _both(cli, monkeypatch, tmp_path, "--lang", lang, "export", "history", *options)
    assert new == old
    if not options:
        text = new.decode("utf-8")
        assert text.count("\r\n") > 200
        assert '"{""a"": 2, ""b"": 1}"' in text  # keys put in order, as the formatter writes them
        assert "nul\x00inside" in text and '"say ""hi"""' in text and ",H3," in text and ",U1," in text
        assert ("'=SUM(A1)" if lang == "zh" else "=SUM(A1)、b") in text


def test_the_formatter_is_used_where_the_store_makes_no_lines(odd, cli, monkeypatch, tmp_path):
    """A database whose text is not UTF-8 (the store says None): the Python formatter writes."""
    monkeypatch.setenv("HAZREG_DB", str(odd))
    expected = cli("export", "history").stdout_bytes
    monkeypatch.setattr(ExportQueries, "history_lines", lambda self, *args: None)
    assert cli("export", "history").stdout_bytes == expected


def _three_ways(reg: Any, window: tuple[str, str] | None = None) -> tuple[str, str]:
    lines, python = io.StringIO(), io.StringIO()
    written = write_lines(history_lines(reg, window, None), HISTORY_COLUMNS, lines)
    assert written == write_csv((history_record(e) for e in reg.iter_history(window)), HISTORY_COLUMNS, python)
    return lines.getvalue(), python.getvalue()


# Any JSON value written any way (hazreg's way, compact, ASCII-escaped, keys unsorted), and any
# text: formula signs, quotes, separators, line ends, NUL, U+2028, emoji, long text.
_PIECES = ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "'", '"', ",", ".", "5", "e", " ", "＝", "＋", "－", "＠",
           "中", "a", "0", "\x00", "\u2028", "😀", "\x1f", "\\", "x" * 3000]
_TEXT = st.lists(st.sampled_from(_PIECES) | st.characters(codec="utf-8", exclude_categories=("Cs",)),
                 max_size=8).map("".join)
_SCALAR = st.none() | st.booleans() | st.integers() | st.floats() | _TEXT
_VALUE = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=4),
                      max_leaves=8)
_STYLES: list[dict[str, Any]] = [
    {"ensure_ascii": False, "sort_keys": True}, {"ensure_ascii": False}, {"separators": (",", ":")},
    {"ensure_ascii": True, "sort_keys": True}, {"ensure_ascii": False, "sort_keys": True, "indent": 1}]
_STORED = st.none() | st.just("") | st.builds(lambda v, style: json.dumps(v, **style), _VALUE, st.sampled_from(_STYLES))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=_STORED, after=_STORED, operator=_TEXT, note=st.none() | _TEXT,
       record_type=st.sampled_from(["hazard", "unit", "settings", "accident"]) | _TEXT,
       record_id=st.integers(min_value=-(2**63), max_value=2**63 - 1), lang=st.sampled_from(["en", "zh"]))
# A NUL written \u0000 in the JSON text: the decoded cell holds it, and printf would end it there.
@example(before=None, after=json.dumps("\x00"), operator="", note=None, record_type="hazard", record_id=0, lang="en")
def test_any_entry_is_written_as_the_python_formatter_does(odd, tmp_path, before, after, operator, note, record_type,
                                                          record_id, lang):
    copy = tmp_path / "any.db"
    if not copy.exists():
        copy.write_bytes(odd.read_bytes())
    conn = sqlite3.connect(copy)
    conn.execute("DELETE FROM history WHERE seq > 3")
    conn.execute("UPDATE history SET before = ?, after = ?, operator = ?, note = ?, record_type = ?, record_id = ?"
                 " WHERE seq = 2", (before, after, operator, note, record_type, record_id))
    conn.commit()
    conn.close()
    reg = open_register(copy, write=False)
    try:
        set_lang(lang)
        lines, python = _three_ways(reg)
        assert lines == python
    finally:
        set_lang("en")
        reg.store.close()


@pytest.mark.parametrize("batch", [1, 2, 7, 2000])
def test_lines_are_the_same_whatever_the_batch(odd, monkeypatch, batch):
    from hazreg.storage.sqlite import exports

    monkeypatch.setattr(exports, "BATCH", batch)
    reg = open_register(odd, write=False)
    try:
        lines, python = _three_ways(reg)
        assert lines == python and lines.count("\r\n") > 200
    finally:
        reg.store.close()


@given(cell=st.none() | _TEXT | st.integers())
def test_a_field_is_quoted_as_csv_writer_quotes_it(cell):
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(["x", cell])
    assert out.getvalue() == "x," + csv_field(cell) + "\r\n"
