"""New hazards of a big import written in batches: hazards, search rows and chained history."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from hazreg.money import to_fen
from hazreg.search import index_text
from hazreg.storage.sqlite import tally
from hazreg.storage.sqlite.store import _HAZARD_ROW, _HISTORY_INSERT

if TYPE_CHECKING:
    from hazreg.storage.sqlite.store import Store

# json.dumps(..., ensure_ascii=False, sort_keys=True), made once: the same text, without
# building an encoder for each of a million rows' history entries.
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


class HazardBulk:
    """New hazards of a big import, with their search rows and history, written in batches.

    Ids are assigned here (above every id ever used, so none is reused), which lets a
    batch of hazards, search rows and history entries go to SQLite in three
    executemany calls instead of three statements per hazard. Only the batch not yet
    written is held in memory, so a million-row import needs no more than a small one.
    """

    BATCH = 2000
    # After this many new hazards (or as many as the register held, if more), the indexes in
    # SET_ASIDE are dropped and built again once, at the end, in the same transaction: their
    # keys come in random order, so keeping them up to date row by row costs more than one
    # sort, once the import is big next to the register. A district's import never gets here.
    SET_ASIDE_AFTER = 50_000
    SET_ASIDE = ("hazards_status_level_deadline", "hazards_found_on", "hazards_weekly", "history_effective")
    # The FTS5 index's in-memory buffer during a big load (bytes; SQLite's default is 1 MB):
    # fewer, larger segments to merge. Put back to the default at the end.
    HASHSIZE = 32 << 20
    # A Bloom filter of the keys (uids and unit + date found + description) of the hazards this
    # import added: a new row whose key it has never seen is no duplicate, so a register that had
    # no hazards needs no lookup per row. Fixed size: 8 MB at any length; a false positive only
    # costs the lookup every row made before.
    BLOOM_BITS = 1 << 26

    def __init__(self, store: Store, operator: str) -> None:
        self.store = store
        self.conn = store.conn
        self.operator = operator
        used = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'hazards'").fetchone()
        top = self.conn.execute("SELECT max(id) FROM hazards").fetchone()[0]
        self.next_id = max(used[0] if used else 0, top or 0) + 1
        self.had_hazards = top is not None
        self.set_aside_after = max(self.SET_ASIDE_AFTER, top or 0)
        self.set_aside: list[str] = []  # the CREATE INDEX statements of the indexes dropped
        self.tally_aside = False  # the count of the hazards dropped with them (tally.py)
        self.added = 0
        self.bloom = bytearray(self.BLOOM_BITS >> 3)
        self.pending_ids: set[int] = set()
        self.pending_keys: set[Any] = set()  # uids and (unit, date found, description) not yet written
        self.hazards: list[tuple[Any, ...]] = []
        self.search: list[tuple[int, str]] = []
        self.history: list[tuple[Any, ...]] = []
        # Which row of the file gave each hazard, so a second row for it is a duplicate; kept
        # in SQLite's temporary store, not in Python, so a million rows cost no memory here.
        self.rows: list[tuple[int, int]] = []
        self.unit_texts: dict[str, str] = {}  # each unit name's search text, worked out once
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_rows (hazard_id INTEGER PRIMARY KEY, row INTEGER)")
        self.conn.execute("DELETE FROM temp.import_rows")

    def _bits(self, key: Any) -> tuple[int, int]:
        h = hash(key)
        mask = self.BLOOM_BITS - 1
        return h & mask, (h >> 26) & mask

    def _remember(self, key: Any) -> None:
        for bit in self._bits(key):
            self.bloom[bit >> 3] |= 1 << (bit & 7)

    def may_exist(self, uid: str, unit_id: int, found_on: str, description: str) -> bool:
        """Whether the register may hold the hazard a row names (by `uid`, else by unit, date found
        and description): False only when it certainly does not, so no lookup is needed."""
        if self.had_hazards:
            return True
        key = uid or (unit_id, found_on, description)
        return all(self.bloom[bit >> 3] & (1 << (bit & 7)) for bit in self._bits(key))

    def _id_free(self, wanted: int) -> bool:
        if wanted in self.pending_ids:
            return False
        return self.conn.execute("SELECT 1 FROM hazards WHERE id = ?", (wanted,)).fetchone() is None

    def claim(self, hazard_id: int, row: int) -> int | None:
        """The earlier row of the file that gave this hazard, else None (and `row` now gives it)."""
        sql = "INSERT INTO temp.import_rows (hazard_id, row) VALUES (?, ?) ON CONFLICT DO NOTHING"
        if self.conn.execute(sql, (hazard_id, row)).rowcount:
            return None
        found = self.conn.execute("SELECT row FROM temp.import_rows WHERE hazard_id = ?", (hazard_id,)).fetchone()
        return int(found[0])

    def add(self, record: dict[str, Any], unit_name: str, at: str, key: Any, wanted_id: int | None,
            entries: Sequence[tuple[str, dict[str, Any] | None, dict[str, Any], str | None, str]],
            file_row: int = 0) -> int:
        """Queue a new hazard; `record` holds JSON-ready values (dates ISO, funds as yuan text).
        `entries` are its history: (action, before, after, note, when it took effect);
        `file_row` is the row of the file that gave it (for duplicates within the file)."""
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
        self._remember(record["uid"])
        self._remember((record["unit_id"], record["found_on"], record["description"]))
        self.rows.append((hazard_id, file_row))
        funds = record.get("funds")
        row = {**record, "id": hazard_id, "funds_fen": None if funds is None else to_fen(Decimal(funds))}
        self.hazards.append(tuple(row.get(c) for c in _HAZARD_ROW))
        # index_text(description, unit name), the unit's part worked out once per unit
        unit_text = self.unit_texts.get(unit_name)
        if unit_text is None:
            unit_text = self.unit_texts[unit_name] = index_text(unit_name)
        text = index_text(record["description"])
        self.search.append((hazard_id, f"{text} {unit_text}" if text and unit_text else text or unit_text))
        for action, before, after, note, effective in entries:
            if before is None:  # the creation entry names the uid and time given, as add_history does
                after = {**after, "uid": record["uid"], "created_at": record["created_at"]}
            self.history.append((
                at, self.operator, "hazard", hazard_id, action,
                None if before is None else _JSON(before), _JSON(after), note, effective,
            ))
        if len(self.hazards) >= self.BATCH:
            self.flush()
        return hazard_id

    def flush(self, last: bool = False) -> None:
        """Write the batch held; `last` when no more rows follow (no index is set aside then)."""
        if not self.hazards:
            return
        if not self.had_hazards and not self.tally_aside:
            # Into a register with no hazards: the count is of this import's rows alone, once
            # at the end (about 1 µs a hazard) rather than by its triggers (about 12).
            self._set_tally_aside()
        marks = ", ".join("?" for _ in _HAZARD_ROW)
        self.conn.executemany(f"INSERT INTO hazards ({', '.join(_HAZARD_ROW)}) VALUES ({marks})", self.hazards)
        self.conn.executemany("INSERT INTO hazard_search (rowid, text) VALUES (?, ?)", self.search)
        self.conn.executemany(_HISTORY_INSERT, [self.store.chain_row(*entry) for entry in self.history])
        self.conn.executemany("INSERT INTO temp.import_rows (hazard_id, row) VALUES (?, ?)", self.rows)
        self.added += len(self.hazards)
        for pending in (self.hazards, self.search, self.history, self.pending_ids, self.pending_keys, self.rows):
            pending.clear()
        if not last and self.added >= self.set_aside_after and not self.set_aside:
            self._set_indexes_aside()

    def _set_indexes_aside(self) -> None:
        from hazreg.interrupts import fault

        marks = ", ".join("?" for _ in self.SET_ASIDE)
        found = self.conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
                                  self.SET_ASIDE).fetchall()
        for name, sql in found:
            self.conn.execute(f'DROP INDEX "{name}"')
            self.set_aside.append(sql)
        self.conn.execute("INSERT INTO hazard_search (hazard_search, rank) VALUES ('hashsize', ?)", (self.HASHSIZE,))
        if not self.tally_aside:
            self._set_tally_aside()
        fault("import:set-aside")

    def _set_tally_aside(self) -> None:
        """The weekly report's count of the hazards dropped, to be counted once at the end (0.8 s
        at a million) instead of by its triggers, row by row (about 12 µs a hazard). In the
        import's transaction, as every write of it: a failed import leaves it as it was."""
        tally.drop(self.conn)
        self.tally_aside = True

    def finish(self) -> None:
        """The last batch written and the indexes set aside built again: the register is whole."""
        from hazreg.interrupts import fault

        self.flush(last=True)
        fault("import:loaded")
        if self.set_aside:
            # back to the default, then the setting's row removed: the file as a small import leaves it
            self.conn.execute("INSERT INTO hazard_search (hazard_search, rank) VALUES ('hashsize', 1048576)")
            self.conn.execute("DELETE FROM hazard_search_config WHERE k = 'hashsize'")
            for sql in self.set_aside:
                self.conn.execute(sql)
            self.set_aside.clear()
            fault("import:indexed")
        if self.tally_aside:
            tally.create(self.conn)
            self.tally_aside = False


@contextmanager
def rollback_journal(store: Store) -> Iterator[bool]:
    """A rollback journal instead of the WAL for one big load, if no other connection has the
    register open (yields whether it is in use); otherwise the WAL as always.

    With the WAL every page the load writes goes to the WAL and again, at the checkpoint, to the
    file; a rollback journal keeps only the few pages the register had. The load stays one
    transaction: killed, the journal left beside the file rolls it back on the next open. While
    the load runs, others wait for it (or give up as busy) instead of reading beside it, which
    is why it is only taken when nobody else has the file open. After it, the register goes back
    to WAL; if someone opened it meanwhile and that cannot be done yet, the next write does it
    (every write opens the register in WAL mode)."""
    import sqlite3
    import time

    conn = store.conn
    if store.path is None or conn.in_transaction or not store.on_disk:
        yield False
        return
    try:
        # leaving the WAL needs the file to ourselves: SQLite refuses at once if anyone has it open
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:
        mode = "wal"
    try:
        yield mode == "delete"
    finally:
        if mode == "delete":
            for attempt in range(20):
                try:
                    if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal":
                        break
                except sqlite3.OperationalError:
                    pass
                time.sleep(0.05 * (attempt + 1))
