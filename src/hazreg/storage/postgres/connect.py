"""Opening a PostgreSQL register: connect, check (and on a write, set up) the schema.

psycopg is imported here, for a PostgreSQL address only; if it is missing the user is told
how to install it, in one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hazreg.errors import Refused
from hazreg.storage.base import SCHEMA_VERSION
from hazreg.storage.sqlite.store import BUSY_TIMEOUT_MS

if TYPE_CHECKING:
    from hazreg.storage.address import Address
    from hazreg.storage.base import Store

APPLICATION = "hazreg"


def connect(address: Address) -> Any:
    """A psycopg connection (autocommit: the store says where transactions begin and end)."""
    try:
        import psycopg
        from psycopg.rows import dict_row
    except ImportError:
        raise Refused("err.no_psycopg", address=address.display) from None
    target = str(address.target)
    try:
        conn = psycopg.connect(target, autocommit=True, row_factory=dict_row, fallback_application_name=APPLICATION)
    except psycopg.Error as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[-1]
        raise Refused("err.pg_connect", address=address.display, reason=reason) from None
    # A writer waits for another as long as on SQLite (its busy timeout), then says "busy".
    conn.execute(f"SET lock_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def open_postgres(address: Address, *, create: bool) -> Store:
    from hazreg.storage.postgres.schema import init_schema, schema_version

    conn = connect(address)
    try:
        version = schema_version(conn)
        if version == -1:
            raise Refused("err.foreign_database", path=address.display)
        if version is not None and version > SCHEMA_VERSION:
            raise Refused("err.newer_schema", path=address.display, found=version, known=SCHEMA_VERSION)
        if version is None and not create:
            # Reading a register that does not exist yet: an empty one, nothing written.
            conn.close()
            from hazreg.storage.sqlite.store import Store as SQLiteStore

            blank = SQLiteStore(None, create=False)
            blank.address = address.display  # type: ignore[attr-defined]
            return blank
        applied_now: list[str] = []
        if version is None or version < SCHEMA_VERSION:
            applied_now = init_schema(conn, address.display)
    except BaseException:
        conn.close()
        raise
    from hazreg.storage.postgres.store import Store as PostgresStore

    store = PostgresStore(conn, address.display)
    store.applied_now = applied_now if version is not None else []  # an old register brought up to date
    return store


def init_database(address: Address) -> list[str]:
    """`hazreg db init`: the schema set up (or brought up to date) in the database at `address`;
    the migrations applied now. Refused as init_schema refuses (newer, foreign, damaged)."""
    from hazreg.storage.postgres.schema import init_schema

    conn = connect(address)
    try:
        return init_schema(conn, address.display)
    finally:
        conn.close()
