"""The hazreg command line: global options, and every command group attached."""

from __future__ import annotations

import os
from importlib import import_module

import typer

from hazreg import __version__
from hazreg.cli.common import GLOBAL_WITH_VALUE, HazregGroup, begin
from hazreg.errors import InvalidInput
from hazreg.i18n import detect_lang, normalise_lang, set_lang, t

# The module that provides each top-level command. A command line loads only its own:
# importing and building every command group would cost `hazreg add` a tenth of its time.
COMMANDS = {
    **dict.fromkeys(("add", "list", "show", "edit", "plan", "start", "done", "verify", "void"), "hazards"),
    **dict.fromkeys(("history", "info", "config", "demo"), "misc"),
    "unit": "units",
    "import": "imports",
    "export": "exports",
    **dict.fromkeys(("inspect", "campaign", "leader", "inspector", "draw", "report"), "campaigns"),
    **dict.fromkeys(
        ("supervise", "apply", "accept", "delist", "extend", "escalations", "escalate", "due", "action", "attach", "attachment"),
        "supervision",
    ),
    **dict.fromkeys(("check", "backup", "restore"), "integrity"),
    **dict.fromkeys(("copy", "db"), "registers"),
    "calendar": "calendars",
    "completion": "completion",
    **dict.fromkeys(("locality", "department"), "places"),
    "doc": "documents",
    **dict.fromkeys(("accident", "target"), "accidents"),
    "focus": "focus",
    "case": "cases",
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hazreg {__version__}")
        raise typer.Exit()


def root(
    db: str | None = typer.Option(None, "--db", help=t("help.opt.db"), metavar="PATH"),
    lang: str | None = typer.Option(None, "--lang", help=t("help.opt.lang"), metavar="en|zh"),
    operator: str | None = typer.Option(None, "--operator", help=t("help.opt.operator")),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help=t("help.opt.version")),
) -> None:
    if lang is not None and normalise_lang(lang) is None:
        raise InvalidInput("err.choice", "lang", value=lang, allowed="en, zh")
    set_lang(normalise_lang(lang) or detect_lang((), os.environ))
    begin(db, operator)


def command_of(argv: list[str]) -> str | None:
    """The command a command line runs (the first word that is not a global option)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in GLOBAL_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def make_app(command: str | None = None) -> typer.Typer:
    """The hazreg app with the groups `command` needs, or every group (help, tests, typos)."""
    app = typer.Typer(
        cls=HazregGroup,
        help=t("help.app"),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    wanted = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in wanted:
        import_module(f"hazreg.cli.{name}").install(app)
    if command in COMMANDS:
        # Only the command run goes into Click's tree: Typer reads every registered function's
        # signature and builds its options, a few ms a command, and a group holds up to a dozen.
        app.registered_commands = [c for c in app.registered_commands if c.name == command]
        app.registered_groups = [g for g in app.registered_groups if g.name == command]
    return app


_whole: list[typer.Typer] = []


def __getattr__(name: str) -> typer.Typer:
    # `from hazreg.cli.app import app`: the whole app, built on first use (tests, docs).
    if name == "app":
        if not _whole:
            _whole.append(make_app())
        return _whole[0]
    raise AttributeError(name)
