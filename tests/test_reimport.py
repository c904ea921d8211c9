"""How an import reads rows, and what a re-import may change: only what the file says."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import VALID_CODES

FIXTURES = Path(__file__).parent / "fixtures"
ROSTER = FIXTURES / "roster.csv"
UNIT_HEADERS = ["单位名称", "统一社会信用代码", "行业领域", "所属镇街", "详细地址", "联系人", "联系电话", "风险等级"]
HOTEL = ["临江大酒店", VALID_CODES[1], "消防", "临江街道", "解放路88号", "周海涛", "0571-87654321", "橙"]


def write_csv(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def hazards(cli) -> dict[str, dict]:
    return {h["description"]: h for h in json.loads(cli("list", "--all", "-f", "json").stdout)}


def units(cli) -> dict[str, dict]:
    return {u["name"]: u for u in json.loads(cli("unit", "list", "-f", "json").stdout)}


def rejected_lines(stderr: str, row: int) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"row {row},") or line.startswith(f"row {row}:")]


@pytest.fixture
def hotel(cli, tmp_path):
    cli("import", "units", str(write_csv(tmp_path / "u.csv", UNIT_HEADERS, [HOTEL])))


@pytest.fixture
def closed_major(cli, hotel):
    """A major hazard with its five guarantees, verified and closed."""
    cli("add", "消防通道堵塞", "--unit", "U1", "--level", "major", "--found", "2026-11-02", "--deadline", "2026-11-20",
        "--owner", "陈伟", "--basis", "GB 35181-2025 5.1", "--found-by", "李明", "--source", "inspection")
    cli("plan", "H1", "--measures", "清理通道", "--funds", "1.2万", "--contingency", "应急疏散预案")
    cli("start", "H1")
    cli("done", "H1", "--on", "2026-11-15")
    cli("verify", "H1", "--by", "王芳", "--note", "合格", "--on", "2026-11-18")
    return hazards(cli)["消防通道堵塞"]


# -- a re-import changes only the columns the file has ------------------------------------------


def test_reimport_of_three_columns_leaves_a_closed_major_hazard_as_it_was(cli, tmp_path, closed_major):
    path = write_csv(tmp_path / "h.csv", ["隐患描述", "单位名称", "发现日期"], [["消防通道堵塞", "临江大酒店", "2026-11-02"]])
    result = cli("import", "hazards", str(path))
    assert "0 new, 0 updated, 1 unchanged" in result.stdout
    after = hazards(cli)["消防通道堵塞"]
    assert after == closed_major
    assert after["status"] == "closed" and after["level"] == "major" and after["verified_by"] == "王芳"
    assert after["funds"] == "12000.00" and after["contingency"] == "应急疏散预案"
    cli("check")


def test_reimport_changes_the_present_column_only_and_history_says_so(cli, tmp_path, closed_major):
    path = write_csv(tmp_path / "h.csv", ["隐患描述", "单位名称", "发现日期", "整改责任人"],
                     [["消防通道堵塞", "临江大酒店", "2026-11-02", "赵强"]])
    assert "0 new, 1 updated" in cli("import", "hazards", str(path)).stdout
    after = hazards(cli)["消防通道堵塞"]
    assert after == {**closed_major, "owner": "赵强", "updated_at": after["updated_at"]}
    entry = json.loads(cli("history", "H1", "-f", "json").stdout)[-1]
    assert entry["action"] == "import" and entry["before"] == {"owner": "陈伟"} and entry["after"] == {"owner": "赵强"}
    cli("check")


@pytest.fixture
def open_hazard(cli, hotel):
    """A general hazard still being rectified."""
    cli("add", "消防通道堵塞", "--unit", "U1", "--found", "2026-11-02", "--deadline", "2026-12-20",
        "--owner", "陈伟", "--basis", "GB 35181-2025 5.1", "--found-by", "李明", "--source", "inspection")
    return hazards(cli)["消防通道堵塞"]


def test_blank_cells_leave_fields_alone_unless_blank_clears(cli, tmp_path, open_hazard):
    headers = ["隐患描述", "单位名称", "发现日期", "判定依据", "发现人", "整改措施"]
    path = write_csv(tmp_path / "h.csv", headers, [["消防通道堵塞", "临江大酒店", "2026-11-02", "", "", "清理通道"]])
    assert "1 updated" in cli("import", "hazards", str(path)).stdout
    after = hazards(cli)["消防通道堵塞"]
    assert after == {**open_hazard, "measures": "清理通道", "updated_at": after["updated_at"]}  # blanks: untouched
    result = cli("import", "hazards", str(path), "--blank-clears")
    assert "0 new, 1 updated" in result.stdout
    after = hazards(cli)["消防通道堵塞"]
    assert after["basis"] is None and after["found_by"] is None and after["measures"] == "清理通道"
    assert after["owner"] == "陈伟" and after["status"] == "open"  # absent columns: untouched
    entry = json.loads(cli("history", "H1", "-f", "json").stdout)[-1]
    assert entry["before"] == {"basis": "GB 35181-2025 5.1", "found_by": "李明"}
    assert entry["after"] == {"basis": None, "found_by": None}
    cli("check")


def test_blank_clears_cannot_empty_a_closed_hazard_any_more_than_edit_can(cli, tmp_path, closed_major):
    headers = ["隐患描述", "单位名称", "发现日期", "判定依据", "发现人", "整改措施"]
    path = write_csv(tmp_path / "h.csv", headers, [["消防通道堵塞", "临江大酒店", "2026-11-02", "", "", "清理通道"]])
    assert "1 unchanged" in cli("import", "hazards", str(path)).stdout
    result = cli("import", "hazards", str(path), "--blank-clears", code=2)
    (line,) = rejected_lines(result.stderr, 2)
    assert "cannot be emptied" in line
    assert hazards(cli)["消防通道堵塞"] == closed_major
    edit = cli("edit", "H1", "--basis", "", code=1)
    assert "cannot be emptied" in edit.stderr


def test_a_void_hazard_is_not_changed_by_a_reimport(cli, tmp_path, hotel):
    cli("add", "消防通道堵塞", "--unit", "U1", "--found", "2026-11-02", "--owner", "陈伟")
    cli("void", "H1", "--reason", "重复登记")
    before = hazards(cli)["消防通道堵塞"]
    path = write_csv(tmp_path / "h.csv", ["隐患描述", "单位名称", "发现日期", "隐患级别"],
                     [["消防通道堵塞", "临江大酒店", "2026-11-02", "重大"]])
    result = cli("import", "hazards", str(path), code=2)
    assert "is Void" in rejected_lines(result.stderr, 2)[0] and "can no longer be changed" in result.stderr
    assert hazards(cli)["消防通道堵塞"] == before


def test_a_present_column_is_checked_against_the_stored_record(cli, tmp_path, hotel):
    # A deadline the file gives is checked against the record's date found.
    cli("add", "消防通道堵塞", "--unit", "U1", "--found", "2026-11-10", "--owner", "陈伟")
    headers = ["隐患描述", "单位名称", "发现日期", "整改期限"]
    early = write_csv(tmp_path / "h.csv", headers, [["消防通道堵塞", "临江大酒店", "2026-11-10", "2026-11-05"]])
    result = cli("import", "hazards", str(early), code=2)
    assert "before the date found (2026-11-10)" in rejected_lines(result.stderr, 2)[0]
    # `add` gave it the default deadline (found + 30 days): a file saying the same changes nothing.
    later = write_csv(tmp_path / "h2.csv", headers, [["消防通道堵塞", "临江大酒店", "2026-11-10", "2026-12-10"]])
    assert "1 unchanged" in cli("import", "hazards", str(later)).stdout
    assert hazards(cli)["消防通道堵塞"]["deadline"] == "2026-12-10"


def test_reimport_of_a_thin_roster_keeps_risk_contact_phone_and_address(cli, tmp_path, hotel):
    before = units(cli)["临江大酒店"]
    path = write_csv(tmp_path / "thin.csv", ["单位名称", "统一社会信用代码", "行业领域", "所属镇街"], [HOTEL[:4]])
    assert "0 new, 0 updated, 1 unchanged" in cli("import", "units", str(path)).stdout
    assert units(cli)["临江大酒店"] == before
    blanks = write_csv(tmp_path / "blank.csv", UNIT_HEADERS, [[*HOTEL[:4], "", "", "", ""]])
    assert "1 unchanged" in cli("import", "units", str(blanks)).stdout
    assert units(cli)["临江大酒店"] == before
    assert "1 updated" in cli("import", "units", str(blanks), "--blank-clears").stdout
    after = units(cli)["临江大酒店"]
    assert (after["address"], after["contact"], after["phone"], after["risk"]) == (None, None, None, None)
    assert after["credit_code"] == VALID_CODES[1]


def test_blank_clears_never_erases_a_credit_code(cli, tmp_path, hotel):
    uid = units(cli)["临江大酒店"]["uid"]
    path = write_csv(tmp_path / "u.csv", ["uid", *UNIT_HEADERS], [[uid, HOTEL[0], "", *HOTEL[2:]]])
    cli("import", "units", str(path), "--blank-clears")
    assert units(cli)["临江大酒店"]["credit_code"] == VALID_CODES[1]


# -- the same record twice in one file -----------------------------------------------------------


def test_the_same_hazard_twice_in_a_file_is_a_duplicate_never_a_downgrade(cli, tmp_path, hotel):
    headers = ["隐患描述", "单位名称", "发现日期", "隐患级别", "整改责任人", "整改期限"]
    rows = [
        ["消防通道堵塞", "临江大酒店", "2026-11-02", "重大", "陈伟", "2026-12-02"],
        ["灭火器过期", "临江大酒店", "2026-11-02", "一般", "", "2026-12-02"],
        ["消防通道堵塞", "临江大酒店", "2026年11月2日", "一般", "王芳", "2026-12-02"],
    ]
    path = write_csv(tmp_path / "h.csv", headers, rows)
    result = cli("import", "hazards", str(path), code=2)
    (line,) = rejected_lines(result.stderr, 4)
    assert "already appears in row 2 of this file" in line
    assert "0 rejected" not in result.stdout and hazards(cli) == {}
    cli("import", "hazards", str(path), "--skip-invalid")
    stored = hazards(cli)
    assert stored["消防通道堵塞"]["level"] == "major" and stored["消防通道堵塞"]["owner"] == "陈伟"
    again = cli("import", "hazards", str(path), "--skip-invalid")  # the register has it; the file still repeats it
    assert "0 new, 0 updated, 2 unchanged, 1 rejected" in again.stdout
    assert hazards(cli)["消防通道堵塞"]["level"] == "major"


def test_the_same_uid_twice_in_a_file_is_a_duplicate(cli, tmp_path, hotel):
    cli("add", "消防通道堵塞", "--unit", "U1", "--found", "2026-11-02")
    uid = hazards(cli)["消防通道堵塞"]["uid"]
    headers = ["uid", "隐患描述", "单位名称", "发现日期", "隐患级别"]
    rows = [[uid, "消防通道堵塞", "临江大酒店", "2026-11-02", "重大"], [uid, "消防通道堵塞", "临江大酒店", "2026-11-02", "一般"]]
    result = cli("import", "hazards", str(write_csv(tmp_path / "h.csv", headers, rows)), code=2)
    (line,) = rejected_lines(result.stderr, 3)
    assert "row 2 of this file" in line and uid in line


def test_the_same_unit_without_a_code_twice_in_a_file_is_a_duplicate(cli, tmp_path):
    rows = [["青山镇金桥烟花爆竹批发部", "", "烟花爆竹", "青山镇", "", "", "", "红"],
            ["青山镇金桥烟花爆竹批发部", "", "烟花爆竹", "青山镇", "", "", "", "蓝"]]
    result = cli("import", "units", str(write_csv(tmp_path / "u.csv", UNIT_HEADERS, rows)), code=2)
    (line,) = rejected_lines(result.stderr, 3)
    assert line.startswith("row 3, 单位名称") and "already appears in row 2 of this file" in line
    cli("import", "units", str(tmp_path / "u.csv"), "--skip-invalid")
    assert units(cli)["青山镇金桥烟花爆竹批发部"]["risk"] == "red"


# -- money headers with a unit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["整改资金（万元）", "整改资金(万元)", "整改资金 (万元)", "治理资金（万元）", "资金（万元）", "金额/万元", "金额（万元）",
     "整改资金/万元", "整改资金万元", "funds_10k", "funds (10k yuan)", "Funds（万元）", "funds_wan"],
)
def test_money_headers_in_ten_thousand_yuan(cli, tmp_path, hotel, header):
    path = write_csv(tmp_path / "h.csv", ["隐患描述", "单位名称", "发现日期", header],
                     [["消防通道堵塞", "临江大酒店", "2026-11-02", "0.1"], ["灭火器过期", "临江大酒店", "2026-11-02", "1,200.5"],
                      ["照明不足", "临江大酒店", "2026-11-02", "800元"]])
    result = cli("import", "hazards", str(path))
    assert header not in result.stderr  # read, not reported as a column left out
    stored = hazards(cli)
    assert stored["消防通道堵塞"]["funds"] == "1000.00"
    assert stored["灭火器过期"]["funds"] == "12005000.00"
    assert stored["照明不足"]["funds"] == "800.00"  # a cell that names its unit keeps it


@pytest.mark.parametrize("header", ["整改资金（元）", "治理资金(元)", "金额/元", "金额", "funds_yuan", "funds (yuan)", "整改资金"])
def test_money_headers_in_yuan(cli, tmp_path, hotel, header):
    path = write_csv(tmp_path / "h.csv", ["隐患描述", "单位名称", "发现日期", header],
                     [["消防通道堵塞", "临江大酒店", "2026-11-02", "1000"]])
    result = cli("import", "hazards", str(path))
    assert header not in result.stderr
    assert hazards(cli)["消防通道堵塞"]["funds"] == "1000.00"


@pytest.mark.parametrize("header", ["整改资金（万元）", "投入（万元）", "专项经费/万元"])
def test_map_keeps_the_unit_of_the_header(cli, tmp_path, hotel, header):
    path = write_csv(tmp_path / "h.csv", ["隐患描述", "单位名称", "发现日期", header],
                     [["消防通道堵塞", "临江大酒店", "2026-11-02", "0.1"]])
    cli("import", "hazards", str(path), "--map", f"{header}=funds")
    assert hazards(cli)["消防通道堵塞"]["funds"] == "1000.00"


def test_xlsx_number_cell_in_ten_thousand_yuan(cli, tmp_path, hotel):
    book = Workbook()
    book.active.append(["隐患描述", "单位名称", "发现日期", "治理资金（万元）"])
    book.active.append(["消防通道堵塞", "临江大酒店", "2026-11-02", 0.35])
    book.save(tmp_path / "h.xlsx")
    cli("import", "hazards", str(tmp_path / "h.xlsx"))
    assert hazards(cli)["消防通道堵塞"]["funds"] == "3500.00"


# -- every error of a row, values kept short ---------------------------------------------------------


def test_every_error_of_a_unit_row_is_reported(cli, tmp_path):
    row = ["宏达", "91320116YE4HKQNQK0", "航天发射", "青山镇", "", "", "12ab", "紫"]
    result = cli("import", "units", str(write_csv(tmp_path / "u.csv", UNIT_HEADERS, [HOTEL, row])), code=2)
    lines = rejected_lines(result.stderr, 3)
    assert len(lines) == 4, lines
    for column in ("统一社会信用代码", "行业领域", "联系电话", "风险等级"):
        assert any(line.startswith(f"row 3, {column} ") for line in lines), column
    assert "1 rejected" in result.stdout


def test_every_error_of_a_hazard_row_is_reported_unit_included(cli, tmp_path, hotel):
    headers = ["隐患描述", "单位名称", "发现日期", "隐患级别", "整改资金"]
    rows = [["灭火器过期", "不存在的公司", "11月31日", "特大", "很多"]]
    result = cli("import", "hazards", str(write_csv(tmp_path / "h.csv", headers, rows)), code=2)
    lines = rejected_lines(result.stderr, 2)
    assert [line.split(" '")[0] for line in lines] == ["row 2, 单位名称", "row 2, 发现日期", "row 2, 隐患级别", "row 2, 整改资金"]


def test_errors_file_keeps_one_line_per_rejected_row(cli, tmp_path):
    row = ["宏达", "91320116YE4HKQNQK0", "航天发射", "青山镇", "", "", "12ab", "紫"]
    errors = tmp_path / "errors.csv"
    cli("import", "units", str(write_csv(tmp_path / "u.csv", UNIT_HEADERS, [row])), "--skip-invalid", "--errors", str(errors))
    lines = list(csv.reader(io.StringIO(errors.read_text(encoding="utf-8-sig"))))
    assert len(lines) == 2 and lines[1][0] == "2" and lines[1][3:] == row
    assert all(column in lines[1][1] for column in ("统一社会信用代码", "行业领域", "联系电话", "风险等级"))
    assert "GB 32100" in lines[1][2] and "12ab" in lines[1][2]


def test_an_overlong_value_is_shortened_in_the_message(cli, tmp_path, hotel):
    long_name = "临江" * 300
    long_date = "二〇二六年" * 200
    path = write_csv(tmp_path / "h.csv", ["隐患描述", "单位名称", "发现日期"], [["灭火器过期", long_name, long_date]])
    result = cli("import", "hazards", str(path), code=2)
    lines = rejected_lines(result.stderr, 2)
    assert len(lines) == 2
    for line, value in zip(lines, (long_name, long_date), strict=True):
        assert value[:40] in line and value[:41] not in line
        assert f"({len(value)} characters)" in line
        assert len(line) < 300, line


# -- a refused import says what it would have done ---------------------------------------------------


def test_refused_import_says_would_add_and_would_update(cli, tmp_path, hotel):
    changed = [*HOTEL[:6], "13800000001", HOTEL[7]]
    rows = [changed, ["临江新材料公司", VALID_CODES[2], "工贸", "青山镇", "", "", "", "蓝"],
            ["青山镇金桥烟花爆竹批发部", "", "烟花爆竹", "青山镇", "", "", "", "橙"],
            ["坏行", "", "航天发射", "青山镇", "", "", "", ""]]
    result = cli("import", "units", str(write_csv(tmp_path / "u.csv", UNIT_HEADERS, rows)), code=2)
    assert "would add 2, would update 1, 0 unchanged, 1 rejected" in result.stdout
    assert "2 new" not in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("Nothing was written")
    assert units(cli)["临江大酒店"]["phone"] == "0571-87654321"
    zh = cli("--lang", "zh", "import", "units", str(tmp_path / "u.csv"), code=2)
    assert "将新增 2" in zh.stdout and "将更新 1" in zh.stdout


def test_dry_run_says_would_too(cli, tmp_path):
    result = cli("import", "units", str(write_csv(tmp_path / "u.csv", UNIT_HEADERS, [HOTEL])), "--dry-run")
    assert "would add 1, would update 0" in result.stdout and "nothing was written" in result.stdout


# -- XLSX formulas ---------------------------------------------------------------------------------------


def _with_cached_values(path: Path, cached: str) -> None:
    """Give every formula cell the cached value Excel saves with it (here an error, as for =-预案).

    openpyxl writes the empty value as `<v />`, or as `<v></v>` when lxml is installed."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet, count = re.subn(r'<c r="([A-Z]+\d+)"><f>(.*?)</f>(?:<v */>|<v></v>)</c>',
                           lambda m: f'<c r="{m[1]}" t="e"><f>{m[2]}</f><v>{cached}</v></c>', sheet)
    assert count
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_xlsx_formula_cells_are_read_as_typed_and_a_reimport_after_csv_changes_nothing(cli, tmp_path):
    cli("import", "units", str(ROSTER), "--skip-invalid")
    before = units(cli)
    formula_names = [n for n in before if n.startswith("=")]
    assert formula_names  # the sample roster has a name a spreadsheet would run
    with ROSTER.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / "roster.xlsx"
    book.save(path)
    _with_cached_values(path, "#NAME?")
    result = cli("import", "units", str(path), "--skip-invalid")
    assert "0 new, 0 updated, 61 unchanged, 7 rejected" in result.stdout
    assert units(cli) == before
