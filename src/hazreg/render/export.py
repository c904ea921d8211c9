"""Export files: CSV, XLSX, JSON and JSONL, streamed, written whole or not at all.

- Columns are the stable field names (README), headed by the English keys, or by
  Chinese labels with Chinese enum labels when the interface speaks Chinese.
- CSV and XLSX cells that a spreadsheet would run as a formula (starting with
  = + - @ or their full-width forms ＝＋－＠, a tab or a carriage return, unless they
  are plain numbers) get a leading apostrophe in CSV, and are marked as text in XLSX
  (a string cell with Excel's quote prefix). JSON is data for programs and is never altered.
- A file is written under a temporary name beside its target and renamed into
  place when complete, so a cron job never leaves half a file. Files are made readable
  by their owner only (0600), in folders created 0700: an export holds enterprises' contacts.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import date
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from hazreg.i18n import get_lang, t
from hazreg.paths import private_folders
from hazreg.render.grid import ENUM_FIELDS, label
from hazreg.sheets import FORMULA_START, is_formula, neutralise, xlsx_escape
from hazreg.storage import CellRules, CsvLines

DATE_COLUMNS = {
    "found_on", "deadline", "rectified_on", "verified_on", "closed_on",
    "listed_on", "due", "delisted_on", "from_deadline", "to_deadline", "done_on", "taken_on",
}
MONEY_COLUMNS = {"funds", "amount"}
_WIDTHS = {
    "id": 8, "uid": 38, "unit_id": 9, "unit_name": 28, "name": 30, "description": 50, "credit_code": 21,
    "address": 30, "basis": 24, "measures": 36, "contingency": 30, "verify_note": 24, "void_reason": 20,
    "created_at": 28, "updated_at": 28, "at": 28, "effective_at": 28, "before": 40, "after": 40, "note": 24, "funds": 14,
}


def headers(columns: Sequence[str]) -> list[str]:
    return [t("field." + c) for c in columns] if get_lang() == "zh" else list(columns)


def _text(column: str, value: Any, chinese: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return (t("yes") if value else t("no")) if chinese else ("true" if value else "false")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)  # inspectors: names as officers write them
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if chinese and column in ENUM_FIELDS:
        return label(column, value)
    return str(value)  # text exactly as recorded: a file is data, not a display


@contextmanager
def output(path: Path | None, binary: bool = False, bom: bool = False) -> Iterator[IO[Any]]:
    """The stream an export writes to: stdout, or a temporary file renamed into place at the end."""
    if path is None:
        if binary:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        else:
            if bom:
                sys.stdout.write("\ufeff")
            yield sys.stdout
            sys.stdout.flush()
        return
    private_folders(path.parent)
    # mkstemp: private (0600) from the first byte, and it stays so once renamed into place.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        stream: IO[Any] = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        with stream:
            if bom and not binary:
                stream.write("\ufeff")
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _scratch(path: Path | None) -> Iterator[None]:
    """Where openpyxl keeps a sheet while writing it: a private folder (0700, its files 0600) in the
    destination's folder (for stdout, the system's), not the shared /tmp; removed on every way out,
    Ctrl-C included."""
    import shutil

    folder = tempfile.mkdtemp(prefix=".hazreg-xlsx-", dir=None if path is None else path.parent)
    previous, tempfile.tempdir = tempfile.tempdir, folder
    try:
        yield
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)


# Columns whose values hazreg itself writes (ids, keys, ISO dates, numbers): never a formula.
_SAFE_COLUMNS = {
    "id", "uid", "unit_id", "industry", "level", "status", "source", "risk", "mode", "found_on", "deadline",
    "rectified_on", "verified_on", "closed_on", "created_at", "updated_at", "funds", "inspection_id",
    "draw_id", "campaign", "seq", "at", "effective_at", "record_type", "record_id", "action", "credit_code", "on",
    "hazard_id", "hazard_uid", "sha256", "size", "amount", *DATE_COLUMNS,
}


_STARTS = "".join(FORMULA_START) + "'"  # and an apostrophe, doubled before a formula sign


def write_csv(records: Iterable[dict[str, Any]], columns: Sequence[str], stream: IO[str]) -> int:
    chinese = get_lang() == "zh"
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(headers(columns))
    count = 0
    if chinese:
        for record in records:
            writer.writerow([neutralise(_text(c, record.get(c), chinese)) for c in columns])
            count += 1
        return count
    # The English export is the one cron jobs run on whole registers: only free-text
    # cells can hold a formula, and only lists, dicts and booleans need converting.
    risky = [i for i, c in enumerate(columns) if c not in _SAFE_COLUMNS]
    for record in records:
        row = [record.get(c) for c in columns]
        for i in risky:
            value = row[i]
            if value.__class__ is str:
                if value and value[0] in _STARTS:
                    row[i] = neutralise(value)
            elif value is not None:
                row[i] = _text(columns[i], value, False)
        writer.writerow(row)
        count += 1
    return count


def csv_cell(column: str, value: Any, chinese: bool) -> Any:
    """One cell of a CSV export as `write_csv` writes it (None: an empty cell)."""
    if chinese:
        return neutralise(_text(column, value, True))
    if column in _SAFE_COLUMNS:
        return value
    if value.__class__ is str:
        return neutralise(value)
    return None if value is None else _text(column, value, False)


def csv_field(cell: Any) -> str:
    """A finished cell as csv.writer writes it in a row of several: quoted, its quotes doubled,
    where it holds a comma, a double quote, CR or LF (the only characters that make csv.writer
    quote; NUL and everything else as it is), an empty field for None."""
    if cell is None:
        return ""
    text = cell if cell.__class__ is str else str(cell)
    if "," in text or '"' in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _json_value(text: Any) -> Any:
    """A history entry's before or after as the formatter is given it (see Store.history)."""
    return json.loads(text) if text else None


def _json_fields(cell: Callable[[str, Any], Any]) -> Callable[[str, Any], str]:
    """csv_field(cell(column, text)) for a column kept as JSON text, where `cell` decodes the text
    first: the same field, with no per-call set-up for what nearly every such text holds, an
    object. The C scanner reads the text (json.loads's own, so the same value, where it reads the
    whole text from its first character: else json.loads decides, as before), and an object is
    written by one encoder made once, as json.dumps(…, ensure_ascii=False, sort_keys=True) writes
    it in `_text`; `neutralise` never changes it (it starts with a brace), in either language."""
    scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set by its __init__
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode

    def field(column: str, text: Any) -> str:
        if text.__class__ is str and text[:1] == "{":
            try:
                value, end = scan(text, 0)
            except StopIteration:
                end = -1
            if end == len(text) and value.__class__ is dict:
                return csv_field(encode(value))
        return csv_field(cell(column, text))

    return field


def csv_rules(columns: Sequence[str], bools: Sequence[str] = (), json_columns: Sequence[str] = ()) -> CellRules:
    """The CSV rules of the current language for SQL to apply (see hazreg.storage.sqlite.exports):
    each enum key's and true/false's finished text, the columns a formula sign changes, and
    `csv_cell` itself for the cells that start with one. `bools` are the true/false columns;
    `json_columns` the columns kept as JSON text, whose stored text the rule decodes first."""
    chinese = get_lang() == "zh"
    if json_columns:
        decoded = frozenset(json_columns)

        def cell(column: str, value: Any) -> Any:
            return csv_cell(column, _json_value(value) if column in decoded else value, chinese)
    else:
        def cell(column: str, value: Any) -> Any:
            return csv_cell(column, value, chinese)
    literals: dict[str, dict[Any, str]] = {}
    guarded = set()
    for column in columns:
        if column in bools:
            literals[column] = {1: csv_cell(column, True, chinese), 0: csv_cell(column, False, chinese)}
        elif chinese and column in ENUM_FIELDS:
            literals[column] = {m.value: csv_cell(column, m.value, chinese) for m in ENUM_FIELDS[column]}
        elif chinese or column not in _SAFE_COLUMNS:
            guarded.add(column)
    return CellRules(cell=cell, literals=literals, guarded=frozenset(guarded), starts=_STARTS,
                     json=frozenset(json_columns), field=csv_field, json_field=_json_fields(cell))


def write_cells(rows: Iterable[Sequence[Any]], columns: Sequence[str], stream: IO[str]) -> int:
    """Rows whose cells are finished (by SQL, under `csv_rules`), written as they come."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(headers(columns))
    counted = itertools.count()
    # All in C: the rows pass through zip (counting them) to the writer, none held.
    writer.writerows(map(itemgetter(0), zip(rows, counted, strict=False)))
    return next(counted)


def export_cells(rows: Iterable[Sequence[Any]], columns: Sequence[str], path: Path | None, bom: bool = False) -> int:
    """A CSV export of finished rows to `path` (or stdout); the number of rows written."""
    with output(path, bom=bom) as stream:
        return write_cells(rows, columns, stream)


def _plain(data: bytes, rows: int, commas: int) -> bool:
    """Whether `rows` lines of cells joined by `commas` commas each and ended by CRLF are CSV as
    csv.writer writes them: true when no cell holds a comma, a double quote, CR or LF (the
    characters that make csv.writer quote a cell), which counting them tells (in C, no per-row work)."""
    return (data.count(b",") == rows * commas and data.count(b"\n") == rows and data.count(b"\r") == rows
            and b'"' not in data)


def _mended(batch: Sequence[tuple[bytes, int]], cells: Callable[[Sequence[int]], Iterable[Sequence[Any]]],
            commas: int) -> bytes:
    """A batch's lines as csv.writer writes them: the plain ones as they are, the others from
    their cells, fetched again and written by csv.writer."""
    wanted = [row_id for line, row_id in batch if not _plain(line, 1, commas)]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    mended = {}
    for row_id, row in zip(wanted, cells(wanted), strict=True):
        writer.writerow(row)
        mended[row_id] = text.getvalue().encode("utf-8")
        text.seek(0)
        text.truncate()
    return b"".join(mended.get(row_id, line) for line, row_id in batch)


def _utf8_buffer(stream: IO[str]) -> IO[bytes] | None:
    """The binary stream beneath `stream` when writing UTF-8 bytes there gives the same bytes
    as writing their text to `stream` (UTF-8, and no line end translated), else None."""
    buffer = getattr(stream, "buffer", None)
    encoding = getattr(stream, "encoding", None)
    if buffer is None or not encoding or os.linesep != "\n" or codecs.lookup(encoding).name != "utf-8":
        return None
    return buffer  # type: ignore[no-any-return]


def write_lines(lines: CsvLines, columns: Sequence[str], stream: IO[str]) -> int:
    """Rows as CSV lines made by the engine (see CsvLines), written batch by batch: a batch that
    needs no quoting is written as it came, straight to the bytes beneath `stream`."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(headers(columns))
    buffer = _utf8_buffer(stream)
    if buffer is not None:
        stream.flush()  # the BOM and the header before the bytes
    commas = len(columns) - 1
    count = 0
    for batch in lines.batches:
        data = b"".join(map(itemgetter(0), batch))
        if not lines.quoted and not _plain(data, len(batch), commas):
            data = _mended(batch, lines.cells, commas)
        if buffer is not None:
            buffer.write(data)
        else:
            stream.write(data.decode("utf-8"))
        count += len(batch)
    return count


def export_lines(lines: CsvLines, columns: Sequence[str], path: Path | None, bom: bool = False) -> int:
    """A CSV export of engine-made lines to `path` (or stdout); the number of rows written."""
    with output(path, bom=bom) as stream:
        return write_lines(lines, columns, stream)


def write_json(records: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    count = 0
    stream.write("[")
    for record in records:
        stream.write(("\n  " if count == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def write_jsonl(records: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    count = 0
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_xlsx(records: Iterable[dict[str, Any]], columns: Sequence[str], stream: IO[bytes], title: str) -> int:
    """A real workbook: bold frozen header, autofilter, column widths, dates as dates, money as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    chinese = get_lang() == "zh"
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    # Printed: landscape, as wide as the page, the header row on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(column, 13 if column in DATE_COLUMNS else 12)
    bold = Font(name="Calibri", size=11, bold=True)  # the body's font: LibreOffice would pick a serif
    header_cells = []
    for text in headers(columns):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for record in records:
        row: list[Any] = []
        for column in columns:
            value = record.get(column)
            if value is None or value == "":
                row.append(None)
            elif column in DATE_COLUMNS:
                cell = WriteOnlyCell(sheet, value=date.fromisoformat(value))
                cell.number_format = "yyyy-mm-dd"
                row.append(cell)
            elif column in MONEY_COLUMNS:
                cell = WriteOnlyCell(sheet, value=Decimal(value))
                cell.number_format = "#,##0.00"
                row.append(cell)
            elif isinstance(value, int) and not isinstance(value, bool):
                row.append(value)
            else:
                text = xlsx_escape(_text(column, value, chinese))
                if is_formula(text):
                    # A string cell, never a formula: the text stays exactly as recorded.
                    cell = WriteOnlyCell(sheet, value=text)
                    cell.data_type = "s"
                    cell.quotePrefix = True  # and stays text when someone edits it in Excel or WPS
                    row.append(cell)
                else:
                    row.append(text)
        sheet.append(row)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    book.save(stream)
    return count


def export(
    fmt: str,
    records: Iterable[dict[str, Any]],
    columns: Sequence[str],
    path: Path | None,
    title: str,
    bom: bool = False,
) -> int:
    """Write `records` in `fmt` to `path` (or stdout); the number of records written."""
    if fmt == "xlsx":
        with output(path, binary=True) as stream, _scratch(path):
            return write_xlsx(records, columns, stream, title)
    with output(path, bom=bom and fmt == "csv") as stream:
        if fmt == "csv":
            return write_csv(records, columns, stream)
        if fmt == "json":
            return write_json(records, stream)
        return write_jsonl(records, stream)


@contextmanager
def rejections_file(path: Path | None, columns: Sequence[str]) -> Iterator[Callable[[Any], None] | None]:
    """A writer of an import's rejected rows as they are found, as they were, with row, column
    and reason in front; None without a path.

    Streamed, so two million bad rows cost no memory; the file appears, whole, when the import
    ends, and only if a row was rejected. Saved as UTF-8 with a BOM so Excel on Chinese Windows
    opens it; an officer fixes the cells and imports the file again (the three extra columns
    are not read).
    """
    if path is None:
        yield None
        return
    with ExitStack() as opened:
        writer: Any = None

        def write(rejection: Any) -> None:
            nonlocal writer
            if writer is None:
                writer = csv.writer(opened.enter_context(output(path, bom=True)), lineterminator="\r\n")
                writer.writerow([t("col.row"), t("col.column"), t("col.reason"), *columns])
            writer.writerow([rejection.row, rejection.column, rejection.reason, *(neutralise(c) for c in rejection.cells)])

        yield write
