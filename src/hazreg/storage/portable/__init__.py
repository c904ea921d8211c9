"""Queries both stores run as they are: the same SQL on SQLite and PostgreSQL.

A query file here is written once, with `?` for each parameter; each store says how it
marks one (`PARAM`: SQLite's `?`, psycopg's `%s`) and `Portable._sql` rewrites the text for
it. So SQL here must use `?` only as a parameter (PostgreSQL's jsonb `?` operator is not
allowed). Where the engines differ in a phrase, the store supplies it (e.g.
`JSON_ARRAY_HOLDS`). Queries that differ more stay in the engine's own folder.
"""

from __future__ import annotations

from typing import Any


class Portable:
    PARAM: str  # how the store marks a parameter: "?" or "%s"
    JSON_ARRAY_HOLDS: str  # "{column} (a JSON array in text) holds the integer parameter"

    def _sql(self, sql: str) -> str:
        return sql if self.PARAM == "?" else sql.replace("?", self.PARAM)

    def _insert(self, table: str, record: dict[str, Any]) -> int:  # provided by Store
        raise NotImplementedError

    def _update(self, table: str, record_id: int, changes: dict[str, Any]) -> None:  # provided by Store
        raise NotImplementedError

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:  # provided by Store
        raise NotImplementedError

    def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:  # provided by Store
        raise NotImplementedError

    def _execute(self, sql: str, params: Any = ()) -> Any:  # provided by Store
        raise NotImplementedError
