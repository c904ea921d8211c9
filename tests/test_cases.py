"""Enforcement cases (行政执法案件): the step order, 双罚 as two penalties, the fine range at its
boundaries, late fines (加处罚款) per day and their cap, partial payments, the 复产验收 gate, and a
register made before cases existed. Money and dates exact.

The tests' clock is noon on Sunday 29 November 2026 in Shanghai."""

from __future__ import annotations

import json
from datetime import date

import pytest
from tests.conftest import VALID_CODES

from hazreg.errors import InvalidInput, NotFound, Refused
from hazreg.register.cases import late_fine_fen, party_code
from older import back_to


@pytest.fixture
def unit(reg):
    return reg.units.add({"name": "临江市宏达化工有限公司", "industry": "hazardous_chemicals", "locality": "青山镇",
                          "credit_code": VALID_CODES[0], "risk": "red", "contact": "王建国"})


def _opened(reg, unit, **extra):
    return reg.cases.open({"unit": unit["id"], "cause": "未如实记录事故隐患排查治理情况", "on": "2026-10-08",
                           "by": "李明", **extra})


def _to_notified(reg, case, *, on=("2026-10-12", "2026-10-20")):
    reg.cases.step(case["id"], "调查取证", on=on[0], by="李明")
    return reg.cases.step(case["id"], "告知", on=on[1], by="李明", hearing="陈述申辩")


DOUBLE = [
    {"party_kind": "unit", "type": "罚款", "amount": "30000", "discretion": "一般"},
    {"party_kind": "主要负责人", "type": "罚款", "amount": "15000", "discretion": "从轻",
     "clause": "《安全生产法》第九十九条（逾期未改正）"},
]


def _decided(reg, unit, penalties=None, clause="aqf-99", on="2026-10-26", served="2026-10-28"):
    case = _opened(reg, unit)
    _to_notified(reg, case)
    return reg.cases.decide(case["id"], {"category": "hazard_management", "violation": "未如实记录隐患排查治理情况",
                                         "clause": clause, "penalties": penalties or DOUBLE, "on": on,
                                         "served": served, "by": "张强"})


# -- opening and the step order ------------------------------------------------------------------


def test_open_against_a_unit_and_a_party(reg, unit):
    case = _opened(reg, unit, case_no="宁江应急罚〔2026〕12号")
    assert case["id"] == 1 and case["step"] == "filed" and case["opened_on"] == "2026-10-08"
    assert case["locality"] == "青山镇" and case["industry"] == "hazardous_chemicals" and case["principal"] == "王建国"
    assert reg.cases.find("C-00001")["id"] == reg.cases.find("宁江应急罚〔2026〕12号")["id"] == 1
    steps = reg.cases.steps(1)
    assert [(s["step"], s["done_on"], s["done_by"]) for s in steps] == [("filed", "2026-10-08", "李明")]
    other = reg.cases.open({"party": "张三（无证加油点）", "party_id": "11010519491231002x", "address": "青山镇后街 3 号",
                            "locality": "青山镇", "industry": "hazardous_chemicals", "cause": "无证经营成品油"})
    assert other["unit_id"] is None and other["party"] == "张三（无证加油点）" and other["party_id"] == "11010519491231002X"
    assert other["opened_on"] == "2026-11-29"


def test_party_codes():
    assert party_code(VALID_CODES[1].lower()) == VALID_CODES[1]
    assert party_code("11010519491231002X") == "11010519491231002X"  # a resident ID card (check X)
    assert party_code("护照 E12345678") == "护照 E12345678"  # not 18 characters: kept as typed
    with pytest.raises(InvalidInput):
        party_code("91330100716105852A")  # 18 characters, neither code's check character


def test_each_skip_and_going_back_is_refused_naming_the_next_step(reg, unit):
    case = _opened(reg, unit)
    for wrong in ("告知", "决定", "执行", "结案", "立案"):
        with pytest.raises(Refused) as err:
            reg.cases.step(case["id"], wrong, on="2026-10-12")
        assert "the next step is Investigated" in str(err.value)
    reg.cases.step(case["id"], "investigated", on="2026-10-12")
    for wrong in ("立案", "调查取证", "执行", "结案"):
        with pytest.raises(Refused) as err:
            reg.cases.step(case["id"], wrong, on="2026-10-13")
        assert "the next step is Notified" in str(err.value)
    reg.cases.step(case["id"], "告知", on="2026-10-20", hearing="听证")
    with pytest.raises(Refused, match="case decide"):
        reg.cases.step(case["id"], "决定", on="2026-10-21")
    with pytest.raises(Refused, match="the next step is Decided"):
        reg.cases.step(case["id"], "执行", on="2026-10-21")
    steps = reg.cases.steps(case["id"])
    assert [(s["step"], s["hearing"]) for s in steps] == [("filed", None), ("investigated", None), ("notified", "hearing")]


def test_a_step_is_never_before_the_last_nor_in_the_future(reg, unit):
    case = _opened(reg, unit)
    with pytest.raises(Refused, match="before its last step"):
        reg.cases.step(case["id"], "调查取证", on="2026-10-07")
    with pytest.raises(InvalidInput):
        reg.cases.step(case["id"], "调查取证", on="2026-11-30")
    reg.cases.step(case["id"], "调查取证", on="2026-10-08")  # the same day is fine
    assert reg.cases.find(case["id"])["step"] == "investigated"


# -- the decision: 双罚, the fine range ----------------------------------------------------------------


def test_double_penalty_is_two_penalties(reg, unit):
    case = _decided(reg, unit)
    assert case["step"] == "decided" and case["category"] == "hazard_management" and case["decided_on"] == "2026-10-26"
    assert case["served_on"] == "2026-10-28" and case["clause"] == "《安全生产法》第九十九条"
    penalties = reg.cases.penalties(case["id"])
    assert [(p["party_kind"], p["party_name"], p["type"], p["amount_fen"], p["discretion"], p["clause"])
            for p in penalties] == [
        ("unit", "临江市宏达化工有限公司", "fine", 3_000_000, "general", "《安全生产法》第九十九条"),
        ("principal", "王建国", "fine", 1_500_000, "lenient", "《安全生产法》第九十九条（逾期未改正）"),
    ]


@pytest.mark.parametrize(("amount", "fen"), [
    ("49999.99", None), ("50000", 5_000_000), ("50000.01", 5_000_001), ("100000.00", 10_000_000), ("100000.01", None),
])
def test_fine_range_at_its_boundaries(reg, unit, amount, fen):
    # 《安全生产法》第一百零二条（拒不执行）: the responsible person, 5万 to 10万
    penalty = [{"party_kind": "principal", "type": "fine", "amount": amount}]
    if fen is not None:
        case = _decided(reg, unit, penalty, clause="aqf-102-refused")
        assert reg.cases.penalties(case["id"])[0]["amount_fen"] == fen
    else:
        with pytest.raises(InvalidInput) as err:
            _decided(reg, unit, penalty, clause="aqf-102-refused")
        assert err.value.exit_code == 2
        assert "50000.00 to 100000.00 yuan" in str(err.value) and "第一百零二条" in str(err.value)
        assert reg.cases.penalties(1) == [] and reg.cases.find(1)["step"] == "notified"  # nothing written


def test_a_clause_that_fines_no_unit_and_an_unknown_clause(reg, unit):
    with pytest.raises(InvalidInput, match="fines no Unit"):
        _decided(reg, unit, [{"party_kind": "unit", "type": "fine", "amount": "30000"}], clause="aqf-94")
    with pytest.raises(InvalidInput, match="not in the fine table"):
        reg.cases.decide(1, {"category": "other", "clause": "消防法第六十条",
                             "penalties": [{"type": "fine", "amount": "1000"}], "on": "2026-10-26"})
    # a warning needs no range
    case = reg.cases.decide(1, {"category": "other", "clause": "消防法第六十条", "on": "2026-10-26",
                                "penalties": [{"type": "警告"}]})
    assert [(p["type"], p["amount_fen"]) for p in reg.cases.penalties(case["id"])] == [("warning", None)]


def test_fine_ranges_are_editable(reg, unit):
    ranges = reg.cases.ranges()
    ranges.append({"code": "xf-60", "clause": "《消防法》第六十条", "unit": ["5000", "50000"], "person": None})
    reg.cases.set_ranges(ranges)
    case = _decided(reg, unit, [{"type": "fine", "amount": "5000"}], clause="《消防法》第六十条")
    assert reg.cases.penalties(case["id"])[0]["clause"] == "《消防法》第六十条"
    assert any(h["record_type"] == "settings" and h["action"] == "fine_ranges" for h in reg.history())


# -- execution: late fines, partial payments, 复产验收 ------------------------------------------------


def test_late_fine_per_day_and_its_cap():
    due = date(2026, 11, 1)
    fine = 1_000_000  # 10,000.00 yuan
    assert late_fine_fen(fine, due, [], date(2026, 11, 1)) == 0
    assert late_fine_fen(fine, due, [], date(2026, 11, 2)) == 30_000  # 1 day: 300.00
    assert late_fine_fen(fine, due, [(date(2026, 11, 21), fine)], date(2026, 11, 29)) == 600_000  # paid 20 days late
    assert late_fine_fen(fine, due, [], date(2026, 12, 4)) == 990_000  # 33 days: 9,900.00
    assert late_fine_fen(fine, due, [], date(2026, 12, 5)) == 1_000_000  # 34 days: capped at the fine
    assert late_fine_fen(fine, due, [], date(2027, 6, 1)) == 1_000_000
    # half paid on time, half 10 days late: 3% × 5,000.00 × 10
    assert late_fine_fen(fine, due, [(date(2026, 10, 30), 500_000), (date(2026, 11, 11), 500_000)],
                         date(2026, 11, 29)) == 150_000
    # 0.01 yuan 1 day late: 0.03 fen, rounded half up to 0
    assert late_fine_fen(1, due, [], date(2026, 11, 2)) == 0


def test_partial_payments_owed_and_overpaying(reg, unit):
    case = _decided(reg, unit)  # served 28 October: due 12 November
    assert reg.cases.due_on(case) == date(2026, 11, 12)
    with pytest.raises(InvalidInput, match="several fines"):
        reg.cases.pay(case["id"], "1000", on="2026-11-01")
    unit_fine, principal_fine = (p["id"] for p in reg.cases.penalties(case["id"]))
    reg.cases.pay(case["id"], "10000", on="2026-11-05", penalty=unit_fine)
    reg.cases.pay(case["id"], "20000", on="2026-11-22", penalty=unit_fine)  # 10 days late
    with pytest.raises(Refused, match="more than the 0.00 yuan"):
        reg.cases.pay(case["id"], "0.01", on="2026-11-23", penalty=unit_fine)
    reg.cases.pay(case["id"], "15000", on="2026-11-12", penalty=principal_fine)  # the last day: on time
    execution = reg.cases.execution(reg.cases.find(case["id"]))
    by_id = {p["penalty_id"]: p for p in execution["penalties"]}
    assert execution["due_on"] == "2026-11-12" and execution["through"] == "2026-11-29"
    # 3% × 20,000.00 × 10 days = 6,000.00 of late fine on the unit's fine, nothing paid of it
    assert (by_id[unit_fine]["paid_fen"], by_id[unit_fine]["late_fen"], by_id[unit_fine]["owed_fen"]) == (
        3_000_000, 600_000, 600_000)
    assert (by_id[principal_fine]["late_fen"], by_id[principal_fine]["owed_fen"]) == (0, 0)
    with pytest.raises(Refused, match="6000.00 yuan is still owed"):
        reg.cases.step(case["id"], "执行", on="2026-11-29")
    with pytest.raises(Refused, match="more than the 6000.00 yuan of late fine"):
        reg.cases.pay(case["id"], None, late="6000.01", on="2026-11-29", penalty=unit_fine)
    reg.cases.pay(case["id"], None, late="6000", on="2026-11-29", penalty=unit_fine)
    done = reg.cases.step(case["id"], "执行", on="2026-11-29")
    assert done["step"] == "executed"
    closed = reg.cases.close(case["id"], on="2026-11-29", by="张强")
    assert closed["step"] == "closed" and closed["closed_on"] == "2026-11-29"


def test_suspension_needs_resumption_acceptance(reg, unit):
    case = _decided(reg, unit, [{"type": "责令停产停业整顿"}, {"type": "警告"}], clause="aqf-102-refused")
    with pytest.raises(Refused, match="复产验收 first"):
        reg.cases.step(case["id"], "执行", on="2026-11-20")
    reg.cases.step(case["id"], "复产验收", on="2026-11-20", by="李明", note="整改到位，同意复产")
    with pytest.raises(Refused, match="already recorded"):
        reg.cases.step(case["id"], "复产验收", on="2026-11-21")
    reg.cases.step(case["id"], "执行", on="2026-11-21")
    assert reg.cases.close(case["id"], on="2026-11-22")["step"] == "closed"
    assert [s["step"] for s in reg.cases.steps(case["id"])] == [
        "filed", "investigated", "notified", "decided", "resumption", "executed", "closed"]


def test_resumption_only_after_a_suspension(reg, unit):
    case = _decided(reg, unit, [{"type": "警告"}])
    with pytest.raises(Refused, match="only after a decision ordering"):
        reg.cases.step(case["id"], "复产验收", on="2026-11-20")


# -- links, history, edit ---------------------------------------------------------------------------


def test_links_and_history(reg, unit):
    hazard = reg.hazards.add({"unit": unit["id"], "description": "储罐区可燃气体报警器失效", "found_on": "2026-10-01",
                              "found_by": "李明"})
    case = _opened(reg, unit, hazards=[f"H{hazard['id']}"])
    assert reg.cases.show(case["id"])["hazards"] == [f"H{hazard['id']}"]
    assert [c["id"] for c in reg.cases.list(hazard=f"H{hazard['id']}")] == [case["id"]]
    with pytest.raises(NotFound):
        _opened(reg, unit, hazards=["H99"])
    assert len(reg.cases.list()) == 1  # nothing written by the refused one
    edited, changed = reg.cases.edit(case["id"], {"case_no": "宁江应急罚〔2026〕13号", "cause": "隐患未整改"})
    assert changed == ("case_no", "cause") and edited["case_no"] == "宁江应急罚〔2026〕13号"
    kinds = {(h["record_type"], h["action"]) for h in reg.history()}
    assert {("case", "create"), ("case_step", "create"), ("case_link", "create"), ("case", "edit")} <= kinds


# -- an older register ------------------------------------------------------------------------------


def test_a_register_from_before_cases_is_migrated(isolated, engine):
    from hazreg.register import open_register
    from hazreg.storage import SCHEMA_VERSION

    first = open_register(isolated, write=True, operator="tester")
    first.units.add({"name": "临江市宏达化工有限公司", "industry": "fire", "locality": "青山镇"})
    first.store.close()
    back_to(isolated, engine, 14)
    new = open_register(isolated, write=True, operator="tester")
    try:
        assert "m015_cases" in new.store.migrations_applied() and new.info()["schema_version"] == SCHEMA_VERSION >= 15
        case = new.cases.open({"unit": 1, "cause": "未按规定培训", "on": "2026-11-02"})
        assert case["step"] == "filed" and new.store.count("cases") == 1
    finally:
        new.store.close()


def test_json_of_a_decided_case(reg, unit):
    case = _decided(reg, unit)
    shown = reg.cases.show(case["id"])
    text = json.dumps(shown, ensure_ascii=False, default=str)
    assert "C-00001" in text and shown["next"] == "executed"


def test_check_replays_cases_from_history(reg, unit):
    from hazreg.register.integrity import replay_mismatches

    case = _decided(reg, unit)
    reg.cases.pay(case["id"], "10000", on="2026-11-05", penalty=1)
    reg.cases.edit(case["id"], {"note": "双罚"})
    assert replay_mismatches(reg) == (0, [])
    with reg.store.transaction():
        reg.store.update_case(case["id"], {"category": "other"})
        reg.store._update("case_penalties", 2, {"amount_fen": 1_000_000})
        reg.store._update("case_payments", 1, {"amount_fen": 1})
    count, found = replay_mismatches(reg)
    assert count == 3
    assert {(f["record"], f["field"]) for f in found} == {
        ("C-1", "category"), ("case penalty 2", "amount_fen"), ("case payment 1", "amount_fen")}


# -- the command line ---------------------------------------------------------------------------------


def test_a_case_on_the_command_line(cli):
    cli("unit", "add", "临江市宏达化工有限公司", "--industry", "危险化学品", "--locality", "青山镇", "--contact", "王建国")
    out = cli("case", "open", "--unit", "U1", "--cause", "未如实记录隐患排查治理情况", "--on", "2026-10-08",
              "--case-no", "宁江应急罚〔2026〕12号", "--by", "李明").stdout
    assert out.strip() == "C-00001 opened against 临江市宏达化工有限公司 on 2026-10-08"
    err = cli("case", "step", "C-00001", "告知", "--on", "2026-10-12", code=1).stderr
    assert "the next step is Investigated, not Notified" in err and "Traceback" not in err
    cli("case", "step", "1", "调查取证", "--on", "2026-10-12", "--by", "李明")
    cli("case", "step", "宁江应急罚〔2026〕12号", "告知", "--on", "2026-10-20", "--hearing", "听证")
    err = cli("case", "decide", "1", "--category", "隐患排查治理", "--clause", "aqf-99", "--penalty", "3万",
              "--on", "2026-10-26", code=2).stderr
    assert "'3万' names no penalty" in err
    err = cli("case", "decide", "1", "--category", "隐患排查治理", "--clause", "aqf-99", "--penalty", "罚款:50000.01",
              "--on", "2026-10-26", code=2).stderr
    assert "50000.01 yuan is outside 《安全生产法》第九十九条 for the Unit: 0.00 to 50000.00 yuan" in err
    out = cli("case", "decide", "1", "--category", "隐患排查治理", "--violation", "未如实记录", "--clause", "aqf-99",
              "--penalty", "罚款:3万", "--penalty", "主要负责人:罚款:1.5万:从轻:aqf-99-overdue",
              "--on", "2026-10-26", "--served", "2026-10-28", "--by", "张强").stdout
    assert out.strip() == "C-00001: decided on 2026-10-26, 2 penalties; fines due by 2026-11-12"
    out = cli("case", "pay", "1", "10000", "--penalty", "1", "--on", "2026-11-05").stdout
    # unit: 20,000.00 unpaid 17 days late → 3% × 20,000.00 × 17 = 10,200.00; principal: 15,000.00 → 7,650.00
    assert out.strip() == "C-00001: payment recorded; 52850.00 yuan still owed"
    shown = cli("case", "show", "1").stdout
    assert "#1  Unit 临江市宏达化工有限公司  Fine  30000.00  General  《安全生产法》第九十九条" in shown
    assert "#2  Principal 王建国  Fine  15000.00  Lenient  《安全生产法》第九十九条（逾期未改正）" in shown
    assert "2026-10-20  Notified (Hearing)  tester" in shown
    assert "late fine to 2026-11-29 10200.00 (17 days), owed 30200.00" in shown
    assert "Next step: Executed" in shown
    data = json.loads(cli("case", "show", "1", "-f", "json").stdout)
    assert [p["amount_fen"] for p in data["penalties"]] == [3_000_000, 1_500_000]
    assert data["execution"]["penalties"][1]["late_fen"] == 765_000
    csv_text = cli("case", "list", "--open", "--violation", "hazard_management", "-f", "csv").stdout
    assert csv_text.splitlines()[1].startswith("C-00001,宁江应急罚〔2026〕12号,U1,临江市宏达化工有限公司,")
    assert csv_text.splitlines()[1].endswith(",45000.00,52850.00")
    assert cli("case", "list", "--step", "结案", "-f", "csv").stdout.count("\n") == 1  # the header only
    zh = cli("--lang", "zh", "case", "show", "1").stdout
    assert "主要负责人 王建国  罚款  15000.00  从轻" in zh and "下一步：执行" in zh


def test_accident_names_its_case(cli):
    cli("unit", "add", "临江市宏达化工有限公司", "--industry", "危险化学品", "--locality", "青山镇")
    cli("accident", "add", "--unit", "U1", "--type", "火灾", "--deaths", "1", "--on", "2026-11-01")
    cli("case", "open", "--unit", "U1", "--cause", "事故调查后立案", "--on", "2026-11-10")
    cli("accident", "edit", "E1", "--case", "C-00001")
    assert "Case: C-00001" in cli("accident", "show", "E1").stdout
    assert "Accidents: E1" in cli("case", "show", "C-00001").stdout
    assert cli("accident", "edit", "E1", "--case", "C-00009", code=1).stderr.strip() == "Error: no case C-00009"
    cli("check")


def test_a_locality_merge_moves_cases(reg):
    from hazreg.register.integrity import replay_mismatches

    reg.places.add_locality("青山镇")
    reg.places.add_locality("青山街道")
    party = reg.cases.open({"party": "李四", "locality": "青山镇", "cause": "无证经营", "on": "2026-11-02"})
    assert party["locality"] == "青山镇"
    moved = reg.places.merge("青山镇", "青山街道")
    assert moved["case"] == 1 and reg.cases.find(party["id"])["locality"] == "青山街道"
    assert replay_mismatches(reg) == (0, [])


def test_hazard_actions_keep_their_figures_and_show_beside_cases(reg, unit):
    from hazreg.register.weekly import weekly_report
    from hazreg.storage.base import ActionFilter

    hazard = reg.hazards.add({"unit": unit["id"], "description": "储罐区可燃气体报警器失效", "found_on": "2026-11-23"})
    reg.supervision.take_action(f"H{hazard['id']}", "罚款", amount="5000", on="2026-11-24")
    reg.supervision.take_action(f"H{hazard['id']}", "停产整顿", on="2026-11-24")
    before = weekly_report(reg, "2026-W48")
    stats_before = reg.store.actions(ActionFilter())
    assert before["activity"]["actions"] == {"fine": {"count": 1, "fines": "5000.00"}, "suspend": {"count": 1, "fines": None}}
    # a case on the same hazard, decided in the same week with a fine, changes none of them
    case = reg.cases.open({"unit": unit["id"], "cause": "隐患未整改", "on": "2026-11-24", "hazards": [f"H{hazard['id']}"]})
    reg.cases.step(case["id"], "调查取证", on="2026-11-24")
    reg.cases.step(case["id"], "告知", on="2026-11-25")
    reg.cases.decide(case["id"], {"category": "hazard_management", "clause": "aqf-102",
                                  "penalties": [{"type": "fine", "amount": "40000"}], "on": "2026-11-26"})
    after = weekly_report(reg, "2026-W48")
    assert after["activity"]["actions"] == before["activity"]["actions"]
    assert reg.store.actions(ActionFilter()) == stats_before
    shown = reg.cases.show(case["id"])
    assert shown["hazard_actions"] == [
        {"hazard": f"H{hazard['id']}", "type": "fine", "on": "2026-11-24", "amount": "5000.00", "against": None},
        {"hazard": f"H{hazard['id']}", "type": "suspend", "on": "2026-11-24", "amount": None, "against": None}]


def test_a_party_not_on_the_roster_on_the_command_line(cli):
    out = cli("case", "open", "--party", "张三（无证加油点）", "--party-id", "11010519491231002X", "--address", "青山镇后街 3 号",
              "--locality", "青山镇", "--industry", "危险化学品", "--cause", "无证经营成品油", "--on", "2026-11-02").stdout
    assert out.strip() == "C-00001 opened against 张三（无证加油点） on 2026-11-02"
    err = cli("case", "edit", "C-1", "--party-id", "91330100716105852A", code=2).stderr
    assert "GB 32100-2015" in err
    cli("case", "step", "C-1", "调查取证", "--on", "2026-11-03")
    cli("case", "step", "C-1", "告知", "--on", "2026-11-04")
    cli("case", "decide", "C-1", "--category", "无证", "--clause", "aqf-108", "--penalty", "罚款:2万",
        "--penalty", "提请关闭/取缔", "--on", "2026-11-05")
    assert cli("case", "pay", "C-1", "20000.01", "--on", "2026-11-06", code=1).stderr.strip() == (
        "Error: C-00001: 20000.01 yuan is more than the 20000.00 yuan of the fine still unpaid")
    cli("case", "pay", "C-1", "20000", "--on", "2026-11-06")
    cli("case", "step", "C-1", "执行", "--on", "2026-11-07")
    cli("case", "close", "C-1", "--on", "2026-11-08")
    err = cli("case", "step", "C-1", "结案", "--on", "2026-11-09", code=1).stderr
    assert err.strip() == "Error: C-00001 is closed"
    shown = json.loads(cli("case", "show", "C-1", "-f", "json").stdout)
    assert shown["case"]["party"] == "张三（无证加油点）" and shown["case"]["category"] == "unlicensed"
    assert [(p["party_name"], p["type"], p["amount_fen"]) for p in shown["penalties"]] == [
        ("张三（无证加油点）", "fine", 2_000_000), ("张三（无证加油点）", "close", None)]
    assert cli("case", "show", "C-9", code=1).stderr.strip() == "Error: no case C-9"
    zh = cli("--lang", "zh", "case", "step", "C-1", "结案", code=1).stderr
    assert zh.strip() == "错误: C-00001 已结案"


def test_config_fine_ranges(cli, tmp_path):
    table = json.loads(cli("config", "fine_ranges").stdout)
    assert table[0]["code"] == "aqf-93" and len(table) == 20
    mine = tmp_path / "ranges.json"
    mine.write_text(json.dumps({"clauses": [{"code": "xf-64", "clause": "《消防法》第六十四条",
                                            "unit": None, "person": ["0", "500"]}]}, ensure_ascii=False))
    cli("config", "fine_ranges", str(mine))
    assert "xf-64" in cli("case", "clauses", "-f", "csv").stdout and "aqf-99" not in cli("case", "clauses").stdout
    bad = tmp_path / "bad.json"
    bad.write_text('[{"code": "x", "clause": "y", "unit": ["2", "1"]}]')
    cli("config", "fine_ranges", str(bad), code=2)
    cli("config", "fine_ranges", "default")
    assert len(json.loads(cli("config", "fine_ranges").stdout)) == 20


@pytest.mark.own_addresses
def test_cases_travel_with_a_copy_between_engines(cli, tmp_path):
    from tests.pg import pg_database

    source = str(tmp_path / "source.db")
    cli("--db", source, "unit", "add", "临江市宏达化工有限公司", "--industry", "危险化学品", "--locality", "青山镇",
        "--contact", "王建国")
    cli("--db", source, "add", "储罐区可燃气体报警器失效", "--unit", "U1", "--found", "2026-10-01")
    cli("--db", source, "accident", "add", "--unit", "U1", "--type", "火灾", "--on", "2026-10-02")
    cli("--db", source, "case", "open", "--unit", "U1", "--cause", "隐患未整改", "--on", "2026-10-08",
        "--hazard", "H1", "--accident", "E1")
    cli("--db", source, "case", "step", "1", "调查取证", "--on", "2026-10-09")
    cli("--db", source, "case", "step", "1", "告知", "--on", "2026-10-10")
    cli("--db", source, "case", "decide", "1", "--category", "concealment", "--clause", "aqf-102",
        "--penalty", "罚款:4万", "--penalty", "主要负责人:罚款:6万:aqf-102-refused", "--on", "2026-10-20")
    cli("--db", source, "case", "pay", "1", "40000", "--penalty", "1", "--on", "2026-11-20")
    shown = cli("--db", source, "case", "show", "1", "-f", "json").stdout
    with pg_database(schema=False) as server:
        cli("copy", source, server)
        cli("--db", server, "check")
        assert cli("--db", server, "case", "show", "1", "-f", "json").stdout == shown
        back = str(tmp_path / "back.db")
        cli("copy", server, back)
        cli("--db", back, "check")
        assert cli("--db", back, "case", "show", "1", "-f", "json").stdout == shown
    data = json.loads(shown)
    assert data["accidents"] == ["E1"] and data["hazards"] == ["H1"]
    # due 4 November; the unit paid 16 days late: 3% × 40,000.00 × 16 = 19,200.00;
    # the principal's 60,000.00 unpaid 25 days to 29 November: 45,000.00 (under the cap)
    assert [(p["late_fen"], p["owed_fen"]) for p in data["execution"]["penalties"]] == [
        (1_920_000, 1_920_000), (4_500_000, 10_500_000)]


def test_history_of_a_case(cli):
    cli("case", "open", "--party", "李四", "--cause", "无证经营", "--on", "2026-11-02")
    cli("case", "edit", "C-00001", "--cause", "无证经营成品油")
    entries = json.loads(cli("history", "C-00001", "-f", "json").stdout)
    assert [(e["record_type"], e["action"]) for e in entries] == [("case", "create"), ("case", "edit")]
    assert entries[1]["after"] == {"cause": "无证经营成品油"}


def test_list_filters(reg, unit):
    other = reg.units.add({"name": "临江建工集团有限公司", "industry": "construction", "locality": "城东街道"})
    first = _decided(reg, unit)  # opened 2026-10-08, decided, hazard_management
    second = reg.cases.open({"unit": other["id"], "cause": "深基坑未按方案施工", "on": "2026-11-02"})
    third = reg.cases.open({"party": "李四", "locality": "青山镇", "cause": "无证经营", "on": "2026-11-20"})
    reg.cases.step(third["id"], "调查取证", on="2026-11-21")

    def ids(**filters):
        return [r["id"] for r in reg.cases.list(**filters)]

    assert ids() == [first["id"], second["id"], third["id"]]
    assert ids(step="决定") == [first["id"]] and ids(step="investigated") == [third["id"]]
    assert ids(unit=f"U{other['id']}") == [second["id"]]
    assert ids(localities=["青山镇"]) == [first["id"], third["id"]]
    assert ids(since="2026-11-01") == [second["id"], third["id"]] and ids(until="2026-11-02") == [first["id"], second["id"]]
    assert ids(category="隐患排查治理") == [first["id"]]
    assert ids(open_only=True) == [first["id"], second["id"], third["id"]]
