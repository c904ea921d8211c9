"""Register-wide commands: history, info, config and the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from hazreg.cli.common import check_format, format_option, note_empty, print_grid, register, say
from hazreg.errors import InvalidInput
from hazreg.i18n import t


def history(
    record: str | None = typer.Argument(None, help=t("help.arg.record")),
    since: str | None = typer.Option(None, "--since", help=t("help.opt.since")),
    until: str | None = typer.Option(None, "--until", help=t("help.opt.until")),
    operator: str | None = typer.Option(None, "--by", help=t("help.opt.history_by")),
    limit: int | None = typer.Option(None, "--limit", "-n", help=t("help.opt.history_limit")),
    fmt: str = format_option(),
) -> None:
    """Show who changed what and when, for one record or the whole register."""
    fmt = check_format(fmt)
    reg = register()
    entries = reg.history(record, since, until, operator, limit)
    if fmt != "table":
        from hazreg.render.formats import write
        from hazreg.render.records import HISTORY_COLUMNS, history_record

        write(fmt, [history_record(e) for e in entries], HISTORY_COLUMNS)
        return
    if not entries:
        note_empty()
        return
    from hazreg.render.grid import history_grid

    one_hazard = record is not None and entries[0]["record_type"] == "hazard"
    level = reg.hazards.get(entries[0]["record_id"])["level"] if one_hazard else None  # 复查 or 验收
    print_grid(history_grid(entries, reg.timezone, with_record=record is None, level=level))


def info(fmt: str = format_option()) -> None:
    """Show the register file, its schema version, time zone and counts."""
    fmt = check_format(fmt)
    data = register(quiet=True).info()  # says 'not created yet' itself
    if fmt == "table":
        from hazreg.render.table import console, info_view

        console().print(info_view(data))
        return
    from hazreg.render.formats import write, write_json

    write_json(data) if fmt == "json" else write(fmt, [data], list(data))


def config(
    key: str | None = typer.Argument(None, help=t("help.arg.config_key")),
    value: str | None = typer.Argument(None, help=t("help.arg.config_value")),
    office: str | None = typer.Option(None, "--office", help=t("help.opt.office")),
    prefix: list[str] | None = typer.Option(None, "--prefix", help=t("help.opt.prefix")),
    review_body: str | None = typer.Option(None, "--review-body", help=t("help.opt.review_body")),
    court: str | None = typer.Option(None, "--court", help=t("help.opt.court")),
    clauses: Path | None = typer.Option(None, "--clauses", help=t("help.opt.clauses")),
) -> None:
    """Show or change the register's settings (timezone, escalation, general_deadline_days,
    acceptance_days, form.*, documents)."""
    from hazreg.register.base import DAY_SETTINGS
    from hazreg.register.forms import SETTINGS as FORM_SETTINGS

    form_keys = [f"form.{k}" for k in FORM_SETTINGS]
    keys = ("timezone", "escalation", *DAY_SETTINGS)
    if key is None:
        reg = register()
        typer.echo(f"timezone = {reg.timezone}")
        typer.echo(f"escalation = {_ladder(reg.supervision.ladder())}")
        for name in DAY_SETTINGS:
            typer.echo(f"{name} = {reg.ctx.days_setting(name)}")
        for name in form_keys:
            typer.echo(f"{name} = {reg.store.setting(name) or ''}")
        typer.echo(f"documents = {_documents(reg)}")
        typer.echo(f"fine_ranges = {t('msg.fine_ranges_count', count=len(reg.cases.ranges()))}")
        return
    if key in form_keys:
        if value is None:
            typer.echo(register().store.setting(key) or "")
            return
        from hazreg.register.forms import set_setting

        set_setting(register(write=True), key, value)
        say(t("msg.config_set", key=key, value=value.strip()))
        return
    if key == "fine_ranges":
        _fine_ranges(value)
        return
    if key not in (*keys, "documents"):
        raise InvalidInput("err.choice", "key", value=key,
                           allowed=", ".join([*keys, "documents", "fine_ranges", *form_keys]))
    if key == "documents":
        changes = (office, prefix, review_body, court, clauses)
        if all(v is None for v in changes) and value is None:
            typer.echo(_documents(register()))
            return
        reg = register(write=True)
        if clauses is not None:
            if not clauses.is_file():
                raise InvalidInput("err.no_file", "clauses", path=str(clauses))
            reg.documents.import_template("clauses", clauses.read_text(encoding="utf-8-sig"))
        if any(v is not None for v in (office, prefix, review_body, court)):
            reg.documents.configure(office, prefix, review_body, court)
        say(t("msg.documents_set", text=_documents(reg)))
        return
    if value is None:
        reg = register()
        if key in DAY_SETTINGS:
            typer.echo(str(reg.ctx.days_setting(key)))
        else:
            typer.echo(reg.timezone if key == "timezone" else _ladder(reg.supervision.ladder()))
        return
    reg = register(write=True)
    if key == "timezone":
        reg.set_timezone(value)
    elif key in DAY_SETTINGS:
        value = str(reg.ctx.set_days_setting(key, value))
    else:
        value = _ladder(reg.supervision.set_ladder(value))
    say(t("msg.config_set", key=key, value=value))


def _fine_ranges(value: str | None) -> None:
    """`config fine_ranges`: the fine table as JSON; `config fine_ranges FILE.json` replaces it
    (a list of clauses, or {"clauses": […]} as shipped); `config fine_ranges default` restores it."""
    import json

    from hazreg.register.cases import default_ranges

    if value is None:
        typer.echo(json.dumps(register().cases.ranges(), ensure_ascii=False, indent=2))
        return
    clauses: Any
    if value.strip() == "default":
        clauses = default_ranges()
    else:
        path = Path(value)
        if not path.is_file():
            raise InvalidInput("err.no_file", "fine_ranges", path=value)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except ValueError:
            raise InvalidInput("err.fine_range_entry", "fine_ranges", value=value) from None
        clauses = data.get("clauses") if isinstance(data, dict) else data
        if not isinstance(clauses, list):
            raise InvalidInput("err.fine_range_entry", "fine_ranges", value=value)
    checked = register(write=True).cases.set_ranges(clauses)
    say(t("msg.config_set", key="fine_ranges", value=t("msg.fine_ranges_count", count=len(checked))))


def _documents(reg: Any) -> str:
    """office=…; 责令限期整改指令书 宁江应急责改〔YEAR〕N号; …"""
    from hazreg.enums import DocType

    settings = reg.documents.settings()
    parts = [f"office={settings['office'] or '—'}"]
    for kind in DocType:
        prefix = reg.documents.prefix_of(kind.value, settings)
        parts.append(f"{kind.value}={prefix or '—'}")
    return "; ".join(parts)


def _ladder(steps: list[tuple[str, int]]) -> str:
    return ",".join(f"{step}:{days}" for step, days in steps)


def demo(
    path: Path | None = typer.Option(None, "--path", help=t("help.opt.demo_path")),
) -> None:
    """Build a demo register with realistic data in its own file and list its hazards."""
    from hazreg.demo import build_demo
    from hazreg.paths import demo_path
    from hazreg.register import default_operator, open_register
    from hazreg.render.grid import hazard_grid

    target = path or demo_path()
    reg = build_demo(target, default_operator())
    reg.store.close()
    reg = open_register(target, write=False)
    rows, total = reg.hazards.query(reg.hazards.filter(), limit=None)
    print_grid(hazard_grid(rows, reg.today()))
    typer.echo("")
    say(t("msg.demo", path=str(target), total=total))
    reg.store.close()
    if not rows:
        note_empty()


def install(app: typer.Typer) -> None:
    for name, command in (("history", history), ("info", info), ("config", config), ("demo", demo)):
        app.command(name, help=t(f"help.cmd.{name}"))(command)
