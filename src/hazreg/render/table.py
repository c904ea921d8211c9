"""Rich tables and record views for people at a terminal.

Colour, boxes, overdue rows in red; NO_COLOR is respected. Chinese text is measured
by display width, so columns stay aligned, and long cells wrap (fold) instead of
being cut. Off a terminal, listings are drawn by `hazreg.render.grid.plain` instead,
and record views here print without colour.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from hazreg.enums import Status
from hazreg.i18n import t
from hazreg.register.lifecycle import PLAN_FIELDS, missing_plan
from hazreg.render.grid import (
    Grid,
    Panel,
    column_widths,
    evidence_lines,
    fit_columns,
    funds_text,
    hazard_grid,
    history_grid,
    label,
    safe_text,
    verification_label,
)
from hazreg.render.records import hazard_flags


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


_STYLES = {"overdue": "red", "major": "yellow", "void": "dim"}


def rich_table(grid: Grid, available: int | None = None) -> RenderableType:
    """A grid for a terminal: coloured rows, aligned Chinese, and columns fitted to its width
    (free text wraps, ids and headers stay whole; a grid too wide for even that is drawn in
    several tables, each repeating the id column)."""
    if available is None:
        panels = [Panel(list(range(len(grid.headers))), column_widths(grid), 2)]
    else:
        panels = fit_columns(grid, available)
    tables = [_panel_table(grid, panel) for panel in panels]
    return tables[0] if len(tables) == 1 else Group(*[part for table in tables for part in (table, Text(""))][:-1])


def _panel_table(grid: Grid, panel: Panel) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", pad_edge=False,
        padding=(0, panel.gap - 1, 0, 0), expand=False,
    )
    for index, size in zip(panel.columns, panel.widths, strict=True):
        table.add_column(grid.headers[index], overflow="fold", width=size)
    for cells, style in zip(grid.rows, grid.styles, strict=True):
        table.add_row(*(cells[i] for i in panel.columns), style=_STYLES.get(style, ""))
    return table


def _fields_table(row: dict[str, Any], fields: list[str], names: dict[str, str] | None = None) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for f in fields:
        value = row.get(f)
        if value is None or value == "":
            continue
        if f == "industry" and len(row.get("industries") or []) > 1:  # a unit in several industries
            shown = "、".join(label("industry", v) for v in row["industries"])
        else:
            shown = label(f, value)
        table.add_row((names or {}).get(f) or t("field." + f), shown)
    return table


def hazard_view(
    row: dict[str, Any], history: list[dict[str, Any]], today: date, tz: str,
    evidence: dict[str, list[dict[str, Any]]] | None = None,
) -> Group:
    title = Text(f"H{row['id']}  {safe_text(row['description'])}", style="bold")
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
        plan.add_row(mark, t("plan." + f), funds_text(row.get(f)) if f == "funds" else label(f, row.get(f)))
    parts: list[Any] = [title]
    if flags:
        parts.append(Text(flags, style="red bold"))
    names = {f: verification_label(f, row["level"]) for f in ("verified_by", "verified_on", "verify_note")}
    parts += [_fields_table(shown, fields, names), Text(""), Text(t("heading.plan"), style="bold underline"), plan]
    for heading, lines in evidence_lines(evidence or {}):
        parts += [Text(""), Text(heading, style="bold underline"), *(Text(line) for line in lines)]
    parts += [Text(""), Text(t("heading.history"), style="bold underline"), rich_table(history_grid(history, tz, False, row["level"]), console().width)]
    return Group(*parts)


def unit_view(row: dict[str, Any], hazards: list[dict[str, Any]], total: int, today: date) -> Group:
    title = Text(f"U{row['id']}  {safe_text(row['name'])}", style="bold")
    fields = ["credit_code", "industry", "locality", "address", "contact", "phone", "risk", "uid"]
    parts: list[Any] = [title, _fields_table(row, fields), Text("")]
    parts.append(Text(t("heading.unit_hazards", count=total), style="bold underline"))
    if hazards:
        parts.append(rich_table(hazard_grid(hazards, today), console().width))
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


def inspection_view(item: dict[str, Any], hazards: list[dict[str, Any]], today: date) -> Group:
    title = Text(f"I{item['id']}  {item['unit_name']} (U{item['unit_id']})  {item['on']}", style="bold")
    shown = {
        **item,
        "inspectors": "、".join(item["inspectors"]),
        "draw_id": f"D{item['draw_id']}" if item.get("draw_id") else None,
    }
    fields = ["on", "inspectors", "leader", "mode", "campaign", "draw_id", "department", "focus", "industry", "locality",
              "note", "uid"]
    parts: list[Any] = [title, _fields_table(shown, fields), Text("")]
    parts.append(Text(t("heading.inspection_hazards", count=len(hazards)), style="bold underline"))
    if hazards:
        parts.append(rich_table(hazard_grid(hazards, today), console().width))
    return Group(*parts)


def campaign_view(data: dict[str, Any]) -> Group:
    from hazreg.render.grid import coverage_grid

    cov = data["coverage"]
    total = cov["total"]
    start, end, today = (date.fromisoformat(data[k]) for k in ("start", "end", "today"))
    days = (end - start).days + 1
    elapsed = min(days, max(0, (today - start).days + 1))
    title = Text(f"{data['id']}  {data['name']}", style="bold")
    shown = {
        "start": data["start"], "end": data["end"],
        "industries": "、".join(label("industry", i) for i in data["industries"]) or t("col.all"),
        "localities": "、".join(data["localities"]) or t("col.all"),
        "progress": t("msg.campaign_days", elapsed=elapsed, days=days),
        "coverage": "—" if total["percent"] is None else f"{total['inspected']}/{total['units']} ({total['percent']}%)",
        "inspections": t("msg.campaign_inspections", tagged=data["inspections_tagged"], window=data["inspections_in_window"]),
    }
    parts: list[Any] = [title, _fields_table(shown, list(shown)), Text("")]
    parts.append(rich_table(coverage_grid(cov), console().width))
    return Group(*parts)
