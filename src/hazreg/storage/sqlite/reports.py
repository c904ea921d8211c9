"""SQL for the reports: the weekly report's replay and figures, its stored weeks, stats and activity
(part of the Store)."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any

from hazreg.chain import GENESIS
from hazreg.enums import ACTIVE, CAN_BE_OVERDUE
from hazreg.money import from_fen

_OVERDUE_SQL = (
    "(h.status IN ({}) AND h.deadline IS NOT NULL AND h.deadline < :today)".format(
        ", ".join(f"'{s.value}'" for s in CAN_BE_OVERDUE)
    )
)
_ACTIVE_SQL = ", ".join(f"'{s.value}'" for s in ACTIVE)


class ReportQueries:
    conn: sqlite3.Connection
    path: Path | None
    on_disk: bool

    def _tuples(self, sql: str, params: Any = ()) -> Iterator[tuple[Any, ...]]:  # provided by Store
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[None]:  # provided by Store
        raise NotImplementedError

    def hazard_events_since(self, since: str) -> Iterator[tuple[Any, ...]]:
        """(effective_at, hazard id, action, before, after as JSON text) of every hazard change that
        took effect at or after `since`, latest first: what a report undoes to see the register as
        it was. Raw text, decoded only where needed."""
        return self._tuples(
            "SELECT effective_at, record_id, action, before, after FROM history"
            " WHERE record_type = 'hazard' AND effective_at >= ? ORDER BY effective_at DESC, seq DESC",
            (since,),
        )

    def hazard_chains(self, since: str, changed_only: bool = False, until: str | None = None,
                      ) -> Iterator[tuple[int, tuple[Any, ...] | None, bool, list[tuple[Any, ...]]]]:
        """Hazard by hazard (by id): (id, the fields reports count by as they are now, or None if
        there is no such row; whether it is listed for supervision now; its changes that took
        effect at or after `since` as (effective_at, action, before), latest first). Streamed: one
        hazard's chain in memory (SQLite sorts the changes since `since` in its own bounded store).
        `changed_only`: only the hazards with such changes (the others are as they are now).
        `until` (with `changed_only`): leave out the hazards created at or after it with no change
        before it (_REPLAYED: a replay up to `until` sees nothing of them)."""
        params = {"since": since, "until": until}
        only = skip = ""
        if changed_only:
            changed = self._changed_since(since)
            if until is not None:
                changed += f" WHERE {_REPLAYED}"
                skip = f" AND record_id IN ({changed})"
            only = f" WHERE id IN ({changed})"
        rows = self._tuples(
            f"SELECT {', '.join(_REPORT_FIELDS)},"
            " EXISTS (SELECT 1 FROM supervisions s WHERE s.hazard_id = h.id AND s.delisted_on IS NULL)"
            f" FROM hazards h{only} ORDER BY id", params
        )
        changes = self._tuples(
            "SELECT record_id, effective_at, action, before FROM history WHERE record_type = 'hazard'"
            f" AND effective_at >= :since{skip} ORDER BY record_id, effective_at DESC, seq DESC", params
        )
        row, change = next(rows, None), next(changes, None)
        while row is not None or change is not None:
            hazard_id = min(x[0] for x in (row, change) if x is not None)
            fields: tuple[Any, ...] | None = None
            supervised = False
            if row is not None and row[0] == hazard_id:
                fields, supervised, row = row[:-1], bool(row[-1]), next(rows, None)
            entries = []
            while change is not None and change[0] == hazard_id:
                entries.append(change[1:])
                change = next(changes, None)
            yield hazard_id, fields, supervised, entries

    # -- the weekly report's figures of the hazards unchanged since a moment, in SQL ------------

    _changed_for: tuple[str, int, str] | None = None

    def _changed_since(self, since: str) -> str:
        """SQL for the ids of the hazards with a change taking effect at or after `since`: a
        temporary table (this connection's own, so a read-only register is fine), filled once for
        this `since` and this state of the history and kept by id (with each one's first change
        since and whether it was created since: _REPLAYED). The queries of one report use
        it several times; each reading the history anew would sort the ids again (0.5 s each at
        1M hazards and ten weeks back). Keyed by the history's last entry, so a change written
        since (by anyone) fills it again."""
        key = (since, *self.history_head())
        if self._changed_for != key:
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS weekly_changed (id INTEGER PRIMARY KEY, first_at TEXT,"
                              " born INTEGER)")
            self.conn.execute("DELETE FROM temp.weekly_changed")
            self.conn.execute(f"INSERT INTO temp.weekly_changed {_CHANGED_SINCE}", {"since": since})
            # Inside a transaction the rows go if it is rolled back: kept for this query alone.
            self._changed_for = None if self.conn.in_transaction else key
        return "SELECT id FROM temp.weekly_changed"
    # Each sum is the rule of register/weekly.py's _Spans (and _Breakdown's lists) for a hazard as it is
    # now; tests hold the two equal (test_scale: the split replay against the full one).

    def weekly_unchanged_groups(self, since: str, weeks: Sequence[tuple[str, str]]) -> list[tuple[Any, ...]]:
        """The hazards with no change taking effect at or after `since`, not void, with a date
        found, counted by (industry, locality): (industry, locality, open, major_open,
        major_supervised, timed_all, on_time_all, then for each week (first, last): found_all,
        fixed_all, major_found_all, major_fixed_all, found_week, fixed_week, major_found_week,
        major_fixed_week, overdue).

        Read from the indexes alone (m017) and the count kept beside the hazards (m018), never the
        wide rows, and with no test per hazard and week: the hazards by (status, level, industry,
        locality) as hazard_tally counts them (every hazard, less the changed ones, counted the
        same way by id), then those found since the earliest week began (hazards_found_on: found
        up to a week's end is all of them less those found after it) and those overdue by the
        latest week's end, each a range of an index. Summed here into the figures by the rules of
        register/weekly.py's _Spans (tests hold the two equal: the split replay against the full
        one; tally.py's count against the hazards, test_weekly_tally)."""
        changed = self._changed_since(since)
        params: dict[str, Any] = {"since": since}
        for n, (first, last) in enumerate(weeks):
            params[f"f{n}"], params[f"l{n}"] = first, last
        # (Plain columns: a key of expressions would not be read in the index's order. A date
        # compared `> ''` is neither NULL nor empty.)
        counted = "status IS NOT 'void' AND found_on > ''"
        key = "status, level, industry, locality"
        timed = "rectified_on > '' AND deadline > ''"
        # (status, level, industry, locality) -> [hazards, timed, on time]: every hazard as
        # hazard_tally counts it (m018), less the changed ones counted the same way
        totals: dict[tuple[Any, ...], list[int]] = {}
        every = self._tuples(f"SELECT {key}, hazards, timed, on_time FROM hazard_tally WHERE status IS NOT 'void'")
        changed_ones = self._tuples(f"SELECT {key}, count(*), sum({timed}), sum({timed} AND rectified_on <= deadline)"
                                    f" FROM hazards WHERE {counted} AND id IN ({changed}) GROUP BY {key}", params)
        for sign, rows in ((1, every), (-1, changed_ones)):
            for *group, n, t, on_time in rows:
                row = totals.setdefault(_grouped(group), [0, 0, 0])
                row[0] += sign * n
                row[1] += sign * (t or 0)
                row[2] += sign * (on_time or 0)
        # (status, level, industry, locality) -> per week [found after its end, found within it]
        recent: dict[tuple[Any, ...], list[int]] = {}
        if weeks:
            sums = ", ".join(f"sum(found_on > :l{n}), sum(found_on >= :f{n} AND found_on <= :l{n})"
                             for n in range(len(weeks)))
            # (By the days found, not in the order of hazards_weekly, which the planner prefers.)
            recent = {_grouped(r[:4]): [v or 0 for v in r[4:]] for r in self._tuples(
                f"SELECT {key}, {sums} FROM hazards INDEXED BY hazards_found_on"
                f" WHERE found_on >= :first AND {counted} AND id NOT IN ({changed}) GROUP BY {key}",
                {**params, "first": min(f for f, _ in weeks)})}
        # (status, level, industry, locality) -> per week: overdue at its end
        late: dict[tuple[Any, ...], list[int]] = {}
        if weeks:
            sums = ", ".join(f"sum(deadline <= :l{n})" for n in range(len(weeks)))
            late = {_grouped(r[:4]): [v or 0 for v in r[4:]] for r in self._tuples(
                f"SELECT {key}, {sums} FROM hazards WHERE status IN ('open', 'rectifying') AND deadline > ''"
                f" AND deadline <= :last AND {counted} AND id NOT IN ({changed}) GROUP BY {key}",
                {**params, "last": max(last for _, last in weeks)})}
        supervised = {_grouped(r[:2]): r[2] for r in self._tuples(
            "SELECT industry, locality, count(*) FROM hazards h"
            f" WHERE level = 'major' AND status IN ('open', 'rectifying', 'rectified') AND {counted}"
            f" AND id NOT IN ({changed})"
            " AND EXISTS (SELECT 1 FROM supervisions s WHERE s.hazard_id = h.id AND s.delisted_on IS NULL)"
            " GROUP BY 1, 2", params)}
        groups: dict[tuple[str, str], list[int]] = {}
        width = 5 + 9 * len(weeks)
        for k, (n, t, on_time) in totals.items():
            status, level, industry, locality = k
            if not n:
                continue
            fixed, major = status in ("rectified", "closed"), level == "major"
            active, can_be_late = status in ("open", "rectifying", "rectified"), status in ("open", "rectifying")
            g = groups.setdefault((industry, locality), [0] * width)
            g[0] += active * n
            g[1] += (active and major) * n
            if fixed:
                g[3] += t
                g[4] += on_time
            none = [0] * (2 * len(weeks))
            after_within = recent.get(k, none)
            overdue = late.get(k, none) if can_be_late else none
            for w in range(len(weeks)):
                upto, within = n - after_within[2 * w], after_within[2 * w + 1]
                base = 5 + 9 * w
                for offset, value in enumerate((upto, fixed * upto, major * upto, (major and fixed) * upto,
                                                within, fixed * within, major * within, (major and fixed) * within,
                                                overdue[w])):
                    g[base + offset] += value
        for (industry, locality), count in supervised.items():
            groups.setdefault((industry, locality), [0] * width)[2] += count
        return [(industry, locality, *g) for (industry, locality), g in sorted(groups.items())]

    def weekly_unchanged_found(self, since: str, first: str, last: str) -> list[tuple[str, int]]:
        """(date found, how many) of the hazards unchanged since `since`, not void, found first..last."""
        return list(self._tuples(
            f"SELECT found_on, count(*) FROM hazards WHERE found_on >= :first AND found_on <= :last"
            f" AND status IS NOT 'void' AND id NOT IN ({self._changed_since(since)}) GROUP BY found_on",
            {"since": since, "first": first, "last": last}))

    def weekly_unchanged_first(self, since: str, kind: str, last: str, limit: int | None,
                               total: int | None = None) -> tuple[int, list[tuple[Any, ...]]]:
        """One of a weekly report's lists (`kind`: overdue, majors or incomplete; see _LISTS) over the
        hazards unchanged since `since`, for a week ending `last`: how many it holds (counted here
        unless the caller knows it: `total`), and its first `limit` entries (all if None) in the
        report's order, as (the report's fields, whether listed for supervision now). Reads `limit`
        rows, whatever the number it holds."""
        where, order = _LISTS[kind]
        condition = f"{where} AND found_on IS NOT NULL AND found_on != '' AND id NOT IN ({self._changed_since(since)})"
        params = {"since": since, "last": last}
        if total is None:
            total = self.conn.execute(f"SELECT count(*) FROM hazards WHERE {condition}", params).fetchone()[0]
        if total == 0 or limit == 0:
            return total, []
        rows = list(self._tuples(
            f"SELECT {', '.join(_REPORT_FIELDS)},"
            " EXISTS (SELECT 1 FROM supervisions s WHERE s.hazard_id = h.id AND s.delisted_on IS NULL)"
            f" FROM hazards h WHERE {condition} ORDER BY {order}"
            + ("" if limit is None else f" LIMIT {int(limit)}"), params))
        return total, rows

    def weekly_unchanged_incomplete_plans(self, since: str) -> int:
        """How many hazards unchanged since `since` are open majors (with a date found) whose plan
        lacks one of the five guarantees (lifecycle.missing_plan)."""
        return int(self.conn.execute(
            f"SELECT count(*) FROM hazards WHERE level = 'major' AND status IN ('open', 'rectifying', 'rectified')"
            f" AND found_on IS NOT NULL AND found_on != '' AND ({_MISSING_PLAN})"
            f" AND id NOT IN ({self._changed_since(since)})", {"since": since}).fetchone()[0])

    def hazard_action_counts(self, actions: Sequence[str], bounds: Sequence[str]) -> list[dict[str, int]]:
        """How many hazard entries of each of `actions` took effect in each span bounds[n]..bounds[n + 1]:
        one read of a span's entries for all of them (each read again per action was 0.06 s a week at
        a million hazards)."""
        marks = ", ".join("?" for _ in actions)
        spans = []
        for start, end in itertools.pairwise(bounds):
            counts = dict.fromkeys(actions, 0)
            counts.update(self._tuples(
                "SELECT action, count(*) FROM history WHERE record_type = 'hazard' AND effective_at >= ?"
                f" AND effective_at < ? AND action IN ({marks}) GROUP BY action", (start, end, *actions)))
            spans.append(counts)
        return spans

    def hazard_done_chains(self, start: str, end: str) -> Iterator[tuple[Any, ...]]:
        """The hazard `done` entries that took effect in start..end, each with the entries about the
        same hazard after it, latest first: (the done entry's seq, the hazard's deadline and date
        rectified now, whether it has a row, a later entry's action and before as JSON text), one row
        per later entry (None for both where there is none), by the done entry."""
        # (A record's entries by their own index: the one on effective_at, which the planner
        # prefers for the order, would read every entry after each one.)
        return self._tuples(
            "SELECT e.seq, h.deadline, h.rectified_on, h.id IS NOT NULL, l.action, l.before FROM history e"
            " LEFT JOIN hazards h ON h.id = e.record_id"
            " LEFT JOIN history l INDEXED BY history_record ON l.record_type = 'hazard' AND l.record_id = e.record_id"
            " AND (l.effective_at > e.effective_at OR (l.effective_at = e.effective_at AND l.seq > e.seq))"
            " WHERE e.record_type = 'hazard' AND e.action = 'done' AND e.effective_at >= ? AND e.effective_at < ?"
            " ORDER BY e.seq, l.effective_at DESC, l.seq DESC", (start, end))

    def history_head(self) -> tuple[int, str]:
        """The last entry's seq and hash (0 and the genesis hash for an empty history)."""
        row = self.conn.execute("SELECT seq, hash FROM history ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    # -- the weekly reports' store of computed weeks (derived data, checked by `check`) --------

    def weekly_stored(self, week: str, timezone: str) -> tuple[int, str, str] | None:
        """(head seq and hash when computed, the data as JSON text) of a stored week, if any."""
        row = self.conn.execute(
            "SELECT seq, hash, data FROM weekly_computed WHERE week = ? AND timezone = ?", (week, timezone)
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def weekly_stored_all(self) -> Iterator[tuple[Any, ...]]:
        """(week, timezone, seq, hash, data) of every stored week, oldest first."""
        return self._tuples("SELECT week, timezone, seq, hash, data FROM weekly_computed ORDER BY week, timezone")

    def weekly_still_current(self, seq: int, digest: str, until: str) -> bool:
        """Whether figures computed at history entry `seq` (of hash `digest`) still hold for a week
        ending at `until`: that entry is still there, and no hazard change written since took
        effect before `until`. Read from the entries since `seq` alone (by seq, not the index on
        effective_at, which would scan the whole past)."""
        if seq:
            row = self.conn.execute("SELECT hash FROM history WHERE seq = ?", (seq,)).fetchone()
            if row is None or row[0] != digest:
                return False
        elif digest != GENESIS:
            return False
        late = self.conn.execute(
            "SELECT 1 FROM history WHERE seq > ? AND +record_type = 'hazard' AND +effective_at < ? LIMIT 1", (seq, until)
        ).fetchone()
        return late is None

    def store_weekly(self, week: str, timezone: str, seq: int, digest: str, data: str,
                     forget_before: str | None = None) -> bool:
        """Keep a computed week, if the register can be written now without waiting (a report
        never waits for a writer, and a read-only file is fine: the week is computed again), and
        forget the weeks before `forget_before`."""
        from hazreg.storage.sqlite.store import (
            BUSY_TIMEOUT_MS,  # the store's (it imports this file)
        )

        if not self.on_disk or self.path is None:
            return False
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            with self.transaction():
                self.conn.execute(
                    "INSERT INTO weekly_computed (week, timezone, seq, hash, data) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (week, timezone) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,"
                    " data = excluded.data", (week, timezone, seq, digest, data))
                if forget_before is not None:  # weeks no longer kept, never read again
                    self.conn.execute("DELETE FROM weekly_computed WHERE week < ?", (forget_before,))
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def hazard_stats(self, by: str, since: date | None, until: date | None, today: date) -> list[tuple[Any, ...]]:
        """(group, found, open, overdue, closed, void) by industry, locality, level, status or day found."""
        column = {"industry": "h.industry", "locality": "h.locality", "level": "h.level", "status": "h.status",
                  "day": "h.found_on"}[by]
        where, params = ["1"], {"today": today.isoformat()}
        if since:
            where.append("h.found_on >= :since")
            params["since"] = since.isoformat()
        if until:
            where.append("h.found_on <= :until")
            params["until"] = until.isoformat()
        sql = f"""SELECT {column}, count(*), sum(h.status IN ({_ACTIVE_SQL})), sum({_OVERDUE_SQL}),
                  sum(h.status = 'closed'), sum(h.status = 'void')
                  FROM hazards h WHERE {' AND '.join(where)} GROUP BY {column} ORDER BY count(*) DESC, {column}"""
        return list(self._tuples(sql, params))

    def activity(self, first: date, last: date) -> dict[str, Any]:
        """Inspections (all, led by a leader, unannounced) and enforcement actions dated first..last."""
        days = (first.isoformat(), last.isoformat())
        inspections, led, unannounced = self.conn.execute(
            "SELECT count(*), count(leader), count(CASE WHEN mode = 'unannounced' THEN 1 END)"
            " FROM inspections WHERE inspected_on BETWEEN ? AND ?",
            days,
        ).fetchone()
        actions = {
            kind: (n, from_fen(fen) if fen is not None else None)
            for kind, n, fen in self.conn.execute(
                "SELECT type, count(*), sum(amount_fen) FROM actions WHERE taken_on BETWEEN ? AND ? GROUP BY type", days
            )
        }
        return {"inspections": inspections, "leader_checks": led, "unannounced": unannounced, "actions": actions}


def _grouped(key: Sequence[Any]) -> tuple[Any, ...]:
    """A group's key as the report shows it: (…, industry, locality), a missing one as ''."""
    return (*key[:-2], key[-2] or "", key[-1] or "")


# The fields of a hazard the weekly reports count by (weekly._SNAPSHOT, funds as stored).
_REPORT_FIELDS = ("id", "status", "level", "found_on", "deadline", "rectified_on", "industry", "locality", "owner",
                  "measures", "funds_fen", "contingency", "unit_id", "description", "verified_by")
# The hazards changed since a moment, each with its first change since then and whether it was
# created since then (an entry that brings it into being: create or import with no before).
_CHANGED_SINCE = ("SELECT record_id, min(effective_at), max(action IN ('create', 'import') AND before IS NULL)"
                  " FROM history WHERE record_type = 'hazard' AND effective_at >= :since GROUP BY record_id")
# The changed hazards a replay up to `until` must read: not those created since `since` whose
# first change since then is at or after `until`. Going back, such a hazard stops existing (its
# creation undone) before the replay looks at it at `until` or any earlier moment, and none of its
# changes falls in a period counted (those before `until`). Going ten weeks back at 1M hazards, 4
# in 5 of the changed hazards are such; last week, 1 in 5.
_REPLAYED = "NOT (born AND first_at >= :until)"
# lifecycle.missing_plan: a guarantee missing is NULL or empty (funds as stored, in fen).
_MISSING_PLAN = " OR ".join(f"{c} IS NULL OR {c} = ''" for c in ("owner", "measures", "funds_fen", "deadline", "contingency"))
# The weekly report's lists (register/weekly.py's _Breakdown.add_to_lists), for a hazard as it is now:
# which hazards each holds, and its order (the report's keys; ids are never equal).
_LISTS = {
    "overdue": ("status IN ('open', 'rectifying') AND deadline IS NOT NULL AND deadline != '' AND deadline <= :last",
                "deadline, id"),
    "majors": ("level = 'major' AND status IN ('open', 'rectifying', 'rectified')",
               "coalesce(nullif(deadline, ''), '9999'), id"),
    "incomplete": ("level = 'major' AND status = 'closed' AND"
                   f" ({_MISSING_PLAN} OR verified_by IS NULL OR verified_by = '')", "id"),
}
