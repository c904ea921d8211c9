"""`hazreg calendar import|show`: the official working-day calendar of a year the package does not know yet."""

from __future__ import annotations

from pathlib import Path

import typer

from hazreg.cli.common import check_format, format_option, register, say
from hazreg.i18n import t

app = typer.Typer(help=t("help.cmd.calendar"), no_args_is_help=True)


@app.command("import", help=t("help.cmd.calendar_import"))
def import_calendar(file: Path = typer.Argument(..., help=t("help.arg.calendar_file"))) -> None:
    """Add (or replace) a year of the register's calendar from the State Council's notice."""
    done = register(write=True).calendar.import_file(file)
    key = "msg.calendar_replaced" if done["replaced"] else "msg.calendar_imported"
    say(t(key, year=done["year"], holidays=done["holidays"], workdays=done["workdays"], notice="、".join(done["notices"])))


@app.command("show", help=t("help.cmd.calendar_show"))
def show(
    year: int = typer.Argument(..., help=t("help.arg.calendar_year")),
    fmt: str = format_option(),
) -> None:
    """A year's holidays and adjusted working days, and where they come from."""
    fmt = check_format(fmt)
    data = register().calendar.show(year)
    if fmt != "table":
        from hazreg.render.formats import write, write_json

        if fmt == "json":
            write_json(data)
        else:
            write(fmt, [{"year": year, "source": data["source"], **d} for d in data["days"]],
                  ["year", "source", "day", "kind", "name"])
        return
    if data["source"] == "register":
        say(t("msg.calendar_source_register", year=year, notice="、".join(data["notices"])))
    elif data["source"] == "package":
        say(t("msg.calendar_source_package", year=year))
    else:
        say(t("msg.calendar_source_none", year=year, first=data["first"], last=data["last"]))
        return
    for day in data["days"]:
        say(f"{day['day']}  {t('calendar.' + day['kind'])}  {day['name'] or ''}".rstrip())


def install(root: typer.Typer) -> None:
    root.add_typer(app, name="calendar")
