"""Unit commands (hazreg unit …): the enterprises and sites of the district."""

from __future__ import annotations

from typing import Any

import typer

from hazreg.cli.common import (
    check_format,
    format_option,
    interactive,
    note_empty,
    note_more,
    print_grid,
    register,
    say,
    split_list,
)
from hazreg.enums import Industry
from hazreg.errors import InvalidInput, Refused
from hazreg.i18n import t

app = typer.Typer(help=t("help.cmd.unit"), no_args_is_help=True)


def _opt(*names: str, key: str) -> Any:
    return typer.Option(None, *names, help=t(key))


def _fields(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@app.command("add", help=t("help.cmd.unit_add"))
def add(
    name: str | None = typer.Argument(None, help=t("help.arg.unit_name"), show_default=False),
    industry: list[str] | None = _opt("--industry", key="help.opt.unit_industry"),
    locality: str | None = _opt("--locality", key="help.opt.locality"),
    code: str | None = _opt("--code", key="help.opt.code"),
    address: str | None = _opt("--address", key="help.opt.address"),
    contact: str | None = _opt("--contact", key="help.opt.contact"),
    phone: str | None = _opt("--phone", key="help.opt.phone"),
    risk: str | None = _opt("--risk", key="help.opt.risk"),
    force: bool = typer.Option(False, "--force", help=t("help.opt.force")),
) -> None:
    """Record a unit (生产经营单位)."""
    missing = [n for n, v in (("NAME", name), ("--industry", industry), ("--locality", locality)) if not v]
    if missing and not interactive():
        raise InvalidInput("err.missing_options", options=", ".join(missing))
    name = name or typer.prompt(t("prompt.unit_name"))
    industry = industry or [typer.prompt(t("prompt.industry", choices=Industry.choices()))]
    locality = locality or typer.prompt(t("prompt.locality"))
    reg = register(write=True)
    data = _fields(name=name, industry=industry, locality=locality, credit_code=code, address=address,
                   contact=contact, phone=phone, risk=risk)
    try:
        unit = reg.units.add(data, force=force)
    except Refused as refusal:
        if refusal.key != "err.unit_name_exists" or not interactive():
            raise
        # At a terminal the officer decides: a branch or a second site may share a name.
        say(t("msg.unit_name_exists", **refusal.params))
        if not typer.confirm(t("prompt.add_namesake"), default=False):
            say(t("msg.not_added"), err=True)
            raise typer.Exit(1) from None
        unit = reg.units.add(data, force=True)
    say(t("msg.unit_added", id=f"U{unit['id']}", name=unit["name"]))


@app.command("list", help=t("help.cmd.unit_list"))
def list_units(
    industry: list[str] | None = _opt("--industry", key="help.opt.industry_filter"),
    locality: list[str] | None = _opt("--locality", key="help.opt.locality_filter"),
    risk: list[str] | None = _opt("--risk", key="help.opt.risk_filter"),
    search: str | None = _opt("--search", "-s", key="help.opt.unit_search"),
    limit: int | None = _opt("--limit", "-n", key="help.opt.limit"),
    fmt: str = format_option(),
) -> None:
    """List units, highest risk first."""
    fmt = check_format(fmt)
    reg = register()
    query = reg.units.filter(split_list(industry), split_list(locality), split_list(risk), search)
    rows, total = reg.units.query(query, limit or None)
    if fmt != "table":
        from hazreg.render.formats import write
        from hazreg.render.records import UNIT_COLUMNS, unit_record

        write(fmt, [unit_record(r) for r in rows], UNIT_COLUMNS)
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import unit_grid

    print_grid(unit_grid(rows))
    note_more(len(rows), total)


@app.command("show", help=t("help.cmd.unit_show"))
def show(
    unit: str = typer.Argument(..., help=t("help.arg.unit")),
    fmt: str = format_option(),
) -> None:
    """Show a unit and the hazards still open there."""
    fmt = check_format(fmt)
    reg = register()
    row = reg.units.find(unit)
    hazards, total = reg.hazards.query(reg.hazards.filter(unit=f"U{row['id']}"))
    if fmt == "table":
        from hazreg.render.table import console, unit_view

        console().print(unit_view(row, hazards, total, reg.today()))
        from hazreg.cli.documents import print_documents

        print_documents(reg.documents.list(unit=f"U{row['id']}"))
        return
    from hazreg.render.formats import write, write_json
    from hazreg.render.records import UNIT_COLUMNS, hazard_record, unit_record

    record = unit_record(row)
    if fmt == "csv":
        write("csv", [record], UNIT_COLUMNS)
        return
    record["open_hazards"] = [hazard_record(h) for h in hazards]
    from hazreg.cli.documents import document_records

    record["documents"] = document_records(reg.documents.list(unit=f"U{row['id']}"))
    write_json(record) if fmt == "json" else write("jsonl", [record], UNIT_COLUMNS)


@app.command("edit", help=t("help.cmd.unit_edit"))
def edit(
    unit: str = typer.Argument(..., help=t("help.arg.unit")),
    name: str | None = _opt("--name", key="help.opt.unit_name"),
    code: str | None = _opt("--code", key="help.opt.code"),
    industry: list[str] | None = _opt("--industry", key="help.opt.unit_industry"),
    locality: str | None = _opt("--locality", key="help.opt.locality"),
    address: str | None = _opt("--address", key="help.opt.address"),
    contact: str | None = _opt("--contact", key="help.opt.contact"),
    phone: str | None = _opt("--phone", key="help.opt.phone"),
    risk: str | None = _opt("--risk", key="help.opt.risk"),
) -> None:
    """Correct a unit's fields; the change is kept in its history."""
    edit = register(write=True).units.correct(
        unit,
        _fields(name=name, credit_code=code, industry=industry, locality=locality, address=address,
                contact=contact, phone=phone, risk=risk),
    )
    row = edit.record
    if not edit.changed:
        say(t("msg.unchanged", id=f"U{row['id']}"))
        return
    say(t("msg.unit_saved", id=f"U{row['id']}", name=row["name"]))


def install(root: typer.Typer) -> None:
    root.add_typer(app, name="unit")
