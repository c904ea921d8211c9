"""Major hazards under supervision: supervise, delist, extend, escalations, escalate, due,
action, attach, attachment and check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from hazreg.cli.common import (
    check_format,
    format_option,
    interactive,
    note_empty,
    print_grid,
    register,
    say,
    split_list,
)
from hazreg.i18n import t


class DefaultCommandGroup(TyperGroup):
    """`hazreg action H12 --type fine …` records; `hazreg action list` lists: a word that is
    not a subcommand goes to the default one, as in `git stash` or `gh issue`."""

    default = "add"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


action_app = typer.Typer(cls=DefaultCommandGroup, help=t("help.cmd.action"), no_args_is_help=True)
attachment_app = typer.Typer(help=t("help.cmd.attachment"), no_args_is_help=True)


def _opt(*names: str, key: str, default: Any = None, **kw: Any) -> Any:
    return typer.Option(default, *names, help=t(key), **kw)


def _hazard_arg() -> Any:
    return typer.Argument(..., help=t("help.arg.hazard"))


def supervise(
    hazard: str = _hazard_arg(),
    by: str = _opt("--by", key="help.opt.supervise_by", default=...),
    level: str = _opt("--level", key="help.opt.supervise_level", default=...),
    on: str | None = _opt("--on", key="help.opt.on_supervise"),
    due: str | None = _opt("--due", key="help.opt.supervise_due"),
    notice: str | None = _opt("--notice", key="help.opt.notice"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    """List a major hazard for supervision (挂牌督办)."""
    from hazreg.errors import InvalidInput

    missing = [name for name, value in (("--due", due), ("--notice", notice)) if not value]
    if missing:
        raise InvalidInput("err.missing_options", options=", ".join(missing))
    row = register(write=True).supervision.supervise(hazard, by, level, on, due, note, notice)
    say(t("msg.supervised", id=f"H{row['id']}", body=by))


def delist(
    hazard: str = _hazard_arg(),
    note: str | None = _opt("--note", key="help.opt.delist_note"),
    on: str | None = _opt("--on", key="help.opt.on_delist"),
) -> None:
    """Delist a hazard (摘牌) once it is verified closed."""
    from hazreg.errors import InvalidInput

    if not note:
        raise InvalidInput("err.missing_options", options="--note")
    row = register(write=True).supervision.delist(hazard, note, on)
    say(t("msg.delisted", id=f"H{row['id']}"))


def apply(
    hazard: str = _hazard_arg(),
    by: str = _opt("--by", key="help.opt.apply_by", default=...),
    report: Path = _opt("--report", key="help.opt.report", default=...),
    on: str | None = _opt("--on", key="help.opt.on_apply"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    """A listed major hazard: the unit applies for closure (销号申请) with its evaluation report."""
    reg = register(write=True)
    row = reg.supervision.apply_close(hazard, by, report, on, note)
    state = reg.supervision.closing(row["id"])
    assert state is not None
    attachment = next(s for s in reversed(state["steps"]) if s["step"] == "apply")["attachment_id"]
    say(t("msg.applied", id=f"H{row['id']}", attachment=f"A{attachment}", by=state["accept_by"]))


def accept(
    hazard: str = _hazard_arg(),
    by: str = _opt("--by", key="help.opt.accept_by", default=...),
    fail: bool = typer.Option(False, "--fail", help=t("help.opt.accept_fail")),
    on: str | None = _opt("--on", key="help.opt.on_accept"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    """A listed major hazard: the supervising body's on-site acceptance check (验收)."""
    reg = register(write=True)
    row = reg.supervision.accept(hazard, by, on, note, fail)
    hid = f"H{row['id']}"
    if fail:
        say(t("msg.accept_failed", id=hid))
        return
    state = reg.supervision.closing(row["id"])
    assert state is not None
    say(t("msg.accepted_late" if state["accept_late"] else "msg.accepted", id=hid, by=state["accept_by"]))


def extend(
    hazard: str = _hazard_arg(),
    to: str = _opt("--to", key="help.opt.extend_to", default=...),
    reason: str | None = _opt("--reason", key="help.opt.extend_reason"),
    approved_by: str | None = _opt("--approved-by", key="help.opt.approved_by"),
) -> None:
    """Extend a hazard's deadline; the original stays in its history."""
    from hazreg.errors import InvalidInput

    if not reason:
        raise InvalidInput("err.missing_options", options="--reason")
    row = register(write=True).supervision.extend(hazard, to, reason, approved_by)
    say(t("msg.extended", id=f"H{row['id']}", deadline=row["deadline"]))


def escalations(fmt: str = format_option()) -> None:
    """The escalation steps due today, for every overdue hazard."""
    from hazreg.register.supervision import step_label

    fmt = check_format(fmt)
    reg = register()
    due = reg.supervision.escalations()
    rows = [{"hazard_id": f"H{d['hazard']['id']}", "unit_name": d["hazard"]["unit_name"],
             "description": d["hazard"]["description"], "deadline": d["hazard"]["deadline"],
             "days_overdue": d["days_overdue"], "step": d["step"], "step_label": step_label(d["step"])} for d in due]
    if fmt != "table":
        from hazreg.render.formats import write

        write(fmt, rows, ["hazard_id", "unit_name", "description", "deadline", "days_overdue", "step"])
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import escalations_grid

    print_grid(escalations_grid(rows))


def escalate(
    hazard: str = _hazard_arg(),
    step: str = _opt("--step", key="help.opt.step", default=...),
    note: str | None = _opt("--note", key="help.opt.note"),
    on: str | None = _opt("--on", key="help.opt.on_escalate"),
) -> None:
    """Record that an escalation step was taken for an overdue hazard."""
    from hazreg.register.supervision import step_label

    row = register(write=True).supervision.escalate(hazard, step, note, on)
    say(t("msg.escalated", id=f"H{row['id']}", step=step_label(step)))


def due(
    owner: str | None = _opt("--owner", "-o", key="help.opt.due_owner"),
    within: str = _opt("--within", key="help.opt.due_days", default="7d"),
    fmt: str = format_option(),
) -> None:
    """The morning view: overdue hazards, then those due within 7 days."""
    fmt = check_format(fmt)
    reg = register()
    rows = reg.supervision.decorate(reg.supervision.due(owner, within))
    if fmt != "table":
        from hazreg.render.formats import write
        from hazreg.render.records import HAZARD_COLUMNS, SUPERVISION_COLUMNS, supervised_record

        write(fmt, [supervised_record(r) for r in rows], [*HAZARD_COLUMNS, *SUPERVISION_COLUMNS])
        return
    from hazreg.register.forms import forms_due

    pending = forms_due(reg.today())
    if not rows:
        note_empty()
    else:
        from hazreg.render.grid import hazard_grid

        print_grid(hazard_grid(rows, reg.today()))
    for item in pending:  # the statistical forms still to send up (总局16号令 第十四条)
        say(t("form.due_line", period=item["period"], kind=item["kind"], kind_label=t(f"form.kind.{item['kind']}"),
              due=item["due"]))
    from hazreg.register.illegal import forms_due as illegal_forms_due

    for item in illegal_forms_due(reg):  # the 打非治违 form, where the register records cases
        say(t("illegal.due_line", period=item["period"], kind_label=t(f"form.kind.{item['kind']}"),
              due=item["due"], option=item["option"]))


@action_app.command("add", help=t("help.cmd.action_add"))
def action_add(
    hazard: str = _hazard_arg(),
    kind: str = _opt("--type", key="help.opt.action_type", default=...),
    amount: str | None = _opt("--amount", key="help.opt.amount"),
    against: str | None = _opt("--against", key="help.opt.against"),
    on: str | None = _opt("--on", key="help.opt.on_action"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    """Record an enforcement action on a hazard."""
    from hazreg.enums import ActionType

    item = register(write=True).supervision.take_action(hazard, kind, amount, against, on, note)
    say(t("msg.action_added", id=f"H{item['hazard_id']}", type=ActionType.parse(item["type"]).label()))


@action_app.command("list", help=t("help.cmd.action_list"))
def action_list(
    kind: list[str] | None = _opt("--type", key="help.opt.action_type_filter"),
    since: str | None = _opt("--since", key="help.opt.since"),
    until: str | None = _opt("--until", key="help.opt.until"),
    unit: str | None = _opt("--unit", "-u", key="help.opt.unit_filter"),
    hazard: str | None = _opt("--hazard", key="help.opt.hazard_filter"),
    limit: int | None = _opt("--limit", "-n", key="help.opt.limit"),
    fmt: str = format_option(),
) -> None:
    """List enforcement actions, latest first, with a count by type and the total fined."""
    from hazreg.register.base import plain

    fmt = check_format(fmt)
    reg = register()
    rows = reg.supervision.actions(reg.supervision.action_filter(split_list(kind), since, until, unit, hazard), limit or None)
    records = [{"id": f"E{r['id']}", "uid": r["uid"], "hazard_id": f"H{r['hazard_id']}", "unit_id": f"U{r['unit_id']}",
                "unit_name": r["unit_name"], "type": r["type"], "amount": plain(r["amount"]), "against": r["against"],
                "on": r["on"], "note": r["note"]} for r in rows]
    if fmt != "table":
        from hazreg.render.formats import write

        write(fmt, records, list(records[0]) if records else ["id"])
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import actions_grid

    print_grid(actions_grid(records))
    fines = sum(r["amount"] for r in rows if r["amount"] is not None)
    say(t("msg.actions_total", count=len(rows), fines=f"{fines:,.2f}"), err=True)


def attach(
    hazard: str = _hazard_arg(),
    files: list[Path] = typer.Argument(..., help=t("help.arg.files")),
    stage: str = _opt("--stage", key="help.opt.stage", default="other"),
    note: str | None = _opt("--note", key="help.opt.note"),
) -> None:
    """Keep a copy of photos, scanned notices or PDFs as evidence for a hazard."""
    for item in register(write=True).supervision.attach(hazard, files, stage, note):
        say(t("msg.attached", id=f"A{item['id']}", name=item["name"], sha=item["sha256"][:12]))


@attachment_app.command("export", help=t("help.cmd.attachment_export"))
def attachment_export(
    attachment: str = typer.Argument(..., help=t("help.arg.attachment")),
    output: Path | None = _opt("--output", "-o", key="help.opt.attachment_output"),
) -> None:
    """Copy an attached file out (checked against its SHA-256 first)."""

    reg = register()
    item = reg.supervision.attachment(attachment)
    target = output or Path.cwd() / _safe_name(item)
    if target.is_dir():
        target = target / _safe_name(item)
    reg.supervision.copy_attachment(item, target)  # checked first; evidence stays private (0600), like every export
    say(t("msg.attachment_exported", id=f"A{item['id']}", path=str(target)))


VIEW_SECONDS = 15  # how long a copy stays for the viewer when nobody at a terminal can say they are done


@attachment_app.command("open", help=t("help.cmd.attachment_open"))
def attachment_open(attachment: str = typer.Argument(..., help=t("help.arg.attachment"))) -> None:
    """Open an attached file with the system's viewer."""
    import shutil
    import tempfile
    import time


    reg = register()
    item = reg.supervision.attachment(attachment)
    # A private copy (0600 in a 0700 folder) under its own name, so the viewer knows the type;
    # the stored file stays untouched, and the copy is removed on every way out, Ctrl-C included.
    folder = Path(tempfile.mkdtemp(prefix="hazreg-"))
    try:
        view = folder / _safe_name(item)
        reg.supervision.copy_attachment(item, view)
        _view(view)
        if interactive():
            say(t("msg.attachment_viewing", path=str(view)), err=True)
            sys.stdin.readline()
        else:
            time.sleep(VIEW_SECONDS)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _view(path: Path) -> None:
    """Hand `path` to the system's viewer (which returns once the viewer has it)."""
    import os
    import subprocess

    from hazreg.errors import Refused

    if sys.platform.startswith("win"):
        os.startfile(path)  # type: ignore[attr-defined]
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        subprocess.run([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    except OSError:
        raise Refused("err.no_viewer", program=opener) from None


def _safe_name(item: dict[str, Any]) -> str:
    """A file name for a copy: the user's name reduced to a plain name, never a path."""
    name = "".join(c for c in Path(item["name"]).name if c not in '\\/:*?"<>|\0' and c.isprintable()).strip(". ")
    return f"A{item['id']}-{name or 'file'}"


def install(app: typer.Typer) -> None:
    for name, command in (("supervise", supervise), ("apply", apply), ("accept", accept), ("delist", delist),
                          ("extend", extend),
                          ("escalations", escalations), ("escalate", escalate), ("due", due),
                          ("attach", attach)):
        app.command(name, help=t(f"help.cmd.{name}"))(command)
    app.add_typer(action_app, name="action")
    app.add_typer(attachment_app, name="attachment")
