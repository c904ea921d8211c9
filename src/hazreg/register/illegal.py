"""The 打非治违 form: 安全生产领域"打非治违"情况周报表 / 月报表, from the enforcement cases.

Source. The national form of 2010 (国务院安委会办公室), as a provincial system implements it:
GitHub ColinYu25/yhpc (Ningbo's 隐患排查治理 system), `src/main/webapp/template/dfzw/`:
`city_report.jsp` and `province_report.jsp` (table 1, the 13 kinds of illegal acts) and
`country2010_info.jsp` (table 2, the penalties). Its rows are the industries (行业领域) and a
total (合计); its notes (有关要求) say:

1. "各地区要认真填写本表，并于每周五12时前…报送至国务院安委会办公室" — the weekly form is due
   Friday 12:00;
2. "统计数据为YYYY年1月以来的统计数据" (monthly: "本年1月份以来的累计数据，请于每月3日…报送") —
   the figures are cumulative from 1 January;
3. "打击非法违法行为合计=1+2+3+…+13项".

Table 2's kinds (警告 次, 没收违法所得、非法生产设备 起, 责令停产、停业、停止建设 家, 暂扣或吊销有关
许可证 个, 关闭非法违法企业 家, 移送追究刑事责任 人, 处罚罚款 万元) are the same as those of a
provincial summary of 2018 (湖北省安委会办公室, reported by 湖北日报 on 2019-01-21, e.g.
http://jyjlsz.com/content/2019-01/29/content_10235729.html: 警告, 没收, 责令停产停业停止建设, 暂扣或
吊销许可证, 关闭, 经济处罚 万元, 行政拘留/移送司法机关/问责 人), which is why we take them.

The cases (register/cases.py) are decided under these 13 categories (IllegalCategory), so a
case counts in its category's column.

Choices where the sources leave room or disagree with the issue:

- Cumulative and the period itself. The form's cells are cumulative from 1 January of the
  period's last day to that day (note 2). The issue asks for the period's own figures; both
  are given: every row is the year to date, and a last row (其中本周 / 其中本月) counts the period
  alone.
- The reporting week. The form only says "due Friday 12:00". We take the week that ends on the
  Thursday before (Friday to Thursday), so a form sent on Friday morning covers every day up to
  the day before; `--week DATE` is the week holding DATE, an ISO week (2026-W48) the one ending
  on its Thursday. The monthly form is the calendar month, due on the 3rd of the next month
  (the provincial note above; no national date was found).
- What counts. A case counts from its decision (决定): in the category it was decided under
  (a case without one: 其他), in its industry; each penalty by its kind — 警告 and 暂扣/吊销 per
  penalty (次, 个), 没收 per case (起), 停产整顿 and 关闭取缔 per case (家: one party), 移送司法机关
  and 移交问责 per penalty (人); fines per penalty (双罚: the unit's and the principal's are two)
  and in money: decided (the fines of the cases decided), collected (the payments made in the
  period, whenever decided) and the late fines (加处罚款) collected. Money is summed in fen,
  exactly, and shown in 万元 to two decimals, rounded half up (the statistical forms' rule,
  forms.fen_to_wan); the total row is the sum of the rows as shown (so the form adds up) and
  the exact yuan are in the JSON and CSV. Not counted (the register does not record them):
  责令改正、限期整改 and 行政拘留.
- As recorded now: a payment or decision entered late but dated in the period counts.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import IllegalCategory, Industry
from hazreg.errors import InvalidInput
from hazreg.register.forms import fen_to_wan

if TYPE_CHECKING:
    from hazreg.register import Register

TITLE = "安全生产领域“打非治违”情况{kind}报表"
KINDS = ("weekly", "monthly")
# Table 1: the 13 kinds of illegal acts of the national form, in its order (keys ours).
CATEGORIES = tuple(c.value for c in IllegalCategory)
# Table 2: penalties by kind, then the fines.
PENALTIES = ("warnings", "confiscations", "suspensions", "licences", "closures", "judicial_transfers",
             "accountability", "fines")
MONEY = ("fines_decided", "fines_collected", "late_collected")
COUNTS = ("cases", *CATEGORIES, *PENALTIES)
COLUMNS = (*COUNTS, *(f"{m}_wan" for m in MONEY))
# How each penalty kind (ActionType key) is counted: per penalty, or per case (家, 起).
_PER_PENALTY = {"warning": "warnings", "suspend_license": "licences", "judicial_transfer": "judicial_transfers",
                "accountability": "accountability", "fine": "fines"}
_PER_CASE = {"confiscate": "confiscations", "suspend": "suspensions", "close": "closures"}
_WEEK = re.compile(r"(?:\d{4}-?)?w\d{1,2}", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
THURSDAY = 3
DUE_HOUR = 12


def category_column(category: str | None) -> str:
    """The form's column for a case's 打非治违 category: the category itself (the cases keep the
    form's 13), 其他 for a case decided without one or under a key the form does not have."""
    return category if category is not None and category in CATEGORIES else "other"


class IllegalPeriod:
    """A form's period: weekly (Friday to Thursday) or monthly; its year so far; its due time."""

    def __init__(self, kind: str, first: date, last: date) -> None:
        self.kind, self.first, self.last = kind, first, last

    @property
    def year_first(self) -> date:
        return date(self.last.year, 1, 1)

    @property
    def label(self) -> str:
        if self.kind == "monthly":
            return f"{self.last.year}-{self.last.month:02d}"
        year, week, _ = self.last.isocalendar()  # the Thursday's ISO week
        return f"{year}-W{week:02d}"

    @property
    def due(self) -> str:
        """When the form is due, local time: the Friday after the week at 12:00; the 3rd of the
        next month (at the day's end: no hour is given)."""
        if self.kind == "weekly":
            return f"{(self.last + timedelta(days=1)).isoformat()}T{DUE_HOUR:02d}:00"
        return dates.add_months(self.first, 1).replace(day=3).isoformat()


def forms_due(reg: Register) -> list[dict[str, Any]]:
    """The 打非治违 forms to send now (for `due`), in a register that records cases (an office that
    takes cases sends the form): on a Friday the reporting week that ended the day before (due at
    noon that day), and from the 1st to the 3rd the month before."""
    if not reg.store.count("cases"):
        return []
    today = reg.today()
    pending: list[IllegalPeriod] = []
    if today.weekday() == THURSDAY + 1:
        last = today - timedelta(days=1)
        pending.append(IllegalPeriod("weekly", last - timedelta(days=6), last))
    if today.day <= 3:
        last = today.replace(day=1) - timedelta(days=1)
        pending.append(IllegalPeriod("monthly", last.replace(day=1), last))
    return [{"kind": p.kind, "period": p.label, "due": p.due.replace("T", " "),
             "option": "--week" if p.kind == "weekly" else "--month"} for p in pending]


def _week_ending(day: date) -> date:
    """The Thursday that ends the reporting week holding `day`."""
    return day + timedelta(days=(THURSDAY - day.weekday()) % 7)


def period_of(reg: Register, week: str | None = None, month: str | None = None) -> IllegalPeriod:
    """The period asked for: `--week` (a date, an ISO week, this, last), `--month` (YYYY-MM);
    neither: the last complete reporting week."""
    today = reg.today()
    if week is not None and month is not None:
        raise InvalidInput("err.illegal_period_both", "week")
    if month is not None:
        m = _MONTH.fullmatch(unicodedata.normalize("NFKC", month).strip())
        if not m or not 1 <= int(m[2]) <= 12 or not 2000 <= int(m[1]) <= today.year + dates.YEARS_AHEAD:
            raise InvalidInput("err.form_period", "month", value=month, example="2026-11")
        first = date(int(m[1]), int(m[2]), 1)
        return IllegalPeriod("monthly", first, dates.add_months(first, 1) - timedelta(days=1))
    spec = unicodedata.normalize("NFKC", week).strip().lower() if week is not None else "last"
    if spec in ("last", "上周"):
        end = _week_ending(today) - timedelta(days=7)  # the last week ended before today
    elif spec in ("this", "本周"):
        end = _week_ending(today)
    elif _WEEK.fullmatch(spec):
        end = dates.parse_week(spec, today, "week")[0] + timedelta(days=THURSDAY)
    else:
        assert week is not None
        day = reg.ctx.date(week, "week")
        assert day is not None
        end = _week_ending(day)
    return IllegalPeriod("weekly", end - timedelta(days=6), end)


def _row() -> dict[str, int]:
    return {**dict.fromkeys(COUNTS, 0), **dict.fromkeys(MONEY, 0)}


def count(cases: list[dict[str, Any]], payments: list[dict[str, Any]], first: str, last: str,
          rows: dict[str, dict[str, int]] | None = None) -> dict[str, dict[str, int]]:
    """THE RULE of the form, on plain records: the counts and fen by industry of the cases decided
    and the payments made from `first` to `last` (ISO dates, both included).

    `cases`: {industry, category, decided_on, penalties: [{type, amount_fen}]};
    `payments`: {industry, paid_on, amount_fen, late_fen}."""
    rows = rows if rows is not None else {}

    def row(industry: str | None) -> dict[str, int]:
        return rows.setdefault(industry or Industry.OTHER.value, _row())

    for case in cases:
        decided = case.get("decided_on")
        if not decided or not first <= decided <= last:
            continue
        r = row(case.get("industry"))
        r["cases"] += 1
        r[category_column(case.get("category"))] += 1
        kinds = set()
        for p in case.get("penalties") or []:
            kind = p["type"]
            if kind in _PER_PENALTY:
                r[_PER_PENALTY[kind]] += 1
            if kind in _PER_CASE:
                kinds.add(_PER_CASE[kind])
            if kind == "fine":
                r["fines_decided"] += p.get("amount_fen") or 0
        for column in kinds:
            r[column] += 1
    for pay in payments:
        if first <= pay["paid_on"] <= last:
            r = row(pay.get("industry"))
            r["fines_collected"] += pay.get("amount_fen") or 0
            r["late_collected"] += pay.get("late_fen") or 0
    return rows


def _finish(r: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {k: r[k] for k in COUNTS}
    for m in MONEY:
        out[f"{m}_wan"] = fen_to_wan(r[m])
        out[f"{m}_yuan"] = (Decimal(r[m]) / 100).quantize(Decimal("0.01"))
    return out


def _total(rows: list[dict[str, Any]], exact: dict[str, int]) -> dict[str, Any]:
    """The total row: counts summed; 万元 the sum of the rows as shown; yuan exact."""
    total = _finish(exact)
    for m in MONEY:
        total[f"{m}_wan"] = sum((r[f"{m}_wan"] for r in rows), Decimal("0.00"))
    return total


def records(reg: Register, until: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The cases opened by `until` with their penalties, and every payment with its case's
    industry, in the plain shape `count` takes."""
    store = reg.store
    penalties: dict[int, list[dict[str, Any]]] = {}
    for p in store.case_rows("case_penalties"):
        penalties.setdefault(p["case_id"], []).append({"type": p["type"], "amount_fen": p.get("amount_fen")})
    cases: dict[int, dict[str, Any]] = {
        c["id"]: {"industry": c.get("industry"), "category": c.get("category"), "decided_on": c.get("decided_on"),
                  "penalties": penalties.get(c["id"], [])}
        for c in store.cases(None, until)}
    payments = [{"industry": cases[p["case_id"]]["industry"], "paid_on": p["paid_on"], "amount_fen": p["amount_fen"],
                 "late_fen": p["late_fen"]} for p in store.case_rows("case_payments") if p["case_id"] in cases]
    return list(cases.values()), payments


def form(reg: Register, week: str | None = None, month: str | None = None) -> dict[str, Any]:
    """The 打非治违 form of a reporting week or a month: rows by industry (1 January to the
    period's end), the total, and the period alone."""
    period = period_of(reg, week, month)
    cases, payments = records(reg, period.last)
    year_first, first, last = period.year_first.isoformat(), period.first.isoformat(), period.last.isoformat()
    by_industry = count(cases, payments, year_first, last, {i.value: _row() for i in Industry})
    exact = _row()
    for r in by_industry.values():
        for k in exact:
            exact[k] += r[k]
    rows = [{"industry": k, **_finish(v)} for k, v in by_industry.items()]
    in_period = _row()
    for r in count(cases, payments, first, last).values():
        for k in in_period:
            in_period[k] += r[k]
    kind_zh = "周" if period.kind == "weekly" else "月"
    return {
        "form": TITLE.format(kind=kind_zh), "kind": period.kind, "period": period.label, "first": first,
        "last": last, "year_first": year_first, "due": period.due, "timezone": reg.timezone,
        "made_on": reg.today().isoformat(),
        "header": {"unit": reg.store.setting("form.unit") or ""},
        "footer": {k: reg.store.setting(f"form.{k}") or "" for k in ("head", "reviewer", "preparer", "phone")},
        "rows": rows, "total": {"industry": None, **_total(rows, exact)},
        "period_total": {"industry": None, **_finish(in_period)},
    }


def _yuan(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


def enforcement(reg: Register, monday: date, through: date) -> dict[str, Any]:
    """The weekly report's enforcement section: cases opened, decided and closed from `monday` to
    `through` (the week's Sunday, or today for the current week) and in the year to then, and
    the fines decided, collected and their late fines (加处罚款) — counted by `count`, the form's
    rule. Money in yuan, exact."""
    year_first = date(through.year, 1, 1)
    opened_rows = reg.store.cases(None, through)
    cases, payments = records(reg, through)

    def figures(first: date) -> dict[str, Any]:
        a, b = first.isoformat(), through.isoformat()
        totals = _row()
        for r in count(cases, payments, a, b).values():
            for k in totals:
                totals[k] += r[k]
        return {
            "opened": sum(1 for c in opened_rows if a <= c["opened_on"] <= b),
            "decided": totals["cases"],
            "closed": sum(1 for c in opened_rows if c.get("closed_on") and a <= c["closed_on"] <= b),
            "fines_decided": _yuan(totals["fines_decided"]),
            "fines_collected": _yuan(totals["fines_collected"]),
            "late_collected": _yuan(totals["late_collected"]),
        }

    return {"through": through.isoformat(), "year_first": year_first.isoformat(),
            "week": figures(monday) if through >= monday else figures(through + timedelta(days=1)),
            "year": figures(year_first)}
