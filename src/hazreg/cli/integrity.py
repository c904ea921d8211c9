"""Evidence you can trust: check, backup, restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from hazreg.cli.common import check_format, format_option, register, say
from hazreg.i18n import t


def _opt(*names: str, key: str, default: Any = None, **kw: Any) -> Any:
    return typer.Option(default, *names, help=t(key), **kw)


def check(
    fmt: str = format_option(),
    anchor: bool = _opt("--anchor", key="help.opt.anchor", default=False),
    since_anchor: str | None = _opt("--since-anchor", key="help.opt.since_anchor", metavar="HASH"),
    repair_index: bool = _opt("--repair-index", key="help.opt.repair_index", default=False),
) -> None:
    """Check the register: SQLite, the history's hash chain, records against their history, files."""
    from hazreg.register.integrity import check_register, require_register, verify_chain

    fmt = check_format(fmt)
    if repair_index:
        from hazreg.register.integrity import repair_index as rebuild

        reg = register()  # a read first: a path with no register is an error, not a new register
        require_register(reg)
        count, groups = rebuild(register(write=True))
        say(t("msg.index_repaired", count=count))
        if groups is not None:
            say(t("msg.tally_repaired", groups=groups))
        return
    reg = register()
    require_register(reg)
    if anchor:
        count, head = reg.store.chain_head()
        if fmt == "json":
            from hazreg.render.formats import write_json

            write_json({"entries": count, "head": head})
        else:
            say(t("msg.anchor", count=count, head=head))
        return
    if since_anchor:
        result = verify_chain(reg, since_anchor.strip().lower())
        if fmt == "json":
            from hazreg.render.formats import write_json

            write_json(result)
        elif result.get("anchor_found"):
            say(t("msg.anchor_ok", count=result["entries"], head=result["head"]))
        elif "broken_at" in result:
            say(t("msg.chain_broken", seq=result["broken_at"], problem=t("chain." + result["problem"])), err=True)
        else:
            say(t("msg.anchor_missing", head=since_anchor), err=True)
        if not result["ok"]:
            raise typer.Exit(1)
        return
    report = check_register(reg)
    if fmt != "table":
        from hazreg.render.formats import write_json

        write_json(report)
    else:
        for problem in report["sqlite"] + report["foreign_keys"]:
            say(t("msg.check_sqlite", problem=problem), err=True)
        chain = report["chain"]
        if not chain["ok"]:
            say(t("msg.chain_broken", seq=chain["broken_at"], problem=t("chain." + chain["problem"])), err=True)
        for m in report["records"]["first"]:
            from hazreg.register.lifecycle import field_names

            # English reads H5.owner; Chinese names the field as the forms do (H5 的 治理责任人)
            say(t("msg.check_record", record=m["record"], field=field_names([m["field"]]),
                         register=m["register"], history=m["history"]), err=True)
        for problem in report["tables"]:
            say(t(f"check.{problem['problem']}", **problem), err=True)
        for p in report["attachments"]:
            say(t(f"msg.check_{p['problem']}", sha=p["sha256"]), err=True)
        if report["closed_incomplete"]:
            say(t("msg.check_closed_incomplete", count=len(report["closed_incomplete"]),
                         ids=", ".join(report["closed_incomplete"])), err=True)
        if report["ok"]:
            say(t("msg.check_ok", entries=chain["entries"], head=chain["head"],
                  engine="PostgreSQL" if reg.store.engine == "postgresql" else "SQLite"))
    if not report["ok"]:
        raise typer.Exit(1)


def backup(
    dest: str = typer.Argument(..., help=t("help.arg.backup_dest"), metavar="DEST"),
    force: bool = _opt("--force", key="help.opt.force_backup", default=False),
) -> None:
    """Take a consistent copy of the register while others write, and check it."""
    from hazreg.register.integrity import backup as take_backup

    written, report = take_backup(register(), dest, force=force)
    say(t("msg.backup_done", path=str(written), entries=report["chain"]["entries"],
                 head=report["chain"]["head"]))


def restore(source: Path = typer.Argument(..., help=t("help.arg.restore_source"))) -> None:
    """Replace the register with a checked copy; the current one is kept aside."""
    from hazreg.register.integrity import restore as put_back

    reg = register(write=True)
    if reg.store.engine == "postgresql":  # into an empty database, through `copy`
        from hazreg.register.copying import restore_from_file

        result = restore_from_file(reg, source)
        say(t("msg.restored_server", path=str(source), dest=reg.store.address, entries=result["entries"],
              head=result["head"]))
        return
    aside = put_back(reg, source)
    say(t("msg.restore_done", path=str(source), aside=str(aside)))


def install(app: typer.Typer) -> None:
    for name, command in (("check", check), ("backup", backup), ("restore", restore)):
        app.command(name, help=t(f"help.cmd.{name}"))(command)
