"""Migration m008's tables and its list of localities, shared by both engines.

The DDL is SQLite's; PostgreSQL's schema.py turns its words into its own (`_t`)."""

from __future__ import annotations

from collections.abc import Iterable

M008_TABLES = (
    """CREATE TABLE localities (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        parent_id INTEGER REFERENCES localities(id),
        retired_on TEXT,
        merged_into INTEGER REFERENCES localities(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE departments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL UNIQUE,
        industries TEXT NOT NULL DEFAULT '[]',
        retired_on TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
)


def locality_rows(names: Iterable[str | None]) -> list[tuple[str, str, str, str, str]]:
    """(uid, name, kind, created_at, updated_at) for each distinct name in use, in code point order."""
    from hazreg.dates import timestamp
    from hazreg.places import kind_of, norm
    from hazreg.register.base import new_uid

    now = timestamp()
    distinct = sorted({norm(n) for n in names if n and norm(n) and norm(n) != "-"})
    return [(new_uid(), name, kind_of(name), now, now) for name in distinct]
