"""Where a register is kept: the engine-neutral filters and the engines behind them.

`open_store(address, create=…)` opens a register by its address (storage/address.py): a file
path is an SQLite register, a `postgresql://` URL or a libpq string a PostgreSQL one. psycopg
is imported only for a PostgreSQL address.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hazreg.storage.address import Address, parse_address
from hazreg.storage.base import (
    SCHEMA_VERSION,
    ActionFilter,
    CellRules,
    CsvLines,
    HazardFilter,
    InspectionFilter,
    Scope,
    UnitFilter,
)

if TYPE_CHECKING:
    from hazreg.storage.base import Store

__all__ = ["SCHEMA_VERSION", "ActionFilter", "Address", "CellRules", "CsvLines", "HazardFilter", "InspectionFilter", "Scope", "UnitFilter",
           "open_store", "parse_address"]


def open_store(address: str | Path | Address | None, *, create: bool) -> Store:
    """The register at `address` (None: no register, an empty one in memory). With `create`, a
    register that does not exist yet is made (a file, or the schema in an empty database)."""
    if address is None:
        from hazreg.storage.sqlite.store import Store as SQLiteStore

        return SQLiteStore(None, create=create)
    where = address if isinstance(address, Address) else parse_address(address)
    if where.engine == "postgresql":
        from hazreg.storage.postgres.connect import open_postgres

        return open_postgres(where, create=create)
    from hazreg.storage.sqlite.store import Store as SQLiteStore

    assert isinstance(where.target, Path)
    return SQLiteStore(where.target, create=create)
