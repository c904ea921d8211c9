"""The register in a PostgreSQL database: every method of the SQLite store, same results.

Transactions: a write (`transaction()`) is one READ COMMITTED transaction that first takes the
register's transaction-level advisory lock (schema.WRITE_LOCK), so writers go one at a time as
with SQLite's BEGIN IMMEDIATE: the hash chain's tail, ids and document numbers are read under
the lock and never fork, however many officers write at once. Reads outside a write share one
REPEATABLE READ snapshot, so a report's many queries see one state of the register; the
snapshot ends when a write begins (and the write sees everything committed before its lock).

Values are kept as the register layer knows them (see schema.py): dates as ISO text, money in
fen, JSON as text. Queries beyond units, hazards and history are in the mixins beside this file.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row, tuple_row

from hazreg.chain import FIELDS as CHAIN_FIELDS
from hazreg.chain import GENESIS, entry_hash
from hazreg.errors import Refused
from hazreg.money import from_fen, to_fen
from hazreg.search import index_text, nfc
from hazreg.storage.base import HazardFilter, UnitFilter
from hazreg.storage.portable.accidents import AccidentQueries
from hazreg.storage.portable.cases import CaseQueries
from hazreg.storage.portable.documents import DocumentQueries
from hazreg.storage.portable.listing import urgent_first_by_index
from hazreg.storage.postgres.bulk import HazardBulk
from hazreg.storage.postgres.campaigns import CampaignQueries
from hazreg.storage.postgres.integrity import IntegrityQueries
from hazreg.storage.postgres.reports import _ACTIVE_SQL, _OVERDUE_SQL, ReportQueries
from hazreg.storage.postgres.schema import WRITE_LOCK
from hazreg.storage.postgres.search import index_row, search_condition
from hazreg.storage.postgres.supervision import SupervisionQueries

_HAZARD_SELECT = f"""SELECT h.*, u.name AS unit_name, {_OVERDUE_SQL} AS overdue
    FROM hazards h JOIN units u ON u.id = h.unit_id"""
SEARCH_INSERT = "INSERT INTO hazard_search (id, text, words, pairs) VALUES (%s, %s, %s, %s)"
HISTORY_INSERT = (
    "INSERT INTO history (seq, at, operator, record_type, record_id, action, before, after, note, effective_at,"
    " prev, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
STREAM_BATCH = 100  # rows fetched at a time by the streaming reads (server-side cursors): memory stays bounded
_CURSORS = itertools.count(1)  # names of server-side cursors, unique in the session


def _value(value: Any) -> Any:
    """A value as the register's columns keep it: enums by key, dates as ISO text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Store(ReportQueries, CampaignQueries, SupervisionQueries, DocumentQueries, AccidentQueries, CaseQueries, IntegrityQueries):
    """One open register in a PostgreSQL database (opened by hazreg.storage.open_store)."""

    path: Path | None = None  # no file: the register is on a server
    files_dir: Path | None = None  # attached files are kept in the database (table `files`)
    files_dir_override: Path | None = None
    applied_now: list[str] = []  # migrations this open applied to an older register
    engine = "postgresql"
    PARAM = "%s"  # how a portable query (storage/portable) marks a parameter
    JSON_ARRAY_HOLDS = "{column}::jsonb @> to_jsonb(?::bigint)"

    def __init__(self, conn: psycopg.Connection[Any], address: str) -> None:
        self.conn = conn
        self.address = address  # for people: no password in it
        self.on_disk = True
        self.writes = 0
        self._tail: tuple[int, str] | None = None
        self._writing = False
        self._streams = 0  # streamed reads open now (they keep one snapshot while they last)

    def close(self) -> None:
        self.conn.close()

    def backup_to(self, path: Path) -> None:
        """A backup of a server register is a copy into an SQLite file (`hazreg copy`)."""
        raise Refused("err.server_backup", address=self.address)

    def replace_from(self, source: Path, aside: Path, under_lock: Callable[[], None]) -> None:
        """A server register is restored by `hazreg copy` from the backup file."""
        raise Refused("err.server_restore", address=self.address)

    # -- transactions and small helpers -------------------------------------------------

    def _read(self) -> None:
        """Outside a write, the first query begins the snapshot every later read shares."""
        if self.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")

    def _end_read(self) -> None:
        if self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self.conn.execute("ROLLBACK")  # a snapshot only: nothing was written in it

    @contextmanager
    def transaction(self, wait: bool = True) -> Iterator[None]:
        """One write: everything inside is saved together, or nothing is. Writers take turns
        (the advisory lock); with `wait` false, LockNotAvailable if another is writing now."""
        if self._writing:  # nested: part of the outer write
            yield
            return
        self._end_read()
        self.conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        self._writing = True
        self._tail = None  # another process may have written since: read the chain's end afresh
        try:
            if wait:  # as long as SQLite's busy timeout (lock_timeout, see connect.py), then "busy"
                try:
                    self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                except psycopg.errors.LockNotAvailable:
                    raise Refused("err.busy") from None
            elif not (self.conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS ok", (WRITE_LOCK,)).fetchone()
                      or {}).get("ok"):
                raise psycopg.errors.LockNotAvailable("the register is being written")
            yield
        except BaseException:
            self._writing = False
            self._tail = None
            if not self.conn.closed:
                self.conn.execute("ROLLBACK")
            raise
        self._writing = False
        self.writes += 1  # counted before COMMIT: an interrupt right after it must not say "nothing written"
        self.conn.execute("COMMIT")

    # A read outside a write sees the register as it is at that query, as on SQLite (where each
    # statement reads the latest commit): its snapshot ends with the call, unless a streamed read
    # is still open, whose snapshot the calls made meanwhile share. A long-lived process (or a
    # second store in one) thus never keeps reading an old register.

    def _execute(self, sql: str, params: Any = ()) -> psycopg.Cursor[Any]:
        if not self._writing:
            self._read()
        return self.conn.execute(sql, params or None)

    def _done_reading(self) -> None:
        if not self._writing and not self._streams:
            self._end_read()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the register at one moment (a copy, a backup)."""
        if not self._writing:
            self._read()
        self._streams += 1
        try:
            yield
        finally:
            self._streams -= 1
            if not self.conn.closed:
                self._done_reading()

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._execute(sql, params).fetchone()
        self._done_reading()
        return row

    def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        rows = list(self._execute(sql, params).fetchall())
        self._done_reading()
        return rows

    def _tuples(self, sql: str, params: Any = ()) -> Iterator[tuple[Any, ...]]:
        """Rows as tuples, fetched at once (small results)."""
        if not self._writing:
            self._read()
        rows = self.conn.cursor(row_factory=tuple_row).execute(sql, params or None).fetchall()
        self._done_reading()
        yield from rows

    def _stream(self, sql: str, params: Any = (), *, dicts: bool = False, batch: int = STREAM_BATCH,
                binary: bool = False) -> Iterator[Any]:
        """Rows of a big result, a batch at a time through a server-side cursor (bounded memory);
        `binary`: values in PostgreSQL's binary format (a bytea as its bytes, not hex text)."""
        if not self._writing:
            self._read()
        self._streams += 1
        try:
            with self.conn.cursor(name=f"hazreg_stream_{next(_CURSORS)}",
                                  row_factory=dict_row if dicts else tuple_row) as cursor:
                cursor.itersize = batch
                cursor.execute(sql, params or None, binary=binary or None)
                yield from cursor
        finally:
            self._streams -= 1
        if not self.conn.closed:
            self._done_reading()

    def _insert(self, table: str, record: dict[str, Any]) -> int:
        cols = ", ".join(_quote(c) for c in record)
        marks = ", ".join("%s" for _ in record)
        row = self._execute(f"INSERT INTO {table} ({cols}) VALUES ({marks}) RETURNING id",
                            [_value(v) for v in record.values()]).fetchone()
        assert row is not None
        if "id" in record:  # an id kept from elsewhere: later ids are given above it
            self._raise_sequence(table, int(row["id"]))
        return int(row["id"])

    def _raise_sequence(self, table: str, top: int) -> None:
        self._execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), greatest(%s, (SELECT last_value FROM {table}_id_seq)))",
                      (table, top))

    def _update(self, table: str, record_id: int, changes: dict[str, Any]) -> None:
        sets = ", ".join(f"{_quote(c)} = %s" for c in changes)
        self._execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*(_value(v) for v in changes.values()), record_id])

    # -- settings --------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        row = self._one("SELECT value FROM settings WHERE key = %s", (key,))
        return row["value"] if row else None

    def set_setting(self, key: str, value: str) -> None:
        self._execute(
            "INSERT INTO settings (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- units -----------------------------------------------------------------------------

    def insert_unit(self, record: dict[str, Any]) -> int:
        industries = record.pop("industries", None) or [record["industry"]]
        unit_id = self._insert("units", {**record, "industry": industries[0]})
        self._set_industries(unit_id, industries)
        return unit_id

    def _set_industries(self, unit_id: int, industries: Sequence[str]) -> None:
        """The unit's industries, in order (the first is also units.industry)."""
        self._execute("DELETE FROM unit_industries WHERE unit_id = %s", (unit_id,))
        self._execute("INSERT INTO unit_industries (unit_id, industry, position)"
                      " SELECT %s, i, n - 1 FROM unnest(%s::text[]) WITH ORDINALITY AS t(i, n)",
                      (unit_id, list(industries)))

    def update_unit(self, unit_id: int, changes: dict[str, Any]) -> None:
        changes = dict(changes)
        industries = changes.pop("industries", None)
        if industries:
            changes["industry"] = industries[0]
            self._set_industries(unit_id, industries)
        self._update("units", unit_id, changes)
        if "name" in changes:  # the unit's name is searchable in its hazards
            for row in self._all(f"{_HAZARD_SELECT} WHERE h.unit_id = %(u)s", {"u": unit_id, "today": ""}):
                self._index_hazard(row)

    def unit(self, unit_id: int) -> dict[str, Any] | None:
        return self._one(f"SELECT {_UNIT_COLUMNS} FROM units WHERE id = %s", (unit_id,))

    def unit_by_code(self, code: str) -> dict[str, Any] | None:
        return self._one(f"SELECT {_UNIT_COLUMNS} FROM units WHERE credit_code = %s", (code,))

    def units_by_name(self, name: str) -> list[dict[str, Any]]:
        return self._all(f"SELECT {_UNIT_COLUMNS} FROM units WHERE name = %s ORDER BY id", (nfc(name),))

    def _unit_where(self, f: UnitFilter) -> tuple[str, dict[str, Any]]:
        where: list[str] = ["TRUE"]
        params: dict[str, Any] = {}
        if f.industries:  # any of the unit's industries
            inner: list[str] = []
            _in(inner, params, "ui.industry", f.industries)
            where.append(f"EXISTS (SELECT 1 FROM unit_industries ui WHERE ui.unit_id = units.id AND {inner[0]})")
        _in(where, params, "locality", [nfc(v) for v in f.localities])
        _in(where, params, "risk", f.risks)
        if f.search:
            # Typed text is text: % and _ match themselves, not anything.
            where.append("(name LIKE %(s)s OR address LIKE %(s)s OR contact LIKE %(s)s OR credit_code LIKE %(s)s)")
            escaped = f.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["s"] = f"%{escaped}%"
        if f.changed_between:
            where.append(_changed_sql("unit", "units.id", params, f.changed_between))
        return " AND ".join(where), params

    def units(self, f: UnitFilter, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
        cond, params = self._unit_where(f)
        total = self._one(f"SELECT count(*) AS n FROM units WHERE {cond}", params)["n"]  # type: ignore[index]
        rows = self._all(
            f"""SELECT {_UNIT_COLUMNS}, (SELECT count(*) FROM hazards h WHERE h.unit_id = units.id
                  AND h.status IN ({_ACTIVE_SQL})) AS open_hazards
                FROM units WHERE {cond}
                ORDER BY CASE risk WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2
                  WHEN 'blue' THEN 3 ELSE 4 END, locality, name, id
                LIMIT {'ALL' if limit is None else int(limit)}""",
            params,
        )
        return rows, total

    def iter_units(self, f: UnitFilter) -> Iterator[dict[str, Any]]:
        cond, params = self._unit_where(f)
        yield from self._stream(f"SELECT {_UNIT_COLUMNS} FROM units WHERE {cond} ORDER BY id", params, dicts=True)

    # -- hazards ---------------------------------------------------------------------------

    def insert_hazard(self, record: dict[str, Any], unit_name: str | None = None) -> int:
        hazard_id = self._insert("hazards", _to_row(record))
        if unit_name is None:
            unit_name = self._one("SELECT name FROM units WHERE id = %s", (record["unit_id"],))["name"]  # type: ignore[index]
        self._execute(SEARCH_INSERT, index_row(hazard_id, index_text(record["description"], unit_name)))
        return hazard_id

    def hazard_by_key(self, unit_id: int, found_on: date, description: str, today: date) -> dict[str, Any] | None:
        """The hazard a ledger row without a uid means: same unit, same day found, same words."""
        found = self._one(
            "SELECT id FROM hazards WHERE unit_id = %s AND found_on = %s AND description = %s ORDER BY id LIMIT 1",
            (unit_id, found_on.isoformat(), description),
        )
        return self.hazard(found["id"], today) if found else None

    def hazard_id_by_uid(self, uid: str) -> int | None:
        found = self._one("SELECT id FROM hazards WHERE uid = %s", (uid,))
        return found["id"] if found else None

    def unit_keys(self) -> list[tuple[int, str, str, str | None, str, str]]:
        """(id, uid, name, credit_code, industry, locality) of every unit, for an import."""
        return list(self._tuples("SELECT id, uid, name, credit_code, industry, locality FROM units"))  # type: ignore[arg-type]

    def bulk_hazards(self, operator: str) -> HazardBulk:
        return HazardBulk(self, operator)

    def bulk_journal(self) -> AbstractContextManager[bool]:
        """Around a big load's transaction: nothing to change on a server (SQLite may switch to a
        rollback journal); False says the journal stayed as it was."""
        return nullcontext(False)

    def id_taken(self, table: str, record_id: int) -> bool:
        return self._one(f"SELECT 1 AS x FROM {table} WHERE id = %s", (record_id,)) is not None

    def tune_for_bulk(self) -> None:
        """More memory for the sorts of a big import, for this connection (one command)."""
        self._execute("SET work_mem = '64MB'")

    def update_hazard(self, hazard_id: int, changes: dict[str, Any], today: date) -> None:
        self._update("hazards", hazard_id, _to_row(changes))
        if "description" in changes or "unit_id" in changes:
            row = self.hazard(hazard_id, today)
            assert row is not None
            self._index_hazard(row)

    def _index_hazard(self, row: dict[str, Any]) -> None:
        self._execute("DELETE FROM hazard_search WHERE id = %s", (row["id"],))
        self._execute(SEARCH_INSERT, index_row(row["id"], index_text(row["description"], row["unit_name"])))

    def hazard(self, hazard_id: int, today: date) -> dict[str, Any] | None:
        row = self._one(f"{_HAZARD_SELECT} WHERE h.id = %(id)s", {"id": hazard_id, "today": today.isoformat()})
        return _from_row(row) if row else None

    def _hazard_where(self, f: HazardFilter, today: date) -> tuple[str, dict[str, Any]] | None:
        where: list[str] = ["TRUE"]
        params: dict[str, Any] = {"today": today.isoformat()}
        _in(where, params, "h.status", f.statuses)
        _in(where, params, "h.level", f.levels)
        _in(where, params, "h.industry", f.industries)
        _in(where, params, "h.locality", [nfc(v) for v in f.localities])
        _in(where, params, "h.unit_id", f.unit_ids)
        _in(where, params, "h.id", f.ids)
        _in(where, params, "h.inspection_id", f.inspection_ids)
        if f.overdue:
            where.append(_OVERDUE_SQL)
        if f.supervised:
            where.append("h.id IN (SELECT hazard_id FROM supervisions WHERE delisted_on IS NULL)")
        for column, op, value in (("deadline", "<=", f.due_by), ("found_on", ">=", f.found_since),
                                  ("found_on", "<=", f.found_until)):
            if value:
                name = f"p{len(params)}"
                where.append(f"h.{column} {op} %({name})s")
                params[name] = value.isoformat()
        if f.owner:
            where.append("h.owner = %(owner)s")
            params["owner"] = nfc(f.owner)
        if f.search is not None:
            match = search_condition(f.search, params)
            if match is None:
                return None
            where.append(f"h.id IN (SELECT s.id FROM hazard_search s WHERE {match})")
        if f.changed_between:
            where.append(_changed_sql("hazard", "h.id", params, f.changed_between))
        return " AND ".join(where), params

    def hazards(self, f: HazardFilter, today: date, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
        """Hazards matching `f`, most urgent first (overdue, major, nearest deadline), and their count."""
        found = self._hazard_where(f, today)
        if found is None:
            return [], 0
        cond, params = found
        total = self._one(f"SELECT count(*) AS n FROM hazards h WHERE {cond}", params)["n"]  # type: ignore[index]
        order = f"{_OVERDUE_SQL} DESC, h.level = 'major' DESC, h.deadline IS NULL, h.deadline, h.id"
        first = None if limit is None else urgent_first_by_index(f, params, int(limit), order, lambda key: f"%({key})s")
        if first is None:
            first = f"SELECT h.id FROM hazards h WHERE {cond} ORDER BY {order} LIMIT {'ALL' if limit is None else int(limit)}"
        rows = self._all(f"{_HAZARD_SELECT} WHERE h.id IN ({first}) ORDER BY {order}", params)
        return [_from_row(r) for r in rows], total

    def iter_hazards(self, f: HazardFilter, today: date) -> Iterator[dict[str, Any]]:
        """Every hazard matching `f`, by id, streamed: for exports of any size."""
        found = self._hazard_where(f, today)
        if found is None:
            return
        cond, params = found
        for row in self._stream(f"{_HAZARD_SELECT} WHERE {cond} ORDER BY h.id", params, dicts=True):
            yield _from_row(row)

    def closed_majors(self) -> list[dict[str, Any]]:
        """Closed major hazards with their five guarantees and verifier (funds as fen)."""
        return self._all(
            "SELECT id, status, level, owner, measures, funds_fen AS funds, deadline, contingency, verified_by"
            " FROM hazards WHERE status = 'closed' AND level = 'major' ORDER BY id"
        )

    def hazard_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._all("SELECT status, count(*) AS n FROM hazards GROUP BY status")}

    def count(self, table: str) -> int:
        return int(self._one(f"SELECT count(*) AS n FROM {table}")["n"])  # type: ignore[index]

    # -- history ---------------------------------------------------------------------------

    def _chain_tail(self) -> tuple[int, str]:
        """The last history entry's seq and hash, read once per write under the write lock."""
        if self._tail is None:
            row = self._one("SELECT seq, hash FROM history ORDER BY seq DESC LIMIT 1")
            self._tail = (row["seq"], row["hash"] or GENESIS) if row else (0, GENESIS)
        return self._tail

    def chain_row(self, at: str, operator: str, record_type: str, record_id: int, action: str,
                  before: str | None, after: str | None, note: str | None,
                  effective_at: str | None = None) -> tuple[Any, ...]:
        """A history row with its seq, link and hash, in INSERT order; the chain moves on.
        `effective_at` (when the change took effect) is never after `at`; by default it is `at`."""
        last, prev = self._chain_tail()
        values = (last + 1, at, operator, record_type, record_id, action, before, after, note)
        effective = at if effective_at is None or effective_at > at else effective_at
        digest = entry_hash(prev, values, effective)
        self._tail = (last + 1, digest)
        return (*values, effective, prev, digest)

    def add_history(self, entry: dict[str, Any]) -> None:
        if entry.get("before") is None and entry["action"] in ("create", "import") and entry.get("after") is not None:
            # A new record's entry names the uid and time it was given, so `check` can prove them.
            entry = {**entry, "after": {**entry["after"], **self.identity(entry["record_type"], entry["record_id"])}}
        texts = {
            key: None if entry.get(key) is None
            else json.dumps(entry[key], ensure_ascii=False, default=str, sort_keys=True)
            for key in ("before", "after")
        }
        row = self.chain_row(entry["at"], entry["operator"], entry["record_type"], entry["record_id"],
                             entry["action"], texts["before"], texts["after"], entry.get("note"),
                             entry.get("effective_at"))
        self._execute(HISTORY_INSERT, row)

    def last_effective(self, record_type: str, record_id: int) -> str | None:
        """When the record's latest change took effect: a later one is never placed before it."""
        row = self._one("SELECT max(effective_at) AS m FROM history WHERE record_type = %s AND record_id = %s",
                        (record_type, record_id))
        return row["m"] if row else None

    def chain_rows(self) -> Iterator[tuple[Any, ...]]:
        """Every history entry's hashed fields, when it took effect, link and hash, in order."""
        return self._stream(f"SELECT {', '.join(CHAIN_FIELDS)}, effective_at, prev, hash FROM history ORDER BY seq")

    def chain_entry(self, seq: int) -> tuple[tuple[Any, ...], Any]:
        """One history entry's hashed fields (in chain.FIELDS order), and when it took effect."""
        row = next(self._tuples(f"SELECT {', '.join(CHAIN_FIELDS)}, effective_at FROM history WHERE seq = %s", (seq,)))
        return tuple(row[:-1]), row[-1]

    def chain_head(self) -> tuple[int, str]:
        row = self._one("SELECT count(*) AS n, (SELECT hash FROM history ORDER BY seq DESC LIMIT 1) AS h FROM history")
        assert row is not None
        return row["n"], row["h"] or GENESIS

    def record_changes(self, record_type: str) -> Iterator[tuple[Any, ...]]:
        """(record id, action, after) of every entry about records of one type, record by record."""
        return self._stream(
            "SELECT record_id, action, after FROM history WHERE record_type = %s ORDER BY record_id, seq", (record_type,)
        )

    def calendar_days(self, year: int | None = None) -> list[dict[str, Any]]:
        """The register's calendar (days that differ from Monday to Friday), by date."""
        if year is None:
            return self._all("SELECT day, year, kind, notice, name FROM calendar_days ORDER BY day")
        return self._all("SELECT day, year, kind, notice, name FROM calendar_days WHERE year = %s ORDER BY day",
                         (year,))

    def replace_calendar_year(self, year: int, days: Sequence[dict[str, Any]]) -> None:
        """A year of the register's calendar, replacing what it had for that year (in the caller's transaction)."""
        self._execute("DELETE FROM calendar_days WHERE year = %s", (year,))
        for d in days:
            self._execute("INSERT INTO calendar_days (day, year, kind, notice, name) VALUES (%s, %s, %s, %s, %s)",
                          (d["day"], year, d["kind"], d["notice"], d.get("name")))

    def unit_industry_lists(self) -> Iterator[tuple[int, list[str]]]:
        """(unit id, its industries in order) of every unit, by id: for `check`."""
        yield from self._stream("SELECT unit_id, array_agg(industry::text ORDER BY position) FROM unit_industries"
                                " GROUP BY unit_id ORDER BY unit_id")

    def rows_for_check(self, table: str, columns: Sequence[str], by: str = "id") -> Iterator[tuple[Any, ...]]:
        """A table's rows, streamed, ordered by `by` (then id)."""
        order = "id" if by == "id" else f"{by}, id"
        return self._stream(f"SELECT {', '.join(_quote(c) for c in columns)} FROM {table} ORDER BY {order}")

    def history(
        self,
        record_type: str | None = None,
        record_id: int | None = None,
        since: str | None = None,
        until: str | None = None,
        operator: str | None = None,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """History entries, oldest first (the latest `limit` of them if given), streamed."""
        where: list[str] = ["TRUE"]
        params: dict[str, Any] = {}
        for column, value in (("record_type", record_type), ("record_id", record_id), ("operator", operator)):
            if value is not None:
                where.append(f"{column} = %({column})s")
                params[column] = value
        if since:
            where.append("effective_at >= %(since)s")
            params["since"] = since
        if until:
            where.append("effective_at < %(until)s")
            params["until"] = until
        sql = f"SELECT * FROM history WHERE {' AND '.join(where)}"
        if limit:
            sql = f"SELECT * FROM ({sql} ORDER BY seq DESC LIMIT {int(limit)}) AS latest"
        for entry in self._stream(f"{sql} ORDER BY seq", params, dicts=True):
            for key in ("before", "after"):
                entry[key] = json.loads(entry[key]) if entry[key] else None
            yield entry


def _changed_sql(record_type: str, id_column: str, params: dict[str, Any], bounds: tuple[str, str]) -> str:
    """Records with a history entry (created or changed) taking effect within UTC `bounds`."""
    params["changed_from"], params["changed_to"] = bounds
    return (
        f"{id_column} IN (SELECT record_id FROM history WHERE record_type = '{record_type}'"
        " AND effective_at >= %(changed_from)s AND effective_at < %(changed_to)s)"
    )


# A unit's row with its industries, in order (the first is units.industry).
_UNIT_COLUMNS = """units.*, ARRAY(SELECT ui.industry::text FROM unit_industries ui WHERE ui.unit_id = units.id
    ORDER BY ui.position) AS industries"""


def _in(where: list[str], params: dict[str, Any], column: str, values: Sequence[Any]) -> None:
    if not values:
        return
    name = f"p{len(params)}"
    values = [_value(v) for v in values]
    params[name] = values
    kind = "bigint[]" if all(isinstance(v, int) for v in values) else "text[]"
    where.append(f"{column} = ANY(%({name})s::{kind})")


def _to_row(record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in record.items():
        if key == "funds":
            row["funds_fen"] = None if value is None else to_fen(Decimal(value))
        else:
            row[key] = _value(value)
    return row


def _from_row(row: dict[str, Any]) -> dict[str, Any]:
    row["funds"] = from_fen(row.pop("funds_fen"))
    row["overdue"] = bool(row["overdue"])
    return row
