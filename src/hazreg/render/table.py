"""Rich tables and record views for people at a terminal.

On a terminal: colour, boxes, overdue rows in red. Off a terminal (a pipe, a file,
cron): the same columns with no colour and no decoration. NO_COLOR is respected.
Chinese text is measured by display width, so columns stay aligned, and long
cells wrap (fold) instead of being cut.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from hazreg.dates import local_time
from hazreg.enums import Industry, LabeledEnum, Level, Risk, Source, Status
from hazreg.i18n import t
from hazreg.models import PLAN_FIELDS, missing_plan
from hazreg.render.records import hazard_flags

_ENUM_FIELDS: dict[str, type[LabeledEnum]] = {
    "industry": Industry, "risk": Risk, "level": Level, "status": Status, "source": Source,
}


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    width = None if terminal or os.environ.get("COLUMNS") else 160
    return Console(
        file=stream,
        width=width,
        no_color=bool(os.environ.get("NO_COLOR")) or not terminal,
        highlight=False,
        emoji=False,
        force_terminal=terminal or None,
    )


def label(field: str, value: Any) -> str:
    """A stored value as a person reads it: enum labels in the current language."""
    if value is None or value == "":
        return ""
    enum = _ENUM_FIELDS.get(field)
    if enum is not None:
        try:
            return enum.parse(value).label()
        except ValueError:
            return str(value)
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    return str(value)


def _table(con: Console, headers: list[str], keep_whole: tuple[int, ...] = ()) -> Table:
    plain = not con.is_terminal
    table = Table(
        box=None if plain else box.SIMPLE_HEAD,
        show_edge=False,
        header_style="" if plain else "bold",
        pad_edge=False,
    )
    for i, header in enumerate(headers):
        # Short codes (ids, dates, flags) stay whole; free text wraps, Chinese included.
        table.add_column(header, overflow="fold", no_wrap=i in keep_whole)
    return table


def hazard_table(rows: list[dict[str, Any]], today: date) -> Table:
    con = console()
    columns = ["id", "level", "status", "unit_name", "description", "deadline", "owner"]
    table = _table(con, [t("field." + c) for c in columns] + [t("col.flags")], keep_whole=(0, 5, 7))
    table.columns[4].ratio = 3
    table.columns[4].min_width = 16
    for row in rows:
        style = ""
        if row.get("overdue"):
            style = "red"
        elif row.get("level") == Level.MAJOR:
            style = "yellow"
        cells = [f"H{row['id']}"] + [label(c, row.get(c)) for c in columns[1:]]
        table.add_row(*cells, hazard_flags(row, today), style=style if con.is_terminal else "")
    return table


def unit_table(rows: list[dict[str, Any]]) -> Table:
    con = console()
    columns = ["id", "name", "credit_code", "industry", "locality", "risk", "contact", "phone"]
    table = _table(con, [t("field." + c) for c in columns] + [t("col.open_hazards")], keep_whole=(0, 2))
    for row in rows:
        cells = [f"U{row['id']}"] + [label(c, row.get(c)) for c in columns[1:]]
        table.add_row(*cells, str(row.get("open_hazards", "")))
    return table


def _describe_change(entry: dict[str, Any]) -> str:
    before, after = entry.get("before") or {}, entry.get("after") or {}
    if entry["action"] == "create":
        return t("history.created")
    parts = []
    for key in after:
        old, new = label(key, before.get(key)) or "∅", label(key, after.get(key)) or "∅"
        parts.append(f"{t('field.' + key, default=key)}: {old} → {new}")
    return "; ".join(parts)


def history_table(entries: list[dict[str, Any]], tz: str, with_record: bool) -> Table:
    con = console()
    headers = [t("field.at"), t("field.operator")]
    if with_record:
        headers.append(t("field.record_id"))
    headers += [t("field.action"), t("col.change"), t("field.note")]
    table = _table(con, headers)
    prefixes = {"unit": "U", "hazard": "H"}
    for e in entries:
        cells = [local_time(e["at"], tz), e["operator"]]
        if with_record:
            cells.append(f"{prefixes.get(e['record_type'], '')}{e['record_id']}")
        cells += [t("action." + e["action"], default=e["action"]), _describe_change(e), e.get("note") or ""]
        table.add_row(*cells)
    return table


def _fields_table(row: dict[str, Any], fields: list[str]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for f in fields:
        value = row.get(f)
        if value is None or value == "":
            continue
        table.add_row(t("field." + f), label(f, value))
    return table


def hazard_view(row: dict[str, Any], history: list[dict[str, Any]], today: date, tz: str) -> Group:
    title = Text(f"H{row['id']}  {row['description']}", style="bold")
    flags = hazard_flags(row, today)
    shown = dict(row, unit_name=f"{row['unit_name']} (U{row['unit_id']})")
    fields = [
        "unit_name", "level", "status", "industry", "locality", "source", "found_on", "found_by",
        "basis", "rectified_on", "verified_by", "verified_on", "verify_note", "closed_on",
        "void_reason", "uid",
    ]
    plan = Table.grid(padding=(0, 2))
    plan.add_column(no_wrap=True)
    plan.add_column(style="bold", no_wrap=True)
    plan.add_column(overflow="fold")
    missing = set(missing_plan(row))
    for f in PLAN_FIELDS:
        mark = Text("✗", style="red") if f in missing else Text("✓", style="green")
        plan.add_row(mark, t("plan." + f), label(f, row.get(f)))
    parts: list[Any] = [title]
    if flags:
        parts.append(Text(flags, style="red bold"))
    parts += [_fields_table(shown, fields), Text(""), Text(t("heading.plan"), style="bold underline"), plan]
    parts += [Text(""), Text(t("heading.history"), style="bold underline"), history_table(history, tz, False)]
    return Group(*parts)


def unit_view(row: dict[str, Any], hazards: list[dict[str, Any]], total: int, today: date) -> Group:
    title = Text(f"U{row['id']}  {row['name']}", style="bold")
    fields = ["credit_code", "industry", "locality", "address", "contact", "phone", "risk", "uid"]
    parts: list[Any] = [title, _fields_table(row, fields), Text("")]
    parts.append(Text(t("heading.unit_hazards", count=total), style="bold underline"))
    if hazards:
        parts.append(hazard_table(hazards, today))
    return Group(*parts)


def info_view(info: dict[str, Any]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.add_row(t("info.path"), str(info["path"]) + ("" if info["exists"] else f"  ({t('info.not_created')})"))
    table.add_row(t("info.schema"), str(info["schema_version"]))
    table.add_row(t("field.timezone"), info["timezone"])
    table.add_row(t("info.units"), str(info["units"]))
    by_status = ", ".join(
        f"{Status.parse(s).label()} {n}" for s, n in sorted(info["hazards_by_status"].items(), key=lambda x: list(Status).index(Status.parse(x[0])))
    )
    table.add_row(t("info.hazards"), f"{info['hazards']}" + (f"  ({by_status})" if by_status else ""))
    table.add_row(t("info.history"), str(info["history_entries"]))
    return table
