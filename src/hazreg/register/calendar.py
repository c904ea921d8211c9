"""The official calendar for years the chinesecalendar package does not know yet.

The State Council publishes next year's holidays each November (国务院办公厅关于…部分节假日安排的
通知), before the package updates. `hazreg calendar import FILE` types that notice into the
register: for one year, the weekdays that are holidays (放假) and the weekend days that are
working days (调休上班). Working-day counts use it for that year (dates.is_working_day).
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from hazreg import dates
from hazreg.errors import InvalidInput
from hazreg.register.base import Context

KINDS = {
    "holiday": "holiday", "放假": "holiday", "休息": "holiday", "休": "holiday", "假": "holiday", "节假日": "holiday",
    "workday": "workday", "调休上班": "workday", "上班": "workday", "班": "workday", "调休": "workday",
    "补班": "workday", "working_day": "workday",
}
_HEADERS = {
    "date": "date", "日期": "date", "day": "date",
    "kind": "kind", "类型": "kind", "安排": "kind",
    "notice": "notice", "文号": "notice", "通知文号": "notice",
    "name": "name", "名称": "name", "节日": "name", "节假日": "name",
}


def by_year(rows: list[dict[str, Any]]) -> dict[int, dict[date, bool]]:
    """Stored calendar rows as dates.use_calendar takes them."""
    years: dict[int, dict[date, bool]] = {}
    for row in rows:
        day = date.fromisoformat(str(row["day"]))
        years.setdefault(day.year, {})[day] = row["kind"] == "workday"
    return years


class Calendar:
    """The register's own working-day calendar: import a year from the notice, show a year."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def years(self) -> list[int]:
        return sorted(dates.calendar_years())

    def read(self, path: Path) -> tuple[int, list[dict[str, Any]]]:
        """The year and the days of a calendar file, or InvalidInput naming the row and what is wrong."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise InvalidInput("err.calendar_file", "file", path=str(path), reason=error.strerror or str(error)) from None
        except UnicodeDecodeError:
            raise InvalidInput("err.calendar_file", "file", path=str(path), reason="not UTF-8") from None
        rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
        if not rows:
            raise InvalidInput("err.calendar_empty", "file", path=str(path))
        header = [_HEADERS.get(unicodedata.normalize("NFKC", h).strip().lower(), "") for h in rows[0]]
        missing = [c for c in ("date", "kind", "notice") if c not in header]
        if missing:
            raise InvalidInput("err.calendar_columns", "file", missing=", ".join(missing))
        days: list[dict[str, Any]] = []
        seen: dict[date, int] = {}
        for number, cells in enumerate(rows[1:], start=2):
            cell = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name}
            day = dates.parse_date(cell["date"], date(2000, 1, 1), "date") if cell["date"] else None
            if day is None:
                raise InvalidInput("err.calendar_row", "date", row=number, problem=_t("err.calendar_no_date"))
            kind = KINDS.get(unicodedata.normalize("NFKC", cell["kind"]).strip().lower())
            if kind is None:
                raise InvalidInput("err.calendar_row", "kind", row=number,
                                   problem=_t("err.calendar_kind", value=cell["kind"]))
            if not cell["notice"]:
                raise InvalidInput("err.calendar_row", "notice", row=number, problem=_t("err.calendar_no_notice"))
            if day in seen:
                raise InvalidInput("err.calendar_row", "date", row=number,
                                   problem=_t("err.calendar_duplicate", day=day, first=seen[day]))
            weekend = day.weekday() >= 5
            if kind == "holiday" and weekend:
                raise InvalidInput("err.calendar_row", "date", row=number, problem=_t("err.calendar_weekend_holiday", day=day))
            if kind == "workday" and not weekend:
                raise InvalidInput("err.calendar_row", "date", row=number, problem=_t("err.calendar_weekday_workday", day=day))
            seen[day] = number
            days.append({"day": day.isoformat(), "kind": kind, "notice": cell["notice"], "name": cell.get("name") or None,
                         "row": number})
        if not days:
            raise InvalidInput("err.calendar_empty", "file", path=str(path))
        years = sorted({date.fromisoformat(d["day"]).year for d in days})
        if len(years) > 1:
            counts = {y: sum(1 for d in days if d["day"].startswith(str(y))) for y in years}
            year = max(counts, key=lambda y: counts[y])
            stray = next(d for d in days if not d["day"].startswith(str(year)))
            raise InvalidInput("err.calendar_row", "date", row=stray["row"],
                               problem=_t("err.calendar_years", day=stray["day"], year=year))
        for d in days:
            del d["row"]
        return years[0], days

    def import_file(self, path: Path) -> dict[str, Any]:
        """A year of the calendar from the notice's file, replacing what the register had for that year,
        in one transaction and recorded in history."""
        year, days = self.read(path)
        notices = sorted({d["notice"] for d in days})
        with self.ctx.store.transaction():
            before = self.ctx.store.calendar_days(year)
            self.ctx.store.replace_calendar_year(year, days)
            summary = {"year": year, "notices": notices, "days": [_day(d) for d in days]}
            old = {"notices": sorted({str(d["notice"]) for d in before}), "days": [_day(d) for d in before]} if before else None
            self.ctx.log("calendar", year, "import" if not before else "replace", old, summary, note=path.name)
        self.ctx.load_calendar()
        return {"year": year, "notices": notices, "replaced": bool(before),
                "holidays": sum(1 for d in days if d["kind"] == "holiday"),
                "workdays": sum(1 for d in days if d["kind"] == "workday")}

    def show(self, year: int) -> dict[str, Any]:
        """A year's days that differ from Monday to Friday, and where they come from: the register
        (its notice), the chinesecalendar package, or nowhere (Monday to Friday is an estimate)."""
        if not 2000 <= year <= 2100:
            raise InvalidInput("err.calendar_year", "year", value=year)
        own = self.ctx.store.calendar_days(year)
        if own:
            return {"year": year, "source": "register", "notices": sorted({r["notice"] for r in own}),
                    "days": [{"day": str(r["day"]), "kind": r["kind"], "name": r["name"]} for r in own]}
        first, last = dates.package_years()
        if first <= year <= last:
            from chinese_calendar.constants import holidays, workdays

            days = [{"day": d.isoformat(), "kind": "holiday", "name": n} for d, n in holidays.items()
                    if d.year == year and d.weekday() < 5]
            days += [{"day": d.isoformat(), "kind": "workday", "name": n} for d, n in workdays.items()
                     if d.year == year and d.weekday() >= 5]
            return {"year": year, "source": "package", "notices": [], "days": sorted(days, key=lambda d: d["day"])}
        return {"year": year, "source": "none", "notices": [], "days": [], "first": first, "last": last}


def _day(row: dict[str, Any]) -> str:
    """A day as history keeps it: '2027-02-20 workday 春节'."""
    return " ".join(str(v) for v in (row["day"], row["kind"], row.get("name")) if v)


def _t(key: str, **params: Any) -> str:
    from hazreg.i18n import t

    return t(key, **params)
