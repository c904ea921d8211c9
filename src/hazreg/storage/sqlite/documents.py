"""Enforcement documents (执法文书) on SQLite: numbering, the record, voiding."""

from __future__ import annotations

import sqlite3
from typing import Any

_LIST = ("id, uid, type, year, seq, number, issued_on, unit_id, inspection_id, hazard_ids, officers, sha256,"
         " void_reason, voided_at, created_at")


class DocumentQueries:
    conn: sqlite3.Connection

    def _insert(self, table: str, record: dict[str, Any]) -> int:  # provided by Store
        raise NotImplementedError

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:  # provided by Store
        raise NotImplementedError

    def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:  # provided by Store
        raise NotImplementedError

    def next_document_seq(self, doc_type: str, year: int) -> int:
        """The next number of that type and year: one more than the last (inside the write
        transaction, which one writer holds at a time, so numbers never skip or repeat)."""
        row = self.conn.execute("SELECT coalesce(max(seq), 0) FROM documents WHERE type = ? AND year = ?",
                                (doc_type, year)).fetchone()
        return int(row[0]) + 1

    def insert_document(self, record: dict[str, Any]) -> int:
        return self._insert("documents", record)

    def document(self, document_id: int | None = None, number: str | None = None,
                 with_data: bool = False) -> dict[str, Any] | None:
        cols = "*" if with_data else _LIST + ", fields, template"
        if document_id is not None:
            return self._one(f"SELECT {cols} FROM documents WHERE id = ?", (document_id,))
        return self._one(f"SELECT {cols} FROM documents WHERE number = ?", (number,))

    def documents(self, doc_type: str | None = None, unit_id: int | None = None, inspection_id: int | None = None,
                  hazard_id: int | None = None) -> list[dict[str, Any]]:
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if doc_type:
            where.append("type = ?")
            params.append(doc_type)
        if unit_id is not None:
            where.append("unit_id = ?")
            params.append(unit_id)
        if inspection_id is not None:
            where.append("inspection_id = ?")
            params.append(inspection_id)
        if hazard_id is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(documents.hazard_ids) WHERE value = ?)")
            params.append(hazard_id)
        return self._all(f"SELECT {_LIST} FROM documents WHERE {' AND '.join(where)} ORDER BY issued_on, id",
                         params)

    def void_document(self, document_id: int, reason: str, at: str) -> None:
        self.conn.execute("UPDATE documents SET void_reason = ?, voided_at = ? WHERE id = ?", (reason, at, document_id))
