"""The official statistical form: 生产经营单位事故隐患排查治理情况统计表, monthly, quarterly, annual.

Every figure is the register as it stood at the end of the period (00:00 of the day after its
last day, in the register's time zone): the hazards are replayed from the history by the weekly
report's walk (weekly.walk_between), units and inspections count only if recorded by then. So
a past period gives the same cells whenever the form is made. Rows are the industries
(行业和领域, every one, in the register's order) and a total; the columns are COLUMNS, each defined
in the README ("Statistical forms").
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import Industry, Level, Status, SupervisionLevel
from hazreg.errors import InvalidInput
from hazreg.register.lifecycle import missing_plan
from hazreg.storage import InspectionFilter, UnitFilter

if TYPE_CHECKING:
    from hazreg.register import Register

KINDS = ("monthly", "quarterly", "annual")
# Counted columns (summed into the total row), then the rates worked out from them.
COUNTS = ("units", "inspected", "general_found", "general_rectified", "major_found", "major_closed",
          "major_planned", "major_guaranteed", "supervised_province", "supervised_city", "supervised_district")
RATES = {"coverage": ("inspected", "units"), "general_rate": ("general_rectified", "general_found"),
         "major_rate": ("major_closed", "major_found")}
COLUMNS = ("units", "inspected", "coverage", "general_found", "general_rectified", "general_rate",
           "major_found", "major_closed", "major_rate", "major_planned", "major_guaranteed",
           "supervised_province", "supervised_city", "supervised_district", "funds_wan")
_LEVEL_COLUMN = {SupervisionLevel.PROVINCE.value: "supervised_province", SupervisionLevel.CITY.value: "supervised_city",
                 SupervisionLevel.DISTRICT.value: "supervised_district"}
FOOTER = ("head", "reviewer", "preparer", "phone")
SETTINGS = ("unit", *FOOTER)  # config keys form.unit, form.head, …
_FIXED = {Status.RECTIFIED.value, Status.CLOSED.value}
_WAN = Decimal("0.01")
_PERCENT = Decimal("0.1")
_PERIOD = {
    "monthly": re.compile(r"(\d{4})-?(\d{1,2})"),
    "quarterly": re.compile(r"(\d{4})-?[Qq]([1-4])"),
    "annual": re.compile(r"(\d{4})"),
}
# English month names whatever the process's locale (strftime's %B follows it).
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_KIND_ALIASES = {"月报": "monthly", "季报": "quarterly", "年报": "annual"}
_EXAMPLE = {"monthly": "2026-11", "quarterly": "2026Q4", "annual": "2026"}


def fen_to_wan(fen: int) -> Decimal:
    """Fen as 万元 with two decimals, rounded half up (四舍五入, the rule of 统计报表):
    1 234 500 fen (12 345 yuan) -> 1.23; 5 000 fen (50 yuan) -> 0.01; 4 999 fen -> 0.00."""
    return (Decimal(fen) / 1_000_000).quantize(_WAN, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, one decimal, rounded half up; None when there is nothing to divide."""
    if whole == 0:
        return None
    return (Decimal(100 * part) / whole).quantize(_PERCENT, rounding=ROUND_HALF_UP)


def _funds_fen(value: Any) -> int:
    """The plan's funds as the replayed state holds them: fen from the row (int), or yuan text
    from a history entry undone."""
    from hazreg.money import parse_yuan, to_fen

    if value in (None, ""):
        return 0
    if isinstance(value, int):
        return value
    return to_fen(parse_yuan(str(value)))


class Period:
    """A form's period: its kind, first and last days, label and deadline (None: no deadline)."""

    def __init__(self, kind: str, first: date, last: date) -> None:
        self.kind, self.first, self.last = kind, first, last

    @property
    def label(self) -> str:
        if self.kind == "monthly":
            return f"{self.first.year}-{self.first.month:02d}"
        if self.kind == "quarterly":
            return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    def title(self, lang: str) -> str:
        """The period as the form's header says it: 2026年11月 / 2026年第4季度 / 2026年度."""
        year = self.first.year
        if lang != "zh":
            return {"monthly": f"{_MONTHS[self.first.month - 1]} {year}", "quarterly": f"Q{(self.first.month - 1) // 3 + 1} {year}",
                    "annual": f"Year {year}"}[self.kind]
        if self.kind == "monthly":
            return f"{year}年{self.first.month}月"
        if self.kind == "quarterly":
            return f"{year}年第{(self.first.month - 1) // 3 + 1}季度"
        return f"{year}年度"

    @property
    def due(self) -> date | None:
        """总局16号令 第十四条: quarterly by the 15th of the next month, annual by 31 January.
        A monthly form has no deadline of its own."""
        if self.kind == "quarterly":
            return self.last + timedelta(days=15)
        if self.kind == "annual":
            return date(self.last.year + 1, 1, 31)
        return None


def period_of(kind: str, spec: str | None, today: date) -> Period:
    """The period asked for (2026-11, 2026Q4, 2026), by default the last complete one."""
    kind = _KIND_ALIASES.get((kind or "").strip(), (kind or "").strip().lower())
    if kind not in KINDS:
        raise InvalidInput("err.choice", "kind", value=kind, allowed=", ".join(KINDS))
    if spec is None:
        if kind == "monthly":
            first = dates.add_months(today.replace(day=1), -1)
        elif kind == "quarterly":
            first = dates.add_months(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), -3)
        else:
            first = date(today.year - 1, 1, 1)
    else:
        m = _PERIOD[kind].fullmatch(spec.strip())
        if not m or not 1 <= int(m[1]) <= 9999 or (kind == "monthly" and not 1 <= int(m[2]) <= 12):
            raise InvalidInput("err.form_period", "period", value=spec, example=_EXAMPLE[kind])
        year = int(m[1])
        first = {"monthly": lambda: date(year, int(m[2]), 1),
                 "quarterly": lambda: date(year, (int(m[2]) - 1) * 3 + 1, 1),
                 "annual": lambda: date(year, 1, 1)}[kind]()
    months = {"monthly": 1, "quarterly": 3, "annual": 12}[kind]
    return Period(kind, first, dates.add_months(first, months) - timedelta(days=1))


def forms_due(today: date) -> list[dict[str, Any]]:
    """The forms whose period has ended and whose deadline is today or later (for `due`)."""
    pending = []
    for kind in ("quarterly", "annual"):
        period = period_of(kind, None, today)
        if period.due is not None and period.due >= today:
            pending.append({"kind": kind, "period": period.label, "due": period.due.isoformat(),
                            "days_left": (period.due - today).days})
    return pending


# -- what the form counts -----------------------------------------------------------------------


def unit_industries(reg: Register, until: str) -> dict[int, list[str]]:
    """THE ONE PLACE a form learns a unit's industries: each unit recorded before `until` (UTC),
    with the industries it had then (its changes since undone from the history). A unit is
    counted once in each industry it lists."""
    industries: dict[int, list[str]] = {}
    for unit in reg.store.iter_units(UnitFilter()):
        if unit["created_at"] < until:
            industries[unit["id"]] = list(unit.get("industries") or [unit["industry"]])
    later = sorted(reg.store.history(record_type="unit", since=until), key=lambda e: e["seq"], reverse=True)
    for entry in later:  # latest first: each undone in turn
        before = entry.get("before") or {}
        if not isinstance(before, dict) or entry["record_id"] not in industries:
            continue
        if before.get("industries"):
            industries[entry["record_id"]] = list(before["industries"])
        elif before.get("industry"):
            industries[entry["record_id"]] = [before["industry"]]
    return industries


def _row() -> dict[str, Any]:
    return {**dict.fromkeys(COUNTS, 0), "funds_fen": 0}


def form(reg: Register, kind: str, spec: str | None = None) -> dict[str, Any]:
    """The statistical form of a period: header, rows by industry, the total row, footer."""
    period = period_of(kind, spec, reg.today())
    tz = reg.timezone
    start = dates.local_day_bounds(period.first, tz)[0]
    until = dates.local_day_bounds(period.last + timedelta(days=1), tz)[0]
    first, last = period.first.isoformat(), period.last.isoformat()
    rows = {i.value: _row() for i in Industry}

    def row(industry: str | None) -> dict[str, Any]:
        return rows.setdefault(industry or Industry.OTHER.value, _row())

    # Units to inspect and units inspected.
    units = unit_industries(reg, until)
    seen = {i["unit_id"] for i in reg.store.iter_inspections(InspectionFilter(since=period.first, until=period.last))
            if i["created_at"] < until}
    for unit_id, industries in units.items():
        for industry in industries:
            row(industry)["units"] += 1
            row(industry)["inspected"] += unit_id in seen

    # Hazards as they stood at the period's end, replayed.
    majors: list[tuple[int, str]] = []

    def visit(_lo: int, _hi: int, hazard_id: int, s: dict[str, Any], _supervised: bool) -> None:  # period 0
        found_on = s.get("found_on")
        if s.get("status") == Status.VOID.value or not found_on or not first <= found_on <= last:
            return
        r = row(s.get("industry"))
        fixed = s.get("status") in _FIXED
        if s.get("level") == Level.MAJOR.value:
            r["major_found"] += 1
            r["major_closed"] += s.get("status") == Status.CLOSED.value
            planned = s.get("measures") not in (None, "")
            r["major_planned"] += planned
            r["major_guaranteed"] += planned and not missing_plan(s)
            majors.append((hazard_id, s.get("industry") or Industry.OTHER.value))
        else:
            r["general_found"] += 1
            r["general_rectified"] += fixed
        r["funds_fen"] += _funds_fen(s.get("funds"))

    from hazreg.register.weekly import walk_between

    walk_between(reg, [start, until], visit)
    for hazard_id, industry in majors:  # the listing recorded by the period's end, if any
        listings = [s for s in reg.store.evidence(hazard_id)["supervisions"]
                    if s["created_at"] < until and s["listed_on"] <= last]
        if listings:
            row(industry)[_LEVEL_COLUMN[listings[-1]["level"]]] += 1

    total = _row()
    out = []
    for industry, r in rows.items():
        for key in (*COUNTS, "funds_fen"):
            total[key] += r[key]
        out.append(_finish({"industry": industry, **r}))
    wan_sum = sum((x["funds_wan"] for x in out), Decimal("0.00"))
    total_row = _finish({"industry": None, **total})
    # The total row is the sum of the rows as printed (so the form adds up); the exact total is kept.
    total_row["funds_wan"] = wan_sum
    return {
        "form": "生产经营单位事故隐患排查治理情况统计表", "kind": period.kind, "period": period.label,
        "first": first, "last": last, "due": period.due.isoformat() if period.due else None,
        "timezone": tz, "as_of": until, "made_on": reg.today().isoformat(),
        "header": {"unit": reg.store.setting("form.unit") or ""},
        "footer": {k: reg.store.setting(f"form.{k}") or "" for k in FOOTER},
        "rows": out, "total": total_row,
    }


def _finish(r: dict[str, Any]) -> dict[str, Any]:
    for name, (part, whole) in RATES.items():
        r[name] = percent(r[part], r[whole])
    r["funds_wan"] = fen_to_wan(r["funds_fen"])
    r["funds_yuan"] = (Decimal(r.pop("funds_fen")) / 100).quantize(_WAN)
    return r


def set_setting(reg: Register, key: str, value: str) -> None:
    """A form's header or footer text (form.unit, form.head, form.reviewer, form.preparer, form.phone)."""
    name = key.split(".", 1)[1]
    if name not in SETTINGS:
        raise InvalidInput("err.choice", "key", value=key, allowed=", ".join(f"form.{k}" for k in SETTINGS))
    value = value.strip()
    with reg.store.transaction():
        old = reg.store.setting(key)
        reg.store.set_setting(key, value)
        reg.ctx.log("settings", 0, key, {key: old}, {key: value})
