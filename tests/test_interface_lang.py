"""Nothing of the other language in the interface: every command's help and the usage errors
of Click, Typer and Pydantic, scanned in a Chinese and an English session.

Under `--lang zh` a run of three or more ASCII letters is a fault unless it is something the
user types as it is: a command or option name, an enum key, an output format, a file name, an
environment variable, or the user's own input echoed back. Under `--lang en` Chinese is a
fault unless it is an input the command accepts (an enum's Chinese label, or one of the few
Chinese examples listed below).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from hazreg.cli.app import app
from hazreg.enums import ENUMS
from hazreg.messages import MESSAGES

HERE = Path(__file__).resolve().parent


def _walk(command, path=()):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, (*path, name))


ROOT = typer.main.get_command(app)
PATHS = [list(path) for path, _ in _walk(ROOT)]
COMMAND_NAMES = {name for path in PATHS for name in path} | {"hazreg"}
OPTION_NAMES = {
    opt for _, command in _walk(ROOT) for param in command.params for opt in (*param.opts, *param.secondary_opts)
    if opt.startswith("-")
} | {"-h", "--help"}

# Usage errors of every kind Click, Typer and Pydantic report, each as a user would make it.
ERRORS = [
    ["list", "--levle", "major"],  # unknown option, with suggestions
    ["lsit"],  # unknown command, with a suggestion
    ["unit", "ad"],  # unknown subcommand
    ["show"],  # missing argument
    ["backup"],  # missing argument (a path)
    ["list", "--limit", "abc"],  # not an integer (Pydantic)
    ["history", "--limit", "1.5"],  # not an integer (Pydantic)
    ["draw", "--count", "x"],  # not an integer, on a group's own option
    ["list", "--limit"],  # an option without its value
    ["list", "extra"],  # an unexpected extra argument
    ["list", "--all=yes"],  # a flag given a value
    ["list", "--format", "xml"],  # a bad choice
    ["list", "--status", "bogus"],  # a bad enum
    ["unit", "list", "--risk", "purple"],  # a bad enum
    ["list", "--found-since", "13月45日"],  # a bad date
    ["list", "--found-since", "someday"],  # a bad date
    ["report", "weekly", "--week", "W99"],  # a bad week
]
HELP = [[*path, "--help"] for path in PATHS]

# What an English word may be in a Chinese interface, beyond command and option names.
# Output and file formats, in either case (CSV, csv): the names a user types and sees in files.
FORMATS = {name for f in ("table", "csv", "json", "jsonl", "xlsx", "md", "html", "id", "pdf", "docx") for name in (f, f.upper())}
ENUM_KEYS = {member.value for enum in ENUMS for member in enum}
# Field names (the stable keys of --map, --by and exports), typed as they are.
FIELD_KEYS = {key.removeprefix("field.") for key in MESSAGES if key.startswith("field.")}
# Other keys typed as they are: `config` settings, `report stats --by` groupings, week and
# date words (this, last, today …), encodings, and an IANA time zone.
OTHER_KEYS = {"timezone", "escalation", "general_deadline_days", "acceptance_days", "documents", "clauses", "interview_time", "interview_place", "month", "week", "this", "last", "today", "tomorrow", "yesterday",
              "utf-8", "utf-16", "gb18030", "Asia/Shanghai",
              "bash", "zsh", "fish",  # `completion SHELL`: the shells' own names
              # `report form KIND` and the form's `config` settings
              "monthly", "quarterly", "annual", "illegal", "form.unit", "form.head", "form.reviewer", "form.preparer",
              "form.phone"}
# Products Chinese users know by these names only.
PRODUCTS = {"Excel", "Windows", "PostgreSQL", "LibreOffice", "Word", "WPS"}
ASCII_ALLOWED = [
    r"HAZREG_[A-Z_]+",  # environment variables, named like options
    r"postgresql://\S*", r"service=\S*",  # register addresses on a server, typed as they are
    r"[\w./-]*\.(?:csv|xlsx|xls|db|json|jsonl|md|html|pdf|jpg|png|docx|txt)",  # file names
]
# Chinese an English session shows: inputs the commands accept, given as examples.
ZH_EXAMPLES = {"灭火器", "企业名称", "区安委办"}  # --search 灭火器, --map 企业名称=name, supervise --by 区安委办
ZH_ALLOWED = {label for enum in ENUMS for m in enum for label in (m.zh, *m.aliases)} | ZH_EXAMPLES

# The official term after an English one, as the forms say it: "Units (生产经营单位)".
GLOSS = re.compile(r"\((?=[^()]*[\u3400-\u9fff])[^()]*\)")
# Dates and amounts as typed: 12月1日, 2026年3月5日, 1.2万.
INPUT_EXAMPLE = re.compile(r"\d[\d.]*(?:[年月日万]\d*)+")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
_EDGE = "(?<![A-Za-z0-9_-]){}(?![A-Za-z0-9_-])"


def _strip_words(text: str, words: set[str]) -> str:
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(_EDGE.format(re.escape(word)), " ", text)
    return text


def stray_english(output: str, argv: list[str]) -> list[str]:
    text = output
    for pattern in ASCII_ALLOWED:
        text = re.sub(pattern, " ", text)
    text = _strip_words(text, COMMAND_NAMES | OPTION_NAMES | FORMATS | ENUM_KEYS | FIELD_KEYS | OTHER_KEYS
                        | PRODUCTS | set(argv))
    return ASCII_WORD.findall(text)


def stray_chinese(output: str, argv: list[str]) -> list[str]:
    text = GLOSS.sub(" ", INPUT_EXAMPLE.sub(" ", output))
    found = []
    for run in CJK.findall(text):
        words = re.split(r"[，、。：；（）\s]+", run)
        found += [w for w in words if w and w not in ZH_ALLOWED and not any(w in a for a in argv)]
    return found


@pytest.fixture(scope="module")
def said(tmp_path_factory) -> dict[tuple[str, str], dict]:
    """What every case printed, in each language: two processes, every case in each."""
    out: dict[tuple[str, str], dict] = {}
    for lang in ("zh", "en"):
        env = {**os.environ, "HAZREG_DB": str(tmp_path_factory.mktemp("lang") / "r.db"),
               "COLUMNS": "200", "TERMINAL_WIDTH": "200", "LANG": "C.UTF-8"}
        env.pop("HAZREG_LANG", None)
        proc = subprocess.run([sys.executable, str(HERE / "lang_dump.py"), lang], input=json.dumps(HELP + ERRORS),
                              capture_output=True, text=True, env=env, check=True)
        for result in json.loads(proc.stdout):
            out[lang, " ".join(result["argv"])] = result
    return out


def _case_id(argv: list[str]) -> str:
    return " ".join(argv)


@pytest.mark.parametrize("argv", HELP, ids=_case_id)
def test_help_in_chinese_has_no_english(said, argv):
    result = said["zh", " ".join(argv)]
    assert result["code"] == 0 and not result["exception"], result
    stray = stray_english(result["output"], argv)
    assert not stray, f"English in `hazreg --lang zh {' '.join(argv)}`: {stray}\n{result['output']}"


@pytest.mark.parametrize("argv", ERRORS, ids=_case_id)
def test_errors_in_chinese_have_no_english(said, argv):
    result = said["zh", " ".join(argv)]
    assert result["code"] == 2 and not result["exception"], result
    stray = stray_english(result["output"], argv)
    assert not stray, f"English in `hazreg --lang zh {' '.join(argv)}`: {stray}\n{result['output']}"


@pytest.mark.parametrize("argv", HELP + ERRORS, ids=_case_id)
def test_english_has_no_stray_chinese(said, argv):
    result = said["en", " ".join(argv)]
    assert not result["exception"], result
    stray = stray_chinese(result["output"], argv)
    assert not stray, f"Chinese in `hazreg --lang en {' '.join(argv)}`: {stray}\n{result['output']}"


def test_the_scan_finds_what_it_should():
    """The scanner itself: it flags Click's English and passes what a user types."""
    assert stray_english("Usage: hazreg list [OPTIONS]", []) == ["Usage", "OPTIONS"]
    assert stray_english("没有这个选项：--levle（可用选项：--level）", ["--levle"]) == []
    assert stray_english("行业：road_traffic、消防；格式 csv；文件 roster.csv；HAZREG_DB", []) == []
    assert stray_english("--all <bool>  Show this message", []) == ["bool", "Show", "message"]
    assert stray_chinese("Level: general (一般) or major (重大)", []) == []
    assert stray_chinese("Use 12月1日 or 1.2万; Units (生产经营单位)", []) == []
    assert stray_chinese("Options  选项", []) == ["选项"]


def test_every_option_and_argument_has_a_placeholder_word():
    from hazreg.cli.chrome import PLACEHOLDERS

    missing = []
    for path, command in _walk(ROOT):
        for param in command.params:
            if getattr(param, "is_flag", False):
                continue
            name = next((o for o in param.opts if o.startswith("--")), param.opts[0]) if param.param_type_name == "option" else param.name
            if f"{' '.join(path)} {name}".strip() not in PLACEHOLDERS and name not in PLACEHOLDERS:
                missing.append(f"hazreg {' '.join(path)} {name}")
    assert not missing, f"no placeholder word in hazreg.cli.chrome.PLACEHOLDERS for: {missing}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_help_shows_words_not_types_and_flags_take_none(said, lang):
    out = said[lang, "list --help"]["output"]
    lines = {line.split()[1]: line for line in out.splitlines() if line.startswith("│ --")}
    unit, everything = ("UNIT", "FORMAT") if lang == "en" else ("单位", "格式")
    assert unit in lines["--unit"] and everything in lines["--format"]
    assert lines["--all"].split()[2:4] == (["-a", "Include"] if lang == "en" else ["-a", "包括已销号和已作废的隐患。"])
    for argv in HELP:
        text = said[lang, " ".join(argv)]["output"]
        assert not re.search(r"<(?:str|int|bool|path|list\[.*?\])>", text), f"a type as placeholder in {argv}:\n{text}"
    show = said[lang, "show --help"]["output"]
    assert ("{HAZARD}" if lang == "en" else "{隐患编号}") in show


SAYS = [
    (["list", "--levle", "major"], ["用法：hazreg list [选项]", "没有选项 --levle", "--level", "查看帮助"]),
    (["lsit"], ["没有命令 'lsit'", "是否要输入 'list'"]),
    (["show"], ["缺少参数 '隐患编号'"]),
    (["list", "--limit", "abc"], ["'--limit' / '-n' 的值无效：不是整数"]),
    (["list", "--limit"], ["选项 '--limit' 后面需要一个值"]),
    (["list", "extra"], ["多出了参数（extra）"]),
]


@pytest.mark.parametrize(("argv", "says"), SAYS, ids=[" ".join(argv) for argv, _ in SAYS])
def test_usage_errors_say_in_chinese_what_was_wrong(said, argv, says):
    output = said["zh", " ".join(argv)]["output"]
    for words in says:
        assert words in output, f"{words!r} not in:\n{output}"
