"""Every command through Typer's CliRunner, as an officer or a cron job would run it."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import VALID_CODES, read_terminal


@pytest.fixture
def district(cli):
    """Two units and three hazards, added through the CLI."""
    cli("unit", "add", "临江市宏达化工有限公司", "--industry", "危化品", "--locality", "青山镇",
        "--code", VALID_CODES[0], "--risk", "红", "--phone", "0571-87654321", "--contact", "周海涛")
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道", "--risk", "yellow")
    cli("add", "危化品仓库未设置可燃气体报警装置", "--unit", "U1", "--level", "重大", "--deadline", "+10d",
        "--owner", "郑晓峰", "--basis", "安监总管三〔2017〕121号 第12条")
    cli("add", "后厨灭火器压力不足，3具已过期", "--unit", "临江大酒店", "--found", "2026-11-01",
        "--deadline", "2026-11-20", "--owner", "陈伟", "--source", "群众举报")
    cli("add", "二楼疏散通道堆放杂物", "--unit", "U2", "--deadline", "12月15日")


def records(result) -> list[dict]:
    return json.loads(result.stdout)


# -- units -------------------------------------------------------------------------------------


def test_unit_add_list_show_edit(cli, district):
    units = records(cli("unit", "list", "--format", "json"))
    assert [u["name"] for u in units] == ["临江市宏达化工有限公司", "临江大酒店"]  # red risk first
    assert units[0]["industry"] == "hazardous_chemicals" and units[0]["risk"] == "red"
    assert units[0]["id"] == "U1" and len(units[0]["uid"]) == 36
    assert [u["id"] for u in records(cli("unit", "list", "--industry", "消防", "-f", "json"))] == ["U2"]
    assert [u["id"] for u in records(cli("unit", "list", "--risk", "红", "-f", "json"))] == ["U1"]
    assert [u["id"] for u in records(cli("unit", "list", "--locality", "临江街道", "-f", "json"))] == ["U2"]
    assert [u["id"] for u in records(cli("unit", "list", "--search", "宏达", "-f", "json"))] == ["U1"]
    shown = cli("unit", "show", VALID_CODES[0]).stdout
    assert "临江市宏达化工有限公司" in shown and "H1" in shown
    assert records(cli("unit", "show", "U2", "-f", "json"))["open_hazards"][0]["id"] in ("H2", "H3")
    assert "Saved U2" in cli("unit", "edit", "U2", "--risk", "橙", "--phone", "13957162318").stdout
    assert records(cli("unit", "show", "U2", "-f", "json"))["risk"] == "orange"


def test_unit_add_rejects_a_bad_credit_code_saying_which_check_failed(cli):
    result = cli("unit", "add", "某公司", "--industry", "fire", "--locality", "x", "--code", "91330100716105852A", code=2)
    assert "check" in result.stderr and "expected F" in result.stderr
    assert "Traceback" not in result.output
    result = cli("unit", "add", "某公司", "--industry", "fire", "--locality", "x", "--code", "9133010071610585", code=2)
    assert "16 characters" in result.stderr
    assert records(cli("unit", "list", "-f", "json")) == []


def test_unit_add_rejects_unknown_industry_listing_the_choices(cli):
    result = cli("unit", "add", "某公司", "--industry", "航天发射", "--locality", "x", code=2)
    line = result.stderr.strip()
    assert line.count("\n") == 0
    assert line.startswith("Error: Industry:") and "航天发射" in line and "fire (消防)" in line


def test_duplicate_credit_code_is_refused(cli, district):
    result = cli("unit", "add", "另一家", "--industry", "fire", "--locality", "x", "--code", VALID_CODES[0].lower(), code=1)
    assert "U1" in result.stderr


# -- hazards: add, list, show ----------------------------------------------------------------------


def test_add_prints_the_new_id_and_json_on_request(cli, district):
    assert cli("add", "配电箱未上锁", "--unit", "U2").stdout.startswith("Added H4:")
    saved = records(cli("add", "电焊动火作业未审批", "--unit", "U2", "--format", "json"))
    assert saved["id"] == "H5" and saved["industry"] == "fire" and saved["locality"] == "临江街道"


def test_add_without_a_terminal_names_the_missing_options(cli, district):
    result = cli("add", code=2)
    assert "DESCRIPTION" in result.stderr and "--unit" in result.stderr
    result = cli("add", "灭火器过期", code=2)
    assert "--unit" in result.stderr and "DESCRIPTION" not in result.stderr


def test_add_on_a_terminal_asks_for_what_is_missing(cli, district, monkeypatch):
    monkeypatch.setattr("hazreg.cli.hazards.interactive", lambda: True)
    result = cli("add", input="消防水泵无法启动\nU1\n重大\n2026-12-20\n")
    assert "Added H4: 消防水泵无法启动" in result.stdout
    assert "general (一般隐患), major (重大隐患)" in result.stdout  # the choices were shown
    assert "Deadline" in result.stdout  # a major hazard's deadline is asked for
    assert records(cli("show", "H4", "-f", "json"))["level"] == "major"
    assert records(cli("show", "H4", "-f", "json"))["deadline"] == "2026-12-20"


def test_list_default_is_active_hazards_most_urgent_first(cli, district):
    rows = records(cli("list", "--format", "json"))
    assert [r["id"] for r in rows] == ["H2", "H1", "H3"]  # overdue, major, nearest deadline
    assert rows[0]["overdue"] is True and rows[1]["plan_complete"] is False
    table = cli("list").stdout
    assert "overdue 9d" in table and "plan incomplete" in table
    assert "\x1b[" not in table  # no colour codes off a terminal


def test_list_filters(cli, district):
    ids = lambda *args: [r["id"] for r in records(cli("list", "-f", "json", *args))]  # noqa: E731
    assert ids("--overdue") == ["H2"]
    assert ids("--level", "major") == ["H1"]
    assert ids("--industry", "消防") == ["H2", "H3"]
    assert ids("--locality", "青山镇") == ["H1"]
    assert ids("--unit", "临江大酒店") == ["H2", "H3"]
    assert ids("--owner", "陈伟") == ["H2"]
    assert ids("--due-within", "10d") == ["H2", "H1"]
    assert ids("--found-since", "2026-11-02") == ["H1", "H3"]
    assert ids("--found-until", "11月1日") == ["H2"]
    assert ids("--search", "灭火器") == ["H2"]
    assert ids("--search", "消防") == []
    assert ids("--status", "待整改", "--limit", "1") == ["H2"]
    cli("void", "H3", "--reason", "重复录入")
    assert ids() == ["H2", "H1"]
    assert ids("--all") == ["H2", "H1", "H3"]
    assert ids("--status", "void") == ["H3"]


def test_list_csv_and_jsonl_have_stable_columns(cli, district):
    rows = list(csv.DictReader(io.StringIO(cli("list", "--format", "csv").stdout)))
    assert list(rows[0])[:6] == ["id", "uid", "unit_id", "unit_name", "description", "industry"]
    assert rows[0]["overdue"] == "true" and rows[0]["level"] == "general"
    lines = cli("list", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 3 and json.loads(lines[1])["id"] == "H1"


def test_json_output_is_readable_chinese(cli, district):
    out = cli("list", "-f", "json").stdout
    assert "灭火器" in out and "\\u" not in out


def test_empty_list_exits_zero(cli):
    result = cli("list")
    assert result.stdout == ""
    assert records(cli("list", "-f", "json")) == []


def test_show_has_record_plan_and_history(cli, district):
    out = cli("show", "H1").stdout
    for text in ("危化品仓库未设置可燃气体报警装置", "Major", "Five guarantees", "郑晓峰", "History", "create"):
        assert text in out
    data = records(cli("show", "h1", "--format", "json"))
    assert data["basis"] == "安监总管三〔2017〕121号 第12条"
    assert data["history"][0]["action"] == "create" and data["history"][0]["operator"] == "tester"


def test_show_missing_hazard_exits_1_with_its_id(cli, district):
    result = cli("show", "H99", code=1)
    assert result.stderr.strip() == "Error: no hazard H99"
    result = cli("show", "H-1", code=2)
    assert "hazard" in result.stderr


# -- changes ---------------------------------------------------------------------------------------


def test_edit_and_plan(cli, district):
    assert "Saved H3" in cli("edit", "H3", "--owner", "王芳", "--level", "major").stdout
    out = cli("plan", "H1", "--measures", "加装可燃气体报警器", "--funds", "1.2万").stdout
    assert "still missing: Contingency plan" in out
    out = cli("plan", "H1", "--contingency", "危化品泄漏应急预案").stdout
    assert "all five guarantees recorded" in out
    data = records(cli("show", "H1", "-f", "json"))
    assert data["funds"] == "12000.00" and data["plan_complete"] is True
    result = cli("edit", "H1", "--deadline", "2026-01-01", code=2)
    assert "Deadline" in result.stderr and "before the date found" in result.stderr


def test_lifecycle_through_the_cli(cli, district):
    assert "now Rectifying" in cli("start", "H2").stdout
    assert "now Rectified" in cli("done", "H2", "--note", "已更换灭火器").stdout
    result = cli("verify", "H2", code=2)
    assert "--by" in result.stderr
    assert "now Rectifying" in cli("verify", "H2", "--by", "李明", "--fail", "--note", "仍有1具过期").stdout
    cli("done", "H2")
    assert "now Closed" in cli("verify", "H2", "--by", "李明", "--note", "复查合格").stdout
    result = cli("start", "H2", code=1)
    assert "no further moves" in result.stderr


def test_refused_move_says_what_is_allowed(cli, district):
    result = cli("done", "H1", code=1)
    assert result.stderr.strip() == "Error: H1 is Open: 'done' is not allowed; allowed now: start, void"


def test_major_hazard_cannot_close_without_plan(cli, district):
    cli("start", "H1")
    cli("done", "H1")
    result = cli("verify", "H1", "--by", "李明", code=1)
    assert "measures, funds, contingency" in result.stderr
    assert records(cli("show", "H1", "-f", "json"))["status"] == "rectified"


def test_void_requires_a_reason(cli, district):
    assert "--reason" in cli("void", "H1", code=2).stderr
    cli("void", "H1", "--reason", "重复录入")
    assert records(cli("show", "H1", "-f", "json"))["void_reason"] == "重复录入"


def test_a_failed_command_changes_nothing(cli, district, isolated):
    before = cli("history", "-f", "json").stdout
    cli("add", "x", "--unit", "U1", "--deadline", "2020-01-01", code=2)
    cli("add", "x", "--unit", "U9", code=1)
    cli("edit", "H1", "--funds", "abc", code=2)
    cli("unit", "edit", "U1", "--phone", "12ab", code=2)
    assert cli("history", "-f", "json").stdout == before
    assert len(records(cli("list", "--all", "-f", "json"))) == 3


# -- history, info, config, demo ---------------------------------------------------------------


def test_history_of_a_record_and_of_the_register(cli, district):
    cli("--operator", "李明", "edit", "H3", "--owner", "王芳")
    out = cli("history", "H3").stdout
    assert "create" in out and "Owner: ∅ → 王芳" in out and "李明" in out
    assert "20:00" not in out  # shown in Shanghai time: 12:00
    assert "12:00" in out
    everything = records(cli("history", "-f", "json"))
    assert len(everything) == 6
    assert [e["record_id"] for e in everything[:2]] == ["U1", "U2"]
    assert len(records(cli("history", "--by", "李明", "-f", "json"))) == 1
    assert len(records(cli("history", "--since", "tomorrow", "-f", "json"))) == 0
    assert records(cli("history", "-n", "1", "-f", "json"))[0]["action"] == "edit"


def test_info_shows_path_schema_and_counts(cli, district, isolated):
    data = records(cli("info", "-f", "json"))
    assert data["path"] == str(isolated) and data["schema_version"] >= 1
    assert data["units"] == 2 and data["hazards"] == 3 and data["hazards_by_status"] == {"open": 3}
    assert str(isolated) in cli("info").stdout


def test_db_option_wins_over_the_environment(cli, tmp_path):
    other = tmp_path / "other.db"
    cli("--db", str(other), "unit", "add", "x", "--industry", "fire", "--locality", "y")
    assert other.exists()
    assert records(cli("unit", "list", "-f", "json")) == []


def test_config_timezone(cli, district):
    assert "Asia/Shanghai" in cli("config").stdout
    cli("config", "timezone", "Asia/Urumqi")
    assert cli("config", "timezone").stdout.strip() == "Asia/Urumqi"
    assert "time zone" in cli("config", "timezone", "Mars/Olympus", code=2).stderr
    assert "timezone" in cli("config", "colour", "red", code=2).stderr


def test_demo_builds_its_own_register_and_lists_it(cli, isolated, tmp_path):
    out = cli("demo", "--path", str(tmp_path / "demo.db")).stdout
    assert "Demo register" in out and "H" in out and "overdue" in out
    assert not isolated.exists()  # the user's register is untouched
    rows = records(cli("--db", str(tmp_path / "demo.db"), "list", "--all", "-f", "json"))
    assert len(rows) >= 50 and {r["status"] for r in rows} == {"open", "rectifying", "rectified", "closed", "void"}
    # Running it again rebuilds it rather than doubling it.
    cli("demo", "--path", str(tmp_path / "demo.db"))
    assert len(records(cli("--db", str(tmp_path / "demo.db"), "list", "--all", "-f", "json"))) == len(rows)


def test_demo_default_path_is_not_the_register(cli, isolated):
    cli("demo")
    assert not isolated.exists()


def test_version_and_help(cli):
    assert cli("--version").stdout.startswith("hazreg ")
    assert "add" in cli("--help").stdout


def test_bad_format_and_bad_lang(cli):
    assert "table, csv, json, jsonl" in cli("list", "--format", "xml", code=2).stderr
    assert "en, zh" in cli("--lang", "fr", "list", code=2).stderr


# -- language --------------------------------------------------------------------------------------


def test_chinese_interface(cli, district):
    out = cli("--lang", "zh", "list").stdout
    assert "隐患级别" in out and "逾期9天" in out and "五落实未到位" in out and "重大隐患" in out
    result = cli("--lang", "zh", "done", "H1", code=1)
    assert result.stderr.startswith("错误：") or result.stderr.startswith("错误:")
    assert "待整改" in result.stderr


def test_language_from_environment(cli, district, monkeypatch):
    monkeypatch.setenv("HAZREG_LANG", "zh")
    assert "治理责任人" in cli("list").stdout
    monkeypatch.delenv("HAZREG_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "治理责任人" in cli("list").stdout


def test_plain_listing_is_one_line_per_record_aligned_by_display_width(cli, district):
    from hazreg.render.grid import width

    lines = cli("list").stdout.splitlines()
    assert len(lines) == 4  # header + three hazards, long descriptions not wrapped
    header = lines[0]
    deadline_col = width(header[: header.index("Deadline")])
    for line in lines[1:]:
        cells = line.split("  ")
        date_cell = next(c for c in cells if c.strip().startswith("2026-"))
        assert width(line[: line.index(date_cell.strip())]) == deadline_col
    assert all(line == line.rstrip() for line in lines)


def _on_a_terminal(*args: str, env: dict) -> str:
    """Run hazreg with stdout on a real pseudo-terminal, as an officer sees it."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "hazreg", *args], stdout=follower, stderr=follower, env=env)
    os.close(follower)
    out = read_terminal(leader)
    proc.wait(timeout=30)
    os.close(leader)
    return out.decode("utf-8")


def test_on_a_terminal_overdue_rows_are_red_and_no_color_is_respected(district):
    import os

    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    out = _on_a_terminal("list", env=env)
    red_line = next(line for line in out.splitlines() if "H2" in line)
    assert "\x1b[31m" in red_line  # the overdue hazard stands out in red
    assert "─" in out  # a ruled header on a terminal
    plain = _on_a_terminal("list", env={**env, "NO_COLOR": "1"})
    assert "\x1b[31m" not in plain and "H2" in plain
