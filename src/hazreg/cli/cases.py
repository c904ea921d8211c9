"""`hazreg case open|list|show|edit|step|decide|pay|close|link|clauses`: enforcement cases (行政执法案件)."""

from __future__ import annotations

import unicodedata
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
from hazreg.errors import InvalidInput
from hazreg.i18n import t

case_app = typer.Typer(help=t("help.cmd.case"), no_args_is_help=True)


def _opt(*names: str, key: str, default: Any = None) -> Any:
    return typer.Option(default, *names, help=t(key))


def _arg() -> Any:
    return typer.Argument(..., help=t("help.arg.case"))


def _ref(row: dict[str, Any]) -> str:
    from hazreg.register.cases import case_ref

    return case_ref(row["id"])


def _step_label(step: str) -> str:
    from hazreg.enums import CaseStep

    return CaseStep.parse(step).label()


def parse_penalty(text: str, cases: Any, discretion: str | None) -> dict[str, Any]:
    """A penalty as typed: its parts joined by ':' in any order — the party (unit, 主要负责人,
    其他责任人员; default the unit), the penalty (罚款, 警告, 停产停业整顿…), the amount (3万,
    30000), the discretion (从轻, 一般, 从重), a clause of the fine table, and any other part
    is the party's name: `罚款:3万`, `主要负责人:罚款:1.5万:从轻`, `其他责任人员:赵六:罚款:1万`."""
    from hazreg.enums import ActionType, Discretion, PartyKind
    from hazreg.money import parse_yuan

    penalty: dict[str, Any] = {"discretion": discretion}
    for raw in unicodedata.normalize("NFKC", text).split(":"):
        part = raw.strip()
        if not part:
            continue
        for field, parse in (("discretion", Discretion.parse), ("party_kind", PartyKind.parse),
                             ("type", ActionType.parse)):
            try:
                penalty[field] = parse(part).value
                break
            except InvalidInput:
                continue
        else:
            try:
                parse_yuan(part, "amount")
                penalty["amount"] = part
            except InvalidInput:
                if cases.clause(part) is not None:
                    penalty["clause"] = part
                else:
                    penalty["party_name"] = part
    if "type" not in penalty:
        raise InvalidInput("err.penalty_spec", "penalty", value=text)
    return penalty


@case_app.command("open", help=t("help.cmd.case_open"))
def open_case(
    unit: str | None = _opt("--unit", key="help.opt.case_unit"),
    party: str | None = _opt("--party", key="help.opt.case_party"),
    party_id: str | None = _opt("--party-id", key="help.opt.case_party_id"),
    address: str | None = _opt("--address", key="help.opt.case_address"),
    principal: str | None = _opt("--principal", key="help.opt.case_principal"),
    cause: str | None = _opt("--cause", key="help.opt.case_cause"),
    case_no: str | None = _opt("--case-no", key="help.opt.case_no"),
    locality: str | None = _opt("--locality", key="help.opt.case_locality"),
    industry: str | None = _opt("--industry", key="help.opt.case_industry"),
    hazard: list[str] | None = _opt("--hazard", key="help.opt.case_hazard"),
    inspection: list[str] | None = _opt("--inspection", key="help.opt.case_inspection"),
    accident: list[str] | None = _opt("--accident", key="help.opt.case_accident"),
    on: str | None = _opt("--on", key="help.opt.case_on"),
    by: str | None = _opt("--by", key="help.opt.case_by"),
    doc: str | None = _opt("--doc", key="help.opt.case_doc"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    row = register(write=True).cases.open({
        "unit": unit, "party": party, "party_id": party_id, "address": address, "principal": principal,
        "cause": cause, "case_no": case_no, "locality": locality, "industry": industry,
        "hazards": split_list(hazard), "inspections": split_list(inspection), "accidents": split_list(accident),
        "on": on, "by": by, "document": doc, "note": note})
    say(t("msg.case_opened", id=_ref(row), party=row.get("unit_name") or row.get("party"), on=row["opened_on"]))


@case_app.command("step", help=t("help.cmd.case_step"))
def step(
    case: str = _arg(),
    name: str = typer.Argument(..., help=t("help.arg.case_step")),
    on: str | None = _opt("--on", key="help.opt.case_on"),
    by: str | None = _opt("--by", key="help.opt.case_by"),
    hearing: str | None = _opt("--hearing", key="help.opt.case_hearing"),
    doc: str | None = _opt("--doc", key="help.opt.case_doc"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    reg = register(write=True)
    row = reg.cases.step(case, name, on=on, by=by, note=note, hearing=hearing, document=doc)
    done = reg.cases.steps(row["id"])[-1]
    say(t("msg.case_step", id=_ref(row), step=_step_label(done["step"]), on=done["done_on"], by=done["done_by"]))


@case_app.command("decide", help=t("help.cmd.case_decide"))
def decide(
    case: str = _arg(),
    category: str | None = _opt("--category", key="help.opt.case_category"),
    violation: str | None = _opt("--violation", key="help.opt.case_violation"),
    clause: str | None = _opt("--clause", key="help.opt.case_clause"),
    penalty: list[str] | None = _opt("--penalty", key="help.opt.case_penalty"),
    discretion: str | None = _opt("--discretion", key="help.opt.case_discretion"),
    on: str | None = _opt("--on", key="help.opt.case_on"),
    served: str | None = _opt("--served", key="help.opt.case_served"),
    by: str | None = _opt("--by", key="help.opt.case_by"),
    doc: str | None = _opt("--doc", key="help.opt.case_doc"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    reg = register(write=True)
    penalties = [parse_penalty(p, reg.cases, discretion) for p in penalty or []]
    row = reg.cases.decide(case, {"category": category, "violation": violation, "clause": clause,
                                  "penalties": penalties, "on": on, "served": served, "by": by, "document": doc,
                                  "note": note})
    say(t("msg.case_decided", id=_ref(row), count=len(reg.cases.penalties(row["id"])), on=row["decided_on"],
          due=reg.cases.due_on(row)))


@case_app.command("pay", help=t("help.cmd.case_pay"))
def pay(
    case: str = _arg(),
    amount: str | None = typer.Argument(None, help=t("help.arg.case_amount")),
    penalty: str | None = _opt("--penalty", key="help.opt.case_pay_penalty"),
    late: str | None = _opt("--late", key="help.opt.case_late"),
    on: str | None = _opt("--on", key="help.opt.case_on"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    from hazreg.register.cases import yuan

    reg = register(write=True)
    row = reg.cases.pay(case, amount, on=on, penalty=penalty, late=late, note=note)
    owed = sum(p["owed_fen"] for p in reg.cases.execution(row)["penalties"])
    say(t("msg.case_paid", id=_ref(row), owed=yuan(owed)))


@case_app.command("close", help=t("help.cmd.case_close"))
def close(
    case: str = _arg(),
    on: str | None = _opt("--on", key="help.opt.case_on"),
    by: str | None = _opt("--by", key="help.opt.case_by"),
    doc: str | None = _opt("--doc", key="help.opt.case_doc"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    row = register(write=True).cases.close(case, on=on, by=by, note=note, document=doc)
    say(t("msg.case_step", id=_ref(row), step=_step_label("closed"), on=row["closed_on"],
          by=by or register().operator))


@case_app.command("link", help=t("help.cmd.case_link"))
def link(
    case: str = _arg(),
    hazard: list[str] | None = _opt("--hazard", key="help.opt.case_hazard"),
    inspection: list[str] | None = _opt("--inspection", key="help.opt.case_inspection"),
    accident: list[str] | None = _opt("--accident", key="help.opt.case_accident"),
) -> None:
    row = register(write=True).cases.link(case, {"hazards": split_list(hazard), "inspections": split_list(inspection),
                                                 "accidents": split_list(accident)})
    say(t("msg.case_linked", id=_ref(row)))


@case_app.command("edit", help=t("help.cmd.case_edit"))
def edit(
    case: str = _arg(),
    case_no: str | None = _opt("--case-no", key="help.opt.case_no"),
    party: str | None = _opt("--party", key="help.opt.case_party"),
    party_id: str | None = _opt("--party-id", key="help.opt.case_party_id"),
    address: str | None = _opt("--address", key="help.opt.case_address"),
    principal: str | None = _opt("--principal", key="help.opt.case_principal"),
    locality: str | None = _opt("--locality", key="help.opt.case_locality"),
    industry: str | None = _opt("--industry", key="help.opt.case_industry"),
    cause: str | None = _opt("--cause", key="help.opt.case_cause"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    row, changed = register(write=True).cases.edit(case, {
        "case_no": case_no, "party": party, "party_id": party_id, "address": address, "principal": principal,
        "locality": locality, "industry": industry, "cause": cause, "note": note})
    if not changed:
        say(t("msg.unchanged", id=_ref(row)))
        return
    say(t("msg.case_changed", id=_ref(row), fields=", ".join(t("field." + f, default=f) for f in changed)))


_LIST = ("id", "case_no", "party", "locality", "cause", "step", "opened_on", "category", "fines", "owed")


@case_app.command("list", help=t("help.cmd.case_list"))
def list_cases(
    step_name: str | None = _opt("--step", key="help.opt.case_step_filter"),
    unit: str | None = _opt("--unit", key="help.opt.case_unit"),
    locality: list[str] | None = _opt("--locality", key="help.opt.case_locality"),
    since: str | None = _opt("--since", key="help.opt.case_since"),
    until: str | None = _opt("--until", key="help.opt.case_until"),
    violation: str | None = _opt("--violation", key="help.opt.case_violation_filter"),
    hazard: str | None = _opt("--hazard", key="help.opt.case_hazard"),
    open_only: bool = _opt("--open", key="help.opt.case_open_only", default=False),
    fmt: str = format_option(),
) -> None:
    from hazreg.register.cases import CASE_COLUMNS, case_record, yuan

    fmt = check_format(fmt)
    reg = register()
    rows = []
    for r in reg.cases.list(step_name, unit, split_list(locality), since, until, violation, open_only, hazard):
        record = case_record(r)
        fines = sum(p["amount_fen"] or 0 for p in reg.cases.penalties(r["id"]) if p["type"] == "fine")
        owed = sum(p["owed_fen"] for p in reg.cases.execution(r)["penalties"]) if r.get("served_on") else 0
        rows.append({**record, "fines": yuan(fines), "owed": yuan(owed)})
    actions: list[dict[str, Any]] = []
    if hazard is not None:
        actions = reg.cases.hazard_actions([reg.hazards.get(hazard)["id"]])
    if fmt != "table":
        from hazreg.render.formats import write

        write(fmt, rows, (*CASE_COLUMNS, "fines", "owed"))
        return
    if not rows:
        note_empty()
    else:
        from hazreg.render.grid import Grid, label

        grid = Grid([t("case." + c) for c in _LIST])
        for r in rows:
            cells = []
            for c in _LIST:
                value = r.get(c)
                if c == "step" and value:
                    value = _step_label(value)
                elif c == "category" and value:
                    value = label("illegal_category", value)
                cells.append("" if value is None else str(value))
            grid.rows.append(cells)
            grid.styles.append("")
        print_grid(grid)
    _say_actions(actions)


def _say_actions(actions: list[dict[str, Any]]) -> None:
    """A hazard's on-the-spot actions (`hazreg action`), beside its cases."""
    from hazreg.render.grid import label

    if actions:
        say(t("case.hazard_actions") + ":")
    for a in actions:
        amount = f"  {a['amount']}" if a.get("amount") else ""
        say(f"  {a['on']}  {a['hazard']}  {label('action_type', a['type'])}{amount}")


@case_app.command("show", help=t("help.cmd.case_show"))
def show(case: str = _arg(), fmt: str = format_option()) -> None:
    from hazreg.register.cases import yuan

    fmt = check_format(fmt)
    reg = register()
    shown = reg.cases.show(case)
    if fmt != "table":
        from hazreg.render.formats import write, write_json

        if fmt == "json":
            write_json(shown)
        else:
            write(fmt, [shown["case"]], list(shown["case"]))
        return
    from hazreg.render.grid import label

    record = shown["case"]
    for field, value in record.items():
        if value in (None, "") or field == "uid":
            continue
        if field == "step":
            value = _step_label(value)
        elif field == "category":
            value = label("illegal_category", value)
        elif field == "industry":
            value = label("industry", value)
        say(f"{t('case.' + field)}: {value}")
    for kind in ("hazards", "inspections", "accidents"):
        if shown[kind]:
            say(f"{t('case.' + kind)}: {', '.join(shown[kind])}")
    say(t("case.steps") + ":")
    for s in shown["steps"]:
        extra = f" ({label('hearing', s['hearing'])})" if s.get("hearing") else ""
        note = f" — {s['note']}" if s.get("note") else ""
        say(f"  {s['done_on']}  {_step_label(s['step'])}{extra}  {s['done_by']}{note}")
    if shown["penalties"]:
        say(t("case.penalties") + ":")
        for p in shown["penalties"]:
            amount = f"  {yuan(p['amount_fen'])}" if p["amount_fen"] is not None else ""
            say(f"  #{p['id']}  {label('party_kind', p['party_kind'])} {p['party_name']}  "
                f"{label('action_type', p['type'])}{amount}  {label('discretion', p['discretion'])}"
                + (f"  {p['clause']}" if p.get("clause") else ""))
    if shown["payments"]:
        say(t("case.payments") + ":")
        for p in shown["payments"]:
            late = t("case.late_part", amount=yuan(p["late_fen"])) if p["late_fen"] else ""
            say(f"  {p['paid_on']}  #{p['penalty_id']}  {yuan(p['amount_fen'])}{late}")
    execution = shown["execution"]
    if execution and execution["penalties"]:
        say(t("case.due", due=execution["due_on"]))
        for p in execution["penalties"]:
            say(t("case.owed_line", id=p["penalty_id"], party=p["party_name"], fine=yuan(p["fine_fen"]),
                  paid=yuan(p["paid_fen"]), late=yuan(p["late_fen"]), days=p["days_late"], owed=yuan(p["owed_fen"]),
                  through=execution["through"]))
    _say_actions(shown["hazard_actions"])
    if shown["needs_resumption"]:
        say(t("case.needs_resumption"))
    if shown["next"]:
        say(t("case.next", step=_step_label(shown["next"])))


@case_app.command("clauses", help=t("help.cmd.case_clauses"))
def clauses(fmt: str = format_option()) -> None:
    fmt = check_format(fmt)
    rows = [{"code": c["code"], "clause": c["clause"],
             "unit": "—" if c.get("unit") is None else f"{c['unit'][0]}–{c['unit'][1]}",
             "person": "—" if c.get("person") is None else f"{c['person'][0]}–{c['person'][1]}",
             "summary": c.get("summary") or ""} for c in register().cases.ranges()]
    columns = ("code", "clause", "unit", "person", "summary")
    if fmt != "table":
        from hazreg.render.formats import write

        write(fmt, rows, columns)
        return
    from hazreg.render.grid import Grid

    grid = Grid([t("case.clause_code"), t("case.clause_clause"), t("case.clause_unit"), t("case.clause_person"),
                 t("case.clause_summary")])
    for r in rows:
        grid.rows.append([r[c] for c in columns])
        grid.styles.append("")
    print_grid(grid)


def install(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
