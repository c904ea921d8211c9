"""The demo register: realistic Chinese data, built through the register's own operations.

Dates in the data are relative (found N days ago, deadline M days later), so the demo
always shows some hazards overdue and some on time, whatever day it is run. Beside the
hazards it holds the rest of the campaign's work, each through its service: a running
inspection campaign with inspections (some made for a weather focus, each by a
department), a major hazard listed for supervision, accidents this year and last (this
year's dated as a share of the year so far, last year's as a share of the same period,
so 同比 compares like with like) and the year's control indicators.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from hazreg import dates
from hazreg.register import Register, open_register
from hazreg.register.accidents import same_period_last_year

_MOVES = {"rectifying": ["start"], "rectified": ["start", "done"], "closed": ["start", "done", "verify"]}


def load_demo_data() -> dict[str, Any]:
    return json.loads(files("hazreg").joinpath("data/demo.json").read_text(encoding="utf-8"))


def build_demo(path: Path, operator: str) -> Register:
    """A fresh demo register at `path` (any earlier demo there is replaced)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    reg = open_register(path, write=True, operator=operator)
    fill_demo(reg)
    return reg


def fill_demo(reg: Register) -> None:
    """The demo's records, written into `reg` (an empty register, on either engine) in one transaction."""
    data = load_demo_data()
    today = reg.today()
    unit_ids: dict[str, int] = {}
    hazard_ids: dict[tuple[str, int, str], int] = {}
    start = today - timedelta(days=max(h["found_days_ago"] for h in data["hazards"]) + 7)
    with reg.store.transaction():  # one write: a demo is built whole or not at all
        with _at(reg, start):
            # The district's lists first: every unit names a locality on the list.
            for place in data.get("localities", []):
                reg.places.add_locality(place["name"], place.get("kind"), place.get("parent"))
            for department in data.get("departments", []):
                reg.places.add_department(department["name"], department["industries"])
            for unit in data["units"]:
                fields = {k: v for k, v in unit.items() if k != "key" and v is not None}
                unit_ids[unit["key"]] = reg.units.add(fields)["id"]
        # Each step is recorded on the day it happened, so reports over past weeks have a past.
        for h in sorted(data["hazards"], key=lambda h: -h["found_days_ago"]):
            found = today - timedelta(days=h["found_days_ago"])
            deadline = found + timedelta(days=h["deadline_days"]) if h.get("deadline_days") else None
            fields = {
                "unit": unit_ids[h["unit"]], "description": h["description"], "level": h["level"],
                "source": h["source"], "found_on": found, "deadline": deadline, "owner": h.get("owner"),
                "found_by": h.get("found_by"), "basis": h.get("basis"),
                "measures": h.get("measures"), "funds": h.get("funds"), "contingency": h.get("contingency"),
            }
            with _at(reg, found):
                hazard = reg.hazards.add(fields)
            _follow(reg, hazard["id"], h, found, deadline or found + timedelta(days=30))
            hazard_ids[(h["unit"], h["found_days_ago"], h["level"])] = hazard["id"]
        _campaign_work(reg, data, unit_ids, hazard_ids, start)


def _campaign_work(reg: Register, data: dict[str, Any], unit_ids: dict[str, int],
                   hazard_ids: dict[tuple[str, int, str], int], start: date) -> None:
    """The campaign, its inspections, supervision, accidents and indicators, each on its day
    (what happened before the register was set up is entered on its first day)."""
    today = reg.today()
    campaign_id = None
    if data.get("campaign"):
        spec = data["campaign"]
        begins = today - timedelta(days=spec["start_days_ago"])
        with _at(reg, max(start, begins)):
            campaign_id = reg.campaigns.add({"name": spec["name"], "start": begins,
                                             "end": begins + timedelta(days=spec["length_days"] - 1)})["id"]
    for s in data.get("supervision", []):
        hazard_id = hazard_ids[(s["unit"], s["hazard_found_days_ago"], "major")]
        listed = today - timedelta(days=s["hazard_found_days_ago"] - s["listed_after_days"])
        with _at(reg, listed):
            reg.supervision.supervise(f"H{hazard_id}", s["body"], s["level"], on=listed.isoformat(),
                                      due=(listed + timedelta(days=s["due_days"])).isoformat(), note=s.get("note"),
                                      notice=s["notice"].format(year=listed.year))
    with _at(reg, start):
        for target in data.get("targets", []):
            reg.accidents.set_target(today.year, deaths=target.get("deaths"), accidents=target.get("accidents"),
                                     locality=target.get("locality"), industry=target.get("industry"))
    accident_ids: dict[str, int] = {}
    for a in sorted(data.get("accidents", []), key=lambda a: _accident_day(a, today)):
        day = _accident_day(a, today)
        fields = {"occurred": f"{day.isoformat()} {a['time']}", "unit": unit_ids[a["unit"]] if a.get("unit") else None,
                  **{k: a.get(k) for k in ("party", "locality", "industry", "type", "deaths", "serious_injuries",
                                           "injuries", "loss", "investigation", "note")}}
        with _at(reg, max(start, day)):
            accident = reg.accidents.add({k: v for k, v in fields.items() if v is not None})
        if a.get("key"):
            accident_ids[a["key"]] = accident["id"]
    for i in sorted(data.get("inspections", []), key=lambda i: -i["days_ago"]):
        on = today - timedelta(days=i["days_ago"])
        with _at(reg, on):
            reg.campaigns.add_inspection({
                "unit": unit_ids[i["unit"]], "on": on, "inspectors": i["inspectors"], "leader": i.get("leader"),
                "mode": i.get("mode"), "department": i.get("department"), "focus": i.get("focus"),
                "campaign": campaign_id if i.get("campaign") else None, "note": i.get("note")})
    for c in sorted(data.get("cases", []), key=lambda c: -c["opened_days_ago"]):
        _case(reg, c, unit_ids, hazard_ids, accident_ids)


def _case(reg: Register, c: dict[str, Any], unit_ids: dict[str, int], hazard_ids: dict[tuple[str, int, str], int],
          accident_ids: dict[str, int]) -> None:
    """An enforcement case opened on its day, then walked through its steps, decision and payments,
    each on its own day."""
    today = reg.today()
    opened = today - timedelta(days=c["opened_days_ago"])
    fields = {k: c.get(k) for k in ("party", "address", "locality", "industry", "cause", "by")}
    fields.update(unit=unit_ids[c["unit"]] if c.get("unit") else None, on=opened.isoformat(),
                  case_no=c["case_no"].format(year=opened.year) if c.get("case_no") else None,
                  hazards=[f"H{hazard_ids[(u, days, level)]}" for u, days, level in c.get("hazards", [])],
                  accidents=[f"E{accident_ids[key]}" for key in c.get("accidents", [])])
    with _at(reg, opened):
        case_id = reg.cases.open({k: v for k, v in fields.items() if v is not None})["id"]
    for action in c.get("actions", []):
        day = today - timedelta(days=action["days_ago"])
        # a decision is recorded once served (served on or after the day decided)
        with _at(reg, today - timedelta(days=action.get("served_days_ago", action["days_ago"]))):
            if action["do"] == "step":
                reg.cases.step(case_id, action["step"], on=day.isoformat(), by=action.get("by"),
                               note=action.get("note"), hearing=action.get("hearing"))
            elif action["do"] == "decide":
                served = today - timedelta(days=action.get("served_days_ago", action["days_ago"]))
                reg.cases.decide(case_id, {
                    "category": action["category"], "violation": action.get("violation"), "clause": action["clause"],
                    "penalties": action["penalties"], "on": day.isoformat(), "served": served.isoformat(),
                    "by": action.get("by"), "note": action.get("note")})
            else:  # a payment of the fine on the party named
                penalty = next(p for p in reg.cases.penalties(case_id)
                               if p["type"] == "fine" and p["party_kind"] == action["party_kind"])
                reg.cases.pay(case_id, action["amount"], on=day.isoformat(), penalty=penalty["id"],
                              note=action.get("note"))


def _accident_day(a: dict[str, Any], today: date) -> date:
    """This year's: `days_ago`, or the share `at` of the year so far; last year's: the share `at` of
    the same period last year, or (`after`) of the rest of that year."""
    if a["year"] == "this":
        if "days_ago" in a:
            return today - timedelta(days=a["days_ago"])
        first = date(today.year, 1, 1)
        return first + timedelta(days=round(a["at"] * (today - first).days))
    first, through = same_period_last_year(today)
    if a.get("after"):
        end = date(today.year - 1, 12, 31)
        return min(end, through + timedelta(days=1 + round(a["at"] * max(0, (end - through).days - 1))))
    return first + timedelta(days=round(a["at"] * (through - first).days))


def _at(reg: Register, day: date) -> Any:
    """The clock set to 10:00 on `day` in the register's time zone."""
    local = datetime(day.year, day.month, day.day, 10, tzinfo=dates.zone(reg.timezone))
    return dates.clock(min(local.astimezone(UTC), dates.now_utc()))


def _follow(reg: Register, hazard_id: int, h: dict[str, Any], found: date, deadline: date) -> None:
    """Walk a demo hazard along the lifecycle to its status, each step on a plausible day."""
    today = reg.today()
    done_on = min(today, max(found, deadline - timedelta(days=3)))
    started = min(today, found + timedelta(days=1))
    verified = min(today, done_on + timedelta(days=2))
    for move in _MOVES.get(h["status"], []):
        if move == "start":
            with _at(reg, started):
                reg.hazards.start(hazard_id)
        elif move == "done":
            with _at(reg, done_on):
                reg.hazards.done(hazard_id, h.get("note") if h["status"] == "rectified" else None, done_on)
        else:
            inspector = (h.get("found_by") or "王建国").split("、")[0]
            with _at(reg, verified):
                reg.hazards.verify(hazard_id, inspector, h.get("note"), on=verified)
    if h["status"] == "void":
        with _at(reg, started):
            reg.hazards.void(hazard_id, h.get("note") or "录入错误")
