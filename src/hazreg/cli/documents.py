"""`hazreg doc issue|list|show|reprint|void|template`: enforcement documents (执法文书)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from hazreg.cli.common import check_format, format_option, note_empty, register, say, split_list
from hazreg.errors import InvalidInput, Refused
from hazreg.i18n import t

doc_app = typer.Typer(help=t("help.cmd.doc"), no_args_is_help=True)
template_app = typer.Typer(help=t("help.cmd.doc_template"), no_args_is_help=True)


def _opt(*names: str, key: str, default: Any = None, **kw: Any) -> Any:
    return typer.Option(default, *names, help=t(key), **kw)


def _safe_name(number: str) -> str:
    return "".join("_" if c in '/\\:*?"<>|' else c for c in number)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600), "wb") as out:
        out.write(data)
    tmp.replace(path)


def _pdf(path: Path) -> None:
    import subprocess

    from hazreg.render.document import to_pdf

    try:
        pdf = to_pdf(path)
    except (subprocess.SubprocessError, OSError):
        raise Refused("err.soffice_failed", path=str(path)) from None
    if pdf is None:
        say(t("msg.doc_no_soffice"), err=True)
    else:
        say(t("msg.doc_pdf", path=str(pdf)))


def _extra(items: list[str] | None) -> dict[str, str]:
    extra = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput("err.set_field", "set", value=item)
        extra[key.strip()] = value.strip()
    return extra


@doc_app.command("issue", help=t("help.cmd.doc_issue"))
def issue(
    kind: str = typer.Argument(..., help=t("help.arg.doc_type"), metavar="TYPE"),
    hazards: list[str] | None = _opt("--for", key="help.opt.doc_for"),
    inspection: str | None = _opt("--inspection", key="help.opt.doc_inspection"),
    unit: str | None = _opt("--unit", key="help.opt.doc_unit"),
    on: str | None = _opt("--on", key="help.opt.doc_on"),
    by: list[str] | None = _opt("--by", key="help.opt.doc_by"),
    deadline: str | None = _opt("--deadline", key="help.opt.doc_deadline"),
    sets: list[str] | None = _opt("--set", key="help.opt.doc_set"),
    out: Path | None = _opt("--output", "-o", key="help.opt.doc_out"),
    pdf: bool = _opt("--pdf", key="help.opt.doc_pdf", default=False),
) -> None:
    """Issue an enforcement document as DOCX (and PDF)."""
    reg = register(write=True)
    names = split_list([b.replace("、", ",") for b in by or []])
    doc = reg.documents.issue(kind, split_list(hazards) or None, inspection, unit, on, names or None,
                              deadline, _extra(sets))
    target = out or Path(_safe_name(doc["number"]) + ".docx")
    _write(target, bytes(doc["data"]))
    from hazreg.enums import DocType

    say(t("msg.doc_issued", number=doc["number"], type=DocType.parse(doc["type"]).zh,
          records="、".join(f"H{i}" for i in doc["hazard_ids"]), path=str(target)))
    if pdf:
        _pdf(target)


def _record(doc: dict[str, Any]) -> dict[str, Any]:
    from hazreg.enums import DocType

    return {
        "id": doc["id"], "number": doc["number"], "type": doc["type"], "type_label": DocType.parse(doc["type"]).zh,
        "issued_on": doc["issued_on"], "unit": f"U{doc['unit_id']}" if doc["unit_id"] else "",
        "inspection": f"I{doc['inspection_id']}" if doc["inspection_id"] else "",
        "hazards": ",".join(f"H{i}" for i in doc["hazard_ids"]),
        "officers": ",".join(o["name"] for o in doc["officers"]), "sha256": doc["sha256"],
        "void": bool(doc["void_reason"]), "void_reason": doc["void_reason"] or "",
    }


DOC_COLUMNS = ["id", "number", "type", "type_label", "issued_on", "unit", "inspection", "hazards", "officers",
               "sha256", "void", "void_reason"]


def document_lines(docs: list[dict[str, Any]]) -> list[str]:
    """One line per document, for `show` of a hazard, unit or inspection."""
    from hazreg.enums import DocType, Status

    lines = []
    for d in docs:
        void = f"  [{Status.VOID.label()}: {d['void_reason']}]" if d["void_reason"] else ""
        lines.append(f"{d['issued_on']}  {d['number']}  {DocType.parse(d['type']).zh}  sha256 {d['sha256'][:12]}…{void}")
    return lines


def document_records(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_record(d) for d in docs]


def print_documents(docs: list[dict[str, Any]]) -> None:
    if docs:
        say("")
        say(t("head.documents"))
        for line in document_lines(docs):
            say(line)


@doc_app.command("list", help=t("help.cmd.doc_list"))
def list_documents(
    kind: str | None = _opt("--type", key="help.opt.doc_type"),
    hazard: str | None = _opt("--hazard", key="help.opt.doc_for"),
    unit: str | None = _opt("--unit", key="help.opt.doc_unit"),
    inspection: str | None = _opt("--inspection", key="help.opt.doc_inspection"),
    fmt: str = format_option(),
) -> None:
    fmt = check_format(fmt)
    docs = register().documents.list(kind, hazard, unit, inspection)
    records = [_record(d) for d in docs]
    if fmt != "table":
        from hazreg.render.formats import write

        write(fmt, records, DOC_COLUMNS)
        return
    if not docs:
        note_empty()
        return
    for r in records:
        void = f"  void: {r['void_reason']}" if r["void"] else ""
        say(f"{r['number']}  {r['type_label']}  {r['issued_on']}  {r['unit']}  {r['hazards']}  {r['officers']}{void}")


@doc_app.command("show", help=t("help.cmd.doc_show"))
def show(
    number: str = typer.Argument(..., help=t("help.arg.doc_number")),
    fmt: str = format_option(),
) -> None:
    fmt = check_format(fmt)
    reg = register()
    doc, data = reg.documents.reprint(number)
    from hazreg.render.document import text_of

    record = _record(doc)
    record["text"] = text_of(data)
    if fmt != "table":
        from hazreg.render.formats import write, write_json

        write_json(record) if fmt == "json" else write(fmt, [record], DOC_COLUMNS)
        return
    for key in DOC_COLUMNS:
        if record[key] not in ("", False):
            say(f"{key}: {record[key]}")
    say("")
    for line in record["text"]:
        say(line.replace("\u3000", "  "))


@doc_app.command("reprint", help=t("help.cmd.doc_reprint"))
def reprint(
    number: str = typer.Argument(..., help=t("help.arg.doc_number")),
    out: Path | None = _opt("--output", "-o", key="help.opt.doc_out"),
    pdf: bool = _opt("--pdf", key="help.opt.doc_pdf", default=False),
) -> None:
    doc, data = register().documents.reprint(number)
    target = out or Path(_safe_name(doc["number"]) + ".docx")
    _write(target, data)
    say(t("msg.doc_written", number=doc["number"], path=str(target), sha=doc["sha256"][:12] + "…"))
    if pdf:
        _pdf(target)


@doc_app.command("void", help=t("help.cmd.doc_void"))
def void(
    number: str = typer.Argument(..., help=t("help.arg.doc_number")),
    reason: str = _opt("--reason", key="help.opt.doc_reason", default=...),
) -> None:
    doc = register(write=True).documents.void(number, reason)
    say(t("msg.doc_voided", number=doc["number"]))
    if doc["deadlines_restored"]:
        say(t("msg.doc_deadlines_restored",
              deadlines=", ".join(f"{r['id']} {r['deadline'] or '—'}" for r in doc["deadlines_restored"])))


@template_app.command("export", help=t("help.cmd.doc_template_export"))
def template_export(
    name: str = typer.Argument(..., help=t("help.arg.template_name")),
    out: Path | None = _opt("--output", "-o", key="help.opt.doc_out"),
) -> None:
    text = register().documents.export_template(name)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    say(t("msg.template_exported", name=name, path=str(out)))


@template_app.command("import", help=t("help.cmd.doc_template_import"))
def template_import(
    name: str = typer.Argument(..., help=t("help.arg.template_name")),
    file: Path = typer.Argument(..., help=t("help.opt.doc_out")),
) -> None:
    if not file.is_file():
        raise InvalidInput("err.no_file", "file", path=str(file))
    register(write=True).documents.import_template(name, file.read_text(encoding="utf-8-sig"))
    say(t("msg.template_imported", name=name))


def install(app: typer.Typer) -> None:
    doc_app.add_typer(template_app, name="template")
    app.add_typer(doc_app, name="doc")
