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

The accident section (year to date against last year and the control indicators) and the
enforcement section (cases opened, decided and closed, fines decided and collected: the rule of
the 打非治违 form, illegal.enforcement) are not replayed: they count the records as they are now,
by their dates, and are not part of the stored week, so `check` has nothing of them to recompute.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date, timedelta
from itertools import accumulate, groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import Level, Status
from hazreg.register.illegal import enforcement
from hazreg.register.lifecycle import closed_incomplete, missing_plan

if TYPE_CHECKING:
    from hazreg.register import Register

# History actions that change a hazard's own fields; the others (supervise, attach, …)
# are about things kept beside it.
_FIELD_ACTIONS = {"create", "import", "edit", "merge_locality", "plan", "start", "done", "verify", "verify_fail", "void", "extend"}
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
# The report lists (overdue hazards, open majors, majors closed incomplete) show their first
# LIST_LIMIT entries, most urgent first, and how many more there are; `--all` lists them all.
LIST_LIMIT = 50
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


# visit(lo, hi, hazard id, its fields, whether listed for supervision): the hazard stood so at
# the end of every period lo..hi (it changed in none of them).
_Visit = Callable[[int, int, int, dict[str, Any], bool], None]


def _walk(reg: Register, mondays: list[date], visit: _Visit, changed_only: bool = False) -> list[dict[str, int]]:
    """Take each hazard back from now to the start of the first of `mondays`, one hazard at a
    time, undoing its changes; call visit(lo, hi, id, state, supervised) with the hazard as it
    stood at the end of weeks lo..hi (if it existed then; one call for the weeks it changed in
    none of), and count each week's events. Memory is one hazard's chain, whatever the size of
    the register. `changed_only`: only the hazards changed since then (the others are counted in
    SQL, as they are now)."""
    tz = reg.timezone
    bounds = [dates.local_day_bounds(m, tz)[0] for m in mondays]
    bounds.append(dates.local_day_bounds(mondays[-1] + timedelta(days=7), tz)[0])
    return walk_between(reg, bounds, visit, changed_only)


def walk_between(reg: Register, bounds: list[str], visit: _Visit, changed_only: bool = False) -> list[dict[str, int]]:
    """The replay of `_walk` between any moments (UTC, ascending): period i runs from bounds[i]
    to bounds[i + 1], and visit(lo, hi, …) sees each hazard as it stood at bounds[lo + 1] to
    bounds[hi + 1]. The weekly report's periods are weeks; the statistical forms' are months,
    quarters and years."""
    weeks = len(bounds) - 1
    events: list[dict[str, int]] = [{} for _ in range(weeks)]
    # Split: the hazards created after the last moment, with no change before it, are not read
    # (their state is None at every moment looked at, and none of their changes is counted).
    chains = reg.store.hazard_chains(bounds[0], changed_only, until=bounds[-1] if changed_only else None)
    for hazard_id, fields, supervised, changes in chains:
        state = None if fields is None else dict(zip(_SNAPSHOT, fields, strict=True))
        k = weeks  # bounds[k] is the next week end to stop at, going back
        for at, action, before_text in changes:
            later = k
            while k >= 1 and at < bounds[k]:
                k -= 1
            if k < later and state is not None:  # as it stood at the ends of periods k..later-1
                visit(k, later - 1, hazard_id, state, supervised)
            if k < weeks and action in _EVENTS:
                counts = events[k]
                counts[_EVENTS[action]] = counts.get(_EVENTS[action], 0) + 1
                if action == "done":  # the state now is the one just after this entry
                    _count_timing(counts, state)
            # Take back this entry: the state becomes what it was just before it.
            if action == "supervise":
                supervised = False
            elif action == "delist":
                supervised = True
            else:
                state = _taken_back(state, action, before_text)
        if k >= 1 and state is not None:
            visit(0, k - 1, hazard_id, state, supervised)
    return events


def _taken_back(state: dict[str, Any] | None, action: str, before_text: str | None) -> dict[str, Any] | None:
    """A hazard's fields just before a history entry, from those just after it (None: it did not
    exist yet)."""
    if action in _FIELD_ACTIONS:
        if before_text is None:
            if action in ("create", "import"):
                return None
        elif state is not None:
            state.update(_loads(before_text))
    return state


def _count_timing(counts: dict[str, int], state: dict[str, Any] | None) -> None:
    """Count a `done` entry, the hazard as it left it, for the on-time rate: timed if it has a
    deadline and a date rectified, on time if rectified on or before the deadline."""
    s = state or {}
    if s.get("deadline") and s.get("rectified_on"):
        counts["timed"] = counts.get("timed", 0) + 1
        counts["on_time"] = counts.get("on_time", 0) + (s["rectified_on"] <= s["deadline"])


def _done_timing(reg: Register, start: str, end: str) -> dict[str, int]:
    """walk_between's timed and on-time counts of the `done` entries of start..end, without a walk:
    each hazard as its entry left it is its fields now with only its later entries taken back."""
    counts: dict[str, int] = {}
    for _seq, rows in groupby(reg.store.hazard_done_chains(start, end), itemgetter(0)):
        state: dict[str, Any] | None = None
        for n, (_, deadline, rectified_on, exists, action, before_text) in enumerate(rows):
            if n == 0 and exists:
                state = {"deadline": deadline, "rectified_on": rectified_on}
            if action is not None:
                state = _taken_back(state, action, before_text)
        _count_timing(counts, state)
    return counts


class _Figures:
    """The figures and rates that depend on the register as it stood at the end of a week: the
    walked hazards' added by _Spans, the others' counted in SQL (add_counted)."""

    def __init__(self, monday: date) -> None:
        self.first, self.last = monday.isoformat(), (monday + timedelta(days=6)).isoformat()
        self.figures = dict.fromkeys(HEADLINE, 0)
        self.n = dict.fromkeys(("found_week", "fixed_week", "found_all", "fixed_all", "major_found_week",
                                "major_fixed_week", "major_found_all", "major_fixed_all", "on_time_all",
                                "timed_all"), 0)

    def add_counted(self, counts: dict[str, int]) -> None:
        """Figures counted in SQL for the hazards unchanged since the replay's start."""
        for key, value in counts.items():
            if key in self.n:
                self.n[key] += value
            else:
                self.figures[key] += value

    def result(self) -> dict[str, Any]:
        n = self.n
        rates = {
            "rectification_week": _rate(n["fixed_week"], n["found_week"]),
            "rectification_cumulative": _rate(n["fixed_all"], n["found_all"]),
            "rectification_major_week": _rate(n["major_fixed_week"], n["major_found_week"]),
            "rectification_major_cumulative": _rate(n["major_fixed_all"], n["major_found_all"]),
            "on_time_cumulative": _rate(n["on_time_all"], n["timed_all"]),
        }
        return {"figures": {**self.figures, "found": n["found_week"]}, "rates": rates}


def headline(state: dict[str, Any], events: dict[str, int]) -> dict[str, Any]:
    """A week's snapshot with the week's events added: the full headline figures and rates."""
    figures = {**state["figures"], **{k: events.get(k, 0) for k in ("rectified", "closed", "voided", "reopened")}}
    rates = {**state["rates"], "on_time_week": _rate(events.get("on_time", 0), events.get("timed", 0))}
    return {"figures": {k: figures[k] for k in HEADLINE}, "rates": {k: rates[k] for k in RATES}}


class _Capped:
    """A report list: its first `limit` entries in the order of their keys (all of them if
    `limit` is None), and how many there were. Memory is about twice the limit, whatever the
    size of the register."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.total = 0
        self.items: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.worst: tuple[Any, ...] | None = None  # no entry after this one can be among the first

    def wants(self, key: tuple[Any, ...]) -> bool:
        """Count an entry; whether it may be among the first (else it need not be built)."""
        self.total += 1
        return self.worst is None or key < self.worst

    def add(self, key: tuple[Any, ...], item: dict[str, Any]) -> None:
        self.items.append((key, item))
        if self.limit is not None and len(self.items) >= 2 * self.limit + 64:
            self._trim()

    def _trim(self) -> None:
        self.items.sort(key=lambda pair: pair[0])  # keys end with the hazard's id: never equal
        if self.limit is not None and len(self.items) > self.limit:
            del self.items[self.limit:]
            self.worst = self.items[-1][0] if self.items else None

    def first(self) -> list[dict[str, Any]]:
        self._trim()
        return [item for _, item in self.items]


class _Breakdown:
    """The report's own week: found per week of the trend, by industry and locality, and the
    lists of overdue hazards, open majors and majors closed incomplete (their first `limit`
    entries, most urgent first, and their totals)."""

    def __init__(self, mondays: list[date], limit: int | None = None) -> None:
        self.monday = mondays[-1]
        self.sunday = self.monday + timedelta(days=6)
        self.first, self.last = self.monday.isoformat(), self.sunday.isoformat()
        self.found_by_week = {m.isoformat(): 0 for m in mondays}
        self.groups: dict[str, dict[str, dict[str, int]]] = {"industry": {}, "locality": {}}
        self.overdue = _Capped(limit)  # deadline passed longest ago first
        self.majors = _Capped(limit)  # nearest deadline first, those without one last
        self.incomplete = _Capped(limit)  # closed without full plan (taken in with --legacy), by id

    def add_group(self, key: str, value: str, found: int, active: int, overdue: int) -> None:
        g = self.groups[key].setdefault(value, {"found": 0, "open": 0, "overdue": 0})
        g["found"] += found
        g["open"] += active
        g["overdue"] += overdue

    def add_to_lists(self, hazard_id: int, s: dict[str, Any], supervised: bool, late: bool) -> None:
        """A hazard as it stood at the week's end, in each list it belongs to (`late`: overdue then)."""
        status = s.get("status")
        if late:
            key: tuple[Any, ...] = (s["deadline"], hazard_id)
            if self.overdue.wants(key):
                self.overdue.add(key, self._entry("overdue", hazard_id, s, supervised))
        if s.get("level") == _MAJOR and status in _ACTIVE:
            key = (s.get("deadline") or "9999", hazard_id)
            if self.majors.wants(key):
                self.majors.add(key, self._entry("majors", hazard_id, s, supervised))
        if closed_incomplete(s) and self.incomplete.wants((hazard_id,)):
            self.incomplete.add((hazard_id,), self._entry("incomplete", hazard_id, s, supervised))

    def _entry(self, kind: str, hazard_id: int, s: dict[str, Any], supervised: bool) -> dict[str, Any]:
        """A hazard as list `kind` shows it."""
        if kind == "overdue":
            return {**_listed(s), "id": hazard_id, "days_overdue": (self.sunday - date.fromisoformat(s["deadline"])).days}
        if kind == "majors":
            return {**_listed(s), "id": hazard_id, "supervised": supervised, "missing": missing_plan(s)}
        return {**_listed(s), "id": hazard_id,
                "missing": missing_plan(s) + ([] if s.get("verified_by") else ["verified_by"])}

    def add_first(self, kind: str, total: int, rows: list[tuple[Any, ...]]) -> None:
        """List `kind` of the hazards counted in SQL: how many it holds, and its first entries in the
        list's order (as the store gives them: the report's fields, whether listed for supervision)."""
        capped = {"overdue": self.overdue, "majors": self.majors, "incomplete": self.incomplete}[kind]
        capped.total += total - len(rows)  # each row is counted as it is offered
        for hazard_id, *fields, supervised in rows:
            s = dict(zip(_SNAPSHOT, (hazard_id, *fields), strict=True))
            key: tuple[Any, ...] = ((s["deadline"], hazard_id) if kind == "overdue" else
                                    (s.get("deadline") or "9999", hazard_id) if kind == "majors" else (hazard_id,))
            if capped.wants(key):
                capped.add(key, self._entry(kind, hazard_id, s, bool(supervised)))


def _span(diff: list[int], lo: int, hi: int, n: int = 1) -> None:
    """Add n to weeks lo..hi of a difference array (its running sum is the count of each week)."""
    if lo <= hi:
        diff[lo] += n
        diff[hi + 1] -= n


def _running(diff: list[int]) -> list[int]:
    return list(accumulate(diff))


# The figures _Spans counts, as _Figures names them (in its `n` or its `figures`).
_ALL = ("found_all", "fixed_all", "major_found_all", "major_fixed_all")
_WEEK = ("found_week", "fixed_week", "major_found_week", "major_fixed_week")
_OPEN = ("open", "major_open", "major_supervised", "major_incomplete_plan")
_TIMED = ("timed_all", "on_time_all")


class _Spans:
    """The figures and breakdowns of weeks of `mondays` (consecutive), hazard by hazard, from the
    spans of weeks at whose ends a hazard stood the same (the walk's visits). A hazard is tallied
    by what counts of it and over which weeks (its span, the week it was found by and in, the
    week it became overdue, ...): a walk sees few different such, so a hazard costs one tally
    whether it stood so for one week or thirteen (`check` recomputes thirteen weeks in one walk).
    `finish` spreads the tallies over their weeks (difference arrays) into each week's _Figures
    and _Breakdown. Only the lists take a hazard week by week, for the weeks it is in one.

    The rules for a hazard at a week's end are the definitions above (the store's SQL counts the
    hazards not walked by the same), its dates compared as text: found by week i's end if
    found_on <= its Sunday (bisect over the Sundays), found in it if also >= its Monday; open if
    open, rectifying or rectified (and for a major: listed for supervision, plan incomplete);
    overdue if open or rectifying with a deadline <= its Sunday; timed if rectified or closed
    with a date rectified and a deadline, on time if that date <= the deadline. Void hazards and
    those without a date found count nowhere."""

    def __init__(self, mondays: list[date], breakdowns: dict[int, _Breakdown], walked_from: int) -> None:
        self.walked_from = walked_from  # the walk's period 0 is week walked_from (the earlier ones are in trends)
        self.firsts = [m.isoformat() for m in mondays]
        self.lasts = [(m + timedelta(days=6)).isoformat() for m in mondays]
        self.index = {m: i for i, m in enumerate(self.firsts)}
        self.breakdowns = breakdowns
        self.listing = sorted(breakdowns)
        self.hazards: dict[tuple[Any, ...], int] = {}  # the figures' tallies (see add)
        self.groups: dict[tuple[Any, ...], int] = {}  # the breakdowns' by industry and locality
        self.found_in: dict[tuple[int, int, int], int] = {}  # (week found, span) -> hazards
        self._week_of: dict[str, int | None] = {}  # a date found -> its week's index (a replay sees few)

    def add(self, lo: int, hi: int, hazard_id: int, s: dict[str, Any], supervised: bool) -> None:
        """walk_between's visit: the hazard stood so at the ends of its periods lo..hi."""
        status, found_on = s.get("status"), s.get("found_on")
        if status == _VOID or not found_on:
            return
        lo, hi = lo + self.walked_from, hi + self.walked_from
        fixed, major, active = status in _FIXED, s.get("level") == _MAJOR, status in _ACTIVE
        f = bisect_left(self.lasts, found_on)  # found by the end of week f and of every later one
        found_week = f if lo <= f <= hi and found_on >= self.firsts[f] else -1  # found during it
        deadline = s.get("deadline")
        late_from = hi + 1  # the first week of the span at whose end it was overdue
        if active and deadline and status in _LATE_POSSIBLE:
            late_from = max(lo, bisect_left(self.lasts, deadline))
        timed = fixed and bool(deadline) and bool(s.get("rectified_on"))
        key = (lo, hi, max(lo, f), found_week, fixed, major, active, major and active and supervised,
               major and active and bool(missing_plan(s)), late_from, timed, timed and s["rectified_on"] <= deadline)
        self.hazards[key] = self.hazards.get(key, 0) + 1
        if self.breakdowns:
            self._add_breakdown(lo, hi, hazard_id, s, supervised, found_week, late_from)

    def _add_breakdown(self, lo: int, hi: int, hazard_id: int, s: dict[str, Any], supervised: bool,
                       found_week: int, late_from: int) -> None:
        found_on = s["found_on"]
        if found_on not in self._week_of:
            found_monday = date.fromisoformat(found_on)
            self._week_of[found_on] = self.index.get((found_monday - timedelta(days=found_monday.weekday())).isoformat())
        w = self._week_of[found_on]
        if w is not None:  # in the trend of the weeks w..w + TREND_WEEKS - 1
            trend = (w, max(lo, w), min(hi, w + TREND_WEEKS - 1))
            self.found_in[trend] = self.found_in.get(trend, 0) + 1
        active = s.get("status") in _ACTIVE
        for group in (("industry", s.get("industry") or ""), ("locality", s.get("locality") or "")):
            key = (group, lo, hi, found_week, active, late_from)
            self.groups[key] = self.groups.get(key, 0) + 1
        major = s.get("level") == _MAJOR
        if major or late_from <= hi:  # in a list at some week's end: a major's from lo, else from late_from
            for i in self.listing[bisect_left(self.listing, lo if major else late_from):bisect_right(self.listing, hi)]:
                self.breakdowns[i].add_to_lists(hazard_id, s, supervised, i >= late_from)

    def finish(self, figures: dict[int, _Figures]) -> None:
        """Spread the tallies over their weeks into each week's figures and breakdown."""
        size = len(self.firsts) + 1
        diff = {key: [0] * size for key in (*_ALL, *_WEEK, *_OPEN, *_TIMED, "overdue")}
        for (lo, hi, by, found_week, fixed, major, active, supervised, plan, late_from, timed, on_time), n in (
                self.hazards.items()):
            for key, week_key, counted in zip(_ALL, _WEEK, (True, fixed, major, major and fixed), strict=True):
                if counted:
                    _span(diff[key], by, hi, n)
                    if found_week >= 0:
                        _span(diff[week_key], found_week, found_week, n)
            if active:
                for key, counted in zip(_OPEN, (True, major, supervised, plan), strict=True):
                    if counted:
                        _span(diff[key], lo, hi, n)
            _span(diff["overdue"], late_from, hi, n)
            if timed:
                _span(diff["timed_all"], lo, hi, n)
                _span(diff["on_time_all"], lo, hi, n * on_time)
        for key, counts in ((key, _running(d)) for key, d in diff.items()):
            for i, week in figures.items():
                if key in week.n:
                    week.n[key] += counts[i]
                else:
                    week.figures[key] += counts[i]
        found_in: dict[int, list[int]] = {}
        for (w, lo, hi), n in self.found_in.items():
            _span(found_in.setdefault(w, [0] * size), lo, hi, n)
        for w, d in found_in.items():
            counts = _running(d)
            for i, b in self.breakdowns.items():
                if counts[i]:
                    b.found_by_week[self.firsts[w]] += counts[i]
        groups: dict[tuple[str, str], list[list[int]]] = {}  # -> (diff) present, found, open, overdue
        for (group, lo, hi, found_week, active, late_from), n in self.groups.items():
            present, found, open_, overdue = groups.get(group) or groups.setdefault(group, [[0] * size for _ in range(4)])
            _span(present, lo, hi, n)
            if found_week >= 0:
                _span(found, found_week, found_week, n)
            if active:
                _span(open_, lo, hi, n)
            _span(overdue, late_from, hi, n)
        for (key, value), diffs in groups.items():
            present, found, open_, overdue = map(_running, diffs)
            for i, b in self.breakdowns.items():
                if present[i]:
                    b.add_group(key, value, found[i], open_[i], overdue[i])


_LISTED = tuple(k for k in _SNAPSHOT if k != "funds")


def _listed(s: dict[str, Any]) -> dict[str, Any]:
    """A hazard as the report lists it: the snapshot's fields alone, whatever other fields the
    entries undone brought back (so a week reads the same whenever it is computed), and funds
    (kept as found in the register or the history) left out."""
    return {k: s.get(k) for k in _LISTED}


def _windows(monday: date) -> list[date]:
    return [monday - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]  # oldest first


def replayed_weeks(reg: Register, report_mondays: list[date], split: bool = True,
                   everything: bool = False, weeks_before: dict[date, dict[str, Any]] | None = None,
                   ) -> dict[str, dict[str, Any]]:
    """The part of each asked week's report that comes from replaying the history (figures,
    change, rates, breakdowns, lists, trend), by the week's Monday, in one walk. The lists hold
    their first LIST_LIMIT entries, most urgent first, and their totals (`everything`: all).

    Only the hazards changed since the earliest asked week began (the week before it ended)
    are taken back one by one (`split`); every other hazard stood then as it stands now, and is
    counted in SQL by the same rules, only each list's first entries read (and the events of
    the week before and the trend's earlier weeks' closings are counted from the history).
    `weeks_before` (split only): for an asked week, the replayed part of the week before, as
    kept and still holding: its figures and the trend's earlier closings are read from it, so
    the walk need only reach back to the asked week's end (its own events are counted from the
    history). Without `split`, every hazard is taken back: the same result, the reference the
    tests hold the split one to."""
    if not report_mondays:
        return {}
    first = min(report_mondays) - timedelta(weeks=TREND_WEEKS - 1)
    mondays = [first + timedelta(weeks=i) for i in range((max(report_mondays) - first).days // 7 + 1)]
    at = {m: i for i, m in enumerate(mondays)}
    limit = None if everything else LIST_LIMIT
    figures: dict[int, _Figures] = {}
    breakdowns: dict[int, _Breakdown] = {}
    before: dict[int, dict[str, Any]] = {}  # asked week -> its week before, as kept
    closed: dict[int, int] = {}  # week -> its closings, as kept
    for m in report_mondays:
        i = at[m]
        figures[i] = _Figures(m)
        kept = weeks_before.get(m) if split and weeks_before else None
        earlier = _closings(kept, mondays[i - TREND_WEEKS + 1: i])
        if kept is not None and earlier is not None:
            before[i] = kept
            closed.update(enumerate(earlier, i - TREND_WEEKS + 1))
        else:
            figures[i - 1] = _Figures(mondays[i - 1])
        breakdowns[i] = _Breakdown(mondays[i - TREND_WEEKS + 1: i + 1], limit)
    start = min(figures) if split else 0  # the first week whose end the walk sees

    spans = _Spans(mondays, breakdowns, start)

    tz = reg.timezone
    bounds = [dates.local_day_bounds(m, tz)[0] for m in mondays[start:]]
    bounds.append(dates.local_day_bounds(mondays[-1] + timedelta(days=7), tz)[0])
    if split:
        # Only the end of the first week is needed (its figures are the change's baseline), not
        # its events: the walk's first period is that moment alone, so it takes back only the
        # hazards changed since; the first week's events are counted in SQL.
        bounds[0] = bounds[1]
    events: list[dict[str, int]] = [{} for _ in mondays[:start]]
    events += walk_between(reg, bounds, spans.add, changed_only=split)
    spans.finish(figures)
    if split:
        _count_unchanged(reg, mondays, start, figures, breakdowns, events, closed)
    result: dict[str, dict[str, Any]] = {}
    for m in report_mondays:
        i = at[m]
        current = headline(figures[i].result(), events[i])
        previous = before[i] if i in before else headline(figures[i - 1].result(), events[i - 1])
        b = breakdowns[i]
        lists = {"overdue": b.overdue.first(), "majors": b.majors.first(), "closed_incomplete": b.incomplete.first()}
        totals = {"overdue": b.overdue.total, "majors": b.majors.total, "closed_incomplete": b.incomplete.total}
        result[m.isoformat()] = {
            "figures": current["figures"],
            "change": {k: current["figures"][k] - previous["figures"][k] for k in HEADLINE},
            "rates": current["rates"],
            "by_industry": [{"industry": k, **v} for k, v in sorted(b.groups["industry"].items())],
            "by_locality": [{"locality": k, **v} for k, v in sorted(b.groups["locality"].items())],
            **lists,
            "lists": {"limit": limit, "capped": any(totals[k] > len(lists[k]) for k in lists), "totals": totals},
            "trend": [{"week": _label(w), "found": b.found_by_week[w.isoformat()],
                       "closed": events[i - TREND_WEEKS + 1 + n].get("closed", 0)}
                      for n, w in enumerate(mondays[i - TREND_WEEKS + 1: i + 1])],
        }
    return result


def _closings(kept: dict[str, Any] | None, mondays: list[date]) -> list[int] | None:
    """The closings of these weeks as a kept week's trend has them, if it has them all and its
    headline figures (else None: a week kept by another hazreg is not read for them)."""
    if not kept or not isinstance(kept.get("figures"), dict) or any(k not in kept["figures"] for k in HEADLINE):
        return None
    trend = {row.get("week"): row.get("closed") for row in kept.get("trend") or [] if isinstance(row, dict)}
    closings = [n for n in (trend.get(_label(w)) for w in mondays) if isinstance(n, int)]
    return closings if len(closings) == len(mondays) else None


# What Store.weekly_unchanged_groups counts for each week asked, in its order.
_PER_WEEK = ("found_all", "fixed_all", "major_found_all", "major_fixed_all", "found_week", "fixed_week",
             "major_found_week", "major_fixed_week", "overdue")


def _count_unchanged(reg: Register, mondays: list[date], start: int, figures: dict[int, _Figures],
                     breakdowns: dict[int, _Breakdown], events: list[dict[str, int]], closed: dict[int, int]) -> None:
    """Add the hazards unchanged since mondays[start] ended to the figures and breakdowns (counted
    in SQL, listed here), the closings of the weeks up to it (those not in `closed`, as kept, counted
    in the history) and the other events of that week (counted in the history) to `events`."""
    tz = reg.timezone
    bounds = [dates.local_day_bounds(m, tz)[0] for m in (*mondays[: start + 1], mondays[start] + timedelta(weeks=1))]
    since = bounds[start + 1]
    counted = 0 if any(w not in closed for w in range(start)) else start
    closings = dict(closed)
    spans = reg.store.hazard_action_counts(("verify", "done", "void", "verify_fail"), bounds[counted:])
    closings.update((w, counts["verify"]) for w, counts in enumerate(spans, counted))
    for w, n in closings.items():
        if n and w <= start:
            events[w]["closed"] = n
    for action in ("done", "void", "verify_fail"):
        if n := spans[start - counted][action]:
            events[start][_EVENTS[action]] = n
    if start in breakdowns:  # an asked week's own events (its week before kept): its on-time rate too
        events[start].update(_done_timing(reg, bounds[start], bounds[start + 1]))
    weeks = sorted(figures)
    overdue = dict.fromkeys(weeks, 0)
    majors = 0
    for industry, locality, active, major_open, supervised, timed, on_time, *sums in reg.store.weekly_unchanged_groups(
            since, [(figures[i].first, figures[i].last) for i in weeks]):
        common = {"open": active, "major_open": major_open, "major_supervised": supervised, "timed_all": timed,
                  "on_time_all": on_time}
        majors += major_open or 0
        for n, i in enumerate(weeks):
            counts = dict(zip(_PER_WEEK, sums[n * len(_PER_WEEK):(n + 1) * len(_PER_WEEK)], strict=True))
            figures[i].add_counted({k: v or 0 for k, v in {**common, **counts}.items()})
            overdue[i] += counts["overdue"] or 0
            if i in breakdowns:
                for key, value in (("industry", industry), ("locality", locality)):
                    breakdowns[i].add_group(key, value, counts["found_week"] or 0, active or 0, counts["overdue"] or 0)
    # The incomplete plans: one count, whatever the week (it depends on the hazard alone).
    plans = reg.store.weekly_unchanged_incomplete_plans(since)
    for i in weeks:
        figures[i].figures["major_incomplete_plan"] += plans
    if breakdowns:
        _add_unchanged_found_and_lists(reg, since, breakdowns, overdue, majors)


def _add_unchanged_found_and_lists(reg: Register, since: str, breakdowns: dict[int, _Breakdown],
                                   overdue: dict[int, int], majors: int) -> None:
    """Add the hazards unchanged since `since` to each breakdown's found by week and its lists
    (only each list's first entries read: all of them for `--all`), read once for all the weeks
    (`check` recomputes the thirteen kept in one walk): the days found over all their trends;
    the open majors and the majors closed incomplete, the same at every week's end for a hazard
    unchanged; the overdue of the latest week, whose first entries with a deadline by an earlier
    week's end are that week's first (the list's order is by deadline). A list's total is the
    figure counting the same hazards where there is one (`overdue` by week, open `majors`: counted
    in SQL with the figures), so it is not counted again."""
    latest = max(b.last for b in breakdowns.values())
    found = reg.store.weekly_unchanged_found(since, min(min(b.found_by_week) for b in breakdowns.values()), latest)
    limit = next(iter(breakdowns.values())).overdue.limit
    last_week = max(breakdowns)
    lists = {kind: reg.store.weekly_unchanged_first(since, kind, latest, limit, total) for kind, total in (
        ("overdue", overdue[last_week]), ("majors", majors), ("incomplete", None))}
    deadline = _SNAPSHOT.index("deadline")  # in a list's rows: (id, the other fields of _SNAPSHOT, supervised)
    for i, b in breakdowns.items():
        trend_first = min(b.found_by_week)
        for found_on, n in found:
            if trend_first <= found_on <= b.last:
                found_monday = date.fromisoformat(found_on)
                b.found_by_week[(found_monday - timedelta(days=found_monday.weekday())).isoformat()] += n
        b.add_first("overdue", overdue[i], [row for row in lists["overdue"][1] if row[deadline] <= b.last])
        b.add_first("majors", *lists["majors"])
        b.add_first("incomplete", *lists["incomplete"])


def _week_end(reg: Register, monday: date) -> str:
    return dates.local_day_bounds(monday + timedelta(days=7), reg.timezone)[0]


def _in_use(data: dict[str, Any]) -> bool:
    """Whether a stored week's lists are cut where this hazreg cuts them (a week stored by an
    earlier hazreg, with whole lists, is computed again and replaced)."""
    lists = data.get("lists")
    return isinstance(lists, dict) and lists.get("limit") == LIST_LIMIT


def replayed_week(reg: Register, monday: date, everything: bool = False) -> dict[str, Any]:
    """The replayed part of a week's report: read from the stored weeks while it still holds
    (no hazard change written since it was computed took effect before the week's end), else
    computed and stored. A report never waits to store it; `check` recomputes what is stored.
    With `everything` (whole lists), computed each time and not stored."""
    week, tz = monday.isoformat(), reg.timezone
    data = None if everything else _kept(reg, monday)
    if data is not None:
        return data
    seq, digest = reg.store.history_head()  # before anything is read: a change written since is seen
    before = _kept(reg, monday - timedelta(weeks=1))  # kept where the office runs its report each week
    data = replayed_weeks(reg, [monday], everything=everything, weeks_before={monday: before} if before else None)[week]
    oldest = _oldest_kept(reg)
    if not everything and oldest <= monday <= reg.today():
        reg.store.store_weekly(week, tz, seq, digest, _dumps(data), forget_before=oldest.isoformat())
    return data


# The weeks kept: the current one and the KEPT_WEEKS - 1 before it (the trend's twelve, and the
# week before the oldest of them, which that week's report reads). `check` recomputes every week
# kept, walking from now back to it: kept without end, an office's weekly reports would make
# `check` grow with the register's age (104 weeks kept at 100,000 hazards: 33 CPU s for them
# alone). An older week is computed each time it is asked for, as it was before weeks were kept.
KEPT_WEEKS = TREND_WEEKS + 1


def _oldest_kept(reg: Register) -> date:
    """The Monday of the oldest week kept, today."""
    today = reg.today()
    return today - timedelta(days=today.weekday(), weeks=KEPT_WEEKS - 1)


def _kept(reg: Register, monday: date) -> dict[str, Any] | None:
    """A week's replayed part as stored, if it is a week kept (_oldest_kept), while it still holds
    (no hazard change written since it was computed took effect before the week's end) and its
    lists are cut as this hazreg cuts them."""
    if monday < _oldest_kept(reg):
        return None
    stored = reg.store.weekly_stored(monday.isoformat(), reg.timezone)
    if stored is not None and reg.store.weekly_still_current(stored[0], stored[1], _week_end(reg, monday)):
        data: dict[str, Any] = _loads(stored[2])
        if _in_use(data):
            return data
    return None


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def stored_weeks_problems(reg: Register) -> list[dict[str, Any]]:
    """Every stored week still in use (a week kept today, still holding), recomputed from the
    history: those that differ (changed behind hazreg's back). All are recomputed in one walk,
    back to the oldest (each the same as alone: a test holds them equal; a hazard costs about the
    same whatever the weeks it spans, _Spans); memory is a few capped lists per week. Stored
    weeks no longer in use are never read; they are left (the next week kept forgets those older
    than the weeks kept)."""
    oldest = _oldest_kept(reg)
    stored: dict[str, tuple[str, dict[str, Any]]] = {}
    for week, tz, seq, digest, text in reg.store.weekly_stored_all():
        monday = date.fromisoformat(week)
        if (tz == reg.timezone and monday >= oldest
                and reg.store.weekly_still_current(seq, digest, _week_end(reg, monday))):
            data = _loads(text)
            if _in_use(data):  # else never read: computed again when asked
                stored[week] = (text, data)
    if not stored:
        return []
    replayed = replayed_weeks(reg, [date.fromisoformat(w) for w in sorted(stored)])
    problems = []
    for week, (text, data) in sorted(stored.items()):
        fresh = _dumps(replayed[week])
        # The text hazreg wrote is the same text again; other text may still say the same.
        if text != fresh and data != _loads(fresh):
            problems.append({"problem": "weekly_stored", "week": _label(date.fromisoformat(week))})
    return problems


def weekly_report(reg: Register, week: str | None = None, everything: bool = False) -> dict[str, Any]:
    """Everything the weekly report says about the week `week` (default: the last complete one).
    Its lists hold their first LIST_LIMIT entries, most urgent first, with their totals in
    `lists` (`everything`: all their entries)."""
    monday = week_of(week, reg.today())
    sunday = monday + timedelta(days=6)
    first, last = monday.isoformat(), sunday.isoformat()
    replayed = replayed_week(reg, monday, everything)
    listed = replayed["overdue"] + replayed["majors"] + replayed["closed_incomplete"]
    units = reg.store.units_by_ids(sorted({h["unit_id"] for h in listed if h.get("unit_id")}))
    for h in listed:
        h["unit_name"] = units.get(h.get("unit_id") or 0, {}).get("name", "")
    activity = reg.store.activity(monday, sunday)
    coverage = None
    running = [c for c in reg.campaigns.all() if c["start"] <= last and c["end"] >= first]
    if running:
        campaign = max(running, key=lambda c: c["start"])
        cov = reg.reports.coverage(since=campaign["start"], until=min(last, campaign["end"]),
                           industries=campaign["industries"], localities=campaign["localities"])
        coverage = {"campaign": campaign["name"], **cov["total"]}
    return {
        "week": _label(monday), "monday": first, "sunday": last, "timezone": reg.timezone,
        "figures": replayed["figures"], "change": replayed["change"], "rates": replayed["rates"],
        "by_industry": replayed["by_industry"], "by_locality": replayed["by_locality"],
        "by_department": by_department(reg, replayed["by_industry"], monday, sunday),
        "overdue": replayed["overdue"], "majors": replayed["majors"], "closed_incomplete": replayed["closed_incomplete"],
        "lists": replayed["lists"],
        "activity": {**activity, "actions": {k: {"count": n, "fines": None if f is None else f"{f:.2f}"}
                                             for k, (n, f) in activity["actions"].items()}},
        "coverage": coverage,
        "supervision": supervision_at(reg, min(sunday, reg.today())),
        "trend": replayed["trend"],
        "enforcement": enforcement(reg, monday, min(sunday, reg.today())),
        "accidents": accidents_at(reg, monday, min(sunday, reg.today())),
    }


def accidents_at(reg: Register, monday: date, through: date) -> dict[str, Any]:
    """The accident section: the year of `through` to that day (the week's Sunday, or today for
    the current week) against the same period last year and the indicators pro rata, month by
    month, and the week's own accidents. Accidents as recorded now, not replayed: a figure
    corrected later (a death within 30 days, 条例第十三条 补报) counts in every report that
    covers the accident, so this part is never stored with the replayed week."""
    report = reg.accidents.report(through=through)
    week = reg.store.accidents(monday, through) if through >= monday else []
    return {**report, "week": {"accidents": len(week), "deaths": sum(a["deaths"] for a in week)}}


def by_department(reg: Register, by_industry: list[dict[str, Any]], monday: date, sunday: date) -> list[dict[str, Any]]:
    """Per department in use: the week's figures of the industries it supervises (found, open and
    overdue, the sums of the by-industry table's rows) and the inspections it recorded that week."""
    groups = {g["industry"]: g for g in by_industry}
    own = {d: (n, u) for d, n, u in reg.store.department_inspections(monday, sunday)}
    rows = []
    for dep in reg.places.departments(retired=False):
        mine = [groups[i] for i in dep["industries"] if i in groups]
        inspections, units = own.get(dep["id"], (0, 0))
        rows.append({"department": dep["name"], "industries": dep["industries"],
                     **{k: sum(g[k] for g in mine) for k in ("found", "open", "overdue")},
                     "inspections": inspections, "units_inspected": units})
    return rows


def supervision_at(reg: Register, day: date) -> dict[str, Any]:
    """The major hazards listed for supervision at the end of `day` (the week's Sunday, or today
    for the current week), each with its supervision deadline, flagged 督办逾期 where that
    deadline had passed and the hazard was not closed by then; and how many are."""
    hazards = []
    for s in reg.store.supervisions_at(day):
        overdue = (bool(s["due"]) and s["due"] < day.isoformat() and s["status"] != "void"
                   and not (s["closed_on"] and s["closed_on"] <= day.isoformat()))
        hazards.append({"id": f"H{s['hazard_id']}", "unit_name": s["unit_name"], "description": s["description"],
                        "supervised_by": s["body"], "supervision_level": s["level"], "notice_no": s["notice_no"],
                        "listed_on": s["listed_on"], "supervision_due": s["due"], "supervision_overdue": overdue})
    return {"as_of": day.isoformat(), "listed": len(hazards),
            "overdue": sum(h["supervision_overdue"] for h in hazards), "hazards": hazards}


_TREND = ("found", "open", "overdue", "closed")  # a trend row's figures, as the weekly report names them


def trend(reg: Register, weeks: int = TREND_WEEKS, split: bool = True) -> list[dict[str, Any]]:
    """Week by week up to the current one: found, closed, and open and overdue at each week's end,
    all as the register stood then (the weekly report's figures of the same names).

    A week the weekly report keeps, while it still holds, is read from it (`check` verifies what
    is kept); the others are replayed together, back to the earliest of them: only the hazards
    changed since it began are taken back one by one, the others counted in SQL as they are now
    (`split`). Without `split`, every week is replayed, every hazard taken back: the same
    result, the reference the tests hold the split one to."""
    today = reg.today()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    rows: dict[date, dict[str, int]] = {}
    for monday in mondays if split else []:
        data = _kept(reg, monday)
        if data is not None:
            rows[monday] = {k: data["figures"][k] for k in _TREND}
    missing = [m for m in mondays if m not in rows]
    if missing:
        rows.update(_trend_replayed(reg, missing, split))
    return [{"week": _label(m), **rows[m]} for m in mondays]


def _trend_replayed(reg: Register, mondays: list[date], split: bool) -> dict[date, dict[str, int]]:
    """trend's figures of these weeks (ascending), replayed in one walk back to the first."""
    span = [mondays[0] + timedelta(weeks=i) for i in range((mondays[-1] - mondays[0]).days // 7 + 1)]
    at = {m: i for i, m in enumerate(span)}
    counts = {at[m]: dict.fromkeys(("found", "open", "overdue"), 0) for m in mondays}
    lasts = [(m + timedelta(days=6)).isoformat() for m in span]
    firsts = [m.isoformat() for m in span]

    def visit(lo: int, hi: int, _hazard_id: int, s: dict[str, Any], _supervised: bool) -> None:
        status, found_on = s.get("status"), s.get("found_on")
        if status == _VOID or not found_on:
            return
        for i in range(lo, hi + 1):
            if i not in counts:
                continue
            last, row = lasts[i], counts[i]
            row["found"] += firsts[i] <= found_on <= last
            if status in _ACTIVE:
                row["open"] += 1
                deadline = s.get("deadline")
                row["overdue"] += deadline is not None and deadline <= last and status in _LATE_POSSIBLE

    events = _walk(reg, span, visit, changed_only=split)
    if split:  # the hazards unchanged since the first week began stood at every week's end as now
        since = dates.local_day_bounds(span[0], reg.timezone)[0]
        weeks = sorted(counts)
        for _industry, _locality, active, _major, _supervised, _timed, _on_time, *sums in (
                reg.store.weekly_unchanged_groups(since, [(firsts[i], lasts[i]) for i in weeks])):
            for n, i in enumerate(weeks):
                week = dict(zip(_PER_WEEK, sums[n * len(_PER_WEEK):(n + 1) * len(_PER_WEEK)], strict=True))
                counts[i]["found"] += week["found_week"] or 0
                counts[i]["open"] += active or 0
                counts[i]["overdue"] += week["overdue"] or 0
    return {m: {**counts[at[m]], "closed": events[at[m]].get("closed", 0)} for m in mondays}


STATS_BY = ("industry", "locality", "level", "status", "month", "week")


def stats(reg: Register, by: str = "industry", since: str | None = None, until: str | None = None) -> list[dict[str, Any]]:
    """Hazards found, still open, overdue, closed and void, grouped `by` one of STATS_BY."""
    from hazreg.errors import InvalidInput

    if by not in STATS_BY:
        raise InvalidInput("err.choice", "by", value=by, allowed=", ".join(STATS_BY))
    first, last = reg.ctx.date(since, "since"), reg.ctx.date(until, "until")
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
