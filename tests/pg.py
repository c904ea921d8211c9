"""A PostgreSQL server for the tests: one per test session, a fresh empty database per test.

The server is `pgserver`'s (a real PostgreSQL 16 shipped in a wheel): nothing to install by
hand, it starts in under a second. Its data folder is under the session's temporary folder and
it is stopped when the session ends. Each test gets a database of its own, created from a
template that already holds the schema (CREATE DATABASE … TEMPLATE copies files: milliseconds),
and dropped afterwards.

    from pg import pg_database   # a context manager (tests/ is on the path, as for conftest)
    with pg_database() as url: ...     # url: postgresql://…/hazreg_test_N?host=…
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_server: Any = None
_folder: str | None = None
_numbers = itertools.count(1)
TEMPLATE = "hazreg_template"  # the schema, ready to copy
EMPTY = "template0"  # no schema: a database `db init` or a first write has to set up


def server() -> Any:
    """The session's server, started on first use (in this process)."""
    global _server, _folder
    if _server is None:
        import warnings

        import pgserver

        _folder = tempfile.mkdtemp(prefix="hazreg-pg-")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR in containers
            _server = pgserver.get_server(_folder, cleanup_mode="delete")
        _make_template()
    return _server


def url(dbname: str = "postgres") -> str:
    """The address of a database on the test server (socket in the server's folder, no password)."""
    base = server().get_uri()  # postgresql://postgres:@/postgres?host=/tmp/…
    head, _, query = base.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{dbname}?{query}".replace("postgres:@", "postgres@")


def _admin() -> Any:
    import psycopg

    return psycopg.connect(url(), autocommit=True)


def _make_template() -> None:
    import psycopg

    from hazreg.storage.postgres.schema import init_schema

    with _admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        admin.execute(f"CREATE DATABASE {TEMPLATE} TEMPLATE template0 ENCODING 'UTF8'")
    with psycopg.connect(url(TEMPLATE), autocommit=True) as conn:
        init_schema(conn)


def create_database(template: str = TEMPLATE) -> str:
    """A new database (with the schema, unless `template` is EMPTY); its name."""
    name = f"hazreg_test_{os.getpid()}_{next(_numbers)}"
    with _admin() as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return name


def drop_database(name: str) -> None:
    with _admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def pg_database(schema: bool = True) -> Iterator[str]:
    """The address of a fresh database, dropped when the block ends."""
    name = create_database(TEMPLATE if schema else EMPTY)
    try:
        yield url(name)
    finally:
        drop_database(name)
