"""Any terminal: listings and help at 60, 80 and 120 columns, as an officer sees them in a pseudo-terminal."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import read_terminal

WIDTHS = (60, 80, 120)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_terminal(*args: str, columns: int, env: dict[str, str] | None = None) -> str:
    """Run hazreg with stdout and stderr on a pseudo-terminal `columns` wide; what it showed, colours removed."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {**os.environ, **(env or {}), "TERM": "xterm-256color"}
    environment.pop("COLUMNS", None)  # the width comes from the terminal, as it does for a person
    environment.pop("LINES", None)
    proc = subprocess.Popen([sys.executable, "-m", "hazreg", *args], stdin=follower, stdout=follower,
                            stderr=follower, env=environment)
    os.close(follower)
    out = read_terminal(leader)
    proc.wait(timeout=60)
    os.close(leader)
    return _ANSI.sub("", out.decode("utf-8")).replace("\r\n", "\n")


@functools.cache
def run_json(*args: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "hazreg", *args, "-f", "json"], capture_output=True, text=True,
                          check=True, env=os.environ)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo register: long Chinese unit names and descriptions, every status."""
    from hazreg.demo import build_demo

    path = tmp_path_factory.mktemp("terminal") / "demo.db"
    build_demo(path, "tester").store.close()
    return path


def display_width(text: str) -> int:
    from hazreg.render.grid import width

    return width(text)


def assert_readable(out: str, columns: int, ids: list[str], headers: list[str], texts: list[str]) -> None:
    lines = out.splitlines()
    assert max(display_width(line.rstrip()) for line in lines) <= columns, out
    words = set(re.split(r"\s+", out))
    for id_ in ids:
        assert id_ in words, f"{id_} not whole at {columns} columns:\n{out}"
    for header in headers:
        if header.isascii():
            # English headers may wrap between words, never inside one
            for word in header.split():
                assert word in words, f"header word {word!r} broken at {columns} columns:\n{out}"
        else:
            assert header in out, f"header {header!r} broken at {columns} columns:\n{out}"
    for text in texts:
        # long Chinese text wraps several characters to a line (or is cut with …), never one character a line
        assert text[:3] in out, f"{text[:3]!r} broken at {columns} columns:\n{out}"


def _headers(grid_of, lang: str) -> list[str]:
    from hazreg.i18n import set_lang

    set_lang(lang)
    try:
        return grid_of().headers
    finally:
        set_lang("en")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("columns", WIDTHS)
def test_listings_stay_readable_at_any_width(demo, lang, columns):
    from datetime import date

    from hazreg.register import open_register
    from hazreg.render.grid import coverage_grid, hazard_grid, unit_grid

    db = ["--db", str(demo), "--lang", lang]
    hazards = run_json("--db", str(demo), "list", "-n", "0")
    out = on_terminal(*db, "list", "-n", "0", columns=columns)
    assert_readable(out, columns, [h["id"] for h in hazards], _headers(lambda: hazard_grid([], date.today()), lang),
                    [h["unit_name"] for h in hazards] + [h["description"] for h in hazards])

    units = run_json("--db", str(demo), "unit", "list", "-n", "0")
    out = on_terminal(*db, "unit", "list", "-n", "0", columns=columns)
    assert_readable(out, columns, [u["id"] for u in units] + [u["credit_code"] for u in units if u["credit_code"]],
                    _headers(lambda: unit_grid([]), lang), [u["name"] for u in units])

    due = run_json("--db", str(demo), "due", "--within", "30")
    assert due
    out = on_terminal(*db, "due", "--within", "30", columns=columns)
    assert_readable(out, columns, [h["id"] for h in due], _headers(lambda: hazard_grid([], date.today()), lang),
                    [h["description"] for h in due])

    reg = open_register(demo, write=False)
    report = reg.reports.coverage(None, None, None, [], [], False)
    reg.store.close()
    out = on_terminal(*db, "report", "coverage", columns=columns)
    localities = [row["locality"] for row in report["by_locality"]]
    assert_readable(out, columns, [], _headers(lambda: coverage_grid(report), lang), localities)
    for locality in localities:  # every locality's row is whole, not folded
        assert locality in out, out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("columns", WIDTHS)
def test_help_stays_readable_at_any_width(lang, columns):
    from hazreg.cli.app import COMMANDS

    out = on_terminal("--lang", lang, "--help", columns=columns)
    assert max(display_width(line.rstrip()) for line in out.splitlines()) <= columns
    words = set(re.split(r"[\s│]+", out))
    for command in COMMANDS:
        assert command in words, f"{command} missing from help at {columns}:\n{out}"
    out = on_terminal("--lang", lang, "list", "--help", columns=columns)
    for option in ("--status", "--overdue", "--industry", "--format", "--limit"):
        assert option in out, out


def test_columns_fit_every_width_without_breaking_ids_or_headers():
    from hazreg.render.grid import Grid, column_floors, column_widths, fit_columns, width

    grid = Grid(["ID", "Level", "Unit name", "Description", "Deadline", "Flags"], keep_whole=(0, 4, 5), ratios={2: 1, 3: 3})
    grid.rows = [["H1024", "重大隐患", "临江建工集团有限公司桃源安置房二期项目部", "3#塔式起重机力矩限制器失效，起重量限制器被短接" * 2,
                  "2026-11-22", "overdue 7d plan incomplete"]]
    floors = column_floors(grid, column_widths(grid))
    for available in range(30, 220, 3):
        panels = fit_columns(grid, available)
        assert sorted({i for p in panels for i in p.columns}) == list(range(6))
        for panel in panels:
            assert panel.columns[0] == 0  # every part shows the id
            assert sum(panel.widths) + panel.gap * (len(panel.widths) - 1) <= available
            for i, size in zip(panel.columns, panel.widths, strict=True):
                assert size >= min(floors[i], available - floors[0] - panel.gap), (available, panel)
                assert size >= width(grid.headers[i].split()[0]) or i == panel.columns[-1]
        if available >= 200:
            assert len(panels) == 1 and panels[0].widths == column_widths(grid)


# -- global options anywhere -----------------------------------------------------------------------


@pytest.fixture
def one_hazard(cli):
    cli("unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    cli("add", "后厨灭火器压力不足", "--unit", "U1", "--deadline", "2026-12-20", "--owner", "陈伟")


def test_global_options_are_accepted_after_the_command(cli, one_hazard, tmp_path):
    assert "治理责任人" in cli("list", "--lang", "zh").stdout
    assert "治理责任人" in cli("list", "--lang=zh", "--all").stdout
    assert "统一社会信用代码" in cli("unit", "list", "--lang", "zh").stdout
    assert "Owner" in cli("--lang", "zh", "list", "--lang", "en").stdout  # the last one given wins, as for any option
    cli("add", "疏散通道堆放杂物", "--unit", "U1", "--operator", "王五")
    assert json.loads(cli("history", "H2", "-f", "json").stdout)[0]["operator"] == "王五"
    other = tmp_path / "other.db"
    cli("unit", "add", "另一家", "--industry", "gas", "--locality", "青山镇", "--db", str(other))
    assert [u["name"] for u in json.loads(cli("unit", "list", "-f", "json", "--db", str(other)).stdout)] == ["另一家"]
    assert [u["name"] for u in json.loads(cli("unit", "list", "-f", "json").stdout)] == ["临江大酒店"]
    # after `--`, words are the command's own, even if they look like global options
    cli("add", "--unit", "U1", "--", "--lang")
    assert json.loads(cli("show", "H3", "-f", "json").stdout)["description"] == "--lang"


def test_global_options_after_the_command_in_a_real_command_line(one_hazard):
    done = subprocess.run([sys.executable, "-m", "hazreg", "list", "--help", "--lang", "zh"], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0 and "列出隐患" in done.stdout
    done = subprocess.run([sys.executable, "-m", "hazreg", "show", "H1", "--lang", "zh"], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0 and "后厨灭火器压力不足" in done.stdout and "五落实" in done.stdout


# -- no register yet -------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["list"], ["list", "-f", "json"], ["unit", "list"], ["due"], ["report", "coverage"],
                                  ["history"], ["list", "--lang", "zh"]])
def test_reading_commands_say_there_is_no_register_yet(cli, tmp_path, args):
    missing = tmp_path / "none" / "register.db"
    result = cli("--db", str(missing), *args)
    zh = "zh" in args
    expected = (f"{missing} 处还没有台账；`hazreg add` 或 `hazreg import` 会创建它" if zh
                else f"no register at {missing} yet; `hazreg add` or `hazreg import` creates it")
    assert result.stderr.strip().splitlines() == [expected]
    assert result.stdout.strip() in ("", "[]") or args[0] == "report"  # a report shows its empty frame
    assert not missing.parent.exists()  # reading never creates it


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_show_on_a_path_with_no_register_says_so_and_exits_1(cli, tmp_path, lang):
    missing = tmp_path / "register.db"
    result = cli("--db", str(missing), "--lang", lang, "show", "H1", code=1)
    expected = (f"错误：{missing} 处还没有台账；`hazreg add` 或 `hazreg import` 会创建它" if lang == "zh"
                else f"Error: no register at {missing} yet; `hazreg add` or `hazreg import` creates it")
    assert result.stderr.strip().replace("错误: ", "错误：") == expected
    assert not missing.exists()


def test_an_existing_register_with_nothing_in_it_says_nothing_of_the_sort(cli, one_hazard):
    cli("void", "H1", "--reason", "录入错误")
    result = cli("list")
    assert result.stdout == "" and "no register" not in result.stderr
    assert "no hazard H9" in cli("show", "H9", code=1).stderr
    info = cli("--db", "/nonexistent/x.db", "info")  # info says it in its own words, once
    assert "no register" not in info.stderr and "not created yet" in info.stdout


# -- shell completion --------------------------------------------------------------------------------


def complete(shell: str, line: str, **env: str) -> list[str]:
    """What the shell's completion function gets back for `line` (the word being typed is its last)."""
    environment = {**os.environ, **env, "_HAZREG_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        words = line.split(" ")
        environment.update(COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    else:
        environment["_TYPER_COMPLETE_ARGS"] = line
        if shell == "fish":
            environment["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    done = subprocess.run([sys.executable, "-m", "hazreg"], capture_output=True, text=True, env=environment, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return [line for line in done.stdout.splitlines() if line]  # nothing to offer is one empty line


def test_completion_offers_every_command_and_subcommand():
    from hazreg.cli.app import COMMANDS

    offered = complete("bash", "hazreg ")
    assert set(COMMANDS) <= set(offered), set(COMMANDS) - set(offered)
    assert {"add", "list", "show", "edit"} <= set(complete("bash", "hazreg unit "))
    assert complete("bash", "hazreg rep") == ["report"]
    assert "--industry" in complete("bash", "hazreg list --ind")
    assert "--lang" in complete("bash", "hazreg --l")


def test_completion_offers_enum_keys_and_chinese_labels():
    industries = complete("bash", "hazreg list --industry ")
    assert {"fire", "消防", "hazardous_chemicals", "危险化学品", "road_traffic", "道路交通"} <= set(industries)
    assert complete("bash", "hazreg list --industry 危") == ["危险化学品"]
    assert complete("bash", "hazreg unit add 某公司 --risk r") == ["red"]
    assert {"open", "待整改", "rectifying", "整改中"} <= set(complete("bash", "hazreg list --status "))
    assert "open,已销号" in complete("bash", "hazreg list --status open,已")  # a comma list completes its last item
    assert {"major", "重大隐患"} <= set(complete("bash", "hazreg add x --level "))
    supervision = set(complete("bash", "hazreg supervise H1 --level "))
    assert "major" not in supervision and supervision  # supervise's level is the listing body's
    assert set(complete("bash", "hazreg --lang ")) >= {"en", "zh"}
    assert set(complete("bash", "hazreg list --format ")) == {"table", "csv", "json", "jsonl"}
    assert "xlsx" in complete("bash", "hazreg export hazards --format ")
    assert {"bash", "zsh", "fish"} <= set(complete("bash", "hazreg completion "))


def test_completion_offers_ids_from_the_register_without_creating_one(cli, one_hazard, tmp_path):
    assert complete("bash", "hazreg show ") == ["H1"]
    assert complete("bash", "hazreg unit show ") == ["U1"]
    assert set(complete("bash", "hazreg history ")) == {"H1", "U1"}
    assert complete("bash", "hazreg add 堆放杂物 --unit ") == ["U1"]
    missing = tmp_path / "none" / "register.db"
    assert complete("bash", f"hazreg --db {missing} show ") == []
    assert complete("bash", "hazreg show ", HAZREG_DB=str(missing)) == []
    assert not missing.parent.exists()


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_completion_in_zsh_and_fish_shows_what_each_value_means(cli, one_hazard, shell):
    out = "\n".join(complete(shell, "hazreg list --industry "))
    assert "fire" in out and "消防" in out
    out = "\n".join(complete(shell, "hazreg show "))
    assert "H1" in out and "后厨灭火器压力不足" in out
    assert "list" in "\n".join(complete(shell, "hazreg "))


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_for_each_shell(cli, shell):
    script = cli("completion", shell).stdout
    assert "_HAZREG_COMPLETE" in script and "hazreg" in script


def test_completion_for_an_unknown_shell_is_a_usage_error(cli):
    result = cli("completion", "tcsh", code=2)
    assert result.stderr.strip().count("\n") == 0 and "bash, zsh, fish" in result.stderr


def test_a_grid_of_many_columns_splits_quickly():
    import time

    from hazreg.render.grid import Grid, fit_columns

    grid = Grid(["周"] + [f"领导{i}" for i in range(40)], keep_whole=tuple(range(41)))
    grid.rows = [["2026-W48"] + ["2次（明查1/暗访1）"] * 40]
    started = time.perf_counter()
    panels = fit_columns(grid, 60)
    assert time.perf_counter() - started < 1
    assert sorted(i for p in panels for i in p.columns[1:]) == list(range(1, 41))
