"""Major hazards under supervision: listing, extensions, working days, escalation, enforcement, evidence."""

from __future__ import annotations

import json
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from hazreg.dates import CalendarEstimate, add_working_days, parse_date
from hazreg.errors import InvalidInput, Refused
from hazreg.register import Register
from hazreg.register.supervision import DEFAULT_LADDER, parse_ladder


@pytest.fixture
def major(reg: Register, unit: dict) -> dict:
    return reg.hazards.add({"unit": unit["id"], "description": "危化品仓库未设置可燃气体报警装置", "level": "major",
                           "found_on": "2026-11-01", "deadline": "2026-11-20", "owner": "郑晓峰"})


def close(reg: Register, hazard_id: int, report: Path | None = None) -> None:
    reg.hazards.plan(hazard_id, {"measures": "加装报警器", "funds": "12000", "contingency": "泄漏应急预案"})
    reg.hazards.start(hazard_id)
    reg.hazards.done(hazard_id)
    if reg.supervision.closing(hazard_id) is not None:  # listed: 销号申请 and 验收 before 销号
        assert report is not None
        reg.supervision.apply_close(f"H{hazard_id}", "郑晓峰", report)
        reg.supervision.accept(f"H{hazard_id}", "区安委办")
    reg.hazards.verify(hazard_id, "李明", "复查合格")


# -- listing supervision -------------------------------------------------------------------------


def test_supervise_and_delist(reg, major, tmp_path):
    reg.supervision.supervise(f"H{major['id']}", "区安委办", "区级", due="2026-12-31", note="重大隐患挂牌",
                              notice="宁江安委办督〔2026〕3号")
    rows, _ = reg.hazards.query(reg.hazards.filter(supervised=True))
    assert [r["id"] for r in rows] == [major["id"]]
    evidence = reg.supervision.evidence(major["id"])
    assert evidence["supervisions"][0]["level"] == "district" and evidence["supervisions"][0]["body"] == "区安委办"
    with pytest.raises(Refused) as err:
        reg.supervision.delist(f"H{major['id']}", "已整改")
    assert err.value.key == "err.delist_open"
    report = tmp_path / "评估报告.pdf"
    report.write_bytes(b"report")
    close(reg, major["id"], report)
    reg.supervision.delist(f"H{major['id']}", "验收合格，予以摘牌")
    assert reg.hazards.query(reg.hazards.filter(supervised=True, include_all=True))[0] == []
    assert reg.supervision.evidence(major["id"])["supervisions"][0]["delisted_on"] == "2026-11-29"
    assert [e["action"] for e in reg.history(f"H{major['id']}")][-1] == "delist"


def test_supervision_refusals(reg, unit, major):
    general = reg.hazards.add({"unit": unit["id"], "description": "灭火器过期"})
    with pytest.raises(Refused) as err:
        reg.supervision.supervise(f"H{general['id']}", "区安委办", "district", due="2026-12-31", notice="督1号")
    assert err.value.key == "err.supervise_not_major"
    reg.supervision.supervise(f"H{major['id']}", "区安委办", "district", due="2026-12-31", notice="督1号")
    with pytest.raises(Refused) as err:
        reg.supervision.supervise(f"H{major['id']}", "市安委办", "city", due="2026-12-31", notice="督2号")
    assert err.value.key == "err.supervise_twice"
    other = reg.hazards.add({"unit": unit["id"], "description": "储罐区防雷检测过期", "level": "major",
                             "deadline": "2026-12-20"})
    with pytest.raises(InvalidInput) as err:
        reg.supervision.supervise(f"H{other['id']}", "区安委办", "county", due="2026-12-31", notice="督3号")
    assert "district" in err.value.message()
    with pytest.raises(Refused) as err:
        reg.supervision.delist(f"H{general['id']}", "x")
    assert err.value.key == "err.delist_not_listed"


# -- extensions and working days -------------------------------------------------------------------


def test_extension_keeps_the_original_deadline(reg, major):
    reg.supervision.extend(f"H{major['id']}", "2026-12-20", "配件到货延迟", "张副区长")
    reg.supervision.extend(f"H{major['id']}", "2026-12-31", "施工单位停工")
    chain = reg.supervision.evidence(major["id"])["extensions"]
    assert [(e["from_deadline"], e["to_deadline"]) for e in chain] == [("2026-11-20", "2026-12-20"), ("2026-12-20", "2026-12-31")]
    assert chain[0]["approved_by"] == "张副区长"
    entry = reg.history(f"H{major['id']}")[-1]
    assert entry["action"] == "extend" and entry["before"] == {"deadline": "2026-12-20"} and entry["note"] == "施工单位停工"
    with pytest.raises(Refused) as err:
        reg.supervision.extend(f"H{major['id']}", "2026-12-01", "x")
    assert err.value.key == "err.extend_earlier"
    with pytest.raises(InvalidInput):
        reg.supervision.extend(f"H{major['id']}", "2027-01-10", "  ")


def test_a_finished_hazard_is_not_extended(reg, major):
    close(reg, major["id"])
    with pytest.raises(Refused) as err:
        reg.supervision.extend(f"H{major['id']}", "2027-01-10", "x")
    assert err.value.key == "err.extend_status"


def test_working_days_across_national_day_with_an_adjusted_working_saturday():
    # 2026: 1–7 October are holidays; Saturday 10 October is a working day (调休).
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # the adjusted Saturday counts
    assert add_working_days(date(2026, 10, 10), 1) == date(2026, 10, 12)  # Sunday the 11th does not
    assert add_working_days(date(2026, 10, 12), -2) == date(2026, 10, 9)
    # From Friday 25 September (itself a Mid-autumn holiday): 28–30 Sep, 8–10 Oct, 12–15 Oct.
    assert parse_date("+10wd", date(2026, 9, 25)) == date(2026, 10, 15)
    assert parse_date("+3工作日", date(2026, 9, 30)) == date(2026, 10, 10)


def test_working_days_beyond_the_calendar_are_estimated_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        day = parse_date("+30wd", date(2026, 12, 1))
    assert day == date(2027, 1, 12)  # 22 working days left in December 2026, then eight weekdays
    estimates = [w.message for w in caught if isinstance(w.message, CalendarEstimate)]
    assert estimates and estimates[0].year == 2027 and estimates[0].last == 2026


def test_extend_in_working_days_through_the_cli(cli, major):
    result = cli("extend", f"H{major['id']}", "--to", "+30wd", "--reason", "设备采购")
    # From Sunday 29 November: 30 Nov, 23 weekdays in December, then six in January 2027.
    assert "deadline now 2027-01-08" in result.stdout
    assert "Monday to Friday" in result.stderr  # the estimate is said, not hidden


# -- escalation ----------------------------------------------------------------------------------


def test_the_ladder_over_time(reg, major, monkeypatch):
    def due_steps():
        return [d["step"] for d in reg.supervision.escalations()]

    monkeypatch.setenv("HAZREG_NOW", "2026-11-20T04:00:00+00:00")  # the deadline itself: not overdue
    assert due_steps() == []
    monkeypatch.setenv("HAZREG_NOW", "2026-11-21T04:00:00+00:00")  # one day overdue
    assert due_steps() == ["notice"]
    reg.supervision.escalate(f"H{major['id']}", "整改通知书", "已送达")
    assert due_steps() == []
    monkeypatch.setenv("HAZREG_NOW", "2026-11-27T04:00:00+00:00")  # 7 days overdue
    assert due_steps() == ["letter"]
    monkeypatch.setenv("HAZREG_NOW", "2026-12-21T04:00:00+00:00")  # 31 days: all the rest are due
    assert due_steps() == ["letter", "interview", "public_notice"]
    reg.supervision.escalate(f"H{major['id']}", "letter")
    with pytest.raises(Refused) as err:
        reg.supervision.escalate(f"H{major['id']}", "督办函")
    assert err.value.key == "err.escalated_twice"
    assert due_steps() == ["interview", "public_notice"]
    assert [e["step"] for e in reg.supervision.evidence(major["id"])["escalations"]] == ["notice", "letter"]


def test_a_hazard_not_overdue_is_not_escalated(reg, unit):
    h = reg.hazards.add({"unit": unit["id"], "description": "x", "deadline": "+10d"})
    with pytest.raises(Refused) as err:
        reg.supervision.escalate(f"H{h['id']}", "notice")
    assert err.value.key == "err.escalate_not_overdue"
    with pytest.raises(InvalidInput):
        reg.supervision.escalate(f"H{h['id']}", "lunch")


def test_a_configured_ladder(reg, major, cli):
    assert parse_ladder("letter:10, notice:0") == [("notice", 0), ("letter", 10)]
    assert dict(DEFAULT_LADDER) == {"notice": 0, "letter": 7, "interview": 15, "public_notice": 30}
    with pytest.raises(InvalidInput):
        parse_ladder("notice:zero")
    with pytest.raises(InvalidInput):
        parse_ladder("notice:0,notice:3")
    cli("config", "escalation", "notice:0,site_visit:3,interview:10")
    assert cli("config", "escalation").stdout.strip() == "notice:0,site_visit:3,interview:10"
    steps = [d["step"] for d in json.loads(cli("escalations", "-f", "json").stdout)]
    assert steps == ["notice", "site_visit"]  # nine days overdue


def test_due_is_the_morning_view(reg, unit, cli):
    late = reg.hazards.add({"unit": unit["id"], "description": "逾期的", "found_on": "2026-11-01", "deadline": "2026-11-25", "owner": "王芳"})
    soon = reg.hazards.add({"unit": unit["id"], "description": "三天后到期", "deadline": "+3d", "owner": "张伟"})
    reg.hazards.add({"unit": unit["id"], "description": "一个月后", "deadline": "+30d"})
    rows = json.loads(cli("due", "-f", "json").stdout)
    assert [r["id"] for r in rows] == [f"H{late['id']}", f"H{soon['id']}"]
    mine = json.loads(cli("due", "--owner", "张伟", "-f", "json").stdout)
    assert [r["id"] for r in mine] == [f"H{soon['id']}", f"H{late['id']}"]


# -- enforcement -----------------------------------------------------------------------------------


def test_enforcement_actions(reg, major, cli):
    reg.supervision.take_action(f"H{major['id']}", "罚款", "5万", "临江市宏达化工有限公司", note="从重处罚")
    reg.supervision.take_action(f"H{major['id']}", "suspend")
    with pytest.raises(InvalidInput) as err:
        reg.supervision.take_action(f"H{major['id']}", "fine")
    assert err.value.key == "err.fine_amount"
    with pytest.raises(InvalidInput):
        reg.supervision.take_action(f"H{major['id']}", "close", "100")
    with pytest.raises(InvalidInput):
        reg.supervision.take_action(f"H{major['id']}", "fine", "0.001")
    with pytest.raises(InvalidInput):
        reg.supervision.take_action(f"H{major['id']}", "scold")
    actions = reg.supervision.actions(reg.supervision.action_filter())
    assert [a["type"] for a in actions] == ["suspend", "fine"]
    assert actions[1]["amount"] == Decimal("50000.00")
    assert "Fine recorded" in cli("action", f"H{major['id']}", "--type", "fine", "--amount", "1234.56").stdout
    listed = json.loads(cli("action", "list", "--type", "罚款", "-f", "json").stdout)
    assert [a["amount"] for a in listed] == ["1234.56", "50000.00"]
    assert "fines ¥51,234.56" in cli("action", "list").stderr
    shown = json.loads(cli("show", f"H{major['id']}", "-f", "json").stdout)
    assert len(shown["actions"]) == 3 and shown["actions"][0]["type"] == "fine"


# -- evidence --------------------------------------------------------------------------------------


def test_attachments_are_stored_once_and_checked(reg, major, cli, tmp_path, isolated):
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff jpeg bytes")
    notice = tmp_path / "..\u202etxt.pdf"  # a hostile name is kept as text, never used as a path
    notice.write_bytes(b"%PDF-1.4 notice")
    result = cli("attach", f"H{major['id']}", str(photo), str(photo), str(notice), "--stage", "整改前")
    assert result.stdout.count("Attached") == 3
    files = [p for p in (isolated.parent / "register.files").rglob("*") if p.is_file()]
    assert len(files) == 2  # the same photo is stored once
    assert all(p.name == p.parent.name + p.name[2:] and len(p.name) == 64 for p in files)
    shown = json.loads(cli("show", f"H{major['id']}", "-f", "json").stdout)
    assert [a["name"] for a in shown["attachments"]] == ["现场照片.jpg", "现场照片.jpg", "..\u202etxt.pdf"]
    assert "attached files unchanged" in cli("check").stdout
    out = tmp_path / "out"
    out.mkdir()
    cli("attachment", "export", "A3", "-o", str(out))
    exported = list(out.iterdir())
    assert len(exported) == 1 and exported[0].read_bytes() == b"%PDF-1.4 notice" and "/" not in exported[0].name
    # Someone edits the stored photo behind hazreg's back: check and export both notice.
    stored = next(p for p in files if p.read_bytes().startswith(b"\xff"))
    stored.write_bytes(b"\xff\xd8\xff edited")
    result = cli("check", code=1)
    assert "Altered" in result.stderr
    assert "altered" in cli("attachment", "export", "A1", "-o", str(out), code=1).stderr
    stored.unlink()
    assert "Missing" in cli("check", code=1).stderr
    assert json.loads(cli("check", "-f", "json", code=1).stdout)["attachments"][0]["problem"] == "missing"


def test_attaching_a_missing_file_changes_nothing(reg, major, cli, tmp_path):
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"x")
    cli("attach", f"H{major['id']}", str(photo), str(tmp_path / "nope.jpg"), code=2)
    assert reg.supervision.evidence(major["id"])["attachments"] == []
    assert "no attachment A1" in cli("attachment", "export", "A1", code=1).stderr
