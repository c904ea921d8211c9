"""A register put back to an older schema, as the hazreg of that version left it: the tables and
columns of every later migration dropped and their records removed, on either engine. The tests
that prove a register from before a change opens and is migrated start from it."""
from __future__ import annotations

from pathlib import Path

# What each migration after 8 added, undone (last first). A new migration adds its line here.
UNDO: dict[int, list[str | tuple[str, str | None]]] = {
    9: ["DROP TABLE unit_industries"],
    10: ["DROP TABLE calendar_days"],
    11: ["DROP TABLE supervision_steps", "ALTER TABLE supervisions DROP COLUMN notice_no"],
    12: ["DROP TABLE documents"],
    13: ["DROP TABLE accident_targets", "DROP TABLE accidents"],
    14: ["ALTER TABLE inspections DROP COLUMN focus"],
    15: ["ALTER TABLE accidents DROP COLUMN case_id", "DROP TABLE case_payments", "DROP TABLE case_penalties",
         "DROP TABLE case_steps", "DROP TABLE case_links", "DROP TABLE cases"],
    16: ["CREATE INDEX history_at ON history(at)", "CREATE INDEX history_hash ON history(hash)"],
    17: ["DROP INDEX hazards_weekly", "DROP INDEX hazards_found_on", "CREATE INDEX hazards_found_on ON hazards(found_on)"],
    # (SQLite's alone: PostgreSQL's m018 adds nothing)
    18: [("DROP TRIGGER hazard_tally_added", None), ("DROP TRIGGER hazard_tally_changed", None),
         ("DROP TRIGGER hazard_tally_removed", None), ("DROP TABLE hazard_tally", None)],
}


def back_to(address: str | Path, engine: str, version: int) -> None:
    """Put the (closed) register at `address` back to schema `version`."""
    from hazreg.storage import SCHEMA_VERSION

    assert max(UNDO) == SCHEMA_VERSION, "a migration without its undo in tests/older.py"
    # A statement is the same on both engines, or a pair (SQLite's, PostgreSQL's or None).
    statements = [sql if isinstance(sql, str) else sql[engine != "sqlite"]
                  for n in sorted(UNDO, reverse=True) if n > version for sql in UNDO[n]]
    statements = [sql for sql in statements if sql is not None]
    if engine == "sqlite":
        import sqlite3

        conn = sqlite3.connect(address)
        for sql in statements:
            conn.execute(sql)
        conn.execute("DELETE FROM _sqlite_migrations WHERE CAST(substr(name, 2, 3) AS INTEGER) > ?", (version,))
        conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(str(address), autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)
            conn.execute("DELETE FROM hazreg_schema WHERE version > %s", (version,))
