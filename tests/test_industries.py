"""Units in several industries (issue 15): a hotel is 消防 and 特种设备."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from hazreg.errors import InvalidInput
from hazreg.register import Register, open_register
from hazreg.register.integrity import replay_mismatches


@pytest.fixture
def town(reg: Register) -> Register:
    """Five units in two localities; the hotel and the mall are in two industries each.

    青山镇: U1 hotel (fire, special_equipment), U2 factory (industry_trade), U3 mall (fire, gas)
    桃源镇: U4 site (construction), U5 boiler house (special_equipment)
    """
    for name, industry, locality in (
        ("青山宾馆", "消防、特种设备", "青山镇"),
        ("青山五金厂", "industry_trade", "青山镇"),
        ("青山商场", ["fire", "城镇燃气"], "青山镇"),
        ("桃源工地", "construction", "桃源镇"),
        ("桃源锅炉房", "special_equipment", "桃源镇"),
    ):
        reg.units.add({"name": name, "industry": industry, "locality": locality})
    return reg


def inspect(reg: Register, unit: int, on: str) -> None:
    reg.campaigns.add_inspection({"unit": unit, "on": on, "inspectors": "王建国"})


def test_a_unit_keeps_its_industries_in_the_order_given(town):
    hotel = town.units.find("U1")
    assert hotel["industries"] == ["fire", "special_equipment"] and hotel["industry"] == "fire"
    assert town.units.find("U3")["industries"] == ["fire", "gas"]
    assert town.units.find("U2")["industries"] == ["industry_trade"]
    # Hazards keep their own single industry: by default the unit's first.
    assert town.hazards.add({"unit": "U1", "description": "电梯年检过期"})["industry"] == "fire"
    assert town.hazards.add({"unit": "U1", "description": "锅炉", "industry": "特种设备"})["industry"] == "special_equipment"


@pytest.mark.parametrize("typed", ["消防,特种设备", "消防，特种设备", "fire/special_equipment", "消防；特种设备",
                                   "fire;special_equipment", "消防、 特种设备、消防"])
def test_every_separator_is_accepted(reg, typed):
    unit = reg.units.add({"name": "宾馆", "industry": typed, "locality": "青山镇"})
    assert unit["industries"] == ["fire", "special_equipment"]


def test_an_unknown_industry_is_refused_by_name(reg):
    with pytest.raises(InvalidInput) as err:
        reg.units.add({"name": "宾馆", "industry": "消防、餐饮", "locality": "青山镇"})
    assert err.value.field == "industry" and "餐饮" in str(err.value.params)


def test_list_by_industry_matches_any_of_the_units_industries(town, cli):
    def names(*industries: str) -> set[str]:
        rows, _ = town.units.query(town.units.filter(list(industries)))
        return {r["name"] for r in rows}

    assert names("special_equipment") == {"青山宾馆", "桃源锅炉房"}
    assert names("fire") == {"青山宾馆", "青山商场"}
    assert names("gas", "construction") == {"青山商场", "桃源工地"}
    assert names("fire", "special_equipment") == {"青山宾馆", "青山商场", "桃源锅炉房"}  # the hotel once
    out = cli("unit", "list", "--industry", "特种设备", "--format", "json").stdout
    listed = {r["name"]: r for r in json.loads(out)}
    assert set(listed) == {"青山宾馆", "桃源锅炉房"}
    assert listed["青山宾馆"]["industries"] == "fire、special_equipment" and listed["青山宾馆"]["industry"] == "fire"


def test_coverage_counts_a_unit_in_each_of_its_industries_and_once_in_its_locality(town):
    inspect(town, 1, "2026-11-05")  # the hotel: seen in fire and in special equipment
    inspect(town, 4, "2026-11-06")
    report = town.reports.coverage(since="2026-11-01", until="2026-11-30", gaps=True)
    cells = {(c["locality"], c["industry"]): (c["inspected"], c["units"]) for c in report["cells"]}
    # By hand: 青山镇 fire = hotel + mall (1 seen), special_equipment = hotel (seen), industry_trade = factory,
    # gas = mall; 桃源镇 construction = site (seen), special_equipment = boiler house.
    assert cells == {
        ("青山镇", "fire"): (1, 2), ("青山镇", "special_equipment"): (1, 1), ("青山镇", "industry_trade"): (0, 1),
        ("青山镇", "gas"): (0, 1), ("桃源镇", "construction"): (1, 1), ("桃源镇", "special_equipment"): (0, 1),
    }
    by_industry = {r["industry"]: (r["inspected"], r["units"]) for r in report["by_industry"]}
    assert by_industry == {"fire": (1, 2), "special_equipment": (1, 2), "industry_trade": (0, 1), "gas": (0, 1),
                           "construction": (1, 1)}
    by_locality = {r["locality"]: (r["inspected"], r["units"]) for r in report["by_locality"]}
    assert by_locality == {"青山镇": (1, 3), "桃源镇": (1, 2)}  # five units, each once
    assert report["total"] == {"units": 5, "inspected": 2, "percent": 40.0}
    assert {g["name"] for g in report["gaps"]} == {"青山五金厂", "青山商场", "桃源锅炉房"}


def test_a_campaign_in_one_industry_counts_the_units_with_it(town, cli):
    inspect(town, 1, "2026-11-05")
    inspect(town, 5, "2026-11-06")
    town.campaigns.add({"name": "特种设备专项", "start": "2026-11-01", "end": "2026-11-30",
                        "industries": "special_equipment"})
    report = town.reports.coverage(campaign="特种设备专项")
    assert {(c["locality"], c["industry"]): (c["inspected"], c["units"]) for c in report["cells"]} == {
        ("青山镇", "special_equipment"): (1, 1), ("桃源镇", "special_equipment"): (1, 1)}
    assert report["total"] == {"units": 2, "inspected": 2, "percent": 100.0}
    out = json.loads(cli("report", "coverage", "--campaign", "特种设备专项", "--format", "json").stdout)
    assert out["total"]["units"] == 2


def test_the_draw_counts_and_draws_a_unit_once(town):
    draw = town.draws.run(industries=["fire", "special_equipment"], all_=True, inspectors=0, seed=7)
    assert sorted(u[0] for u in draw["pool"]["units"]) == [1, 3, 5]  # the hotel is a candidate once
    assert draw["params"]["count"] == 3


def test_unit_edit_changes_the_set_and_history_and_check_agree(town, cli):
    cli("unit", "edit", "U2", "--industry", "工贸", "--industry", "特种设备")
    assert town.units.find("U2")["industries"] == ["industry_trade", "special_equipment"]
    cli("unit", "edit", "U1", "--industry", "特种设备")
    hotel = town.units.find("U1")
    assert hotel["industries"] == ["special_equipment"] and hotel["industry"] == "special_equipment"
    entry = [e for e in town.history("U1") if e["action"] == "edit"][-1]
    assert entry["before"]["industries"] == ["fire", "special_equipment"]
    assert entry["after"] == {"industry": "special_equipment", "industries": ["special_equipment"]}
    assert replay_mismatches(town) == (0, [])
    out = cli("unit", "edit", "U1", "--industry", "特种设备").stdout
    assert "unchanged" in out.lower() or "U1" in out


def test_check_sees_industries_changed_behind_the_registers_back(town):
    store = town.store
    if hasattr(store.conn, "in_transaction") and type(store.conn).__module__ == "sqlite3":
        store.conn.execute("DELETE FROM unit_industries WHERE unit_id = 1 AND industry = 'special_equipment'")
    else:
        with store.transaction():
            store._execute("DELETE FROM unit_industries WHERE unit_id = 1 AND industry = 'special_equipment'")
    count, found = replay_mismatches(town)
    assert count == 1 and found[0]["record"] == "U1" and found[0]["field"] == "industries"


def test_cli_add_takes_the_option_twice_or_a_list(cli, reg):
    cli("unit", "add", "宾馆甲", "--industry", "消防", "--industry", "特种设备", "--locality", "青山镇")
    cli("unit", "add", "宾馆乙", "--industry", "消防、特种设备", "--locality", "青山镇")
    assert reg.units.find("宾馆甲")["industries"] == reg.units.find("宾馆乙")["industries"] == ["fire", "special_equipment"]
    shown = cli("unit", "show", "宾馆甲").stdout
    assert "Fire safety、Special equipment" in shown or "fire" in shown.lower()
    result = cli("unit", "add", "宾馆丙", "--industry", "消防、餐饮", "--locality", "青山镇", code=2)
    assert "餐饮" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_import_accepts_the_separators_and_export_round_trips(cli, reg, tmp_path: Path):
    source = tmp_path / "units.csv"
    source.write_text(
        "单位名称,行业领域,所属镇街\n"
        "青山宾馆,消防、特种设备,青山镇\n"
        "青山商场,fire；gas,青山镇\n"
        "桃源锅炉房,特种设备,桃源镇\n"
        "桃源酒店,消防/特种设备,桃源镇\n", encoding="utf-8")
    cli("import", "units", str(source))
    assert reg.units.find("青山宾馆")["industries"] == ["fire", "special_equipment"]
    assert reg.units.find("青山商场")["industries"] == ["fire", "gas"]
    assert reg.units.find("桃源酒店")["industries"] == ["fire", "special_equipment"]
    exported = tmp_path / "out.csv"
    cli("export", "units", "--output", str(exported), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    assert {r["name"]: r["industries"] for r in rows}["青山商场"] == "fire、gas"
    # Re-imported: nothing changes; an edited cell changes the set as a whole.
    result = cli("import", "units", str(exported))
    assert "4 unchanged" in result.stdout or "unchanged: 4" in result.stdout.lower() or "4" in result.stdout
    assert replay_mismatches(reg) == (0, [])
    text = exported.read_text(encoding="utf-8-sig").replace("fire、gas", "gas、fire、construction")
    exported.write_text(text, encoding="utf-8")
    cli("import", "units", str(exported))
    assert reg.units.find("青山商场")["industries"] == ["gas", "fire", "construction"]
    assert reg.units.find("青山商场")["industry"] == "gas"
    assert replay_mismatches(reg) == (0, [])


def test_a_register_from_before_is_migrated_with_each_unit_in_its_industry(reg, engine, isolated):
    reg.units.add({"name": "老单位", "industry": "fire", "locality": "青山镇"})
    store = reg.store
    # Back to schema 8 (the last before m009): the tables and columns of m009–m014 gone, as an
    # older hazreg left it.
    later_tables = ("documents", "supervision_steps", "calendar_days", "unit_industries")
    if engine == "postgresql":
        with store.transaction():
            for table in later_tables:
                store._execute(f"DROP TABLE {table}")
            store._execute("ALTER TABLE supervisions DROP COLUMN notice_no")
            store._execute("ALTER TABLE inspections DROP COLUMN focus")
            store._execute("DELETE FROM hazreg_schema WHERE version > 8")
    else:
        for table in later_tables:
            store.conn.execute(f"DROP TABLE {table}")
        store.conn.execute("ALTER TABLE supervisions DROP COLUMN notice_no")
        store.conn.execute("ALTER TABLE inspections DROP COLUMN focus")
        store.conn.execute("DELETE FROM _sqlite_migrations WHERE name > 'm009'")
        store.conn.execute("PRAGMA user_version = 8")
    store.close()
    again = open_register(isolated, write=True, operator="tester")
    try:
        assert again.units.find("老单位")["industries"] == ["fire"]
        assert again.units.query(again.units.filter(["fire"]))[1] == 1
        assert replay_mismatches(again) == (0, [])
        assert again.calendar.years() == []
    finally:
        again.store.close()
