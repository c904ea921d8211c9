"""Listings as grids of text: what each column says, decided once for every output.

A grid is drawn by Rich on a terminal (colour, wrapping) and as plain aligned text
anywhere else — one line per record, so `grep` and `awk` work on it, and without
loading Rich at all, which is a third of a listing's start-up.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, NamedTuple

from hazreg.dates import local_time
from hazreg.enums import (
    AccidentGrade,
    AccidentType,
    ActionType,
    CaseStep,
    Discretion,
    Hearing,
    IllegalCategory,
    Industry,
    Investigation,
    LabeledEnum,
    Level,
    LocalityKind,
    Mode,
    PartyKind,
    Risk,
    Source,
    Stage,
    Status,
    SupervisionLevel,
)
from hazreg.i18n import get_lang, t
from hazreg.render.records import hazard_flags

ENUM_FIELDS: dict[str, type[LabeledEnum]] = {
    "industry": Industry, "risk": Risk, "level": Level, "status": Status, "source": Source, "mode": Mode,
    "supervision_level": SupervisionLevel, "action_type": ActionType, "stage": Stage,
    "locality_kind": LocalityKind, "accident_type": AccidentType, "accident_grade": AccidentGrade,
    "investigation": Investigation, "illegal_category": IllegalCategory, "case_step": CaseStep,
    "discretion": Discretion, "party_kind": PartyKind, "hearing": Hearing,
}


class Grid:
    """Column headers, rows of cell texts, and how a terminal should draw them."""

    def __init__(self, headers: list[str], keep_whole: tuple[int, ...] = (), ratios: dict[int, int] | None = None) -> None:
        self.headers = headers
        self.rows: list[list[str]] = []
        self.styles: list[str] = []  # per row: "", "overdue", "major" or "void"
        self.keep_whole = keep_whole  # columns never wrapped: ids, dates, flags
        self.ratios = ratios or {}  # how free-text columns share a narrow terminal's width


def safe_text(text: str) -> str:
    """Text for a terminal or a table: control characters and invisible format characters
    (right-to-left overrides, zero-width marks) shown as <U+202E> instead of acting on
    the display. The register keeps the text exactly as given."""
    if text.isprintable() and not any(unicodedata.category(c) == "Cf" for c in text):
        return text
    return "".join(
        c if c.isprintable() and unicodedata.category(c) != "Cf" else f"<U+{ord(c):04X}>" for c in text
    )


def label(field: str, value: Any) -> str:
    """A stored value as a person reads it: enum labels in the current language, made safe."""
    if value is None or value == "":
        return ""
    enum = ENUM_FIELDS.get(field)
    if enum is not None:
        try:
            return enum.parse(value).label()
        except ValueError:
            return str(value)
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    return safe_text(str(value))


def funds_text(value: Any) -> str:
    """Funds as the interface shows them: 万元 in Chinese (治理资金（万元）, exact), yuan in English."""
    if value is None or value == "":
        return ""
    if get_lang() == "zh":
        from hazreg.money import to_wan

        return to_wan(value)
    return safe_text(str(value))


def verification_label(field: str, level: Any) -> str:
    """A general hazard is re-checked (复查人, 复查日期, 复查意见), a major one accepted (验收…)."""
    return t(("accept." if level == Level.MAJOR else "recheck.") + field)


def hazard_grid(rows: list[dict[str, Any]], today: date) -> Grid:
    columns = ["level", "status", "unit_name", "description", "deadline", "owner"]
    grid = Grid([t("field.id")] + [t("field." + c) for c in columns] + [t("col.flags")], keep_whole=(0, 5, 7), ratios={3: 1, 4: 3, 6: 1})
    for row in rows:
        grid.rows.append([f"H{row['id']}"] + [label(c, row.get(c)) for c in columns] + [hazard_flags(row, today)])
        grid.styles.append("overdue" if row.get("overdue") else "major" if row.get("level") == Level.MAJOR else "")
    return grid


def supervised_grid(rows: list[dict[str, Any]], today: date) -> Grid:
    """Listed hazards with their listing: body, level, notice number, supervision deadline."""
    columns = ["status", "unit_name", "description", "deadline"]
    grid = Grid([t("field.id")] + [t("field." + c) for c in columns]
                + [t("field.supervised_by"), t("field.supervision_level"), t("col.notice_no"), t("col.supervision_due"),
                   t("col.flags")], keep_whole=(0, 4, 7, 8), ratios={2: 1, 3: 3, 5: 1})
    for row in rows:
        grid.rows.append([f"H{row['id']}"] + [label(c, row.get(c)) for c in columns]
                         + [row.get("supervised_by") or "", label("supervision_level", row.get("supervision_level")),
                            row.get("notice_no") or "—", row.get("supervision_due") or "—", hazard_flags(row, today)])
        grid.styles.append("overdue" if row.get("overdue") or row.get("supervision_overdue") else "major")
    return grid


def unit_grid(rows: list[dict[str, Any]]) -> Grid:
    columns = ["name", "credit_code", "industry", "locality", "risk", "contact", "phone"]
    grid = Grid([t("field.id")] + [t("field." + c) for c in columns] + [t("col.open_hazards")], keep_whole=(0, 2, 7, 8), ratios={1: 2, 4: 1, 6: 1})
    for row in rows:
        cells = [_names(row.get("industries") or [row["industry"]], "industry") if c == "industry" else label(c, row.get(c))
                 for c in columns]
        grid.rows.append([f"U{row['id']}"] + cells + [str(row.get("open_hazards", ""))])
        grid.styles.append("")
    return grid


def _names(values: Any, field: str = "") -> str:
    if not values:
        return ""
    return "、".join(label(field, v) for v in values)


def inspection_grid(rows: list[dict[str, Any]]) -> Grid:
    columns = ["on", "unit_name", "inspectors", "leader", "mode", "campaign", "draw_id"]
    focus = any(row.get("focus") for row in rows)  # the column only when some inspection was made for a focus
    grid = Grid([t("field.id")] + [t("field." + c) for c in columns] + ([t("field.focus")] if focus else []),
                keep_whole=(0, 1), ratios={2: 2, 3: 1})
    for row in rows:
        grid.rows.append([
            f"I{row['id']}", row["on"], row["unit_name"], _names(row["inspectors"]), row.get("leader") or "",
            label("mode", row["mode"]), row.get("campaign") or "", f"D{row['draw_id']}" if row.get("draw_id") else "",
        ] + ([safe_text(row.get("focus") or "")] if focus else []))
        grid.styles.append("")
    return grid


def campaign_grid(rows: list[dict[str, Any]]) -> Grid:
    grid = Grid([t(f"field.{c}") for c in ("id", "campaign_name", "start", "end", "industries", "localities")]
                + [t("col.coverage")],
                keep_whole=(0, 2, 3, 6), ratios={1: 2, 4: 2, 5: 1})
    for row in rows:
        percent = "—" if row["percent"] is None else f"{row['inspected']}/{row['units']} {row['percent']}%"
        grid.rows.append([row["id"], row["name"], row["start"], row["end"],
                          _names(row["industries"], "industry") or t("col.all"),
                          _names(row["localities"]) or t("col.all"), percent])
        grid.styles.append("")
    return grid


def people_grid(rows: list[dict[str, Any]], columns: list[str]) -> Grid:
    grid = Grid([t("field.person" if c == "name" else "field." + c) for c in columns],
                ratios=dict.fromkeys(range(len(columns)), 1))
    for row in rows:
        grid.rows.append([_names(row[c], "industry" if c == "industries" else "") if isinstance(row.get(c), list)
                          else (row.get(c) or "") for c in columns])
        grid.styles.append("")
    return grid


def draws_grid(rows: list[dict[str, Any]], tz: str) -> Grid:
    headers = [t(f"field.{c}") for c in ("id", "created_at", "operator", "seed", "campaign")] + [t("col.drawn_inspected")]
    grid = Grid(headers + [t("field.note")], keep_whole=(0, 1, 3, 5))
    for row in rows:
        void = t("msg.draw_void", reason=row["void_reason"]) if row.get("void_reason") else ""
        grid.rows.append([row["id"], local_time(row["created_at"], tz), row["operator"], str(row["seed"]),
                          row.get("campaign") or "", f"{row['inspected']}/{row['drawn']}", void])
        grid.styles.append("void" if void else "")
    return grid


def draw_grid(rows: list[dict[str, Any]]) -> Grid:
    columns = ["name", "locality", "industry", "risk", "inspectors"]
    grid = Grid(["#", t("field.unit_id")] + [t("field." + c) for c in columns] + [t("col.inspected")],
                keep_whole=(0, 1, 7), ratios={2: 2, 6: 1})
    for row in rows:
        grid.rows.append([str(row["order"]), f"U{row['unit_id']}", row["name"], row["locality"],
                          label("industry", row["industry"]), label("risk", row["risk"]),
                          _names(row["inspectors"]), "✓" if row["inspected"] else ""])
        grid.styles.append("")
    return grid


def _cover(units: int, seen: int, percent: float | None = None) -> str:
    if units == 0:
        return ""
    return f"{seen}/{units}" if percent is None else f"{seen}/{units} {percent:.0f}%"


def coverage_grid(report: dict[str, Any]) -> Grid:
    """Localities down, industries across, each cell inspected/in scope, totals on both edges."""
    industries = [row["industry"] for row in report["by_industry"]]
    cells = {(c["locality"], c["industry"]): c for c in report["cells"]}
    grid = Grid([t("field.locality")] + [label("industry", i) for i in industries] + [t("col.total")],
                keep_whole=(0, len(industries) + 1))
    for total in report["by_locality"]:
        locality = total["locality"]
        row = [locality]
        for industry in industries:
            c = cells.get((locality, industry))
            row.append(_cover(c["units"], c["inspected"]) if c else "")
        row.append(_cover(total["units"], total["inspected"], total["percent"]))
        grid.rows.append(row)
        grid.styles.append("overdue" if total["inspected"] == 0 else "")
    bottom = [t("col.total")] + [_cover(r["units"], r["inspected"], r["percent"]) for r in report["by_industry"]]
    whole = report["total"]
    grid.rows.append(bottom + [_cover(whole["units"], whole["inspected"], whole["percent"])])
    grid.styles.append("")
    return grid


def department_grid(rows: list[dict[str, Any]]) -> Grid:
    """Per department: its industries, their units inspected/in scope, and its own inspections."""
    grid = Grid([t("field.department"), t("place.industries"), t("col.total"), t("col.inspections_by"),
                 t("col.units_checked")], keep_whole=(2, 3, 4), ratios={0: 1, 1: 2})
    for r in rows:
        grid.rows.append([safe_text(r["department"]), "、".join(label("industry", i) for i in r["industries"]),
                          _cover(r["units"], r["inspected"], r["percent"]), str(r["inspections"]),
                          str(r["units_checked"])])
        grid.styles.append("overdue" if r["units"] and r["inspected"] == 0 else "")
    return grid


def gaps_grid(units: list[dict[str, Any]]) -> Grid:
    columns = ["name", "risk", "locality", "industry", "contact", "phone"]
    grid = Grid([t("field.id")] + [t("field." + c) for c in columns] + [t("col.last_inspected")],
                keep_whole=(0, 7), ratios={1: 2})
    for unit in units:
        grid.rows.append([f"U{unit['id']}"] + [label(c, unit.get(c)) for c in columns] + [unit.get("last_inspected") or "—"])
        grid.styles.append("overdue" if unit.get("risk") in ("red", "orange") else "")
    return grid


def leaders_grid(report: dict[str, Any]) -> Grid:
    """ISO weeks down, leaders across: checks led in their own fields (announced/unannounced)."""
    leaders = report["leaders"]
    cells = {(r["leader"], r["week"]): r for r in report["rows"]}
    grid = Grid([t("col.week")] + leaders, keep_whole=tuple(range(len(leaders) + 1)))
    for week in report["weeks"]:
        row, empty = [week], False
        for leader in leaders:
            c = cells[(leader, week)]
            if c["checks"]:
                row.append(t("col.checks", checks=c["checks"], announced=c["announced"], unannounced=c["unannounced"]))
            else:
                row.append(t("col.no_check"))
                empty = True
        grid.rows.append(row)
        grid.styles.append("overdue" if empty else "")
    grid.rows.append([t("col.weeks_without")] + [str(report["weeks_without_check"][name]) for name in leaders])
    grid.styles.append("")
    return grid


def evidence_lines(evidence: dict[str, list[dict[str, Any]]]) -> list[tuple[str, list[str]]]:
    """A hazard's supervision, extensions, escalations, actions and files, as headed lines."""
    from hazreg.register.supervision import step_label

    sections: list[tuple[str, list[str]]] = []
    lines = []
    for s in evidence.get("supervisions", []):
        text = t("line.supervision", body=s["body"], level=label("supervision_level", s["level"]), on=s["listed_on"],
                 due=s["due"] or "—")
        if s.get("notice_no"):
            text += t("line.notice_no", notice=s["notice_no"])
        if s["delisted_on"]:
            text += " " + t("line.delisted", on=s["delisted_on"], note=s["delist_note"] or "")
        lines.append(text)
        for step in (x for x in evidence.get("supervision_steps", []) if x["supervision_id"] == s["id"]):
            lines.append("  " + t(f"line.step_{step['step']}", on=step["done_on"], by=step["done_by"],
                                  attachment=step["attachment_id"], note=step["note"] or ""))
    for state in evidence.get("closing", []):
        if state["accept_by"] and state["accept_late"]:
            lines.append("  " + t("line.accept_late", by=state["accept_by"]))
        elif state["accept_by"] and not state["accepted_on"]:
            lines.append("  " + t("line.accept_due", by=state["accept_by"]))
        from hazreg.register.supervision import closing_step_label

        lines.append("  " + t("line.next_step", next=closing_step_label(state["next"])))
    if lines:
        sections.append((t("heading.supervision"), lines))
    lines = [t("line.extension", old=e["from_deadline"] or "—", new=e["to_deadline"], reason=e["reason"],
               by=e["approved_by"] or "—") for e in evidence.get("extensions", [])]
    if lines:
        sections.append((t("heading.extensions"), lines))
    lines = [f"{e['done_on']}  {step_label(e['step'])}  {e['note'] or ''}".rstrip() for e in evidence.get("escalations", [])]
    if lines:
        sections.append((t("heading.escalations"), lines))
    lines = [
        "  ".join(x for x in (a["on"], label("action_type", a["type"]),
                              f"¥{a['amount']:,.2f}" if a["amount"] is not None else "", a["against"] or "",
                              a["note"] or "") if x)
        for a in evidence.get("actions", [])
    ]
    if lines:
        sections.append((t("heading.actions"), lines))
    lines = [f"A{a['id']}  {label('stage', a['stage'])}  {a['name']}  {a['size']:,} B  sha256 {a['sha256'][:12]}…"
             for a in evidence.get("attachments", [])]
    if lines:
        sections.append((t("heading.attachments"), lines))
    return sections


def escalations_grid(rows: list[dict[str, Any]]) -> Grid:
    grid = Grid([t("field.id"), t("field.unit_name"), t("field.description"), t("field.deadline"),
                 t("col.days_overdue"), t("col.step")], keep_whole=(0, 3, 4), ratios={1: 1, 2: 2})
    for row in rows:
        grid.rows.append([row["hazard_id"], row["unit_name"], row["description"], row["deadline"],
                          str(row["days_overdue"]), row["step_label"]])
        grid.styles.append("overdue")
    return grid


def actions_grid(rows: list[dict[str, Any]]) -> Grid:
    columns = ["id", "decided_on", "hazard_id", "unit_name", "type", "amount", "against", "note"]
    grid = Grid([t("field." + c) for c in columns], keep_whole=(0, 1, 2, 5), ratios={3: 2, 7: 1})
    for row in rows:
        grid.rows.append([row["id"], row["on"], row["hazard_id"], row["unit_name"], label("action_type", row["type"]),
                          row["amount"] or "", row["against"] or "", row["note"] or ""])
        grid.styles.append("")
    return grid


def bar(value: int, peak: int, width: int = 24) -> str:
    """An inline bar of eighth-blocks: the same length in a terminal, a pipe or a file."""
    if peak <= 0 or value <= 0:
        return ""
    eighths = max(1, round(width * 8 * value / peak))
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def stats_grid(rows: list[dict[str, Any]], by: str) -> Grid:
    columns = ["found", "open", "overdue", "closed", "void"]
    field = {"industry": "industry", "level": "level", "status": "status"}.get(by, "")
    grid = Grid([t(f"col.by_{by}")] + [t("weekly.f.found"), ""] + [t(f"col.stat_{c}") for c in columns[1:]],
                keep_whole=tuple(range(7)))
    peak = max(r["found"] for r in rows)
    for r in rows:
        grid.rows.append([label(field, r["group"]) if field else r["group"], str(r["found"]), bar(r["found"], peak)]
                         + [str(r[c]) for c in columns[1:]])
        grid.styles.append("")
    return grid


def trend_grid(rows: list[dict[str, Any]]) -> Grid:
    peak = max([1] + [max(r["open"], r["found"]) for r in rows])
    grid = Grid([t("col.week"), t("weekly.f.found"), "", t("col.stat_closed"), t("weekly.f.open"), "",
                 t("weekly.f.overdue"), ""], keep_whole=tuple(range(8)))
    for r in rows:
        grid.rows.append([r["week"], str(r["found"]), bar(r["found"], peak, 12), str(r["closed"]), str(r["open"]),
                          bar(r["open"], peak, 20), str(r["overdue"]), bar(r["overdue"], peak, 12)])
        grid.styles.append("overdue" if r["overdue"] else "")
    return grid


_ID_PREFIX = {"unit_id": "U", "hazard_id": "H", "inspection_id": "I", "campaign_id": "C", "draw_id": "D"}
_RECORD_PREFIX = {"unit": "U", "hazard": "H", "inspection": "I", "draw": "D", "campaign": "C", "leader": "L",
                  "inspector": "P", "accident": "E"}
_LIST_ITEMS = {"industries": "industry"}
_VERIFICATION = ("verified_by", "verified_on", "verify_note")


def _change_label(entry: dict[str, Any], key: str, level: Any) -> str:
    if key == "on" and entry["action"] == "action":
        return t("field.decided_on")  # an enforcement action's date is its decision's
    if key in _VERIFICATION and level is not None:
        return verification_label(key, level)
    return t(f"history.{key}", default=t(f"field.{key}", default=key))


def _change_value(key: str, value: Any) -> str:
    """A value in a history entry as it is shown everywhere else: U264, labels, 万元, names."""
    if value is None or value == "" or value == []:
        return ""
    if key in _ID_PREFIX and str(value).isdigit():
        return f"{_ID_PREFIX[key]}{value}"
    if key == "funds":
        return funds_text(value)
    if key in ("step", "escalation"):
        import json

        from hazreg.register.supervision import step_label

        if key == "step":
            return step_label(str(value))
        steps = json.loads(value) if isinstance(value, str) else value
        sep = "、" if get_lang() == "zh" else ", "
        return sep.join(t("history.ladder_step", step=step_label(step), days=days) for step, days in steps)
    if key == "type":
        return label("action_type", value)
    if isinstance(value, list):
        return _names(value, _LIST_ITEMS.get(key, key))
    return label(key, value)


def describe_change(entry: dict[str, Any], level: Any = None) -> str:
    """What a history entry changed, as `Field: old → new; …`, in the words shown elsewhere."""
    before, after = entry.get("before") or {}, entry.get("after") or {}
    if entry["action"] == "create":
        return t("history.created")
    parts = []
    for key in after:
        old, new = _change_value(key, before.get(key)) or "∅", _change_value(key, after.get(key)) or "∅"
        parts.append(f"{_change_label(entry, key, level)}: {old} → {new}")
    return "; ".join(parts)


def _record_name(entry: dict[str, Any]) -> str:
    if entry["record_type"] == "settings":
        return t("record.settings")
    if entry["record_type"] == "calendar":
        return t("record.calendar", year=entry["record_id"])
    return f"{_RECORD_PREFIX.get(entry['record_type'], '')}{entry['record_id']}"


def _action_name(action: str, level: Any) -> str:
    if level is not None and action in ("verify", "verify_fail"):
        return t(("accept." if level == Level.MAJOR else "recheck.") + "action_" + action)
    return t("action." + action, default=action)


def history_grid(entries: list[dict[str, Any]], tz: str, with_record: bool, level: Any = None) -> Grid:
    """Changes as rows; `level`, for one hazard's history, names its verification 复查 or 验收."""
    # The day a change took effect, where some differ from when they were written (an
    # imported ledger's dates, `done --on`): both are kept, both are shown.
    dated = any(local_time(e.get("effective_at") or e["at"], tz)[:10] != local_time(e["at"], tz)[:10] for e in entries)
    headers = [t("field.at"), *([t("field.effective_at")] if dated else []), t("field.operator")]
    if with_record:
        headers.append(t("field.record_id"))
    headers += [t("field.action"), t("col.change"), t("field.note")]
    grid = Grid(headers, keep_whole=(0, 1) if dated else (0,), ratios={len(headers) - 2: 3, len(headers) - 1: 1})
    for e in entries:
        cells = [local_time(e["at"], tz)]
        if dated:
            cells.append(local_time(e.get("effective_at") or e["at"], tz)[:10])
        cells.append(safe_text(e["operator"]))
        if with_record:
            cells.append(_record_name(e))
        cells += [_action_name(e["action"], level), describe_change(e, level), safe_text(e.get("note") or "")]
        grid.rows.append(cells)
        grid.styles.append("")
    return grid


def width(text: str) -> int:
    """Display width: Chinese characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _lines(grid: Grid) -> list[list[str]]:
    return [grid.headers] + [[" ".join(c.split()) for c in row] for row in grid.rows]


def column_widths(grid: Grid) -> list[int]:
    """Each column's display width with every cell on one line."""
    lines = _lines(grid)
    return [max(width(line[i]) for line in lines) for i in range(len(grid.headers))]


MIN_TEXT = 10  # a wrapped text column keeps at least five Chinese characters a line
MIN_SHORT = 8  # and a column of short values four
MAX_WORD = 16  # an English word longer than this (a path, a URL) may fold
GAPS = (2, 1)  # spaces between columns: two where they fit, else one


class Panel(NamedTuple):
    """Some of a grid's columns, each with the display width it gets, drawn as one table."""

    columns: list[int]
    widths: list[int]
    gap: int


def _longest_word(text: str, latin_only: bool = False) -> int:
    """The widest word; with `latin_only`, of the words that must not fold (Chinese folds between characters)."""
    return max((width(word) for word in text.split() if not latin_only or word.isascii()), default=0)


def column_floors(grid: Grid, natural: list[int]) -> list[int]:
    """The narrowest each column may be: headers and ids never break inside a word, text keeps a few words a line."""
    floors = []
    for i, header in enumerate(grid.headers):
        head = _longest_word(header)
        if i in grid.keep_whole:
            floors.append(max([head] + [_longest_word(row[i]) for row in grid.rows]))
        else:
            # free text keeps a few words a line, a short value (a level, a status) wraps sooner;
            # an English word is never broken unless it is longer than any column should be
            least = MIN_TEXT if i in grid.ratios else MIN_SHORT
            words = min(MAX_WORD, max([0] + [_longest_word(row[i], latin_only=True) for row in grid.rows]))
            floors.append(min(natural[i], max(head, least, words)))
    return floors


def _share(columns: list[int], widths: list[int], natural: list[int], extra: int, ratios: dict[int, int]) -> None:
    """Give `extra` columns of width to the columns that want more, by their ratios (free text first)."""
    while extra > 0:
        growing = [k for k, i in enumerate(columns) if widths[k] < natural[i]]
        if not growing:
            return
        weights = {k: ratios.get(columns[k], 1 if not ratios else 0) for k in growing}
        if not any(weights.values()):
            weights = dict.fromkeys(growing, 1)
        total = sum(weights.values())
        given = 0
        for k in growing:
            add = min(natural[columns[k]] - widths[k], max(1, extra * weights[k] // total) if weights[k] else 0,
                      extra - given)
            widths[k] += add
            given += add
        if given == 0:
            return
        extra -= given


def fit_columns(grid: Grid, available: int) -> list[Panel]:
    """How a grid fits `available` columns: one table if its columns fit at their floors (sharing
    what is left by the grid's ratios), else several tables one under another, each repeating
    the first column (the id), like a wide sheet printed on several pages."""
    natural = column_widths(grid)
    floors = column_floors(grid, natural)
    count = len(natural)
    every = list(range(count))
    for gap in GAPS:
        if sum(natural) + gap * (count - 1) <= available:
            return [Panel(every, natural, gap)]
    for gap in GAPS:
        room = available - gap * (count - 1)
        # two spaces between columns only if the text still gets as much again to wrap in
        if sum(floors) <= room and (gap == GAPS[-1] or room - sum(floors) >= count - 1):
            widths = list(floors)
            _share(every, widths, natural, room - sum(floors), grid.ratios)
            return [Panel(every, widths, gap)]
    gap = GAPS[0]
    rest = every[1:]
    parts = _split(rest, lambda group: sum(floors[i] for i in [0, *group]) + gap * len(group), available)
    panels = []
    for group in parts:
        columns = [0, *group]
        widths = [floors[i] for i in columns]
        room = available - gap * (len(columns) - 1)
        if sum(widths) > room:  # too narrow even for one column beside the id: it folds
            widths[-1] = max(1, room - widths[0])
        else:
            _share(columns, widths, natural, room - sum(widths), grid.ratios)
        panels.append(Panel(columns, widths, gap))
    return panels


def _split(columns: list[int], needs: Any, limit: int) -> list[list[int]]:
    """`columns` in as few consecutive groups as fit in `limit`, balanced so the widest group is as
    narrow as can be (a group of one column always "fits": it folds)."""
    from itertools import combinations
    from math import comb

    def fits(group: list[int]) -> bool:
        return len(group) == 1 or needs(group) <= limit

    greedy: list[list[int]] = []
    for column in columns:
        if greedy and fits([*greedy[-1], column]):
            greedy[-1].append(column)
        else:
            greedy.append([column])
    count = len(greedy)
    if comb(len(columns) - 1, count - 1) > 5000:  # very many columns: the greedy split is good enough
        return greedy
    best = greedy
    for cuts in combinations(range(1, len(columns)), count - 1):
        bounds = [0, *cuts, len(columns)]
        groups = [columns[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        if all(fits(g) for g in groups) and max(map(needs, groups)) < max(map(needs, best)):
            best = groups
    return best


def plain(grid: Grid) -> str:
    """The grid as aligned text, one line per row, nothing cut."""
    lines = _lines(grid)
    sized = [[(cell, width(cell)) for cell in line] for line in lines]  # each cell measured once
    widths = [max(line[i][1] for line in sized) for i in range(len(grid.headers))]
    out = []
    for line in sized:
        cells = [cell + " " * (widths[i] - size) for i, (cell, size) in enumerate(line)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"


def focus_grid(rows: list[dict[str, Any]]) -> Grid:
    """The units to check for a focus, in order: risk, industries, keywords, open hazards, days uninspected."""
    grid = Grid([t("field.id"), t("field.name"), t("field.locality"), t("field.risk"), t("field.industries"),
                 t("col.focus_keywords"), t("col.focus_hazards"), t("col.last_inspected"), t("col.days_uninspected")],
                keep_whole=(0,), ratios={1: 2})
    for row in rows:
        days = row["days_uninspected"]
        grid.rows.append([
            f"U{row['unit_id']}", safe_text(row["name"]), safe_text(row["locality"]), label("risk", row["risk"]),
            "、".join(label("industry", i) for i in row["industries"]), safe_text("、".join(row["keywords"])),
            "、".join(row["hazards"]), row["last_inspected"] or "—", "—" if days is None else str(days),
        ])
        grid.styles.append("overdue" if row["risk"] in ("red", "orange") else "")
    return grid


def focus_profiles_grid(items: list[dict[str, Any]]) -> Grid:
    grid = Grid([t("field.focus"), t("col.focus_aliases"), t("field.industries"), t("col.focus_keywords"),
                 t("col.focus_events")], keep_whole=(0,), ratios={3: 2, 4: 2})
    for item in items:
        grid.rows.append([
            safe_text(item["name"]), safe_text("、".join(item.get("aliases", []))),
            "、".join(label("industry", i) for i in item["industries"]), safe_text("、".join(item["keywords"])),
            safe_text("、".join(item.get("events", []))),
        ])
        grid.styles.append("")
    return grid
