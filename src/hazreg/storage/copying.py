"""A register's tables read and written whole, row for row, on either engine (for `hazreg copy`).

The register layer (register/copying.py) decides what is copied and checks the result; this
module only knows how each engine lists a table's columns, streams its rows, takes them in
bulk with their own ids, and moves its id counters past them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

# Every table a register keeps, parents before children; derived tables (the search index)
# are rebuilt by the destination, and each engine keeps its own record of migrations.
TABLES = (
    "settings", "localities", "departments", "units", "campaigns", "leaders", "inspectors", "draws", "inspections", "hazards",
    "supervisions", "extensions", "escalations", "actions", "attachments", "supervision_steps", "documents", "cases", "accidents", "accident_targets",
    "case_links", "case_steps", "case_penalties", "case_payments", "history",
    "weekly_computed", "unit_industries", "calendar_days",
)
# The column that orders a table's rows (and whose counter follows them), by table.
KEY = {"settings": "key", "history": "seq", "weekly_computed": "week", "unit_industries": "unit_id, position",
       "calendar_days": "day"}
_BATCH = 5000


def is_sqlite(store: Any) -> bool:
    import sqlite3

    return isinstance(getattr(store, "conn", None), sqlite3.Connection)


@contextmanager
def one_snapshot(store: Any) -> Iterator[None]:
    """Every read inside sees the register at one moment, while others may go on writing: on
    SQLite one read transaction; on PostgreSQL the store's snapshot held for the whole copy."""
    if not is_sqlite(store):
        with store.snapshot():
            yield
        return
    if store.conn.in_transaction:
        yield
        return
    store.conn.execute("BEGIN")
    try:
        yield
    finally:
        store.conn.execute("ROLLBACK")  # nothing was written: the snapshot ends


def columns(store: Any, table: str) -> list[str]:
    """The columns of a table, in the order the engine keeps them."""
    if is_sqlite(store):
        return [r[1] for r in store._tuples(f'SELECT * FROM pragma_table_info("{table}")')]
    return [r[0] for r in store._tuples(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position", (table,))]


def count(store: Any, table: str) -> int:
    return int(next(iter(store._tuples(f'SELECT count(*) FROM "{table}"')))[0])


def rows(store: Any, table: str, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """Every row of a table (those columns), in key order, streamed."""
    select = ", ".join(f'"{n}"' for n in names)
    order = KEY.get(table, "id") + (", timezone" if table == "weekly_computed" else "")
    sql = f'SELECT {select} FROM "{table}" ORDER BY {order}'
    if is_sqlite(store):
        yield from store._tuples(sql)
        return
    yield from store._stream(sql)  # a server-side cursor: one batch in memory


def load(store: Any, table: str, names: Sequence[str], values: Iterable[tuple[Any, ...]]) -> int:
    """Rows written into a table with their own ids (inside the caller's transaction)."""
    quoted = ", ".join(f'"{n}"' for n in names)
    written = 0
    if is_sqlite(store):
        if table == "hazards":
            # The count of the hazards (sqlite/tally.py) is derived, like the search index: made
            # afresh by the destination once the rows are in (recount_tally), not row by row.
            from hazreg.storage.sqlite import tally

            tally.drop(store.conn)
        marks = ", ".join("?" for _ in names)
        batch: list[tuple[Any, ...]] = []
        for row in values:
            batch.append(tuple(row))
            if len(batch) >= _BATCH:
                store.conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', batch)
                written += len(batch)
                batch = []
        if batch:
            store.conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', batch)
            written += len(batch)
        return written  # AUTOINCREMENT keeps sqlite_sequence at the highest id inserted
    with store.conn.cursor() as cursor, cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
        for row in values:
            copy.write_row(row)
            written += 1
    key = KEY.get(table, "id")
    if key in ("id", "seq"):
        store.conn.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST((SELECT max({key}) FROM \"{table}\"), 1),"
            f" (SELECT count(*) > 0 FROM \"{table}\"))", (table, key))
    return written
