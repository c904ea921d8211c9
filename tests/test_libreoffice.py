"""The XLSX exports open in LibreOffice as a user would check them.

Skipped where LibreOffice is not installed (Debian: libreoffice-calc-nogui). The
workbooks are written through the CLI from the sample roster and ledger, then
LibreOffice headless converts them to CSV with text cells quoted and every cell
"as shown", so each cell tells both what a user sees and whether LibreOffice read
it as text (quoted) or as a date or number (bare).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import subprocess
from datetime import date
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH")

FIXTURES = Path(__file__).parent / "fixtures"
ROSTER = FIXTURES / "roster.csv"
LEDGER = FIXTURES / "hazards.csv"
FORMULA_NAME = '=HYPERLINK("http://x","点我")'
FORMULA_MEASURES = "=cmd|' /C calc'!A0"
TIMEOUT = 180  # seconds for one LibreOffice run; a first start builds its profile

# Separator ';' (59), quote '"' (34), UTF-8 (76), from line 1, default cell format,
# default language, quote all text cells, detect special numbers, save cell contents as shown.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,true,true,true"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def to_csv(workbooks: list[Path], tmp_path: Path) -> dict[str, list[list[tuple[str, bool]]]]:
    """Convert `workbooks` with LibreOffice headless; for each, its rows of (text, quoted) cells."""
    outdir = tmp_path / "lo-out"
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile, so parallel runs don't clash
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "HOME": str(tmp_path / "lo-home")}
    command = [
        SOFFICE,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        CSV_FILTER,
        "--outdir",
        str(outdir),
        *map(str, workbooks),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # soffice.bin runs under a launcher: end the group
        process.communicate()
        pytest.fail(f"LibreOffice did not convert {[w.name for w in workbooks]} within {TIMEOUT} s")
    text = output.decode("utf-8", "replace")
    assert process.returncode == 0, text
    sheets = {}
    for workbook in workbooks:
        converted = outdir / (workbook.stem + ".csv")
        assert converted.is_file(), f"LibreOffice wrote no {converted.name}:\n{text}"
        sheets[workbook.stem] = cells(converted.read_text(encoding="utf-8"))
    return sheets


def cells(text: str) -> list[list[tuple[str, bool]]]:
    """Rows of a ';'-separated CSV, each cell as (text, whether it was quoted)."""
    rows: list[list[tuple[str, bool]]] = []
    row: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            j, value = i + 1, []
            while True:
                k = text.index('"', j)
                value.append(text[j:k])
                if text.startswith('""', k):
                    value.append('"')
                    j = k + 2
                else:
                    i = k + 1
                    break
            row.append(("".join(value), True))
        else:
            k = i
            while k < n and text[k] not in ";\r\n":
                k += 1
            row.append((text[i:k], False))
            i = k
        if i < n and text[i] == ";":
            i += 1
            if i == n or text[i] in "\r\n":
                row.append(("", False))
        else:
            rows.append(row)
            row = []
            i += 2 if text.startswith("\r\n", i) else 1
    if row:
        rows.append(row)
    return rows


def records(rows: list[list[tuple[str, bool]]]) -> list[dict[str, tuple[str, bool]]]:
    header = [text for text, _ in rows[0]]
    assert all(quoted for _, quoted in rows[0]), "every header cell is text"
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def workbooks(cli, tmp_path) -> list[Path]:
    cli("import", "units", str(ROSTER), "--skip-invalid")
    cli("import", "hazards", str(LEDGER), "--legacy")
    cli("plan", "H4", "--measures", FORMULA_MEASURES, "--funds", "1.2万", "--contingency", "-预案")
    units, hazards, hazards_zh = (
        tmp_path / "units.xlsx",
        tmp_path / "hazards.xlsx",
        tmp_path / "hazards-zh.xlsx",
    )
    cli("export", "units", "-f", "xlsx", "-o", str(units))
    cli("export", "hazards", "-f", "xlsx", "-o", str(hazards))
    cli("--lang", "zh", "export", "hazards", "-f", "xlsx", "-o", str(hazards_zh))
    return [units, hazards, hazards_zh]


def test_libreoffice_opens_the_xlsx_exports_as_a_user_would_check_them(workbooks, tmp_path):
    sheets = to_csv(workbooks, tmp_path)
    with LEDGER.open(encoding="utf-8") as f:
        found = date.fromisoformat(
            list(csv.DictReader(f))[3]["发现日期"]
        ).isoformat()  # H4 is row 4

    # Units: the header row, and the formula-injection name shown literally as text.
    units = sheets["units"]
    assert [text for text, _ in units[0]] == [
        "id",
        "uid",
        "name",
        "credit_code",
        "industry",
        "industries",
        "locality",
        "address",
        "contact",
        "phone",
        "risk",
        "created_at",
        "updated_at",
    ]
    rows = records(units)
    assert len(rows) == 61
    names = [row["name"] for row in rows]
    assert (
        FORMULA_NAME,
        True,
    ) in names  # literal text: no hyperlink "点我", no error, no apostrophe
    assert ("点我", True) not in names and ("点我", False) not in names
    phones = {row["phone"] for row in rows if row["phone"][0]}
    assert all(quoted for _, quoted in phones)  # phone numbers stay text, leading zeros and all
    flat = "\n".join(text for row in units for text, _ in row)
    assert "#NAME?" not in flat and "Err:" not in flat

    # Hazards in English: dates are date cells shown as dates, funds a number, formulas text.
    rows = records(sheets["hazards"])
    assert len(rows) == 150
    h4 = next(row for row in rows if row["id"] == ("H4", True))
    assert h4["found_on"] == (
        found,
        False,
    )  # a date cell (bare), shown as yyyy-mm-dd, not a serial number
    assert h4["funds"] == ("12,000.00", False)  # a number cell with its money format
    assert h4["measures"] == (FORMULA_MEASURES, True)
    assert h4["contingency"] == ("-预案", True)
    for row in rows:
        for column in ("found_on", "deadline"):
            text, quoted = row[column]
            assert text == "" or (ISO_DATE.fullmatch(text) and not quoted), (
                row["id"],
                column,
                row[column],
            )
    assert all(row["funds"] == ("", False) for row in rows if row is not h4)

    # Hazards in Chinese: Chinese headers and labels, the same typed cells.
    zh = sheets["hazards-zh"]
    header = [text for text, _ in zh[0]]
    assert header[:5] == ["编号", "全局编号", "单位编号", "单位名称", "隐患描述"]
    h4 = next(row for row in records(zh) if row["编号"] == ("H4", True))
    assert h4["发现日期"] == (found, False)
    assert h4["治理资金（元）"] == ("12,000.00", False)  # the forms' terms (五落实: 治理资金, 治理措施)
    assert h4["治理措施"] == (FORMULA_MEASURES, True)
    assert h4["状态"] == ("待整改", True)
