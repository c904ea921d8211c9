"""The helpers every PostgreSQL query file uses, declared once: the Store defines them.

The query files (campaigns, supervision, integrity, reports) are parts of the Store; they
inherit these declarations so each can be read, and type-checked, on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import psycopg


class Queries:
    conn: psycopg.Connection[Any]

    def _insert(self, table: str, record: dict[str, Any]) -> int:  # provided by Store
        raise NotImplementedError

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:  # provided by Store
        raise NotImplementedError

    def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:  # provided by Store
        raise NotImplementedError

    def _tuples(self, sql: str, params: Any = ()) -> Iterator[tuple[Any, ...]]:  # provided by Store
        raise NotImplementedError

    def _execute(self, sql: str, params: Any = ()) -> psycopg.Cursor[Any]:  # provided by Store
        raise NotImplementedError

    def _update(self, table: str, record_id: int, changes: dict[str, Any]) -> None:  # provided by Store
        raise NotImplementedError

    def _stream(self, sql: str, params: Any = (), *, dicts: bool = False, batch: int = 100,
                binary: bool = False) -> Iterator[Any]:  # provided by Store
        raise NotImplementedError

    def transaction(self, wait: bool = True) -> AbstractContextManager[None]:  # provided by Store
        raise NotImplementedError
