"""`hazreg export units|hazards|inspections|history|supervisions|…`: files for Excel, for the city, for cron."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from hazreg.cli.common import register, say, split_list
from hazreg.errors import InvalidInput
from hazreg.i18n import t

app = typer.Typer(help=t("help.cmd.export"), no_args_is_help=True)
EXPORT_FORMATS = ("csv", "xlsx", "json", "jsonl")


def _opt(*names: str, key: str, default: Any = None, **kw: Any) -> Any:
    return typer.Option(default, *names, help=t(key), **kw)


# The options every export shares (one Option object may serve several commands).
_FORMAT = _opt("--format", "-f", key="help.opt.export_format", default="csv")
_OUTPUT = _opt("--output", "-o", key="help.opt.output")
_BOM = _opt("--bom", key="help.opt.bom", default=False)
_WEEK = _opt("--week", key="help.opt.week")
_SINCE = _opt("--since", key="help.opt.changed_since")
_UNTIL = _opt("--until", key="help.opt.changed_until")


def _format(fmt: str, output: Path | None) -> str:
    value = fmt.strip().lower()
    if value not in EXPORT_FORMATS:
        raise InvalidInput("err.export_format", "format", value=fmt)
    if value == "xlsx" and output is None and sys.stdout.isatty():
        raise InvalidInput("err.xlsx_terminal", "output")
    return value


def _write(fmt: str, records: Any, columns: Any, output: Path | None, title: str, bom: bool) -> None:
    from hazreg.render.export import export

    count = export(fmt, records, columns, output, title, bom)
    if output is not None:
        say(t("msg.exported", count=count, path=str(output)), err=True)


def hazard_cells(reg: Any, query: Any) -> Any:
    """The CSV cells of the hazards `query` finds, formatted by the store's SQL under the
    CSV rules (hazreg.render.export): rows straight from the cursor, no Python per row."""
    from hazreg.register.lifecycle import PLAN_FIELDS
    from hazreg.render.export import csv_rules
    from hazreg.render.records import HAZARD_COLUMNS

    rules = csv_rules(HAZARD_COLUMNS, bools=("plan_complete", "overdue"))
    return reg.store.hazard_cells(query, reg.today(), HAZARD_COLUMNS, rules, PLAN_FIELDS)


def unit_cells(reg: Any, query: Any) -> Any:
    from hazreg.render.export import csv_rules
    from hazreg.render.records import UNIT_COLUMNS

    return reg.store.unit_cells(query, UNIT_COLUMNS, csv_rules(UNIT_COLUMNS))


def hazard_lines(reg: Any, query: Any) -> Any:
    """The hazards `query` finds as CSV lines made by the store (hazreg.storage.CsvLines), or None
    where the store cannot make them."""
    from hazreg.register.lifecycle import PLAN_FIELDS
    from hazreg.render.export import csv_rules
    from hazreg.render.records import HAZARD_COLUMNS

    rules = csv_rules(HAZARD_COLUMNS, bools=("plan_complete", "overdue"))
    return reg.store.hazard_lines(query, reg.today(), HAZARD_COLUMNS, rules, PLAN_FIELDS)


def unit_lines(reg: Any, query: Any) -> Any:
    from hazreg.render.export import csv_rules
    from hazreg.render.records import UNIT_COLUMNS

    return reg.store.unit_lines(query, UNIT_COLUMNS, csv_rules(UNIT_COLUMNS))


def history_lines(reg: Any, window: tuple[str, str] | None, operator: str | None) -> Any:
    """The history entries in `window` (by `operator`) as finished CSV lines made by the store
    (hazreg.storage.CsvLines), or None where the store cannot make them."""
    from hazreg.render.export import csv_rules
    from hazreg.render.records import HISTORY_COLUMNS, PREFIX

    since, until = window or (None, None)
    rules = csv_rules(HISTORY_COLUMNS, json_columns=("before", "after"))
    return reg.store.history_lines(since, until, operator, HISTORY_COLUMNS, rules, PREFIX)


def _write_cells(rows: Any, columns: Any, output: Path | None, bom: bool) -> None:
    from hazreg.render.export import export_cells

    count = export_cells(rows, columns, output, bom)
    if output is not None:
        say(t("msg.exported", count=count, path=str(output)), err=True)


def _write_lines(lines: Any, columns: Any, output: Path | None, bom: bool) -> None:
    from hazreg.render.export import export_lines

    count = export_lines(lines, columns, output, bom)
    if output is not None:
        say(t("msg.exported", count=count, path=str(output)), err=True)


@app.command("hazards", help=t("help.cmd.export_hazards"))
def hazards(
    fmt: str = _FORMAT,
    output: Path | None = _OUTPUT,
    bom: bool = _BOM,
    week: str | None = _WEEK,
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    status: list[str] | None = _opt("--status", key="help.opt.status"),
    overdue: bool = _opt("--overdue", key="help.opt.overdue", default=False),
    due_within: str | None = _opt("--due-within", key="help.opt.due_within"),
    level: list[str] | None = _opt("--level", "-l", key="help.opt.level_filter"),
    industry: list[str] | None = _opt("--industry", key="help.opt.industry_filter"),
    locality: list[str] | None = _opt("--locality", key="help.opt.locality_filter"),
    unit: str | None = _opt("--unit", "-u", key="help.opt.unit_filter"),
    owner: str | None = _opt("--owner", key="help.opt.owner_filter"),
    found_since: str | None = _opt("--found-since", key="help.opt.found_since"),
    found_until: str | None = _opt("--found-until", key="help.opt.found_until"),
    search: str | None = _opt("--search", "-s", key="help.opt.search"),
) -> None:
    """Export hazards (all statuses unless --status says otherwise)."""
    from hazreg.render.records import HAZARD_COLUMNS, hazard_record

    fmt = _format(fmt, output)
    reg = register()
    query = reg.hazards.filter(
        statuses=split_list(status), include_all=True, overdue=overdue, due_within=due_within,
        levels=split_list(level), industries=split_list(industry), localities=split_list(locality),
        unit=unit, owner=owner, found_since=found_since, found_until=found_until, search=search,
        changed_between=reg.window(week, since, until),
    )
    if fmt == "csv" and hasattr(reg.store, "hazard_lines"):  # lines made by the engine
        lines = hazard_lines(reg, query)
        if lines is not None:
            _write_lines(lines, HAZARD_COLUMNS, output, bom)
            return
    if fmt == "csv" and hasattr(reg.store, "hazard_cells"):  # cells made by the engine
        _write_cells(hazard_cells(reg, query), HAZARD_COLUMNS, output, bom)
        return
    records = (hazard_record(r) for r in reg.hazards.iter(query))
    _write(fmt, records, HAZARD_COLUMNS, output, t("kind.hazards"), bom)


@app.command("units", help=t("help.cmd.export_units"))
def units(
    fmt: str = _FORMAT,
    output: Path | None = _OUTPUT,
    bom: bool = _BOM,
    week: str | None = _WEEK,
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    industry: list[str] | None = _opt("--industry", key="help.opt.industry_filter"),
    locality: list[str] | None = _opt("--locality", key="help.opt.locality_filter"),
    risk: list[str] | None = _opt("--risk", key="help.opt.risk_filter"),
    search: str | None = _opt("--search", "-s", key="help.opt.unit_search"),
) -> None:
    """Export units."""
    from hazreg.render.records import UNIT_COLUMNS, unit_record

    fmt = _format(fmt, output)
    reg = register()
    query = reg.units.filter(
        split_list(industry), split_list(locality), split_list(risk), search, reg.window(week, since, until)
    )
    if fmt == "csv" and hasattr(reg.store, "unit_lines"):  # lines made by the engine
        lines = unit_lines(reg, query)
        if lines is not None:
            _write_lines(lines, UNIT_COLUMNS, output, bom)
            return
    if fmt == "csv" and hasattr(reg.store, "unit_cells"):  # cells made by the engine
        _write_cells(unit_cells(reg, query), UNIT_COLUMNS, output, bom)
        return
    records = (unit_record(r) for r in reg.units.iter(query))
    _write(fmt, records, UNIT_COLUMNS, output, t("kind.units"), bom)


@app.command("inspections", help=t("help.cmd.export_inspections"))
def inspections(
    fmt: str = _FORMAT,
    output: Path | None = _OUTPUT,
    bom: bool = _BOM,
    week: str | None = _WEEK,
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    unit: str | None = _opt("--unit", "-u", key="help.opt.unit_filter"),
    campaign: str | None = _opt("--campaign", key="help.opt.campaign"),
    draw: str | None = _opt("--draw", key="help.opt.draw"),
    leader: str | None = _opt("--leader", key="help.opt.leader_filter"),
    mode: list[str] | None = _opt("--mode", key="help.opt.mode"),
    industry: list[str] | None = _opt("--industry", key="help.opt.industry_filter"),
    locality: list[str] | None = _opt("--locality", key="help.opt.locality_filter"),
) -> None:
    """Export inspections."""
    from hazreg.render.records import INSPECTION_COLUMNS, inspection_record

    fmt = _format(fmt, output)
    reg = register()
    query = reg.campaigns.inspection_filter(
        unit, None, None, campaign, draw, leader, split_list(mode), split_list(industry), split_list(locality),
        reg.window(week, since, until),
    )
    records = (inspection_record(r) for r in reg.store.iter_inspections(query))
    _write(fmt, records, INSPECTION_COLUMNS, output, t("kind.inspections"), bom)


@app.command("history", help=t("help.cmd.export_history"))
def history(
    fmt: str = _FORMAT,
    output: Path | None = _OUTPUT,
    bom: bool = _BOM,
    week: str | None = _WEEK,
    since: str | None = _opt("--since", key="help.opt.since"),
    until: str | None = _opt("--until", key="help.opt.until"),
    operator: str | None = _opt("--by", key="help.opt.history_by"),
) -> None:
    """Export the history of changes."""
    from hazreg.render.records import HISTORY_COLUMNS, history_record

    fmt = _format(fmt, output)
    reg = register()
    window = reg.window(week, since, until)
    if fmt == "csv" and hasattr(reg.store, "history_lines"):  # lines made by the engine
        lines = history_lines(reg, window, operator)
        if lines is not None:
            _write_lines(lines, HISTORY_COLUMNS, output, bom)
            return
    records = (history_record(e) for e in reg.iter_history(window, operator))
    _write(fmt, records, HISTORY_COLUMNS, output, t("kind.history"), bom)


def _evidence_command(kind: str, name: str | None = None) -> None:
    """`export supervisions`, `export extensions`, …: every record of that kind, with its hazard's ids
    (`name`: the command's, when it is not the kind's: `export steps`)."""

    def command(fmt: str = _FORMAT, output: Path | None = _OUTPUT, bom: bool = _BOM) -> None:
        from hazreg.columns import EVIDENCE_FIELDS
        from hazreg.render.records import evidence_record

        fmt = _format(fmt, output)
        reg = register()
        records = (evidence_record(kind, r) for r in reg.store.iter_evidence(kind))
        _write(fmt, records, EVIDENCE_FIELDS[kind], output, t(f"kind.{kind}"), bom)

    command.__doc__ = t(f"help.cmd.export_{name or kind}")
    app.command(name or kind, help=t(f"help.cmd.export_{name or kind}"))(command)


for _kind in ("supervisions", "extensions", "attachments", "escalations", "actions"):
    _evidence_command(_kind)
_evidence_command("supervision_steps", "steps")


def install(root: typer.Typer) -> None:
    root.add_typer(app, name="export")
