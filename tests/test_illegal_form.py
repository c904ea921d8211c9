"""The 打非治违 form (安全生产领域"打非治违"情况周报表/月报表): its periods, and every cell against a
hand-computed register of cases over two reporting weeks (双罚, partial payments, a late fine,
a closure, a transfer, a suspension).

The tests' clock is Sunday 29 November 2026, noon in Shanghai. Reporting weeks run Friday to
Thursday: 13–19 November (2026-W47) and 20–26 November (2026-W48, the last complete one).
"""

from __future__ import annotations

from datetime import date

import pytest

from hazreg.register.illegal import category_column, count, period_of


class _Reg:
    """Enough of a register for the period rules: today and the date parser."""

    def __init__(self, today: date) -> None:
        from hazreg.register.base import Context

        self._today = today
        self.ctx = Context.__new__(Context)
        self.ctx.today = lambda: today  # type: ignore[method-assign]

    def today(self) -> date:
        return self._today


@pytest.mark.parametrize(("today", "week", "first", "last", "label", "due"), [
    (date(2026, 11, 29), None, "2026-11-20", "2026-11-26", "2026-W48", "2026-11-27T12:00"),  # Sunday
    (date(2026, 11, 27), None, "2026-11-20", "2026-11-26", "2026-W48", "2026-11-27T12:00"),  # due today
    (date(2026, 11, 26), None, "2026-11-13", "2026-11-19", "2026-W47", "2026-11-20T12:00"),  # Thursday: not yet over
    (date(2026, 11, 29), "this", "2026-11-27", "2026-12-03", "2026-W49", "2026-12-04T12:00"),
    (date(2026, 11, 29), "2026-11-20", "2026-11-20", "2026-11-26", "2026-W48", "2026-11-27T12:00"),  # a Friday
    (date(2026, 11, 29), "2026-11-26", "2026-11-20", "2026-11-26", "2026-W48", "2026-11-27T12:00"),  # a Thursday
    (date(2026, 11, 29), "2026-11-19", "2026-11-13", "2026-11-19", "2026-W47", "2026-11-20T12:00"),
    (date(2026, 11, 29), "2026-W48", "2026-11-20", "2026-11-26", "2026-W48", "2026-11-27T12:00"),
    (date(2026, 11, 29), "W48", "2026-11-20", "2026-11-26", "2026-W48", "2026-11-27T12:00"),  # this year's
    (date(2026, 11, 29), "2026-W01", "2025-12-26", "2026-01-01", "2026-W01", "2026-01-02T12:00"),
])
def test_the_reporting_week_runs_friday_to_thursday(today, week, first, last, label, due):
    p = period_of(_Reg(today), week=week)  # type: ignore[arg-type]
    assert (p.kind, p.first.isoformat(), p.last.isoformat(), p.label, p.due) == ("weekly", first, last, label, due)
    assert p.first.weekday() == 4 and p.last.weekday() == 3
    assert p.year_first == date(p.last.year, 1, 1)  # the figures run from 1 January of the week's end


def test_the_month_and_its_due_date():
    p = period_of(_Reg(date(2026, 11, 29)), month="2026-11")  # type: ignore[arg-type]
    assert (p.kind, p.first, p.last, p.label, p.due) == ("monthly", date(2026, 11, 1), date(2026, 11, 30),
                                                         "2026-11", "2026-12-03")
    p = period_of(_Reg(date(2026, 11, 29)), month="2026-12")  # type: ignore[arg-type]
    assert p.due == "2027-01-03"


def test_the_cases_categories_are_the_forms_columns():
    from hazreg.enums import IllegalCategory
    from hazreg.register.illegal import CATEGORIES

    assert CATEGORIES == tuple(c.value for c in IllegalCategory) and len(CATEGORIES) == 13
    assert all(category_column(c) == c for c in CATEGORIES)
    assert category_column(None) == category_column("something new") == "other"


def test_count_on_plain_records():
    cases = [
        {"industry": "fire", "category": "concealment", "decided_on": "2026-11-23",
         "penalties": [{"type": "fine", "amount_fen": 100}, {"type": "fine", "amount_fen": 50},
                       {"type": "suspend", "amount_fen": None}, {"type": "suspend", "amount_fen": None}]},
        {"industry": "fire", "category": None, "decided_on": "2026-11-27", "penalties": [{"type": "warning"}]},
        {"industry": None, "category": "other", "decided_on": None, "penalties": []},  # not decided
    ]
    payments = [{"industry": "fire", "paid_on": "2026-11-26", "amount_fen": 70, "late_fen": 5},
                {"industry": "fire", "paid_on": "2026-11-27", "amount_fen": 80, "late_fen": 0}]
    rows = count(cases, payments, "2026-11-20", "2026-11-26")
    fire = rows["fire"]
    assert (fire["cases"], fire["concealment"], fire["fines"], fire["suspensions"], fire["warnings"]) == (1, 1, 2, 1, 0)
    assert (fire["fines_decided"], fire["fines_collected"], fire["late_collected"]) == (150, 70, 5)
    assert list(rows) == ["fire"]


# -- the register: seven cases ---------------------------------------------------------------------
#
# U1 临江市宏达化工有限公司 (危化品), U2 临江大酒店 (消防), and 张三's unlicensed filling point (危化品, not
# on the roster). Reporting week A = 13–19 November, B = 20–26 November (both Friday to Thursday).
#
# case  industry  decided     category (the form's column)               penalties                         payments
# C1    危化品    2026-03-10  1 unlicensed                                  fine unit 50000, principal 10000  03-20: 50000 + 10000
# C2    消防      2026-11-16  7 rule_violations                             warning; fine unit 12345.67       11-18: 5000 (A); 11-24: 7345.67 (B)
# C3    危化品    2026-11-17  2 reopened_after_closure                      close; judicial_transfer (张三)    —
# C4    危化品    2026-11-23  4 concealment                                 suspend; fine unit 100000,        11-25: 60000 (part), 20000
#                                                                           principal 20000; accountability
# C5    消防      (opened 11-25, not decided)
# C6    消防      2026-09-01  3 unapproved_production                       fine unit 10000 (due 09-16)       11-21 (B): 10000 + 10000 加处罚款
# C7    消防      2026-11-27  9 hazard_management                           fine unit 3000                    — (after week B)
#
# C1 executed 04-01 and closed 04-02; C2 executed 11-26 and closed 11-27.

def _case(reg, who, opened, inv, notified, decided, category, penalties, clause):
    case = reg.cases.open({**who, "cause": "打非治违检查", "on": opened, "by": "李明"})
    reg.cases.step(case["id"], "调查取证", on=inv, by="李明")
    reg.cases.step(case["id"], "告知", on=notified, by="李明", hearing="陈述申辩")
    return reg.cases.decide(case["id"], {"category": category, "violation": "见案卷", "clause": clause,
                                         "penalties": penalties, "on": decided, "by": "张强"})


@pytest.fixture
def cases(reg):
    from tests.conftest import VALID_CODES

    u1 = reg.units.add({"name": "临江市宏达化工有限公司", "industry": "hazardous_chemicals", "locality": "青山镇",
                        "credit_code": VALID_CODES[0], "contact": "王建国"})
    u2 = reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道",
                        "credit_code": VALID_CODES[1], "contact": "刘芳"})
    fine = lambda amount, kind="unit": {"party_kind": kind, "type": "罚款", "amount": amount}  # noqa: E731
    c1 = _case(reg, {"unit": u1["id"]}, "2026-03-02", "2026-03-04", "2026-03-06", "2026-03-10", "unlicensed",
               [fine("50000"), fine("10000", "principal")], "aqf-99-overdue")
    p1 = reg.cases.penalties(c1["id"])
    reg.cases.pay(c1["id"], "50000", on="2026-03-20", penalty=p1[0]["id"])
    reg.cases.pay(c1["id"], "10000", on="2026-03-20", penalty=p1[1]["id"])
    reg.cases.step(c1["id"], "执行", on="2026-04-01", by="李明")
    reg.cases.close(c1["id"], on="2026-04-02", by="李明")
    c2 = _case(reg, {"unit": u2["id"]}, "2026-11-09", "2026-11-10", "2026-11-12", "2026-11-16", "rule_violations",
               [{"party_kind": "unit", "type": "警告"}, fine("12345.67")], "aqf-99")
    reg.cases.pay(c2["id"], "5000", on="2026-11-18")
    _case(reg, {"party": "张三（无证加油点）", "locality": "青山镇", "industry": "hazardous_chemicals"},
               "2026-11-11", "2026-11-12", "2026-11-13", "2026-11-17", "reopened_after_closure",
               [{"party_kind": "unit", "type": "关闭取缔"},
                {"party_kind": "person", "party_name": "张三", "type": "移送司法机关"}], None)
    c6 = _case(reg, {"unit": u2["id"]}, "2026-08-20", "2026-08-24", "2026-08-27", "2026-09-01",
               "unapproved_production", [fine("10000")], "aqf-99")
    c4 = _case(reg, {"unit": u1["id"]}, "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-23", "concealment",
               [{"party_kind": "unit", "type": "停产停业整顿"}, fine("100000"), fine("20000", "principal"),
                {"party_kind": "person", "party_name": "青山镇安监站 赵某", "type": "移交问责"}], "aqf-101-overdue")
    reg.cases.pay(c6["id"], "10000", on="2026-11-21", late="10000")  # 66 days late: 3% a day, capped at the fine
    reg.cases.pay(c2["id"], "7345.67", on="2026-11-24")
    p4 = [p for p in reg.cases.penalties(c4["id"]) if p["type"] == "fine"]
    reg.cases.pay(c4["id"], "60000", on="2026-11-25", penalty=p4[0]["id"])
    reg.cases.pay(c4["id"], "20000", on="2026-11-25", penalty=p4[1]["id"])
    reg.cases.open({"unit": u2["id"], "cause": "未决案件", "on": "2026-11-25"})  # C5
    reg.cases.step(c2["id"], "执行", on="2026-11-26", by="李明")
    reg.cases.close(c2["id"], on="2026-11-27", by="李明")
    _case(reg, {"unit": u2["id"]}, "2026-11-20", "2026-11-24", "2026-11-25", "2026-11-27", "hazard_management",
          [fine("3000")], "aqf-99")  # C7
    return reg


def _row(report, industry):
    from hazreg.render.illegal import lines

    return next(r for r in lines(report) if r["industry"] == industry)


ZERO = dict.fromkeys(("unlicensed", "reopened_after_closure", "unapproved_production", "concealment", "defying_orders",
                      "illegal_employment", "rule_violations", "substandard_equipment", "hazard_management",
                      "infrastructure", "emergency_readiness", "unapproved_new_tech", "other", "warnings", "confiscations",
                      "suspensions", "licences", "closures", "judicial_transfers", "accountability", "fines"), 0)


def test_week_b_cell_by_cell(cases):
    from hazreg.register.illegal import form

    report = form(cases)  # the default: the last complete week, 20–26 November
    assert (report["kind"], report["period"], report["first"], report["last"], report["year_first"], report["due"]) == (
        "weekly", "2026-W48", "2026-11-20", "2026-11-26", "2026-01-01", "2026-11-27T12:00")
    chem = _row(report, "hazardous_chemicals")
    assert {k: chem[k] for k in ZERO} == {**ZERO, "unlicensed": 1, "reopened_after_closure": 1, "concealment": 1, "suspensions": 1,
                                          "closures": 1, "judicial_transfers": 1, "accountability": 1, "fines": 4}
    assert chem["cases"] == 3
    assert (chem["fines_decided_wan"], chem["fines_collected_wan"], chem["late_collected_wan"]) == ("18.00", "14.00", "0.00")
    assert (chem["fines_decided_yuan"], chem["fines_collected_yuan"]) == ("180000.00", "140000.00")
    fire = _row(report, "fire")
    assert {k: fire[k] for k in ZERO} == {**ZERO, "unapproved_production": 1, "rule_violations": 1, "warnings": 1,
                                          "fines": 2}
    assert fire["cases"] == 2  # C7 is decided after the week; C5 is not decided
    # 22 345.67 yuan decided and collected = 2.234567 万 -> 2.23; the late fine 10 000 -> 1.00
    assert (fire["fines_decided_wan"], fire["fines_collected_wan"], fire["late_collected_wan"]) == ("2.23", "2.23", "1.00")
    assert (fire["fines_decided_yuan"], fire["late_collected_yuan"]) == ("22345.67", "10000.00")
    for other in ("construction", "road_traffic", "gas", "other"):
        row = _row(report, other)
        assert row["cases"] == 0 and row["fines_decided_wan"] == "0.00"
    total = _row(report, "total")
    assert {k: total[k] for k in ZERO} == {**ZERO, "unlicensed": 1, "reopened_after_closure": 1, "unapproved_production": 1,
                                           "concealment": 1, "rule_violations": 1, "warnings": 1, "suspensions": 1,
                                           "closures": 1, "judicial_transfers": 1, "accountability": 1, "fines": 6}
    assert total["cases"] == 5 == sum(total[c] for c in ZERO if c in
                                      ("unlicensed", "reopened_after_closure", "unapproved_production", "concealment", "defying_orders",
                                       "illegal_employment", "rule_violations", "substandard_equipment", "hazard_management",
                                       "infrastructure", "emergency_readiness", "unapproved_new_tech", "other"))  # 合计 = 1+…+13
    assert (total["fines_decided_wan"], total["fines_collected_wan"], total["late_collected_wan"]) == (
        "20.23", "16.23", "1.00")
    assert (total["fines_decided_yuan"], total["fines_collected_yuan"]) == ("202345.67", "162345.67")
    week = _row(report, "period")  # 20–26 November alone: C4 decided; C6, C2, C4 paid
    assert {k: week[k] for k in ZERO} == {**ZERO, "concealment": 1, "suspensions": 1, "accountability": 1, "fines": 2}
    assert week["cases"] == 1
    # 10000 + 7345.67 + 60000 + 20000 = 97 345.67 yuan = 9.734567 万 -> 9.73
    assert (week["fines_decided_wan"], week["fines_collected_wan"], week["late_collected_wan"]) == (
        "12.00", "9.73", "1.00")


def test_week_a_and_the_month(cases):
    from hazreg.register.illegal import form

    a = form(cases, week="2026-11-19")  # 13–19 November
    assert (a["first"], a["last"], a["due"]) == ("2026-11-13", "2026-11-19", "2026-11-20T12:00")
    assert (_row(a, "hazardous_chemicals")["cases"], _row(a, "fire")["cases"], _row(a, "total")["cases"]) == (2, 2, 4)
    assert _row(a, "total")["fines_collected_wan"] == "6.50"  # C1's 60000 in March and C2's 5000
    week = _row(a, "period")
    assert (week["cases"], week["reopened_after_closure"], week["rule_violations"], week["warnings"], week["closures"],
            week["judicial_transfers"], week["fines"]) == (2, 1, 1, 1, 1, 1, 1)
    assert (week["fines_decided_wan"], week["fines_collected_wan"]) == ("1.23", "0.50")  # 12345.67; 5000
    month = form(cases, month="2026-11")
    assert (month["kind"], month["first"], month["last"], month["due"]) == ("monthly", "2026-11-01", "2026-11-30",
                                                                            "2026-12-03")
    total, nov = _row(month, "total"), _row(month, "period")
    assert (total["cases"], total["hazard_management"], total["fines"], total["fines_decided_wan"]) == (6, 1, 7, "20.53")
    assert (nov["cases"], nov["fines_decided_wan"], nov["fines_collected_wan"]) == (4, "13.53", "10.23")


def test_formats_through_the_cli(cases, cli, tmp_path):
    import csv
    import io
    import json

    data = json.loads(cli("report", "form", "illegal", "--week", "2026-W48", "-f", "json").stdout)
    assert data["total"]["fines_decided_wan"] == "20.23" and data["period_total"]["cases"] == 1
    assert data["columns"]["unlicensed"].startswith("Operating without")
    rows = list(csv.DictReader(io.StringIO(cli("report", "form", "illegal", "-f", "csv").stdout)))
    assert [r["industry"] for r in rows][-2:] == ["total", "period"]
    assert rows[-2]["fines_collected_yuan"] == "162345.67" and rows[-1]["fines_collected_wan"] == "9.73"
    zh = cli("--lang", "zh", "report", "form", "illegal").stdout
    assert "安全生产领域“打非治违”情况周报表" in zh and "报送时限：2026-11-27 12:00（每周五12时前）" in zh
    assert "统计期间：2026-11-20至2026-11-26；数据为2026-01-01至2026-11-26累计" in zh and "其中本周" in zh
    md = cli("--lang", "zh", "report", "form", "illegal", "--month", "2026-11", "-f", "md").stdout
    assert md.startswith("# 安全生产领域“打非治违”情况月报表")
    assert "| 合计 | 6 | 1 | 1 | 1 | 1 | 0 | 0 | 1 | 0 | 1 | 0 | 0 | 0 | 0 |" in md  # C7 under 9
    # Table 2, November alone: C2's warning, C4's suspension, C3's closure and transfer, C4's referral,
    # fines of C2, C4 (双罚) and C7; 12345.67 + 120000 + 3000 decided; 5000 + 10000 + 7345.67 + 80000 paid.
    assert "| 其中本月 | 1 | 0 | 1 | 0 | 1 | 1 | 1 | 4 | 13.53 | 10.23 | 1.00 |" in md
    assert "1. 警告（次）" in md
    assert "4. 瞒报谎报事故，以及重大隐患隐瞒不报或不按规定期限予以整治的（起）" in md


def test_refusals(cases, cli):
    assert "not both" in cli("report", "form", "illegal", "--week", "2026-W48", "--month", "2026-11", code=2).stderr
    assert "--period" in cli("report", "form", "illegal", "--period", "2026-11", code=2).stderr
    assert "--period" in cli("report", "form", "monthly", "--week", "2026-W48", code=2).stderr
    assert "2026-11" in cli("report", "form", "illegal", "--month", "2026-13", code=2).stderr
    assert cli("report", "form", "illegal", "--week", "someday", code=2).stderr.count("\n") == 1
    assert "-o" in cli("report", "form", "illegal", "-f", "xlsx", code=2).stderr
    assert "md" in cli("report", "form", "illegal", "-f", "pdf", code=2).stderr


def _cells(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_xlsx_cell_by_cell(cases, cli, tmp_path):
    from openpyxl import load_workbook

    cli("config", "form.unit", "宁江区应急管理局")
    cli("config", "form.preparer", "王建国")
    target = tmp_path / "打非治违.xlsx"
    cli("--lang", "zh", "report", "form", "illegal", "--week", "2026-11-26", "-o", str(target))
    wb = load_workbook(target)
    assert wb.sheetnames == ["表1 违法行为", "表2 处罚情况"]
    one, two = wb["表1 违法行为"], wb["表2 处罚情况"]
    assert one["A1"].value == "安全生产领域“打非治违”情况周报表（表1 违法行为）"
    assert one["A2"].value == "填报单位：宁江区应急管理局"
    right = one.cell(2, 1 + (1 + 14) // 2).value
    assert "2026-11-20至2026-11-26" in right and "2026-11-27 12:00" in right
    assert [one.cell(3, c).value for c in (1, 2, 3)] == ["行业和领域", "合计", "其中（1–13 项）"]
    assert one.cell(4, 2).value == "打击非法违法、治理纠正违规违章行为合计（起）"
    assert one.cell(4, 3).value.startswith("无证、证照不全或过期") and one.cell(4, 15).value.startswith("其他违反")
    rows = {r[0]: r[1:] for r in _cells(one)[4:]}
    assert rows["危险化学品"] == [3, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert rows["消防"] == [2, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert rows["合计"] == [5, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert rows["其中本周"] == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert [two.cell(3, c).value for c in (2, 10)] == ["实施处罚情况", "罚款金额"]
    assert [two.cell(4, c).value for c in range(2, 13)] == [
        "警告（次）", "没收违法所得、非法生产设备（起）", "责令停产、停业、停止建设（家）", "暂扣或吊销有关许可证、职业资格（个）",
        "关闭取缔非法违法企业（家）", "移送司法机关追究刑事责任（人）", "移交问责（人）", "罚款（人次）",
        "罚款决定金额（万元）", "罚款收缴金额（万元）", "其中加处罚款（万元）"]
    rows = {r[0]: r[1:] for r in _cells(two)[4:]}
    assert rows["危险化学品"] == [0, 0, 1, 0, 1, 1, 1, 4, 18.0, 14.0, 0.0]
    assert rows["消防"] == [1, 0, 0, 0, 0, 0, 0, 2, 2.23, 2.23, 1.0]
    assert rows["合计"] == [1, 0, 1, 0, 1, 1, 1, 6, 20.23, 16.23, 1.0]
    assert rows["其中本周"] == [0, 0, 1, 0, 0, 0, 1, 2, 12.0, 9.73, 1.0]
    assert two["J14"].number_format == "0.00" and two["L15"].number_format == "0.00"
    foot = [c for c in _cells(two)[-1] if c]
    assert "填表人：王建国" in foot and "填报日期：2026-11-29" in foot
    for ws in (one, two):
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 1)


@pytest.mark.sqlite_only
def test_libreoffice_prints_each_table_on_one_page(cases, cli, tmp_path):
    import shutil
    from pathlib import Path

    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice (soffice) or pdftoppm is not installed")
    import importlib.util

    path = Path(__file__).parent.parent / "scripts" / "render_forms.py"
    spec = importlib.util.spec_from_file_location("render_forms", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target = tmp_path / "form.xlsx"
    cli("--lang", "zh", "report", "form", "illegal", "-o", str(target))
    png = tmp_path / "form.png"
    assert module.xlsx_to_png(target, png) == 2  # two tables, one page each
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- the weekly report's enforcement section (ISO weeks, Monday to Sunday) -------------------------


def test_the_weekly_reports_enforcement_section(cases):
    from hazreg.register.weekly import weekly_report

    e = weekly_report(cases, "2026-W48")["enforcement"]  # 23–29 November; today is the 29th
    assert (e["year_first"], e["through"]) == ("2026-01-01", "2026-11-29")
    # C5 opened; C4 and C7 decided; C2 closed; 100000 + 20000 + 3000 decided; 7345.67 + 60000 + 20000 paid.
    assert e["week"] == {"opened": 1, "decided": 2, "closed": 1, "fines_decided": "123000.00",
                         "fines_collected": "87345.67", "late_collected": "0.00"}
    # C1–C7 opened; all but C5 decided; C1 and C2 closed.
    assert e["year"] == {"opened": 7, "decided": 6, "closed": 2, "fines_decided": "205345.67",
                         "fines_collected": "162345.67", "late_collected": "10000.00"}
    before = weekly_report(cases, "2026-W47")["enforcement"]  # 16–22 November
    # C4 and C7 opened; C2 and C3 decided; C2's 5000 and C6's 10000 with its 10000 加处罚款 paid.
    assert before["week"] == {"opened": 2, "decided": 2, "closed": 0, "fines_decided": "12345.67",
                              "fines_collected": "15000.00", "late_collected": "10000.00"}
    assert before["year"]["opened"] == 6 and before["year"]["decided"] == 4 and before["year"]["closed"] == 1


def weekly_collected(reg) -> str:
    from hazreg.register.weekly import weekly_report

    return weekly_report(reg, "2026-W48")["enforcement"]["week"]["fines_collected"]


def test_the_section_in_markdown_html_and_check(cases, cli, tmp_path):
    import json

    md = cli("report", "weekly", "--week", "2026-W48").stdout
    assert "## Enforcement cases (行政执法案件)" in md
    assert "| Item | This week | Year to date (2026-01-01 to 2026-11-29) |" in md
    assert "| Cases decided (决定) | 2 | 6 |" in md and "| Fines collected (yuan) | 87345.67 | 162345.67 |" in md
    zh = cli("--lang", "zh", "report", "weekly", "--week", "2026-W48").stdout
    assert "## 行政执法案件" in zh and "| 收缴加处罚款（元） | 0.00 | 10000.00 |" in zh
    out = tmp_path / "w.html"
    cli("--lang", "zh", "report", "weekly", "--week", "2026-W48", "-f", "html", "-o", str(out))
    assert "<h2>行政执法案件</h2>" in out.read_text(encoding="utf-8")
    data = json.loads(cli("report", "weekly", "--week", "2026-W47", "-f", "json").stdout)
    assert data["enforcement"]["week"]["decided"] == 2
    stored = cases.store.weekly_stored("2026-11-16", cases.timezone)
    assert stored is not None and "fines_collected" not in stored[2]  # not kept with the replayed week
    assert json.loads(cli("check", "-f", "json").stdout)["ok"] is True
    c4 = 5  # C4 was opened fifth (after C6)
    cases.cases.pay(c4, "20000", on="2026-11-29", penalty=[p for p in cases.cases.penalties(c4)
                                                         if p["type"] == "fine"][0]["id"])
    assert weekly_collected(cases) == "107345.67"
    assert json.loads(cli("check", "-f", "json").stdout)["ok"] is True


@pytest.mark.parametrize(("now", "lines"), [
    # Friday: the week that ended yesterday is due at noon
    ("2026-11-27T09:00:00+08:00", ["打非治违 form 2026-W48 (weekly) due by 2026-11-27 12:00: "
                                   "hazreg report form illegal --week 2026-W48"]),
    # 1st to 3rd: last month's form (and no weekly line: Tuesday)
    ("2026-12-01T09:00:00+08:00", ["打非治违 form 2026-11 (monthly) due by 2026-12-03: "
                                   "hazreg report form illegal --month 2026-11"]),
    ("2026-12-03T17:00:00+08:00", ["打非治违 form 2026-11 (monthly) due by 2026-12-03: "
                                   "hazreg report form illegal --month 2026-11"]),
    ("2026-12-04T09:00:00+08:00", ["打非治违 form 2026-W49 (weekly) due by 2026-12-04 12:00: "
                                   "hazreg report form illegal --week 2026-W49"]),
    ("2026-11-26T09:00:00+08:00", []),  # Thursday: the week is not over yet
    ("2026-11-29T12:00:00+08:00", []),  # Sunday: W48 was due on Friday
])
def test_due_names_the_illegal_form_to_send(cases, cli, monkeypatch, now, lines):
    monkeypatch.setenv("HAZREG_NOW", now)
    out = cli("due").stdout
    assert [line for line in out.splitlines() if "打非治违" in line] == lines
    if lines:
        zh = cli("--lang", "zh", "due").stdout
        assert any(line.startswith("打非治违报表 ") and "报送" in line for line in zh.splitlines())
        # the command it names prints that very form
        command, due = lines[0].split(": hazreg ")[1].split(), lines[0].split(" due by ")[1].split(": hazreg")[0]
        assert f"Due by {due}" in cli(*command).stdout


def test_due_names_no_illegal_form_without_cases(reg, cli, monkeypatch):
    """An office that records no cases is not told to send the 打非治违 form."""
    monkeypatch.setenv("HAZREG_NOW", "2026-11-27T09:00:00+08:00")
    assert "打非治违" not in cli("due").stdout
