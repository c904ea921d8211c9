"""Issue 15, major hazards: a listing's notice and deadline (督办逾期), extensions past it, the
closing steps (销号申请 → 验收 → 销号 → 摘牌) and deadlines every hazard must have."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hazreg.errors import InvalidInput, Refused
from hazreg.register import Register
from hazreg.register.integrity import check_register

NOTICE = "宁江安委办督〔2026〕3号"


@pytest.fixture
def major(reg: Register, unit: dict) -> dict:
    return reg.hazards.add({"unit": unit["id"], "description": "危化品仓库未设置可燃气体报警装置", "level": "major",
                           "found_on": "2026-11-01", "deadline": "2026-11-20", "owner": "郑晓峰"})


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "评估报告.pdf"
    path.write_bytes(b"%PDF-1.4 evaluation report")
    return path


def listed(reg: Register, hazard: dict, due: str = "2026-12-31") -> str:
    hid = f"H{hazard['id']}"
    reg.supervision.supervise(hid, "区安委办", "县（区）级", on="2026-11-05", due=due, notice=NOTICE)
    return hid


def rectified(reg: Register, hid: str) -> None:
    reg.hazards.plan(hid, {"measures": "加装报警器", "funds": "12000", "contingency": "泄漏应急预案"})
    reg.hazards.start(hid)
    reg.hazards.done(hid, on="2026-11-18")


# -- the listing -----------------------------------------------------------------------------------


def test_a_listing_needs_its_notice_and_deadline(reg, major):
    hid = f"H{major['id']}"
    with pytest.raises(InvalidInput) as err:
        reg.supervision.supervise(hid, "区安委办", "district", notice=NOTICE)
    assert err.value.field == "due"
    with pytest.raises(InvalidInput) as err:
        reg.supervision.supervise(hid, "区安委办", "district", due="2026-12-31")
    assert err.value.field == "notice"
    listed(reg, major)
    s = reg.supervision.evidence(major["id"])["supervisions"][0]
    assert (s["body"], s["level"], s["notice_no"], s["due"]) == ("区安委办", "district", NOTICE, "2026-12-31")


def test_supervising_twice_names_the_current_listing(cli, reg, major):
    hid = listed(reg, major)
    result = cli("supervise", hid, "--by", "市安委办", "--level", "city", "--due", "2027-01-31", "--notice", "x", code=1)
    assert f"already listed for supervision by 区安委办 (notice {NOTICE}, since 2026-11-05)" in result.stderr
    result = cli("--lang", "zh", "supervise", hid, "--by", "市安委办", "--level", "市级", "--due", "2027-01-31",
                 "--notice", "x", code=1)
    assert f"已由区安委办挂牌督办（督办文号 {NOTICE}，2026-11-05 起）" in result.stderr and "请先摘牌" not in result.stderr
    result = cli("supervise", hid, "--by", "x", "--level", "city", code=2)
    assert "--due" in result.stderr and "--notice" in result.stderr


def test_a_passed_supervision_deadline_is_flagged_and_counted(cli, reg, unit, major, monkeypatch):
    hid = listed(reg, major, due="2026-11-25")  # today is 2026-11-29
    other = reg.hazards.add({"unit": unit["id"], "description": "储罐区防雷检测过期", "level": "major",
                             "deadline": "2026-12-20"})
    reg.supervision.supervise(f"H{other['id']}", "市安委办", "市级", due="2026-12-31", notice="市督〔2026〕1号")
    rows = json.loads(cli("list", "--supervised", "--format", "json").stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id[hid]["supervision_overdue"] is True and by_id[hid]["supervision_due"] == "2026-11-25"
    assert by_id[hid]["notice_no"] == NOTICE and by_id[hid]["supervised_by"] == "区安委办"
    assert by_id[f"H{other['id']}"]["supervision_overdue"] is False
    table = cli("list", "--supervised").stdout
    assert NOTICE in table and "2026-11-25" in table
    assert "1 listed hazards past their supervision deadline" in cli("list", "--supervised").stderr
    zh = cli("--lang", "zh", "list", "--supervised")
    assert "督办逾期 1 条" in zh.stderr and "督办期限" in zh.stdout
    assert "督办逾期" in cli("--lang", "zh", "show", hid).stdout
    assert "SUPERVISION OVERDUE" in cli("show", hid).stdout
    due_rows = json.loads(cli("due", "--format", "json").stdout)
    assert [r["supervision_overdue"] for r in due_rows if r["id"] == hid] == [True]
    csv = cli("list", "--supervised", "--format", "csv").stdout
    assert "supervision_overdue" in csv.splitlines()[0]
    weekly = json.loads(cli("report", "weekly", "--week", "2026-W48", "--format", "json").stdout)
    assert weekly["supervision"]["overdue"] == 1 and weekly["supervision"]["listed"] == 2
    assert [r["id"] for r in weekly["supervision"]["hazards"] if r["supervision_overdue"]] == [hid]
    assert "督办逾期" in cli("--lang", "zh", "report", "weekly", "--week", "2026-W48").stdout
    assert "Supervision overdue" in cli("report", "weekly", "--week", "2026-W48").stdout


# -- extensions past the supervision deadline ------------------------------------------------------


def test_extending_past_the_supervision_deadline_needs_the_bodys_approval(cli, reg, major):
    hid = listed(reg, major, due="2026-12-31")
    reg.supervision.extend(hid, "2026-12-20", "配件到货延迟")  # within the supervision deadline: as before
    result = cli("extend", hid, "--to", "2027-01-15", "--reason", "设备采购", code=1)
    assert "supervision deadline 2026-12-31" in result.stderr and "--approved-by" in result.stderr
    assert reg.hazards.get(hid)["deadline"] == "2026-12-20"
    zh = cli("--lang", "zh", "extend", hid, "--to", "2027-01-15", "--reason", "设备采购", code=1)
    assert "督办期限 2026-12-31" in zh.stderr
    cli("extend", hid, "--to", "2027-01-15", "--reason", "设备采购", "--approved-by", "区安委办")
    chain = reg.supervision.evidence(major["id"])["extensions"]
    assert (chain[-1]["to_deadline"], chain[-1]["approved_by"]) == ("2027-01-15", "区安委办")


# -- closing: 销号申请 → 验收 → 销号 → 摘牌 -------------------------------------------------------------


def test_the_closing_steps_in_order(reg, major, report):
    hid = listed(reg, major)
    with pytest.raises(Refused) as err:
        reg.supervision.apply_close(hid, "郑晓峰", report)
    assert err.value.key == "err.apply_status"  # not rectified yet
    rectified(reg, hid)
    with pytest.raises(Refused) as err:
        reg.hazards.verify(hid, "李明", "复查合格")  # 销号 before the application and the check
    assert err.value.key == "err.close_order" and "application" in err.value.message()
    with pytest.raises(Refused) as err:
        reg.supervision.accept(hid, "区安委办 王强")  # a check before the application
    assert err.value.key == "err.close_order"
    with pytest.raises(InvalidInput):
        reg.supervision.apply_close(hid, "郑晓峰", None)  # the report is required
    reg.supervision.apply_close(hid, "郑晓峰", report, on="2026-11-20")
    with pytest.raises(Refused) as err:
        reg.supervision.apply_close(hid, "郑晓峰", report)  # applied already
    assert err.value.key == "err.close_order"
    with pytest.raises(Refused) as err:
        reg.hazards.verify(hid, "李明")
    assert err.value.key == "err.close_order" and "acceptance" in err.value.message()
    with pytest.raises(Refused) as err:
        reg.supervision.delist(hid, "摘牌")
    assert err.value.key == "err.delist_open"
    reg.supervision.accept(hid, "区安委办 王强", on="2026-11-27")
    reg.hazards.verify(hid, "区安委办", "同意销号", on="2026-11-28")
    reg.supervision.delist(hid, "验收合格，予以摘牌")
    actions = [e["action"] for e in reg.history(hid)]
    assert actions[-5:] == ["attach", "apply", "accept", "verify", "delist"]
    steps = reg.store.supervision_steps(reg.supervision.evidence(major["id"])["supervisions"][0]["id"])
    assert [(s["step"], s["done_by"], s["done_on"]) for s in steps] == [
        ("apply", "郑晓峰", "2026-11-20"), ("accept", "区安委办 王强", "2026-11-27")]
    attachment = reg.supervision.attachment(f"A{steps[0]['attachment_id']}")
    assert attachment["stage"] == "report" and attachment["name"] == "评估报告.pdf"
    assert check_register(reg)["ok"], check_register(reg)


def test_a_failed_acceptance_sends_it_back_and_the_unit_applies_again(reg, major, report):
    hid = listed(reg, major)
    rectified(reg, hid)
    reg.supervision.apply_close(hid, "郑晓峰", report, on="2026-11-19")
    with pytest.raises(InvalidInput):
        reg.supervision.accept(hid, "王强", fail=True)  # why it failed is required
    with pytest.raises(Refused) as err:
        reg.hazards.verify(hid, "王强", "不合格", fail=True)
    assert err.value.key == "err.supervised_verify_fail"
    reg.supervision.accept(hid, "王强", on="2026-11-20", note="报警器未联动", fail=True)
    assert reg.hazards.get(hid)["status"] == "rectifying"
    with pytest.raises(Refused):
        reg.supervision.accept(hid, "王强")
    reg.hazards.done(hid, on="2026-11-24")
    reg.supervision.apply_close(hid, "郑晓峰", report, on="2026-11-25")
    reg.supervision.accept(hid, "王强", on="2026-11-27")
    reg.hazards.verify(hid, "区安委办", on="2026-11-28")
    assert reg.hazards.get(hid)["status"] == "closed"
    assert check_register(reg)["ok"], check_register(reg)


def test_a_late_acceptance_is_flagged(cli, reg, major, report):
    hid = listed(reg, major)
    rectified(reg, hid)
    cli("config", "acceptance_days", "3")
    assert "acceptance_days = 3" in cli("config").stdout
    # Applied Wednesday 18 November: three working days end Monday 23 November.
    result = cli("apply", hid, "--by", "郑晓峰", "--report", str(report), "--on", "2026-11-18")
    assert "due by 2026-11-23" in result.stdout
    assert "acceptance late (due by 2026-11-23)" in cli("show", hid).stdout  # today is the 29th
    result = cli("accept", hid, "--by", "王强", "--on", "2026-11-24")
    assert "late (due by 2026-11-23)" in result.stdout
    assert [e["after"].get("late") for e in reg.history(hid) if e["action"] == "accept"] == [True]
    cli("config", "acceptance_days", "0", code=2)
    assert check_register(reg)["ok"]


def test_the_default_acceptance_time_is_ten_working_days(cli, reg, major, report):
    hid = listed(reg, major)
    rectified(reg, hid)
    # From Thursday 19 November, ten working days: 20, 23–27 Nov, 30 Nov, 1–3 Dec.
    result = cli("apply", hid, "--by", "郑晓峰", "--report", str(report), "--on", "2026-11-19")
    assert "due by 2026-12-03" in result.stdout
    zh = cli("--lang", "zh", "accept", hid, "--by", "王强")
    assert "现场验收合格" in zh.stdout and "hazreg verify" in zh.stdout


def test_a_reimport_cannot_close_a_listed_hazard(cli, reg, major, tmp_path):
    hid = listed(reg, major)
    rectified(reg, hid)
    path = tmp_path / "h.csv"
    path.write_text("uid,unit_name,description,found_on,status,verified_by,verified_on\n"
                    f"{major['uid']},临江市宏达化工有限公司,{major['description']},2026-11-01,closed,李明,2026-11-28\n",
                    encoding="utf-8")
    result = cli("import", "hazards", str(path), code=2)
    assert "closes only through its steps" in result.stderr
    assert reg.hazards.get(hid)["status"] == "rectified"


# -- deadlines every open hazard has ----------------------------------------------------------------


def test_a_general_hazard_gets_the_default_deadline_and_a_major_one_needs_its_own(cli, reg, unit):
    general = reg.hazards.add({"unit": unit["id"], "description": "灭火器过期", "found_on": "2026-11-10"})
    assert general["deadline"] == "2026-12-10"
    cli("config", "general_deadline_days", "15")
    assert reg.hazards.add({"unit": unit["id"], "description": "疏散通道堵塞",
                            "found_on": "2026-11-10"})["deadline"] == "2026-11-25"
    with pytest.raises(InvalidInput) as err:
        reg.hazards.add({"unit": unit["id"], "description": "储罐无防雷", "level": "major"})
    assert err.value.field == "deadline"
    result = cli("add", "储罐无防雷", "--unit", f"U{unit['id']}", "--level", "major", code=2)
    assert "major hazard needs a deadline" in result.stderr
    zh = cli("--lang", "zh", "add", "储罐无防雷", "--unit", f"U{unit['id']}", "--level", "重大", code=2)
    assert "重大隐患必须有治理时限" in zh.stderr


def test_an_import_row_without_a_deadline(cli, reg, unit, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("单位名称,隐患描述,隐患级别,发现日期\n"
                    "临江市宏达化工有限公司,灭火器过期,一般隐患,2026-11-02\n"
                    "临江市宏达化工有限公司,储罐无防雷,重大隐患,2026-11-02\n", encoding="utf-8")
    result = cli("import", "hazards", str(path), code=2)
    assert "row 3" in result.stderr and "deadline" in result.stderr
    cli("import", "hazards", str(path), "--skip-invalid", code=None)
    rows, _ = reg.hazards.query(reg.hazards.filter())
    assert [(r["description"], r["deadline"]) for r in rows] == [("灭火器过期", "2026-12-02")]


def test_an_edit_keeps_an_open_hazard_with_a_deadline(reg, unit):
    general = reg.hazards.add({"unit": unit["id"], "description": "灭火器过期", "deadline": "2026-12-10"})
    with pytest.raises(Refused):
        reg.hazards.edit(general["id"], {"description": "x", "deadline": ""})
    # An older register's open hazard without a deadline: an edit gives it one.
    with reg.store.transaction():
        reg.store.update_hazard(general["id"], {"deadline": None}, reg.today())
    with pytest.raises(InvalidInput) as err:
        reg.hazards.edit(general["id"], {"description": "灭火器压力不足"})
    assert err.value.key == "err.deadline_required_edit"
    assert reg.hazards.edit(general["id"], {"description": "灭火器压力不足", "deadline": "2026-12-15"})["deadline"] \
        == "2026-12-15"


# -- a register made before this change ----------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def old_address(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A register at schema 7 (before m011), with a listing without notice number and an open
    general hazard without a deadline, written as the older hazreg left them."""
    from hazreg.storage import open_store
    from hazreg.storage.postgres import schema
    from hazreg.storage.sqlite.migrations import migrations

    monkeypatch.setenv("HAZREG_NOW", "2026-11-29T04:00:00+00:00")
    monkeypatch.setenv("HAZREG_LANG", "en")

    def fill(address: str) -> None:
        with monkeypatch.context() as old:
            old.setattr(migrations, "_migrations", [m for m in migrations._migrations if m.name < "m008"])
            old.setattr(schema, "MIGRATIONS", [m for m in schema.MIGRATIONS if m[0] < "m008"])
            store = open_store(address, create=True)
            stamp = "2026-11-01T04:00:00.000000Z"
            with store.transaction():
                unit = store._insert("units", {"uid": "u1", "name": "临江市宏达化工有限公司", "industry": "fire",
                                                   "locality": "青山镇", "risk": "red", "created_at": stamp,
                                                   "updated_at": stamp})
                common = {"unit_id": unit, "industry": "fire", "locality": "青山镇", "status": "open",
                          "source": "inspection", "found_on": "2026-11-01", "created_at": stamp, "updated_at": stamp}
                store.insert_hazard({"uid": "h1", "description": "储罐区无报警装置", "level": "major",
                                     "deadline": "2026-11-20", **common})
                store.insert_hazard({"uid": "h2", "description": "灭火器过期", "level": "general", **common})
                store.insert_into("supervisions", {"uid": "s1", "hazard_id": 1, "body": "区安委办", "level": "district",
                                                   "listed_on": "2026-11-05", "due": None, "note": None,
                                                   "created_at": stamp, "updated_at": stamp})
            store.close()

    if request.param == "sqlite":
        address = str(tmp_path / "old.db")
        fill(address)
        yield address
    else:
        from pg import pg_database

        with pg_database(schema=False) as url:
            fill(url)
            yield url


def test_a_register_from_before_is_migrated_and_keeps_working(old_address, tmp_path):
    from hazreg.register import open_register
    from hazreg.storage.base import SCHEMA_VERSION

    reg = open_register(old_address, write=True, operator="t")
    try:
        assert reg.info()["schema_version"] == SCHEMA_VERSION
        applied = reg.store.migrations_applied()
        assert applied is not None and "m011_supervision_closing" in applied
        # The open hazard without a deadline still lists, never overdue; an edit must give one.
        rows, _ = reg.hazards.query(reg.hazards.filter())
        assert [(r["id"], r["deadline"], r["overdue"]) for r in rows if r["id"] == 2] == [(2, None, False)]
        with pytest.raises(InvalidInput):
            reg.hazards.edit(2, {"owner": "王芳"})
        # The older listing: no notice number, no supervision deadline; named as it is.
        with pytest.raises(Refused) as err:
            reg.supervision.supervise("H1", "市安委办", "city", due="2026-12-31", notice="x")
        assert "by 区安委办 (notice —, since 2026-11-05)" in err.value.message()
        assert reg.supervision.decorate([reg.hazards.get(1)])[0]["supervision_overdue"] is False
        # … and it closes by the steps like any other.
        report = tmp_path / "评估报告.pdf"
        report.write_bytes(b"report")
        reg.hazards.plan(1, {"owner": "郑晓峰", "measures": "加装", "funds": "100", "contingency": "预案"})
        reg.hazards.start(1)
        reg.hazards.done(1)
        with pytest.raises(Refused):
            reg.hazards.verify(1, "李明")
        reg.supervision.apply_close("H1", "郑晓峰", report)
        reg.supervision.accept("H1", "区安委办")
        assert reg.hazards.verify(1, "李明")["status"] == "closed"
    finally:
        reg.store.close()


def tamper(reg: Register, sql: str) -> None:
    """A change written behind the register's back (the same SQL on both engines)."""
    with reg.store.transaction():
        if reg.store.engine == "postgresql":
            reg.store._execute(sql)
        else:
            reg.store.conn.execute(sql)


def test_check_finds_a_closing_step_changed_or_removed_behind_its_back(reg, major, report):
    hid = listed(reg, major)
    rectified(reg, hid)
    reg.supervision.apply_close(hid, "郑晓峰", report, on="2026-11-20")
    reg.supervision.accept(hid, "区安委办 王强", on="2026-11-27")
    assert check_register(reg)["ok"]
    tamper(reg, "UPDATE supervision_steps SET done_by = 'x' WHERE step = 'accept'")
    found = check_register(reg)
    assert not found["ok"] and {"record": "supervision step 2", "field": "done_by", "register": "x",
                                "history": "区安委办 王强"} in found["records"]["first"]
    tamper(reg, "DELETE FROM supervision_steps WHERE step = 'accept'")
    problems = check_register(reg)["tables"]
    assert any(p.get("problem") == "row_missing" and p.get("record") == "supervision step 2" for p in problems)
