"""Accidents (生产安全事故) and control indicators (控制指标): the grade by the thresholds of
《生产安全事故报告和调查处理条例》第三条 at every boundary, the pro-rata indicator arithmetic, 同比,
the accident report against hand-computed figures, and a register made before accidents existed.

The tests' clock is noon on 29 November 2026 in Shanghai: day 333 of 365."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from tests.conftest import VALID_CODES

from hazreg.register.accidents import grade_of, pro_rata, same_period_last_year, yoy_percent
from older import back_to

# -- the grade (条例第三条: 以上包括本数，以下不包括本数) ----------------------------------------------


@pytest.mark.parametrize(("deaths", "serious", "loss", "grade"), [
    (0, 0, "0", "general"),
    (2, 9, "999.99", "general"),          # just below every 较大 threshold
    (3, 0, "0", "larger"), (9, 0, "0", "larger"),
    (10, 0, "0", "major"), (29, 0, "0", "major"),
    (30, 0, "0", "especially_major"), (31, 0, "0", "especially_major"),
    (0, 10, "0", "larger"), (0, 49, "0", "larger"),
    (0, 50, "0", "major"), (0, 99, "0", "major"),
    (0, 100, "0", "especially_major"),
    (0, 0, "1000", "larger"), (0, 0, "4999.99", "larger"),
    (0, 0, "5000", "major"), (0, 0, "9999.99", "major"),
    (0, 0, "10000", "especially_major"),
    (2, 50, "1000", "major"),             # the highest of the three counts
    (29, 99, "9999.99", "major"),
])
def test_grade_at_every_boundary(deaths, serious, loss, grade):
    assert grade_of(deaths, serious, Decimal(loss)).value == grade


# -- pro rata, 同比 --------------------------------------------------------------------------------


def test_pro_rata_is_exact():
    # 40 accidents a year, 333 of 365 days gone: 40 × 333 / 365 = 13320/365 = 36.4931…
    assert pro_rata(40, date(2026, 11, 29)) == Fraction(13320, 365)
    assert pro_rata(12, date(2026, 11, 29)) == Fraction(3996, 365)
    assert pro_rata(12, date(2026, 1, 1)) == Fraction(12, 365)
    assert pro_rata(12, date(2026, 12, 31)) == 12
    assert pro_rata(366, date(2028, 2, 29)) == 60  # a leap year: day 60 of 366


def test_same_period_last_year_and_yoy():
    assert same_period_last_year(date(2026, 11, 29)) == (date(2025, 1, 1), date(2025, 11, 29))
    assert same_period_last_year(date(2028, 2, 29)) == (date(2027, 1, 1), date(2027, 2, 28))
    assert yoy_percent(6, 4) == Decimal("50.0")
    assert yoy_percent(2, 3) == Decimal("-33.3")
    assert yoy_percent(1, 0) is None and yoy_percent(0, 0) == Decimal("0.0")


# -- accident add, show, list, edit ----------------------------------------------------------------


def _unit(cli) -> None:
    cli("unit", "add", "临江市宏达化工有限公司", "--industry", "危化品", "--locality", "青山镇",
        "--code", VALID_CODES[0])


def test_add_show_edit_and_history(cli):
    _unit(cli)
    out = cli("accident", "add", "--on", "2026-11-20 14:30", "--unit", "U1", "--type", "中毒和窒息",
              "--deaths", "3", "--serious", "1", "--injuries", "2", "--loss", "812.5").stdout
    assert "E1" in out and "Larger" in out
    shown = json.loads(cli("accident", "show", "E1", "--format", "json").stdout)
    assert shown["occurred_at"] == "2026-11-20T14:30" and shown["unit"] == "临江市宏达化工有限公司"
    assert shown["locality"] == "青山镇" and shown["industry"] == "hazardous_chemicals"  # taken from the unit
    assert shown["type"] == "poisoning_asphyxiation" and shown["grade"] == "larger"
    assert shown["direct_loss_wan"] == "812.50" and shown["investigation"] == "reported"
    cli("accident", "edit", "E1", "--deaths", "10", "--investigation", "investigating")
    shown = json.loads(cli("accident", "show", "E1", "--format", "json").stdout)
    assert shown["grade"] == "major" and shown["deaths"] == 10 and shown["investigation"] == "investigating"
    history = cli("history", "--format", "json").stdout
    entries = [e for e in json.loads(history) if e["record_type"] == "accident"]
    assert [e["action"] for e in entries] == ["create", "edit"]
    assert entries[1]["before"] == {"deaths": 3, "grade": "larger", "investigation": "reported"}
    assert entries[1]["after"] == {"deaths": 10, "grade": "major", "investigation": "investigating"}
    listed = json.loads(cli("accident", "list", "--format", "json").stdout)
    assert [(a["id"], a["grade"]) for a in listed] == [("E1", "major")]
    cli("check")


def test_a_party_without_a_unit_and_list_filters(cli):
    _unit(cli)
    cli("accident", "add", "--on", "2026-03-02", "--party", "个体运输户张某", "--locality", "青山镇",
        "--industry", "交通", "--type", "车辆伤害", "--deaths", "1")
    cli("accident", "add", "--on", "2025-05-02", "--unit", "U1", "--type", "火灾")
    rows = json.loads(cli("accident", "list", "--year", "2026", "--format", "json").stdout)
    assert [(r["id"], r["party"], r["unit"]) for r in rows] == [("E1", "个体运输户张某", None)]
    rows = json.loads(cli("accident", "list", "--industry", "危化品", "--format", "json").stdout)
    assert [r["id"] for r in rows] == ["E2"]


@pytest.mark.parametrize(("args", "code", "words"), [
    (["--type", "火灾"], 2, "--unit"),                                         # neither unit nor party
    (["--unit", "U1", "--type", "地震"], 2, "地震"),                            # not a GB 6441 class
    (["--unit", "U1", "--type", "火灾", "--deaths", "-1"], 2, "-1"),
    (["--unit", "U1", "--type", "火灾", "--loss", "很多"], 2, "很多"),
    (["--unit", "U9", "--type", "火灾"], 1, "U9"),
    (["--unit", "U1", "--type", "火灾", "--on", "2026-12-25"], 2, "2026-12-25"),  # in the future
    (["--party", "某某", "--locality", "无此镇", "--industry", "消防", "--type", "火灾"], 2, "无此镇"),
])
def test_add_refuses_in_one_line(cli, args, code, words):
    _unit(cli)
    cli("locality", "add", "青山镇")  # the list exists: other names are refused
    result = cli("accident", "add", *args, code=code)
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert json.loads(cli("accident", "list", "--format", "json").stdout) == []


def test_unknown_accident_and_nothing_to_edit(cli):
    _unit(cli)
    assert "E7" in cli("accident", "show", "E7", code=1).stderr
    cli("accident", "add", "--unit", "U1", "--type", "火灾", "--on", "2026-11-01")
    assert cli("accident", "edit", "E1", code=2).stderr.count("\n") == 1


def test_chinese_interface(cli):
    _unit(cli)
    out = cli("--lang", "zh", "accident", "add", "--unit", "U1", "--type", "火灾", "--serious", "10",
              "--on", "2026-11-01").stdout
    assert "较大事故" in out


# -- targets and the report -----------------------------------------------------------------------


def _report_fixture(cli) -> None:
    """This year (to 29 Nov 2026) and last year, in two localities and two industries."""
    cli("locality", "add", "青山镇")
    cli("locality", "add", "临江街道")
    _unit(cli)  # U1: 青山镇, 危化品
    cli("unit", "add", "临江大酒店", "--industry", "消防", "--locality", "临江街道", "--code", VALID_CODES[1])
    for on, unit, deaths in [("2026-02-01", "U1", 2), ("2026-06-15", "U1", 1), ("2026-11-29", "U1", 0),
                             ("2026-09-09", "U2", 1),
                             ("2025-03-01", "U1", 1), ("2025-11-29", "U2", 2),
                             ("2025-12-10", "U1", 5),  # after the same period: not counted
                             ]:
        cli("accident", "add", "--on", on, "--unit", unit, "--type", "火灾", "--deaths", str(deaths))
    cli("target", "set", "2026", "--deaths", "4", "--accidents", "6")
    cli("target", "set", "2026", "--deaths", "3", "--accidents", "3", "--locality", "青山镇")
    cli("target", "set", "2026", "--accidents", "4", "--industry", "消防")


def test_target_set_is_recorded_and_replaced(cli):
    cli("target", "set", "2026", "--deaths", "12", "--accidents", "40")
    cli("target", "set", "2026", "--deaths", "10")
    rows = json.loads(cli("target", "list", "--format", "json").stdout)
    assert rows == [{"year": 2026, "scope": "district", "name": "", "deaths": 10, "accidents": 40}]
    entries = [e for e in json.loads(cli("history", "--format", "json").stdout) if e["record_type"] == "target"]
    assert [e["action"] for e in entries] == ["create", "edit"] and entries[1]["after"] == {"deaths": 10}
    assert "--deaths" in cli("target", "set", "2026", code=2).stderr
    assert "1999" in cli("target", "set", "1999", "--deaths", "1", code=2).stderr
    assert "--locality" in cli("target", "set", "2026", "--deaths", "1", "--locality", "青山镇",
                               "--industry", "消防", code=2).stderr


def test_report_against_hand_computed_figures(cli):
    _report_fixture(cli)
    data = json.loads(cli("report", "accidents", "--format", "json").stdout)
    assert data["year"] == 2026 and data["through"] == "2026-11-29"
    assert data["days"] == 333 and data["days_in_year"] == 365
    total = data["total"]
    # 4 accidents, 4 deaths this year; 2 accidents, 3 deaths to 29 Nov 2025.
    assert (total["accidents"], total["accidents_last"], total["accidents_yoy"]) == (4, 2, "100.0")
    assert (total["deaths"], total["deaths_last"], total["deaths_yoy"]) == (4, 3, "33.3")
    # 6 × 333/365 = 5.47; 4 × 333/365 = 3.65; 4 deaths of 4: used up.
    assert (total["accidents_target"], total["accidents_pro_rata"]) == (6, "5.47")
    assert (total["deaths_target"], total["deaths_pro_rata"]) == (4, "3.65")
    assert total["flags"] == ["deaths_used_up", "deaths_over_pace", "accidents_rising", "deaths_rising"]
    by_locality = {r["name"]: r for r in data["by_locality"]}
    qs = by_locality["青山镇"]
    # 3 accidents (3 deaths) against 1 (1 death); targets 3 and 3: both used up, ahead of 2.74.
    assert (qs["accidents"], qs["accidents_last"], qs["accidents_yoy"], qs["deaths"], qs["deaths_last"]) == (
        3, 1, "200.0", 3, 1)
    assert (qs["accidents_pro_rata"], qs["deaths_pro_rata"]) == ("2.74", "2.74")
    assert qs["flags"] == ["accidents_used_up", "deaths_used_up", "accidents_over_pace", "deaths_over_pace",
                           "accidents_rising", "deaths_rising"]
    lj = by_locality["临江街道"]
    assert (lj["accidents"], lj["accidents_last"], lj["accidents_yoy"], lj["deaths"], lj["deaths_last"],
            lj["deaths_yoy"]) == (1, 1, "0.0", 1, 2, "-50.0")
    assert lj["accidents_target"] is None and lj["flags"] == []
    by_industry = {r["name"]: r for r in data["by_industry"]}
    fire = by_industry["fire"]
    assert (fire["accidents"], fire["accidents_target"], fire["accidents_pro_rata"], fire["flags"]) == (
        1, 4, "3.65", [])
    assert by_industry["hazardous_chemicals"]["accidents"] == 3


def test_report_table_and_csv(cli):
    _report_fixture(cli)
    table = cli("report", "accidents").stdout
    assert "青山镇" in table and "临江街道" in table and "5.47" in table and "used up" in table
    rows = list(csv.DictReader(io.StringIO(cli("report", "accidents", "--format", "csv").stdout)))
    assert [(r["by"], r["name"]) for r in rows][:3] == [("total", ""), ("locality", "临江街道"),
                                                         ("locality", "青山镇")]
    assert rows[0]["accidents_pro_rata"] == "5.47"
    zh = cli("--lang", "zh", "report", "accidents").stdout
    assert "同比" in zh and "指标已用完" in zh


def test_report_of_a_past_year_is_the_whole_year(cli):
    _report_fixture(cli)
    data = json.loads(cli("report", "accidents", "--year", "2025", "--format", "json").stdout)
    assert data["through"] == "2025-12-31" and data["days"] == 365
    assert (data["total"]["accidents"], data["total"]["deaths"], data["total"]["accidents_last"]) == (3, 8, 0)
    assert "2027" in cli("report", "accidents", "--year", "2027", code=2).stderr


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)
def test_a_register_made_before_accidents_opens_and_is_migrated(reg, isolated, engine):
    from hazreg.register import open_register
    from hazreg.storage import SCHEMA_VERSION

    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})
    reg.store.close()
    back_to(isolated, engine, 12)  # the last schema before accidents
    new = open_register(isolated, write=True, operator="tester")
    assert "m013_accidents" in new.store.migrations_applied() and new.info()["schema_version"] == SCHEMA_VERSION
    made = new.accidents.add({"unit": "U1", "type": "fire", "occurred": "2026-11-01"})
    assert made["locality"] == "临江街道" and new.accidents.list() != []
    new.store.close()


def test_a_locality_merge_moves_its_accidents(reg):
    reg.places.add_locality("青山")
    reg.places.add_locality("青山镇")
    reg.accidents.add({"party": "个体运输户张某", "locality": "青山", "industry": "交通", "type": "车辆伤害",
                       "occurred": "2026-03-02"})
    moved = reg.places.merge("青山", "青山镇")
    assert moved["accident"] == 1
    assert [a["locality"] for a in reg.accidents.list()] == ["青山镇"]
    entries = [e for e in reg.history() if e["record_type"] == "accident"]
    assert entries[-1]["action"] == "merge_locality" and entries[-1]["after"] == {"locality": "青山镇"}


@pytest.mark.sqlite_only
def test_check_compares_accidents_with_their_history(cli, isolated):
    import sqlite3

    _unit(cli)
    cli("accident", "add", "--unit", "U1", "--type", "火灾", "--deaths", "2", "--on", "2026-11-01")
    cli("accident", "edit", "E1", "--deaths", "3")
    cli("check")
    conn = sqlite3.connect(isolated)
    conn.execute("UPDATE accidents SET deaths = 0, grade = 'general' WHERE id = 1")
    conn.commit()
    conn.close()
    result = cli("check", "-f", "json", code=1)
    assert any(p["record"] == "E1" and p["field"] == "deaths" for p in json.loads(result.stdout)["records"]["first"])
