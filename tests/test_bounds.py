"""Memory stays bounded on any input: rejected rows are counted, not hoarded; a row, a cell
and a workbook part have a size past which the file is refused in one line, nothing written.

The big figures (2,000,000 bad rows, a 1 GB line, a 1 GB workbook part) are measured by
benchmarks/bench_memory.py; these tests check the rules at their limits."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hazreg import sheets
from hazreg.register import imports

HEADERS = ["单位名称", "行业领域", "所属镇街"]
BAD = 1_005  # rows, each with an industry no register knows


def bad_roster(path: Path, count: int = BAD) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows([f"单位{n}", "航天发射", "青山镇"] for n in range(count))
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def nothing_written(cli):
    assert json.loads(cli("unit", "list", "-f", "json").stdout) == []


def row_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("row ")]


# -- rejected rows ----------------------------------------------------------------------------------


def test_an_import_keeps_the_first_rejections_and_counts_the_rest(reg, tmp_path):
    seen = []
    with sheets.open_sheet(bad_roster(tmp_path / "u.csv")) as table:
        report = reg.imports.units(table.headers, table.rows, skip_invalid=True, on_reject=seen.append)
    assert imports.REJECTIONS_KEPT == 1000
    assert len(report.rejected) == imports.REJECTIONS_KEPT and report.rejected_count == BAD and report.rows == BAD
    assert [r.row for r in report.rejected] == list(range(2, 2 + imports.REJECTIONS_KEPT))
    # every rejected row reaches the sink, in order, with its cells as they were
    assert [r.row for r in seen] == list(range(2, 2 + BAD))
    assert seen[-1].cells == [f"单位{BAD - 1}", "航天发射", "青山镇"] and seen[-1].column == "行业领域"
    # the kept ones are for the report: their problems, not their cells (a row may be a megabyte)
    assert report.rejected[0].problems == seen[0].problems and report.rejected[0].cells == []


def test_the_terminal_shows_the_first_rejections_and_the_errors_file_has_them_all(cli, tmp_path):
    errors = tmp_path / "errors.csv"
    result = cli("import", "units", str(bad_roster(tmp_path / "u.csv")), "--skip-invalid", "--errors", str(errors))
    lines = row_lines(result.stderr)
    assert len(lines) == imports.REJECTIONS_KEPT and lines[0].startswith("row 2, 行业领域 '航天发射'")
    assert lines[-1].startswith(f"row {imports.REJECTIONS_KEPT + 1},")
    assert f"5 more rejected rows not shown; every one is in {errors}" in result.stderr
    assert f"0 new, 0 updated, 0 unchanged, {BAD} rejected" in result.stdout
    rows = list(csv.reader(io.StringIO(errors.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Row", "Column", "Reason", *HEADERS]
    assert [int(r[0]) for r in rows[1:]] == list(range(2, 2 + BAD))
    assert rows[-1][3:] == [f"单位{BAD - 1}", "航天发射", "青山镇"] and rows[-1][1] == "行业领域"


def test_without_an_errors_file_the_count_says_how_to_see_every_row(cli, tmp_path):
    result = cli("import", "units", str(bad_roster(tmp_path / "u.csv")), code=2)
    assert len(row_lines(result.stderr)) == imports.REJECTIONS_KEPT
    assert "5 more rejected rows not shown; --errors FILE.csv lists every one" in result.stderr
    assert f"Nothing was written: {BAD} rows are bad" in result.stderr
    nothing_written(cli)


def test_no_errors_file_when_no_row_is_rejected(cli, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(",".join(HEADERS) + "\n临江大酒店,消防,临江街道\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    result = cli("import", "units", str(path), "--errors", str(errors))
    assert "1 new" in result.stdout and not errors.exists() and list(tmp_path.glob(".errors*")) == []


# Runs a command and prints its peak memory: read by a small parent, since a child spawned
# by pytest itself would start with pytest's peak (see benchmarks/README.md).
_PEAK = """import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def test_twenty_thousand_bad_rows_stay_small(tmp_path):
    """The memory an import takes does not grow with its bad rows (it took 135 MB here with
    the cycle collector off; bench_memory.py measures 2,000,000)."""
    errors = tmp_path / "errors.csv"
    env = {**os.environ, "PYTHONPATH": str(Path(imports.__file__).parents[2])}
    command = [sys.executable, "-m", "hazreg", "--db", str(tmp_path / "big.db"), "import", "units",
               str(bad_roster(tmp_path / "u.csv", 20_000)), "--skip-invalid", "--errors", str(errors)]
    peak_mb = int(subprocess.run([sys.executable, "-c", _PEAK, *command], env=env, check=True,
                                 capture_output=True, text=True).stdout)
    assert peak_mb < 90, peak_mb
    assert sum(1 for _ in errors.open(encoding="utf-8-sig")) == 20_001


# -- a row too long ---------------------------------------------------------------------------------


def roster_with(tmp_path: Path, body: str, head: str = ",".join(HEADERS)) -> Path:
    path = tmp_path / "u.csv"
    path.write_text(f"{head}\n临江大酒店,消防,临江街道\n{body}\n青山化工,消防,青山镇\n", encoding="utf-8")
    return path


def refused_at(cli, path: Path, row: int, errors: Path | None = None) -> str:
    args = ["import", "units", str(path), "--skip-invalid"] + (["--errors", str(errors)] if errors else [])
    result = cli(*args, code=2)
    (line,) = result.stderr.strip().splitlines()  # one line, no traceback
    assert f"row {row} is longer than 1,048,576 characters" in line and "nothing was written" in line, line
    nothing_written(cli)
    return line


def test_a_line_of_commas_past_the_limit_is_refused_with_its_row(cli, tmp_path):
    errors = tmp_path / "errors.csv"
    refused_at(cli, roster_with(tmp_path, "," * sheets.MAX_ROW_CHARS), 3, errors)
    assert not errors.exists() and list(tmp_path.glob(".errors*")) == []


def test_a_row_at_the_limit_is_read(cli, tmp_path):
    name = "长" * (sheets.MAX_ROW_CHARS - len(",消防,临江街道\r\n"))
    path = tmp_path / "u.csv"
    path.write_bytes((",".join(HEADERS) + "\r\n" + name + ",消防,临江街道\r\n").encode())
    result = cli("import", "units", str(path), code=2)  # read, and rejected for what it is: a name too long
    (line,) = row_lines(result.stderr)
    assert line.startswith("row 2, 单位名称") and "too long" in line


def test_a_header_past_the_limit_is_refused_as_row_1(cli, tmp_path):
    refused_at(cli, roster_with(tmp_path, "青山化工,消防,青山镇", head="单位名称," + "x" * sheets.MAX_ROW_CHARS), 1)


def test_a_quoted_cell_of_many_lines_past_the_limit_is_refused_with_its_row(cli, tmp_path):
    cell = '"' + ("多行备注" * 100 + "\n") * (sheets.MAX_ROW_CHARS // 400) + '"'
    refused_at(cli, roster_with(tmp_path, f"青山化工,消防,{cell}"), 3)


def test_a_gbk_line_past_the_limit_is_refused_too(cli, tmp_path):
    path = tmp_path / "u.csv"
    text = ",".join(HEADERS) + "\r\n临江大酒店,消防,临江街道\r\n" + "长" * (sheets.MAX_ROW_CHARS + 1) + ",消防,临江街道\r\n"
    path.write_bytes(text.encode("gbk"))
    refused_at(cli, path, 3)


# -- workbook bombs ---------------------------------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/sharedStrings.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
         'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_WB = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {_MAIN} '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
       '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>')


def workbook(path: Path, padding: bytes = b"", compress: int = zipfile.ZIP_DEFLATED) -> Path:
    """A workbook as Excel writes one (cells as shared strings), with `padding` strings in the table."""
    strings = [*HEADERS, "临江大酒店", "消防", "临江街道"]
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{"ABC"[c]}{r}" t="s"><v>{(r - 1) * 3 + c}</v></c>'
                                              for c in range(3)) + "</row>" for r in (1, 2))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_MAIN}>'
                                               f"<sheetData>{rows}</sheetData></worksheet>")
        table = "".join(f"<si><t>{s}</t></si>" for s in strings).encode()
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {_MAIN}>'.encode()
                   + table + padding + b"</sst>", compress_type=compress)
    return path


def test_a_workbook_row_past_the_limit_is_refused_with_its_row(cli, tmp_path):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("名册")
    sheet.append(HEADERS)
    sheet.append(["临江大酒店", "消防", "临江街道"])
    cells = sheets.MAX_ROW_CHARS // 32_000 + 1  # a cell holds at most 32,767 characters
    sheet.append(["青山化工", "消防", "青山镇", *(os.urandom(16_000).hex() for _ in range(cells))])  # random: no bomb
    path = tmp_path / "u.xlsx"
    book.save(path)
    refused_at(cli, path, 3)


def test_a_workbook_as_excel_writes_it_is_read(cli, tmp_path):
    result = cli("import", "units", str(workbook(tmp_path / "u.xlsx", b"<si><t>x</t></si>" * 1000)))
    assert "1 new" in result.stdout


def test_a_workbook_part_that_unpacks_far_beyond_its_size_is_refused(cli, tmp_path):
    path = workbook(tmp_path / "u.xlsx", b"<si><t>" + b"A" * (2 << 20) + b"</t></si>")  # 2 MB, packed to 2 KB
    result = cli("import", "units", str(path), code=2)
    (line,) = result.stderr.strip().splitlines()
    assert "xl/sharedStrings.xml" in line and "unpacks" in line and ":1" in line and "nothing was written" in line
    nothing_written(cli)


def test_a_workbook_part_past_the_size_limit_is_refused(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_XLSX_PART", 1 << 20)
    padding = b"".join(b"<si><t>" + os.urandom(16).hex().encode() + b"</t></si>" for _ in range((1 << 20) // 40))
    path = workbook(tmp_path / "u.xlsx", padding, compress=zipfile.ZIP_STORED)
    result = cli("import", "units", str(path), code=2)
    (line,) = result.stderr.strip().splitlines()
    assert "xl/sharedStrings.xml" in line and "more than the 1 MB" in line and "CSV" in line
    nothing_written(cli)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bounds_messages_are_one_line_in_both_languages(cli, tmp_path, lang):
    path = roster_with(tmp_path, "," * sheets.MAX_ROW_CHARS)
    result = cli("--lang", lang, "import", "units", str(path), code=2)
    assert len(result.stderr.strip().splitlines()) == 1
    assert ("第 3 行" if lang == "zh" else "row 3") in result.stderr
