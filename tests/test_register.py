"""The register's rules, tested without the CLI (DESIGN.md: rules a register keeps)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import VALID_CODES
from hazreg.enums import Status
from hazreg.errors import InvalidInput, NotFound, Refused
from hazreg.register import Register


def add(reg: Register, unit: dict, **fields) -> dict:
    return reg.hazards.add({"unit": f"U{unit['id']}", "description": "灭火器过期未更换", **fields})


def full_plan(reg: Register, hazard: dict) -> dict:
    return reg.hazards.plan(
        hazard["id"],
        {"owner": "张伟", "measures": "更换灭火器", "funds": "12000.50", "deadline": "+10d", "contingency": "应急预案"},
    )


# -- hazards: defaults and validation ----------------------------------------------------------


def test_hazard_takes_industry_and_locality_from_its_unit(reg, unit):
    h = add(reg, unit)
    assert (h["industry"], h["locality"]) == ("hazardous_chemicals", "青山镇")
    assert h["status"] == "open" and h["level"] == "general"
    assert h["found_on"] == "2026-11-29"  # today in Shanghai at the fixed clock


def test_unit_can_be_named_by_id_code_or_exact_name(reg, unit):
    for ref in (f"U{unit['id']}", str(unit["id"]), VALID_CODES[0].lower(), "临江市宏达化工有限公司"):
        assert reg.hazards.add({"unit": ref, "description": "x"})["unit_id"] == unit["id"]
    with pytest.raises(NotFound):
        reg.hazards.add({"unit": "没有这个单位", "description": "x"})


def test_two_units_with_one_name_must_be_named_by_id(reg, unit):
    reg.units.add({"name": unit["name"], "industry": "fire", "locality": "临江街道"}, force=True)
    with pytest.raises(InvalidInput) as err:
        reg.hazards.add({"unit": unit["name"], "description": "x"})
    assert err.value.key == "err.unit_ambiguous"


def test_deadline_before_found_is_refused(reg, unit):
    with pytest.raises(InvalidInput) as err:
        add(reg, unit, found_on="2026-11-20", deadline="2026-11-19")
    assert err.value.field == "deadline"
    assert "2026-11-20" in err.value.message()
    h = add(reg, unit, found_on="2026-11-20", deadline="2026-11-20")
    with pytest.raises(InvalidInput):
        reg.hazards.edit(h["id"], {"deadline": "2026-11-01"})
    with pytest.raises(InvalidInput):
        reg.hazards.edit(h["id"], {"found_on": "2026-12-01"})


def test_relative_and_chinese_dates_are_read_in_the_register_time_zone(reg, unit):
    h = add(reg, unit, found_on="昨天", deadline="12月10日")
    assert (h["found_on"], h["deadline"]) == ("2026-11-28", "2026-12-10")
    assert add(reg, unit, deadline="+7d")["deadline"] == "2026-12-06"


def test_overdue_is_derived_from_deadline_and_status(reg, unit):
    late = add(reg, unit, found_on="2026-11-01", deadline="2026-11-28")
    due_today = add(reg, unit, found_on="2026-11-01", deadline="2026-11-29")
    assert late["overdue"] and not due_today["overdue"]
    reg.hazards.start(late["id"])
    assert reg.hazards.get(late["id"])["overdue"]
    reg.hazards.done(late["id"])
    assert not reg.hazards.get(late["id"])["overdue"]  # rectified: waiting for verification, not overdue


# -- lifecycle (rule 3) -------------------------------------------------------------------------


def test_lifecycle_open_to_closed(reg, unit):
    h = add(reg, unit)
    assert reg.hazards.start(h["id"])["status"] == "rectifying"
    assert reg.hazards.done(h["id"], "已更换")["status"] == "rectified"
    closed = reg.hazards.verify(h["id"], "李明", "复查合格")
    assert closed["status"] == "closed"
    assert (closed["verified_by"], closed["verified_on"], closed["closed_on"]) == ("李明", "2026-11-29", "2026-11-29")


def test_failed_verification_goes_back_to_rectifying(reg, unit):
    h = add(reg, unit)
    reg.hazards.start(h["id"])
    reg.hazards.done(h["id"])
    back = reg.hazards.verify(h["id"], "李明", "仍有2具过期", fail=True)
    assert back["status"] == "rectifying" and back["closed_on"] is None
    assert back["verify_note"] == "仍有2具过期"


@pytest.mark.parametrize(
    ("status_moves", "move", "allowed"),
    [
        ([], "done", "start, void"),
        ([], "verify", "start, void"),
        (["start"], "start", "done, void"),
        (["start", "done"], "done", "verify, verify --fail, void"),
    ],
)
def test_refused_moves_say_what_is_allowed(reg, unit, status_moves, move, allowed):
    h = add(reg, unit)
    for m in status_moves:
        getattr(reg.hazards, m)(h["id"])
    with pytest.raises(Refused) as err:
        reg.hazards.verify(h["id"], "李明") if move == "verify" else getattr(reg.hazards, move)(h["id"])
    assert err.value.params["allowed"] == allowed
    assert allowed in err.value.message()


def test_closed_and_void_hazards_move_no_further(reg, unit):
    h = add(reg, unit)
    reg.hazards.start(h["id"]), reg.hazards.done(h["id"]), reg.hazards.verify(h["id"], "李明")
    with pytest.raises(Refused) as err:
        reg.hazards.void(h["id"], "重复")
    assert err.value.key == "err.move_none"
    v = add(reg, unit)
    reg.hazards.void(v["id"], "重复录入")
    with pytest.raises(Refused):
        reg.hazards.start(v["id"])
    with pytest.raises(Refused):
        reg.hazards.edit(v["id"], {"owner": "x"})


def test_void_needs_a_reason_and_keeps_the_record(reg, unit):
    h = add(reg, unit)
    with pytest.raises(InvalidInput):
        reg.hazards.void(h["id"], "  ")
    voided = reg.hazards.void(h["id"], "重复录入")
    assert voided["status"] == Status.VOID and voided["void_reason"] == "重复录入"
    rows, _ = reg.hazards.query(reg.hazards.filter(include_all=True))
    assert [r["id"] for r in rows] == [h["id"]]
    rows, _ = reg.hazards.query(reg.hazards.filter())
    assert rows == []


# -- the five guarantees (rule 4) -----------------------------------------------------------------


def test_major_hazard_closes_only_with_a_complete_plan(reg, unit):
    h = add(reg, unit, level="重大", owner="张伟", deadline="+10d")
    assert not h["plan_complete"]
    reg.hazards.start(h["id"]), reg.hazards.done(h["id"])
    with pytest.raises(Refused) as err:
        reg.hazards.verify(h["id"], "李明")
    assert err.value.params["missing"] == "measures, funds, contingency"
    assert reg.hazards.get(h["id"])["status"] == "rectified"  # nothing changed
    planned = full_plan(reg, h)
    assert planned["plan_complete"] and planned["funds"] == Decimal("12000.50")
    assert reg.hazards.verify(h["id"], "李明", "复查合格")["status"] == "closed"


def test_general_hazard_closes_without_a_plan(reg, unit):
    h = add(reg, unit)
    reg.hazards.start(h["id"]), reg.hazards.done(h["id"])
    assert reg.hazards.verify(h["id"], "李明")["status"] == "closed"


def test_failed_verification_of_major_needs_no_plan(reg, unit):
    h = add(reg, unit, level="major", deadline="2026-12-20")
    reg.hazards.start(h["id"]), reg.hazards.done(h["id"])
    assert reg.hazards.verify(h["id"], "李明", fail=True)["status"] == "rectifying"


def test_funds_are_exact(reg, unit):
    h = add(reg, unit, level="major", deadline="2026-12-20")
    for typed, exact in (("0.10", "0.10"), ("1.2万", "12000.00"), ("19999999.99", "19999999.99")):
        assert reg.hazards.plan(h["id"], {"funds": typed})["funds"] == Decimal(exact)
    with pytest.raises(InvalidInput) as err:
        reg.hazards.plan(h["id"], {"funds": "0.001"})
    assert err.value.field == "funds"


def test_plan_of_a_closed_hazard_is_refused(reg, unit):
    h = add(reg, unit)
    reg.hazards.start(h["id"]), reg.hazards.done(h["id"]), reg.hazards.verify(h["id"], "李明")
    with pytest.raises(Refused):
        reg.hazards.plan(h["id"], {"funds": "100"})


# -- history (rule 2) -----------------------------------------------------------------------------


def test_every_change_is_in_history_with_before_and_after(reg, unit):
    h = add(reg, unit, basis="GB 35181")
    reg.hazards.edit(h["id"], {"basis": "GB 35181-2017", "owner": "王芳"})
    reg.hazards.start(h["id"], "已安排采购")
    entries = reg.history(f"H{h['id']}")
    assert [e["action"] for e in entries] == ["create", "edit", "start"]
    assert entries[0]["after"]["deadline"] == "2026-12-29"  # found today + general_deadline_days (30)
    edit = entries[1]
    assert edit["before"] == {"basis": "GB 35181", "owner": None}
    assert edit["after"] == {"basis": "GB 35181-2017", "owner": "王芳"}
    assert edit["operator"] == "tester" and edit["at"].endswith("Z")
    assert entries[2]["before"] == {"status": "open"} and entries[2]["note"] == "已安排采购"


def test_an_edit_that_changes_nothing_records_nothing(reg, unit):
    h = add(reg, unit, owner="王芳")
    reg.hazards.edit(h["id"], {"owner": "王芳"})
    assert len(reg.history(f"H{h['id']}")) == 1


def test_history_filters_by_operator_and_local_date(reg, unit, monkeypatch):
    add(reg, unit)
    # 23:30 on 30 November in Shanghai is still 30 November there, 15:30 UTC.
    monkeypatch.setenv("HAZREG_NOW", "2026-11-30T15:30:00+00:00")
    other = Register(reg.store, "李明")
    add(other, unit)
    assert [e["operator"] for e in reg.history(operator="李明")] == ["李明"]
    assert len(reg.history(since="2026-11-30", until="2026-11-30")) == 1
    assert len(reg.history(until="2026-11-29")) == 2  # the unit and the first hazard


# -- units -------------------------------------------------------------------------------------


def test_credit_code_is_normalised_and_unique(reg, unit):
    assert unit["credit_code"] == VALID_CODES[0]
    with pytest.raises(Refused) as err:
        reg.units.add({"name": "另一家", "industry": "fire", "locality": "x", "credit_code": " ９１３３０１００７１６１０５８５２ｆ "})
    assert err.value.key == "err.code_taken"
    other = reg.units.add({"name": "另一家", "industry": "fire", "locality": "x", "credit_code": VALID_CODES[1]})
    with pytest.raises(Refused):
        reg.units.edit(other["id"], {"credit_code": VALID_CODES[0]})


def test_unit_edit_is_validated_and_recorded(reg, unit):
    with pytest.raises(InvalidInput) as err:
        reg.units.edit(unit["id"], {"risk": "紫"})
    assert err.value.field == "risk" and "red (红色（重大风险）)" in err.value.message()
    edited = reg.units.edit(unit["id"], {"risk": "橙", "name": "临江宏达化工"})
    assert edited["risk"] == "orange"
    assert reg.history(f"U{unit['id']}")[-1]["after"] == {"name": "临江宏达化工", "risk": "orange"}


def test_renaming_a_unit_keeps_its_hazards_searchable(reg, unit):
    add(reg, unit)
    reg.units.edit(unit["id"], {"name": "青山新材料公司"})
    rows, _ = reg.hazards.query(reg.hazards.filter(search="新材料"))
    assert len(rows) == 1
    rows, _ = reg.hazards.query(reg.hazards.filter(search="宏达"))
    assert rows == []


# -- listing -----------------------------------------------------------------------------------


def test_default_list_is_most_urgent_first(reg, unit):
    later = add(reg, unit, deadline="2026-12-20")
    sooner = add(reg, unit, deadline="2026-12-05")
    major = add(reg, unit, deadline="2026-12-25", level="major")
    overdue = add(reg, unit, found_on="2026-11-01", deadline="2026-11-10")
    no_deadline = add(reg, unit)
    closed = add(reg, unit)
    reg.hazards.start(closed["id"]), reg.hazards.done(closed["id"]), reg.hazards.verify(closed["id"], "李明")
    rows, total = reg.hazards.query(reg.hazards.filter())
    assert [r["id"] for r in rows] == [overdue["id"], major["id"], sooner["id"], later["id"], no_deadline["id"]]
    assert total == 5


def test_filters(reg, unit):
    other = reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})
    a = add(reg, unit, owner="张伟", deadline="2026-12-03", found_on="2026-11-20")
    b = reg.hazards.add({"unit": other["name"], "description": "疏散通道堆放杂物", "level": "major", "deadline": "2026-12-30"})
    ids = lambda **kw: [r["id"] for r in reg.hazards.query(reg.hazards.filter(**kw))[0]]  # noqa: E731
    assert ids(industries=["消防"]) == [b["id"]]
    assert ids(localities=["青山镇"]) == [a["id"]]
    assert ids(levels=["重大"]) == [b["id"]]
    assert ids(owner="张伟") == [a["id"]]
    assert ids(unit="临江大酒店") == [b["id"]]
    assert ids(due_within="7d") == [a["id"]]
    assert ids(found_since="2026-11-21") == [b["id"]]
    assert ids(found_until="2026-11-20") == [a["id"]]
    assert ids(search="疏散 杂物") == [b["id"]]
    assert ids(statuses=["closed"]) == []
    with pytest.raises(InvalidInput):
        ids(statuses=["finished"])
