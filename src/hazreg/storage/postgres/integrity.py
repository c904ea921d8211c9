"""SQL for `hazreg check` beyond the chain on PostgreSQL (part of the Store): the twin of
`hazreg.storage.sqlite.integrity`, with the checks PostgreSQL gives a meaning to.

- The file's own integrity (`PRAGMA integrity_check`) and foreign keys (`foreign_key_check`) have
  no counterpart to run: the server keeps its pages and enforces every key at COMMIT, so there is
  nothing for hazreg to find; both report no problems.
- Id counters: a PostgreSQL sequence moves on when a write that took an id is rolled back, so a
  counter above the highest id is normal there (SQLite's rolls back with the write). A counter
  below it is a fault (the next insert would collide): only that is reported.
- The search index is `hazard_search` (id, text, words, pairs; see search.py): every row must be
  what the hazard and its unit's name give, in all three columns.
- The migrations applied are recorded in `hazreg_schema` (see schema.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hazreg.chain import FIELDS as CHAIN_FIELDS
from hazreg.chain import entry_text, texts_of
from hazreg.search import index_text, index_texts
from hazreg.storage.base import Findings
from hazreg.storage.postgres.queries import Queries

if TYPE_CHECKING:
    pass

# The tables whose rows a creation entry in history names (uid and created_at), by record type.
TABLE_OF = {"unit": "units", "hazard": "hazards", "inspection": "inspections", "campaign": "campaigns",
            "leader": "leaders", "inspector": "inspectors", "draw": "draws",
            "locality": "localities", "department": "departments"}
# Changes to a hazard that add a row to a table of their own.
CHILD_ACTIONS = ("supervise", "delist", "apply", "accept", "accept_fail", "extend", "escalate", "action", "attach", "import_supervision",
                 "import_extension", "import_escalation", "import_action", "import_attachment", "import_step")
_HAZARD_TEXTS = ("SELECT h.id, h.description, u.name FROM hazards h LEFT JOIN units u ON u.id = h.unit_id"
                 " ORDER BY h.id")


# The bytes an entry's hash covers (hazreg.chain.entry_text), written by the server: the JSON list
# of prev, the hashed fields and (where it differs from `at`) effective_at, as hazreg's encoder
# writes it (ensure_ascii=False, separators "," and ":"). PostgreSQL's to_json(text) escapes as
# Python's json does (the quote, the backslash, \b \f \n \r \t, other controls as \u00xx in
# lowercase; everything else, DEL, U+2028 and non-ASCII included, as it is) and a bigint's text is
# Python's int; a probe proves both of the server at hand (see _chain_as_hazreg). A text value of
# PostgreSQL cannot hold what Python's encoder would write otherwise (no NUL, no lone surrogate in
# UTF-8) and hazreg declares every column text but seq and record_id (bigint): so, where the table
# is as hazreg made it and the database is UTF-8, the server writes every entry's bytes; anywhere
# else hazreg's encoder writes them all from the entries' rows, as before.
_BIGINT = frozenset({"seq", "record_id"})
BATCH = 2000  # entries a round trip: the bytes are small, and the link of each is read in order


def _json(name: str, value: str) -> str:
    """The JSON text of column `name`'s `value` (an SQL expression)."""
    return f"coalesce({value}::text, 'null')" if name in _BIGINT else f"coalesce(to_json({value})::text, 'null')"


def chain_bytes_sql(source: dict[str, str] | None = None) -> str:
    """The SQL of an entry's hashed bytes (bytea) from its columns (`source`: another expression
    for a column, for the probe)."""
    expr = (source or {}).get
    items = " || ',' || ".join(_json(c, expr(c, c)) for c in ("prev", *CHAIN_FIELDS))
    effective, at = expr("effective_at", "effective_at"), expr("at", "at")
    hashed = _json("effective_at", effective)
    extra = f"CASE WHEN {effective} IS NOT NULL AND {effective} IS DISTINCT FROM {at} THEN ',' || {hashed} ELSE '' END"
    return f"convert_to('[' || {items} || {extra} || ']', 'UTF8')"


# Text that JSON writers disagree on (as SQLite's probe, without NUL, which no PostgreSQL text
# holds): every other ASCII character, the first characters past ASCII, the line and paragraph
# separators, a byte order mark, Chinese, a character outside the BMP; integers at the ends of
# bigint's range; NULL; an effective_at that differs from `at`.
_PROBE: dict[str, Any] = {
    "prev": "".join(map(chr, range(1, 0x80))), "seq": -(2**63), "at": "\u0080\u009f\u00a0\u00ff",
    "operator": "\u2028\u2029\ufeff", "record_type": "隐患台账 🧯", "record_id": 2**63 - 1, "action": "",
    "before": '"', "after": "\\", "note": None, "effective_at": "2026-01-01T00:00:00.000000Z",
}


def search_row(hazard_id: int, text: str) -> tuple[Any, ...]:
    """The `hazard_search` row (id, text, words, pairs) of a hazard whose index text is `text`."""
    from hazreg.storage.postgres.search import index_row

    return index_row(hazard_id, text)


class IntegrityQueries(Queries):
    def chain_rows(self) -> Iterator[tuple[Any, ...]]:  # provided by Store
        raise NotImplementedError

    def chain_texts(self) -> Iterator[tuple[Any, ...]]:
        """(seq, link, hash, the bytes its hash covers) of every history entry, in order: the bytes
        written by the server (see chain_bytes_sql) where it writes them as hazreg's encoder does,
        else by hazreg's encoder from each entry's row. (An entry whose bytes do not give its hash
        is judged again by hazreg's encoder from the entry itself: see verify_chain.)"""
        if not (self._history_as_made() and self._chain_as_hazreg()):
            return texts_of(self.chain_rows())
        return self._stream(f"SELECT seq, prev, hash, {chain_bytes_sql()} FROM history ORDER BY seq",
                            batch=BATCH, binary=True)

    def _history_as_made(self) -> bool:
        """Whether the database keeps text as UTF-8 and history's columns are typed as hazreg
        types them (every one text but seq and record_id, bigint)."""
        encoding = next(self._tuples("SELECT current_setting('server_encoding')"))[0]
        declared = dict(self._tuples(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
            " WHERE a.attrelid = to_regclass('history') AND a.attnum > 0 AND NOT a.attisdropped"))
        return encoding == "UTF8" and set(declared) == {"prev", "hash", "effective_at", *CHAIN_FIELDS} and all(
            kind == ("bigint" if name in _BIGINT else "text") for name, kind in declared.items())

    def _chain_as_hazreg(self) -> bool:
        """Whether this server writes the probe's bytes as hazreg's encoder does."""
        kinds = {name: "bigint" if name in _BIGINT else "text" for name in _PROBE}
        source = {name: f"%({name})s::{kind}" for name, kind in kinds.items()}
        (data,) = next(self._tuples(f"SELECT {chain_bytes_sql(source)}", _PROBE))
        values = [_PROBE[c] for c in CHAIN_FIELDS]
        return bytes(data) == entry_text(_PROBE["prev"], values, _PROBE["effective_at"])

    def identity(self, record_type: str, record_id: int) -> dict[str, Any]:
        """The uid and created_at a new record was given, for its creation entry in history."""
        table = TABLE_OF.get(record_type)
        if table is None:
            return {}
        row = next(self._tuples(f"SELECT uid, created_at FROM {table} WHERE id = %s", (record_id,)), None)
        return {} if row is None else {"uid": row[0], "created_at": row[1]}

    def child_entries(self) -> Iterator[tuple[Any, ...]]:
        """(seq, hazard id, action, before, after, note) of every change that added or changed
        a supervision, extension, escalation, enforcement action or attachment, hazard by
        hazard and in order within each."""
        return self._stream(
            "SELECT seq, record_id, action, before, after, note FROM history"
            " WHERE record_type = 'hazard' AND action = ANY(%s::text[]) ORDER BY record_id, seq", (list(CHILD_ACTIONS),))

    def setting_entries(self) -> Iterator[tuple[Any, ...]]:
        return self._tuples("SELECT seq, action, after FROM history WHERE record_type = 'settings' ORDER BY seq")

    def settings_rows(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self._tuples("SELECT key, value FROM settings")}

    def sequences(self) -> list[tuple[str, int, int]]:
        """(table, the id its sequence gave last, the highest id there now) of every table with
        generated ids, where they say something is wrong: the counter is below the highest id
        (ids taken by rolled-back writes leave it above, which is normal here)."""
        tables = [r[0] for r in self._tuples(
            "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE a.attname = 'id' AND a.attidentity <> '' AND c.relkind = 'r'"
            " AND c.relnamespace = current_schema()::regnamespace ORDER BY c.relname")]
        if not tables:
            return []
        sql = " UNION ALL ".join(
            f"SELECT %s, coalesce(pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass), 0),"
            f" (SELECT coalesce(max(id), 0) FROM {name})" for name in tables)
        rows = self._tuples(sql, [value for name in tables for value in (name, name)])
        return [(name, int(min(counter, top)), int(top)) for name, counter, top in rows]

    def search_index_problems(self) -> tuple[bool, int, int | None]:
        """(index present, how many hazards it does not match, the first of them). The index
        and the hazards are read side by side in id order, a batch of each at a time (server-side cursors)."""
        present = next(self._tuples("SELECT to_regclass('hazard_search') IS NOT NULL"))[0]
        if not present:
            return False, 0, None
        indexed = self._stream("SELECT id, text, words, pairs FROM hazard_search ORDER BY id")
        head = next(indexed, None)
        count, first = 0, None
        text_of = index_texts()  # a unit's name and a description met again are not worked out again
        for hazard_id, description, unit_name in self._stream(_HAZARD_TEXTS):
            while head is not None and head[0] < hazard_id:  # a row for a hazard that does not exist
                count, first = count + 1, head[0] if first is None else min(first, head[0])
                head = next(indexed, None)
            row = None
            if head is not None and head[0] == hazard_id:
                row, head = (head[0], head[1], head[2], list(head[3])), next(indexed, None)
            if row != search_row(hazard_id, text_of(description, unit_name)):
                count, first = count + 1, hazard_id if first is None else min(first, hazard_id)
        while head is not None:
            count, first = count + 1, head[0] if first is None else min(first, head[0])
            head = next(indexed, None)
        return True, count, first

    def tally_problems(self) -> tuple[int, bool]:
        """PostgreSQL keeps no count of the hazards beside them (schema.py's M018): nothing to differ."""
        return 0, True

    def recount_tally(self) -> int | None:
        """Nothing to count afresh here (see tally_problems)."""
        return None

    def rebuild_search_index(self) -> int:
        """The search index made afresh from the hazards and their units' names (in a write)."""
        rows = [search_row(hazard_id, index_text(description, unit_name))
                for hazard_id, description, unit_name in self._tuples(
                    "SELECT h.id, h.description, u.name FROM hazards h JOIN units u ON u.id = h.unit_id ORDER BY h.id")]
        self._execute("DELETE FROM hazard_search")
        with self.conn.cursor() as cursor:
            cursor.executemany("INSERT INTO hazard_search (id, text, words, pairs) VALUES (%s, %s, %s, %s)", rows)
        return len(rows)

    def migrations_applied(self) -> list[str] | None:
        """The names of hazreg's migrations recorded as applied, in order; None if the record is gone."""
        from hazreg.storage.postgres.schema import applied

        return applied(self.conn)

    def integrity_problems(self) -> list[str]:
        """Nothing for hazreg to find: the server keeps its own pages (see the module's note)."""
        return []

    def integrity_started(self) -> Findings:
        """Nothing to start (see integrity_problems): the findings, none, at once."""
        return lambda cancel=False: []

    def foreign_key_problems(self) -> list[str]:
        """Nothing to find: PostgreSQL enforces every foreign key, at the latest at COMMIT."""
        return []
