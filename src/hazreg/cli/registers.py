"""Whole registers: `hazreg copy SRC DEST` and `hazreg db init`."""

from __future__ import annotations

import typer

from hazreg.cli.common import say
from hazreg.i18n import t

db_app = typer.Typer(help=t("help.cmd.db"), no_args_is_help=True)


def copy(
    source: str = typer.Argument(..., help=t("help.arg.copy_source"), metavar="SRC"),
    dest: str = typer.Argument(..., help=t("help.arg.copy_dest"), metavar="DEST"),
) -> None:
    """Copy a whole register to another address (file or server): history, chain, ids, files."""
    from hazreg.register.access import shown_address
    from hazreg.register.copying import copy_register

    result = copy_register(source, dest)
    counts = result["counts"]
    say(t("msg.copied", source=shown_address(source), dest=shown_address(dest), units=counts["units"],
          hazards=counts["hazards"], entries=result["entries"], head=result["head"]))


@db_app.command("init", help=t("help.cmd.db_init"))
def init() -> None:
    from hazreg.cli.common import address
    from hazreg.register.access import init_database, shown_address

    where = address()
    created, version = init_database(where)
    say(t("msg.db_created" if created else "msg.db_ready", path=shown_address(where), version=version))


def install(root: typer.Typer) -> None:
    root.command("copy", help=t("help.cmd.copy"))(copy)
    root.add_typer(db_app, name="db")
