"""Hostile input: anything a user can type or import gives a value or a clear error, never a
traceback, and a bad file writes nothing."""

from __future__ import annotations

import json
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from hazreg import creditcode
from hazreg.columns import UNIT_FIELDS, map_headers, parse_map
from hazreg.dates import parse_date, parse_days, parse_week
from hazreg.enums import ENUMS
from hazreg.errors import InvalidInput
from hazreg.money import parse_yuan
from hazreg.register.base import parse_id

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
TODAY = date(2026, 11, 29)


def gives_value_or_clear_error(parse, text):
    try:
        parse(text)
    except InvalidInput as error:
        assert error.message() and "\n" not in error.message()


@settings(max_examples=300)
@given(TEXT)
def test_date_and_span_parsers(text):
    gives_value_or_clear_error(lambda s: parse_date(s, TODAY), text)
    gives_value_or_clear_error(parse_days, text)
    gives_value_or_clear_error(lambda s: parse_week(s, TODAY), text)


@settings(max_examples=300)
@given(TEXT)
def test_code_money_id_and_enum_parsers(text):
    gives_value_or_clear_error(creditcode.validate, text)
    gives_value_or_clear_error(parse_yuan, text)
    gives_value_or_clear_error(lambda s: parse_id(s, "H"), text)
    for enum in ENUMS:
        gives_value_or_clear_error(enum.parse, text)


@settings(max_examples=200)
@given(st.lists(TEXT, max_size=8), st.lists(TEXT, max_size=3))
def test_header_mappings(headers, maps):
    try:
        columns, ignored = map_headers(headers, UNIT_FIELDS, parse_map(maps))
    except InvalidInput:
        return
    assert set(columns.values()) <= set(UNIT_FIELDS) and len(set(columns.values())) == len(columns)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_search_and_filters_from_the_command_line(cli, text):
    for args in (("list", "--search", text), ("list", "--owner", text), ("list", "--locality", text),
                 ("unit", "list", "--search", text), ("list", "--found-since", text), ("list", "--due-within", text)):
        result = cli(*args, "-f", "json", code=None)
        assert result.exit_code in (0, 2), (args, result.output)
        assert "Traceback" not in result.output


def test_text_that_looks_like_sql_is_text(cli):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    cli("add", "灭火器过期", "--unit", "U1", "--owner", "张三")
    for hostile in ("'; DROP TABLE hazards; --", "x' OR '1'='1", "\" OR 1=1 --", "%", "_", "张三' --"):
        assert json.loads(cli("list", "--owner", hostile, "-f", "json").stdout) == []
        assert json.loads(cli("unit", "list", "--search", hostile, "-f", "json").stdout) == []
        if "张三" not in hostile:  # search reads the words in what is typed, and only them
            assert json.loads(cli("list", "--search", hostile, "-f", "json").stdout) == []
    assert len(json.loads(cli("list", "--search", "灭火器' --", "-f", "json").stdout)) == 1  # the word, not the quote
    assert len(json.loads(cli("list", "-f", "json").stdout)) == 1  # nothing was dropped


def test_control_and_direction_characters_are_kept_but_shown_safely(cli):
    name = "临江\u202eKTV\x1b[31m大酒店"
    cli("unit", "add", name, "--industry", "fire", "--locality", "临江街道")
    assert json.loads(cli("unit", "show", "U1", "-f", "json").stdout)["name"] == name  # stored as given
    table = cli("unit", "list").stdout
    assert "<U+202E>" in table and "<U+001B>" in table and "\u202e" not in table and "\x1b" not in table


# -- malformed files -------------------------------------------------------------------------------


def nothing_written(cli):
    assert json.loads(cli("unit", "list", "-f", "json").stdout) == []


def test_truncated_workbook(cli, tmp_path):
    book = Workbook()
    book.active.append(["单位名称", "行业领域", "所属镇街"])
    book.active.append(["临江大酒店", "消防", "临江街道"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    path.write_bytes(path.read_bytes()[:400])
    assert "not a readable .xlsx" in cli("import", "units", str(path), code=2).stderr
    nothing_written(cli)


def test_a_zip_that_is_not_a_workbook(cli, tmp_path):
    path = tmp_path / "r.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert "not a readable .xlsx" in cli("import", "units", str(path), code=2).stderr
    nothing_written(cli)


def test_a_huge_cell(cli, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("单位名称,行业领域,所属镇街\n临江大酒店,消防,临江街道\n" + "长" * 300_000 + ",消防,临江街道\n",
                    encoding="utf-8")
    result = cli("import", "units", str(path), code=2)
    assert "row 3" in result.stderr
    nothing_written(cli)


def test_a_nul_byte(cli, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("单位名称,行业领域,所属镇街\n临江大酒店,消防,临江街道\n坏\x00单位,消防,临江街道\n".encode())
    result = cli("import", "units", str(path), code=2)
    assert "row 3" in result.stderr and "Traceback" not in result.output
    nothing_written(cli)


def test_mixed_encodings(cli, tmp_path):
    path = tmp_path / "r.csv"
    head = "单位名称,行业领域,所属镇街\n".encode() + "临江大酒店,消防,临江街道\n".encode() * 3000
    path.write_bytes(head + "青山化工,危化品,青山镇\n".encode("gbk"))
    result = cli("import", "units", str(path), code=2)
    assert "cannot be read as utf-8" in result.stderr and "--encoding" in result.stderr
    nothing_written(cli)


def test_ten_thousand_columns(cli, tmp_path):
    path = tmp_path / "r.csv"
    extra = [f"备注{n}" for n in range(10_000)]
    path.write_text(",".join(["单位名称", "行业领域", "所属镇街", *extra]) + "\n"
                    + ",".join(["临江大酒店", "消防", "临江街道", *["x"] * 10_000]) + "\n", encoding="utf-8")
    result = cli("import", "units", str(path))
    assert "1 new" in result.stdout and "Columns not read" in result.stderr


def test_an_empty_file_and_a_header_only_file(cli, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "no column for name" in cli("import", "units", str(empty), code=2).stderr
    header = tmp_path / "header.csv"
    header.write_text("单位名称,行业领域,所属镇街\n", encoding="utf-8")
    assert "0 rows read" in cli("import", "units", str(header)).stdout
    nothing_written(cli)


@pytest.mark.parametrize("args", [
    ("show", "H" + "9" * 40), ("show", "H-1"), ("history", "Z12"), ("unit", "show", ""), ("draw", "--count", "-3"),
    ("export", "hazards", "--week", "2026-W99"), ("report", "weekly", "--week", "W0"), ("list", "--limit", "abc"),
    ("extend", "H1", "--to", "+99999wd", "--reason", "x"), ("config", "timezone", "../../etc/passwd"),
])
def test_odd_command_lines_never_trace_back(cli, args):
    result = cli(*args, code=None)
    assert result.exit_code in (1, 2), (args, result.output)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # an exit, not a crash


def test_a_nul_character_in_a_filter_is_refused_alike_on_every_engine(cli):
    # No register text can hold U+0000 (PostgreSQL's never can): a filter with one is bad input.
    for args in (("list", "--owner", "张\x00三"), ("list", "--search", "灭火\x00器"), ("list", "--locality", "\x00"),
                 ("unit", "list", "--search", "a\x00")):
        result = cli(*args, code=2)
        assert "NUL character (U+0000)" in result.stderr and len(result.stderr.strip().splitlines()) == 1, args
    zh = cli("--lang", "zh", "list", "--owner", "\x00", code=2)
    assert "空字符（U+0000）" in zh.stderr
