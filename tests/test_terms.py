"""The words of the official forms (issue 11): what a Chinese officer reads is what the
台账 and the 执法文书 say, and no stored key, raw id or English field name shows through."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import VALID_CODES
from hazreg.enums import ActionType, Level, Mode, Risk, Source, Status, Step, SupervisionLevel


@pytest.fixture
def zh(cli):
    """A unit and two hazards (a general one, a major one), in a Chinese session."""

    def run(*args: str, code: int | None = 0):
        return cli("--lang", "zh", *args, code=code)

    run("unit", "add", "临江市宏达化工有限公司", "--industry", "危化品", "--locality", "青山镇",
        "--code", VALID_CODES[0], "--risk", "红")
    run("add", "灭火器压力不足", "--unit", "U1", "--found", "2026-11-01", "--deadline", "2026-11-20",
        "--owner", "陈伟")
    run("add", "危化品仓库未设置可燃气体报警装置", "--unit", "U1", "--level", "重大", "--found", "2026-11-01",
        "--deadline", "2026-11-10", "--owner", "郑晓峰")
    return run


# -- stored keys shown to people ----------------------------------------------------------------


def test_history_shows_labels_ids_and_money_as_people_read_them(zh):
    zh("action", "H2", "--type", "suspend", "--against", "临江市宏达化工有限公司", "--on", "2026-11-20")
    zh("escalate", "H2", "--step", "notice", "--on", "2026-11-21")
    zh("plan", "H2", "--funds", "12000.50")
    history = zh("history", "H2").stdout
    assert "停产停业整顿" in history and "suspend" not in history
    assert "责令限期整改指令书" in history and "notice" not in history
    assert "治理资金（万元）: ∅ → 1.20005" in history  # exact: 12000.50 yuan is 1.20005 万元
    assert "12000.50" not in history


def test_imported_hazard_history_names_its_unit_by_id(zh, tmp_path):
    ledger = tmp_path / "台账.csv"
    ledger.write_text("单位名称,隐患描述,发现日期,整改期限\n临江市宏达化工有限公司,消防通道堵塞,2026-11-02,2026-12-02\n",
                      encoding="utf-8")
    zh("import", "hazards", str(ledger))
    history = zh("history", "H3").stdout
    assert "所属单位: ∅ → U1" in history
    assert "单位编号" not in history and "Unit id" not in history


def test_settings_in_the_whole_history_are_named_not_numbered(zh):
    zh("config", "escalation", "notice:0,letter:7")
    line = zh("history").stdout.splitlines()[-1]
    assert "台账设置" in line and "  0  " not in line
    assert "责令限期整改指令书" in line and "挂牌督办通知书" in line and '"notice"' not in line
    english = zh("--lang", "en", "history").stdout.splitlines()[-1]
    assert "Settings" in english


def test_missing_guarantees_are_named_by_their_form_labels(zh):
    zh("start", "H2")
    zh("done", "H2")
    err = zh("verify", "H2", "--by", "李明", code=1).stderr
    assert "治理措施" in err and "治理资金" in err and "安全措施和应急预案" in err
    assert "measures" not in err and "contingency" not in err
    out = zh("plan", "H2", "--measures", "加装报警器").stdout
    assert "治理资金" in out and "funds" not in out


def test_check_names_the_field_in_words(zh, isolated):
    with sqlite3.connect(isolated) as db:
        db.execute("UPDATE hazards SET owner = '王五' WHERE id = 1")
    err = zh("check", code=1).stderr
    assert "H1 的 治理责任人" in err and " owner " not in err


# -- column headings ---------------------------------------------------------------------------


def test_action_list_heads_its_date_and_shows_its_id(zh):
    zh("action", "H2", "--type", "fine", "--amount", "5万", "--on", "2026-11-20")
    header, row = zh("action", "list").stdout.splitlines()[:2]
    assert "决定日期" in header and "检查日期" not in header
    assert "当事人" in header
    assert row.startswith("E1")
    english = zh("--lang", "en", "action", "list").stdout.splitlines()[0]
    assert english.split()[0] == "ID"


def test_people_and_campaign_lists_head_their_name_column(zh):
    zh("inspector", "add", "王建国", "--cert", "3301001")
    zh("leader", "add", "张副区长", "--industries", "消防")
    zh("campaign", "add", "安全生产大检查", "--start", "2026-11-01", "--end", "2027-01-31")
    for listing in (("inspector", "list"), ("leader", "list")):
        header = zh(*listing).stdout.splitlines()[0]
        assert "姓名" in header and "单位名称" not in header
    header = zh("campaign", "list").stdout.splitlines()[0]
    assert "专项行动名称" in header and "单位名称" not in header


def test_draw_publication_list_has_chinese_headers_under_lang_zh(zh):
    zh("inspector", "add", "王建国")
    zh("inspector", "add", "李明")
    zh("draw", "--count", "1", "--seed", "42")
    rows = list(csv.reader(io.StringIO(zh("draw", "show", "D1", "-f", "csv").stdout)))
    assert rows[0][:4] == ["抽取编号", "序号", "单位编号", "单位名称"]
    assert "危险化学品" in rows[1] and "hazardous_chemicals" not in rows[1]
    english = list(csv.reader(io.StringIO(zh("--lang", "en", "draw", "show", "D1", "-f", "csv").stdout)))
    assert english[0][:4] == ["draw_id", "order", "unit_id", "name"]


# -- the words of the forms -------------------------------------------------------------------


def test_verification_reads_as_recheck_for_general_and_acceptance_for_major(zh):
    zh("start", "H1")
    zh("done", "H1")
    zh("verify", "H1", "--by", "李明", "--note", "不合格", "--fail")
    shown = zh("show", "H1").stdout
    assert "复查人" in shown and "复查意见" in shown and "验收人" not in shown
    assert "复查不合格（退回整改）" in shown
    zh("plan", "H2", "--measures", "加装报警器", "--funds", "1.2万", "--contingency", "泄漏应急预案")
    zh("start", "H2")
    zh("done", "H2")
    assert "已整改待复查" in zh("show", "H2").stdout
    zh("verify", "H2", "--by", "区应急管理局 李明")
    shown = zh("show", "H2").stdout
    assert "验收人" in shown and "复查人" not in shown


def test_five_guarantees_read_as_on_the_form(zh):
    shown = zh("show", "H2").stdout
    for words in ("治理责任人", "治理措施", "治理资金（万元）", "治理时限", "安全措施和应急预案"):
        assert words in shown
    assert "五落实未到位" in zh("list").stdout
    zh("plan", "H2", "--funds", "12000.50")
    assert "1.20005" in zh("show", "H2").stdout


def test_enforcement_parties_and_types(zh):
    for key, label in (("warning", "警告"), ("confiscate", "没收违法所得"), ("suspend_license", "暂扣/吊销证照"),
                       ("on_site_measures", "现场处理措施"), ("seal_seize", "查封扣押")):
        assert ActionType.parse(label).value == key and ActionType.parse(key).zh == label
    assert ActionType.CLOSE.zh == "提请关闭/取缔" and ActionType.parse("关闭取缔") is ActionType.CLOSE
    assert ActionType.ACCOUNTABILITY.zh == "移交问责" and ActionType.parse("问责") is ActionType.ACCOUNTABILITY
    zh("action", "H2", "--type", "警告", "--against", "郑晓峰")
    assert "警告" in zh("action", "list").stdout


def test_escalation_steps_read_as_the_documents(zh):
    assert [s.zh for s in Step] == ["责令限期整改指令书", "挂牌督办通知书", "约谈", "通报批评/曝光"]
    for old, member in (("整改通知书", Step.NOTICE), ("督办函", Step.LETTER), ("通报", Step.PUBLIC_NOTICE)):
        assert Step.parse(old) is member
    zh("escalate", "H2", "--step", "挂牌督办通知书")
    assert "挂牌督办通知书" in zh("show", "H2").stdout


def test_sources_of_the_national_ledger(zh):
    wanted = {"enforcement_check": "执法检查", "department_check": "部门检查", "township_check": "镇街检查",
              "superior_check": "上级督查", "expert_check": "专家检查", "congress_visit": "人大政协视察",
              "report": "举报投诉", "self_check": "企业自查"}
    for key, label in wanted.items():
        assert Source.parse(label).value == key and Source(key).zh == label
    # keys already stored keep working, and so do the old Chinese words
    assert Source.parse("inspection") is Source.INSPECTION and Source.parse("监管检查") is Source.INSPECTION
    assert Source.parse("leader_check") is Source.LEADER_CHECK and Source.parse("群众举报") is Source.REPORT
    assert Source.parse("other") is Source.OTHER
    zh("add", "配电室门未关闭", "--unit", "U1", "--source", "专家检查")
    assert "专家检查" in zh("show", "H3").stdout


def test_risk_colours_modes_levels_and_statuses(zh):
    assert [r.zh for r in Risk] == ["红色（重大风险）", "橙色（较大风险）", "黄色（一般风险）", "蓝色（低风险）"]
    assert Risk.parse("红") is Risk.RED and Risk.parse("较大风险") is Risk.ORANGE
    assert Mode.parse("四不两直") is Mode.UNANNOUNCED and Mode.UNANNOUNCED.zh == "暗访"
    assert SupervisionLevel.DISTRICT.zh == "县（区）级" and SupervisionLevel.parse("区级") is SupervisionLevel.DISTRICT
    assert Status.RECTIFIED.zh == "已整改待复查" and Status.parse("已整改(待验收)") is Status.RECTIFIED
    assert Level.parse("重大") is Level.MAJOR
    assert "红色（重大风险）" in zh("unit", "show", "U1").stdout


def test_five_guarantees_accept_wudaowei_as_a_column(zh, tmp_path):
    ledger = tmp_path / "台账.csv"
    ledger.write_text("单位名称,隐患描述,发现日期,五到位\n临江市宏达化工有限公司,消防通道堵塞,2026-11-02,否\n", encoding="utf-8")
    result = zh("import", "hazards", str(ledger))
    assert "五到位" not in result.stderr + result.stdout  # known (derived), not reported as unread


def _help(*args: str) -> str:
    env = {**os.environ, "HAZREG_LANG": "zh", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "hazreg", *args, "--help"], env=env, capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.parametrize(("command", "date_name"), [
    (("supervise",), "挂牌日期"), (("verify",), "复查日期"), (("escalate",), "采取日期"),
    (("action", "add"), "决定日期"), (("delist",), "摘牌日期"), (("done",), "整改完成日期"),
])
def test_on_help_names_the_date_it_is(command, date_name):
    text = _help(*command)
    assert date_name in text and "发生日期" not in text


def test_help_uses_the_words_of_the_forms():
    assert "执法检查人员名录库" in _help("inspector")
    assert "抽取随机码" in _help("draw")
    assert "县（区）级" in _help("supervise")
