"""The weekly report: what was found, fixed and voided, what is late, how majors stand.

Every figure at a week's end is the register as it stood at that moment (Monday
00:00 of the next week, in the register's time zone): today's records with every
change made since undone from the history (each entry keeps the changed fields'
values before and after). So the report for an earlier week gives the same numbers
it gave then, whatever changed since, and going back costs what happened since, not
the whole history. Definitions (printed under the figures in every format):

- found: hazards whose date found falls in the week, not void at its end;
- rectified / verified closed / voided / reopened: `done`, `verify`, `void` and
  `verify --fail` that took effect during the week (the date given with `--on`, or an
  imported ledger's date; else when recorded);
- open at week end: open, rectifying or rectified (awaiting verification);
- overdue at week end: open or rectifying with a deadline on or before the Sunday;
- rectification rate (整改率): of the hazards found (that week, or up to its end),
  the share rectified or closed at its end;
- on-time rate: of the hazards rectified (that week, or up to its end) that have a
  deadline, the share rectified on or before it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import Level, Status
from hazreg.register.lifecycle import closed_incomplete, missing_plan

if TYPE_CHECKING:
    from hazreg.register import Register

# History actions that change a hazard's own fields; the others (supervise, attach, …)
# are about things kept beside it.
_FIELD_ACTIONS = {"create", "import", "edit", "plan", "start", "done", "verify", "verify_fail", "void", "extend"}
_EVENTS = {"done": "rectified", "verify": "closed", "void": "voided", "verify_fail": "reopened"}
# Plain strings: these loops run once per hazard per report, and an Enum member's
# `.value` is a descriptor call each time.
_ACTIVE = {Status.OPEN.value, Status.RECTIFYING.value, Status.RECTIFIED.value}
_LATE_POSSIBLE = {Status.OPEN.value, Status.RECTIFYING.value}
_FIXED = {Status.RECTIFIED.value, Status.CLOSED.value}
_VOID = Status.VOID.value
_MAJOR = Level.MAJOR.value
_loads = json.loads
_SNAPSHOT = ("id", "status", "level", "found_on", "deadline", "rectified_on", "industry", "locality", "owner",
             "measures", "funds", "contingency", "unit_id", "description", "verified_by")
TREND_WEEKS = 12
HEADLINE = ("found", "rectified", "closed", "voided", "reopened", "open", "overdue", "major_open",
            "major_supervised", "major_incomplete_plan")
RATES = ("rectification_week", "rectification_cumulative", "rectification_major_week",
         "rectification_major_cumulative", "on_time_week", "on_time_cumulative")


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
    """The hazards as they are now, made to go back in time one history entry at a time."""

    def __init__(self, reg: Register) -> None:
        self.states: dict[int, dict[str, Any]] = {
            row[0]: dict(zip(_SNAPSHOT, row, strict=True)) for row in reg.store.hazard_snapshot()
        }
        self.supervised: set[int] = reg.store.supervised_now()

    def undo(self, hazard_id: int, action: str, before_text: str | None) -> None:
        """Take back one history entry: the state becomes what it was just before it."""
        if action == "supervise":
            self.supervised.discard(hazard_id)
        elif action == "delist":
            self.supervised.add(hazard_id)
        elif action in _FIELD_ACTIONS:
            if before_text is None:
                if action in ("create", "import"):
                    self.states.pop(hazard_id, None)  # it did not exist yet
                return
            state = self.states.get(hazard_id)
            if state is not None:
                state.update(_loads(before_text))


def _walk(reg: Register, mondays: list[date], at_week_end: Callable[[int, _Replay], None]) -> list[dict[str, int]]:
    """Go back from now to the first of `mondays`, calling at_week_end(i, replay) with the
    register as it stood at the end of week i (latest week first), and count each week's events."""
    tz = reg.timezone
    bounds = [dates.local_day_bounds(m, tz)[0] for m in mondays]
    bounds.append(dates.local_day_bounds(mondays[-1] + timedelta(days=7), tz)[0])
    replay = _Replay(reg)
    weeks = len(mondays)
    events: list[dict[str, int]] = [{} for _ in mondays]
    k = weeks  # bounds[k] is the next week end to stop at, going back
    for at, hazard_id, action, before_text, _after in reg.store.hazard_events_since(bounds[0]):
        while k >= 1 and at < bounds[k]:
            at_week_end(k - 1, replay)
            k -= 1
        if k < weeks and action in _EVENTS:
            counts = events[k]
            counts[_EVENTS[action]] = counts.get(_EVENTS[action], 0) + 1
            if action == "done":  # the state now is the one just after this entry
                s = replay.states.get(hazard_id, {})
                if s.get("deadline") and s.get("rectified_on"):
                    counts["timed"] = counts.get("timed", 0) + 1
                    counts["on_time"] = counts.get("on_time", 0) + (s["rectified_on"] <= s["deadline"])
        replay.undo(hazard_id, action, before_text)
    while k >= 1:
        at_week_end(k - 1, replay)
        k -= 1
    return events


def snapshot(replay: _Replay, monday: date) -> dict[str, Any]:
    """The figures and rates that depend on the register as it stood at the end of the week."""
    last = (monday + timedelta(days=6)).isoformat()
    first = monday.isoformat()
    figures = dict.fromkeys(HEADLINE, 0)
    found_week = fixed_week = found_all = fixed_all = 0
    major_found_week = major_fixed_week = major_found_all = major_fixed_all = 0
    on_time_all = timed_all = 0
    supervised = replay.supervised
    for hazard_id, s in replay.states.items():
        status = s.get("status")
        found_on = s.get("found_on")
        if status == _VOID or not found_on:
            continue
        fixed = status in _FIXED
        major = s.get("level") == _MAJOR
        if found_on <= last:
            found_all += 1
            fixed_all += fixed
            major_found_all += major
            major_fixed_all += major and fixed
            if found_on >= first:
                found_week += 1
                fixed_week += fixed
                major_found_week += major
                major_fixed_week += major and fixed
        if status in _ACTIVE:
            figures["open"] += 1
            if major:
                figures["major_open"] += 1
                figures["major_supervised"] += hazard_id in supervised
                figures["major_incomplete_plan"] += bool(missing_plan(s))
            deadline = s.get("deadline")
            if deadline and deadline <= last and status in _LATE_POSSIBLE:
                figures["overdue"] += 1
        if fixed:
            rectified_on, deadline = s.get("rectified_on"), s.get("deadline")
            if rectified_on and deadline:
                timed_all += 1
                on_time_all += rectified_on <= deadline
    figures["found"] = found_week
    rates = {
        "rectification_week": _rate(fixed_week, found_week),
        "rectification_cumulative": _rate(fixed_all, found_all),
        "rectification_major_week": _rate(major_fixed_week, major_found_week),
        "rectification_major_cumulative": _rate(major_fixed_all, major_found_all),
        "on_time_cumulative": _rate(on_time_all, timed_all),
    }
    return {"figures": figures, "rates": rates}


def headline(state: dict[str, Any], events: dict[str, int]) -> dict[str, Any]:
    """A week's snapshot with the week's events added: the full headline figures and rates."""
    figures = {**state["figures"], **{k: events.get(k, 0) for k in ("rectified", "closed", "voided", "reopened")}}
    rates = {**state["rates"], "on_time_week": _rate(events.get("on_time", 0), events.get("timed", 0))}
    return {"figures": {k: figures[k] for k in HEADLINE}, "rates": {k: rates[k] for k in RATES}}


def weekly_report(reg: Register, week: str | None = None) -> dict[str, Any]:
    """Everything the weekly report says about the week `week` (default: the last complete one)."""
    monday = week_of(week, reg.today())
    mondays = [monday - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]  # oldest first
    sunday = monday + timedelta(days=6)
    first, last = monday.isoformat(), sunday.isoformat()
    states: dict[int, dict[str, Any]] = {}
    found_by_week = {m.isoformat(): 0 for m in mondays}
    groups: dict[str, dict[str, dict[str, int]]] = {"industry": {}, "locality": {}}
    overdue_list: list[dict[str, Any]] = []
    majors: list[dict[str, Any]] = []
    incomplete: list[dict[str, Any]] = []  # closed without full plan (taken in with --legacy)

    def at_week_end(i: int, replay: _Replay) -> None:
        if i < len(mondays) - 2:
            return
        states[i] = snapshot(replay, mondays[i])
        if i < len(mondays) - 1:
            return
        # The report's own week: breakdowns and lists from the register as it stood then.
        for hazard_id, s in replay.states.items():
            status = s.get("status")
            if status == _VOID or not s.get("found_on"):
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
                days = (sunday - date.fromisoformat(s["deadline"])).days
                overdue_list.append({**s, "id": hazard_id, "days_overdue": days})
            if s.get("level") == _MAJOR and status in _ACTIVE:
                majors.append({**s, "id": hazard_id, "supervised": hazard_id in replay.supervised,
                               "missing": missing_plan(s)})
            if closed_incomplete(s):
                incomplete.append({**s, "id": hazard_id,
                                   "missing": missing_plan(s) + ([] if s.get("verified_by") else ["verified_by"])})

    events = _walk(reg, mondays, at_week_end)
    current = headline(states[len(mondays) - 1], events[-1])
    previous = headline(states[len(mondays) - 2], events[-2])
    listed = overdue_list + majors + incomplete
    units = reg.store.units_by_ids(sorted({h["unit_id"] for h in listed if h.get("unit_id")}))
    for h in listed:
        h["unit_name"] = units.get(h.get("unit_id") or 0, {}).get("name", "")
        h.pop("funds", None)  # kept as found in the register or the history: not for the report
    overdue_list.sort(key=lambda h: (h["deadline"], h["id"]))
    majors.sort(key=lambda h: (h.get("deadline") or "9999", h["id"]))
    activity = reg.store.activity(monday, sunday)
    coverage = None
    running = [c for c in reg.campaigns() if c["start"] <= last and c["end"] >= first]
    if running:
        campaign = max(running, key=lambda c: c["start"])
        cov = reg.coverage(since=campaign["start"], until=min(last, campaign["end"]),
                           industries=campaign["industries"], localities=campaign["localities"])
        coverage = {"campaign": campaign["name"], **cov["total"]}
    return {
        "week": _label(monday), "monday": first, "sunday": last, "timezone": reg.timezone,
        "figures": current["figures"],
        "change": {k: current["figures"][k] - previous["figures"][k] for k in HEADLINE},
        "rates": current["rates"],
        "by_industry": [{"industry": k, **v} for k, v in sorted(groups["industry"].items())],
        "by_locality": [{"locality": k, **v} for k, v in sorted(groups["locality"].items())],
        "overdue": overdue_list, "majors": majors, "closed_incomplete": sorted(incomplete, key=lambda h: h["id"]),
        "activity": {**activity, "actions": {k: {"count": n, "fines": None if f is None else f"{f:.2f}"}
                                             for k, (n, f) in activity["actions"].items()}},
        "coverage": coverage,
        "trend": [{"week": _label(m), "found": found_by_week[m.isoformat()], "closed": events[i].get("closed", 0)}
                  for i, m in enumerate(mondays)],
    }


def trend(reg: Register, weeks: int = TREND_WEEKS) -> list[dict[str, Any]]:
    """Week by week up to the current one: found, closed, and open and overdue at each week's end,
    all as the register stood then."""
    today = reg.today()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    rows: dict[int, dict[str, Any]] = {}

    def at_week_end(i: int, replay: _Replay) -> None:
        first, last = mondays[i].isoformat(), (mondays[i] + timedelta(days=6)).isoformat()
        found = open_ = overdue = 0
        for s in replay.states.values():
            status, found_on = s.get("status"), s.get("found_on")
            if status == _VOID or not found_on:
                continue
            found += first <= found_on <= last
            if status in _ACTIVE:
                open_ += 1
                deadline = s.get("deadline")
                overdue += deadline is not None and deadline <= last and status in _LATE_POSSIBLE
        rows[i] = {"week": _label(mondays[i]), "found": found, "open": open_, "overdue": overdue}

    events = _walk(reg, mondays, at_week_end)
    return [{**rows[i], "closed": events[i].get("closed", 0)} for i in range(weeks)]


STATS_BY = ("industry", "locality", "level", "status", "month", "week")


def stats(reg: Register, by: str = "industry", since: str | None = None, until: str | None = None) -> list[dict[str, Any]]:
    """Hazards found, still open, overdue, closed and void, grouped `by` one of STATS_BY."""
    from hazreg.errors import InvalidInput

    if by not in STATS_BY:
        raise InvalidInput("err.choice", "by", value=by, allowed=", ".join(STATS_BY))
    first, last = reg.date(since, "since"), reg.date(until, "until")
    rows = reg.store.hazard_stats("day" if by in ("month", "week") else by, first, last, reg.today())
    if by in ("month", "week"):
        folded: dict[str, list[int]] = {}
        for day, *counts in rows:
            d = date.fromisoformat(day)
            key = day[:7] if by == "month" else _label(d - timedelta(days=d.weekday()))
            total = folded.setdefault(key, [0] * len(counts))
            for i, n in enumerate(counts):
                total[i] += n or 0
        rows = [(k, *v) for k, v in sorted(folded.items())]
    return [{"group": g or "", "found": n, "open": o or 0, "overdue": late or 0, "closed": c or 0, "void": v or 0}
            for g, n, o, late, c, v in rows]
