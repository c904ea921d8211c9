"""Side doors: what a command refuses, an import, a void or a merge must refuse (or undo) too.

Each test goes through the side door and expects the one-line message the front door gives.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from hazreg.register import Register
from hazreg.register.integrity import check_register

NOTICE = "宁江安委办督〔2026〕3号"


def write(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def major(reg: Register, unit: dict) -> dict:
    return reg.hazards.add({"unit": unit["id"], "description": "危化品仓库未设置可燃气体报警装置", "level": "major",
                           "found_on": "2026-11-01", "deadline": "2026-11-20", "owner": "郑晓峰"})


def shown(cli, ref: str) -> dict:
    return json.loads(cli("show", ref, "-f", "json").stdout)


# -- 1. a listing in force has its notice number and its supervision deadline ---------------------


def test_an_imported_listing_in_force_needs_its_notice_and_deadline(cli, reg, major, tmp_path):
    hid = f"H{major['id']}"
    front = cli("supervise", hid, "--by", "区安委办", "--level", "district", "--due", "2026-12-31", "--notice", " ",
                code=2)
    assert "a value is required" in front.stderr
    path = write(tmp_path / "s.csv", ["hazard_id", "body", "supervision_level", "listed_on", "due", "notice_no"], [
        [hid, "区安委办", "district", "2026-11-05", "", NOTICE],
        [hid, "区安委办", "district", "2026-11-05", "2026-12-31", ""],
    ])
    result = cli("import", "supervisions", str(path), code=2)
    assert "row 2, due '': a value is required" in result.stderr
    assert "row 3, notice_no '': a value is required" in result.stderr
    assert shown(cli, hid)["supervisions"] == []
    zh = cli("--lang", "zh", "import", "supervisions", str(path), code=2)
    assert "第 2 行" in zh.stderr or "row 2" in zh.stderr
    assert "必须填写" in zh.stderr
    good = write(tmp_path / "ok.csv", ["hazard_id", "body", "supervision_level", "listed_on", "due", "notice_no"], [
        [hid, "区安委办", "district", "2026-11-05", "2026-12-31", NOTICE],
    ])
    assert "1 new" in cli("import", "supervisions", str(good)).stdout
    assert shown(cli, hid)["notice_no"] == NOTICE


def test_a_delisted_listing_from_before_notices_still_imports(cli, reg, major, tmp_path):
    # Listings delisted before notice numbers were kept are history: they import as they are.
    hid = f"H{major['id']}"
    reg.hazards.plan(hid, {"measures": "加装报警器", "funds": "12000", "contingency": "泄漏应急预案"})
    reg.hazards.start(hid)
    reg.hazards.done(hid, on="2026-11-18")
    reg.hazards.verify(hid, "李明", on="2026-11-20")
    headers = ["hazard_id", "body", "supervision_level", "listed_on", "delisted_on", "delist_note"]
    # … but a delisting says why, as `delist --note` must (err.required)
    path = write(tmp_path / "n.csv", headers, [[hid, "区安委办", "district", "2026-11-05", "2026-11-22", ""]])
    assert "row 2, delist_note '': a value is required" in cli("import", "supervisions", str(path), code=2).stderr
    path = write(tmp_path / "s.csv", headers, [[hid, "区安委办", "district", "2026-11-05", "2026-11-22", "已销号"]])
    assert "1 new" in cli("import", "supervisions", str(path)).stdout


# -- 2. an extension past the supervision deadline needs the supervising body's approval ----------


def test_an_imported_extension_past_the_supervision_deadline_needs_approval(cli, reg, major, tmp_path):
    hid = f"H{major['id']}"
    reg.supervision.supervise(hid, "区安委办", "district", on="2026-11-05", due="2026-12-31", notice=NOTICE)
    front = cli("extend", hid, "--to", "2027-01-15", "--reason", "设备采购", code=1)
    message = front.stderr.strip().removeprefix("Error: ")
    headers = ["hazard_id", "from_deadline", "to_deadline", "reason", "approved_by"]
    path = write(tmp_path / "e.csv", headers, [[hid, "2026-11-20", "2027-01-15", "设备采购", ""]])
    result = cli("import", "extensions", str(path), code=2)
    assert f"row 2, approved_by '': {message}" in result.stderr
    assert "supervision deadline 2026-12-31" in result.stderr
    assert shown(cli, hid)["extensions"] == []
    # Within the supervision deadline, or approved, as the front door allows.
    fine = write(tmp_path / "ok.csv", headers, [[hid, "2026-11-20", "2026-12-20", "配件到货延迟", ""],
                                                [hid, "2026-12-20", "2027-01-15", "设备采购", "区安委办"]])
    assert "2 new" in cli("import", "extensions", str(fine)).stdout


def test_an_extension_made_before_the_listing_is_not_held_to_its_deadline(cli, reg, major, tmp_path):
    hid = f"H{major['id']}"
    reg.supervision.supervise(hid, "区安委办", "district", on="2026-11-25", due="2026-12-31", notice=NOTICE)
    headers = ["hazard_id", "from_deadline", "to_deadline", "reason", "created_at"]
    path = write(tmp_path / "e.csv", headers, [[hid, "2026-11-20", "2027-01-15", "设备采购", "2026-11-10T02:00:00Z"]])
    assert "1 new" in cli("import", "extensions", str(path)).stdout


# -- 3. the other records about a hazard ---------------------------------------------------------


def test_imported_escalations_keep_to_the_ladder_and_to_the_past(cli, reg, major, tmp_path):
    hid = f"H{major['id']}"
    front = cli("escalate", hid, "--step", "bogus", code=2)
    path = write(tmp_path / "e.csv", ["hazard_id", "step", "done_on"], [
        [hid, "bogus", "2026-11-25"],
        [hid, "letter", "2026-12-25"],
    ])
    result = cli("import", "escalations", str(path), code=2)
    assert "row 2, step 'bogus'" in result.stderr
    assert front.stderr.strip().split(": ", 2)[-1] in result.stderr  # the same allowed steps
    assert "row 3, done_on '2026-12-25'" in result.stderr and "future" in result.stderr
    assert shown(cli, hid)["escalations"] == []
    # A step of the register's own ladder imports.
    cli("config", "escalation", "notice:0,warn:3")
    ok = write(tmp_path / "ok.csv", ["hazard_id", "step", "done_on"], [[hid, "warn", "2026-11-25"]])
    assert "1 new" in cli("import", "escalations", str(ok)).stdout


def test_imported_actions_and_listings_are_not_dated_in_the_future(cli, reg, major, tmp_path):
    hid = f"H{major['id']}"
    front = cli("action", hid, "--type", "suspend", "--on", "2026-12-25", code=2)
    assert "future" in front.stderr
    path = write(tmp_path / "a.csv", ["hazard_id", "type", "taken_on"], [[hid, "suspend", "2026-12-25"]])
    result = cli("import", "actions", str(path), code=2)
    assert "row 2, taken_on '2026-12-25'" in result.stderr and "future" in result.stderr
    path = write(tmp_path / "s.csv", ["hazard_id", "body", "supervision_level", "listed_on", "due", "notice_no"],
                 [[hid, "区安委办", "district", "2026-12-25", "2027-01-31", NOTICE]])
    result = cli("import", "supervisions", str(path), code=2)
    assert "row 2, listed_on '2026-12-25'" in result.stderr and "future" in result.stderr


def test_an_imported_inspection_names_a_known_focus_and_no_voided_draw(cli, reg, unit, tmp_path):
    front = cli("inspect", "add", "-u", f"U{unit['id']}", "--by", "王建国", "--focus", "沙尘暴", code=1)
    reason = front.stderr.strip().removeprefix("Error: ")
    path = write(tmp_path / "i.csv", ["unit_id", "on", "inspectors", "focus"], [
        [f"U{unit['id']}", "2026-11-20", "王建国", "沙尘暴"],
        [f"U{unit['id']}", "2026-11-21", "王建国", "大风"],  # an alias: recorded by the profile's name
    ])
    result = cli("import", "inspections", str(path), code=2)
    assert f"row 2, focus '沙尘暴': {reason}" in result.stderr
    assert "row 3" not in result.stderr
    cli("import", "inspections", str(path), "--skip-invalid")
    rows = json.loads(cli("inspect", "list", "-f", "json").stdout)
    assert [(r["on"], r["focus"]) for r in rows] == [("2026-11-21", "台风")]


def test_an_inspection_after_its_draw_was_voided_is_refused(cli, reg, unit, tmp_path, monkeypatch):
    monkeypatch.setenv("HAZREG_NOW", "2026-11-20T04:00:00+00:00")
    cli("draw", "--count", "1", "--seed", "7", "--inspectors", "0")
    cli("inspect", "add", "-u", f"U{unit['id']}", "--by", "王建国", "--draw", "D1")
    cli("draw", "void", "D1", "--reason", "抽错了")
    monkeypatch.setenv("HAZREG_NOW", "2026-11-29T04:00:00+00:00")
    front = cli("inspect", "add", "-u", f"U{unit['id']}", "--by", "王建国", "--draw", "D1", code=1)
    reason = front.stderr.strip().removeprefix("Error: ")
    headers = ["unit_id", "on", "inspectors", "draw_id"]
    path = write(tmp_path / "i.csv", headers, [[f"U{unit['id']}", "2026-11-25", "王建国", "D1"]])
    result = cli("import", "inspections", str(path), code=2)
    assert f"row 2, draw_id 'D1': {reason}" in result.stderr
    # The inspection made before the draw was voided still imports (an export of it, say).
    before = write(tmp_path / "b.csv", headers, [[f"U{unit['id']}", "2026-11-20", "李明", "D1"]])
    assert "1 new" in cli("import", "inspections", str(before)).stdout


# -- 5. the closing steps (销号申请, 验收) travel with the rest ---------------------------------------


@pytest.fixture
def other(engine: str, tmp_path: Path):
    """A second, empty register on the same engine."""
    if engine == "postgresql":
        from tests.pg import pg_database

        with pg_database() as address:
            yield address
    else:
        yield str(tmp_path / "other.db")


ROUND_TRIP = ("units", "inspections", "hazards", "supervisions", "extensions", "attachments", "steps", "escalations",
              "actions")


def _closing(cli, files: Path) -> None:
    """Two listed major hazards: H1 applied, failed, applied again, accepted, closed, delisted; H2 applied."""
    cli("unit", "add", "临江市宏达化工有限公司", "--industry", "危化品", "--locality", "青山镇")
    for text in ("储罐无防雷", "仓库无报警"):
        cli("add", text, "--unit", "U1", "--level", "major", "--found", "2026-11-01", "--deadline", "2026-11-20",
            "--owner", "郑晓峰")
    report = files / "评估报告.pdf"
    report.write_bytes(b"%PDF evaluation")
    for hid, notice in (("H1", NOTICE), ("H2", "宁江安委办督〔2026〕4号")):
        cli("supervise", hid, "--by", "区安委办", "--level", "district", "--on", "2026-11-05", "--due", "2026-12-31",
            "--notice", notice)
        cli("plan", hid, "--measures", "加装", "--funds", "1万", "--contingency", "预案")
        cli("start", hid)
        cli("done", hid, "--on", "2026-11-10")
    cli("apply", "H1", "--by", "郑晓峰", "--report", str(report), "--on", "2026-11-11")
    cli("accept", "H1", "--by", "区安委办 王强", "--on", "2026-11-13", "--fail", "--note", "报警器未联动")
    cli("done", "H1", "--on", "2026-11-16")
    cli("apply", "H1", "--by", "郑晓峰", "--report", str(report), "--on", "2026-11-17")
    cli("accept", "H1", "--by", "区安委办 王强", "--on", "2026-11-20")
    cli("verify", "H1", "--by", "李明", "--on", "2026-11-21")
    cli("delist", "H1", "--note", "已销号", "--on", "2026-11-22")
    cli("apply", "H2", "--by", "郑晓峰", "--report", str(report), "--on", "2026-11-12")


def test_closing_steps_round_trip_into_an_empty_register(cli, other, tmp_path):
    _closing(cli, tmp_path)
    before = {h: shown(cli, h) for h in ("H1", "H2")}
    assert [s["step"] for s in before["H1"]["supervision_steps"]] == ["apply", "accept_fail", "apply", "accept"]
    exported = cli("export", "steps", "-f", "json").stdout
    assert json.loads(exported)[0]["attachment_id"] == "A1"
    for kind in ROUND_TRIP:
        path = tmp_path / f"{kind}.csv"
        cli("--lang", "zh", "export", kind, "-o", str(path))
        result = cli("--db", other, "--lang", "zh", "import", kind, str(path))
        assert "拒绝 0" in result.stdout or "0 条拒绝" in result.stdout or ", 0 " in result.stdout, result.stdout
    for hid in ("H1", "H2"):
        after = json.loads(cli("--db", other, "show", hid, "-f", "json").stdout)
        for key in ("supervision_steps", "closing", "supervisions", "attachments", "status", "supervision_due"):
            assert after.get(key) == before[hid].get(key), (hid, key)
    # The next step goes on from where the old register was: H2 is waiting for its acceptance.
    result = cli("--db", other, "apply", "H2", "--by", "郑晓峰", "--report", str(tmp_path / "评估报告.pdf"), code=1)
    assert "not the next step" in result.stderr
    cli("--db", other, "accept", "H2", "--by", "区安委办", "--on", "2026-11-20")
    history = json.loads(cli("--db", other, "history", "H1", "-f", "json").stdout)
    assert [e["action"] for e in history].count("import_step") == 4
    # `check` agrees with every imported step (history replayed against the table).
    found = json.loads(cli("--db", other, "check", "-f", "json", code=None).stdout)
    assert found["chain"]["ok"] and found["records"]["mismatched"] == 0 and found["tables"] == [], found
    if Path(str(other)).suffix == ".db":  # the files travel as the files folder: with it, all is well
        import shutil

        shutil.copytree(tmp_path / "register.files", tmp_path / "other.files")
        assert json.loads(cli("--db", other, "check", "-f", "json").stdout)["ok"] is True


def test_imported_closing_steps_keep_the_order_of_the_commands(cli, reg, tmp_path):
    _closing(cli, tmp_path)
    listing = shown(cli, "H2")["supervisions"][0]["uid"]
    headers = ["hazard_id", "supervision_uid", "step", "done_by", "done_on", "attachment_id", "note"]
    path = write(tmp_path / "s.csv", headers, [
        ["H2", listing, "apply", "郑晓峰", "2026-11-13", "A3", ""],  # an application is pending
        ["H2", listing, "accept", "区安委办", "2026-11-10", "", ""],  # before the application
        ["H2", listing, "accept_fail", "区安委办", "2026-11-14", "", ""],  # a failure says why
        ["H2", "", "bogus", "区安委办", "2026-11-14", "", ""],
    ])
    result = cli("import", "steps", str(path), code=2)
    front = cli("apply", "H2", "--by", "郑晓峰", "--report", str(tmp_path / "评估报告.pdf"), code=1)
    assert f"row 2, step 'apply': {front.stderr.strip().removeprefix('Error: ')}" in result.stderr
    assert "row 3, done_on '2026-11-10'" in result.stderr
    assert "row 4, note ''" in result.stderr
    assert "row 5, step 'bogus'" in result.stderr
    assert [s["step"] for s in shown(cli, "H2")["supervision_steps"]] == ["apply"]


# -- 6. a locality merge moves everything that names the locality ---------------------------------


def test_a_merge_moves_accident_targets_too_and_check_agrees(cli, reg):
    reg.places.add_locality("青山", kind="town")
    reg.places.add_locality("青山镇")
    reg.accidents.add({"occurred": "2026-11-20", "party": "张三", "locality": "青山", "industry": "construction",
                       "type": "struck_by_object", "deaths": 1})
    reg.accidents.set_target(2026, deaths=2, accidents=5, locality="青山")
    reg.accidents.set_target(2025, deaths=1, locality="青山")
    reg.accidents.set_target(2025, deaths=3, accidents=4, locality="青山镇")  # both had one: the merged one is the sum
    reg.accidents.set_target(2026, deaths=9, industry="construction")
    moved = reg.places.merge("青山", "青山镇")
    assert moved["accident"] == 1 and moved["target"] == 2
    by_place = [(t["year"], t["name"], t["deaths"], t["accidents"]) for t in reg.accidents.targets() if t["scope"] == "locality"]
    assert by_place == [(2025, "青山镇", 4, 4), (2026, "青山镇", 2, 5)]
    assert [(t["scope"], t["name"], t["deaths"]) for t in reg.accidents.targets(2026) if t["scope"] != "locality"] == [
        ("industry", "construction", 9)]
    report = reg.accidents.report(2026)
    assert [(r["name"], r["accidents"], r["deaths_target"]) for r in report["by_locality"]] == [("青山镇", 1, 2)]
    merges = [(e["record_type"], e["before"], e["after"]) for e in reg.history() if e["action"] == "merge_locality"]
    assert ("target", {"name": "青山"}, {"name": "青山镇"}) in merges
    assert ("target", {"deaths": 3, "accidents": 4}, {"deaths": 4, "accidents": 4}) in merges
    assert any(kind == "target" and after == {"merged_into": "青山镇"} for kind, _, after in merges)
    result = check_register(reg)
    assert result["ok"], result
    shown_targets = json.loads(cli("target", "list", "-f", "json").stdout)
    assert all(t.get("name") != "青山" for t in shown_targets)


# -- 4. voiding an order to rectify undoes the deadline it set -----------------------------------


def _documents(cli) -> None:
    cli("unit", "add", "临江市宏达化工有限公司", "--industry", "危化品", "--locality", "青山镇")
    cli("inspector", "add", "王建国", "--cert", "33010012345")
    cli("inspector", "add", "李明", "--cert", "33010012346")
    cli("inspect", "add", "--unit", "U1", "--by", "王建国,李明", "--on", "2026-11-25")
    cli("add", "危化品仓库未设置可燃气体报警装置", "--inspection", "I1", "--level", "重大", "--deadline", "2026-12-20",
        "--owner", "郑晓峰")
    cli("add", "消防通道堵塞", "--inspection", "I1", "--deadline", "2026-12-05")
    cli("config", "documents", "--office", "宁江区应急管理局", "--prefix", "宁江应急责改")


ORDER = "宁江应急责改〔2026〕1号"


def test_voiding_an_order_to_rectify_puts_back_the_deadlines_it_set(cli, tmp_path):
    _documents(cli)
    cli("doc", "issue", "order_rectify", "--inspection", "I1", "--deadline", "2026-12-15", "-o", str(tmp_path / "o.docx"))
    assert [shown(cli, h)["deadline"] for h in ("H1", "H2")] == ["2026-12-15", "2026-12-15"]
    result = cli("doc", "void", ORDER, "--reason", "期限写错")
    assert "H1 2026-12-20" in result.stdout and "H2 2026-12-05" in result.stdout
    assert [shown(cli, h)["deadline"] for h in ("H1", "H2")] == ["2026-12-20", "2026-12-05"]
    last = json.loads(cli("history", "H2", "-f", "json").stdout)[-1]
    assert (last["before"], last["after"]) == ({"deadline": "2026-12-15"}, {"deadline": "2026-12-05"})
    assert ORDER in last["note"] and "期限写错" in last["note"]
    zh = cli("--lang", "zh", "doc", "list", "-f", "json")
    assert json.loads(zh.stdout)[0]["void"] is True
    assert json.loads(cli("check", "-f", "json").stdout)["ok"] is True


def test_an_order_whose_deadline_was_moved_or_met_since_is_not_voided(cli, tmp_path):
    _documents(cli)
    cli("doc", "issue", "order_rectify", "--for", "H1", "--deadline", "2026-12-15", "-o", str(tmp_path / "o.docx"))
    cli("extend", "H1", "--to", "2026-12-25", "--reason", "设备采购")
    result = cli("doc", "void", ORDER, "--reason", "期限写错", code=1)
    assert "H1" in result.stderr and "2026-12-15" in result.stderr and "2026-12-25" in result.stderr
    assert shown(cli, "H1")["deadline"] == "2026-12-25"
    assert json.loads(cli("doc", "list", "-f", "json").stdout)[0]["void"] is False
    zh = cli("--lang", "zh", "doc", "void", ORDER, "--reason", "期限写错", code=1)
    assert "不能作废" in zh.stderr
    # Rectified against it: the deadline is part of what was done.
    cli("doc", "issue", "order_rectify", "--for", "H2", "--deadline", "2026-12-10", "-o", str(tmp_path / "p.docx"))
    cli("start", "H2")
    cli("done", "H2")
    result = cli("doc", "void", "宁江应急责改〔2026〕2号", "--reason", "x", code=1)
    assert "H2" in result.stderr and "Rectified" in result.stderr
    # An order that set no deadline (each hazard kept its own) voids as before.
    cli("add", "疏散指示灯损坏", "--unit", "U1", "--deadline", "2026-12-06")
    cli("doc", "issue", "order_rectify", "--for", "H3", "--by", "王建国,李明", "-o", str(tmp_path / "q.docx"))
    cli("doc", "void", "宁江应急责改〔2026〕3号", "--reason", "重复出具")
    assert shown(cli, "H3")["deadline"] == "2026-12-06"


def test_reimporting_an_export_of_records_about_hazards_changes_nothing(cli, tmp_path):
    # A row whose uid is in the register and says the same is unchanged, before any rule that a
    # new record would be held to (a second listing, a step recorded twice, the closing order).
    _closing(cli, tmp_path)
    cli("add", "消防通道堵塞", "--unit", "U1", "--found", "2026-11-01", "--deadline", "2026-11-10")
    cli("escalate", "H3", "--step", "notice", "--on", "2026-11-25")
    cli("action", "H3", "--type", "fine", "--amount", "5000")
    for kind in ("supervisions", "extensions", "attachments", "steps", "escalations", "actions"):
        path = tmp_path / f"{kind}.csv"
        cli("export", kind, "-o", str(path))
        result = cli("import", kind, str(path))
        assert " 0 new" in result.stdout and "0 rejected" in result.stdout, (kind, result.stdout)
    listing = tmp_path / "supervisions.csv"
    text = listing.read_text(encoding="utf-8").replace(NOTICE, "宁江安委办督〔2026〕9号")
    listing.write_text(text, encoding="utf-8")
    result = cli("import", "supervisions", str(listing), code=2)
    assert "already in the register with another notice_no" in result.stderr
