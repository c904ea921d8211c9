"""The gettext catalogue of Typer's and Click's words: compiled, complete, loaded only for Chinese."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from hazreg.i18n import set_lang

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src" / "hazreg" / "locale" / "zh" / "LC_MESSAGES" / "messages.po"


def _compiler():
    spec = importlib.util.spec_from_file_location("compile_catalogue", ROOT / "scripts" / "compile_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_compiled_catalogue_matches_its_source():
    compiler = _compiler()
    assert PO.with_suffix(".mo").read_bytes() == compiler.mo_bytes(compiler.read_po(PO)), (
        "messages.mo is stale: run python scripts/compile_catalogue.py"
    )


def test_every_word_typer_marks_for_gettext_has_chinese():
    """A newer Typer that marks new words fails here, not in front of a user."""
    source = Path(typer.__file__).parent
    marked = set()
    for name in ("core.py", "rich_utils.py", "main.py"):
        text = (source / name).read_text(encoding="utf-8")
        marked |= {eval(m) for m in re.findall(r'\b_\(\s*("(?:[^"\\]|\\.)*")\s*\)', text)}  # noqa: S307
    catalogue = _compiler().read_po(PO)
    assert marked, "found no gettext calls in Typer: has it changed how it marks its words?"
    assert sorted(marked - set(catalogue)) == []


def test_the_catalogue_keeps_every_placeholder():
    for msgid, msgstr in _compiler().read_po(PO).items():
        if msgid:
            assert set(re.findall(r"\{[^}]*\}", msgid)) == set(re.findall(r"\{[^}]*\}", msgstr)), msgid


def test_chinese_binds_the_catalogue_and_english_lets_it_go(monkeypatch):
    import gettext

    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_lang("zh")
    assert gettext.gettext("Show this message and exit.") == "显示本帮助并退出。"
    set_lang("en")
    assert gettext.gettext("Show this message and exit.") == "Show this message and exit."
    assert "LANGUAGE" not in os.environ


def test_english_start_up_loads_no_catalogue(tmp_path):
    """Translation costs an English command nothing: hazreg.locale is never imported."""
    probe = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print('LOADED' if 'hazreg.locale' in sys.modules else 'CLEAN', file=sys.stderr))\n"
        "sys.argv = ['hazreg', *sys.argv[1:]]\n"
        "runpy.run_module('hazreg', run_name='__main__')\n"
    )
    env = {**os.environ, "HAZREG_DB": str(tmp_path / "r.db")}
    for lang, expected in (("en", "CLEAN"), ("zh", "LOADED")):
        proc = subprocess.run([sys.executable, "-c", probe, "--lang", lang, "list"], env=env, capture_output=True, text=True)
        assert proc.stderr.strip().splitlines()[-1] == expected, (lang, proc.stderr)


@pytest.mark.parametrize(("lang", "expected"), [("en", "not yes or no"), ("zh", "不是“是”或“否”")])
def test_pydantic_reasons_are_in_the_users_language(lang, expected):
    from pydantic import BaseModel

    from hazreg.errors import InvalidInput
    from hazreg.models import validate

    class Flagged(BaseModel):
        verified: bool

    set_lang(lang)
    with pytest.raises(InvalidInput) as caught:
        validate(Flagged, {"verified": "maybe"})
    message = caught.value.message()
    assert expected in message and "Input should" not in message
