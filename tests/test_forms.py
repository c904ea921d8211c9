"""The official statistical form (生产经营单位事故隐患排查治理情况统计表): every cell of a small register
worked out by hand, on both engines."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from hazreg.register import Register
from hazreg.register.forms import COUNTS, fen_to_wan, form, forms_due, percent, period_of


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("HAZREG_NOW", moment)


@pytest.fixture
def november(reg: Register, monkeypatch) -> Register:
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
    reg.supervision.supervise("H3", "区安委办", "district")
    at(monkeypatch, "2026-11-15T02:00:00+00:00")
    reg.hazards.add({"unit": 3, "description": "储罐区可燃气体报警器失效", "level": "major", "found_on": "2026-11-15",
                     "deadline": "2026-12-15"})  # H4
    reg.hazards.plan(4, {"measures": "更换报警器", "funds": "49.99"})
    reg.supervision.supervise("H4", "市安委办", "city")
    at(monkeypatch, "2026-11-18T02:00:00+00:00")
    reg.hazards.add({"unit": 3, "description": "装卸区防雷接地失效", "level": "major", "found_on": "2026-11-18",
                     "deadline": "2026-11-30"})  # H5
    reg.hazards.plan(5, {"owner": "陈刚", "measures": "重做接地", "funds": "200000", "contingency": "停止装卸"})
    reg.supervision.supervise("H5", "省安委办", "province")
    at(monkeypatch, "2026-11-20T02:00:00+00:00")
    reg.campaigns.add_inspection({"unit": 1, "on": "2026-11-20", "inspectors": "王建国"})  # U1 again: one unit
    reg.hazards.add({"unit": 1, "description": "疏散通道堆放杂物", "found_on": "2026-11-20", "deadline": "2026-12-10"})  # H6
    reg.hazards.start(5)
    reg.hazards.done(5, on="2026-11-20")
    at(monkeypatch, "2026-11-22T02:00:00+00:00")
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
