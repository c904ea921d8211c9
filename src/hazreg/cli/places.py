"""Locality and department commands (hazreg locality …, hazreg department …): the district's
managed lists of 属地 and 安委会成员单位."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from hazreg.cli.common import (
    check_format,
    format_option,
    note_empty,
    print_grid,
    register,
    say,
    split_list,
)
from hazreg.i18n import t

locality_app = typer.Typer(help=t("help.cmd.locality"), no_args_is_help=True)
department_app = typer.Typer(help=t("help.cmd.department"), no_args_is_help=True)

_LOCALITY_COLUMNS = ["name", "kind", "parent", "retired_on", "merged_into_name", "uid"]
_DEPARTMENT_COLUMNS = ["name", "industries", "retired_on", "uid"]


def _opt(*names: str, key: str, default: Any = None) -> Any:
    return typer.Option(default, *names, help=t(key))


def _rows(path: Path) -> list[dict[str, str]]:
    """A small CSV (or XLSX, JSON) as records keyed by its stripped headers."""
    from hazreg.sheets import open_sheet

    with open_sheet(path) as sheet:
        headers = [h.strip().lstrip("\ufeff") for h in sheet.headers]
        return [dict(zip(headers, [c.strip() for c in cells], strict=False)) for _, cells in sheet.rows]


def _show(rows: list[dict[str, Any]], columns: list[str], fmt: str) -> None:
    from hazreg.render.grid import label

    fmt = check_format(fmt)
    if fmt != "table":
        from hazreg.render.formats import write

        write(fmt, [{c: r.get(c) for c in columns} for r in rows], columns)
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import Grid

    shown = [c for c in columns if c != "uid"]
    grid = Grid([t("place." + c) for c in shown], ratios=dict.fromkeys(range(len(shown)), 1))
    for r in rows:
        cells = []
        for c in shown:
            value = r.get(c)
            if c == "kind":
                value = label("locality_kind", value)
            elif c == "industries":
                value = "、".join(label("industry", v) for v in value or [])
            cells.append(value or "")
        grid.rows.append(cells)
        grid.styles.append("void" if r.get("retired_on") else "")
    print_grid(grid)


# -- localities ----------------------------------------------------------------------------------


@locality_app.command("add", help=t("help.cmd.locality_add"))
def locality_add(
    name: str = typer.Argument(..., help=t("help.arg.locality")),
    kind: str | None = _opt("--kind", key="help.opt.locality_kind"),
    parent: str | None = _opt("--parent", key="help.opt.locality_parent"),
) -> None:
    item = register(write=True).places.add_locality(name, kind, parent)
    say(t("msg.locality_added", name=item["name"]))


@locality_app.command("list", help=t("help.cmd.locality_list"))
def locality_list(
    show_all: bool = _opt("--all", key="help.opt.with_retired", default=False),
    fmt: str = format_option(),
) -> None:
    _show(register().places.localities(retired=show_all), _LOCALITY_COLUMNS, fmt)


@locality_app.command("edit", help=t("help.cmd.locality_edit"))
def locality_edit(
    name: str = typer.Argument(..., help=t("help.arg.locality")),
    kind: str | None = _opt("--kind", key="help.opt.locality_kind"),
    parent: str | None = _opt("--parent", key="help.opt.locality_parent"),
) -> None:
    item = register(write=True).places.edit_locality(name, kind, parent)
    say(t("msg.locality_saved", name=item["name"]))


@locality_app.command("retire", help=t("help.cmd.locality_retire"))
def locality_retire(
    name: str = typer.Argument(..., help=t("help.arg.locality")),
    on: str | None = _opt("--on", key="help.opt.retired_on"),
) -> None:
    item = register(write=True).places.retire_locality(name, on)
    say(t("msg.retired", name=item["name"], on=item["retired_on"]))


@locality_app.command("merge", help=t("help.cmd.locality_merge"))
def locality_merge(
    name: str = typer.Argument(..., help=t("help.arg.locality")),
    into: str = _opt("--into", key="help.opt.merge_into", default=...),
) -> None:
    moved = register(write=True).places.merge(name, into)
    say(t("msg.merged", a=name.strip(), b=into.strip(), units=moved["unit"], hazards=moved["hazard"],
          people=moved["inspector"] + moved["leader"], campaigns=moved["campaign"], accidents=moved["accident"],
          cases=moved["case"], targets=moved["target"]))


@locality_app.command("duplicates", help=t("help.cmd.locality_duplicates"))
def locality_duplicates() -> None:
    pairs = register().places.near_duplicates()
    if not pairs:
        note_empty()
    for a, b in pairs:
        say(t("msg.near_duplicate", a=a, b=b))


@locality_app.command("import", help=t("help.cmd.locality_import"))
def locality_import(path: Path = typer.Argument(..., help=t("help.arg.file"))) -> None:
    added = register(write=True).places.import_localities(_rows(path))
    say(t("msg.list_imported", count=len(added)))


# -- departments ---------------------------------------------------------------------------------


@department_app.command("add", help=t("help.cmd.department_add"))
def department_add(
    name: str = typer.Argument(..., help=t("help.arg.department")),
    industries: list[str] | None = _opt("--industries", key="help.opt.department_industries"),
) -> None:
    item = register(write=True).places.add_department(name, split_list(industries))
    say(t("msg.department_added", name=item["name"]))


@department_app.command("list", help=t("help.cmd.department_list"))
def department_list(
    show_all: bool = _opt("--all", key="help.opt.with_retired", default=False),
    fmt: str = format_option(),
) -> None:
    _show(register().places.departments(retired=show_all), _DEPARTMENT_COLUMNS, fmt)


@department_app.command("edit", help=t("help.cmd.department_edit"))
def department_edit(
    name: str = typer.Argument(..., help=t("help.arg.department")),
    new_name: str | None = _opt("--name", key="help.opt.department_name"),
    industries: list[str] | None = _opt("--industries", key="help.opt.department_industries"),
) -> None:
    item = register(write=True).places.edit_department(
        name, new_name, split_list(industries) if industries is not None else None)
    say(t("msg.department_saved", name=item["name"]))


@department_app.command("retire", help=t("help.cmd.department_retire"))
def department_retire(
    name: str = typer.Argument(..., help=t("help.arg.department")),
    on: str | None = _opt("--on", key="help.opt.retired_on"),
) -> None:
    item = register(write=True).places.retire_department(name, on)
    say(t("msg.retired", name=item["name"], on=item["retired_on"]))


@department_app.command("import", help=t("help.cmd.department_import"))
def department_import(path: Path = typer.Argument(..., help=t("help.arg.file"))) -> None:
    added = register(write=True).places.import_departments(_rows(path))
    say(t("msg.list_imported", count=len(added)))


def install(app: typer.Typer) -> None:
    app.add_typer(locality_app, name="locality")
    app.add_typer(department_app, name="department")
