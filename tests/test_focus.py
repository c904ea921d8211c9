"""Weather focus (恶劣天气重点监管): profiles, the units to check first, draws, inspections, coverage."""

from __future__ import annotations

import json

import pytest

from hazreg.errors import InvalidInput, NotFound
from hazreg.register import Register
from older import back_to


@pytest.fixture
def town(reg: Register) -> Register:
    """Today is 2026-11-29. For 暴雨 (construction; 深基坑、塔吊、地下空间…):
    U1 construction red, inspected 2026-11-01 (28 days); U2 construction red, never inspected;
    U3 construction red, inspected 2026-10-01 (59 days); U4 fire orange with an open hazard
    "地下空间排水不畅" (a keyword); U5 fire red, nothing matching; U6 construction blue in 桃源镇."""
    for name, industry, risk, locality in (
        ("甲建筑", "construction", "red", "青山镇"), ("乙建筑", "construction", "red", "青山镇"),
        ("丙建筑", "construction", "red", "青山镇"), ("丁商场", "fire", "orange", "青山镇"),
        ("戊酒店", "fire", "red", "青山镇"), ("己建筑", "construction", "blue", "桃源镇"),
    ):
        reg.units.add({"name": name, "industry": industry, "risk": risk, "locality": locality})
    reg.campaigns.add_inspection({"unit": 1, "on": "2026-11-01", "inspectors": "王建国"})
    reg.campaigns.add_inspection({"unit": 3, "on": "2026-10-01", "inspectors": "王建国"})
    reg.hazards.add({"unit": "U4", "description": "地下空间排水不畅"})
    reg.hazards.add({"unit": "U5", "description": "灭火器过期"})
    return reg


def test_focus_orders_by_risk_then_days_uninspected(town):
    rows = town.focus.check("暴雨")["units"]
    assert [r["unit_id"] for r in rows] == [2, 3, 1, 4, 6]
    assert [r["days_uninspected"] for r in rows] == [None, 59, 28, None, None]
    assert [r["last_inspected"] for r in rows][:3] == [None, "2026-10-01", "2026-11-01"]
    by_id = {r["unit_id"]: r for r in rows}
    assert by_id[4]["hazards"] == ["H1"] and by_id[4]["keywords"] == ["地下空间"]
    assert by_id[1]["industries"] == ["construction"] and by_id[1]["hazards"] == []


def test_focus_locality_and_other_profiles(town):
    assert [r["unit_id"] for r in town.focus.check("暴雨", localities=["桃源镇"])["units"]] == [6]
    # 高温 lists 危化品/燃气 units and 有限空间 hazards: none here but U5 with a matching keyword
    town.hazards.add({"unit": "U5", "description": "有限空间作业未审批"})
    rows = town.focus.check("高温")["units"]
    assert [r["unit_id"] for r in rows] == [5] and rows[0]["hazards"] == ["H3"]


def test_profiles_are_shipped_editable_and_logged(town):
    names = [p["name"] for p in town.focus.profiles()]
    assert names == ["高温", "暴雨", "台风", "雷电", "寒潮"]
    assert town.focus.profile("大风")["name"] == "台风" and town.focus.profile("冰冻")["name"] == "寒潮"
    with pytest.raises(NotFound):
        town.focus.profile("沙尘暴")
    edited = town.focus.edit_profile("暴雨", industries=["消防"], keywords="积水、倒灌")
    assert edited["industries"] == ["fire"] and edited["keywords"] == ["积水", "倒灌"]
    assert [r["unit_id"] for r in town.focus.check("暴雨")["units"]] == [5, 4]
    assert town.history()[-1]["action"] == "focus_profile"
    with pytest.raises(InvalidInput):
        town.focus.edit_profile("暴雨", industries=["nonsense"])


def test_draw_from_focus_units_verifies(town):
    drawn = town.draws.run(all_=True, inspectors=0, seed=7, focus="暴雨")
    assert sorted(r["unit_id"] for r in drawn["rows"]) == [1, 2, 3, 4, 6]
    assert drawn["params"]["focus"] == "暴雨"
    assert town.draws.verify(drawn["id"])[0]
    two = town.draws.run(count=2, inspectors=0, seed=7, focus="暴雨", localities=["青山镇"])
    assert {r["unit_id"] for r in two["rows"]} <= {1, 2, 3, 4}


def test_inspection_records_its_focus(town):
    item = town.campaigns.add_inspection({"unit": 2, "inspectors": "王建国", "focus": "大风"})
    assert item["focus"] == "台风"
    assert town.campaigns.inspection(item["id"])["focus"] == "台风"
    with pytest.raises(NotFound):
        town.campaigns.add_inspection({"unit": 2, "inspectors": "王建国", "focus": "沙尘暴"})


def test_coverage_for_focus(town):
    report = town.reports.coverage(since="2026-10-01", until="2026-11-29", focus="暴雨")
    assert report["total"] == {"units": 5, "inspected": 2, "percent": 40.0}
    assert report["focus"] == "暴雨"


def test_focus_cli(cli):
    for name, industry, risk in (("甲建筑", "construction", "red"), ("乙商场", "fire", "blue")):
        cli("unit", "add", name, "--industry", industry, "--risk", risk, "--locality", "青山镇")
    cli("add", "塔吊基础积水", "--unit", "U2")
    out = json.loads(cli("focus", "暴雨", "--format", "json").stdout)
    assert [u["unit_id"] for u in out["units"]] == ["U1", "U2"] and out["units"][1]["hazards"] == ["H1"]
    assert "甲建筑" in cli("focus", "暴雨").stdout
    cli("inspect", "add", "--unit", "U1", "--by", "王建国", "--focus", "暴雨")
    assert json.loads(cli("inspect", "show", "I1", "--format", "json").stdout)["focus"] == "暴雨"
    assert "暴雨" in cli("inspect", "list", "--format", "csv").stdout
    assert [r["focus"] for r in json.loads(cli("export", "inspections", "-f", "json").stdout)] == ["暴雨"]
    assert "重点监管" in cli("--lang", "zh", "inspect", "show", "I1").stdout
    zh = cli("--lang", "zh", "focus", "暴雨").stdout
    assert zh.startswith("重点监管 暴雨（2026-11-29）：需检查 2 家单位") and "塔吊" in zh
    assert "暴雨" in cli("focus", "profile", "list").stdout
    cli("focus", "profile", "edit", "暴雨", "--keywords", "积水")
    assert json.loads(cli("focus", "profile", "list", "--format", "json").stdout)[1]["keywords"] == ["积水"]
    assert "not a focus" in cli("focus", "沙尘暴", code=1).stderr or "沙尘暴" in cli("focus", "沙尘暴", code=1).stderr
    cov = json.loads(cli("report", "coverage", "--focus", "暴雨", "--format", "json").stdout)
    assert cov["total"]["units"] == 2 and cov["total"]["inspected"] == 1
    drawn = json.loads(cli("draw", "--all", "--focus", "暴雨", "--inspectors", "0", "--seed", "3", "--format", "json").stdout)
    assert drawn["params"]["focus"] == "暴雨"
    cli("draw", "verify", "D1")


def test_a_register_made_before_focus_opens_and_is_migrated(reg, isolated, engine):
    from hazreg.register import open_register
    from hazreg.storage import SCHEMA_VERSION

    reg.units.add({"name": "甲建筑", "industry": "construction", "locality": "青山镇", "risk": "red"})
    reg.campaigns.add_inspection({"unit": 1, "on": "2026-11-01", "inspectors": "王建国"})
    reg.store.close()
    back_to(isolated, engine, 13)  # the last schema before the focus
    old = open_register(isolated, write=False)
    assert old.campaigns.inspection(1).get("focus") is None
    assert [r["unit_id"] for r in old.focus.check("暴雨")["units"]] == [1]
    old.store.close()
    new = open_register(isolated, write=True, operator="tester")
    # (later migrations, m015 on, are applied after it)
    assert "m014_inspection_focus" in new.store.migrations_applied() and SCHEMA_VERSION >= 14
    assert new.campaigns.inspection(1)["focus"] is None
    assert new.campaigns.add_inspection({"unit": 1, "inspectors": "王建国", "focus": "暴雨"})["focus"] == "暴雨"
    new.store.close()
