"""XLSX exports with lxml (the `xlsx` extra): openpyxl writes through it, and the workbook is the
same, cell for cell, as the one written without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

lxml = pytest.importorskip("lxml", reason="the xlsx extra (lxml) is not installed")

AWKWARD = ["=SUM(A1)", "＋86 139", "'=x", "-5", "tab\there", "bell\x07", "_x0041_", "line\nbreak", "中文"]


def test_openpyxl_writes_through_lxml_when_it_is_installed():
    import openpyxl

    assert openpyxl.LXML is True


def _export(register: Path, out: Path, lxml_on: bool) -> None:
    env = {**os.environ, "HAZREG_DB": str(register), "OPENPYXL_LXML": "True" if lxml_on else "False"}
    subprocess.run([sys.executable, "-m", "hazreg", "export", "hazards", "-f", "xlsx", "-o", str(out)],
                   env=env, check=True, capture_output=True)


def _cells(path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book.worksheets[0]
    cells = [(sheet.title, sheet.freeze_panes, sheet.auto_filter.ref, sheet.print_title_rows,
              sheet.page_setup.orientation)]
    for row in sheet.iter_rows():
        for c in row:
            cells.append((c.coordinate, c.value, c.data_type, c.number_format, c.quotePrefix, c.font.b))
    return cells


def test_the_workbook_is_the_same_with_and_without_lxml(reg, unit, isolated, tmp_path):
    for n, text in enumerate(AWKWARD):
        reg.hazards.add({"unit": unit["id"], "description": f"隐患{n}", "owner": text, "funds": "12000.5",
                        "deadline": "2026-12-31", "found_on": "2026-11-01"})
    reg.store.close()
    fast, plain = tmp_path / "lxml.xlsx", tmp_path / "plain.xlsx"
    _export(isolated, fast, True)
    _export(isolated, plain, False)
    with_lxml, without = _cells(fast), _cells(plain)
    assert with_lxml == without
    from hazreg.sheets import xlsx_unescape

    texts = {xlsx_unescape(v) for (_, v, *_rest) in with_lxml[1:] if isinstance(v, str)}
    assert set(AWKWARD) <= texts  # text as recorded (control characters as _xHHHH_), never a formula
    formula = next(c for c in with_lxml[1:] if c[1] == "=SUM(A1)")
    assert formula[2] == "s" and formula[4] is True
