"""Both languages, complete: every message, label and help text exists in English and Chinese."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from hazreg.enums import ENUMS
from hazreg.i18n import detect_lang, normalise_lang
from hazreg.messages import MESSAGES

SRC = Path(__file__).resolve().parents[1] / "src" / "hazreg"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key):
    en, zh = MESSAGES[key]
    assert en.strip() and zh.strip()
    assert {p.split("!")[0] for p in _placeholders(en)} == {p.split("!")[0] for p in _placeholders(zh)}


def test_every_key_the_code_uses_exists():
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""(?:\bt\(|key=|Error\(|Refused\(|NotFound\(|InvalidInput\()\s*"([a-z_]+\.[a-z_.]+)\"""", text))
    missing = sorted(k for k in used if k not in MESSAGES and not k.endswith("."))  # "x." + name: below
    assert not missing, f"messages missing from hazreg.messages: {missing}"


def test_every_weekly_figure_and_rate_has_a_label():
    from hazreg.register.weekly import HEADLINE, RATES

    for key in HEADLINE:
        assert f"weekly.f.{key}" in MESSAGES
    for key in RATES:
        assert f"weekly.r.{key}" in MESSAGES


def test_every_field_and_plan_part_has_a_label():
    from hazreg.register.lifecycle import PLAN_FIELDS
    from hazreg.render.records import HAZARD_COLUMNS, HISTORY_COLUMNS, UNIT_COLUMNS

    for field in (*UNIT_COLUMNS, *HAZARD_COLUMNS, *HISTORY_COLUMNS):
        assert f"field.{field}" in MESSAGES, field
    for part in PLAN_FIELDS:
        assert f"plan.{part}" in MESSAGES


def test_every_history_action_has_a_label():
    from hazreg.register.lifecycle import MOVES

    actions = {"create", "edit", "plan", "timezone"} | {m.replace(" --", "_") for m in MOVES}
    for action in actions:
        assert f"action.{action}" in MESSAGES, action


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_enum_value_has_labels_and_parses_from_both(enum):
    for member in enum:
        assert member.en.strip() and member.zh.strip()
        assert re.search(r"[\u4e00-\u9fff]", member.zh), member.zh
        for text in (member.value, member.value.upper(), member.en, member.zh, *member.aliases):
            assert enum.parse(text) is member
        assert enum.parse(f"  {member.zh} ") is member


def test_every_command_has_help_in_both_languages():
    from hazreg.cli.app import app

    def commands(typer_app, prefix=""):
        for info in typer_app.registered_commands:
            yield prefix + (info.name or info.callback.__name__), info.help
        for group in typer_app.registered_groups:
            yield prefix + group.name, group.typer_instance.info.help
            yield from commands(group.typer_instance, prefix + group.name + " ")

    found = list(commands(app))
    assert len(found) >= 18
    for name, help_text in found:
        assert help_text, f"hazreg {name} has no help"
        key = "help.cmd." + name.replace(" ", "_")
        assert key in MESSAGES, f"hazreg {name} has no bilingual help ({key})"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh_CN.UTF-8", "zh"), ("zh-Hans", "zh"), ("中文", "zh"), ("en_US.UTF-8", "en"), ("C.UTF-8", "en"), ("fr_FR", None)],
)
def test_language_names(value, expected):
    assert normalise_lang(value) == expected


def test_language_precedence():
    env = {"HAZREG_LANG": "zh", "LANG": "en_US.UTF-8"}
    assert detect_lang(["--lang", "en", "list"], env) == "en"
    assert detect_lang(["--lang=zh"], {}) == "zh"
    assert detect_lang(["list"], env) == "zh"
    assert detect_lang([], {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert detect_lang([], {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US"}) == "zh"
    assert detect_lang([], {}) == "en"


def test_help_is_chinese_in_a_chinese_session(tmp_path):
    env = {**os.environ, "HAZREG_LANG": "zh", "HAZREG_DB": str(tmp_path / "r.db"), "COLUMNS": "120"}
    out = subprocess.run([sys.executable, "-m", "hazreg", "--help"], env=env, capture_output=True, text=True, check=True).stdout
    assert "登记隐患" in out and "区安全生产隐患台账" in out
    out = subprocess.run(
        [sys.executable, "-m", "hazreg", "--lang", "en", "add", "--help"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "Record a hazard" in out
