"""Round trips: every export kind, in every format, imports back into an empty register unchanged."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import NOW, VALID_CODES, Cli

# Exported, then imported in this order: each kind links to records of the kinds before it.
KINDS = ("units", "inspections", "hazards", "supervisions", "extensions", "attachments", "steps", "escalations",
         "actions")
FORMATS = [("csv", "en"), ("csv", "zh"), ("xlsx", "en"), ("xlsx", "zh"), ("json", "en"), ("jsonl", "en")]


def out(result) -> list | dict:
    return json.loads(result.stdout)


def _fill(cli, files: Path) -> None:
    """A register using everything that must survive a round trip."""
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道", "--code", VALID_CODES[1])
    cli("unit", "add", "临江建工集团有限公司", "--industry", "construction", "--locality", "青山镇",
        "--address", "=HYPERLINK(\"http://x\")", "--risk", "orange")
    cli("unit", "add", "临江建工集团有限公司", "--industry", "construction", "--locality", "临江街道", "--force")  # same name
    cli("inspect", "add", "-u", "U1", "--by", "王建国,李明", "--on", "2026-11-20", "--leader", "张副区长", "--mode", "暗访")
    cli("inspect", "add", "-u", "U3", "--by", "赵六", "--on", "2026-11-21", "--note", "+复查")
    cli("add", "消防通道堵塞", "--inspection", "I1", "--level", "major", "--basis", "'=GB 50016", "--deadline", "2026-12-10")
    cli("add", "塔吊基础积水", "--inspection", "I2", "--level", "major", "--deadline", "2026-12-10")
    cli("add", "安全帽未佩戴", "--unit", "U2", "--found", "2026-11-02", "--deadline", "2026-11-10")
    for ref in ("H1", "H2"):
        cli("plan", ref, "--owner", "陈伟", "--measures", "-清理\n再检查", "--funds", "1.2万", "--deadline", "2026-12-10",
            "--contingency", "预案")
    cli("supervise", "H1", "--by", "区安委办", "--level", "district", "--due", "2026-12-20", "--notice", "宁江安委办督〔2026〕3号",
        "--note", "塔吊")
    cli("extend", "H1", "--to", "2026-12-15", "--reason", "配件到货延迟", "--approved-by", "张副区长")
    cli("supervise", "H2", "--by", "市安委办", "--level", "city", "--on", "2026-11-22", "--due", "2026-12-31",
        "--notice", "市督〔2026〕1号")
    cli("escalate", "H3", "--step", "notice", "--note", "已送达")
    cli("action", "H3", "--type", "fine", "--amount", "5万", "--against", "临江建工集团有限公司")
    cli("action", "H3", "--type", "suspend", "--note", "停工")
    photo = files / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    cli("attach", "H1", str(photo), "--stage", "before", "--note", "东侧")
    cli("attach", "H2", str(photo), "--stage", "after")
    report = files / "评估报告.pdf"
    report.write_bytes(b"%PDF evaluation")
    for move in (("start", "H2"), ("done", "H2"), ("apply", "H2", "--by", "陈伟", "--report", str(report)),
                 ("accept", "H2", "--by", "市安委办"), ("verify", "H2", "--by", "孙工", "--note", "合格")):
        cli(*move)
    cli("delist", "H2", "--note", "已整改销号")
    cli("add", "重复录入", "--unit", "U2")
    cli("void", "H4", "--reason", "重复")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The full register, made once for this module (about thirty commands)."""
    folder = tmp_path_factory.mktemp("full")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HAZREG_DB", str(folder / "register.db"))
        env.setenv("HAZREG_LANG", "en")
        env.setenv("HAZREG_OPERATOR", "tester")
        env.setenv("HAZREG_NOW", NOW)
        _fill(Cli(), folder)
    return folder


@pytest.fixture
def full(built, isolated):
    """A copy of the full register as this test's own."""
    shutil.copyfile(built / "register.db", isolated)
    shutil.copytree(built / "register.files", isolated.parent / "register.files")


def snapshot(cli, *db: str) -> dict:
    """Everything a user can see of a register, without the times it was written."""
    def strip(records):
        return [{k: v for k, v in r.items() if k not in ("created_at", "updated_at")} for r in records]

    hazards = out(cli(*db, "list", "--all", "-f", "json"))
    evidence = {}
    for hazard in hazards:
        shown = out(cli(*db, "show", hazard["id"], "-f", "json"))
        evidence[hazard["uid"]] = {k: shown[k] for k in ("supervisions", "extensions", "escalations", "actions", "attachments",
                                                       "supervision_steps")}
    return {
        "units": strip(out(cli(*db, "unit", "list", "-f", "json"))),
        "inspections": strip(out(cli(*db, "inspect", "list", "-f", "json"))),
        "hazards": strip(hazards),
        "evidence": evidence,
    }


@pytest.mark.parametrize(("fmt", "lang"), FORMATS)
def test_every_kind_round_trips_into_an_empty_register(cli, full, tmp_path, isolated, fmt, lang):
    before = snapshot(cli)
    other = tmp_path / "other.db"
    for kind in KINDS:
        path = tmp_path / f"{kind}.{fmt}"
        cli("--lang", lang, "export", kind, "-f", fmt, "-o", str(path))
        result = cli("--db", str(other), "--lang", lang, "import", kind, str(path))
        assert "0 rejected" in result.stdout or "0 条拒绝" in result.stdout or "拒绝 0" in result.stdout, result.stdout
    after = snapshot(cli, "--db", str(other))
    assert after["units"] == before["units"]
    assert after["inspections"] == before["inspections"]
    assert after["hazards"] == before["hazards"]
    assert after["evidence"] == before["evidence"]
    assert {h["id"]: h["inspection_id"] for h in before["hazards"]}["H1"] == "I1"  # the link is there to be kept
    # The files themselves travel as the files folder; with it, the new register checks clean.
    shutil.copytree(isolated.parent / "register.files", tmp_path / "other.files")
    assert out(cli("--db", str(other), "check", "-f", "json"))["ok"] is True


def test_reimporting_an_export_changes_nothing_and_keeps_the_inspection_link(cli, full, tmp_path):
    path = tmp_path / "h.csv"
    cli("export", "hazards", "-o", str(path))
    result = cli("import", "hazards", str(path))
    assert "0 new, 0 updated, 4 unchanged, 0 rejected" in result.stdout
    assert out(cli("show", "H1", "-f", "json"))["inspection_id"] == "I1"
    assert [e["action"] for e in out(cli("history", "H1", "-f", "json"))][-1] == "attach"


def test_inspectors_are_names_in_csv_and_xlsx_and_a_list_in_json(cli, full, tmp_path):
    rows = list(csv.DictReader(io.StringIO(cli("export", "inspections").stdout)))
    assert rows[0]["inspectors"] == "王建国、李明"
    zh = list(csv.DictReader(io.StringIO(cli("--lang", "zh", "export", "inspections").stdout)))
    assert zh[0]["检查人员"] == "王建国、李明" and zh[0]["检查方式"] == "暗访"
    book = tmp_path / "i.xlsx"
    cli("export", "inspections", "-f", "xlsx", "-o", str(book))
    sheet = load_workbook(book).active
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("inspectors") + 1).value == "王建国、李明"
    assert out(cli("export", "inspections", "-f", "json"))[0]["inspectors"] == ["王建国", "李明"]


def test_evidence_exports_carry_hazard_ids_uids_and_hashes(cli, full):
    hazard = out(cli("show", "H1", "-f", "json"))
    rows = list(csv.DictReader(io.StringIO(cli("export", "attachments").stdout)))
    assert [r["hazard_id"] for r in rows] == ["H1", "H2", "H2"]  # H2's evaluation report (销号申请) last
    assert rows[0]["hazard_uid"] == hazard["uid"]
    assert rows[0]["file_name"] == "现场照片.jpg" and rows[0]["stage"] == "before"
    assert rows[0]["sha256"] == hazard["attachments"][0]["sha256"] and len(rows[0]["sha256"]) == 64
    listing = list(csv.DictReader(io.StringIO(cli("export", "supervisions").stdout)))
    assert [(r["hazard_id"], r["body"], r["delisted_on"]) for r in listing] == [
        ("H1", "区安委办", ""), ("H2", "市安委办", "2026-11-29")]
    extension = out(cli("export", "extensions", "-f", "json"))[0]
    assert (extension["from_deadline"], extension["to_deadline"], extension["approved_by"]) == (
        "2026-12-10", "2026-12-15", "张副区长")
    zh = list(csv.DictReader(io.StringIO(cli("--lang", "zh", "export", "attachments").stdout)))
    assert zh[0]["文件名"] == "现场照片.jpg" and zh[0]["阶段"] == "整改前"


def test_list_csv_neutralises_formulas_as_export_does(cli, full):
    units = list(csv.DictReader(io.StringIO(cli("unit", "list", "-f", "csv").stdout)))
    assert {u["address"] for u in units} >= {"'=HYPERLINK(\"http://x\")"}
    hazards = {h["id"]: h for h in csv.DictReader(io.StringIO(cli("list", "--all", "-f", "csv").stdout))}
    exported = {h["id"]: h for h in csv.DictReader(io.StringIO(cli("export", "hazards").stdout))}
    assert hazards["H1"]["measures"] == exported["H1"]["measures"] == "'-清理\n再检查"
    assert hazards["H1"]["basis"] == exported["H1"]["basis"] == "''=GB 50016"
    inspections = list(csv.DictReader(io.StringIO(cli("inspect", "list", "-f", "csv").stdout)))
    assert {i["note"] for i in inspections} == {"", "'+复查"}
    assert out(cli("show", "H1", "-f", "json"))["basis"] == "'=GB 50016"  # JSON is never altered


def test_text_beginning_with_an_apostrophe_survives(cli, full, tmp_path):
    # Neutralising adds one apostrophe and import takes one away, whatever was there before.
    for fmt in ("csv", "xlsx", "json"):
        path = tmp_path / f"h.{fmt}"
        cli("export", "hazards", "-f", fmt, "-o", str(path))
        assert "4 unchanged" in cli("import", "hazards", str(path)).stdout, fmt
    assert out(cli("show", "H1", "-f", "json"))["basis"] == "'=GB 50016"


def test_chinese_export_keeps_control_characters_exactly(cli, tmp_path):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    cli("add", "隐患\u202e描述\t说明", "--unit", "U1")
    path = tmp_path / "h.csv"
    cli("--lang", "zh", "export", "hazards", "-o", str(path))
    assert "隐患\u202e描述\t说明" in path.read_text(encoding="utf-8")


# -- bad rows in the new import kinds ----------------------------------------------------------------


def write(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_inspection_rows_are_validated_and_reported(cli, tmp_path):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    path = write(tmp_path / "i.csv", ["单位名称", "检查日期", "检查人员", "带队领导", "检查方式"], [
        ["临江大酒店", "2026-11-20", "王建国、李明", "张副区长", "暗访"],
        ["不存在的公司", "2026-11-20", "王建国", "", ""],
        ["临江大酒店", "2026-12-20", "王建国", "", ""],
        ["临江大酒店", "2026-11-21", "", "", ""],
        ["临江大酒店", "2026-11-21", "赵六", "", "偷偷"],
    ])
    result = cli("import", "inspections", str(path), code=2)
    assert "row 3, 单位名称 '不存在的公司': no unit" in result.stderr
    assert "row 4, 检查日期 '2026-12-20'" in result.stderr and "after today" in result.stderr
    assert "row 5, 检查人员 ''" in result.stderr
    assert "row 6, 检查方式 '偷偷'" in result.stderr
    assert out(cli("inspect", "list", "-f", "json")) == []
    cli("import", "inspections", str(path), "--skip-invalid")
    [stored] = out(cli("inspect", "list", "-f", "json"))
    assert stored["inspectors"] == ["王建国", "李明"] and stored["mode"] == "unannounced"
    entry = out(cli("history", "-f", "json"))[-1]
    assert (entry["record_type"], entry["action"]) == ("inspection", "import")
    assert out(cli("check", "-f", "json"))["ok"] is True


def test_hazard_rows_link_only_to_an_inspection_of_their_own_unit(cli, tmp_path):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    cli("unit", "add", "青山加油站", "--industry", "hazardous_chemicals", "--locality", "青山镇")
    cli("inspect", "add", "-u", "U1", "--by", "王建国", "--on", "2026-11-20")
    path = write(tmp_path / "h.csv", ["单位名称", "隐患描述", "发现日期", "检查编号"], [
        ["临江大酒店", "灭火器过期", "2026-11-20", "I1"],
        ["青山加油站", "静电接地缺失", "2026-11-20", "I1"],
        ["临江大酒店", "疏散指示损坏", "2026-11-20", "I9"],
    ])
    result = cli("import", "hazards", str(path), code=2)
    assert "row 3, 检查编号 'I1'" in result.stderr and "U1" in result.stderr
    assert "row 4, 检查编号 'I9': no inspection I9" in result.stderr
    cli("import", "hazards", str(path), "--skip-invalid")
    assert [h["inspection_id"] for h in out(cli("list", "--all", "-f", "json"))] == ["I1"]


def test_evidence_rows_are_validated_and_reported(cli, full, tmp_path):
    other = str(tmp_path / "other.db")
    for kind in KINDS[:3]:
        path = tmp_path / f"{kind}.csv"
        cli("export", kind, "-o", str(path))
        cli("--db", other, "import", kind, str(path))
    headers = ["hazard_id", "body", "supervision_level", "listed_on", "delisted_on", "due", "notice_no"]
    path = write(tmp_path / "s.csv", headers, [
        ["H3", "区安委办", "district", "2026-11-20", "", "2026-12-31", "督〔2026〕1号"],  # a general hazard
        ["H9", "区安委办", "district", "2026-11-20", "", "2026-12-31", "督〔2026〕1号"],
        ["H1", "", "district", "2026-11-20", "", "2026-12-31", "督〔2026〕1号"],
        ["H1", "区安委办", "district", "2026-11-21", "2026-11-25", "", ""],  # H1 is not closed
        ["H1", "区安委办", "district", "2026-11-21", "", "2026-12-31", "督〔2026〕1号"],
        ["H1", "区安委办", "district", "2026-11-22", "", "2026-12-31", "督〔2026〕2号"],  # a second listing in force
    ])
    result = cli("--db", other, "import", "supervisions", str(path), code=2)
    assert "row 2" in result.stderr and "not a major hazard" in result.stderr
    assert "row 3, hazard_id 'H9': no hazard H9" in result.stderr
    assert "row 4, body ''" in result.stderr
    assert "row 5, delisted_on" in result.stderr
    assert "row 7" in result.stderr and "already listed" in result.stderr
    assert "row 6" not in result.stderr
    bad = write(tmp_path / "a.csv", ["hazard_id", "file_name", "stage", "sha256", "size"], [
        ["H1", "照片.jpg", "before", "abc", "10"],
        ["H1", "照片.jpg", "during", "a" * 64, "10"],
        ["H1", "照片.jpg", "before", "a" * 64, "-1"],
    ])
    result = cli("--db", other, "import", "attachments", str(bad), code=2)
    assert "row 2, sha256 'abc'" in result.stderr
    assert "row 3, stage 'during'" in result.stderr
    assert "row 4, size '-1'" in result.stderr
    assert out(cli("--db", other, "show", "H1", "-f", "json"))["attachments"] == []


def test_json_files_import_and_bad_json_is_one_clear_line(cli, full, tmp_path):
    path = tmp_path / "units.json"
    cli("export", "units", "-f", "json", "-o", str(path))
    other = str(tmp_path / "other.db")
    assert "3 new" in cli("--db", other, "import", "units", str(path)).stdout
    broken = tmp_path / "broken.json"
    broken.write_text('[{"name": "x",', encoding="utf-8")
    result = cli("--db", other, "import", "units", str(broken), code=2)
    assert "broken.json" in result.stderr and "Traceback" not in result.output
    empty = tmp_path / "none.json"
    cli("export", "escalations", "-f", "json", "-o", str(empty))  # an export of nothing imports as nothing
    cli("--db", other, "export", "escalations", "-f", "json", "-o", str(empty))
    assert "0 rows read" in cli("--db", other, "import", "escalations", str(empty)).stdout
    lines = tmp_path / "units.jsonl"
    lines.write_text('{"name": "临江饭店", "industry": "fire", "locality": "临江街道"}\nnot json\n', encoding="utf-8")
    result = cli("--db", other, "import", "units", str(lines), code=2)
    assert "row 2" in result.stderr and "Traceback" not in result.output


def test_evidence_text_is_trimmed_as_an_import_would_keep_it(cli, full):
    # Found by the property test: an action's `against` kept its spaces, an import trimmed them.
    cli("action", "H1", "--type", "suspend", "--against", "  临江建工集团  ", "--note", " 停工 ")
    cli("extend", "H1", "--to", "2026-12-30", "--reason", " 再延 ", "--approved-by", " 张副区长 ")
    shown = out(cli("show", "H1", "-f", "json"))
    assert (shown["actions"][-1]["against"], shown["actions"][-1]["note"]) == ("临江建工集团", "停工")
    assert shown["extensions"][-1]["approved_by"] == "张副区长"


def test_control_characters_and_escape_lookalikes_survive_a_workbook(cli, tmp_path):
    # XML cannot hold most control characters; a workbook escapes them as _xHHHH_ (OOXML),
    # and text that merely looks like such an escape is escaped in turn.
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    texts = ["响铃\x07字符", "_x0041_ 不是 A", "换行\n与\x1b转义", "回车\r\n换行"]
    for text in texts:
        cli("add", text, "--unit", "U1")
    path = tmp_path / "h.xlsx"
    cli("export", "hazards", "-f", "xlsx", "-o", str(path))
    other = str(tmp_path / "other.db")
    cli("--db", other, "import", "units", str(_export(cli, tmp_path, "units")))
    cli("--db", other, "import", "hazards", str(path))
    assert sorted(h["description"] for h in out(cli("--db", other, "list", "--all", "-f", "json"))) == sorted(texts)


def _export(cli, folder: Path, kind: str) -> Path:
    path = folder / f"{kind}.csv"
    cli("export", kind, "-o", str(path))
    return path
