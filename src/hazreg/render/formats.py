"""Machine-readable output: CSV, JSON and JSONL with stable field names, UTF-8."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from hazreg.sheets import neutralise


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        return neutralise(value)  # a listing piped into a file for Excel: as `export` does
    return "" if value is None else value


def write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: IO[str] | None = None) -> None:
    writer = csv.writer(out or sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])


def write_json(data: Any, out: IO[str] | None = None) -> None:
    stream = out or sys.stdout
    json.dump(data, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str] | None = None) -> None:
    stream = out or sys.stdout
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")


def write(
    fmt: str, rows: list[dict[str, Any]], columns: Sequence[str], out: IO[str] | None = None
) -> None:
    """Rows in a machine format (not 'table', which the caller draws)."""
    if fmt == "csv":
        write_csv(rows, columns, out)
    elif fmt == "json":
        write_json(rows, out)
    elif fmt == "jsonl":
        write_jsonl(rows, out)
    else:  # pragma: no cover - the CLI checks the format first
        raise ValueError(fmt)
