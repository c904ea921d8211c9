"""Localities and departments as managed lists (issue 15): the check in the domain, the merge
recorded per record, the migration of an older register, and the per-department figures."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from hazreg.errors import InvalidInput
from hazreg.places import near_duplicates
from hazreg.register import Register, open_register
from hazreg.register.integrity import check_register


def _district(reg: Register) -> None:
    for name in ("青山镇", "临江街道", "开发区管委会"):
        reg.places.add_locality(name)
    reg.places.add_locality("青山村", parent="青山镇")


def test_unknown_locality_refused_with_closest(reg: Register) -> None:
    _district(reg)
    with pytest.raises(InvalidInput) as e:
        reg.units.add({"name": "甲厂", "industry": "fire", "locality": "青山"})
    assert str(e.value).startswith('"青山" is not a locality; did you mean ')
    assert "青山镇" in str(e.value)
    with pytest.raises(InvalidInput) as e:
        reg.units.add({"name": "甲厂", "industry": "fire", "locality": "经开区管委会"})
    assert "开发区管委会" in str(e.value)
    assert reg.store.count("units") == 0


def test_every_path_checks(reg: Register) -> None:
    _district(reg)
    unit = reg.units.add({"name": "甲厂", "industry": "fire", "locality": "青山镇"})
    for call in (
        lambda: reg.units.edit(unit["id"], {"locality": "青山"}),
        lambda: reg.hazards.add({"unit": "U1", "description": "灭火器过期", "locality": "青山"}),
        lambda: reg.campaigns.add_inspector({"name": "张三", "localities": ["青山"]}),
        lambda: reg.campaigns.add_leader({"name": "李四", "industries": ["fire"], "localities": ["青山"]}),
        lambda: reg.units.filter(localities=["青山"]),
        lambda: reg.hazards.filter(localities=["青山"]),
    ):
        with pytest.raises(InvalidInput, match="is not a locality"):
            call()
    hazard = reg.hazards.add({"unit": "U1", "description": "灭火器过期", "deadline": "+7d"})
    assert hazard["locality"] == "青山镇"


def test_retired_locality_kept_by_old_records_and_filters(reg: Register) -> None:
    _district(reg)
    reg.units.add({"name": "甲厂", "industry": "fire", "locality": "临江街道"})
    reg.places.retire_locality("临江街道")
    with pytest.raises(InvalidInput, match="retired"):
        reg.units.add({"name": "乙厂", "industry": "fire", "locality": "临江街道"})
    rows, total = reg.units.query(reg.units.filter(localities=["临江街道"]))
    assert total == 1 and rows[0]["name"] == "甲厂"


def test_cli_refusal_in_both_languages(cli) -> None:
    cli("locality", "add", "青山镇")
    r = cli("unit", "add", "甲厂", "--industry", "fire", "--locality", "青山", code=2)
    assert r.stderr.strip().endswith('"青山" is not a locality; did you mean 青山镇?')
    assert len(r.stderr.strip().splitlines()) == 1
    r = cli("--lang", "zh", "unit", "add", "甲厂", "--industry", "fire", "--locality", "青山", code=2)
    assert "“青山”不在属地名录中；是否指 青山镇？" in r.stderr


def test_merge_moves_records_and_check_holds(reg: Register) -> None:
    _district(reg)
    # a register where both spellings are in use: the list had 青山 too
    reg.places.add_locality("青山", kind="town")
    reg.units.add({"name": "甲厂", "industry": "fire", "locality": "青山"})
    reg.units.add({"name": "乙厂", "industry": "fire", "locality": "青山镇"})
    reg.hazards.add({"unit": "U1", "description": "灭火器过期", "deadline": "+7d"})
    reg.campaigns.add_inspector({"name": "张三", "localities": ["青山", "临江街道"]})
    before = [(e["seq"], e["after"]) for e in reg.history()]
    moved = reg.places.merge("青山", "青山镇")
    assert moved["unit"] == 1 and moved["hazard"] == 1 and moved["inspector"] == 1
    assert reg.units.find("U1")["locality"] == "青山镇"
    assert reg.hazards.get("H1")["locality"] == "青山镇"
    assert reg.campaigns.inspectors()[0]["localities"] == ["青山镇", "临江街道"]
    # nothing in history rewritten: the old entries read as before, the merge added after them
    after = [(e["seq"], e["after"]) for e in reg.history()]
    assert after[: len(before)] == before
    merges = [e for e in reg.history() if e["action"] == "merge_locality"]
    assert {(e["record_type"], e["record_id"]) for e in merges} == {("unit", 1), ("hazard", 1), ("inspector", 1)}
    assert merges[0]["before"] == {"locality": "青山"} and merges[0]["after"] == {"locality": "青山镇"}
    assert [e for e in reg.history() if e["record_type"] == "locality" and e["action"] == "merge"]
    old = [r for r in reg.places.localities() if r["name"] == "青山"][0]
    assert old["retired_on"] and old["merged_into_name"] == "青山镇"
    result = check_register(reg)
    assert result["ok"], result
    with pytest.raises(InvalidInput, match="retired"):
        reg.units.add({"name": "丙厂", "industry": "fire", "locality": "青山"})


def test_near_duplicates_rule() -> None:
    assert near_duplicates(["青山", "青山镇", "桃源镇", "白沙镇"]) == [("青山", "青山镇")]
    assert ("开发区管委会", "经开区管委会") in near_duplicates(["经开区管委会", "开发区管委会"])
    assert near_duplicates(["东城街道", "西城街道", "青山镇", "青石镇"]) == []


def _old_register(path: Path) -> None:
    """A register at version 7 with 青山 and 青山镇 both in use."""
    from sqlite_utils import Database

    from hazreg.storage.sqlite.migrations import migrations

    conn = sqlite3.connect(path)
    db = Database(conn)
    wanted = migrations._migrations[:7]
    saved = migrations._migrations
    migrations._migrations = wanted
    try:
        migrations.apply(db)
    finally:
        migrations._migrations = saved
    now = "2026-11-01T00:00:00+00:00"
    for i, place in enumerate(("青山", "青山镇", "临江街道"), start=1):
        conn.execute("INSERT INTO units (uid, name, industry, locality, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (f"u{i}", f"厂{i}", "fire", place, now, now))
    conn.execute("INSERT INTO inspectors (uid, name, localities, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                 ("p1", "张三", json.dumps(["桃源镇"], ensure_ascii=False), now, now))
    conn.commit()
    conn.close()


@pytest.mark.sqlite_only
def test_migration_turns_names_into_the_list(tmp_path: Path, cli, monkeypatch) -> None:
    path = tmp_path / "old.db"
    _old_register(path)
    monkeypatch.setenv("HAZREG_DB", str(path))
    r = cli("locality", "add", "白沙镇")
    assert "may be one place: 青山 / 青山镇 (hazreg locality merge 青山 --into 青山镇)" in r.stderr
    reg = open_register(path, write=False)
    names = {r["name"]: r["kind"] for r in reg.places.localities()}
    assert names == {"青山": "town", "青山镇": "town", "临江街道": "subdistrict", "桃源镇": "town", "白沙镇": "town"}
    reg.store.close()
    r = cli("locality", "add", "桃源村", "--parent", "桃源镇")
    assert "may be one place" not in r.stderr  # said once, when the register was migrated
    cli("unit", "add", "新厂", "--industry", "fire", "--locality", "青山", code=0)  # on the list until merged
    cli("locality", "merge", "青山", "--into", "青山镇")
    cli("unit", "add", "新厂2", "--industry", "fire", "--locality", "青山", code=2)


def test_migration_on_both_engines(reg: Register) -> None:
    # a new register has the tables, an empty list (any name taken) and the inspections' column
    assert reg.places.localities() == [] and not reg.places.managed()
    reg.units.add({"name": "甲厂", "industry": "fire", "locality": "任意镇"})
    reg.places.add_department("消防救援大队", ["消防"])
    reg.campaigns.add_inspection({"unit": "U1", "inspectors": "张三", "department": "消防救援大队", "on": "2026-11-25"})
    assert reg.campaigns.inspection("I1")["department"] == "消防救援大队"


def test_department_rules(reg: Register) -> None:
    reg.places.add_department("消防救援大队", ["fire"])
    reg.units.add({"name": "甲厂", "industry": "fire", "locality": "青山镇"})
    with pytest.raises(InvalidInput) as e:
        reg.campaigns.add_inspection({"unit": "U1", "inspectors": "张三", "department": "消防大队"})
    assert "did you mean 消防救援大队" in str(e.value)
    reg.places.retire_department("消防救援大队")
    with pytest.raises(InvalidInput, match="retired"):
        reg.campaigns.add_inspection({"unit": "U1", "inspectors": "张三", "department": "消防救援大队"})
    edited = reg.places.edit_department("消防救援大队", industries=["fire", "special_equipment"])
    assert edited["industries"] == ["fire", "special_equipment"]


def _coverage_register(reg: Register) -> None:
    """Hand-made: 4 fire units (2 inspected), 1 special-equipment unit (inspected), 2 construction
    units (none inspected). 消防救援大队 supervises fire + special equipment; 住建局 construction;
    市场监管局 special equipment."""
    reg.places.add_department("消防救援大队", ["fire", "special_equipment"])
    reg.places.add_department("住建局", ["construction"])
    reg.places.add_department("市场监管局", ["special_equipment"])
    for n in range(4):
        reg.units.add({"name": f"消防{n}", "industry": "fire", "locality": "青山镇"})
    reg.units.add({"name": "电梯", "industry": "special_equipment", "locality": "临江街道"})
    reg.units.add({"name": "工地1", "industry": "construction", "locality": "青山镇"})
    reg.units.add({"name": "工地2", "industry": "construction", "locality": "临江街道"})
    reg.campaigns.add_inspection({"unit": "U1", "inspectors": "张三", "department": "消防救援大队", "on": "2026-11-24"})
    reg.campaigns.add_inspection({"unit": "U1", "inspectors": "张三", "department": "消防救援大队", "on": "2026-11-25"})
    reg.campaigns.add_inspection({"unit": "U2", "inspectors": "李四", "on": "2026-11-25"})
    reg.campaigns.add_inspection({"unit": "U5", "inspectors": "王五", "department": "市场监管局", "on": "2026-11-26"})
    reg.hazards.add({"unit": "U1", "description": "灭火器过期", "found_on": "2026-11-24", "deadline": "2026-11-27"})
    reg.hazards.add({"unit": "U6", "description": "临边防护缺失", "found_on": "2026-11-25", "deadline": "2026-12-20"})


def test_coverage_by_department(reg: Register, cli) -> None:
    _coverage_register(reg)
    report = reg.reports.coverage_by_department(since="2026-11-01", until="2026-11-29")
    rows = {r["department"]: r for r in report["by_department"]}
    assert (rows["消防救援大队"]["units"], rows["消防救援大队"]["inspected"]) == (5, 3)
    assert (rows["消防救援大队"]["inspections"], rows["消防救援大队"]["units_checked"]) == (2, 1)
    assert (rows["住建局"]["units"], rows["住建局"]["inspected"], rows["住建局"]["inspections"]) == (2, 0, 0)
    assert (rows["市场监管局"]["units"], rows["市场监管局"]["inspected"], rows["市场监管局"]["inspections"]) == (1, 1, 1)
    assert rows["消防救援大队"]["percent"] == 60.0
    r = cli("report", "coverage", "--by", "department", "--since", "2026-11-01", "--until", "2026-11-29",
            "--format", "csv")
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "department,industries,units,inspected,percent,inspections,units_checked"
    assert any(line.startswith("住建局,") and ",2,0," in line for line in lines)


def test_weekly_per_department_table(reg: Register, cli) -> None:
    _coverage_register(reg)
    from hazreg.register.weekly import weekly_report

    report = weekly_report(reg, "2026-W48")
    rows = {r["department"]: r for r in report["by_department"]}
    # W48 is 23–29 November; today is the 29th: H1 (fire) found and overdue, H2 (construction) found
    assert {k: rows["消防救援大队"][k] for k in ("found", "open", "overdue", "inspections", "units_inspected")} == \
        {"found": 1, "open": 1, "overdue": 1, "inspections": 2, "units_inspected": 1}
    assert {k: rows["住建局"][k] for k in ("found", "open", "overdue", "inspections")} == \
        {"found": 1, "open": 1, "overdue": 0, "inspections": 0}
    assert {k: rows["市场监管局"][k] for k in ("found", "open", "overdue", "inspections")} == \
        {"found": 0, "open": 0, "overdue": 0, "inspections": 1}
    md = cli("report", "weekly", "--week", "2026-W48").stdout
    assert "## By department" in md
    assert "| 消防救援大队 | Fire safety、Special equipment | 1 | 1 | 1 | 2 | 1 |" in md
    zh = cli("--lang", "zh", "report", "weekly", "--week", "2026-W48").stdout
    assert "分成员单位" in zh and "| 住建局 | 建筑施工 | 1 | 1 | 0 | 0 | 0 |" in zh
    html = cli("report", "weekly", "--week", "2026-W48", "--format", "html").stdout
    assert "By department" in html and "市场监管局" in html
    data = json.loads(cli("report", "weekly", "--week", "2026-W48", "--format", "json").stdout)
    assert [d["department"] for d in data["by_department"]] == ["住建局", "市场监管局", "消防救援大队"]


def test_import_unknown_locality_row_error_or_added(cli, tmp_path: Path) -> None:
    cli("locality", "add", "青山镇")
    roster = tmp_path / "roster.csv"
    roster.write_text("单位名称,行业领域,所属镇街\n甲厂,消防,青山镇\n乙厂,消防,青山\n", encoding="utf-8")
    r = cli("import", "units", str(roster), code=2)
    assert "青山" in r.stderr and "is not a locality" in r.stderr
    assert cli("unit", "list", "--format", "csv").stdout.count("\n") <= 1  # nothing imported
    cli("import", "units", str(roster), "--add-localities")
    names = cli("locality", "list", "--format", "csv").stdout
    assert "\n青山," in names
    assert "乙厂" in cli("unit", "list", "--locality", "青山", "--format", "csv").stdout


def test_list_imports_from_csv(cli, tmp_path: Path) -> None:
    places = tmp_path / "localities.csv"
    places.write_text("name,kind,parent\n青山镇,镇,\n青山村,村,青山镇\n开发区管委会,管委会,\n", encoding="utf-8")
    departments = tmp_path / "departments.csv"
    departments.write_text("name,industries\n消防救援大队,消防、特种设备\n住建局,建筑施工\n", encoding="utf-8")
    cli("locality", "import", str(places))
    cli("department", "import", str(departments))
    rows = cli("locality", "list", "--format", "json").stdout
    data = {r["name"]: r for r in json.loads(rows)}
    assert data["青山村"]["kind"] == "village" and data["青山村"]["parent"] == "青山镇"
    assert data["开发区管委会"]["kind"] == "zone"
    deps = {r["name"]: r["industries"] for r in json.loads(cli("department", "list", "--format", "json").stdout)}
    assert deps == {"住建局": ["construction"], "消防救援大队": ["fire", "special_equipment"]}
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,parent\n桃源镇,镇,\n桃源村,村,没有镇\n", encoding="utf-8")
    r = cli("locality", "import", str(bad), code=2)
    assert "row 3" in r.stderr
    assert "桃源镇" not in cli("locality", "list", "--format", "csv").stdout  # all or nothing


@pytest.mark.own_addresses
def test_migration_of_an_older_server_register(cli, monkeypatch) -> None:
    """PostgreSQL: a register at schema 7 with 青山 and 青山镇 in use gets its list on first open."""
    import psycopg
    from tests.pg import pg_database

    from hazreg.storage.postgres import schema

    with pg_database(schema=False) as server:
        with psycopg.connect(server, autocommit=True) as conn:
            monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:7])
            schema.init_schema(conn)
            monkeypatch.undo()
            now = "2026-11-01T00:00:00+00:00"
            for i, place in enumerate(("青山", "青山镇", "临江街道"), start=1):
                conn.execute("INSERT INTO units (uid, name, industry, locality, created_at, updated_at)"
                             " VALUES (%s, %s, 'fire', %s, %s, %s)", (f"u{i}", f"厂{i}", place, now, now))
            conn.execute("INSERT INTO leaders (uid, name, industries, localities, created_at, updated_at)"
                         " VALUES ('l1', '张副区长', '[\"fire\"]', '[\"桃源镇\"]', %s, %s)", (now, now))
        monkeypatch.setenv("HAZREG_DB", server)
        r = cli("locality", "list", "--format", "csv")
        assert "may be one place: 青山 / 青山镇" in r.stderr
        names = [line.split(",")[0] for line in r.stdout.strip().splitlines()[1:]]
        assert names == ["临江街道", "桃源镇", "青山", "青山镇"]
        cli("locality", "merge", "青山", "--into", "青山镇")
        assert "青山镇" in cli("unit", "show", "U1").stdout
        merges = json.loads(cli("history", "U1", "-f", "json").stdout)
        assert merges[-1]["action"] == "merge_locality" and merges[-1]["after"] == {"locality": "青山镇"}


def test_merge_keeps_past_weeks_as_they_stood(reg: Register, monkeypatch) -> None:
    """A week reported (and stored) before a merge still says the old name; the week after says
    the new one; `check` recomputes the stored week from history and agrees."""
    from hazreg.register.weekly import weekly_report

    monkeypatch.setenv("HAZREG_NOW", "2026-11-18T04:00:00+00:00")
    reg.places.add_locality("青山", kind="town")
    reg.places.add_locality("青山镇")
    reg.units.add({"name": "甲厂", "industry": "fire", "locality": "青山"})
    reg.hazards.add({"unit": "U1", "description": "灭火器过期", "found_on": "2026-11-17", "deadline": "2026-11-20"})
    monkeypatch.setenv("HAZREG_NOW", "2026-11-29T04:00:00+00:00")
    before = weekly_report(reg, "2026-W47")
    assert [g["locality"] for g in before["by_locality"]] == ["青山"]
    monkeypatch.setenv("HAZREG_NOW", "2026-12-01T04:00:00+00:00")  # the merge, in W49
    reg.places.merge("青山", "青山镇")
    monkeypatch.setenv("HAZREG_NOW", "2026-12-08T04:00:00+00:00")
    assert [g["locality"] for g in weekly_report(reg, "2026-W47")["by_locality"]] == ["青山"]
    assert [g["locality"] for g in weekly_report(reg, "2026-W49")["by_locality"]] == ["青山镇"]
    result = check_register(reg)
    assert result["ok"], result


def test_coverage_by_department_counts_a_unit_in_two_of_its_industries_once(reg: Register) -> None:
    """A hotel in fire and special equipment is one unit for 消防救援大队 (which supervises both),
    and one for 市场监管局 (special equipment only)."""
    _coverage_register(reg)
    reg.units.add({"name": "宾馆", "industries": ["fire", "special_equipment"], "locality": "青山镇"})
    reg.campaigns.add_inspection({"unit": "U8", "inspectors": "张三", "on": "2026-11-26"})
    report = reg.reports.coverage_by_department(since="2026-11-01", until="2026-11-29")
    rows = {r["department"]: r for r in report["by_department"]}
    assert (rows["消防救援大队"]["units"], rows["消防救援大队"]["inspected"]) == (6, 4)
    assert (rows["市场监管局"]["units"], rows["市场监管局"]["inspected"]) == (2, 2)
    assert (rows["住建局"]["units"], rows["住建局"]["inspected"]) == (2, 0)
