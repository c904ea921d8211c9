"""CSV exports of hazards and units are formatted by SQLite and written straight from the cursor.

SQLite makes each row's whole line (`hazard_lines`, `unit_lines`, written by `write_lines`), or
each row's cells (`hazard_cells`, `unit_cells`, written by `write_cells`, the way of a database
whose text is not UTF-8). Both must be byte for byte what the Python formatter (`write_csv`,
still used for the other exports and by any store without SQL cells) writes from the same
records: in both languages, with every filter and window, on a register holding every kind of
awkward text.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOW, Cli
from hazreg.cli.exports import hazard_cells, hazard_lines, unit_cells, unit_lines
from hazreg.demo import build_demo
from hazreg.i18n import set_lang
from hazreg.register import HazardFilter, UnitFilter, open_register
from hazreg.render.export import write_cells, write_csv, write_lines
from hazreg.render.records import HAZARD_COLUMNS, UNIT_COLUMNS, hazard_record, unit_record
from hazreg.storage.sqlite.exports import ExportQueries

# Cells a spreadsheet would run, cells that only look like it, and cells CSV must quote.
AWKWARD = [
    "=SUM(A1)", "+1", "-5", "-5x", "@x", "\tx", "\rx", "＝1", "＋86 139", "－x", "＠a", "'=x", "''+x",
    "'plain", "'", "a,b", 'say "hi"', "line\nbreak", " lead", "1e5", "-1e5", ".5", "-.5", "+", "-", "=",
    "中文，全角", "x\r\ny", "-0", "+.5e-3",
]


def _awkward_register(path: Path) -> None:
    """The demo register, then awkward text in every free-text column, odd enum values, money
    from nothing to the largest amount, an inspection id: written under the rules, not through them."""
    build_demo(path, "tester").store.close()
    reg = open_register(path, write=True, operator="tester")
    conn = reg.store.conn
    ids = [r[0] for r in conn.execute("SELECT id FROM hazards ORDER BY id")]
    texts = ("description", "found_by", "basis", "owner", "measures", "contingency", "verified_by",
             "verify_note", "void_reason", "locality")
    with reg.store.transaction():
        for n, hazard_id in enumerate(ids[:30]):
            column = texts[n % len(texts)]
            conn.execute(f"UPDATE hazards SET {column} = ? WHERE id = ?", (AWKWARD[n % len(AWKWARD)], hazard_id))
        for hazard_id, fen in zip(ids[30:], (0, 1, 5, 99, 100, 123456789, 2**63 - 1, -5, -100, -12345), strict=False):
            conn.execute("UPDATE hazards SET funds_fen = ? WHERE id = ?", (fen, hazard_id))
        conn.execute("UPDATE hazards SET inspection_id = 7, owner = '', measures = 'm' WHERE id = ?", (ids[-1],))
        # Not keys, as an older or hand-edited register might hold: the label rule's fallback.
        conn.execute("UPDATE hazards SET industry = 'Fire', level = '重大', status = 'odd' WHERE id = ?", (ids[1],))
        units = [r[0] for r in conn.execute("SELECT id FROM units ORDER BY id")]
        for n, unit_id in enumerate(units):
            column = ("name", "address", "contact", "phone", "locality")[n % 5]
            conn.execute(f"UPDATE units SET {column} = ? WHERE id = ?", (AWKWARD[(n * 7) % len(AWKWARD)], unit_id))
        conn.execute("UPDATE units SET risk = NULL, credit_code = '=1' WHERE id = ?", (units[0],))
        conn.execute("UPDATE units SET risk = 'crimson' WHERE id = ?", (units[1],))
    reg.store.close()


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("awkward") / "register.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HAZREG_NOW", NOW)
        env.setenv("HAZREG_OPERATOR", "tester")
        _awkward_register(path)
    return path


def _both(cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str) -> tuple[bytes, bytes]:
    """(the SQL paths' file, the Python formatter's file) for one command line; the two SQL
    paths (lines, and cells) are checked to agree, to stdout as well as to a file."""
    new, cells, old = tmp_path / "new.csv", tmp_path / "cells.csv", tmp_path / "old.csv"
    stdout = cli(*args).stdout_bytes
    cli(*args, "-o", str(new))
    with monkeypatch.context() as m:  # a store without SQL lines: SQL cells, written by csv.writer
        m.delattr(ExportQueries, "hazard_lines")
        m.delattr(ExportQueries, "unit_lines")
        cli(*args, "-o", str(cells))
        m.delattr(ExportQueries, "hazard_cells")  # nor cells: the Python formatter writes
        m.delattr(ExportQueries, "unit_cells")
        cli(*args, "-o", str(old))
    assert new.read_bytes() == cells.read_bytes() == stdout
    return new.read_bytes(), old.read_bytes()


HAZARD_OPTIONS = [
    [], ["--status", "closed"], ["--status", "open,rectifying"], ["--overdue"], ["--due-within", "14d"],
    ["--level", "major"], ["--industry", "fire"], ["--locality", "白沙镇"], ["--unit", "U4"],
    ["--owner", "设备科 施俊"], ["--found-since", "2026-10-01"], ["--found-until", "2026-10-01"],
    ["--search", "消防"], ["--search", "无此词语"], ["--week", "2026-W47"], ["--since", "2026-11-01"],
    ["--since", "2026-10-01", "--until", "2026-11-15"], ["--bom"], ["--level", "general", "--status", "void"],
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("options", HAZARD_OPTIONS, ids=lambda o: " ".join(o) or "all")
def test_hazards_csv_from_sql_is_byte_identical(awkward, cli, monkeypatch, tmp_path, lang, options):
    monkeypatch.setenv("HAZREG_DB", str(awkward))
    new, old = _both(cli, monkeypatch, tmp_path, "--lang", lang, "export", "hazards", *options)
    assert new == old
    if not options:
        text = new.decode("utf-8")
        assert text.count("\r\n") > 60  # every demo hazard, and the cells with line breaks
        assert "'=SUM(A1)" in text and "'＋86 139" in text and ",-5," in text and "'''+x" in text
        assert '"say ""hi"""' in text and "92233720368547758.07" in text and "-0.05" in text and ",I7," in text
        assert (",是," if lang == "zh" else ",true,") in text


UNIT_OPTIONS = [
    [], ["--industry", "fire"], ["--risk", "red"], ["--locality", "白沙镇"], ["--search", "化工"],
    ["--week", "2026-W47"], ["--since", "2026-09-01"], ["--bom"],
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("options", UNIT_OPTIONS, ids=lambda o: " ".join(o) or "all")
def test_units_csv_from_sql_is_byte_identical(awkward, cli, monkeypatch, tmp_path, lang, options):
    monkeypatch.setenv("HAZREG_DB", str(awkward))
    new, old = _both(cli, monkeypatch, tmp_path, "--lang", lang, "export", "units", *options)
    assert new == old
    if not options:
        # A credit code is validated on the way in, so the English export writes it as stored.
        assert (",'=1," if lang == "zh" else ",=1,") in new.decode("utf-8") and "crimson" in new.decode("utf-8")


# Any text at all in a hazard's or its unit's cells: the characters formulas start with, quotes,
# separators, line ends (CR, LF, CRLF, U+2028), NUL, emoji and very long text are drawn often.
_PIECES = ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "'", '"', ",", ".", "5", "e", " ", "＝", "＋", "－", "＠",
           "中", "a", "0", "\x00", "\u2028", "😀", "\x1f", "x" * 3000]
_TEXT = st.lists(st.sampled_from(_PIECES) | st.characters(codec="utf-8", exclude_categories=("Cs",)),
                 max_size=8).map("".join)


def _three_ways(lines, cells, records, columns) -> tuple[str, str, str]:
    """(write_lines', write_cells', write_csv's) text for the same rows (each asked for in turn:
    SQLite cannot register the cells' function while another statement uses it)."""
    outputs = []
    for write, rows in ((write_lines, lines), (write_cells, cells), (write_csv, records)):
        out = io.StringIO()
        write(rows(), columns, out)
        outputs.append(out.getvalue())
    return outputs[0], outputs[1], outputs[2]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=_TEXT, owner=st.none() | _TEXT, unit_name=_TEXT, industry=_TEXT | st.sampled_from(["fire", "gas"]),
       fen=st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1), lang=st.sampled_from(["en", "zh"]),
       contact=st.none() | _TEXT)
def test_any_cell_is_formatted_as_the_python_formatter_does(awkward, tmp_path, description, owner, unit_name,
                                                            industry, fen, lang, contact):
    copy = tmp_path / "any.db"
    if not copy.exists():
        copy.write_bytes(awkward.read_bytes())
    reg = open_register(copy, write=True, operator="tester")
    try:
        with reg.store.transaction():
            reg.store.conn.execute("UPDATE hazards SET description = ?, owner = ?, industry = ?, funds_fen = ? WHERE id = 3",
                                   (description, owner, industry, fen))
            reg.store.conn.execute("UPDATE units SET name = ?, contact = ? WHERE id = (SELECT unit_id FROM hazards WHERE id = 3)",
                                   (unit_name, contact))
        set_lang(lang)
        # Hazard 3 among its neighbours: a batch where one row needs quoting and the others not.
        query = HazardFilter(ids=[2, 3, 4])
        lines, cells, python = _three_ways(
            lambda: hazard_lines(reg, query), lambda: hazard_cells(reg, query),
            lambda: (hazard_record(r) for r in reg.hazards.iter(query)), HAZARD_COLUMNS)
        assert lines == cells == python
        lines, cells, python = _three_ways(
            lambda: unit_lines(reg, UnitFilter()), lambda: unit_cells(reg, UnitFilter()),
            lambda: (unit_record(r) for r in reg.units.iter(UnitFilter())), UNIT_COLUMNS)
        assert lines == cells == python
    finally:
        set_lang("en")
        reg.store.close()


@pytest.mark.parametrize("batch", [1, 2, 7, 2000])
def test_lines_are_the_same_whatever_the_batch(awkward, monkeypatch, batch):
    """Batches where every row, some rows or no row needs quoting give the same file."""
    from hazreg.storage.sqlite import exports

    reg = open_register(awkward, write=False)
    try:
        expected = io.StringIO()
        write_csv((hazard_record(r) for r in reg.hazards.iter(HazardFilter())), HAZARD_COLUMNS, expected)
        monkeypatch.setattr(exports, "BATCH", batch)
        out = io.StringIO()
        assert write_lines(hazard_lines(reg, HazardFilter()), HAZARD_COLUMNS, out) == expected.getvalue().count("\r\nH")
        assert out.getvalue() == expected.getvalue()
    finally:
        reg.store.close()


def test_the_count_is_of_rows_written(awkward, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("HAZREG_DB", str(awkward))
    out = tmp_path / "closed.csv"
    result = cli("export", "hazards", "--status", "closed", "-o", str(out))
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    assert rows and all(row[8] == "closed" for row in rows)
    assert f"{len(rows)} " in result.stderr
    assert os.stat(out).st_mode & 0o777 == 0o600
