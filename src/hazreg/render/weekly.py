"""The weekly report as Markdown (for messages and documents) and as one self-contained
HTML file (for printing on A4): the same content, charts as inline SVG in the HTML.
No network, no scripts, no external fonts: it opens anywhere and prints as it shows."""

from __future__ import annotations

import unicodedata
from html import escape
from typing import Any

from hazreg.i18n import t
from hazreg.render.grid import label, safe_text

_FIGURES = ("found", "rectified", "closed", "voided", "reopened", "open", "overdue", "major_open",
            "major_supervised", "major_incomplete_plan")
_RATES = ("rectification_week", "rectification_cumulative", "rectification_major_week",
          "rectification_major_cumulative", "on_time_week", "on_time_cumulative")
_ENFORCEMENT = ("opened", "decided", "closed", "fines_decided", "fines_collected", "late_collected")
_DEFINITIONS = ("found", "events", "open", "overdue", "rectification", "on_time", "enforcement", "accidents")
CJK_FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
             '"WenQuanYi Micro Hei", "Noto Sans SC", sans-serif')


def _change(value: int | None) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else str(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _plan(h: dict[str, Any]) -> str:
    return "✓" if not h["missing"] else "✗ " + "、".join(t("plan." + m) for m in h["missing"])


def _more(r: dict[str, Any], key: str) -> int:
    """How many entries of a report list are left out (the lists show their first N)."""
    totals = (r.get("lists") or {}).get("totals") or {}
    return max(0, totals.get(key, len(r[key])) - len(r[key]))


Section = tuple[str, list[str], list[list[str]], int, str]


def _month(n: int) -> str:
    return t(f"month.{n}")


def _accident_cells(name: str, r: dict[str, Any]) -> list[str]:
    """One row of the accident table: this year, last year, 同比, indicator and pro rata, for
    accidents then deaths, and the warnings."""
    out = [name]
    for kind in ("accidents", "deaths"):
        yoy, goal = r[f"{kind}_yoy"], r[f"{kind}_target"]
        out += [str(r[kind]), str(r[f"{kind}_last"]), "—" if yoy is None else f"{yoy}%",
                "" if goal is None else str(goal), r[f"{kind}_pro_rata"] or ""]
    out.append(t("accident.flag_sep").join(t("accident.flag." + f) for f in r["flags"]))
    return out


def _accident_sections(a: dict[str, Any]) -> list[Section]:
    """The accidents of the year to the week's end against last year and the indicators, and
    month by month."""
    header = [t("accident.name"), t("accident.accidents"), t("accident.same_period"), t("accident.yoy"),
              t("accident.target"), t("accident.pro_rata"), t("accident.deaths"), t("accident.same_period"),
              t("accident.yoy"), t("accident.target"), t("accident.pro_rata"), t("accident.flags")]
    rows = [_accident_cells(t("accident.total"), a["total"])]
    rows += [_accident_cells(g["name"] or t("accident.no_locality"), g) for g in a["by_locality"]]
    rows += [_accident_cells(label("industry", g["name"]) or t("accident.no_locality"), g) for g in a["by_industry"]]
    first = f"{a['year']}-01-01"
    note = t("weekly.accidents_note", last_from=a["last_from"], last_through=a["last_through"], days=a["days"],
             accidents=a["week"]["accidents"], deaths=a["week"]["deaths"])
    year, last = a["year"], a["year"] - 1
    months = [[_month(m["month"]), str(m["accidents"]), str(m["accidents_last"]), str(m["deaths"]),
               str(m["deaths_last"])] for m in a["by_month"]]
    return [
        (t("weekly.accidents", first=first, through=a["through"], days=a["days"], days_in_year=a["days_in_year"]),
         header, rows, 0, note),
        (t("weekly.accidents_by_month", year=year, last=last),
         [t("weekly.month_col"), t("weekly.accidents_in", year=year), t("weekly.accidents_in", year=last),
          t("weekly.deaths_in", year=year), t("weekly.deaths_in", year=last)], months, 0,
         t("weekly.accidents_by_month_note", through=a["through"][5:])),
    ]


def _sections(r: dict[str, Any]) -> list[Section]:
    """The report's tables: (title, header, rows, how many rows left out, a line under the
    title), shared by Markdown and HTML."""
    out: list[Section] = []
    out.append((t("weekly.headline"), [t("weekly.figure"), r["week"], t("weekly.change")],
                [[t("weekly.f." + k), str(r["figures"][k]), _change(r["change"][k])] for k in _FIGURES], 0, ""))
    out.append((t("weekly.rates"), [t("weekly.rate"), t("weekly.value")],
                [[t("weekly.r." + k), _pct(r["rates"][k])] for k in _RATES], 0, ""))
    for key in ("industry", "locality"):
        rows = [[label(key, g[key]) or "—", str(g["found"]), str(g["open"]), str(g["overdue"])] for g in r[f"by_{key}"]]
        out.append((t(f"weekly.by_{key}"), [t(f"field.{key}"), t("weekly.f.found"), t("weekly.f.open"),
                                           t("weekly.f.overdue")], rows, 0, ""))
    if r.get("by_department"):
        out.append((t("weekly.by_department"),
                    [t("field.department"), t("place.industries"), t("weekly.f.found"), t("weekly.f.open"),
                     t("weekly.f.overdue"), t("col.inspections_by"), t("col.units_checked")],
                    [[safe_text(g["department"]), "、".join(label("industry", i) for i in g["industries"]),
                      str(g["found"]), str(g["open"]), str(g["overdue"]), str(g["inspections"]),
                      str(g["units_inspected"])] for g in r["by_department"]], 0, ""))
    out.append((t("weekly.overdue_list"),
                [t("field.id"), t("field.unit_name"), t("field.description"), t("field.deadline"),
                 t("col.days_overdue"), t("field.owner")],
                [[f"H{h['id']}", h["unit_name"], h["description"], h["deadline"], str(h["days_overdue"]),
                  h.get("owner") or ""] for h in r["overdue"]], _more(r, "overdue"), ""))
    out.append((t("weekly.majors"),
                [t("field.id"), t("field.unit_name"), t("field.description"), t("heading.plan"),
                 t("heading.supervision"), t("field.deadline"), t("field.status")],
                [[f"H{h['id']}", h["unit_name"], h["description"], _plan(h), t("yes") if h["supervised"] else t("no"),
                  h.get("deadline") or "", label("status", h["status"])] for h in r["majors"]], _more(r, "majors"), ""))
    if r.get("supervision") is not None:
        sup = r["supervision"]
        out.append((t("weekly.supervision", listed=sup["listed"], overdue=sup["overdue"], on=sup["as_of"]),
                    [t("field.id"), t("field.unit_name"), t("field.description"), t("field.supervised_by"),
                     t("field.supervision_level"), t("col.notice_no"), t("col.supervision_due"),
                     t("col.supervision_overdue")],
                    [[h["id"], h["unit_name"], h["description"], h["supervised_by"],
                      label("supervision_level", h["supervision_level"]), h["notice_no"] or "—",
                      h["supervision_due"] or "—", t("flag.supervision_overdue") if h["supervision_overdue"] else ""]
                     for h in sup["hazards"]], 0, ""))
    if r.get("closed_incomplete"):  # shown only where there are some, so nobody takes them for properly closed
        out.append((t("weekly.closed_incomplete"),
                     [t("field.id"), t("field.unit_name"), t("field.description"), t("weekly.missing")],
                     [[f"H{h['id']}", h["unit_name"], h["description"], "、".join(t("plan." + m, default=t("field." + m)) for m in h["missing"])]
                      for h in r["closed_incomplete"]], _more(r, "closed_incomplete"), ""))
    activity = r["activity"]
    rows = [[t("weekly.a.inspections"), str(activity["inspections"])],
            [t("weekly.a.leader_checks"), str(activity["leader_checks"])],
            [t("weekly.a.unannounced"), str(activity["unannounced"])]]
    for kind, a in sorted(activity["actions"].items()):
        rows.append([label("action_type", kind), str(a["count"]) + (f"  ¥{a['fines']}" if a["fines"] else "")])
    if r["coverage"]:
        c = r["coverage"]
        rows.append([t("weekly.a.coverage", campaign=c["campaign"]), f"{c['inspected']}/{c['units']} ({_pct(c['percent'])})"])
    out.append((t("weekly.activity"), [t("weekly.item"), t("weekly.value")], rows, 0, ""))
    if r.get("enforcement") is not None:
        e = r["enforcement"]
        out.append((t("weekly.enforcement"), [t("weekly.item"), t("weekly.this_week"),
                                              t("weekly.year_to", first=e["year_first"], through=e["through"])],
                    [[t(f"weekly.e.{k}"), str(e["week"][k]), str(e["year"][k])] for k in _ENFORCEMENT], 0, ""))
    if r.get("accidents") is not None:
        out += _accident_sections(r["accidents"])
    return out


# Markdown's own marks, escaped with a backslash so a description like **急** [点我](javascript:…)
# shows as typed; < > & become entities, so no HTML typed into a record reaches a viewer.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]|~"})


def _cell(text: str) -> str:
    """A table cell of the Markdown report: control and direction characters shown as <U+202E>
    (as in the tables), HTML and Markdown shown as text."""
    # <U+202E> is no HTML tag (a tag name has no +): it is added after the escaping, as it reads.
    return safe_text(escape(text.replace("\n", " "), quote=False).translate(_MARKDOWN))


def _html(text: str) -> str:
    """User text in the HTML report: escaped, control characters shown as <U+001B>, and isolated
    (<bdi>) so a right-to-left override in a name cannot turn the rest of the row around."""
    if not text.isprintable():
        text = "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) == "Cc" else c for c in text)
    return f"<bdi>{escape(text)}</bdi>"


def to_markdown(r: dict[str, Any]) -> str:
    lines = [f"# {t('weekly.title', week=r['week'], monday=r['monday'], sunday=r['sunday'])}", ""]
    for title, header, rows, more, note in _sections(r):
        lines += [f"## {title}", ""]
        if note:
            lines += [_cell(note), ""]
        if not rows:
            lines += [t("weekly.none"), ""]
            continue
        lines.append("| " + " | ".join(_cell(h) for h in header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        lines.append("")
        if more:
            lines += [t("weekly.more", n=more), ""]
    lines += [f"## {t('weekly.trend')}", "", f"| {t('col.week')} | {t('weekly.f.found')} | {t('weekly.f.closed')} |",
              "|---|---|---|"]
    lines += [f"| {w['week']} | {w['found']} | {w['closed']} |" for w in r["trend"]]
    lines += ["", f"## {t('weekly.definitions')}", ""]
    lines += [f"- {t('weekly.d.' + d)}" for d in _DEFINITIONS]
    lines += ["", t("weekly.footer", timezone=r["timezone"])]
    return "\n".join(lines) + "\n"


def _svg_columns(trend: list[dict[str, Any]]) -> str:
    """Found and closed per week: pairs of columns, twelve weeks."""
    width, height, top, bottom, left = 680, 220, 20, 40, 36
    peak = max([1] + [max(w["found"], w["closed"]) for w in trend])
    slot = (width - left - 10) / len(trend)
    bar = slot * 0.35
    scale = (height - top - bottom) / peak
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(t("weekly.chart_trend"))}">']
    for step in range(0, peak + 1, max(1, peak // 4)):
        y = height - bottom - step * scale
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{step}</text>')
    for i, w in enumerate(trend):
        x = left + i * slot + slot * 0.12
        for j, (key, colour) in enumerate((("found", "#d9822b"), ("closed", "#2b8a3e"))):
            h = w[key] * scale
            parts.append(f'<rect x="{x + j * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"><title>{w["week"]} {escape(t("weekly.f." + key))} '
                         f'{w[key]}</title></rect>')
        parts.append(f'<text x="{x + bar:.1f}" y="{height - bottom + 14}" font-size="9" '
                     f'text-anchor="middle">{w["week"][-3:]}</text>')
    parts.append(f'<rect x="{left}" y="{height - 14}" width="10" height="10" fill="#d9822b"/>'
                 f'<text x="{left + 14}" y="{height - 5}" font-size="11">{escape(t("weekly.f.found"))}</text>'
                 f'<rect x="{left + 110}" y="{height - 14}" width="10" height="10" fill="#2b8a3e"/>'
                 f'<text x="{left + 124}" y="{height - 5}" font-size="11">{escape(t("weekly.f.closed"))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_bars(items: list[tuple[str, int]], colour: str, caption: str) -> str:
    """Horizontal bars, one per label: open by industry, overdue by locality."""
    items = [i for i in items if i[1]] or [("—", 0)]
    row, label_w, width = 22, 130, 330
    height = row * len(items) + 8
    peak = max([1] + [v for _, v in items])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(caption)}">']
    for i, (name, value) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - 40) * value / peak
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end">{escape(name)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="14" fill="{colour}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="11">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_months(months: list[dict[str, Any]], kind: str, year: int) -> str:
    """This year against last, month by month, for `kind` (accidents or deaths): a pair of
    columns per month on one scale (`data-unit` pixels per accident or death), each with its
    count over it; last year grey, this year red."""
    width, height, top, bottom, left = 680, 190, 24, 40, 36
    peak = max([1] + [max(m[kind], m[kind + "_last"]) for m in months])
    slot = (width - left - 10) / 12
    bar = slot * 0.36
    unit = (height - top - bottom) / peak
    base = height - bottom
    caption = t("weekly.chart_accidents." + kind)
    colours = ((year - 1, kind + "_last", "#adb5bd"), (year, kind, "#c92a2a"))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(caption)}" data-chart="accidents-{kind}" data-unit="{unit:.4f}">',
             f'<text x="{left}" y="14" font-size="11" font-weight="bold">{escape(caption)}</text>']
    for step in range(0, peak + 1, max(1, peak // 4)):
        y = base - step * unit
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{step}</text>')
    for i, m in enumerate(months):
        x = left + i * slot + slot * 0.14
        for j, (which, key, colour) in enumerate(colours):
            value = m[key]
            h = value * unit
            parts.append(f'<rect x="{x + j * bar:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{colour}" data-year="{which}" data-month="{m["month"]}" data-value="{value}">'
                         f'<title>{escape(_month(m["month"]))} {which} {escape(t("accident." + kind))} {value}'
                         f'</title></rect>')
            if value:
                parts.append(f'<text x="{x + j * bar + bar / 2:.1f}" y="{base - h - 3:.1f}" font-size="9" '
                             f'text-anchor="middle" data-value="{value}">{value}</text>')
        parts.append(f'<text class="month" x="{x + bar:.1f}" y="{base + 14}" font-size="10" '
                     f'text-anchor="middle">{escape(_month(m["month"]))}</text>')
    for k, (which, _key, colour) in enumerate(colours):
        parts.append(f'<rect x="{left + k * 90}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{left + 14 + k * 90}" y="{height - 5}" font-size="11">{which}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(r: dict[str, Any]) -> str:
    title = t("weekly.title", week=r["week"], monday=r["monday"], sunday=r["sunday"])
    body = [f"<h1>{escape(title)}</h1>"]
    sections = _sections(r)
    charts = {
        1: (t("weekly.chart_trend"), _svg_columns(r["trend"])),
        2: (t("weekly.chart_open_industry"),
            _svg_bars([(label("industry", g["industry"]), g["open"]) for g in r["by_industry"]], "#d9822b",
                      t("weekly.chart_open_industry"))),
        3: (t("weekly.chart_overdue_locality"),
            _svg_bars([(g["locality"], g["overdue"]) for g in r["by_locality"]], "#c92a2a",
                      t("weekly.chart_overdue_locality"))),
    }
    if r.get("accidents") is not None:
        a = r["accidents"]
        charts[len(sections) - 1] = (
            t("weekly.chart_accidents", through=a["through"][5:]),
            "".join(_svg_months(a["by_month"], kind, a["year"]) for kind in ("accidents", "deaths")))
    for n, (heading, header, rows, more, note) in enumerate(sections):
        body.append(f"<section><h2>{escape(heading)}</h2>")
        if note:
            body.append(f"<p>{escape(note)}</p>")
        if rows:
            body.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead><tbody>")
            body += ["<tr>" + "".join(f"<td>{_html(c)}</td>" for c in row) + "</tr>" for row in rows]
            body.append("</tbody></table>")
            if more:
                body.append(f'<p class="more">{escape(t("weekly.more", n=more))}</p>')
        else:
            body.append(f"<p>{escape(t('weekly.none'))}</p>")
        if n in charts:
            caption, svg = charts[n]
            body.append(f'<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>')
        body.append("</section>")
    body.append(f"<section><h2>{escape(t('weekly.definitions'))}</h2><ul>")
    body += [f"<li>{escape(t('weekly.d.' + d))}</li>" for d in _DEFINITIONS]
    body.append(f"</ul><p class=\"foot\">{escape(t('weekly.footer', timezone=r['timezone']))}</p></section>")
    style = f"""
@page {{ size: A4; margin: 14mm 12mm; }}
body {{ font-family: {CJK_FONTS}; font-size: 10.5pt; color: #222; max-width: 186mm; margin: 0 auto; }}
h1 {{ font-size: 17pt; margin: 0 0 8pt; }}
h2 {{ font-size: 12.5pt; border-bottom: 1.5pt solid #c92a2a; padding-bottom: 2pt; margin: 14pt 0 6pt; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 0.5pt solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }}
th {{ background: #f1f3f5; }}
td:nth-child(n+2) {{ font-variant-numeric: tabular-nums; }}
section {{ break-inside: avoid-page; }}
figure {{ margin: 6pt 0; }} figcaption {{ font-size: 9pt; color: #555; }}
svg text {{ font-family: {CJK_FONTS}; fill: #333; unicode-bidi: isolate; }}
bdi {{ unicode-bidi: isolate; }}
.foot {{ font-size: 8.5pt; color: #666; }}
"""
    return (f'<!DOCTYPE html>\n<html lang="{escape(t("weekly.lang"))}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
