"""The weekly report: what was found, fixed and voided, what is late, how majors stand.

Every figure at a week's end is computed by replaying the register's history up to
that moment (Monday 00:00 of the next week, in the register's time zone), so the
report for an earlier week gives the same numbers it gave then, whatever changed
since. Definitions (printed under the figures in every format):

- found: hazards whose date found falls in the week, not void at its end;
- rectified / verified closed / voided / reopened: `done`, `verify`, `void` and
  `verify --fail` recorded during the week;
- open at week end: open, rectifying or rectified (awaiting verification);
- overdue at week end: open or rectifying with a deadline on or before the Sunday;
- rectification rate (整改率): of the hazards found (that week, or up to its end),
  the share rectified or closed at its end;
- on-time rate: of the hazards rectified (that week, or up to its end) that have a
  deadline, the share rectified on or before it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import Level, Status
from hazreg.register.lifecycle import missing_plan

if TYPE_CHECKING:
    from hazreg.register import Register

# History actions that change a hazard's own fields; the others (supervise, attach, …)
# are about things kept beside it and would overwrite nothing of the hazard.
_FIELD_ACTIONS = {"create", "import", "edit", "plan", "start", "done", "verify", "verify_fail", "void", "extend"}
_EVENTS = {"done": "rectified", "verify": "closed", "void": "voided", "verify_fail": "reopened"}
_ACTIVE = {Status.OPEN.value, Status.RECTIFYING.value, Status.RECTIFIED.value}
_LATE_POSSIBLE = {Status.OPEN.value, Status.RECTIFYING.value}
TREND_WEEKS = 12
HEADLINE = ("found", "rectified", "closed", "voided", "reopened", "open", "overdue", "major_open",
            "major_supervised", "major_incomplete_plan")


def week_of(spec: str | None, today: date) -> date:
    """The Monday of the week asked for; by default the last complete week."""
    if spec is None:
        return today - timedelta(days=today.weekday() + 7)
    return dates.parse_week(spec, today)[0]


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def _label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


class _Replay:
    """The hazards' states and the week's events, built by walking the history once."""

    def __init__(self) -> None:
        self.states: dict[int, dict[str, Any]] = {}
        self.supervised: set[int] = set()

    def apply(self, hazard_id: int, action: str, after_text: str | None) -> None:
        if action == "supervise":
            self.supervised.add(hazard_id)
        elif action == "delist":
            self.supervised.discard(hazard_id)
        elif action in _FIELD_ACTIONS and after_text:
            after = json.loads(after_text)
            if action in ("create", "import") and hazard_id not in self.states:
                self.states[hazard_id] = after
            else:
                self.states.setdefault(hazard_id, {}).update(after)


def headline(replay: _Replay, monday: date, events: dict[str, int]) -> dict[str, Any]:
    """The headline figures and rates from the states at the end of the week starting `monday`."""
    sunday = monday + timedelta(days=6)
    first, last = monday.isoformat(), sunday.isoformat()
    figures = {k: 0 for k in HEADLINE}
    figures.update({k: events.get(k, 0) for k in ("rectified", "closed", "voided", "reopened")})
    found_week = fixed_week = found_all = fixed_all = 0
    major_found_week = major_fixed_week = major_found_all = major_fixed_all = 0
    on_time_all = timed_all = 0
    for hazard_id, s in replay.states.items():
        status, level = s.get("status"), s.get("level")
        if status == Status.VOID.value or not s.get("found_on"):
            continue
        fixed = status in (Status.RECTIFIED.value, Status.CLOSED.value)
        major = level == Level.MAJOR.value
        if s["found_on"] <= last:
            found_all += 1
            fixed_all += fixed
            major_found_all += major
            major_fixed_all += major and fixed
        if first <= s["found_on"] <= last:
            found_week += 1
            fixed_week += fixed
            major_found_week += major
            major_fixed_week += major and fixed
        if status in _ACTIVE:
            figures["open"] += 1
            if major:
                figures["major_open"] += 1
                figures["major_supervised"] += hazard_id in replay.supervised
                figures["major_incomplete_plan"] += bool(missing_plan(s))
        if status in _LATE_POSSIBLE and s.get("deadline") and s["deadline"] <= last:
            figures["overdue"] += 1
        if s.get("rectified_on") and s.get("deadline") and fixed:
            timed_all += 1
            on_time_all += s["rectified_on"] <= s["deadline"]
    figures["found"] = found_week
    rates = {
        "rectification_week": _rate(fixed_week, found_week),
        "rectification_cumulative": _rate(fixed_all, found_all),
        "rectification_major_week": _rate(major_fixed_week, major_found_week),
        "rectification_major_cumulative": _rate(major_fixed_all, major_found_all),
        "on_time_week": _rate(events.get("on_time", 0), events.get("timed", 0)),
        "on_time_cumulative": _rate(on_time_all, timed_all),
    }
    return {"figures": figures, "rates": rates}


def weekly_report(reg: Register, week: str | None = None) -> dict[str, Any]:
    """Everything the weekly report says about the week `week` (default: the last complete one)."""
    tz = reg.timezone
    monday = week_of(week, reg.today())
    mondays = [monday - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]  # oldest first
    bounds = [dates.local_day_bounds(m, tz)[0] for m in mondays] + [dates.local_day_bounds(monday + timedelta(days=7), tz)[0]]
    replay = _Replay()
    per_week: list[dict[str, int]] = [{} for _ in mondays]
    previous: dict[str, Any] | None = None
    week_of_entry = -1  # the trend week the current entry falls in; -1 before the first
    for at, hazard_id, action, after_text in reg.store.hazard_events(bounds[-1]):
        while week_of_entry + 1 < len(mondays) and at >= bounds[week_of_entry + 1]:
            week_of_entry += 1
            if week_of_entry == len(mondays) - 1:
                previous = headline(replay, mondays[-2], per_week[-2])
        replay.apply(hazard_id, action, after_text)
        if week_of_entry >= 0 and action in _EVENTS:
            counts = per_week[week_of_entry]
            counts[_EVENTS[action]] = counts.get(_EVENTS[action], 0) + 1
            if action == "done":
                s = replay.states.get(hazard_id, {})
                if s.get("deadline") and s.get("rectified_on"):
                    counts["timed"] = counts.get("timed", 0) + 1
                    counts["on_time"] = counts.get("on_time", 0) + (s["rectified_on"] <= s["deadline"])
    while week_of_entry + 1 < len(mondays):  # quiet weeks at the end
        week_of_entry += 1
        if week_of_entry == len(mondays) - 1:
            previous = headline(replay, mondays[-2], per_week[-2])
    current = headline(replay, monday, per_week[-1])
    sunday = monday + timedelta(days=6)
    first, last = monday.isoformat(), sunday.isoformat()

    found_by_week = {m.isoformat(): 0 for m in mondays}
    groups: dict[str, dict[str, dict[str, int]]] = {"industry": {}, "locality": {}}
    overdue_list, majors = [], []
    for hazard_id, s in replay.states.items():
        status = s.get("status")
        if status == Status.VOID.value or not s.get("found_on"):
            continue
        found_monday = date.fromisoformat(s["found_on"])
        found_monday -= timedelta(days=found_monday.weekday())
        if found_monday.isoformat() in found_by_week:
            found_by_week[found_monday.isoformat()] += 1
        late = status in _LATE_POSSIBLE and bool(s.get("deadline")) and s["deadline"] <= last
        for key in ("industry", "locality"):
            g = groups[key].setdefault(s.get(key) or "", {"found": 0, "open": 0, "overdue": 0})
            g["found"] += first <= s["found_on"] <= last
            g["open"] += status in _ACTIVE
            g["overdue"] += late
        if late:
            overdue_list.append({"id": hazard_id, "days_overdue": (sunday - date.fromisoformat(s["deadline"])).days, **s})
        if s.get("level") == Level.MAJOR.value and status in _ACTIVE:
            majors.append({"id": hazard_id, "supervised": hazard_id in replay.supervised,
                           "missing": missing_plan(s), **s})
    units = reg.store.units_by_ids(sorted({h["unit_id"] for h in overdue_list + majors if h.get("unit_id")}))
    for h in overdue_list + majors:
        h["unit_name"] = units.get(h.get("unit_id"), {}).get("name", "")
    overdue_list.sort(key=lambda h: (h["deadline"], h["id"]))
    majors.sort(key=lambda h: (h.get("deadline") or "9999", h["id"]))

    change = {
        k: current["figures"][k] - previous["figures"][k] for k in HEADLINE
    } if previous else dict.fromkeys(HEADLINE, None)
    activity = reg.store.activity(monday, sunday)
    coverage = None
    running = [c for c in reg.campaigns() if c["start"] <= last and c["end"] >= first]
    if running:
        campaign = max(running, key=lambda c: c["start"])
        cov = reg.coverage(since=campaign["start"], until=min(last, campaign["end"]),
                           industries=campaign["industries"], localities=campaign["localities"])
        coverage = {"campaign": campaign["name"], **cov["total"]}
    return {
        "week": _label(monday), "monday": first, "sunday": last, "timezone": tz,
        "figures": current["figures"], "change": change,
        "rates": current["rates"],
        "by_industry": [{"industry": k, **v} for k, v in sorted(groups["industry"].items())],
        "by_locality": [{"locality": k, **v} for k, v in sorted(groups["locality"].items())],
        "overdue": overdue_list, "majors": majors,
        "activity": {**activity, "actions": {k: {"count": n, "fines": None if f is None else f"{f:.2f}"}
                                             for k, (n, f) in activity["actions"].items()}},
        "coverage": coverage,
        "trend": [{"week": _label(m), "found": found_by_week[m.isoformat()], "closed": per_week[i].get("closed", 0)}
                  for i, m in enumerate(mondays)],
    }
