"""Hazard commands: add, list, show, edit, plan and the lifecycle moves."""

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
from hazreg.enums import Level
from hazreg.errors import InvalidInput
from hazreg.i18n import t

DEFAULT_TABLE_LIMIT = 50


def _opt(*names: str, key: str) -> Any:
    return typer.Option(None, *names, help=t(key))


def _say(key: str, **params: Any) -> None:
    say(t(key, **params))


def _print(renderable: Any) -> None:
    from hazreg.render.table import console

    console().print(renderable)


def add(
    description: str | None = typer.Argument(None, help=t("help.arg.description"), show_default=False),
    unit: str | None = _opt("--unit", "-u", key="help.opt.unit"),
    level: str | None = _opt("--level", "-l", key="help.opt.level"),
    found: str | None = _opt("--found", key="help.opt.found"),
    deadline: str | None = _opt("--deadline", "-d", key="help.opt.deadline"),
    owner: str | None = _opt("--owner", "-o", key="help.opt.owner"),
    source: str | None = _opt("--source", key="help.opt.source"),
    found_by: str | None = _opt("--found-by", key="help.opt.found_by"),
    basis: str | None = _opt("--basis", key="help.opt.basis"),
    industry: str | None = _opt("--industry", key="help.opt.industry_default"),
    locality: str | None = _opt("--locality", key="help.opt.locality_default"),
    inspection: str | None = _opt("--inspection", key="help.opt.inspection"),
    fmt: str = typer.Option("id", "--format", "-f", help=t("help.opt.format_add")),
) -> None:
    """Record a hazard found in a unit."""
    missing = [name for name, value in (("DESCRIPTION", description), ("--unit", unit or inspection)) if not value]
    if missing and not interactive():
        raise InvalidInput("err.missing_options", options=", ".join(missing))
    reg = register(write=True)
    if not description:
        description = typer.prompt(t("prompt.description"))
    if missing and unit:
        unit = _ask_unit(reg, unit)
    if not unit and not inspection:
        unit = _ask_unit(reg, typer.prompt(t("prompt.unit")))
    if level is None and interactive() and missing:
        level = typer.prompt(t("prompt.level", choices=Level.choices()), default=Level.GENERAL.value)
    if deadline is None and level is not None and interactive() and missing and Level.parse(level, "level") == Level.MAJOR:
        deadline = typer.prompt(t("prompt.deadline"))  # a major hazard needs its own (治理时限)
    hazard = reg.hazards.add(
        {
            "unit": unit, "description": description, "level": level, "found_on": found,
            "deadline": deadline, "owner": owner, "source": source, "found_by": found_by,
            "basis": basis, "industry": industry, "locality": locality, "inspection": inspection,
        }
    )
    _show_saved(reg, hazard, fmt, "msg.added")


def _ask_unit(reg: Any, answer: str) -> str:
    """While asking at a terminal: a unit that is ambiguous or unknown is asked for again,
    instead of failing and losing what was already typed."""
    from hazreg.errors import NotFound

    while True:
        try:
            return f"U{reg.units.find(answer)['id']}"
        except (InvalidInput, NotFound) as error:
            say(f"{t('error')}: {error.message()}", err=True)
            answer = typer.prompt(t("prompt.unit"))


def _show_saved(reg: Any, hazard: dict[str, Any], fmt: str, key: str) -> None:
    """After a change: the id line people read, or the record scripts parse."""
    if fmt in ("json", "jsonl"):
        from hazreg.render.formats import write_json, write_jsonl
        from hazreg.render.records import hazard_record

        record = hazard_record(hazard)
        write_json(record) if fmt == "json" else write_jsonl([record])
        return
    from hazreg.render.records import hazard_flags

    flags = hazard_flags(hazard, reg.today())
    _say(key, id=f"H{hazard['id']}", description=hazard["description"], unit=hazard["unit_name"])
    if flags:
        _say("msg.flags", flags=flags)


def list_hazards(
    status: list[str] | None = _opt("--status", key="help.opt.status"),
    all_: bool = typer.Option(False, "--all", "-a", help=t("help.opt.all")),
    overdue: bool = typer.Option(False, "--overdue", help=t("help.opt.overdue")),
    due_within: str | None = _opt("--due-within", key="help.opt.due_within"),
    level: list[str] | None = _opt("--level", "-l", key="help.opt.level_filter"),
    industry: list[str] | None = _opt("--industry", key="help.opt.industry_filter"),
    locality: list[str] | None = _opt("--locality", key="help.opt.locality_filter"),
    unit: str | None = _opt("--unit", "-u", key="help.opt.unit_filter"),
    owner: str | None = _opt("--owner", "-o", key="help.opt.owner_filter"),
    found_since: str | None = _opt("--found-since", key="help.opt.found_since"),
    found_until: str | None = _opt("--found-until", key="help.opt.found_until"),
    search: str | None = _opt("--search", "-s", key="help.opt.search"),
    supervised: bool = typer.Option(False, "--supervised", help=t("help.opt.supervised")),
    limit: int | None = _opt("--limit", "-n", key="help.opt.limit"),
    fmt: str = format_option(),
) -> None:
    """List hazards: by default those still to deal with, most urgent first."""
    fmt = check_format(fmt)
    reg = register()
    query = reg.hazards.filter(
        statuses=split_list(status), include_all=all_, overdue=overdue, due_within=due_within,
        levels=split_list(level), industries=split_list(industry), localities=split_list(locality),
        unit=unit, owner=owner, found_since=found_since, found_until=found_until, search=search,
        supervised=supervised,
    )
    if limit is None and fmt == "table":
        limit = DEFAULT_TABLE_LIMIT
    rows, total = reg.hazards.query(query, limit=limit or None)
    if supervised:  # with their listing: body, level, notice number, supervision deadline (督办逾期)
        rows = reg.supervision.decorate(rows)
    if fmt != "table":
        from hazreg.render.formats import write
        from hazreg.render.records import (
            HAZARD_COLUMNS,
            SUPERVISION_COLUMNS,
            hazard_record,
            supervised_record,
        )

        if supervised:
            write(fmt, [supervised_record(r) for r in rows], [*HAZARD_COLUMNS, *SUPERVISION_COLUMNS])
        else:
            write(fmt, [hazard_record(r) for r in rows], HAZARD_COLUMNS)
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import hazard_grid, supervised_grid

    print_grid(supervised_grid(rows, reg.today()) if supervised else hazard_grid(rows, reg.today()))
    note_more(len(rows), total)
    if supervised:
        say(t("msg.supervision_overdue_count", count=sum(bool(r["supervision_overdue"]) for r in rows)), err=True)


def show(
    hazard: str = typer.Argument(..., help=t("help.arg.hazard")),
    fmt: str = format_option(),
) -> None:
    """Show a hazard: the whole record, its plan (五落实) and its history."""
    fmt = check_format(fmt)
    reg = register()
    row = reg.supervision.decorate([reg.hazards.get(hazard)])[0]
    history = reg.history(f"H{row['id']}")
    evidence = reg.supervision.evidence(row["id"])
    if fmt == "table":
        from hazreg.render.table import hazard_view

        _print(hazard_view(row, history, reg.today(), reg.timezone, evidence))
        from hazreg.cli.documents import print_documents

        print_documents(reg.documents.list(hazard=f"H{row['id']}"))
        return
    from hazreg.render.formats import write, write_json
    from hazreg.render.records import (
        HAZARD_COLUMNS,
        evidence_records,
        hazard_record,
        history_record,
    )

    record = hazard_record(row)
    if row.get("supervised_by"):
        from hazreg.render.records import SUPERVISION_COLUMNS

        record.update({k: row.get(k) for k in SUPERVISION_COLUMNS})
    if fmt == "csv":
        write("csv", [record], HAZARD_COLUMNS)
        return
    record["history"] = [history_record(e) for e in history]
    record.update(evidence_records(evidence))
    from hazreg.cli.documents import document_records

    record["documents"] = document_records(reg.documents.list(hazard=f"H{row['id']}"))
    write_json(record) if fmt == "json" else write("jsonl", [record], HAZARD_COLUMNS)


def edit(
    hazard: str = typer.Argument(..., help=t("help.arg.hazard")),
    description: str | None = _opt("--description", key="help.opt.description"),
    unit: str | None = _opt("--unit", "-u", key="help.opt.unit"),
    level: str | None = _opt("--level", "-l", key="help.opt.level"),
    found: str | None = _opt("--found", key="help.opt.found"),
    deadline: str | None = _opt("--deadline", "-d", key="help.opt.deadline"),
    owner: str | None = _opt("--owner", "-o", key="help.opt.owner"),
    source: str | None = _opt("--source", key="help.opt.source"),
    found_by: str | None = _opt("--found-by", key="help.opt.found_by"),
    basis: str | None = _opt("--basis", key="help.opt.basis"),
    industry: str | None = _opt("--industry", key="help.opt.industry"),
    locality: str | None = _opt("--locality", key="help.opt.locality"),
    measures: str | None = _opt("--measures", key="help.opt.measures"),
    funds: str | None = _opt("--funds", key="help.opt.funds"),
    contingency: str | None = _opt("--contingency", key="help.opt.contingency"),
    fmt: str = typer.Option("id", "--format", "-f", help=t("help.opt.format_add")),
) -> None:
    """Correct a hazard's fields; the correction is kept in its history."""
    reg = register(write=True)
    edit = reg.hazards.correct(
        hazard,
        {
            "description": description, "unit": unit, "level": level, "found_on": found,
            "deadline": deadline, "owner": owner, "source": source, "found_by": found_by,
            "basis": basis, "industry": industry, "locality": locality, "measures": measures,
            "funds": funds, "contingency": contingency,
        },
    )
    if not edit.changed and fmt not in ("json", "jsonl"):
        _say("msg.unchanged", id=f"H{edit.record['id']}")
        return
    _show_saved(reg, edit.record, fmt, "msg.saved")


def plan(
    hazard: str = typer.Argument(..., help=t("help.arg.hazard")),
    owner: str | None = _opt("--owner", "-o", key="help.opt.owner"),
    measures: str | None = _opt("--measures", key="help.opt.measures"),
    funds: str | None = _opt("--funds", key="help.opt.funds"),
    deadline: str | None = _opt("--deadline", "-d", key="help.opt.deadline"),
    contingency: str | None = _opt("--contingency", key="help.opt.contingency"),
) -> None:
    """Record the five guarantees (五落实): owner, measures, funds, deadline, contingency plan."""
    from hazreg.register.lifecycle import missing_plan

    reg = register(write=True)
    row = reg.hazards.plan(
        hazard,
        {"owner": owner, "measures": measures, "funds": funds, "deadline": deadline, "contingency": contingency},
    )
    missing = missing_plan(row)
    if missing:
        from hazreg.i18n import get_lang

        names = ("、" if get_lang() == "zh" else ", ").join(t("plan." + m) for m in missing)
        _say("msg.plan_missing", id=f"H{row['id']}", missing=names)
    else:
        _say("msg.plan_complete", id=f"H{row['id']}")


def _moved(row: dict[str, Any]) -> None:
    from hazreg.enums import Status

    _say("msg.moved", id=f"H{row['id']}", status=Status.parse(row["status"]).label())


def start(
    hazard: str = typer.Argument(..., help=t("help.arg.hazard")),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    """Rectification has started (待整改 → 整改中)."""
    _moved(register(write=True).hazards.start(hazard, note))


def done(
    hazard: str = typer.Argument(..., help=t("help.arg.hazard")),
    note: str | None = _opt("--note", key="help.opt.note"),
    on: str | None = _opt("--on", key="help.opt.on_done"),
) -> None:
    """Rectification is finished and awaits verification (整改中 → 已整改)."""
    _moved(register(write=True).hazards.done(hazard, note, on))


def verify(
    hazard: str = typer.Argument(..., help=t("help.arg.hazard")),
    by: str | None = _opt("--by", key="help.opt.by"),
    note: str | None = _opt("--note", key="help.opt.verify_note"),
    fail_: bool = typer.Option(False, "--fail", help=t("help.opt.fail")),
    on: str | None = _opt("--on", key="help.opt.on_verify"),
) -> None:
    """Verify a rectification: close the hazard (销号), or send it back with --fail."""
    if not by:
        raise InvalidInput("err.missing_options", options="--by")
    _moved(register(write=True).hazards.verify(hazard, by, note, fail_, on))


def void(
    hazard: str = typer.Argument(..., help=t("help.arg.hazard")),
    reason: str | None = _opt("--reason", key="help.opt.reason"),
) -> None:
    """Void a wrong record (作废); it stays visible in history and exports."""
    if not reason:
        raise InvalidInput("err.missing_options", options="--reason")
    _moved(register(write=True).hazards.void(hazard, reason))


def install(app: typer.Typer) -> None:
    for name, command in (
        ("add", add), ("list", list_hazards), ("show", show), ("edit", edit), ("plan", plan),
        ("start", start), ("done", done), ("verify", verify), ("void", void),
    ):
        app.command(name, help=t(f"help.cmd.{name}"))(command)
