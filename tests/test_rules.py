"""Rules that cannot be walked around: edit obeys the closure gates, deadlines move only by
extension, dates of things that happened are never in the future, no silent no-op edits,
no duplicate unit names by accident, no draws bigger than their candidates (issue 10)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from conftest import VALID_CODES
from hazreg.errors import InvalidInput, Refused
from hazreg.register import Register


def add(reg: Register, unit: dict, **fields) -> dict:
    return reg.hazards.add({"unit": f"U{unit['id']}", "description": "灭火器过期未更换", **fields})


def closed_major(reg: Register, unit: dict, listed_on: str | None = None) -> dict:
    h = add(reg, unit, level="major", found_on="2026-11-01", deadline="2026-11-20", owner="郑晓峰")
    if listed_on:
        reg.supervision.supervise(f"H{h['id']}", "区安委办", "district", on=listed_on, due="2026-12-31", notice="督1号")
    reg.hazards.plan(h["id"], {"measures": "加装报警器", "funds": "12000", "contingency": "泄漏应急预案"})
    reg.hazards.start(h["id"]), reg.hazards.done(h["id"])
    if listed_on:  # 销号申请 and 验收 before 销号
        report = Path(tempfile.mkdtemp()) / "评估报告.pdf"
        report.write_bytes(b"report")
        reg.supervision.apply_close(f"H{h['id']}", "郑晓峰", report)
        reg.supervision.accept(f"H{h['id']}", "区安委办")
    reg.hazards.verify(h["id"], "李明", "复查合格")
    return reg.hazards.get(h["id"])


def records(result) -> list | dict:
    return json.loads(result.stdout)


# -- edit obeys the closure gates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"measures": ""}, {"contingency": "  "}, {"owner": ""}, {"funds": ""}, {"deadline": ""},
        {"level": "general"}, {"unit": "U2"}, {"industry": "fire"}, {"locality": "临江街道"},
        {"source": "report"}, {"found_on": "2026-11-02"}, {"funds": "13000"}, {"deadline": "2026-11-25"},
    ],
)
def test_a_closed_major_hazard_keeps_its_five_guarantees_and_its_facts(reg, unit, changes):
    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})
    h = closed_major(reg, unit)
    entries = len(reg.history(f"H{h['id']}"))
    with pytest.raises(Refused) as err:
        reg.hazards.edit(h["id"], changes)
    assert f"H{h['id']} is Closed" in err.value.message()
    after = reg.hazards.get(h["id"])
    assert after["plan_complete"] is True and after["level"] == "major" and after == h
    assert len(reg.history(f"H{h['id']}")) == entries  # nothing written


def test_a_closed_general_hazard_cannot_become_major(cli, unit):
    cli("add", "消防通道堵塞", "--unit", "U1")
    cli("start", "H1"), cli("done", "H1"), cli("verify", "H1", "--by", "李明")
    result = cli("edit", "H1", "--level", "major", code=1)
    assert "H1 is Closed" in result.stderr and "Level" in result.stderr
    assert "description, found by, basis, owner, measures, contingency plan" in result.stderr.lower()
    assert records(cli("show", "H1", "-f", "json"))["level"] == "general"


def test_typos_in_free_text_of_a_finished_hazard_are_corrected_and_recorded(reg, unit):
    h = closed_major(reg, unit)
    fixed = reg.hazards.edit(h["id"], {"description": "危化品仓库未设置可燃气体报警装置", "measures": "加装可燃气体报警器"})
    assert fixed["description"] == "危化品仓库未设置可燃气体报警装置" and fixed["status"] == "closed"
    last = reg.history(f"H{h['id']}")[-1]
    assert last["action"] == "edit" and last["before"] == {"description": "灭火器过期未更换", "measures": "加装报警器"}
    v = add(reg, unit, basis="GB 35181")
    reg.hazards.void(v["id"], "重复录入")
    assert reg.hazards.edit(v["id"], {"basis": "GB 35181-2025 5.1"})["basis"] == "GB 35181-2025 5.1"
    with pytest.raises(Refused):
        reg.hazards.edit(v["id"], {"level": "major"})
    with pytest.raises(Refused) as err:  # a typo is corrected; a missing text is not filled in afterwards
        reg.hazards.edit(v["id"], {"found_by": "王建国"})
    assert "cannot be emptied or filled in" in err.value.message()


# -- deadlines move only through extend --------------------------------------------------------------


def test_edit_and_plan_cannot_move_a_deadline(cli, unit):
    cli("add", "消防通道堵塞", "--unit", "U1", "--deadline", "2026-12-10")
    for command in ("edit", "plan"):
        result = cli(command, "H1", "--deadline", "2026-12-20", code=1)
        assert "H1 already has the deadline 2026-12-10" in result.stderr
        assert "hazreg extend H1 --to DATE --reason TEXT" in result.stderr
    cli("edit", "H1", "--deadline", "", code=1)  # nor remove it
    cli("edit", "H1", "--deadline", "2026-12-10", "--owner", "王芳")  # the same deadline is no move
    assert records(cli("show", "H1", "-f", "json"))["deadline"] == "2026-12-10"
    cli("extend", "H1", "--to", "2026-12-20", "--reason", "配件到货延迟")
    assert records(cli("show", "H1", "-f", "json"))["deadline"] == "2026-12-20"


def test_a_first_deadline_may_still_be_set_by_edit_or_plan(reg, unit):
    a, b = add(reg, unit), add(reg, unit)
    with reg.store.transaction():  # open without a deadline, as an older register may have them
        for h in (a, b):
            reg.store.update_hazard(h["id"], {"deadline": None}, reg.today())
    assert reg.hazards.edit(a["id"], {"deadline": "2026-12-10"})["deadline"] == "2026-12-10"
    assert reg.hazards.plan(b["id"], {"deadline": "+10d"})["deadline"] == "2026-12-09"
    with pytest.raises(Refused) as err:
        reg.hazards.plan(b["id"], {"deadline": "+20d"})
    assert err.value.key == "err.deadline_by_extension"


# -- dates of things that happened are not in the future ------------------------------------------------


@pytest.fixture
def hazards(cli, unit):
    """H1 general, rectifying; H2 major with a deadline passed; H3 major, rectified, plan complete."""
    cli("add", "消防通道堵塞", "--unit", "U1", "--found", "2026-11-01")
    cli("start", "H1")
    cli("add", "储罐区无报警装置", "--unit", "U1", "--level", "major", "--found", "2026-11-01",
        "--deadline", "2026-11-20", "--owner", "郑晓峰")
    cli("add", "仓库超量储存", "--unit", "U1", "--level", "major", "--found", "2026-11-01", "--deadline", "2026-12-01")
    cli("plan", "H3", "--owner", "郑晓峰", "--measures", "清理", "--funds", "100", "--deadline", "2026-12-01",
        "--contingency", "预案")
    cli("start", "H3"), cli("done", "H3")
    return cli


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("add", "配电箱未上锁", "--unit", "U1", "--found", "tomorrow"), "Found"),
        (("edit", "H1", "--found", "2026-12-01"), "Found"),
        (("done", "H1", "--on", "+1d"), "Rectified"),
        (("verify", "H3", "--by", "李明", "--on", "2026-11-30"), "Verified"),
        (("escalate", "H2", "--step", "notice", "--on", "tomorrow"), "Date"),
        (("action", "H2", "--type", "order_rectify", "--on", "12月1日"), "Date"),
        (("supervise", "H2", "--by", "区安委办", "--level", "district", "--due", "2026-12-31", "--notice", "督1号", "--on",
          "tomorrow"), "Date"),
        (("inspect", "add", "--unit", "U1", "--by", "王建国", "--on", "tomorrow"), "Date"),
    ],
)
def test_no_date_of_something_that_happened_is_in_the_future(hazards, args, field):
    before = hazards("history", "-f", "json").stdout
    result = hazards(*args, code=2)
    line = result.stderr.strip()
    assert line.count("\n") == 0 and line.startswith(f"Error: {field}: ")
    assert "is after today (2026-11-29)" in line and "cannot be in the future" in line
    assert hazards("history", "-f", "json").stdout == before


def test_delist_on_a_future_date_is_refused(reg, unit):
    h = closed_major(reg, unit, listed_on="2026-11-02")
    with pytest.raises(InvalidInput) as err:
        reg.supervision.delist(f"H{h['id']}", "验收合格", on="2026-12-01")
    assert err.value.key == "err.future"
    reg.supervision.delist(f"H{h['id']}", "验收合格", on="today")


def test_import_refuses_a_future_date_found_by_the_same_rule(cli, unit, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("隐患描述,单位名称,发现日期\n灭火器过期,临江市宏达化工有限公司,2026-11-20\n配电箱未上锁,临江市宏达化工有限公司,2026-12-01\n", encoding="utf-8")
    result = cli("import", "hazards", str(path), code=2)
    assert "row 3, 发现日期 '2026-12-01'" in result.stderr and "cannot be in the future" in result.stderr
    assert records(cli("list", "--all", "-f", "json")) == []


# -- nothing to change ---------------------------------------------------------------------------------


def test_edit_with_nothing_to_change_says_so_and_writes_nothing(cli, unit):
    cli("add", "消防通道堵塞", "--unit", "U1", "--owner", "王芳")
    before = cli("history", "-f", "json").stdout
    result = cli("edit", "H1", code=2)
    assert "nothing to change" in result.stderr and "description" in result.stderr
    out = cli("edit", "H1", "--owner", "王芳").stdout
    assert out.strip() == "Unchanged H1: it already has these values; nothing was written"
    assert "nothing to change" in cli("unit", "edit", "U1", code=2).stderr
    out = cli("unit", "edit", "U1", "--code", VALID_CODES[0].lower()).stdout
    assert out.strip() == "Unchanged U1: it already has these values; nothing was written"
    assert cli("history", "-f", "json").stdout == before


# -- a unit whose name is already in the register -------------------------------------------------------


def test_a_second_unit_of_the_same_name_needs_force_off_a_terminal(cli, unit):
    result = cli("unit", "add", "临江市宏达化工有限公司", "--industry", "fire", "--locality", "青山镇", code=1)
    assert "临江市宏达化工有限公司" in result.stderr and "U1" in result.stderr and "--force" in result.stderr
    assert len(records(cli("unit", "list", "-f", "json"))) == 1
    assert "Added U2" in cli("unit", "add", "临江市宏达化工有限公司", "--industry", "fire", "--locality",
                             "青山镇", "--force").stdout


def test_a_second_unit_of_the_same_name_is_asked_about_on_a_terminal(cli, unit, monkeypatch):
    monkeypatch.setattr("hazreg.cli.units.interactive", lambda: True)
    args = ("unit", "add", "临江市宏达化工有限公司", "--industry", "fire", "--locality", "青山镇")
    result = cli(*args, input="n\n", code=1)
    assert "already in the register (U1)" in result.stdout + result.stderr
    assert len(records(cli("unit", "list", "-f", "json"))) == 1
    assert "Added U2" in cli(*args, input="y\n").stdout


def test_interactive_add_asks_again_for_an_ambiguous_unit(cli, reg, unit, monkeypatch):
    reg.units.add({"name": unit["name"], "industry": "fire", "locality": "临江街道"}, force=True)
    monkeypatch.setattr("hazreg.cli.hazards.interactive", lambda: True)
    result = cli("add", input=f"消防水泵无法启动\n{unit['name']}\nU2\n\n")
    assert "names several units (U1, U2)" in result.stdout + result.stderr
    assert "Added H1: 消防水泵无法启动 (临江市宏达化工有限公司)" in result.stdout
    assert records(cli("show", "H1", "-f", "json"))["unit_id"] == "U2"
    result = cli("add", input="配电箱未上锁\n没有这个单位\nU1\n\n")
    assert "no unit '没有这个单位'" in result.stdout + result.stderr
    assert records(cli("show", "H2", "-f", "json"))["unit_id"] == "U1"


# -- draws ------------------------------------------------------------------------------------------------


@pytest.fixture
def units3(cli):
    for n, locality in enumerate(("临江街道", "青山镇", "桃源镇")):
        cli("unit", "add", f"单位{n}", "--industry", "fire", "--locality", locality)
    return cli


def test_a_draw_larger_than_its_candidates_needs_all(units3):
    cli = units3
    result = cli("draw", "--count", "5", "--inspectors", "0", code=2)
    assert "5 is more than the 3 units that match" in result.stderr and "--all" in result.stderr
    assert records(cli("draw", "list", "-f", "json")) == []
    assert "3 units" in cli("draw", "--count", "5", "--all", "--inspectors", "0", "--seed", "1").stdout
    assert "3 units" in cli("draw", "--all", "--inspectors", "0", "--seed", "1").stdout


def test_a_mistaken_draw_is_voided_kept_and_shown_as_void(units3):
    cli = units3
    cli("draw", "--count", "2", "--inspectors", "0", "--seed", "1")
    cli("draw", "--count", "1", "--inspectors", "0", "--seed", "2")
    assert "--reason" in cli("draw", "void", "D1", code=2).stderr
    assert "D1 is now void" in cli("draw", "void", "D1", "--reason", "抽取范围选错").stdout
    assert "already void" in cli("draw", "void", "D1", "--reason", "again", code=1).stderr
    listed = {d["id"]: d for d in records(cli("draw", "list", "-f", "json"))}
    assert listed["D1"]["void_reason"] == "抽取范围选错" and listed["D2"]["void_reason"] is None
    assert "Void: 抽取范围选错" in cli("draw", "list").stdout
    shown = cli("draw", "show", "D1")
    assert "void: 抽取范围选错" in shown.stdout.lower()
    assert records(cli("draw", "show", "D1", "-f", "json"))["void_reason"] == "抽取范围选错"
    drawn = records(cli("draw", "show", "D1", "-f", "json"))["units"][0]["unit_id"]
    result = cli("inspect", "add", "--unit", drawn, "--by", "王建国", "--draw", "D1", code=1)
    assert "D1 is void" in result.stderr
    assert "verified" in cli("draw", "verify", "D1").stdout  # still evidence
    assert [e["action"] for e in records(cli("history", "-f", "json")) if e["record_type"] == "draw"][-1] == "void"
