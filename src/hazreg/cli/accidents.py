"""`hazreg accident add|list|show|edit`, `hazreg target set|list` and the accident report
(`hazreg report accidents`, attached with the other reports in cli/campaigns.py)."""

from __future__ import annotations

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

accident_app = typer.Typer(help=t("help.cmd.accident"), no_args_is_help=True)
target_app = typer.Typer(help=t("help.cmd.target"), no_args_is_help=True)


def _opt(*names: str, key: str, default: Any = None) -> Any:
    return typer.Option(default, *names, help=t(key))


def _fields(**given: Any) -> dict[str, Any]:
    return dict(given)


def _one_line(row: dict[str, Any]) -> str:
    from hazreg.render.grid import label

    return t("msg.accident_recorded", id=f"E{row['id']}", grade=label("accident_grade", row["grade"]))


@accident_app.command("add", help=t("help.cmd.accident_add"))
def add(
    on: str | None = _opt("--on", key="help.opt.accident_on"),
    unit: str | None = _opt("--unit", key="help.opt.accident_unit"),
    party: str | None = _opt("--party", key="help.opt.accident_party"),
    locality: str | None = _opt("--locality", key="help.opt.accident_locality"),
    industry: str | None = _opt("--industry", key="help.opt.accident_industry"),
    kind: str | None = _opt("--type", key="help.opt.accident_type"),
    deaths: str | None = _opt("--deaths", key="help.opt.accident_deaths"),
    serious: str | None = _opt("--serious", key="help.opt.accident_serious"),
    injuries: str | None = _opt("--injuries", key="help.opt.accident_injuries"),
    loss: str | None = _opt("--loss", key="help.opt.accident_loss"),
    investigation: str | None = _opt("--investigation", key="help.opt.accident_investigation"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    row = register(write=True).accidents.add(_fields(
        occurred=on, unit=unit, party=party, locality=locality, industry=industry, type=kind, deaths=deaths,
        serious_injuries=serious, injuries=injuries, loss=loss, investigation=investigation, note=note))
    say(_one_line(row))


@accident_app.command("edit", help=t("help.cmd.accident_edit"))
def edit(
    accident: str = typer.Argument(..., help=t("help.arg.accident")),
    on: str | None = _opt("--on", key="help.opt.accident_on"),
    unit: str | None = _opt("--unit", key="help.opt.accident_unit"),
    party: str | None = _opt("--party", key="help.opt.accident_party"),
    locality: str | None = _opt("--locality", key="help.opt.accident_locality"),
    industry: str | None = _opt("--industry", key="help.opt.accident_industry"),
    kind: str | None = _opt("--type", key="help.opt.accident_type"),
    deaths: str | None = _opt("--deaths", key="help.opt.accident_deaths"),
    serious: str | None = _opt("--serious", key="help.opt.accident_serious"),
    injuries: str | None = _opt("--injuries", key="help.opt.accident_injuries"),
    loss: str | None = _opt("--loss", key="help.opt.accident_loss"),
    investigation: str | None = _opt("--investigation", key="help.opt.accident_investigation"),
    note: str | None = _opt("--note", key="help.opt.note"),
    case: str | None = _opt("--case", key="help.opt.accident_case"),
) -> None:
    row, changed = register(write=True).accidents.edit(accident, _fields(
        occurred=on, unit=unit, party=party, locality=locality, industry=industry, type=kind, deaths=deaths,
        serious_injuries=serious, injuries=injuries, loss=loss, investigation=investigation, note=note, case=case))
    if not changed:
        say(t("msg.unchanged", id=f"E{row['id']}"))
        return
    from hazreg.render.grid import label

    fields = ", ".join(t("field." + ("direct_loss" if f == "direct_loss_fen" else "accident_type" if f == "type"
                                     else "occurred" if f.startswith("occurred") else "case" if f == "case_id"
                                     else f), default=f)
                       for f in changed if f != "occurred_on")
    say(t("msg.accident_changed", id=f"E{row['id']}", fields=fields, grade=label("accident_grade", row["grade"])))


def _table(rows: list[dict[str, Any]]) -> None:
    from hazreg.render.grid import Grid, label

    columns = ["id", "occurred_at", "party", "locality", "industry", "type", "deaths", "serious_injuries",
               "injuries", "direct_loss_wan", "grade", "investigation"]
    grid = Grid([t("accident." + c) for c in columns])
    for r in rows:
        cells = []
        for c in columns:
            value = r.get(c)
            if c == "party":
                value = r.get("unit") or r.get("party")
            elif c in ("industry", "type", "grade", "investigation"):
                value = label({"type": "accident_type", "grade": "accident_grade"}.get(c, c), value)
            cells.append("" if value is None else str(value))
        grid.rows.append(cells)
        grid.styles.append("")
    print_grid(grid)


@accident_app.command("list", help=t("help.cmd.accident_list"))
def list_accidents(
    year: int | None = _opt("--year", key="help.opt.accident_year"),
    locality: list[str] | None = _opt("--locality", key="help.opt.accident_locality"),
    industry: list[str] | None = _opt("--industry", key="help.opt.accident_industry"),
    fmt: str = format_option(),
) -> None:
    from hazreg.register.accidents import ACCIDENT_COLUMNS, accident_record

    fmt = check_format(fmt)
    rows = [accident_record(r) for r in register().accidents.list(year, split_list(locality), split_list(industry))]
    if fmt != "table":
        from hazreg.render.formats import write

        write(fmt, rows, ACCIDENT_COLUMNS)
    elif not rows:
        note_empty()
    else:
        _table(rows)


@accident_app.command("show", help=t("help.cmd.accident_show"))
def show(accident: str = typer.Argument(..., help=t("help.arg.accident")), fmt: str = format_option()) -> None:
    from hazreg.register.accidents import ACCIDENT_COLUMNS, accident_record
    from hazreg.render.grid import label

    fmt = check_format(fmt)
    record = accident_record(register().accidents.find(accident))
    if fmt != "table":
        from hazreg.render.formats import write, write_json

        write_json(record) if fmt == "json" else write(fmt, [record], ACCIDENT_COLUMNS)
        return
    for c in ACCIDENT_COLUMNS:
        value = record[c]
        if c in ("industry", "type", "grade", "investigation"):
            value = label({"type": "accident_type", "grade": "accident_grade"}.get(c, c), value)
        if value not in (None, ""):
            say(f"{t('accident.' + c)}: {value}")


# -- control indicators --------------------------------------------------------------------------


@target_app.command("set", help=t("help.cmd.target_set"))
def target_set(
    year: str = typer.Argument(..., help=t("help.arg.target_year")),
    deaths: str | None = _opt("--deaths", key="help.opt.target_deaths"),
    accidents: str | None = _opt("--accidents", key="help.opt.target_accidents"),
    locality: str | None = _opt("--locality", key="help.opt.target_locality"),
    industry: str | None = _opt("--industry", key="help.opt.target_industry"),
) -> None:
    row = register(write=True).accidents.set_target(year, deaths, accidents, locality, industry)
    say(t("msg.target_set", year=row["year"], scope=_scope_text(row["scope"], row["name"]),
          deaths="—" if row["deaths"] is None else row["deaths"],
          accidents="—" if row["accidents"] is None else row["accidents"]))


def _scope_text(scope: str, name: str) -> str:
    from hazreg.render.grid import label

    if scope == "district":
        return t("accident.district")
    return label("industry", name) if scope == "industry" else name


@target_app.command("list", help=t("help.cmd.target_list"))
def target_list(year: int | None = _opt("--year", key="help.opt.accident_year"), fmt: str = format_option()) -> None:
    fmt = check_format(fmt)
    rows = register().accidents.targets(year)
    if fmt != "table":
        from hazreg.render.formats import write

        write(fmt, rows, ["year", "scope", "name", "deaths", "accidents"])
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import Grid

    grid = Grid([t("accident.year"), t("accident.scope"), t("accident.deaths"), t("accident.accidents")])
    for r in rows:
        grid.rows.append([str(r["year"]), _scope_text(r["scope"], r["name"]),
                          "" if r["deaths"] is None else str(r["deaths"]),
                          "" if r["accidents"] is None else str(r["accidents"])])
        grid.styles.append("")
    print_grid(grid)


# -- the report ----------------------------------------------------------------------------------

REPORT_COLUMNS = ["by", "name", "accidents", "accidents_last", "accidents_yoy", "accidents_target",
                  "accidents_pro_rata", "deaths", "deaths_last", "deaths_yoy", "deaths_target", "deaths_pro_rata",
                  "flags"]


def show_report(year: int | None, fmt: str) -> None:
    """The accident report in a table, JSON or a flat CSV (one row per total, locality, industry)."""
    fmt = check_format(fmt)
    data = register().accidents.report(year)
    if fmt == "json":
        from hazreg.render.formats import write_json

        write_json(data)
        return
    if fmt != "table":
        from hazreg.render.formats import write

        rows = [{"by": "total", **data["total"]}]
        rows += [{"by": "locality", **r} for r in data["by_locality"]]
        rows += [{"by": "industry", **r} for r in data["by_industry"]]
        write(fmt, [{**r, "flags": ";".join(r["flags"])} for r in rows], REPORT_COLUMNS)
        return
    from hazreg.render.grid import Grid, label

    say(t("msg.accident_report_head", year=data["year"], through=data["through"], days=data["days"],
          days_in_year=data["days_in_year"], last_year=data["year"] - 1))
    headers = [t("accident.name"), t("accident.accidents"), t("accident.same_period"), t("accident.yoy"),
               t("accident.target"), t("accident.pro_rata"), t("accident.deaths"), t("accident.same_period"),
               t("accident.yoy"), t("accident.target"), t("accident.pro_rata"), t("accident.flags")]

    def cells(name: str, r: dict[str, Any]) -> list[str]:
        out = [name]
        for kind in ("accidents", "deaths"):
            yoy = r[f"{kind}_yoy"]
            out += [str(r[kind]), str(r[f"{kind}_last"]), "—" if yoy is None else f"{yoy}%",
                    "" if r[f"{kind}_target"] is None else str(r[f"{kind}_target"]), r[f"{kind}_pro_rata"] or ""]
        out.append("；".join(t("accident.flag." + f) for f in r["flags"]))
        return out

    for title, rows, field in ((t("accident.by_locality"), data["by_locality"], "locality"),
                               (t("accident.by_industry"), data["by_industry"], "industry")):
        say("")
        say(title)
        grid = Grid(headers)
        grid.rows.append(cells(t("accident.total"), data["total"]))
        grid.styles.append("")
        for r in rows:
            name = r["name"] or t("accident.no_locality")
            grid.rows.append(cells(label(field, name) if field == "industry" and r["name"] else name, r))
            grid.styles.append("overdue" if r["flags"] else "")
        print_grid(grid)


def install(app: typer.Typer) -> None:
    app.add_typer(accident_app, name="accident")
    app.add_typer(target_app, name="target")
