"""Reading the spreadsheets districts already have: CSV in any encoding Excel writes, and XLSX.

Rows are streamed, never loaded whole, so a million-row file costs no more memory
than a small one. Each row comes with its number as the spreadsheet shows it (the
header is row 1), so a rejected row can be found and fixed.

CSV encodings: UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode
text"), and GB18030 (a superset of GBK and GB2312, what Excel writes on Chinese
Windows), told apart without the user having to say; `encoding` overrides.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from hazreg.errors import InvalidInput

_SAMPLE = 1 << 16
# Full-width ＝＋－＠ too: Excel and WPS take a cell typed with a Chinese input method's
# full-width sign as a formula as readily as the ASCII one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula (plain numbers like -5 excepted)."""
    return bool(text) and text[0] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(text: str) -> str:
    """A CSV cell made safe for a spreadsheet: '=SUM(A1)' becomes "'=SUM(A1)"."""
    return "'" + text if is_formula(text) else text


def unneutralise(text: str) -> str:
    """The cell as it was before `neutralise`, so an export imports back unchanged."""
    return text[1:] if text[:1] == "'" and is_formula(text[1:]) else text


class Sheet:
    """An open table: its headers, its rows (number, cells), and how far reading has got."""

    def __init__(self, headers: list[str], rows: Iterator[tuple[int, list[str]]], size: int,
                 position: Any, close: Any, encoding: str | None = None) -> None:
        self.headers = headers
        self.rows = rows
        self.size = size  # in the unit of `position()`: bytes for CSV, rows for XLSX
        self.position = position
        self.encoding = encoding
        self._close = close

    def __enter__(self) -> Sheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()


def detect_encoding(sample: bytes) -> str:
    """The encoding of a CSV file from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # An incremental decoder tolerates a character cut at the end of the sample.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise InvalidInput("err.encoding_unknown", "encoding") from None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_csv(path: Path, encoding: str | None = None) -> Sheet:
    raw = path.open("rb")
    sample = raw.read(_SAMPLE)
    raw.seek(0)
    chosen = encoding or detect_encoding(sample)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raw.close()
        raise InvalidInput("err.encoding_name", "encoding", value=chosen) from None
    text = io.TextIOWrapper(raw, encoding=chosen, newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raw.close()
        raise InvalidInput("err.encoding_row", "encoding", row=1, encoding=chosen) from None
    reader = csv.reader(io.StringIO(first), delimiter=_delimiter(first))
    try:
        headers = next(reader, [])
    except csv.Error as error:
        raw.close()
        raise InvalidInput("err.csv_row", "file", row=1, detail=str(error)) from None
    delimiter = _delimiter(first)

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        body = csv.reader(text, delimiter=delimiter)
        while True:
            try:
                cells = next(body)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise InvalidInput("err.encoding_row", "encoding", row=number + 1, encoding=chosen) from None
            except csv.Error as error:  # a NUL byte, a cell past the size limit, a broken quote
                raise InvalidInput("err.csv_row", "file", row=number + 1, detail=str(error)) from None
            number += 1
            if any("\x00" in cell for cell in cells):  # no spreadsheet writes one: a damaged file
                raise InvalidInput("err.csv_row", "file", row=number, detail="NUL byte")
            yield number, cells

    size = path.stat().st_size
    return Sheet([h.strip().lstrip("\ufeff") for h in headers], rows(), size, raw.tell, raw.close, chosen)


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person typed: dates ISO, 12.0 as 12."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    text = getattr(value, "text", None)  # an array formula: its text, as for any other formula
    return text if isinstance(text, str) else str(value)


def open_xlsx(path: Path, sheet: str | None = None) -> Sheet:
    from openpyxl import load_workbook

    try:
        # A formula cell is read as its formula, what the person typed: the value Excel cached
        # (an error such as #NAME? for text like =-预案, or nothing if no Excel saved it) is not.
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidInput("err.not_xlsx", "file", path=str(path)) from None
    if sheet is not None and sheet not in book.sheetnames:
        book.close()
        raise InvalidInput("err.choice", "sheet", value=sheet, allowed=", ".join(book.sheetnames))
    ws = book[sheet] if sheet is not None else book.worksheets[0]
    values = ws.iter_rows(values_only=True)
    headers = [cell_text(v).strip() for v in next(values, ())]
    while headers and not headers[-1]:
        headers.pop()
    done = [1]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(values, start=2):
            done[0] = number
            yield number, [cell_text(v) for v in row[: len(headers)]]

    total = ws.max_row or 0
    return Sheet(headers, rows(), total, lambda: done[0], book.close)


def open_sheet(path: Path, sheet: str | None = None, encoding: str | None = None) -> Sheet:
    """A CSV or XLSX file as headers and numbered rows, by its extension."""
    if not path.exists():
        raise InvalidInput("err.no_file", "file", path=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return open_xlsx(path, sheet)
    if suffix == ".xls":
        raise InvalidInput("err.xls", "file", path=str(path))
    return open_csv(path, encoding)
