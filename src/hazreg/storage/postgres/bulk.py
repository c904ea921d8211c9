"""A big import's new hazards on PostgreSQL: the same interface as the SQLite HazardBulk
(claim, add, flush), written in batches with COPY (hazards, their search rows, history).

Ids are given here, above every id the sequence ever gave (so none is reused), and the
sequence is moved past them at each flush; the whole import runs inside one write, under the
register's write lock, so nobody else takes ids or extends the chain meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hazreg.money import to_fen
from hazreg.search import index_text
from hazreg.storage.postgres.search import index_row

if TYPE_CHECKING:
    from hazreg.storage.postgres.store import Store

HAZARD_ROW = (
    "id", "uid", "unit_id", "description", "industry", "locality", "level", "status", "source", "found_on",
    "found_by", "basis", "deadline", "owner", "measures", "funds_fen", "contingency", "inspection_id",
    "rectified_on", "verified_by", "verified_on", "verify_note", "closed_on", "void_reason", "created_at",
    "updated_at",
)
_HISTORY_ROW = ("seq", "at", "operator", "record_type", "record_id", "action", "before", "after", "note",
                "effective_at", "prev", "hash")


class HazardBulk:
    """New hazards of a big import, with their search rows and history, written in batches."""

    BATCH = 2000

    def __init__(self, store: Store, operator: str) -> None:
        self.store = store
        self.operator = operator
        self.next_id = 0  # read under the write lock, at the first use (the import's write)
        self.pending_ids: set[int] = set()
        self.pending_keys: set[Any] = set()  # uids and (unit, date found, description) not yet written
        self.hazards: list[tuple[Any, ...]] = []
        self.search: list[tuple[Any, ...]] = []
        self.history: list[tuple[Any, ...]] = []
        # Which row of the file gave each hazard, so a second row for it is a duplicate: kept in a
        # temporary table on the server, not in Python, so a million rows cost no memory here.
        self.rows: list[tuple[int, int]] = []
        self._started = False

    def _start(self) -> None:
        """At the first use, inside the import's write: the ids above every id given so far, and
        an empty table of the file's rows (a temporary table lives as long as the connection)."""
        if self._started:
            return
        store = self.store
        row = store._one("SELECT (SELECT coalesce(max(id), 0) FROM hazards) AS top,"
                         " (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM hazards_id_seq) AS used")
        assert row is not None
        self.next_id = max(self.next_id, row["top"] + 1, row["used"] + 1)
        store._execute("CREATE TEMP TABLE IF NOT EXISTS import_rows (hazard_id bigint PRIMARY KEY, row bigint)")
        store._execute("TRUNCATE import_rows")
        self._started = True

    def _id_free(self, wanted: int) -> bool:
        self._start()
        if wanted in self.pending_ids:
            return False
        return not self.store.id_taken("hazards", wanted)

    def claim(self, hazard_id: int, row: int) -> int | None:
        """The earlier row of the file that gave this hazard, else None (and `row` now gives it)."""
        self._start()
        found = self.store._one(
            "WITH added AS (INSERT INTO import_rows (hazard_id, row) VALUES (%s, %s) ON CONFLICT DO NOTHING"
            " RETURNING row) SELECT (SELECT count(*) FROM added) AS added,"
            " (SELECT row FROM import_rows WHERE hazard_id = %s) AS earlier", (hazard_id, row, hazard_id))
        assert found is not None
        return None if found["added"] else int(found["earlier"])

    def add(self, record: dict[str, Any], unit_name: str, at: str, key: Any, wanted_id: int | None,
            entries: Sequence[tuple[str, dict[str, Any] | None, dict[str, Any], str | None, str]],
            file_row: int = 0) -> int:
        """Queue a new hazard; `record` holds JSON-ready values (dates ISO, funds as yuan text).
        `entries` are its history: (action, before, after, note, when it took effect);
        `file_row` is the row of the file that gave it (for duplicates within the file)."""
        self._start()
        if wanted_id and self._id_free(wanted_id):
            hazard_id = wanted_id
            self.next_id = max(self.next_id, wanted_id + 1)  # later automatic ids stay above it
        else:
            while self.next_id in self.pending_ids:
                self.next_id += 1
            hazard_id = self.next_id
            self.next_id += 1
        self.pending_ids.add(hazard_id)
        self.pending_keys.add(key)
        self.rows.append((hazard_id, file_row))
        funds = record.get("funds")
        row = {**record, "id": hazard_id, "funds_fen": None if funds is None else to_fen(Decimal(funds))}
        self.hazards.append(tuple(row.get(c) for c in HAZARD_ROW))
        self.search.append(index_row(hazard_id, index_text(record["description"], unit_name)))
        for action, before, after, note, effective in entries:
            if before is None:  # the creation entry names the uid and time given, as add_history does
                after = {**after, "uid": record["uid"], "created_at": record["created_at"]}
            self.history.append((
                at, self.operator, "hazard", hazard_id, action,
                None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True),
                json.dumps(after, ensure_ascii=False, sort_keys=True), note, effective,
            ))
        if len(self.hazards) >= self.BATCH:
            self.flush()
        return hazard_id

    def _copy(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        with self.store.conn.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)

    def may_exist(self, uid: str, unit_id: int, found_on: str, description: str) -> bool:
        """Always True: on a server every row is looked up (the SQLite store's Bloom filter spares
        that only for a load into an empty file)."""
        return True

    def finish(self) -> None:
        """The last batch written: the register is whole (no index is set aside on a server)."""
        self.flush(last=True)

    def flush(self, last: bool = False) -> None:
        """Write the batch held (`last`: no more rows follow; the same on a server)."""
        if not self.hazards:
            return
        store = self.store
        self._copy("hazards", HAZARD_ROW, self.hazards)
        self._copy("hazard_search", ("id", "text", "words", "pairs"), self.search)
        self._copy("history", _HISTORY_ROW, [store.chain_row(*entry) for entry in self.history])
        self._copy("import_rows", ("hazard_id", "row"), self.rows)
        store._raise_sequence("hazards", max(r[0] for r in self.hazards))
        for pending in (self.hazards, self.search, self.history, self.pending_ids, self.pending_keys, self.rows):
            pending.clear()
