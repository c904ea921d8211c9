"""The only code that runs SQL: opening the register file, its schema, and queries.

The register is one SQLite file in WAL mode, so officers reading it never block a
writer; a busy timeout makes two commands writing at once wait for each other;
synchronous=FULL makes a reported write survive a power cut. Writes run in
`BEGIN IMMEDIATE` transactions: a command either saves everything or nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hazreg.chain import FIELDS as CHAIN_FIELDS
from hazreg.chain import GENESIS, entry_hash
from hazreg.errors import Refused
from hazreg.money import from_fen, to_fen
from hazreg.search import index_text, match_query, nfc
from hazreg.storage.base import SCHEMA_VERSION, Findings, HazardFilter, UnitFilter
from hazreg.storage.portable.accidents import AccidentQueries
from hazreg.storage.portable.cases import CaseQueries
from hazreg.storage.portable.documents import DocumentQueries
from hazreg.storage.portable.listing import urgent_first_by_index
from hazreg.storage.sqlite import tally
from hazreg.storage.sqlite.campaigns import CampaignQueries
from hazreg.storage.sqlite.exports import ExportQueries
from hazreg.storage.sqlite.integrity import IntegrityQueries
from hazreg.storage.sqlite.reports import _ACTIVE_SQL, _OVERDUE_SQL, ReportQueries
from hazreg.storage.sqlite.supervision import SupervisionQueries

if TYPE_CHECKING:
    from hazreg.storage.sqlite.bulk import HazardBulk

BUSY_TIMEOUT_MS = 15_000

_HAZARD_SELECT = f"""SELECT h.*, u.name AS unit_name, {_OVERDUE_SQL} AS overdue
    FROM hazards h JOIN units u ON u.id = h.unit_id"""


def _create_private(path: Path) -> None:
    """A new register file readable by its owner only (0600), in folders made 0700.

    A register holds enterprises' contacts and evidence for investigations. Folders that
    already exist are left as they are; SQLite gives the -wal and -shm files the
    database file's permissions.
    """
    import os

    from hazreg.paths import private_folders

    private_folders(path.parent)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:  # another command created it first: fine, it is theirs to set up
        pass


def _disk_full(error: sqlite3.Error) -> bool:
    """Whether SQLite failed for want of space: the disk is full, or the WAL's index (-shm)
    could not be given its size."""
    return getattr(error, "sqlite_errorname", "") in ("SQLITE_FULL", "SQLITE_IOERR_SHMSIZE")


def _on_read_only_fs(path: Path) -> bool:
    """Whether `path` (or the nearest folder of it that exists) is on a read-only file system."""
    import os

    for place in (path, *path.parents):
        if place.exists():
            try:
                return bool(os.statvfs(place).f_flag & os.ST_RDONLY)
            except (OSError, AttributeError):  # no statvfs (Windows): SQLite says so on writing
                return False
    return False


def _connect(target: str) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, exactly where a command starts and ends.
    conn = sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                           uri=target.startswith("file:"))
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn




def _integrity_check(conn: sqlite3.Connection) -> list[str]:
    """What SQLite's integrity check finds wrong with the file (nothing: []). A file too damaged
    for the check to finish is a finding too, in SQLite's words."""
    try:
        found = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        if "interrupt" in str(error):
            raise  # stopped on purpose (another check failed first)
        return [str(error)]
    return [] if found == ["ok"] else found


class Store(ReportQueries, CampaignQueries, SupervisionQueries, DocumentQueries, AccidentQueries, CaseQueries, IntegrityQueries, ExportQueries):
    """One open register file."""

    engine = "sqlite"
    PARAM = "?"  # how a portable query (storage/portable) marks a parameter
    JSON_ARRAY_HOLDS = "EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)"

    def __init__(self, path: Path | None, *, create: bool) -> None:
        self.path = path
        self.address = None if path is None else str(path)  # the register's address, for people
        self._tail: tuple[int, str] | None = None
        self.on_disk = False  # whether a register file is behind this store (not an empty stand-in)
        self.writes = 0  # transactions this process has committed (or was committing) here
        self._file: str | None = None  # what self.conn was opened on, while it is the file itself
        if path is None or (not path.exists() and not create):
            # Reading a register that does not exist yet: an empty one, nothing written.
            self._blank()
            return
        blank_file = path.exists() and path.stat().st_size == 0
        read_only = _on_read_only_fs(path)
        if create and read_only:
            raise Refused("err.read_only", path=str(path))
        if create and not path.exists():
            _create_private(path)
        try:
            # On a read-only file system SQLite cannot make the WAL's index beside the file: nobody
            # can write there either, so the file is read as it stands (immutable).
            self._file = f"{path.resolve().as_uri()}?immutable=1" if read_only else str(path)
            self.conn = _connect(self._file)
            # One statement, one snapshot: another command may be creating the tables right now.
            version, tables = self.conn.execute(
                "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)"
            ).fetchone()
            if version == 0 and tables:  # tables but never a hazreg schema: another program's file
                self.conn.close()
                raise Refused("err.foreign_sqlite", path=str(path))
        except sqlite3.DatabaseError as error:
            if _disk_full(error):  # no room for the WAL's index: said as a full disk, not a bad file
                raise
            raise Refused("err.not_register", path=str(path)) from None
        self.conn.execute("PRAGMA synchronous = FULL")
        if version > SCHEMA_VERSION:
            self.conn.close()
            raise Refused("err.newer_schema", path=str(path), found=version, known=SCHEMA_VERSION)
        if not create:
            # A read never writes the file: an empty file stays empty, an older register
            # is brought up to date in memory and left as it is until the next write.
            if version == 0:
                self.conn.close()
                self._blank()
            elif version < SCHEMA_VERSION:
                memory = _connect(":memory:")
                self.conn.backup(memory)
                self.conn.close()
                self.conn = memory
                self._file = None  # what is checked is the register as brought up to date, in memory
                self._migrate()
                self.on_disk = True
            else:
                self.on_disk = True
            return
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")
        if blank_file:  # an empty file someone made for us becomes a register as private as a new one
            path.chmod(0o600)
        if version < SCHEMA_VERSION:
            self._migrate()
        self.on_disk = True

    def _blank(self) -> None:
        self.conn = _connect(":memory:")
        self._migrate()

    def _migrate(self) -> None:
        from sqlite_utils import Database

        from hazreg.storage.sqlite.migrations import migrations, number

        db = Database(self.conn)
        # One lock around the check and the migrations: two first commands on a new
        # file must not both create the tables.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise Refused("err.newer_schema", path=str(self.path), found=version, known=SCHEMA_VERSION)
            if version and self.migrations_applied() != [m.name for m in migrations._migrations if number(m.name) <= version]:
                # Without its record of what was applied, sqlite-utils would run every migration again.
                raise Refused("err.migrations_broken", path=str(self.path))
            migrations.apply(db)
            if version:  # an old register brought up to date (not a new one)
                self.applied_now = [m.name for m in migrations._migrations[version:]]
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()

    files_dir_override: Path | None = None  # a copy being checked keeps its files elsewhere
    applied_now: list[str] = []  # migrations this open applied to an older register

    @property
    def files_dir(self) -> Path | None:
        """Where attached files are kept: a folder beside the register file."""
        if self.files_dir_override is not None:
            return self.files_dir_override
        return None if self.path is None else self.path.parent / f"{self.path.stem}.files"

    def backup_to(self, path: Path) -> None:
        """A consistent copy through SQLite's online backup: others may go on writing.

        The file is made private (0600) before anything is copied into it; a file that cannot
        be written raises OSError, as any other file would."""
        import os

        os.close(os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
        try:
            target = sqlite3.connect(str(path))
            try:
                self.conn.backup(target)
            finally:
                target.close()
        except sqlite3.Error as error:
            raise OSError(str(error)) from None

    def replace_from(self, source: Path, aside: Path, under_lock: Callable[[], None]) -> None:
        """Make this register a copy of the register file `source` (same schema), in one write.

        The write lock is taken first and held to the end, so no other command writes in
        between: they wait (or give up as busy, having changed nothing). Under it, the
        register as it is now is copied to `aside`, `under_lock` runs (the attached files),
        and every table is refilled from `source` in the same transaction. SQLite's own
        journal makes the switch atomic: a kill at any point leaves the old register or
        the new one, in the same file, which other processes may hold open meanwhile."""
        from hazreg.interrupts import fault

        self.conn.execute("ATTACH DATABASE ? AS src", (str(source),))
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                fault("restore:locked")
                self._snapshot(aside)
                fault("restore:aside")
                under_lock()
                fault("restore:files")
                self._refill_from_src()
                fault("restore:copied")
                self._tail = None
                self.writes += 1
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        finally:
            self.conn.execute("DETACH DATABASE src")
        fault("restore:committed")

    def _snapshot(self, path: Path) -> None:
        """The register as committed now, copied to `path` (private) by a second connection:
        this one holds the write lock, so the copy is exactly what the lock protects."""
        import os

        os.close(os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
        reader = _connect(str(self.path))
        target = sqlite3.connect(str(path))
        try:
            reader.backup(target)
        finally:
            target.close()
            reader.close()

    def _refill_from_src(self) -> None:
        """Every table of main emptied and filled from the attached `src`, sequences last."""
        conn = self.conn

        def tables(schema: str) -> dict[str, str]:
            return {r[0]: r[1] or "" for r in conn.execute(
                f"SELECT name, sql FROM {schema}.sqlite_master WHERE type = 'table'")}

        def columns(schema: str, table: str) -> list[str]:
            return [r[1] for r in conn.execute(f'PRAGMA {schema}.table_info("{table}")')]

        theirs, mine = tables("src"), tables("main")
        virtual = [n for n, sql in theirs.items() if sql.upper().startswith("CREATE VIRTUAL")]
        wanted = [n for n in theirs if n != "sqlite_sequence" and not any(n.startswith(f"{v}_") for v in virtual)]
        mismatched = [n for n in wanted if n not in mine or columns("src", n) != columns("main", n)]
        if mismatched or {n for n in mine if n not in theirs and n != "sqlite_sequence"}:
            raise Refused("err.restore_schema", path=str(self.path))
        conn.execute("PRAGMA defer_foreign_keys = ON")  # rows come table by table; keys hold at COMMIT
        # The weekly report's count of the hazards is derived: counted once the hazards are in,
        # not by its triggers as every hazard is removed and put back one by one.
        tally.drop(conn)
        for name in (n for n in wanted if n != "hazard_tally"):
            names = ", ".join(f'"{c}"' for c in (["rowid"] if name in virtual else []) + columns("src", name))
            conn.execute(f'DELETE FROM main."{name}"')
            conn.execute(f'INSERT INTO main."{name}" ({names}) SELECT {names} FROM src."{name}"')
        if "sqlite_sequence" in mine:
            conn.execute("DELETE FROM main.sqlite_sequence")
        if "sqlite_sequence" in theirs:
            conn.execute("INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM src.sqlite_sequence")
        tally.create(conn)

    # -- transactions and small helpers -------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write: everything inside is saved together, or nothing is."""
        if self.conn.in_transaction:  # nested: part of the outer write
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._tail = None  # another process may have written since: read the chain's end afresh
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            self._tail = None
            raise
        self.writes += 1  # counted before COMMIT: an interrupt right after it must not say "nothing written"
        self.conn.execute("COMMIT")

    def _execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        row = self.conn.execute(sql, params).fetchone()
        return dict(row) if row else None

    def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(sql, params)]

    def _insert(self, table: str, record: dict[str, Any]) -> int:
        cols = ", ".join(record)
        marks = ", ".join(f":{c}" for c in record)
        cur = self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", record)
        assert cur.lastrowid is not None
        return cur.lastrowid

    def _update(self, table: str, record_id: int, changes: dict[str, Any]) -> None:
        sets = ", ".join(f"{c} = :{c}" for c in changes)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = :_id", {**changes, "_id": record_id})

    # -- settings --------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        row = self._one("SELECT value FROM settings WHERE key = ?", (key,))
        return row["value"] if row else None

    def set_setting(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
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
        self.conn.execute("DELETE FROM unit_industries WHERE unit_id = ?", (unit_id,))
        self.conn.executemany("INSERT INTO unit_industries (unit_id, industry, position) VALUES (?, ?, ?)",
                              [(unit_id, industry, n) for n, industry in enumerate(industries)])

    def update_unit(self, unit_id: int, changes: dict[str, Any]) -> None:
        changes = dict(changes)
        industries = changes.pop("industries", None)
        if industries:
            changes["industry"] = industries[0]
            self._set_industries(unit_id, industries)
        self._update("units", unit_id, changes)
        if "name" in changes:  # the unit's name is searchable in its hazards
            for row in self._all(f"{_HAZARD_SELECT} WHERE h.unit_id = :u", {"u": unit_id, "today": ""}):
                self._index_hazard(row)

    def _units(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        return [_unit_row(r) for r in self.conn.execute(sql, params)]

    def unit(self, unit_id: int) -> dict[str, Any] | None:
        return next(iter(self._units(f"SELECT {_UNIT_COLUMNS} FROM units WHERE id = ?", (unit_id,))), None)

    def unit_by_code(self, code: str) -> dict[str, Any] | None:
        return next(iter(self._units(f"SELECT {_UNIT_COLUMNS} FROM units WHERE credit_code = ?", (code,))), None)

    def units_by_name(self, name: str) -> list[dict[str, Any]]:
        return self._units(f"SELECT {_UNIT_COLUMNS} FROM units WHERE name = ? ORDER BY id", (nfc(name),))

    def _unit_where(self, f: UnitFilter) -> tuple[str, dict[str, Any]]:
        where: list[str] = ["1"]
        params: dict[str, Any] = {}
        if f.industries:  # any of the unit's industries
            inner: list[str] = []
            _in(inner, params, "ui.industry", f.industries)
            where.append(f"EXISTS (SELECT 1 FROM unit_industries ui WHERE ui.unit_id = units.id AND {inner[0]})")
        _in(where, params, "locality", [nfc(v) for v in f.localities])
        _in(where, params, "risk", f.risks)
        if f.search:
            # Typed text is text: % and _ match themselves, not anything.
            where.append("(name LIKE :s ESCAPE '\\' OR address LIKE :s ESCAPE '\\' OR contact LIKE :s ESCAPE '\\'"
                         " OR credit_code LIKE :s ESCAPE '\\')")
            escaped = f.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["s"] = f"%{escaped}%"
        if f.changed_between:
            where.append(_changed_sql("unit", "units.id", params, f.changed_between))
        return " AND ".join(where), params

    def units(self, f: UnitFilter, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
        cond, params = self._unit_where(f)
        total = self.conn.execute(f"SELECT count(*) FROM units WHERE {cond}", params).fetchone()[0]
        rows = self._units(
            f"""SELECT {_UNIT_COLUMNS}, (SELECT count(*) FROM hazards h WHERE h.unit_id = units.id
                  AND h.status IN ({_ACTIVE_SQL})) AS open_hazards
                FROM units WHERE {cond}
                ORDER BY CASE risk WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2
                  WHEN 'blue' THEN 3 ELSE 4 END, locality, name, id
                LIMIT {-1 if limit is None else int(limit)}""",
            params,
        )
        return rows, total

    def iter_units(self, f: UnitFilter) -> Iterator[dict[str, Any]]:
        cond, params = self._unit_where(f)
        for row in self.conn.execute(f"SELECT {_UNIT_COLUMNS} FROM units WHERE {cond} ORDER BY id", params):
            yield _unit_row(row)

    # -- hazards ---------------------------------------------------------------------------

    def insert_hazard(self, record: dict[str, Any], unit_name: str | None = None) -> int:
        hazard_id = self._insert("hazards", _to_row(record))
        if unit_name is None:
            unit_name = self.conn.execute("SELECT name FROM units WHERE id = ?", (record["unit_id"],)).fetchone()[0]
        self.conn.execute(
            "INSERT INTO hazard_search (rowid, text) VALUES (?, ?)",
            (hazard_id, index_text(record["description"], unit_name)),
        )
        return hazard_id

    def hazard_by_key(self, unit_id: int, found_on: date, description: str, today: date) -> dict[str, Any] | None:
        """The hazard a ledger row without a uid means: same unit, same day found, same words."""
        found = self.conn.execute(
            "SELECT id FROM hazards WHERE unit_id = ? AND found_on = ? AND description = ? LIMIT 1",
            (unit_id, found_on.isoformat(), description),
        ).fetchone()
        return self.hazard(found[0], today) if found else None

    def hazard_id_by_uid(self, uid: str) -> int | None:
        found = self.conn.execute("SELECT id FROM hazards WHERE uid = ?", (uid,)).fetchone()
        return found[0] if found else None

    def unit_keys(self) -> list[tuple[int, str, str, str | None, str, str]]:
        """(id, uid, name, credit_code, industry, locality) of every unit, for an import."""
        sql = "SELECT id, uid, name, credit_code, industry, locality FROM units"
        return [tuple(r) for r in self.conn.execute(sql)]  # type: ignore[misc]

    def bulk_hazards(self, operator: str) -> HazardBulk:
        from hazreg.storage.sqlite.bulk import HazardBulk

        return HazardBulk(self, operator)

    def bulk_journal(self) -> AbstractContextManager[bool]:
        """Around a big load's transaction: a rollback journal if nobody else has the file open."""
        from hazreg.storage.sqlite.bulk import rollback_journal

        return rollback_journal(self)

    def id_taken(self, table: str, record_id: int) -> bool:
        return self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (record_id,)).fetchone() is not None

    def tune_for_bulk(self) -> None:
        """A larger page cache for a big import (memory stays bounded: 64 MB)."""
        self.conn.execute("PRAGMA cache_size = -65536")

    def update_hazard(self, hazard_id: int, changes: dict[str, Any], today: date) -> None:
        self._update("hazards", hazard_id, _to_row(changes))
        if "description" in changes or "unit_id" in changes:
            row = self.hazard(hazard_id, today)
            assert row is not None
            self._index_hazard(row)

    def _index_hazard(self, row: dict[str, Any]) -> None:
        self.conn.execute("DELETE FROM hazard_search WHERE rowid = ?", (row["id"],))
        self.conn.execute(
            "INSERT INTO hazard_search (rowid, text) VALUES (?, ?)",
            (row["id"], index_text(row["description"], row["unit_name"])),
        )

    def hazard(self, hazard_id: int, today: date) -> dict[str, Any] | None:
        row = self._one(f"{_HAZARD_SELECT} WHERE h.id = :id", {"id": hazard_id, "today": today.isoformat()})
        return _from_row(row) if row else None

    def _hazard_where(self, f: HazardFilter, today: date) -> tuple[str, dict[str, Any]] | None:
        where: list[str] = ["1"]
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
        if f.due_by:
            where.append("h.deadline <= :due_by")
            params["due_by"] = f.due_by.isoformat()
        if f.owner:
            where.append("h.owner = :owner")
            params["owner"] = nfc(f.owner)
        if f.found_since:
            where.append("h.found_on >= :found_since")
            params["found_since"] = f.found_since.isoformat()
        if f.found_until:
            where.append("h.found_on <= :found_until")
            params["found_until"] = f.found_until.isoformat()
        if f.search is not None:
            match = match_query(f.search)
            if match is None:
                return None
            where.append("h.id IN (SELECT rowid FROM hazard_search WHERE hazard_search MATCH :match)")
            params["match"] = match
        if f.changed_between:
            where.append(_changed_sql("hazard", "h.id", params, f.changed_between))
        return " AND ".join(where), params

    def hazards(
        self, f: HazardFilter, today: date, limit: int | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """Hazards matching `f`, most urgent first (overdue, major, nearest deadline), and their count."""
        found = self._hazard_where(f, today)
        if found is None:
            return [], 0
        cond, params = found
        total = self.conn.execute(f"SELECT count(*) FROM hazards h WHERE {cond}", params).fetchone()[0]
        # Sort ids only (from the index), then read the whole rows of the page alone:
        # on 100,000 hazards this is ten times faster than sorting whole joined rows.
        first = None if limit is None else urgent_first_by_index(f, params, int(limit), _URGENT_FIRST_SQL,
                                                                 lambda key: f":{key}")
        if first is None:
            first = (f"SELECT h.id FROM hazards h WHERE {cond} ORDER BY {_URGENT_FIRST_SQL}"
                     f" LIMIT {-1 if limit is None else int(limit)}")
        rows = self._all(f"{_HAZARD_SELECT} WHERE h.id IN ({first}) ORDER BY {_URGENT_FIRST}", params)
        return [_from_row(r) for r in rows], total

    def iter_hazards(self, f: HazardFilter, today: date) -> Iterator[dict[str, Any]]:
        """Every hazard matching `f`, by id, streamed: for exports of any size."""
        found = self._hazard_where(f, today)
        if found is None:
            return
        cond, params = found
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: a third cheaper than Row objects, per row
        cursor.execute(f"{_HAZARD_SELECT} WHERE {cond} ORDER BY h.id", params)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            yield _from_row(dict(zip(names, values, strict=True)))

    def closed_majors(self) -> list[dict[str, Any]]:
        """Closed major hazards with their five guarantees and verifier (funds as fen)."""
        return self._all(
            "SELECT id, status, level, owner, measures, funds_fen AS funds, deadline, contingency, verified_by"
            " FROM hazards WHERE status = 'closed' AND level = 'major' ORDER BY id"
        )

    def hazard_counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._all("SELECT status, count(*) AS n FROM hazards GROUP BY status")}

    def count(self, table: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    # -- history ---------------------------------------------------------------------------

    def _chain_tail(self) -> tuple[int, str]:
        """The last history entry's seq and hash, read once per write (the write lock is held)."""
        if self._tail is None:
            row = self.conn.execute("SELECT seq, hash FROM history ORDER BY seq DESC LIMIT 1").fetchone()
            used = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'history'").fetchone()
            last = max(row[0] if row else 0, used[0] if used else 0)
            self._tail = (last, row[1] if row and row[1] else GENESIS)
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
        self.conn.execute(_HISTORY_INSERT, row)

    def last_effective(self, record_type: str, record_id: int) -> str | None:
        """When the record's latest change took effect: a later one is never placed before it."""
        row = self.conn.execute(
            "SELECT max(effective_at) FROM history WHERE record_type = ? AND record_id = ?", (record_type, record_id)
        ).fetchone()
        return row[0] if row else None

    # -- integrity ---------------------------------------------------------------------------

    def _tuples(self, sql: str, params: Any = ()) -> Iterator[tuple[Any, ...]]:
        cursor = self.conn.cursor()
        cursor.row_factory = None
        yield from cursor.execute(sql, params)

    def chain_rows(self) -> Iterator[tuple[Any, ...]]:
        """Every history entry's hashed fields, when it took effect, link and hash, in order."""
        return self._tuples(f"SELECT {', '.join(CHAIN_FIELDS)}, effective_at, prev, hash FROM history ORDER BY seq")

    def chain_head(self) -> tuple[int, str]:
        row = self.conn.execute("SELECT count(*), (SELECT hash FROM history ORDER BY seq DESC LIMIT 1) FROM history").fetchone()
        return row[0], row[1] or GENESIS

    def record_changes(self, record_type: str) -> Iterator[tuple[Any, ...]]:
        """(record id, action, after) of every entry about records of one type, record by record
        and in order within each.

        The index on (record_type, record_id) gives this order. Hazards' entries, though, are
        most of history, and a hazard's entries lie far apart in it (found one month, rectified
        the next): walking the index visits each entry's row out of order, so history is read
        in its own order instead and SQLite's sorter orders the hazards' entries (its memory
        stays bounded; a big sort spills to a temporary file, about 630 MB at 1M hazards). At
        1M hazards (3.05M entries) the whole records replay takes 39 CPU s against 42–43; at
        100k, with a hazard's entries
        spread as in use, the entries read and parsed take 3.4–3.5 against 3.7 (with each
        hazard's entries side by side, the index's best case, 3.3 against 3.1)."""
        hint = " NOT INDEXED" if record_type == "hazard" else ""
        return self._tuples(
            f"SELECT record_id, action, after FROM history{hint} WHERE record_type = ? ORDER BY record_id, seq",
            (record_type,))

    def calendar_days(self, year: int | None = None) -> list[dict[str, Any]]:
        """The register's calendar (days that differ from Monday to Friday), by date."""
        if year is None:
            return self._all("SELECT day, year, kind, notice, name FROM calendar_days ORDER BY day")
        return self._all("SELECT day, year, kind, notice, name FROM calendar_days WHERE year = ? ORDER BY day", (year,))

    def replace_calendar_year(self, year: int, days: Sequence[dict[str, Any]]) -> None:
        """A year of the register's calendar, replacing what it had for that year (in the caller's transaction)."""
        self.conn.execute("DELETE FROM calendar_days WHERE year = ?", (year,))
        self.conn.executemany("INSERT INTO calendar_days (day, year, kind, notice, name) VALUES (?, ?, ?, ?, ?)",
                              [(d["day"], year, d["kind"], d["notice"], d.get("name")) for d in days])

    def unit_industry_lists(self) -> Iterator[tuple[int, list[str]]]:
        """(unit id, its industries in order) of every unit, by id: for `check`."""
        sql = """SELECT unit_id, group_concat(industry, ',') FROM (SELECT unit_id, industry FROM unit_industries
            ORDER BY unit_id, position) GROUP BY unit_id ORDER BY unit_id"""
        for unit_id, joined in self._tuples(sql):
            yield unit_id, joined.split(",")

    def rows_for_check(self, table: str, columns: Sequence[str], by: str = "id") -> Iterator[tuple[Any, ...]]:
        """A table's rows, streamed, ordered by `by` (then id)."""
        order = "id" if by == "id" else f"{by}, id"
        return self._tuples(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")

    def integrity_problems(self) -> list[str]:
        return _integrity_check(self.conn)

    def shared_file(self) -> str | None:
        """What another connection (or process) opens to see the register as this one sees it:
        the file, unless this connection reads a copy in memory (an older register brought up
        to date) or is inside a write of its own not yet committed (`copy` checks its copy so)."""
        return None if self.conn.in_transaction else self._file

    def integrity_started(self) -> Findings:
        """SQLite's integrity check of the file, started on a connection of its own in a thread
        (SQLite works without Python's lock, so the other checks go on meanwhile); calling the
        result waits for its findings. A register read in memory (an older one brought up to
        date, or one inside a write of its own) is checked here and now, as it always was."""
        target = self.shared_file()
        if target is None:
            found = self.integrity_problems()
            return lambda cancel=False: found
        import threading

        outcome: dict[str, Any] = {}
        opened: list[sqlite3.Connection] = []

        def run() -> None:
            try:
                conn = _connect(target)
                opened.append(conn)
                try:
                    conn.execute("PRAGMA query_only = ON")
                    outcome["found"] = _integrity_check(conn)
                finally:
                    conn.close()
            except BaseException as error:  # noqa: BLE001  # raised in the caller's thread
                outcome["error"] = error

        thread = threading.Thread(target=run, name="hazreg-integrity-check", daemon=True)
        thread.start()

        def finished(cancel: bool = False) -> list[str]:
            if cancel and thread.is_alive():
                for conn in opened:
                    conn.interrupt()
            thread.join()
            if "error" in outcome:
                raise outcome["error"]
            found: list[str] = outcome["found"]
            return found

        return finished

    def foreign_key_problems(self) -> list[str]:
        return [f"{r[0]} row {r[1]} -> {r[2]}" for r in self.conn.execute("PRAGMA foreign_key_check")]

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
        where: list[str] = ["1"]
        params: dict[str, Any] = {}
        for column, value in (("record_type", record_type), ("record_id", record_id), ("operator", operator)):
            if value is not None:
                where.append(f"{column} = :{column}")
                params[column] = value
        if since:
            where.append("effective_at >= :since")
            params["since"] = since
        if until:
            where.append("effective_at < :until")
            params["until"] = until
        sql = f"SELECT * FROM history WHERE {' AND '.join(where)}"
        if limit:
            sql = f"SELECT * FROM ({sql} ORDER BY seq DESC LIMIT {int(limit)})"
        for row in self.conn.execute(f"{sql} ORDER BY seq", params):
            entry = dict(row)
            for key in ("before", "after"):
                entry[key] = json.loads(entry[key]) if entry[key] else None
            yield entry


_HISTORY_INSERT = (
    "INSERT INTO history (seq, at, operator, record_type, record_id, action, before, after, note, effective_at,"
    " prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_HAZARD_ROW = (
    "id", "uid", "unit_id", "description", "industry", "locality", "level", "status", "source", "found_on",
    "found_by", "basis", "deadline", "owner", "measures", "funds_fen", "contingency", "inspection_id",
    "rectified_on", "verified_by", "verified_on", "verify_note", "closed_on", "void_reason", "created_at",
    "updated_at",
)


# Most urgent first: overdue, then major, then the nearest deadline (none last), then by id.
_URGENT_FIRST = "overdue DESC, h.level = 'major' DESC, h.deadline IS NULL, h.deadline, h.id"
_URGENT_FIRST_SQL = _URGENT_FIRST.replace("overdue", _OVERDUE_SQL, 1)


def _changed_sql(record_type: str, id_column: str, params: dict[str, Any], bounds: tuple[str, str]) -> str:
    """Records with a history entry (created or changed) taking effect within UTC `bounds`."""
    params["changed_from"], params["changed_to"] = bounds
    return (
        f"{id_column} IN (SELECT record_id FROM history WHERE record_type = '{record_type}'"
        " AND effective_at >= :changed_from AND effective_at < :changed_to)"
    )


# A unit's row with its industries, in order (the first is units.industry).
_UNIT_COLUMNS = """units.*, (SELECT group_concat(industry, ',') FROM (SELECT industry FROM unit_industries ui
    WHERE ui.unit_id = units.id ORDER BY position)) AS industries"""


def _unit_row(row: Any) -> dict[str, Any]:
    record = dict(row)
    record["industries"] = (record["industries"] or record["industry"]).split(",")
    return record


def _in(where: list[str], params: dict[str, Any], column: str, values: Sequence[Any]) -> None:
    if not values:
        return
    names = []
    for value in values:
        name = f"p{len(params)}"
        params[name] = value
        names.append(f":{name}")
    where.append(f"{column} IN ({', '.join(names)})")


def _to_row(record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in record.items():
        if key == "funds":
            row["funds_fen"] = None if value is None else to_fen(Decimal(value))
        elif isinstance(value, date):
            row[key] = value.isoformat()
        elif isinstance(value, Enum):
            row[key] = value.value
        else:
            row[key] = value
    return row


def _from_row(row: dict[str, Any]) -> dict[str, Any]:
    row["funds"] = from_fen(row.pop("funds_fen"))
    row["overdue"] = bool(row["overdue"])
    return row
