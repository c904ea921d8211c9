"""SQL for `hazreg check` beyond the chain (part of the Store): every table's rows, the counters
SQLite keeps for them, the search index against its source, and the migrations applied."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from hazreg.chain import FIELDS as CHAIN_FIELDS
from hazreg.chain import entry_text, texts_of
from hazreg.search import index_text, index_texts
from hazreg.storage.sqlite import tally

# The tables whose rows a creation entry in history names (uid and created_at), by record type.
TABLE_OF = {"unit": "units", "hazard": "hazards", "inspection": "inspections", "campaign": "campaigns",
            "leader": "leaders", "inspector": "inspectors", "draw": "draws",
            "locality": "localities", "department": "departments"}
# Changes to a hazard that add a row to a table of their own.
CHILD_ACTIONS = ("supervise", "delist", "apply", "accept", "accept_fail", "extend", "escalate", "action", "attach", "import_supervision",
                 "import_extension", "import_escalation", "import_action", "import_attachment", "import_step")
# The bytes an entry's hash covers (hazreg.chain.entry_text), written by SQLite's json_array: the
# same JSON as hazreg's encoder for text, integers and NULL (a probe proves it of the SQLite at
# hand, see _json_as_hazreg). A value of another type (a real, a blob: put there by another tool)
# gives NULL, and hazreg's encoder writes that entry.
_PLAIN = " AND ".join(f"typeof({c}) NOT IN ('real', 'blob')" for c in ("prev", *CHAIN_FIELDS, "effective_at"))
_COLUMNS = ", ".join(CHAIN_FIELDS)
_ARRAY = (f"WHEN effective_at IS NOT NULL AND effective_at IS NOT at THEN json_array(prev, {_COLUMNS}, effective_at)"
          f" ELSE json_array(prev, {_COLUMNS}) END AS BLOB)")
CHAIN_TEXT_SQL = f"CAST(CASE WHEN NOT ({_PLAIN}) THEN NULL {_ARRAY}"
# The same bytes, asking the type of one column instead of twelve (half of the SQL's time): in
# history as hazreg creates it, every column but seq (always an integer) and record_id has TEXT
# affinity, so SQLite turns a number written there into text, and of the types that remain only
# a blob could be written otherwise, and json_array refuses a blob (the query stops: the rest is
# read by CHAIN_TEXT_SQL). (A real planted under another declared type, then declared TEXT again,
# is written by SQLite as a number where hazreg's history, which never holds a real, had text or
# NULL: its bytes are not those an entry's hash was made of, so an entry changed so is caught.)
CHAIN_TEXT_FAST_SQL = f"CAST(CASE WHEN typeof(record_id) = 'real' THEN NULL {_ARRAY}"
# Every column of history but these two has TEXT affinity where the table is as hazreg made it.
_NOT_TEXT = {"seq": "INTEGER", "record_id": "INTEGER"}
# Text that JSON writers disagree on: every ASCII character (controls, quotes, backslash, DEL),
# the first characters past ASCII, the line and paragraph separators, a byte order mark,
# Chinese, a character outside the BMP; integers at the ends of SQLite's range; NULL.
_PROBE: tuple[Any, ...] = ("".join(map(chr, range(0x80))), "\u0080\u009f\u00a0\u00ff", "\u2028\u2029\ufeff",
                           "隐患台账 🧯", "", '"', "\\", -(2**63), 2**63 - 1, 0, None)
_SEARCH_TABLE = "CREATE VIRTUAL TABLE hazard_search USING fts5(text, tokenize='unicode61')"


class IntegrityQueries:
    conn: sqlite3.Connection

    def _tuples(self, sql: str, params: Any = ()) -> Iterator[tuple[Any, ...]]:  # provided by Store
        raise NotImplementedError

    def identity(self, record_type: str, record_id: int) -> dict[str, Any]:
        """The uid and created_at a new record was given, for its creation entry in history."""
        table = TABLE_OF.get(record_type)
        if table is None:
            return {}
        row = self.conn.execute(f"SELECT uid, created_at FROM {table} WHERE id = ?", (record_id,)).fetchone()
        return {} if row is None else {"uid": row[0], "created_at": row[1]}

    def _json_as_hazreg(self) -> bool:
        """Whether this SQLite's json_array writes text, integers and NULL as hazreg's encoder does."""
        marks = ", ".join("?" for _ in _PROBE)
        try:
            (text,) = self.conn.execute(f"SELECT CAST(json_array({marks}) AS BLOB)", _PROBE).fetchone()
        except sqlite3.Error:  # a SQLite without JSON functions
            return False
        return bool(text == entry_text(_PROBE[0], _PROBE[1:]))

    def chain_texts(self) -> Iterator[tuple[Any, ...]]:
        """(seq, link, hash, the bytes its hash covers, or None) of every history entry, in order.
        SQLite writes the bytes, where it writes them as hazreg does (None where a value is of a
        type it might write otherwise); else hazreg's encoder writes them from the entry's row."""
        if not self._json_as_hazreg():
            return texts_of(self.chain_rows())  # type: ignore[attr-defined]  # provided by Store
        if not self._history_as_made():
            return self._tuples(f"SELECT seq, prev, hash, {CHAIN_TEXT_SQL} FROM history ORDER BY seq")
        return self._chain_texts_fast()

    def _history_as_made(self) -> bool:
        """Whether history's columns are declared as hazreg declares them (so SQLite keeps every
        column's values as text but seq's and record_id's): see CHAIN_TEXT_FAST_SQL."""
        declared = {r[1]: r[2].upper() for r in self.conn.execute("PRAGMA table_info(history)")}
        return set(declared) == {"prev", "hash", "effective_at", *CHAIN_FIELDS} and all(
            kind == _NOT_TEXT.get(name, "TEXT") for name, kind in declared.items())

    def _chain_texts_fast(self) -> Iterator[tuple[Any, ...]]:
        last = None
        try:
            for row in self._tuples(f"SELECT seq, prev, hash, {CHAIN_TEXT_FAST_SQL} FROM history ORDER BY seq"):
                last = row[0]
                yield row
            return
        except sqlite3.OperationalError as error:
            if "BLOB" not in str(error):
                raise
        # A blob in an entry (another tool's): from there on, each column's type is asked.
        yield from self._tuples(f"SELECT seq, prev, hash, {CHAIN_TEXT_SQL} FROM history"
                                " WHERE ? IS NULL OR seq > ? ORDER BY seq", (last, last))

    def chain_entry(self, seq: int) -> tuple[tuple[Any, ...], Any]:
        """One history entry's hashed fields (in chain.FIELDS order), and when it took effect."""
        row = self.conn.execute(f"SELECT {_COLUMNS}, effective_at FROM history WHERE seq = ?", (seq,)).fetchone()
        return tuple(row[:-1]), row[-1]

    def child_entries(self) -> Iterator[tuple[Any, ...]]:
        """(seq, hazard id, action, before, after, note) of every change that added or changed
        a supervision, extension, escalation, enforcement action or attachment, hazard by
        hazard and in order within each.

        The table is read in its own order and what is kept is sorted (by SQLite's sorter: its
        memory stays bounded, a big sort spills to a temporary file). Walking the (record_type,
        record_id) index instead visits every hazard entry's row out of order only to ask its
        action: at 1M hazards 8.5 CPU s against 1.7 for the scan (100k: 0.22 against 0.15)."""
        marks = ", ".join("?" for _ in CHILD_ACTIONS)
        return self._tuples(
            f"SELECT seq, record_id, action, before, after, note FROM history NOT INDEXED"
            f" WHERE record_type = 'hazard' AND action IN ({marks}) ORDER BY record_id, seq", CHILD_ACTIONS)

    def setting_entries(self) -> Iterator[tuple[Any, ...]]:
        return self._tuples("SELECT seq, action, after FROM history WHERE record_type = 'settings' ORDER BY seq")

    def settings_rows(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT key, value FROM settings")}

    def sequences(self) -> list[tuple[str, int, int]]:
        """(table, the counter SQLite keeps of ids given, the highest id there now) of every table
        with AUTOINCREMENT ids: rows are never deleted, so the two are equal."""
        found = []
        for name, counter in self.conn.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name").fetchall():
            key = "seq" if name == "history" else "id"
            try:
                top = self.conn.execute(f'SELECT max({key}) FROM "{name}"').fetchone()[0] or 0
            except sqlite3.OperationalError:
                continue  # a table that is gone: SQLite's integrity check and the replay say so
            found.append((name, counter, top))
        return found

    def search_index_problems(self) -> tuple[bool, int, int | None]:
        """(index present, how many hazards it does not match, the first of them). The index
        and the hazards are read side by side in id order: one row of each in memory."""
        try:
            indexed = self._tuples("SELECT rowid, text FROM hazard_search ORDER BY rowid")
            head = next(indexed, None)
        except sqlite3.OperationalError:
            return False, 0, None
        count, first = 0, None
        text_of = index_texts()  # a unit's name and a description met again are not worked out again
        for hazard_id, description, unit_name in self._tuples(
            "SELECT h.id, h.description, u.name FROM hazards h LEFT JOIN units u ON u.id = h.unit_id ORDER BY h.id"
        ):
            while head is not None and head[0] < hazard_id:  # a row for a hazard that does not exist
                count, first = count + 1, head[0] if first is None else min(first, head[0])
                head = next(indexed, None)
            text = None
            if head is not None and head[0] == hazard_id:
                text, head = head[1], next(indexed, None)
            if text != text_of(description, unit_name):
                count, first = count + 1, hazard_id if first is None else min(first, hazard_id)
        while head is not None:
            count, first = count + 1, head[0] if first is None else min(first, head[0])
            head = next(indexed, None)
        return True, count, first

    def rebuild_search_index(self) -> int:
        """The search index made afresh from the hazards and their units' names (in a write)."""
        self.conn.execute("DROP TABLE IF EXISTS hazard_search")
        self.conn.execute(_SEARCH_TABLE)
        rows = [(hazard_id, index_text(description, unit_name)) for hazard_id, description, unit_name in self._tuples(
            "SELECT h.id, h.description, u.name FROM hazards h JOIN units u ON u.id = h.unit_id ORDER BY h.id")]
        self.conn.executemany("INSERT INTO hazard_search (rowid, text) VALUES (?, ?)", rows)
        return len(rows)

    def tally_problems(self) -> tuple[int, bool]:
        """The weekly report's count of the hazards against the hazards (storage/sqlite/tally.py):
        (groups counted otherwise, whether the triggers that keep it are all there)."""
        return tally.problems(self.conn)

    def recount_tally(self) -> int | None:
        """That count and its triggers made afresh from the hazards (in a write); how many groups."""
        return tally.recount(self.conn)

    def migrations_applied(self) -> list[str] | None:
        """The names of hazreg's migrations recorded as applied, in order; None if the table is gone."""
        try:
            return [r[0] for r in self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'hazreg' ORDER BY rowid")]
        except sqlite3.OperationalError:
            return None
