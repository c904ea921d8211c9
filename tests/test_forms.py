"""The official statistical form (生产经营单位事故隐患排查治理情况统计表): every cell of a small register
worked out by hand, on both engines."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from hazreg.register import Register
from hazreg.register.forms import COUNTS, fen_to_wan, form, forms_due, percent, period_of


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("HAZREG_NOW", moment)


@pytest.fixture
def november(reg: Register, monkeypatch, tmp_path) -> Register:
    """November 2026 of a small district, each step at a known moment (register in Shanghai)."""
    monkeypatch.setenv("TZ", "UTC")
    at(monkeypatch, "2026-11-02T02:00:00+00:00")
    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})  # U1
    reg.units.add({"name": "桃源安置房项目部", "industry": "construction", "locality": "青山镇"})  # U2
    reg.units.add({"name": "宏达化工有限公司", "industry": "hazardous_chemicals", "locality": "青山镇"})  # U3
    reg.units.add({"name": "东城燃气供应站", "industry": "gas", "locality": "临江街道"})  # U4
    reg.campaigns.add_inspection({"unit": 4, "on": "2026-10-28", "inspectors": "王建国"})  # October
    reg.hazards.add({"unit": 4, "description": "调压箱锈蚀", "found_on": "2026-10-30", "deadline": "2026-11-20"})  # H1
    at(monkeypatch, "2026-11-05T02:00:00+00:00")
    reg.campaigns.add_inspection({"unit": 1, "on": "2026-11-05", "inspectors": "王建国"})
    reg.hazards.add({"unit": 1, "description": "后厨灭火器过期", "found_on": "2026-11-05", "deadline": "2026-11-15"})  # H2
    reg.hazards.plan(2, {"funds": "12345"})
    reg.hazards.start(1)
    reg.hazards.done(1, on="2026-11-05")
    at(monkeypatch, "2026-11-10T02:00:00+00:00")
    reg.campaigns.add_inspection({"unit": 2, "on": "2026-11-10", "inspectors": "李明"})
    reg.hazards.add({"unit": 2, "description": "塔吊力矩限制器失效", "level": "major", "found_on": "2026-11-10",
                     "deadline": "2026-12-31"})  # H3
    reg.hazards.plan(3, {"owner": "黄立新", "measures": "更换限制器", "funds": "50", "contingency": "停用塔吊"})
    reg.hazards.start(2)
    reg.hazards.done(2, on="2026-11-10")
    reg.hazards.verify(2, "李明", "复查合格")
    at(monkeypatch, "2026-11-12T02:00:00+00:00")
    reg.supervision.supervise("H3", "区安委办", "district", due="2027-01-31", notice="宁江安委督〔2026〕1号")
    at(monkeypatch, "2026-11-15T02:00:00+00:00")
    reg.hazards.add({"unit": 3, "description": "储罐区可燃气体报警器失效", "level": "major", "found_on": "2026-11-15",
                     "deadline": "2026-12-15"})  # H4
    reg.hazards.plan(4, {"measures": "更换报警器", "funds": "49.99"})
    reg.supervision.supervise("H4", "市安委办", "city", due="2027-01-31", notice="江城安委督〔2026〕7号")
    at(monkeypatch, "2026-11-18T02:00:00+00:00")
    reg.hazards.add({"unit": 3, "description": "装卸区防雷接地失效", "level": "major", "found_on": "2026-11-18",
                     "deadline": "2026-11-30"})  # H5
    reg.hazards.plan(5, {"owner": "陈刚", "measures": "重做接地", "funds": "200000", "contingency": "停止装卸"})
    reg.supervision.supervise("H5", "省安委办", "province", due="2026-12-31", notice="省安委督〔2026〕3号")
    at(monkeypatch, "2026-11-20T02:00:00+00:00")
    reg.campaigns.add_inspection({"unit": 1, "on": "2026-11-20", "inspectors": "王建国"})  # U1 again: one unit
    reg.hazards.add({"unit": 1, "description": "疏散通道堆放杂物", "found_on": "2026-11-20", "deadline": "2026-12-10"})  # H6
    reg.hazards.start(5)
    reg.hazards.done(5, on="2026-11-20")
    at(monkeypatch, "2026-11-22T02:00:00+00:00")
    report = tmp_path / "评估报告.pdf"
    report.write_bytes(b"%PDF-1.4 evaluation report")
    reg.supervision.apply_close("H5", "陈刚", report)  # 销号申请 → 验收 → 销号, as a listed hazard closes
    reg.supervision.accept("H5", "省安委办")
    reg.hazards.verify(5, "省厅专家组", "验收合格")
    at(monkeypatch, "2026-11-23T02:00:00+00:00")
    reg.supervision.delist("H5", "验收合格，摘牌")
    at(monkeypatch, "2026-11-25T02:00:00+00:00")
    reg.hazards.start(4)
    reg.hazards.done(4, on="2026-11-25")
    reg.hazards.add({"unit": 2, "description": "重复录入", "found_on": "2026-11-25", "deadline": "2026-12-10"})  # H7
    reg.hazards.void(7, "重复录入")
    # Monday 30 November 23:59 in Shanghai (15:59 UTC): still November …
    at(monkeypatch, "2026-11-30T15:59:00+00:00")
    reg.hazards.add({"unit": 1, "description": "安全出口指示灯损坏", "found_on": "2026-11-28", "deadline": "2026-12-05"})  # H8
    # … 1 December 00:00 in Shanghai: recorded after the month's end, not on November's form.
    at(monkeypatch, "2026-11-30T16:00:00+00:00")
    reg.hazards.add({"unit": 1, "description": "配电箱未上锁", "found_on": "2026-11-30", "deadline": "2026-12-05"})  # H9
    reg.campaigns.add_inspection({"unit": 3, "on": "2026-11-30", "inspectors": "李明"})
    at(monkeypatch, "2026-12-02T04:00:00+00:00")
    return reg


def _row(report: dict, industry: str | None) -> dict:
    if industry is None:
        return report["total"]
    return next(r for r in report["rows"] if r["industry"] == industry)


NOVEMBER = {  # hand-computed: (industry) -> the cells that are not zero / empty
    "fire": {"units": 1, "inspected": 1, "coverage": Decimal("100.0"), "general_found": 3, "general_rectified": 1,
             "general_rate": Decimal("33.3"), "funds_wan": Decimal("1.23")},
    "construction": {"units": 1, "inspected": 1, "coverage": Decimal("100.0"), "major_found": 1, "major_closed": 0,
                     "major_rate": Decimal("0.0"), "major_planned": 1, "major_guaranteed": 1, "supervised_district": 1,
                     "funds_wan": Decimal("0.01")},
    "hazardous_chemicals": {"units": 1, "inspected": 0, "coverage": Decimal("0.0"), "major_found": 2,
                            "major_closed": 1, "major_rate": Decimal("50.0"), "major_planned": 2,
                            "major_guaranteed": 1, "supervised_city": 1, "supervised_province": 1,
                            "funds_wan": Decimal("20.00")},
    "gas": {"units": 1, "inspected": 0, "coverage": Decimal("0.0"), "funds_wan": Decimal("0.00")},
    None: {"units": 4, "inspected": 2, "coverage": Decimal("50.0"), "general_found": 3, "general_rectified": 1,
           "general_rate": Decimal("33.3"), "major_found": 3, "major_closed": 1, "major_rate": Decimal("33.3"),
           "major_planned": 3, "major_guaranteed": 2, "supervised_province": 1, "supervised_city": 1,
           "supervised_district": 1, "funds_wan": Decimal("21.24")},
}


def _expected(cells: dict) -> dict:
    empty = {**dict.fromkeys(COUNTS, 0), "coverage": None, "general_rate": None, "major_rate": None,
             "funds_wan": Decimal("0.00")}
    return {**empty, **cells}


def test_every_cell_of_november(november):
    report = form(november, "monthly", "2026-11")
    assert (report["period"], report["first"], report["last"], report["due"]) == ("2026-11", "2026-11-01", "2026-11-30", None)
    assert [r["industry"] for r in report["rows"]] == ["fire", "road_traffic", "construction", "hazardous_chemicals",
                                                      "fireworks", "special_equipment", "industry_trade", "gas", "other"]
    for row in [*report["rows"], report["total"]]:
        cells = {k: row[k] for k in _expected({})}
        assert cells == _expected(NOVEMBER.get(row["industry"], {})), row["industry"]
    assert _row(report, None)["funds_yuan"] == Decimal("212444.99")


def test_row_and_column_totals_agree(november):
    for kind, spec in (("monthly", "2026-11"), ("quarterly", "2026Q4"), ("annual", "2026")):
        report = form(november, kind, spec)
        for key in COUNTS:
            assert sum(r[key] for r in report["rows"]) == report["total"][key], (kind, key)
        assert sum(r["funds_wan"] for r in report["rows"]) == report["total"]["funds_wan"]
        for row in [*report["rows"], report["total"]]:
            # Across a row: the supervised are majors, the rectified are of those found, the
            # guaranteed are of those planned.
            supervised = row["supervised_province"] + row["supervised_city"] + row["supervised_district"]
            assert supervised <= row["major_found"]
            assert row["general_rectified"] <= row["general_found"]
            assert row["major_closed"] <= row["major_found"]
            assert row["major_guaranteed"] <= row["major_planned"] <= row["major_found"]
            assert row["inspected"] <= row["units"]


def test_the_quarter_takes_in_october(november):
    report = form(november, "quarterly", "2026Q4")
    assert (report["period"], report["first"], report["last"], report["due"]) == ("2026Q4", "2026-10-01", "2026-12-31", "2027-01-15")
    # Made on 2 December: the quarter so far, as it stands (its end is still to come).
    gas = _row(report, "gas")
    assert (gas["units"], gas["inspected"], gas["general_found"], gas["general_rectified"]) == (1, 1, 1, 1)
    assert _row(report, "hazardous_chemicals")["inspected"] == 1  # U3's inspection of 30 November
    assert _row(report, "fire")["general_found"] == 4  # H9, recorded on 1 December, is in the quarter
    assert form(november, "annual", "2026")["due"] == "2027-01-31"


def test_a_past_period_gives_the_same_cells_whenever_it_is_made(november, monkeypatch):
    before = form(november, "monthly", "2026-11")
    at(monkeypatch, "2026-12-03T04:00:00+00:00")
    november.hazards.start(6)
    november.hazards.done(6)  # rectified in December
    november.hazards.void(3, "判定有误")
    november.hazards.plan(4, {"owner": "陈刚", "contingency": "停用储罐"})
    november.hazards.edit(8, {"level": "major"})
    november.units.edit(1, {"industry": "gas"})
    november.units.add({"name": "新开业的超市", "industry": "fire", "locality": "临江街道"})
    november.campaigns.add_inspection({"unit": 3, "on": "2026-11-26", "inspectors": "李明"})  # recorded in December
    november.units.edit(2, {"industries": ["construction", "fire"]})  # a second industry, in December
    november.supervision.supervise("H8", "区安委办", "district", due="2027-02-28", notice="宁江安委督〔2026〕9号")
    after = form(november, "monthly", "2026-11")
    assert after["rows"] == before["rows"]
    assert after["total"] == before["total"]
    assert form(november, "monthly", "2026-12")["rows"] != before["rows"]


def test_a_unit_in_two_industries_is_counted_in_each_row(reg: Register, monkeypatch):
    """A hotel in fire and special equipment is a unit to inspect in both rows (the total row
    adds the rows as printed)."""
    at(monkeypatch, "2026-11-02T02:00:00+00:00")
    reg.units.add({"name": "临江大酒店", "industries": ["fire", "special_equipment"], "locality": "临江街道"})
    reg.units.add({"name": "东城燃气供应站", "industry": "gas", "locality": "临江街道"})
    at(monkeypatch, "2026-11-05T02:00:00+00:00")
    reg.campaigns.add_inspection({"unit": 1, "on": "2026-11-05", "inspectors": "王建国"})
    at(monkeypatch, "2026-12-02T02:00:00+00:00")
    report = form(reg, "monthly", "2026-11")
    fire, equipment, gas = (_row(report, i) for i in ("fire", "special_equipment", "gas"))
    assert (fire["units"], fire["inspected"]) == (1, 1)
    assert (equipment["units"], equipment["inspected"]) == (1, 1)
    assert (gas["units"], gas["inspected"]) == (1, 0)
    assert (report["total"]["units"], report["total"]["inspected"]) == (3, 2)


def test_wan_rounding_is_exact_half_up():
    assert fen_to_wan(1_234_500) == Decimal("1.23")  # 12 345 yuan
    assert fen_to_wan(5_000) == Decimal("0.01")  # 50 yuan: 0.005万, half up
    assert fen_to_wan(4_999) == Decimal("0.00")  # 49.99 yuan
    assert fen_to_wan(500) == Decimal("0.00")  # 5 yuan: 0.0005万
    assert fen_to_wan(15_000) == Decimal("0.02")  # 0.015万: half up (not to even)
    assert fen_to_wan(25_000) == Decimal("0.03")  # 0.025万: half up (banker's rounding would give 0.02)
    assert fen_to_wan(20_004_999) == Decimal("20.00")
    assert fen_to_wan(20_005_000) == Decimal("20.01")
    assert fen_to_wan(10**17 + 5_000) == Decimal("100000000000.01")  # no float anywhere
    assert percent(1, 3) == Decimal("33.3") and percent(2, 3) == Decimal("66.7")
    assert percent(1, 16) == Decimal("6.3")  # 6.25 half up
    assert percent(0, 0) is None


@pytest.mark.parametrize(("kind", "spec", "first", "last"), [
    ("monthly", "2026-02", "2026-02-01", "2026-02-28"), ("monthly", "202412", "2024-12-01", "2024-12-31"),
    ("quarterly", "2026Q1", "2026-01-01", "2026-03-31"), ("quarterly", "2026-q3", "2026-07-01", "2026-09-30"),
    ("annual", "2025", "2025-01-01", "2025-12-31"),
    ("monthly", None, "2026-11-01", "2026-11-30"), ("quarterly", None, "2026-07-01", "2026-09-30"),
    ("annual", None, "2025-01-01", "2025-12-31"),
])
def test_periods(kind, spec, first, last):
    from datetime import date

    period = period_of(kind, spec, date(2026, 12, 2))
    assert (period.first.isoformat(), period.last.isoformat()) == (first, last)


def test_forms_due():
    from datetime import date

    assert forms_due(date(2026, 12, 2)) == []
    assert forms_due(date(2027, 1, 3)) == [
        {"kind": "quarterly", "period": "2026Q4", "due": "2027-01-15", "days_left": 12},
        {"kind": "annual", "period": "2026", "due": "2027-01-31", "days_left": 28}]
    assert forms_due(date(2027, 1, 16)) == [{"kind": "annual", "period": "2026", "due": "2027-01-31", "days_left": 15}]
    assert forms_due(date(2027, 4, 15)) == [{"kind": "quarterly", "period": "2027Q1", "due": "2027-04-15", "days_left": 0}]


# -- the command ----------------------------------------------------------------------------------


def test_json_and_csv_give_the_same_figures(november, cli):
    data = json.loads(cli("report", "form", "monthly", "--period", "2026-11", "--format", "json").stdout)
    assert data["period"] == "2026-11" and data["due"] is None
    total = data["total"]
    assert (total["units"], total["inspected"], total["coverage"], total["funds_wan"]) == (4, 2, "50.0", "21.24")
    fire = next(r for r in data["rows"] if r["industry"] == "fire")
    assert (fire["general_found"], fire["general_rate"], fire["funds_wan"]) == (3, "33.3", "1.23")
    assert next(r for r in data["rows"] if r["industry"] == "fireworks")["coverage"] is None
    rows = list(csv.DictReader(io.StringIO(cli("report", "form", "monthly", "-p", "2026-11", "-f", "csv").stdout)))
    assert [r["industry"] for r in rows][-1] == "total"
    by = {r["industry"]: r for r in rows}
    for row in [*data["rows"], data["total"]]:
        assert {k: str(v) if v is not None else "" for k, v in row.items()} == by[row["industry"]]


def test_bad_period_and_kind(november, cli):
    assert "2026Q4" in cli("report", "form", "quarterly", "--period", "2026-13", code=2).stderr
    assert cli("report", "form", "weekly", code=2).stderr.count("\n") == 1
    assert "-o" in cli("report", "form", "monthly", "-f", "xlsx", code=2).stderr


def _cells(path: Path) -> list[list]:
    from openpyxl import load_workbook

    ws = load_workbook(path).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_xlsx_layout_and_cells(november, cli, tmp_path):
    cli("config", "form.unit", "宁江区应急管理局")
    cli("config", "form.head", "周国平")
    cli("config", "form.reviewer", "吴敏")
    cli("config", "form.preparer", "王建国")
    cli("config", "form.phone", "0571-8888 6666")
    target = tmp_path / "form.xlsx"
    cli("--lang", "zh", "report", "form", "monthly", "--period", "2026-11", "-o", str(target))
    from openpyxl import load_workbook

    ws = load_workbook(target).active
    assert ws["A1"].value == "生产经营单位事故隐患排查治理情况统计表"
    assert ws["A2"].value == "填报单位：宁江区应急管理局"
    assert "统计期间：2026年11月（2026-11-01至2026-11-30）" in ws["I2"].value
    assert [ws.cell(3, c).value for c in (1, 2, 5, 8, 13, 16)] == [
        "行业和领域", "排查单位", "一般事故隐患", "重大事故隐患", "挂牌督办（项）", "治理资金（万元）"]
    assert [ws.cell(4, c).value for c in range(13, 16)] == ["省级", "地市级", "县（区）级"]
    assert {"A1:P1", "A3:A4", "B3:D3", "E3:G3", "H3:L3", "M3:O3", "P3:P4"} <= {str(r) for r in ws.merged_cells.ranges}
    rows = {r[0]: r[1:16] for r in _cells(target)[4:14]}
    assert rows["消防"] == [1, 1, 100.0, 3, 1, 33.3, 0, 0, "—", 0, 0, 0, 0, 0, 1.23]
    assert rows["危险化学品"] == [1, 0, 0.0, 0, 0, "—", 2, 1, 50.0, 2, 1, 1, 1, 0, 20.0]
    assert rows["合计"] == [4, 2, 50.0, 3, 1, 33.3, 3, 1, 33.3, 3, 2, 1, 1, 1, 21.24]
    assert ws["P14"].number_format == "0.00" and ws["D14"].number_format == "0.0"
    foot = [ws.cell(16, c).value for c in (1, 4, 7, 10, 13)]
    assert foot == ["单位负责人：周国平", "审核人：吴敏", "填表人：王建国", "联系电话：0571-8888 6666", "填报日期：2026-12-02"]
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$4"
    assert ws["B5"].border.left.style == "thin"


def test_english_labels(november, cli, tmp_path):
    target = tmp_path / "form-en.xlsx"
    cli("--lang", "en", "report", "form", "monthly", "--period", "2026-11", "-o", str(target))
    cells = _cells(target)
    assert cells[0][0] == "Hazard identification and rectification by production and business units"
    assert cells[2][1] == "Units inspected" and cells[3][1] == "To inspect"
    assert cells[13][0] == "Total" and cells[13][15] == 21.24
    out = cli("--lang", "en", "report", "form", "monthly", "--period", "2026-11").stdout
    assert "Fire safety" in out and "Period: November 2026 (2026-11-01 to 2026-11-30)" in out


def test_due_lists_the_forms_to_send(november, cli, monkeypatch):
    at(monkeypatch, "2027-01-05T02:00:00+00:00")
    out = cli("--lang", "zh", "due").stdout
    assert "统计表 2026Q4（季报）须于 2027-01-15 前报送" in out
    assert "2026（年报）须于 2027-01-31 前报送" in out


def _render_forms():
    import importlib.util

    path = Path(__file__).parent.parent / "scripts" / "render_forms.py"
    spec = importlib.util.spec_from_file_location("render_forms", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice (soffice) or pdftoppm is not installed")
def test_libreoffice_prints_the_form_on_one_page(november, cli, tmp_path):
    target = tmp_path / "form.xlsx"
    cli("--lang", "zh", "report", "form", "monthly", "--period", "2026-11", "-o", str(target))
    png = tmp_path / "form.png"
    assert _render_forms().xlsx_to_png(target, png) == 1
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_pictures_in_docs_are_there():
    docs = Path(__file__).parent.parent / "docs"
    for lang in ("zh", "en"):
        assert (docs / f"statistical-form-{lang}.png").stat().st_size > 10_000


def test_form_settings_are_kept_and_recorded(reg, cli):
    cli("config", "form.unit", "  宁江区应急管理局 ")
    assert cli("config", "form.unit").stdout == "宁江区应急管理局\n"
    assert "form.unit = 宁江区应急管理局" in cli("config").stdout
    assert "form.head" in cli("config", "form.signature", "x", code=2).stderr
    entries = list(reg.store.history(record_type="settings"))
    assert entries[-1]["after"] == {"form.unit": "宁江区应急管理局"}


def test_kinds_in_chinese():
    from datetime import date

    assert period_of("季报", "2026Q4", date(2026, 12, 2)).label == "2026Q4"
    assert period_of("年报", None, date(2026, 12, 2)).label == "2025"
    assert period_of("月报", "2026-1", date(2026, 12, 2)).label == "2026-01"
