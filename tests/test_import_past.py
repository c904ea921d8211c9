"""Moving an office's existing ledger in: its past stays where it happened.

An imported hazard's history is placed at its real dates (found, rectified, closed),
so past weeks' reports count it exactly as if it had been entered on those days;
and an imported status goes through the lifecycle's moves and gates.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import VALID_CODES
from hazreg import dates

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOTEL, PLANT = "临江大酒店", "临江市宏达化工有限公司"

# A district ledger as offices keep it: Chinese headers, rows found over five weeks
# (2026-W44 to W48), many already closed with their 销号日期.
HEADERS = ("单位名称", "隐患描述", "隐患级别", "发现日期", "整改期限", "状态", "整改完成日期",
           "复查人", "复查日期", "销号日期", "整改责任人", "整改措施", "整改资金", "应急预案", "作废原因")
PLAN = ("郑晓峰", "加装可燃气体报警器并接入中控室", "12000", "泄漏专项应急预案")
LEDGER = [
    (PLANT, "储罐区静电接地线断开", "一般", "2026-10-27", "2026-11-03", "已销号", "2026-11-02", "李明", "2026-11-04", "2026-11-04"),
    (HOTEL, "后厨灭火器过期", "一般", "2026-10-28", "2026-11-05", "已销号", "2026-11-05", "王建国", "2026-11-06", "2026-11-06"),
    (HOTEL, "疏散指示灯损坏", "一般", "2026-11-03", "2026-11-10", "已整改", "2026-11-12", "", "", ""),
    (PLANT, "危化品仓库未设置可燃气体报警装置", "重大", "2026-11-04", "2026-12-04", "整改中", "", "", "", "", *PLAN),
    (HOTEL, "消防通道堆放杂物", "一般", "2026-11-05", "2026-11-08", "待整改", "", "", "", ""),
    (PLANT, "装卸区未设置防撞设施", "一般", "2026-11-10", "2026-11-20", "已销号", "2026-11-16", "李明", "2026-11-18", "2026-11-18"),
    # closed with an acceptance (验收) but no 销号日期: closed on the day it was accepted
    (PLANT, "甲类仓库防爆电气失效", "重大", "2026-11-11", "2026-11-25", "已销号", "2026-11-20", "张工", "2026-11-23", "", *PLAN),
    (HOTEL, "配电间电气线路老化", "一般", "2026-11-12", "2026-11-19", "待整改", "", "", "", ""),
    (HOTEL, "厨房燃气泄漏报警器失效", "一般", "2026-11-17", "2026-11-24", "已销号", "2026-11-19", "王建国", "2026-11-21", "2026-11-21"),
    (PLANT, "员工未佩戴防护用品", "一般", "2026-11-18", "2026-11-25", "整改中", "", "", "", ""),
    (HOTEL, "安全出口锁闭", "一般", "2026-11-19", "2026-11-21", "已作废", "", "", "", "", "", "", "", "", "重复录入"),
    (PLANT, "应急预案未按期演练", "一般", "2026-11-24", "2026-12-01", "待整改", "", "", "", ""),
    (HOTEL, "灭火器未年检", "一般", "2026-11-25", "2026-12-02", "已销号", "2026-11-26", "王建国", "2026-11-27", "2026-11-27"),
]


def _csv(path: Path, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> Path:
    lines = [",".join(headers)] + [",".join(row + ("",) * (len(headers) - len(row))) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _units(cli, db: str) -> None:
    cli("--db", db, "unit", "add", HOTEL, "--industry", "消防", "--locality", "临江街道")
    cli("--db", db, "unit", "add", PLANT, "--industry", "危化品", "--locality", "青山镇", "--code", VALID_CODES[0])


def _on(day: str, hour: int = 10):
    """The clock at `hour` o'clock, Shanghai time, on `day`."""
    return dates.clock(datetime.combine(date.fromisoformat(day), time(hour), SHANGHAI))


def _by_commands(cli, db: str) -> None:
    """The same ledger entered day by day with hazreg's own commands, as it happened."""
    events: list[tuple[str, int, list[str]]] = []  # (day, order within the day, command)
    for number, row in enumerate(LEDGER, start=1):
        unit, text, level, found, deadline, status, rectified, verifier, verified, closed = row[:10]
        ref = f"H{number}"
        events.append((found, 0, ["add", text, "--unit", unit, "--level", level, "--found", found,
                                  "--deadline", deadline]))
        if len(row) > 10 and row[10]:
            events.append((found, 1, ["plan", ref, "--owner", row[10], "--measures", row[11], "--funds", row[12],
                                      "--contingency", row[13]]))
        if status in ("整改中", "已整改", "已销号"):
            events.append((found, 2, ["start", ref]))
        if status in ("已整改", "已销号"):
            events.append((rectified, 3, ["done", ref]))
        if status == "已销号":
            events.append((closed or verified, 4, ["verify", ref, "--by", verifier]))
        if status == "已作废":
            events.append((found, 4, ["void", ref, "--reason", row[14]]))
    for day, _order, command in sorted(events, key=lambda e: (e[0], e[1])):
        with _on(day):
            cli("--db", db, *command)


def _json(cli, db: str, *args: str):
    return json.loads(cli("--db", db, *args, "--format", "json").stdout)


def _without_write_times(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("uid", "created_at", "updated_at")} for r in rows]


def test_an_imported_ledger_reports_its_past_weeks_as_if_entered_on_those_days(cli, tmp_path):
    imported, typed = str(tmp_path / "imported.db"), str(tmp_path / "typed.db")
    ledger = _csv(tmp_path / "隐患台账.csv", HEADERS, LEDGER)
    _units(cli, imported)
    result = cli("--db", imported, "import", "hazards", str(ledger))
    assert "13 new" in result.stdout
    with _on("2026-10-26", 8):
        _units(cli, typed)
    _by_commands(cli, typed)

    for week in ("2026-W44", "2026-W45", "2026-W46", "2026-W47"):
        got = _json(cli, imported, "report", "weekly", "--week", week)
        assert got == _json(cli, typed, "report", "weekly", "--week", week), week
    w47 = _json(cli, imported, "report", "weekly", "--week", "2026-W47")
    assert w47["figures"]["found"] == 2  # 11-17, 11-18 (11-19 was voided)
    assert w47["figures"]["closed"] == 2  # closed 11-18 and 11-21
    assert [w["closed"] for w in w47["trend"][-4:]] == [0, 2, 0, 2]  # W44 … W47
    assert _json(cli, imported, "report", "trend", "--weeks", "6") == _json(cli, typed, "report", "trend", "--weeks", "6")
    for by in ("week", "status", "level"):
        assert _json(cli, imported, "report", "stats", "--by", by) == _json(cli, typed, "report", "stats", "--by", by)
    for week in ("2026-W45", "2026-W46"):
        got = _without_write_times(_json(cli, imported, "export", "hazards", "--week", week))
        assert got == _without_write_times(_json(cli, typed, "export", "hazards", "--week", week)), week
    w46 = _json(cli, imported, "export", "hazards", "--week", "2026-W46")
    assert sorted(h["id"] for h in w46) == ["H3", "H6", "H7", "H8"]  # H3 rectified 11-12; three found
    assert cli("--db", imported, "check").exit_code == 0


def test_history_keeps_both_the_write_time_and_the_events_own_date(cli, reg, unit, tmp_path):
    ledger = _csv(tmp_path / "l.csv", HEADERS, [LEDGER[0]])
    cli("import", "hazards", str(ledger))
    entries = json.loads(cli("history", "H1", "--format", "json").stdout)
    assert [e["action"] for e in entries] == ["import", "start", "done", "verify"]
    assert {e["at"] for e in entries} == {"2026-11-29T04:00:00.000000Z"}  # all written now
    # … each at its own day (midnight in Shanghai is 16:00 UTC the day before)
    assert [e["effective_at"] for e in entries] == [
        "2026-10-26T16:00:00.000000Z", "2026-10-26T16:00:00.000000Z",
        "2026-11-01T16:00:00.000000Z", "2026-11-03T16:00:00.000000Z",
    ]
    shown = cli("history", "H1").stdout.splitlines()
    assert "Took effect" in shown[0]
    # the day it was closed, beside the moment it was written
    assert shown[-1].split()[:5] == ["2026-11-29", "12:00", "2026-11-04", "tester", "verified"]


@pytest.mark.sqlite_only  # tampers through the file's connection
def test_changing_an_events_date_behind_hazregs_back_breaks_the_chain(cli, reg, unit, tmp_path):
    cli("import", "hazards", str(_csv(tmp_path / "l.csv", HEADERS, [LEDGER[0]])))
    cli("add", "x", "--unit", "U1")  # an ordinary entry: its date is its write time
    assert cli("check").exit_code == 0
    conn = reg.store.conn
    conn.execute("UPDATE history SET effective_at = '2026-11-20T16:00:00.000000Z' WHERE action = 'verify'")
    result = cli("check", code=1)
    assert "hash" in result.stdout + result.stderr
    conn.execute("UPDATE history SET effective_at = at WHERE action = 'verify'")
    cli("check", code=1)  # putting the write time there is a change too
    conn.execute("UPDATE history SET effective_at = '2026-11-03T16:00:00.000000Z' WHERE action = 'verify'")
    cli("check")
    conn.execute("UPDATE history SET effective_at = '2026-11-01T16:00:00.000000Z' WHERE action = 'create'")
    cli("check", code=1)


def test_an_existing_register_is_migrated_and_its_chain_still_verifies(tmp_path):
    """A register written before events had their own date: every entry gets its write time."""
    from sqlite_utils import Database

    from hazreg.register import open_register
    from hazreg.storage.sqlite.migrations import migrations

    path = tmp_path / "old.db"
    db = Database(path)
    old = [m for m in migrations._migrations if m.name < "m006"]
    for m in old:
        m.fn(db)
        db["_sqlite_migrations"].insert({"migration_set": "hazreg", "name": m.name, "applied_at": "x"})
    db.close()
    # entries written by the old code: the hash covers the nine fields of chain.FIELDS
    from hazreg.chain import GENESIS, entry_hash

    conn = Database(path).conn
    values = (1, "2026-11-01T02:00:00.000000Z", "t", "settings", 0, "timezone", None, '{"timezone": "Asia/Shanghai"}', None)
    conn.execute("INSERT INTO history (seq, at, operator, record_type, record_id, action, before, after, note, prev, hash)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, GENESIS, entry_hash(GENESIS, values)))
    conn.commit()
    conn.close()
    reg = open_register(path, write=True, operator="t")
    from hazreg.register.integrity import check_register

    assert reg.store.conn.execute("SELECT effective_at FROM history").fetchone()[0] == values[1]
    assert check_register(reg)["chain"]["ok"]
    reg.store.close()


def test_a_closed_row_without_any_closing_date_is_said_in_the_summary(cli, unit, tmp_path):
    row = (PLANT, "储罐区静电接地线断开", "一般", "2026-10-27", "2026-11-03", "已销号", "2026-11-02", "李明", "", "")
    result = cli("import", "hazards", str(_csv(tmp_path / "l.csv", HEADERS, [row])))
    assert "1 closed row(s) gave no closing date" in result.stderr
    shown = json.loads(cli("show", "H1", "--format", "json").stdout)
    assert shown["closed_on"] is None  # the register keeps what the ledger says …
    entries = json.loads(cli("history", "H1", "--format", "json").stdout)
    # … and its closing is dated by the best date the row has: when it was rectified
    assert [(e["action"], e["effective_at"][:10]) for e in entries][-1] == ("verify", "2026-11-01")
    w45 = json.loads(cli("report", "weekly", "--week", "2026-W45", "--format", "json").stdout)
    assert w45["figures"]["closed"] == 1


def test_a_verified_row_without_a_status_column_is_refused_or_taken_as_closed(cli, unit, tmp_path):
    headers = ("单位名称", "隐患描述", "发现日期", "整改期限", "复查人", "复查日期", "复查意见")
    ledger = _csv(tmp_path / "l.csv", headers, [
        (PLANT, "储罐区静电接地线断开", "2026-10-27", "2026-11-03", "李明", "2026-11-04", "已整改到位"),
        (PLANT, "应急预案未按期演练", "2026-11-24", "2026-12-01", "", "", ""),
    ])
    result = cli("import", "hazards", str(ledger), code=2)
    assert "row 2" in result.stderr and "no status" in result.stderr and "--verified-as-closed" in result.stderr
    assert "Nothing was written" in result.stderr
    cli("import", "hazards", str(ledger), "--verified-as-closed")
    rows = json.loads(cli("list", "--all", "--format", "json").stdout)
    assert {r["description"]: (r["status"], r["overdue"]) for r in rows} == {
        "储罐区静电接地线断开": ("closed", False), "应急预案未按期演练": ("open", False)}
    assert rows[0]["closed_on"] == "2026-11-04" or rows[1]["closed_on"] == "2026-11-04"


def test_a_closed_major_without_its_plan_or_verifier_is_refused_unless_legacy(cli, unit, tmp_path):
    row = (PLANT, "危化品仓库未设置可燃气体报警装置", "重大", "2026-11-04", "2026-11-20", "已销号", "2026-11-15", "", "", "2026-11-18",
           "郑晓峰")
    ledger = _csv(tmp_path / "l.csv", HEADERS, [row])
    result = cli("import", "hazards", str(ledger), code=2)
    assert "row 2" in result.stderr
    assert "measures, funds, contingency, verified_by" in result.stderr
    assert "--legacy" in result.stderr
    cli("import", "hazards", str(ledger), "--legacy")
    flag = "closed without full plan"
    assert flag in cli("list", "--all").stdout
    assert flag in cli("show", "H1").stdout
    checked = cli("check")  # a warning, not a failure
    assert flag in checked.stdout + checked.stderr and "H1" in checked.stdout + checked.stderr
    report = cli("report", "weekly", "--week", "2026-W47").stdout
    assert flag in report and "危化品仓库未设置可燃气体报警装置" in report
    assert json.loads(cli("report", "weekly", "--week", "2026-W47", "--format", "json").stdout)[
        "closed_incomplete"][0]["id"] == 1


@pytest.mark.parametrize(
    ("first", "then", "refused"),
    [
        # an open major closed by a re-import, without a verification
        (("重大", "待整改", "", "", ""), ("重大", "已销号", "", "", "2026-11-20"), "verified_by"),
        # a closed hazard reopened
        (("一般", "已销号", "2026-11-10", "李明", "2026-11-12"), ("一般", "待整改", "", "", ""), "no further moves are possible"),
        # a void one brought back
        (("一般", "已作废", "", "", ""), ("一般", "整改中", "", "", ""), "no further moves are possible"),
        # a rectifying one sent back to open
        (("一般", "整改中", "", "", ""), ("一般", "待整改", "", "", ""), "allowed now: done, void"),
    ],
)
def test_a_status_column_cannot_move_a_hazard_past_the_lifecycle(cli, unit, tmp_path, first, then, refused):
    headers = ("单位名称", "隐患描述", "隐患级别", "发现日期", "状态", "整改完成日期", "复查人", "销号日期",
               "整改责任人", "作废原因", "整改期限")
    def ledger(values):
        level, status, rectified, verifier, closed = values
        return _csv(tmp_path / "l.csv", headers, [
            (PLANT, "储罐区静电接地线断开", level, "2026-11-02", status, rectified, verifier, closed, "郑晓峰", "重复录入",
             "2026-11-30")])
    cli("import", "hazards", str(ledger(first)))
    before = json.loads(cli("show", "H1", "--format", "json").stdout)
    result = cli("import", "hazards", str(ledger(then)), code=2)
    assert "row 2" in result.stderr and refused in result.stderr
    after = json.loads(cli("show", "H1", "--format", "json").stdout)
    assert after["status"] == before["status"]


def test_a_reimport_moving_a_hazard_on_writes_each_move_at_its_date(cli, unit, tmp_path):
    headers = ("单位名称", "隐患描述", "发现日期", "状态", "整改完成日期", "复查人", "销号日期")
    path = tmp_path / "l.csv"
    cli("import", "hazards", str(_csv(path, headers, [(PLANT, "储罐区静电接地线断开", "2026-11-02", "待整改")])))
    cli("import", "hazards", str(_csv(path, headers, [(PLANT, "储罐区静电接地线断开", "2026-11-02", "已销号",
                                                      "2026-11-10", "李明", "2026-11-12")])))
    entries = json.loads(cli("history", "H1", "--format", "json").stdout)
    # each move at the row's date for it (in UTC: midnight in Shanghai is 16:00 the day before)
    assert [(e["action"], e["effective_at"][:10]) for e in entries] == [
        ("import", "2026-11-01"), ("start", "2026-11-01"), ("done", "2026-11-09"), ("verify", "2026-11-11")]
    w46 = json.loads(cli("report", "weekly", "--week", "2026-W46", "--format", "json").stdout)
    assert w46["figures"]["closed"] == 1
    cli("check")


def test_done_and_verify_on_a_past_date_count_in_that_week(cli, unit):
    with _on("2026-11-10"):
        cli("add", "后厨灭火器过期", "--unit", "U1")
        cli("start", "H1")
    cli("done", "H1", "--on", "2026-11-18")  # told on 11-29 what happened on 11-18
    cli("verify", "H1", "--by", "李明", "--on", "2026-11-19")
    w47 = json.loads(cli("report", "weekly", "--week", "2026-W47", "--format", "json").stdout)
    assert (w47["figures"]["rectified"], w47["figures"]["closed"]) == (1, 1)
    # a date before the hazard was entered cannot put its closure before its creation
    cli("add", "疏散通道堵塞", "--unit", "U1", "--found", "2026-11-10")
    cli("start", "H2")
    cli("done", "H2", "--on", "2026-11-18")
    w47 = json.loads(cli("report", "weekly", "--week", "2026-W47", "--format", "json").stdout)
    assert w47["figures"]["rectified"] == 1
    this = json.loads(cli("report", "weekly", "--week", "2026-W48", "--format", "json").stdout)
    assert this["figures"]["rectified"] == 1


def test_units_registered_dates_place_them_in_export_weeks(cli, tmp_path):
    roster = _csv(tmp_path / "名册.csv", ("单位名称", "行业领域", "所属镇街", "登记日期"), [
        (HOTEL, "消防", "临江街道", "2026-11-03"), (PLANT, "危化品", "青山镇", "")])
    cli("import", "units", str(roster))
    w45 = json.loads(cli("export", "units", "--week", "2026-W45", "--format", "json").stdout)
    assert [u["name"] for u in w45] == [HOTEL]
    w48 = json.loads(cli("export", "units", "--week", "2026-W48", "--format", "json").stdout)
    assert [u["name"] for u in w48] == [PLANT]


def test_an_inspection_on_a_past_day_is_in_that_weeks_export(cli, unit):
    cli("inspector", "add", "王建国")
    cli("inspect", "add", "--unit", "U1", "--by", "王建国", "--on", "2026-11-18")
    w47 = json.loads(cli("export", "inspections", "--week", "2026-W47", "--format", "json").stdout)
    assert [i["on"] for i in w47] == ["2026-11-18"]
