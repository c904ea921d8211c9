"""The hazreg command line: global options, and every command group attached."""

from __future__ import annotations

import os

import typer

from hazreg import __version__
from hazreg.cli import campaigns, exports, hazards, imports, misc, units
from hazreg.cli.common import HazregGroup, begin
from hazreg.errors import InvalidInput
from hazreg.i18n import detect_lang, normalise_lang, set_lang, t

app = typer.Typer(
    cls=HazregGroup,
    help=t("help.app"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hazreg {__version__}")
        raise typer.Exit()


@app.callback()
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


hazards.install(app)
app.add_typer(units.app, name="unit")
app.add_typer(imports.app, name="import")
app.add_typer(exports.app, name="export")
campaigns.install(app)
misc.install(app)
