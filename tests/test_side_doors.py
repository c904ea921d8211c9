"""Side doors: what a command refuses, an import, a void or a merge must refuse (or undo) too.

Each test goes through the side door and expects the one-line message the front door gives.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from hazreg.errors import InvalidInput, Refused
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
    path = write(tmp_path / "s.csv", ["hazard_id", "body", "supervision_level", "listed_on", "delisted_on", "delist_note"],
                 [[hid, "区安委办", "district", "2026-11-05", "2026-11-22", "已销号"]])
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
