"""PostgreSQL for the reports: the weekly report's replay and figures, its stored weeks, stats and
activity (part of the Store; the same results as storage/sqlite/reports.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import suppress
from datetime import date
from typing import Any

import psycopg

from hazreg.chain import GENESIS
from hazreg.enums import ACTIVE, CAN_BE_OVERDUE
from hazreg.money import from_fen
from hazreg.storage.postgres.queries import Queries

_OVERDUE_SQL = "(h.status IN ({}) AND h.deadline IS NOT NULL AND h.deadline < %(today)s)".format(
    ", ".join(f"'{s.value}'" for s in CAN_BE_OVERDUE)
)
_ACTIVE_SQL = ", ".join(f"'{s.value}'" for s in ACTIVE)


class ReportQueries(Queries):
    def hazard_events_since(self, since: str) -> Iterator[tuple[Any, ...]]:
        """(effective_at, hazard id, action, before, after as JSON text) of every hazard change that
        took effect at or after `since`, latest first."""
        return self._stream(
            "SELECT effective_at, record_id, action, before, after FROM history"
            " WHERE record_type = 'hazard' AND effective_at >= %s ORDER BY effective_at DESC, seq DESC",
            (since,),
        )

    def hazard_chains(self, since: str, changed_only: bool = False, until: str | None = None,
                      ) -> Iterator[tuple[int, tuple[Any, ...] | None, bool, list[tuple[Any, ...]]]]:
        """Hazard by hazard (by id): (id, the fields reports count by as they are now, or None if
        there is no such row; whether it is listed for supervision now; its changes that took
        effect at or after `since` as (effective_at, action, before), latest first). Streamed.
        `changed_only`: only the hazards with such changes (the others are as they are now).
        `until` (with `changed_only`): leave out the hazards created at or after it with no change
        before it (see the SQLite store's _REPLAYED: a replay up to `until` sees nothing of them)."""
        params = {"since": since, "until": until}
        only = skip = ""
        if changed_only:
            changed = _CHANGED_SINCE if until is None else _REPLAYED_SINCE
            only, skip = f" WHERE id IN ({changed})", "" if until is None else f" AND record_id IN ({changed})"
        rows = self._stream(
            f"SELECT {', '.join(_REPORT_FIELDS)},"
            " EXISTS (SELECT 1 FROM supervisions s WHERE s.hazard_id = h.id AND s.delisted_on IS NULL)"
            f" FROM hazards h{only} ORDER BY id", params
        )
        changes = self._stream(
            "SELECT record_id, effective_at, action, before FROM history WHERE record_type = 'hazard'"
            f" AND effective_at >= %(since)s{skip} ORDER BY record_id, effective_at DESC, seq DESC", params
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
    # The same rules as the SQLite store's methods of these names (register/weekly.py's _Spans
    # and _Breakdown's lists for a hazard as it is now); test_scale holds the split replay equal to the full
    # one on both engines.

    def weekly_unchanged_groups(self, since: str, weeks: Sequence[tuple[str, str]]) -> list[tuple[Any, ...]]:
        """See the SQLite store: the unchanged hazards counted by (industry, locality), one scan."""
        params: dict[str, Any] = {"since": since}
        sums = []
        for n, (first, last) in enumerate(weeks):
            params[f"f{n}"], params[f"l{n}"] = first, last
            upto, within = f"found_on <= %(l{n})s", f"found_on <= %(l{n})s AND found_on >= %(f{n})s"
            sums += [_count(upto), _count(f"{upto} AND fixed"), _count(f"{upto} AND major"),
                     _count(f"{upto} AND major AND fixed"), _count(within), _count(f"{within} AND fixed"),
                     _count(f"{within} AND major"), _count(f"{within} AND major AND fixed"),
                     _count(f"late AND deadline <= %(l{n})s")]
        return list(self._stream(
            f"""SELECT industry, locality, {_count('active')}, {_count('active AND major')},
                   {_count('active AND major AND supervised')},
                   {_count('fixed AND timed')}, {_count('fixed AND timed AND rectified_on <= deadline')},
                   {', '.join(sums)}
                FROM (SELECT id, coalesce(industry, '') AS industry, coalesce(locality, '') AS locality, found_on,
                             deadline, rectified_on, status IN ('rectified', 'closed') AS fixed,
                             level = 'major' AS major, status IN ('open', 'rectifying', 'rectified') AS active,
                             status IN ('open', 'rectifying') AND deadline IS NOT NULL AND deadline != '' AS late,
                             rectified_on IS NOT NULL AND rectified_on != '' AND deadline IS NOT NULL
                             AND deadline != '' AS timed,
                             EXISTS (SELECT 1 FROM supervisions s WHERE s.hazard_id = hazards.id
                                     AND s.delisted_on IS NULL) AS supervised
                      FROM hazards
                      WHERE status IS DISTINCT FROM 'void' AND found_on IS NOT NULL AND found_on != ''
                        AND id NOT IN ({_CHANGED_SINCE})) h
                GROUP BY industry, locality""", params))

    def weekly_unchanged_found(self, since: str, first: str, last: str) -> list[tuple[str, int]]:
        """(date found, how many) of the hazards unchanged since `since`, not void, found first..last."""
        return list(self._stream(
            "SELECT found_on, count(*) FROM hazards WHERE found_on >= %(first)s AND found_on <= %(last)s"
            f" AND status IS DISTINCT FROM 'void' AND id NOT IN ({_CHANGED_SINCE}) GROUP BY found_on",
            {"since": since, "first": first, "last": last}))

    def weekly_unchanged_first(self, since: str, kind: str, last: str, limit: int | None,
                               total: int | None = None) -> tuple[int, list[tuple[Any, ...]]]:
        """See the SQLite store: one of the weekly report's lists over the unchanged hazards, its
        size (unless given) and its first `limit` entries in the report's order."""
        where, order = _LISTS[kind]
        condition = f"{where} AND found_on IS NOT NULL AND found_on != '' AND id NOT IN ({_CHANGED_SINCE})"
        params = {"since": since, "last": last}
        if total is None:
            total = next(self._tuples(f"SELECT count(*) FROM hazards WHERE {condition}", params))[0]
        if total == 0 or limit == 0:
            return total, []
        rows = list(self._tuples(
            f"SELECT {', '.join(_REPORT_FIELDS)},"
            " EXISTS (SELECT 1 FROM supervisions s WHERE s.hazard_id = h.id AND s.delisted_on IS NULL)"
            f" FROM hazards h WHERE {condition} ORDER BY {order}"
            + ("" if limit is None else f" LIMIT {int(limit)}"), params))
        return total, rows

    def weekly_unchanged_incomplete_plans(self, since: str) -> int:
        """See the SQLite store: the unchanged open majors whose plan lacks a guarantee."""
        return int(next(self._tuples(
            f"SELECT count(*) FROM hazards WHERE level = 'major' AND status IN ('open', 'rectifying', 'rectified')"
            f" AND found_on IS NOT NULL AND found_on != '' AND ({_MISSING_PLAN})"
            f" AND id NOT IN ({_CHANGED_SINCE})", {"since": since}))[0])

    def hazard_action_counts(self, actions: Sequence[str], bounds: Sequence[str]) -> list[dict[str, int]]:
        """See the SQLite store: each span's hazard entries counted by action."""
        spans = []
        for start, end in itertools.pairwise(bounds):
            counts = dict.fromkeys(actions, 0)
            counts.update({action: int(n) for action, n in self._tuples(
                "SELECT action, count(*) FROM history WHERE record_type = 'hazard' AND effective_at >= %s"
                " AND effective_at < %s AND action = ANY(%s) GROUP BY action", (start, end, list(actions)))})
            spans.append(counts)
        return spans

    def hazard_done_chains(self, start: str, end: str) -> Iterator[tuple[Any, ...]]:
        """See the SQLite store: each `done` entry of start..end with the later entries about its hazard."""
        return self._stream(
            "SELECT e.seq, h.deadline, h.rectified_on, h.id IS NOT NULL, l.action, l.before FROM history e"
            " LEFT JOIN hazards h ON h.id = e.record_id"
            " LEFT JOIN history l ON l.record_type = 'hazard' AND l.record_id = e.record_id"
            " AND (l.effective_at > e.effective_at OR (l.effective_at = e.effective_at AND l.seq > e.seq))"
            " WHERE e.record_type = 'hazard' AND e.action = 'done' AND e.effective_at >= %(start)s"
            " AND e.effective_at < %(end)s ORDER BY e.seq, l.effective_at DESC, l.seq DESC",
            {"start": start, "end": end})

    def history_head(self) -> tuple[int, str]:
        """The last entry's seq and hash (0 and the genesis hash for an empty history)."""
        row = self._one("SELECT seq, hash FROM history ORDER BY seq DESC LIMIT 1")
        return (row["seq"], row["hash"]) if row else (0, GENESIS)

    # -- the weekly reports' store of computed weeks (derived data, checked by `check`) --------

    def weekly_stored(self, week: str, timezone: str) -> tuple[int, str, str] | None:
        row = self._one("SELECT seq, hash, data FROM weekly_computed WHERE week = %s AND timezone = %s", (week, timezone))
        return None if row is None else (row["seq"], row["hash"], row["data"])

    def weekly_stored_all(self) -> Iterator[tuple[Any, ...]]:
        return self._tuples("SELECT week, timezone, seq, hash, data FROM weekly_computed ORDER BY week, timezone")

    def weekly_still_current(self, seq: int, digest: str, until: str) -> bool:
        """Whether figures computed at history entry `seq` (of hash `digest`) still hold for a week
        ending at `until` (see the SQLite store)."""
        if seq:
            row = self._one("SELECT hash FROM history WHERE seq = %s", (seq,))
            if row is None or row["hash"] != digest:
                return False
        elif digest != GENESIS:
            return False
        late = self._one(
            "SELECT 1 AS x FROM history WHERE seq > %s AND record_type = 'hazard' AND effective_at < %s LIMIT 1",
            (seq, until))
        return late is None

    def store_weekly(self, week: str, timezone: str, seq: int, digest: str, data: str,
                     forget_before: str | None = None) -> bool:
        """Keep a computed week, if the register can be written now without waiting (a report
        never waits for a writer; a role that may not write is fine: the week is computed again),
        and forget the weeks before `forget_before` (apart: a role granted no DELETE on the table,
        as the README's grants before these weeks were forgotten, still keeps its weeks)."""
        refused = (psycopg.errors.LockNotAvailable, psycopg.errors.InsufficientPrivilege,
                   psycopg.errors.ReadOnlySqlTransaction)
        try:
            with self.transaction(wait=False):
                self._execute(
                    "INSERT INTO weekly_computed (week, timezone, seq, hash, data) VALUES (%s, %s, %s, %s, %s)"
                    " ON CONFLICT (week, timezone) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,"
                    " data = excluded.data", (week, timezone, seq, digest, data))
        except refused:
            return False
        if forget_before is not None:  # weeks no longer kept, never read again
            with suppress(*refused), self.transaction(wait=False):
                self._execute("DELETE FROM weekly_computed WHERE week < %s", (forget_before,))
        return True

    def hazard_stats(self, by: str, since: date | None, until: date | None, today: date) -> list[tuple[Any, ...]]:
        """(group, found, open, overdue, closed, void) by industry, locality, level, status or day found."""
        column = {"industry": "h.industry", "locality": "h.locality", "level": "h.level", "status": "h.status",
                  "day": "h.found_on"}[by]
        where, params = ["TRUE"], {"today": today.isoformat()}
        if since:
            where.append("h.found_on >= %(since)s")
            params["since"] = since.isoformat()
        if until:
            where.append("h.found_on <= %(until)s")
            params["until"] = until.isoformat()
        sql = f"""SELECT {column}, count(*), count(*) FILTER (WHERE h.status IN ({_ACTIVE_SQL})),
                  count(*) FILTER (WHERE {_OVERDUE_SQL}), count(*) FILTER (WHERE h.status = 'closed'),
                  count(*) FILTER (WHERE h.status = 'void')
                  FROM hazards h WHERE {' AND '.join(where)} GROUP BY {column} ORDER BY count(*) DESC, {column}"""
        return list(self._tuples(sql, params))

    def activity(self, first: date, last: date) -> dict[str, Any]:
        """Inspections (all, led by a leader, unannounced) and enforcement actions dated first..last."""
        days = (first.isoformat(), last.isoformat())
        inspections, led, unannounced = next(self._tuples(
            "SELECT count(*), count(leader), count(*) FILTER (WHERE mode = 'unannounced')"
            " FROM inspections WHERE inspected_on BETWEEN %s AND %s", days))
        actions = {
            kind: (n, from_fen(int(fen)) if fen is not None else None)
            for kind, n, fen in self._tuples(
                "SELECT type, count(*), sum(amount_fen) FROM actions WHERE taken_on BETWEEN %s AND %s GROUP BY type", days)
        }
        return {"inspections": inspections, "leader_checks": led, "unannounced": unannounced, "actions": actions}


def _count(condition: str) -> str:
    """How many rows of a group meet `condition` (0 for none, as SQLite's sum of truth values)."""
    return f"count(*) FILTER (WHERE {condition})"


# The fields of a hazard the weekly reports count by (weekly._SNAPSHOT, funds as stored).
_REPORT_FIELDS = ("id", "status", "level", "found_on", "deadline", "rectified_on", "industry", "locality", "owner",
                  "measures", "funds_fen", "contingency", "unit_id", "description", "verified_by")
_CHANGED_SINCE = "SELECT record_id FROM history WHERE record_type = 'hazard' AND effective_at >= %(since)s"
_REPLAYED_SINCE = (f"{_CHANGED_SINCE} GROUP BY record_id HAVING NOT (min(effective_at) >= %(until)s"
                   " AND bool_or(action IN ('create', 'import') AND before IS NULL))")
# lifecycle.missing_plan: a guarantee missing is NULL or empty (funds in fen, a number: NULL alone).
_MISSING_PLAN = " OR ".join(f"{c} IS NULL" + ("" if c == "funds_fen" else f" OR {c} = ''")
                            for c in ("owner", "measures", "funds_fen", "deadline", "contingency"))
# The weekly report's lists: the same rules and order as the SQLite store's _LISTS (text sorts as
# bytes here too: COLLATE "C").
_LISTS = {
    "overdue": ("status IN ('open', 'rectifying') AND deadline IS NOT NULL AND deadline != ''"
                " AND deadline <= %(last)s", "deadline, id"),
    "majors": ("level = 'major' AND status IN ('open', 'rectifying', 'rectified')",
               "coalesce(nullif(deadline, ''), '9999'), id"),
    "incomplete": ("level = 'major' AND status = 'closed' AND"
                   f" ({_MISSING_PLAN} OR verified_by IS NULL OR verified_by = '')", "id"),
}
