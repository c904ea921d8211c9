"""Enforcement documents (执法文书): golden fields, numbering, officers, reprint, void, templates,
concurrent issuing by real processes, and a register made before documents existed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import VALID_CODES

from hazreg.render.document import text_of
from older import back_to


def _setup(cli, *, configure: bool = True) -> None:
    cli("unit", "add", "临江市宏达化工有限公司", "--industry", "危化品", "--locality", "青山镇",
        "--code", VALID_CODES[0], "--contact", "郑晓峰", "--phone", "13957162318", "--address", "青山镇化工路8号")
    cli("inspector", "add", "王建国", "--cert", "33010012345")
    cli("inspector", "add", "李明", "--cert", "33010012346")
    cli("inspector", "add", "张三")
    cli("inspect", "add", "--unit", "U1", "--by", "王建国,李明", "--on", "2026-11-25")
    cli("add", "危化品仓库未设置可燃气体报警装置", "--inspection", "I1", "--level", "重大", "--deadline", "2026-12-20",
        "--owner", "郑晓峰")
    cli("add", "消防通道堵塞", "--inspection", "I1", "--deadline", "2026-12-05")
    if configure:
        cli("config", "documents", "--office", "宁江区应急管理局", "--prefix", "宁江应急责改",
            "--review-body", "宁江区人民政府")


GOLDEN_ORDER = [
    "宁江区应急管理局",
    "责令限期整改指令书",
    "宁江应急责改〔2026〕1号",
    "被检查单位（当事人）：临江市宏达化工有限公司",
    "统一社会信用代码：91330100716105852F",
    "地址：青山镇化工路8号",
    "主要负责人：郑晓峰　联系电话：13957162318",
    "",
    "临江市宏达化工有限公司：",
    "经查，你单位存在下列问题：",
    "序号 | 事故隐患 | 隐患级别 | 整改期限",
    "1 | 危化品仓库未设置可燃气体报警装置 | 重大隐患 | 2026年12月15日",
    "2 | 消防通道堵塞 | 一般隐患 | 2026年12月15日",
    "依据《中华人民共和国安全生产法》第六十五条第一款第（二）项、《中华人民共和国安全生产法》第六十五条第一款第（三）项、"
    "《中华人民共和国安全生产法》第一百零二条的规定，现责令你单位对上述第1至第2项问题于2026年12月15日前整改完毕，"
    "达到有关法律法规规章和标准规定的要求。由此造成事故的，依法追究有关人员的责任。",
    "整改期间，你单位应当采取措施，确保安全生产。对安全生产违法行为，将依法予以行政处罚。",
    "如果不服本指令，可以依法在60日内向宁江区人民政府申请行政复议，或者在6个月内依法向人民法院提起行政诉讼，"
    "但本指令不停止执行，法律另有规定的除外。",
    "执法人员 | 执法证号",
    "王建国 | 33010012345",
    "李明 | 33010012346",
    "",
    "执法人员（签名）：＿＿＿＿＿＿＿　　＿＿＿＿＿＿＿",
    "宁江区应急管理局（印章）",
    "2026年11月29日",
    "",
    "被检查单位负责人（签收）：＿＿＿＿＿　　年　月　日",
    "本文书一式两份：一份由执法部门存档，一份交被检查单位。",
]


def test_order_to_rectify_golden_fields_deadlines_and_escalation(cli, tmp_path):
    _setup(cli)
    out = tmp_path / "order.docx"
    result = cli("doc", "issue", "责令限期整改指令书", "--inspection", "I1", "--deadline", "2026-12-15", "-o", str(out))
    assert "宁江应急责改〔2026〕1号" in result.stdout
    assert text_of(out.read_bytes()) == GOLDEN_ORDER
    # It sets the deadline it states, and records the escalation step it represents.
    for hid in ("H1", "H2"):
        shown = json.loads(cli("show", hid, "-f", "json").stdout)
        assert shown["deadline"] == "2026-12-15"
        assert [e["step"] for e in shown["escalations"]] == ["notice"]
        assert [d["number"] for d in shown["documents"]] == ["宁江应急责改〔2026〕1号"]
        assert shown["documents"][0]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert "宁江应急责改〔2026〕1号" in cli("show", "H1").stdout
    assert "宁江应急责改〔2026〕1号" in cli("unit", "show", "U1").stdout
    assert "宁江应急责改〔2026〕1号" in cli("inspect", "show", "I1").stdout
    history = json.loads(cli("history", "-f", "json").stdout)
    issued = [e for e in history if e["record_type"] == "document"]
    assert issued[0]["action"] == "issue"
    assert issued[0]["after"]["hazards"] == ["H1", "H2"] and issued[0]["after"]["sha256"] == shown["documents"][0]["sha256"]


def test_numbers_are_per_type_and_year_gapless_and_a_voided_number_stays_taken(cli, tmp_path):
    _setup(cli)
    numbers = []
    for n in range(3):
        out = tmp_path / f"{n}.docx"
        cli("doc", "issue", "order_rectify", "--for", "H2", "-o", str(out))
        numbers.append(json.loads(cli("doc", "list", "-f", "json").stdout)[-1]["number"])
    assert numbers == [f"宁江应急责改〔2026〕{n}号" for n in (1, 2, 3)]
    cli("doc", "void", "宁江应急责改〔2026〕3号", "--reason", "重复出具")
    cli("doc", "void", "宁江应急责改[2026]3号", "--reason", "again", code=1)
    cli("doc", "issue", "order_rectify", "--for", "H2", "-o", str(tmp_path / "4.docx"))
    cli("doc", "issue", "督办函", "--for", "H2", "--on", "2026-11-29", "-o", str(tmp_path / "l.docx"), code=1)  # not overdue
    listed = json.loads(cli("doc", "list", "-f", "json").stdout)
    assert [(d["number"], d["void"]) for d in listed] == [
        ("宁江应急责改〔2026〕1号", False), ("宁江应急责改〔2026〕2号", False),
        ("宁江应急责改〔2026〕3号", True), ("宁江应急责改〔2026〕4号", False)]
    assert listed[2]["void_reason"] == "重复出具"
    # Another year starts again at 1; another type has its own series.
    cli("doc", "issue", "order_rectify", "--for", "H2", "--on", "2025-12-31", "-o", str(tmp_path / "y.docx"), code=2)


def test_officers_are_at_least_two_with_certificates(cli, tmp_path):
    _setup(cli)
    out = tmp_path / "x.docx"
    result = cli("doc", "issue", "order_rectify", "--for", "H1", "--by", "王建国、张三", "-o", str(out), code=1)
    assert "张三" in result.stderr and "two" in result.stderr
    cli("doc", "issue", "order_rectify", "--for", "H1", "--by", "王建国", "-o", str(out), code=1)
    assert not out.exists()
    assert json.loads(cli("doc", "list", "-f", "json").stdout) == []


def test_refusals_name_what_is_missing(cli, tmp_path):
    _setup(cli, configure=False)
    out = str(tmp_path / "x.docx")
    assert "config documents" in cli("doc", "issue", "order_rectify", "--for", "H1", "-o", out, code=1).stderr
    cli("config", "documents", "--office", "宁江区应急管理局", "--prefix", "宁江应急")
    cli("doc", "issue", "order_rectify", "-o", out, code=2)  # no --for, --inspection or --unit
    cli("doc", "issue", "order_rectify", "--for", "H1", "--unit", "U1", "-o", out, code=2)
    cli("doc", "issue", "no_such_type", "--for", "H1", "-o", out, code=2)
    cli("doc", "issue", "order_rectify", "--for", "H99", "-o", out, code=1)
    cli("doc", "issue", "整改复查意见书", "--for", "H1", "-o", out, code=1)  # not re-checked yet
    cli("doc", "issue", "挂牌督办通知书", "--for", "H1", "-o", out, code=1)  # not listed
    cli("doc", "reprint", "宁江应急责改〔2026〕9号", code=1)
    result = cli("config", "documents", "--prefix", "督办函=宁江应急责改", code=2)  # two types, one prefix
    assert "宁江应急责改" in result.stderr
    # The prefix "宁江应急" gives each type its own code.
    cli("doc", "issue", "order_rectify", "--for", "H1", "-o", out)
    assert json.loads(cli("doc", "list", "-f", "json").stdout)[0]["number"] == "宁江应急责改〔2026〕1号"


def test_an_inspection_or_unit_gives_the_hazards_the_type_is_about(cli, tmp_path):
    _setup(cli)
    cli("start", "H2")
    cli("done", "H2", "--on", "2026-11-27")
    out = tmp_path / "o.docx"
    cli("doc", "issue", "order_rectify", "--inspection", "I1", "-o", str(out))  # H2 is rectified: left out
    assert json.loads(cli("doc", "list", "-f", "json").stdout)[0]["hazards"] == "H1"
    cli("doc", "issue", "order_rectify", "--for", "H1,H2", "-o", str(out), code=1)  # named: refused
    cli("verify", "H2", "--by", "李明", "--on", "2026-11-28")
    cli("doc", "issue", "recheck", "--unit", "U1", "-o", str(out))  # the closed H2 only
    assert json.loads(cli("doc", "list", "--type", "复查", "-f", "json").stdout)[0]["hazards"] == "H2"
    cli("doc", "issue", "delist", "--unit", "U1", "-o", str(out), code=1)  # nothing delisted


def test_reprint_is_byte_identical_and_show_reads_the_text(cli, tmp_path):
    _setup(cli)
    first, again = tmp_path / "first.docx", tmp_path / "again.docx"
    cli("doc", "issue", "order_rectify", "--inspection", "I1", "-o", str(first))
    cli("doc", "reprint", "宁江应急责改〔2026〕1号", "-o", str(again))
    assert first.read_bytes() == again.read_bytes()
    shown = json.loads(cli("doc", "show", "1", "-f", "json").stdout)
    assert shown["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
    assert "1 | 危化品仓库未设置可燃气体报警装置 | 重大隐患 | 2026年12月20日" in shown["text"]
    assert "2 | 消防通道堵塞 | 一般隐患 | 2026年12月5日" in shown["text"]


def test_every_type_from_its_records(reg, cli, tmp_path, monkeypatch):
    _setup(cli)

    def issue(*args: str) -> list[str]:
        out = tmp_path / f"{len(list(tmp_path.iterdir()))}.docx"
        cli("doc", "issue", *args, "-o", str(out))
        return text_of(out.read_bytes())

    cli("supervise", "H1", "--by", "区安委办", "--level", "district", "--on", "2026-11-26", "--due", "2026-12-25",
        "--notice", "宁江安委督〔2026〕3号")
    lines = issue("重大事故隐患挂牌督办通知书", "--for", "H1")
    assert lines[1:3] == ["重大事故隐患挂牌督办通知书", "宁江应急督办〔2026〕1号"]
    assert "你单位存在的下列重大事故隐患，经区安委办研究，自2026年11月26日起列为县（区）级挂牌督办：" in lines
    # The listing's own notice number (督办文号) is among the document's recorded fields.
    recorded = reg.documents.get("宁江应急督办〔2026〕1号")["fields"]["fields"]
    assert recorded["notice_number"] == "宁江安委督〔2026〕3号"
    assert "1 | 危化品仓库未设置可燃气体报警装置 | 郑晓峰 | 2026年12月20日" in lines
    assert any("于2026年12月25日前完成治理" in line and "（郑晓峰）" in line for line in lines)

    cli("action", "H1", "--type", "停产整顿", "--on", "2026-11-26", "--note", "仓库停用")
    lines = issue("现场处理措施决定书", "--for", "H1")
    assert "宁江应急现决〔2026〕1号" in lines
    assert any("本机关于2026年11月25日在你单位（地址：青山镇化工路8号）" in line for line in lines)
    assert any("现作出如下现场处理决定：停产停业整顿（仓库停用）。" in line for line in lines)

    cli("start", "H2")
    cli("done", "H2", "--on", "2026-11-27")
    cli("verify", "H2", "--by", "李明", "--on", "2026-11-28", "--note", "通道已清理，复查合格")
    issue("order_rectify", "--for", "H1")
    lines = issue("recheck", "--for", "H2")
    assert "宁江应急复查〔2026〕1号" in lines
    assert "1 | 消防通道堵塞 | 2026年11月28日 | 通道已清理，复查合格" in lines

    # Overdue now: a 督办函 and a 约谈通知书 record their steps of the ladder.
    monkeypatch.setenv("HAZREG_NOW", "2027-01-20T04:00:00+00:00")
    lines = issue("督办函", "--unit", "U1")
    assert "宁江应急督函〔2027〕1号" in lines and "1 | 危化品仓库未设置可燃气体报警装置 | 2026年12月20日 | 31" in lines
    lines = issue("interview", "--for", "H1", "--set", "interview_time=2027年1月25日9时", "--set", "interview_place=区应急管理局三楼会议室")
    assert any("定于2027年1月25日9时在区应急管理局三楼会议室约谈你单位主要负责人（郑晓峰）" in line for line in lines)
    steps = [e["step"] for e in json.loads(cli("show", "H1", "-f", "json").stdout)["escalations"]]
    assert steps == ["notice", "letter", "interview"]
    cli("doc", "issue", "interview", "--for", "H1", "--set", "nonsense=1", "-o", str(tmp_path / "z.docx"), code=2)


def test_templates_export_edit_import(cli, tmp_path):
    _setup(cli)
    exported = tmp_path / "order.txt"
    cli("doc", "template", "export", "责令限期整改指令书", "-o", str(exported))
    text = exported.read_text(encoding="utf-8")
    assert "!hazards" in text and "{number}" in text
    exported.write_text(text.replace("!title 责令限期整改指令书", "!title 责令限期整改指令书（样式二）"), encoding="utf-8")
    cli("doc", "template", "import", "order_rectify", str(exported))
    out = tmp_path / "o.docx"
    cli("doc", "issue", "order_rectify", "--for", "H1", "-o", str(out))
    assert text_of(out.read_bytes())[1] == "责令限期整改指令书（样式二）"
    bad = tmp_path / "bad.txt"
    bad.write_text("!title {office}\n{no_such_field}\n", encoding="utf-8")
    assert "no_such_field" in cli("doc", "template", "import", "order_rectify", str(bad), code=2).stderr
    bad.write_text("!title x\n!frobnicate\n", encoding="utf-8")
    cli("doc", "template", "import", "order_rectify", str(bad), code=2)
    # The clause table is data too: export, change a citation, import.
    clauses = tmp_path / "clauses.json"
    cli("doc", "template", "export", "clauses", "-o", str(clauses))
    table = json.loads(clauses.read_text(encoding="utf-8"))
    table["types"]["order_rectify"] = ["aqf_102"]
    clauses.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    cli("config", "documents", "--clauses", str(clauses))
    cli("doc", "issue", "order_rectify", "--for", "H2", "-o", str(out))
    assert any(line.startswith("依据《中华人民共和国安全生产法》第一百零二条的规定") for line in text_of(out.read_bytes()))
    cli("check")


_ISSUER = """
import sys
from typer.testing import CliRunner
from hazreg.cli.app import make_app
app, runner = make_app("doc"), CliRunner()
for n in range(int(sys.argv[1])):
    result = runner.invoke(app, ["doc", "issue", "order_rectify", "--for", "H2", "-o", f"{sys.argv[2]}-{n}.docx"])
    if result.exit_code != 0:
        sys.exit(f"{result.exit_code} {result.stderr} {result.exception!r}")
"""


def test_concurrent_issuing_by_processes_is_gapless(cli, tmp_path):
    _setup(cli)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = [subprocess.Popen([sys.executable, "-c", _ISSUER, "5", str(tmp_path / f"p{p}")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for p in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    listed = json.loads(cli("doc", "list", "-f", "json").stdout)
    assert sorted(d["number"] for d in listed) == sorted(f"宁江应急责改〔2026〕{n}号" for n in range(1, 21))
    assert len({d["sha256"] for d in listed}) == 20
    assert cli("check").exit_code == 0


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)
def test_a_register_made_before_documents_opens_and_is_migrated(reg, isolated, engine):
    from hazreg.register import open_register
    from hazreg.storage import SCHEMA_VERSION

    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})
    reg.store.close()
    back_to(isolated, engine, 11)  # the last schema before documents
    old = open_register(isolated, write=False)
    assert old.documents.list() == [] and old.units.find("U1")["name"] == "临江大酒店"
    old.store.close()
    new = open_register(isolated, write=True, operator="tester")
    assert "m012_documents" in new.store.migrations_applied()
    assert new.documents.list() == [] and new.info()["schema_version"] == SCHEMA_VERSION
    new.store.close()


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")), reason="needs LibreOffice and pdftoppm")
def test_render_samples_script_makes_a_png_per_document_type(tmp_path, monkeypatch):
    scripts = Path(__file__).parents[1] / "scripts"
    monkeypatch.syspath_prepend(str(scripts))
    import render_samples

    written = render_samples.main(["--out", str(tmp_path), "--only", "documents"])
    assert written == 0
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == sorted(f"doc-{kind}.png" for kind in render_samples.DOCUMENT_TYPES)
    for png in tmp_path.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_pdf_with_libreoffice_and_without(cli, tmp_path, monkeypatch):
    _setup(cli)
    out = tmp_path / "order.docx"
    if shutil.which("soffice"):
        result = cli("doc", "issue", "order_rectify", "--for", "H1", "--pdf", "-o", str(out))
        assert out.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-" and str(out.with_suffix(".pdf")) in result.stdout
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    again = tmp_path / "again.docx"
    result = cli("doc", "reprint", "1", "--pdf", "-o", str(again))
    assert again.exists() and not again.with_suffix(".pdf").exists()
    assert "LibreOffice" in result.stderr


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)
def test_a_copied_register_reprints_the_same_bytes(cli, tmp_path, isolated, monkeypatch):
    _setup(cli)
    first = tmp_path / "first.docx"
    cli("doc", "issue", "order_rectify", "--for", "H1", "-o", str(first))
    copy = tmp_path / "copy.db"
    cli("copy", str(isolated), str(copy))
    monkeypatch.setenv("HAZREG_DB", str(copy))
    again = tmp_path / "again.docx"
    cli("doc", "reprint", "宁江应急责改〔2026〕1号", "-o", str(again))
    assert again.read_bytes() == first.read_bytes()
    assert cli("check").exit_code == 0
