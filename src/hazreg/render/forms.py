"""The statistical form written out: XLSX in the official layout (one A4 landscape page), JSON,
CSV, and a terminal grid. Labels in the interface language (Chinese, or English with --lang en)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any

from hazreg.i18n import get_lang, t
from hazreg.register.forms import COLUMNS, Period

# The column groups of the official layout: (group label key or None, its columns).
GROUPS: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    ("form.g.units", ("units", "inspected", "coverage")),
    ("form.g.general", ("general_found", "general_rectified", "general_rate")),
    ("form.g.major", ("major_found", "major_closed", "major_rate", "major_planned", "major_guaranteed")),
    ("form.g.supervised", ("supervised_province", "supervised_city", "supervised_district")),
    (None, ("funds_wan",)),
)
CSV_COLUMNS = ("industry", "industry_label", *COLUMNS)


def industry_label(key: str | None) -> str:
    from hazreg.enums import Industry

    return t("col.total") if key is None else Industry.parse(key).label()


def cell(value: Any) -> Any:
    """A cell's value as scripts get it: counts as numbers, rates and 万元 as exact text."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def lines(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's rows then its total, as flat records (industry key, its label, every column)."""
    return [{"industry": r["industry"] if r["industry"] is not None else "total",
             "industry_label": industry_label(r["industry"]), **{c: cell(r[c]) for c in COLUMNS}}
            for r in [*report["rows"], report["total"]]]


def to_json(report: dict[str, Any], out: IO[str]) -> None:
    data = {k: v for k, v in report.items() if k not in ("rows", "total")}
    data["columns"] = {c: t(f"form.c.{c}") for c in COLUMNS}
    data["rows"] = lines(report)[:-1]
    data["total"] = lines(report)[-1]
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def to_csv(report: dict[str, Any], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in lines(report):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def _text(value: Any) -> str:
    return "—" if value is None else str(value)


def grid(report: dict[str, Any]) -> Any:
    from hazreg.render.grid import Grid

    g = Grid([t("form.industry")] + [t(f"form.c.{c}") for c in COLUMNS], keep_whole=tuple(range(len(COLUMNS) + 1)))
    for row in lines(report):
        g.rows.append([row["industry_label"]] + [_text(row[c]) for c in COLUMNS])
        g.styles.append("")
    return g


def header_lines(report: dict[str, Any]) -> list[str]:
    period = Period(report["kind"], _day(report["first"]), _day(report["last"]))
    due = t("form.due", due=report["due"]) if report["due"] else t("form.no_due")
    return [t("form.title"), t("form.unit", unit=report["header"]["unit"]),
            t("form.period", title=period.title(get_lang()), first=report["first"], last=report["last"]) + f"  {due}"]


def _day(text: str) -> Any:
    from datetime import date

    return date.fromisoformat(text)


def write_xlsx(report: dict[str, Any], out: IO[bytes]) -> None:
    """The form on one A4 landscape page: title, 填报单位 and period, two header rows with the
    groups merged, a row per industry and the total, and the signature line."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = report["period"]
    _title, unit_line, period_line = header_lines(report)
    groups = [(None if g is None else t(g), [t(f"form.c.{c}") for c in columns]) for g, columns in GROUPS]
    rows = [(industry_label(r["industry"]), [r[c] for c in COLUMNS]) for r in [*report["rows"], report["total"]]]
    formats = ["0.00" if c == "funds_wan" else "0.0" for c in COLUMNS]
    footer = report["footer"]
    parts = [t("form.head", value=footer["head"]), t("form.reviewer", value=footer["reviewer"]),
             t("form.preparer", value=footer["preparer"]), t("form.phone", value=footer["phone"]),
             t("form.made_on", value=report["made_on"])]
    layout_sheet(ws, t("form.title"), unit_line, period_line, t("form.industry"), groups, rows, formats, parts,
                 spans=[(1, 3), (4, 6), (7, 9), (10, 12), (13, 1 + len(COLUMNS))])
    wb.save(out)


def layout_sheet(ws: Any, title: str, left: str, right: str, first_header: str,
                 groups: Sequence[tuple[str | None, list[str]]], rows: list[tuple[str, list[Any]]],
                 formats: list[str], footer: list[str], spans: list[tuple[int, int]] | None = None,
                 bold_rows: int = 1, label_width: int = 16, column_width: int = 11, header_height: int = 52) -> None:
    """An official form on one A4 landscape sheet: the title, `left` (填报单位) and `right` (the
    period), two header rows with the groups merged over their columns (a group of None: its one
    column spans both rows), the rows (label, values; None shows "—", a Decimal keeps its digits
    with formats[i]), the last `bold_rows` rows bold, and the signature line `footer`."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    width = 1 + sum(len(columns) for _, columns in groups)
    last_col = get_column_letter(width)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    font = "SimSun" if get_lang() == "zh" else "Arial"

    # Title, then 填报单位 (left) and the period (right).
    ws["A1"] = title
    ws["A1"].font = Font(name=font, size=16, bold=True)
    ws["A1"].alignment = centre
    ws.merge_cells(f"A1:{last_col}1")
    ws.row_dimensions[1].height = 30
    half = width // 2
    ws["A2"] = left
    ws.merge_cells(f"A2:{get_column_letter(half)}2")
    ws.cell(2, half + 1, right)
    ws.merge_cells(start_row=2, start_column=half + 1, end_row=2, end_column=width)
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center")
    ws.cell(2, half + 1).alignment = Alignment(horizontal="right", vertical="center", wrap_text="\n" in right)
    if "\n" in right:
        ws.row_dimensions[2].height = 15 * (right.count("\n") + 1)

    # Two header rows: the groups (merged across their columns) and the columns.
    ws.cell(3, 1, first_header)
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    col = 2
    for group, columns in groups:
        if group is None:
            ws.cell(3, col, columns[0])
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
        else:
            ws.cell(3, col, group)
            ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(columns) - 1)
            for i, c in enumerate(columns):
                ws.cell(4, col + i, c)
        col += len(columns)
    ws.row_dimensions[3].height = 22
    ws.row_dimensions[4].height = header_height

    # The figures: counts as numbers, rates and 万元 as numbers with their decimals shown.
    row_no = 5
    for label, values in rows:
        ws.cell(row_no, 1, label)
        for i, value in enumerate(values, start=2):
            target = ws.cell(row_no, i)
            if value is None:
                target.value = "—"
            elif isinstance(value, Decimal):
                target.value = float(value)  # the Decimal's exact digits; shown with its format below
                target.number_format = formats[i - 2]
            else:
                target.value = value
        ws.row_dimensions[row_no].height = 24
        row_no += 1
    last_row = row_no - 1
    for r in range(3, last_row + 1):
        for j in range(1, width + 1):
            target = ws.cell(r, j)
            target.border = box
            target.alignment = centre
            target.font = Font(name=font, size=10, bold=r < 5 or r > last_row - bold_rows)

    # The signature line: 单位负责人, 审核人, 填表人, 联系电话, 填报日期.
    foot = last_row + 2
    if spans is None:
        step = max(1, width // len(footer))
        spans = [(1 + k * step, width if k == len(footer) - 1 else (k + 1) * step) for k in range(len(footer))]
    for text, (a, b) in zip(footer, spans, strict=True):
        ws.cell(foot, a, text).alignment = Alignment(horizontal="left", vertical="center")
        ws.cell(foot, a).font = Font(name=font, size=10)
        ws.merge_cells(start_row=foot, start_column=a, end_row=foot, end_column=b)
    for j in (1, half + 1):
        ws.cell(2, j).font = Font(name=font, size=10)

    ws.column_dimensions["A"].width = label_width
    for j in range(2, width + 1):
        ws.column_dimensions[get_column_letter(j)].width = column_width

    # One A4 landscape page, the header rows repeated if it ever runs over.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "3:4"
    ws.print_area = f"A1:{last_col}{foot}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
