"""The README keeps its promises: every command and option documented, both set-up commands present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hazreg.cli.app import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(typer_app, prefix=""):
    for info in typer_app.registered_commands:
        yield prefix + info.name, info.callback
    for group in typer_app.registered_groups:
        yield from _commands(group.typer_instance, prefix + group.name + " ")


COMMANDS = list(_commands(app))


@pytest.mark.parametrize(("name", "callback"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_and_option_is_in_the_readme(name, callback):
    assert f"hazreg {name}" in README, f"README lacks an entry for hazreg {name}"
    import inspect

    for param in inspect.signature(callback).parameters.values():
        default = param.default
        for decl in getattr(default, "param_decls", ()) or ():
            if decl.startswith("--"):
                assert decl in README, f"README does not mention {decl} of hazreg {name}"


def test_quick_start_has_the_two_commands():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    assert any("hazreg demo" in b and "pip install" in b for b in blocks)
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    test_command = next(b.strip() for b in blocks if "pytest" in b and "pip install" in b)
    assert test_command in ci


def test_every_top_level_command_says_which_module_provides_it():
    from hazreg.cli.app import COMMANDS, command_of, make_app

    top = {info.name for info in app.registered_commands} | {g.name for g in app.registered_groups}
    assert top == set(COMMANDS)
    for command in COMMANDS:  # each command line loads a smaller app that still has its command
        light = make_app(command)
        names = {info.name for info in light.registered_commands} | {g.name for g in light.registered_groups}
        assert names == {command}  # and only it: Click's tree holds the one command run
    assert command_of(["--db", "x.db", "--lang", "zh", "list", "--all"]) == "list"
    assert command_of(["--version"]) is None
