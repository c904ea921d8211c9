"""Start-up: the everyday commands (add included) load neither Pydantic nor Rich they do not use,
and the Pydantic-free checking of option values gives exactly what Typer's own gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from hazreg.cli.app import make_app


def _imports(args: list[str], db: Path) -> set[str]:
    env = {**os.environ, "HAZREG_DB": str(db)}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "hazreg", *args], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    from hazreg.demo import build_demo

    path = tmp_path / "demo.db"
    build_demo(path, "tester").store.close()
    return path


@pytest.mark.parametrize("args", [["list"], ["due"], ["show", "H5"], ["list", "--status", "open", "-n", "3"]])
def test_reading_commands_do_not_load_pydantic(demo, args):
    modules = _imports(args, demo)
    assert "hazreg.register" in modules and "hazreg.enums" in modules  # the command ran
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")}


@pytest.mark.parametrize("args", [
    ["add", "二楼仓库灭火器压力不足", "--unit", "U7", "--deadline", "+7d"],
    ["add", "液化气钢瓶未检验", "-u", "U7", "-d", "+20天", "--level", "重大", "--industry", "城镇燃气", "-o", "王建国"],
    ["add", "Fire exit blocked", "-u", "U7", "--level", "general", "--found", "昨天"],  # the deadline from config
])
def test_add_does_not_load_pydantic(demo, args):
    modules = _imports(args, demo)
    assert "hazreg.register.hazards" in modules  # the command ran (and exited 0: the hazard was added)
    assert not {m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")}


def test_listings_off_a_terminal_do_not_load_rich(demo):
    for args in (["list"], ["due"]):
        assert not {m for m in _imports(args, demo) if m.split(".")[0] == "rich"}


def _params():
    command = typer.main.get_command(make_app())
    found = []

    def walk(c, path):
        for p in c.params:
            found.append((f"{path} {p.name}".strip(), p))
        for name, sub in getattr(c, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(command, "")
    return found


VALUES = [None, "", "abc", "12", " 12", "12 ", "-3", "+3", "0012", "1_000", "１２", "9" * 25, "3.0", "true", "no",
          True, False, 0, 7, ("a", "b"), (), ["x"], ("1", "2"), Path("p")]


def test_plain_types_are_checked_without_pydantic_as_typer_checks_them():
    from typer._click import Context
    from typer._click.exceptions import BadParameter
    from typer._coercion import build_runtime_param

    from hazreg.cli.chrome import _Plain

    params = _params()
    plain = [(name, p) for name, p in params if isinstance(getattr(p, "_runtime_param", None), _Plain)]
    # Nearly every option is one of the plain types; Paths keep Typer's own checks.
    assert len(plain) > 0.8 * len(params)
    assert {p._runtime_param.kind for _, p in plain} == {"str", "bool", "int", "list"}
    command = typer.main.get_command(make_app())
    for name, param in plain:
        ctx = Context(command)
        typer_way = build_runtime_param(param.type_descriptor)
        for value in VALUES:
            try:
                expected: object = typer_way.coerce(value, param=param, ctx=ctx)
            except BadParameter as error:
                expected = ("error", error.format_message())
            try:
                got: object = param._runtime_param.coerce(value, param=param, ctx=ctx)
            except BadParameter as error:
                got = ("error", error.format_message())
            assert (got, type(got)) == (expected, type(expected)), (name, value)
