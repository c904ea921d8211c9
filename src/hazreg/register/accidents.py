"""Production safety accidents (生产安全事故) and the year's control indicators (控制指标).

An accident's grade is computed, never typed: the thresholds of 《生产安全事故报告和调查处理条例》
第三条, where "以上包括本数，以下不包括本数" — 3 deaths is 较大, 10 is 重大, 30 特别重大; 10, 50 and
100 serious injuries; 1000万, 5000万 and 1亿元 of direct loss. The highest of the three counts.

The report counts this year to date against the same period last year (同比) and against each
indicator pro rata to the day (the indicator × days elapsed / days in the year), exactly.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import AccidentGrade, AccidentType, Industry, Investigation
from hazreg.errors import InvalidInput, NotFound
from hazreg.money import as_wan, parse_yuan, to_fen
from hazreg.register.base import Context, diff, new_uid, parse_id, plain

if TYPE_CHECKING:
    from hazreg.register.places import Places
    from hazreg.register.units import Units

PREFIX = "E"
# (deaths, serious injuries, direct loss in 万元) from which each grade begins, highest first.
THRESHOLDS = (
    (AccidentGrade.ESPECIALLY_MAJOR, 30, 100, Decimal(10000)),
    (AccidentGrade.MAJOR, 10, 50, Decimal(5000)),
    (AccidentGrade.LARGER, 3, 10, Decimal(1000)),
)
_FEN_PER_WAN = 1_000_000
_TIME = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
COUNTS = ("deaths", "serious_injuries", "injuries")
# The fields an accident keeps, as history records them.
FIELDS = ("occurred_at", "occurred_on", "unit_id", "party", "locality", "industry", "type", "deaths",
          "serious_injuries", "injuries", "direct_loss_fen", "grade", "investigation", "note", "case_id")
KINDS = ("accidents", "deaths")
Rows = list[dict[str, Any]]  # (the service's `list` method hides the builtin in its class)


def grade_of(deaths: int, serious: int, loss_wan: Decimal) -> AccidentGrade:
    """The grade by 条例第三条: each threshold counts itself (以上包括本数)."""
    for grade, d, s, loss in THRESHOLDS:
        if deaths >= d or serious >= s or loss_wan >= loss:
            return grade
    return AccidentGrade.GENERAL


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def pro_rata(target: int, through: date) -> Fraction:
    """The part of a year's indicator that corresponds to the days elapsed, `through` included."""
    elapsed = through.timetuple().tm_yday
    return Fraction(target * elapsed, days_in_year(through.year))


def same_period_last_year(through: date) -> tuple[date, date]:
    """1 January to the same day of the year before (29 February: the 28th)."""
    year = through.year - 1
    day = min(through.day, calendar.monthrange(year, through.month)[1])
    return date(year, 1, 1), date(year, through.month, day)


def yoy_percent(this: int, last: int) -> Decimal | None:
    """同比: the change on last year's figure in per cent, to one decimal; None when last year had none."""
    if last == 0:
        return Decimal("0.0") if this == 0 else None
    return (Decimal(this - last) * 100 / Decimal(last)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def two_places(value: Fraction) -> str:
    """A fraction rounded half up to two decimals (only the shown figure is rounded)."""
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def wan_text(fen: int) -> str:
    """Fen as 万元, exact, with at least two decimals: 812500000 -> '812.50'."""
    text = f"{Decimal(fen).scaleb(-6):f}"
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(2, "0")
    return f"{whole}.{decimals}"


def _count(value: Any, field: str) -> int:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not re.fullmatch(r"\d{1,6}", text, re.ASCII):
        raise InvalidInput("err.people_count", field, value=value)
    return int(text)


def _text(value: Any) -> str | None:
    text = unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""
    return text or None


class Accidents:
    """Accidents (事故) and control indicators (控制指标): record, correct, list, report."""

    def __init__(self, ctx: Context, units: Units, places: Places) -> None:
        self.ctx = ctx
        self.units = units
        self.places = places

    # -- accidents ---------------------------------------------------------------------------

    def find(self, ref: str | int) -> dict[str, Any]:
        accident_id = parse_id(ref, PREFIX, "accident")
        found = self.ctx.store.accident(accident_id)
        if found is None:
            raise NotFound("err.accident_not_found", ref=f"{PREFIX}{accident_id}")
        return found

    def _occurred(self, text: Any) -> tuple[str, str]:
        """(occurred_at, occurred_on) from '2026-11-20 14:30', '2026-11-20T14:30', '2026-11-20' or today."""
        if text is None or str(text).strip() == "":
            day = self.ctx.happened(None, "occurred")
            return day.isoformat(), day.isoformat()
        raw = unicodedata.normalize("NFKC", str(text)).strip()
        parts = raw.replace("T", " ").rsplit(" ", 1) if _TIME.search(raw) else [raw]
        clock = ""
        if len(parts) == 2:
            m = _TIME.fullmatch(parts[1].strip())
            if not m or int(m[1]) > 23 or int(m[2]) > 59:
                raise InvalidInput("err.accident_time", "occurred", value=text)
            clock = f"T{int(m[1]):02d}:{m[2]}"
        elif _TIME.search(raw):
            raise InvalidInput("err.accident_time", "occurred", value=text)
        day = self.ctx.happened(parts[0].strip(), "occurred")
        return day.isoformat() + clock, day.isoformat()

    def _build(self, data: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
        """The fields to keep, from what was typed over what is kept (`current`), grade computed."""
        record: dict[str, Any] = {k: current[k] for k in FIELDS} if current else {
            "investigation": Investigation.REPORTED.value, "note": None, "party": None, "unit_id": None,
            "locality": None, "industry": None, "deaths": 0, "serious_injuries": 0, "injuries": 0,
            "direct_loss_fen": 0, "case_id": None}
        if current is None or data.get("occurred") is not None:
            record["occurred_at"], record["occurred_on"] = self._occurred(data.get("occurred"))
        unit = None
        if data.get("unit") is not None:
            unit = self.units.find(data["unit"])
            record["unit_id"] = unit["id"]
            record["locality"] = unit.get("locality")
            record["industry"] = (unit.get("industries") or [unit["industry"]])[0]
        if data.get("party") is not None:
            record["party"] = _text(data["party"])
        if record["unit_id"] is None and not record["party"]:
            raise InvalidInput("err.accident_whose")
        if data.get("locality") is not None:
            record["locality"] = self.places.locality(data["locality"]) or None
        if data.get("industry") is not None:
            record["industry"] = Industry.parse(data["industry"], "industry").value
        if not record["industry"]:
            raise InvalidInput("err.required", "industry")
        if data.get("type") is not None:
            record["type"] = AccidentType.parse(data["type"], "accident_type").value
        if not record.get("type"):
            raise InvalidInput("err.required", "accident_type")
        for field in COUNTS:
            if data.get(field) is not None:
                record[field] = _count(data[field], field)
        if data.get("loss") is not None:
            record["direct_loss_fen"] = to_fen(parse_yuan(as_wan(str(data["loss"])), "direct_loss"))
        if data.get("investigation") is not None:
            record["investigation"] = Investigation.parse(data["investigation"], "investigation").value
        if data.get("note") is not None:
            record["note"] = _text(data["note"])
        if data.get("case") is not None:  # the enforcement case it led to; "" or "none" clears it
            from hazreg.register.cases import find_case

            text = str(data["case"]).strip()
            record["case_id"] = None if text.casefold() in ("", "none", "无") else find_case(self.ctx.store, text)["id"]
        loss_wan = Decimal(record["direct_loss_fen"]) / _FEN_PER_WAN
        record["grade"] = grade_of(record["deaths"], record["serious_injuries"], loss_wan).value
        return record

    def add(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record an accident (one transaction, in history); its grade is computed."""
        record = self._build(data)
        now = dates.timestamp()
        with self.ctx.store.transaction():
            accident_id = self.ctx.store.insert_accident({"uid": new_uid(), **record, "created_at": now,
                                                          "updated_at": now})
            self.ctx.log("accident", accident_id, "create", None, {k: plain(v) for k, v in record.items()})
        return self.find(accident_id)

    def edit(self, ref: str | int, changes: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Correct an accident: the grade follows the counts. Nothing given is refused."""
        current = self.find(ref)
        given = {k: v for k, v in changes.items() if v is not None}
        if not given:
            raise InvalidInput("err.nothing_to_edit", allowed="--on, --unit, --party, --locality, --industry, "
                               "--type, --deaths, --serious, --injuries, --loss, --investigation, --note, --case")
        record = self._build(given, current)
        before, after = diff({k: current[k] for k in FIELDS}, record)
        if not after:
            return current, ()
        with self.ctx.store.transaction():
            self.ctx.store.update_accident(current["id"], {**after, "updated_at": dates.timestamp()})
            self.ctx.log("accident", current["id"], "edit", before, after)
        return self.find(current["id"]), tuple(after)

    def list(self, year: int | None = None, localities: list[str] | None = None,
             industries: list[str] | None = None) -> list[dict[str, Any]]:
        since = date(year, 1, 1) if year else None
        until = date(year, 12, 31) if year else None
        rows = self.ctx.store.accidents(since, until)
        wanted_places = set(self.places.filter_localities(localities)) if localities else None
        wanted_industries = {Industry.parse(i, "industry").value for i in industries} if industries else None
        return [r for r in rows
                if (wanted_places is None or r["locality"] in wanted_places)
                and (wanted_industries is None or r["industry"] in wanted_industries)]

    # -- control indicators ------------------------------------------------------------------

    def _year(self, year: Any, field: str = "year") -> int:
        text = str(year).strip()
        today = self.ctx.today()
        if not text.isdigit() or not 2000 <= int(text) <= today.year + dates.YEARS_AHEAD:
            raise InvalidInput("err.year", field, value=year, latest=today.year + dates.YEARS_AHEAD)
        return int(text)

    def set_target(self, year: Any, deaths: Any = None, accidents: Any = None, locality: str | None = None,
                   industry: str | None = None) -> dict[str, Any]:
        """Set a year's indicator for the district, a locality or an industry (what is not given is kept)."""
        number = self._year(year)
        if deaths is None and accidents is None:
            raise InvalidInput("err.target_nothing")
        if locality is not None and industry is not None:
            raise InvalidInput("err.target_scope")
        if locality is not None:
            scope, name = "locality", self.places.locality(locality)
            if not name:
                raise InvalidInput("err.required", "locality")
        elif industry is not None:
            scope, name = "industry", Industry.parse(industry, "industry").value
        else:
            scope, name = "district", ""
        values = {k: _count(v, k) for k, v in (("deaths", deaths), ("accidents", accidents)) if v is not None}
        existing = next((t for t in self.ctx.store.accident_targets(number)
                         if t["scope"] == scope and t["name"] == name), None)
        now = dates.timestamp()
        with self.ctx.store.transaction():
            if existing is None:
                record = {"year": number, "scope": scope, "name": name, "deaths": None, "accidents": None, **values}
                target_id = self.ctx.store.insert_accident_target({**record, "created_at": now, "updated_at": now})
                self.ctx.log("target", target_id, "create", None, record)
            else:
                before, after = diff({k: existing[k] for k in values}, values)
                if after:
                    self.ctx.store.update_accident_target(existing["id"], {**after, "updated_at": now})
                    self.ctx.log("target", existing["id"], "edit", before, after)
        return next(t for t in self.ctx.store.accident_targets(number) if t["scope"] == scope and t["name"] == name)

    def targets(self, year: int | None = None) -> Rows:
        return [{"year": t["year"], "scope": t["scope"], "name": t["name"], "deaths": t["deaths"],
                 "accidents": t["accidents"]} for t in self.ctx.store.accident_targets(year)]

    # -- the report --------------------------------------------------------------------------

    def report(self, year: int | None = None) -> dict[str, Any]:
        """This year to date by locality and industry, against the same period last year and the
        indicators pro rata (a past year: the whole year)."""
        today = self.ctx.today()
        number = today.year if year is None else int(year)
        if not 2000 <= number <= today.year:
            raise InvalidInput("err.report_year", "year", value=year, latest=today.year)
        through = today if number == today.year else date(number, 12, 31)
        last_from, last_through = same_period_last_year(through)
        this = self.ctx.store.accidents(date(number, 1, 1), through)
        last = self.ctx.store.accidents(last_from, last_through)
        targets = self.ctx.store.accident_targets(number)

        def row(name: str, now: Rows, before: Rows,
                target: dict[str, Any] | None) -> dict[str, Any]:
            out: dict[str, Any] = {"name": name}
            flags: dict[str, Any] = {"used_up": [], "over_pace": [], "rising": []}
            for kind in KINDS:
                actual = len(now) if kind == "accidents" else sum(a["deaths"] for a in now)
                previous = len(before) if kind == "accidents" else sum(a["deaths"] for a in before)
                goal = target.get(kind) if target else None
                share = pro_rata(goal, through) if goal is not None else None
                yoy = yoy_percent(actual, previous)
                out.update({kind: actual, f"{kind}_last": previous, f"{kind}_yoy": None if yoy is None else str(yoy),
                            f"{kind}_target": goal, f"{kind}_pro_rata": None if share is None else two_places(share)})
                if goal is not None and (actual >= goal if goal > 0 else actual > 0):
                    flags["used_up"].append(f"{kind}_used_up")
                if share is not None and actual > share:
                    flags["over_pace"].append(f"{kind}_over_pace")
                if actual > previous:
                    flags["rising"].append(f"{kind}_rising")
            out["flags"] = [f for group in flags.values() for f in group]
            return out

        def by(field: str, scope: str) -> Rows:
            scoped = {t["name"]: t for t in targets if t["scope"] == scope}
            names = sorted({a[field] or "" for a in this + last} | set(scoped))
            return [row(n, [a for a in this if (a[field] or "") == n], [a for a in last if (a[field] or "") == n],
                        scoped.get(n)) for n in names]

        district = next((t for t in targets if t["scope"] == "district"), None)
        return {
            "year": number, "through": through.isoformat(), "days": through.timetuple().tm_yday,
            "days_in_year": days_in_year(number), "last_from": last_from.isoformat(),
            "last_through": last_through.isoformat(),
            "total": row("", this, last, district),
            "by_locality": by("locality", "locality"),
            "by_industry": by("industry", "industry"),
        }


def accident_record(row: dict[str, Any]) -> dict[str, Any]:
    """An accident as shown and exported: ids with their letters, loss in 万元."""
    return {
        "id": f"{PREFIX}{row['id']}", "occurred_at": row["occurred_at"],
        "unit_id": f"U{row['unit_id']}" if row.get("unit_id") else None, "unit": row.get("unit_name"),
        "party": row.get("party"), "locality": row.get("locality"), "industry": row["industry"],
        "type": row["type"], "deaths": row["deaths"], "serious_injuries": row["serious_injuries"],
        "injuries": row["injuries"], "direct_loss_wan": wan_text(row["direct_loss_fen"]),
        "grade": row["grade"], "investigation": row["investigation"], "note": row.get("note"),
        "case": f"C-{row['case_id']:05d}" if row.get("case_id") else None, "uid": row["uid"],
    }


ACCIDENT_COLUMNS = ("id", "occurred_at", "unit_id", "unit", "party", "locality", "industry", "type", "deaths",
                    "serious_injuries", "injuries", "direct_loss_wan", "grade", "investigation", "note", "case", "uid")
