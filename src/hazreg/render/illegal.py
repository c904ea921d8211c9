"""The 打非治违 form written out: XLSX in the national form's two tables (one A4 landscape sheet
each, the layout of render.forms.layout_sheet), JSON, CSV, Markdown and a terminal grid."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from typing import IO, Any

from hazreg.i18n import t
from hazreg.register.illegal import CATEGORIES, COLUMNS, MONEY, PENALTIES
from hazreg.render.forms import cell, industry_label, layout_sheet

TABLE1 = ("cases", *CATEGORIES)
TABLE2 = (*PENALTIES, *(f"{m}_wan" for m in MONEY))
YUAN = tuple(f"{m}_yuan" for m in MONEY)
CSV_COLUMNS = ("industry", "industry_label", *COLUMNS, *YUAN)


def lines(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows, the total and the period's own figures, as flat records (key, label, columns)."""
    labelled = [(r["industry"], industry_label(r["industry"]), r) for r in report["rows"]]
    labelled.append(("total", industry_label(None), report["total"]))
    labelled.append(("period", t(f"illegal.period_row.{report['kind']}"), report["period_total"]))
    return [{"industry": key, "industry_label": label, **{c: cell(r[c]) for c in (*COLUMNS, *YUAN)}}
            for key, label, r in labelled]


def header_lines(report: dict[str, Any]) -> list[str]:
    kind = report["kind"]
    return [t(f"illegal.title.{kind}"), t("form.unit", unit=report["header"]["unit"]),
            t("illegal.period", first=report["first"], last=report["last"], year_first=report["year_first"]),
            t(f"illegal.due.{kind}", due=report["due"].replace("T", " "))]


def to_json(report: dict[str, Any], out: IO[str]) -> None:
    data = {k: v for k, v in report.items() if k not in ("rows", "total", "period_total")}
    data["columns"] = {c: t(f"illegal.c.{c}") for c in COLUMNS}
    rows = lines(report)
    data["rows"], data["total"], data["period_total"] = rows[:-2], rows[-2], rows[-1]
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def to_csv(report: dict[str, Any], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in lines(report):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def _text(value: Any) -> str:
    return "—" if value is None else str(value)


def _tables() -> list[tuple[str, tuple[str, ...]]]:
    return [(t("illegal.table1"), TABLE1), (t("illegal.table2"), TABLE2)]


def grids(report: dict[str, Any]) -> list[tuple[str, Any]]:
    """The two tables as terminal grids."""
    from hazreg.render.grid import Grid

    out = []
    for title, columns in _tables():
        g = Grid([t("form.industry")] + [t(f"illegal.short.{c}") for c in columns],
                 keep_whole=tuple(range(len(columns) + 1)))
        for row in lines(report):
            g.rows.append([row["industry_label"]] + [_text(row[c]) for c in columns])
            g.styles.append("")
        out.append((title, g))
    return out


def to_markdown(report: dict[str, Any]) -> str:
    """Both tables under the header lines; the columns' full wording listed under each table."""
    from hazreg.render.weekly import _cell

    head = header_lines(report)
    text = [f"# {head[0]}", "", *(f"{line}  " for line in head[1:]), ""]
    for (title, columns), start in zip(_tables(), (0, 1), strict=True):  # 表1 numbers 合计 0, as the form does
        text += [f"## {title}", ""]
        text.append("| " + " | ".join([t("form.industry"), *(f"{n}. {t(f'illegal.short.{c}')}"
                                                            for n, c in enumerate(columns, start))]) + " |")
        text.append("|" + "---|" * (len(columns) + 1))
        for row in lines(report):
            text.append("| " + " | ".join([_cell(row["industry_label"]), *(_text(row[c]) for c in columns)]) + " |")
        text.append("")
        text += [f"{n}. {t(f'illegal.c.{c}')}" for n, c in enumerate(columns, start)]
        text.append("")
    return "\n".join(text)


def write_xlsx(report: dict[str, Any], out: IO[bytes]) -> None:
    """Two sheets, each the national form's table on one A4 landscape page: 表1 the illegal acts by
    kind (合计 = 1 + … + 13), 表2 the penalties and the fines (万元, two decimals)."""
    from openpyxl import Workbook

    wb = Workbook()
    title, unit_line, period_line, due_line = header_lines(report)
    footer = report["footer"]
    parts = [t("form.head", value=footer["head"]), t("form.reviewer", value=footer["reviewer"]),
             t("form.preparer", value=footer["preparer"]), t("form.phone", value=footer["phone"]),
             t("form.made_on", value=report["made_on"])]
    rows = lines(report)
    sheets = [
        (t("illegal.sheet1"), [(t("illegal.g.total"), [t("illegal.c.cases")]),
                               (t("illegal.g.categories"), [t(f"illegal.c.{c}") for c in CATEGORIES])], TABLE1, 170),
        (t("illegal.sheet2"), [(t("illegal.g.penalties"), [t(f"illegal.c.{c}") for c in PENALTIES]),
                               (t("illegal.g.money"), [t(f"illegal.c.{m}_wan") for m in MONEY])], TABLE2, 80),
    ]
    for n, (name, groups, columns, height) in enumerate(sheets):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = name
        values = [(r["industry_label"], [_value(r[c]) for c in columns]) for r in rows]
        layout_sheet(ws, t("illegal.sheet_title", title=title, sheet=name), unit_line,
                     f"{period_line}\n{due_line}", t("form.industry"), groups, values,
                     ["0.00"] * len(columns), parts, bold_rows=2, label_width=14, column_width=11,
                     header_height=height)
    wb.save(out)


def _value(value: Any) -> Any:
    """A cell as written: 万元 text back to an exact Decimal (shown with two decimals)."""
    return Decimal(value) if isinstance(value, str) else value
