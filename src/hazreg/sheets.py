"""Reading the spreadsheets districts already have: CSV in any encoding Excel writes, and XLSX.

Rows are streamed, never loaded whole, so a million-row file costs no more memory
than a small one. Each row comes with its number as the spreadsheet shows it (the
header is row 1), so a rejected row can be found and fixed.

CSV encodings: UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode
text"), and GB18030 (a superset of GBK and GB2312, what Excel writes on Chinese
Windows), told apart without the user having to say; `encoding` overrides.

Memory is bounded whatever the file holds: a row (one line, or a quoted cell over many)
is read up to MAX_ROW_CHARS characters and a longer one refuses the file with its row
number; a workbook's parts are checked before they are unpacked (MAX_XLSX_PART,
MAX_XLSX_RATIO), so a zip bomb is refused in one line.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from hazreg.errors import InvalidInput

_SAMPLE = 1 << 16
# The longest row read, in characters, line ends included: any real row is far shorter, and a
# row is held whole (with a list of its cells) while it is read.
MAX_ROW_CHARS = 1 << 20
# A workbook part read whole (the shared strings above all: openpyxl holds them at up to six
# times their size); sheets are streamed, so only their packing ratio is checked.
MAX_XLSX_PART = 32 << 20
# As Apache POI's ZipSecureFile: a part unpacking to more than 100 times its packed size, past
# a first megabyte, is a zip bomb, not a spreadsheet.
MAX_XLSX_RATIO = 100
_RATIO_FROM = 1 << 20
# Full-width ＝＋－＠ too: Excel and WPS take a cell typed with a Chinese input method's
# full-width sign as a formula as readily as the ASCII one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula (plain numbers like -5 excepted)."""
    return bool(text) and text[0] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(text)


def _guarded(text: str) -> bool:
    """A formula, or a formula behind apostrophes: what `neutralise` marks with one more."""
    return is_formula(text.lstrip("'")) if text[:1] == "'" else is_formula(text)


def neutralise(text: str) -> str:
    """A CSV cell made safe for a spreadsheet: '=SUM(A1)' becomes "'=SUM(A1)".

    Text that already starts with apostrophes before a formula gets one more, so that
    `unneutralise`, which takes exactly one away, gives every text back as it was.
    """
    return "'" + text if _guarded(text) else text


def unneutralise(text: str) -> str:
    """The cell as it was before `neutralise`, so an export imports back unchanged."""
    return text[1:] if text[:1] == "'" and _guarded(text[1:]) else text


# XML 1.0 cannot hold these (and reads a carriage return back as a line feed); OOXML writes
# them as _xHHHH_, as Excel does, and a literal "_xHHHH_" as "_x005F_xHHHH_".
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xlsx_escape(text: str) -> str:
    """Text as a workbook cell can hold it (OOXML's _xHHHH_ escapes), read back by `xlsx_unescape`."""
    return _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def xlsx_unescape(text: str) -> str:
    """A workbook's text cell as written: _x0007_ is the control character it stands for."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


# About how many bytes a row of a ledger takes in a CSV or JSON file (a hazard row: 200-300).
ROW_BYTES = 256


class Rows(Iterator[tuple[int, list[str]]]):
    """A sheet's rows, (number, cells) one at a time, and about how many there are: an import
    plans a big load differently (the count is an estimate, from the file's size)."""

    def __init__(self, rows: Iterator[tuple[int, list[str]]], expected: int) -> None:
        self._rows = rows
        self.expected = expected

    def __next__(self) -> tuple[int, list[str]]:
        return next(self._rows)


class Sheet:
    """An open table: its headers, its rows (number, cells), and how far reading has got."""

    def __init__(self, headers: list[str], rows: Iterator[tuple[int, list[str]]], size: int,
                 position: Any, close: Any, encoding: str | None = None, in_rows: bool = False) -> None:
        self.headers = headers
        self.rows = Rows(rows, size if in_rows else size // ROW_BYTES)
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
        first = text.readline(MAX_ROW_CHARS + 1)
    except UnicodeDecodeError:
        raw.close()
        raise InvalidInput("err.encoding_row", "encoding", row=1, encoding=chosen) from None
    if len(first) > MAX_ROW_CHARS:
        raw.close()
        raise _too_long(1)
    csv.field_size_limit(MAX_ROW_CHARS)  # a cell is bounded by its row
    reader = csv.reader(io.StringIO(first), delimiter=_delimiter(first))
    try:
        headers = next(reader, [])
    except csv.Error as error:
        raw.close()
        raise InvalidInput("err.csv_row", "file", row=1, detail=str(error)) from None
    delimiter = _delimiter(first)

    used = [0]  # characters of the row being read

    def lines() -> Iterator[str]:
        """The file's lines for the CSV reader, never more than a row's worth at once."""
        while line := text.readline(MAX_ROW_CHARS + 1 - used[0]):
            used[0] += len(line)
            if used[0] > MAX_ROW_CHARS:
                raise _RowTooLong
            yield line

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        body = csv.reader(lines(), delimiter=delimiter)
        while True:
            used[0] = 0
            try:
                cells = next(body)
            except StopIteration:
                return
            except _RowTooLong:
                raise _too_long(number + 1) from None
            except UnicodeDecodeError:
                raise InvalidInput("err.encoding_row", "encoding", row=number + 1, encoding=chosen) from None
            except csv.Error as error:  # a NUL byte, a cell past the size limit, a broken quote
                raise InvalidInput("err.csv_row", "file", row=number + 1, detail=str(error)) from None
            number += 1
            if any("\x00" in cell for cell in cells):  # no spreadsheet writes one: a damaged file
                raise InvalidInput("err.csv_row", "file", row=number, detail="NUL byte")
            # A CSV export marked formula-like cells with an apostrophe; take it away again.
            # (Workbooks and JSON keep text exactly and are read as they are.)
            yield number, [unneutralise(c) if c[:1] == "'" else c for c in cells]

    size = path.stat().st_size
    return Sheet([h.strip().lstrip("\ufeff") for h in headers], rows(), size, raw.tell, raw.close, chosen)


class _RowTooLong(Exception):
    """A row past MAX_ROW_CHARS, found while reading it."""


def _too_long(row: int) -> InvalidInput:
    return InvalidInput("err.row_too_long", "file", row=row, limit=f"{MAX_ROW_CHARS:,}")


def _check_parts(path: Path) -> None:
    """Refuse a workbook whose parts would unpack beyond what is read, before any is unpacked.

    The sizes are the archive's own: Python's zipfile never unpacks more than a part declares."""
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a workbook at all: openpyxl says so
    for part in parts:
        size, packed = part.file_size, max(part.compress_size, 1)
        if size > _RATIO_FROM and size > MAX_XLSX_RATIO * packed:
            raise InvalidInput("err.xlsx_part_ratio", "file", path=str(path), part=part.filename,
                               ratio=f"{size // packed:,}", size=f"{size / (1 << 20):,.0f}", packed=f"{packed / 1024:,.0f}")
        read_whole = part.filename.endswith((".xml", ".rels")) and not part.filename.startswith("xl/worksheets/")
        if read_whole and size > MAX_XLSX_PART:
            raise InvalidInput("err.xlsx_part_size", "file", path=str(path), part=part.filename,
                               size=f"{size / (1 << 20):,.0f}", limit=f"{MAX_XLSX_PART >> 20:,}")


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person typed: dates ISO, 12.0 as 12."""
    if value is None:
        return ""
    if isinstance(value, str):
        return xlsx_unescape(value)
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

    _check_parts(path)
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
    if sum(map(len, headers)) > MAX_ROW_CHARS:
        book.close()
        raise _too_long(1)
    while headers and not headers[-1]:
        headers.pop()
    done = [1]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(values, start=2):
            done[0] = number
            if sum(len(v) for v in row if isinstance(v, str)) > MAX_ROW_CHARS:  # openpyxl stops a cell at 32,767
                raise _too_long(number)
            yield number, [cell_text(v) for v in row[: len(headers)]]

    total = ws.max_row or 0
    return Sheet(headers, rows(), total, lambda: done[0], book.close, in_rows=True)


def json_cell(value: Any) -> str:
    """A JSON value as the text of a cell: lists of names joined by 、, as in CSV and XLSX."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "、".join(json_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def open_json(path: Path, lines: bool) -> Sheet:
    """A JSON array of records (hazreg's `-f json`) or one record a line (`-f jsonl`).

    The headers are the keys of the first record. A record is numbered by its line in
    JSONL and by its place in the array in JSON. JSONL is streamed; a JSON array is
    read whole.
    """
    raw = path.open("r", encoding="utf-8-sig")
    read = [0]
    records: Iterator[tuple[int, Any]]
    if lines:
        def numbered() -> Iterator[tuple[int, Any]]:
            for number, line in enumerate(raw, start=1):
                read[0] += len(line.encode("utf-8"))
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except ValueError as error:
                    raise InvalidInput("err.json_row", "file", row=number, detail=str(error)) from None
        records = numbered()
    else:
        try:
            data = json.load(raw)
        except ValueError as error:
            raw.close()
            raise InvalidInput("err.json_file", "file", path=str(path), detail=str(error)) from None
        if not isinstance(data, list):
            raw.close()
            raise InvalidInput("err.json_file", "file", path=str(path), detail="not a list of records")
        records = iter(enumerate(data, start=1))
    try:
        first = next(records, None)
    except InvalidInput:
        raw.close()
        raise
    if first is not None and not isinstance(first[1], dict):
        raw.close()
        raise InvalidInput("err.json_row", "file", row=first[0], detail="not a record")
    headers = [str(k) for k in first[1]] if first is not None else []

    def rows() -> Iterator[tuple[int, list[str]]]:
        if first is None:
            return
        for number, record in itertools.chain([first], records):
            if not isinstance(record, dict):
                raise InvalidInput("err.json_row", "file", row=number, detail="not a record")
            yield number, [json_cell(record.get(h)) for h in headers]

    return Sheet(headers, rows(), path.stat().st_size, lambda: read[0], raw.close, "utf-8")


def open_sheet(path: Path, sheet: str | None = None, encoding: str | None = None) -> Sheet:
    """A CSV, XLSX, JSON or JSONL file as headers and numbered rows, by its extension."""
    if not path.exists():
        raise InvalidInput("err.no_file", "file", path=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return open_xlsx(path, sheet)
    if suffix in (".json", ".jsonl", ".ndjson"):
        return open_json(path, lines=suffix != ".json")
    if suffix == ".xls":
        raise InvalidInput("err.xls", "file", path=str(path))
    return open_csv(path, encoding)
