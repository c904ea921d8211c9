"""Enforcement documents (执法文书), on either store: numbering, the record, voiding.

A number is taken inside the write transaction, which one writer holds at a time (SQLite's
file lock; PostgreSQL's write lock, which every write transaction takes first), so two
offices issuing at once get consecutive numbers, never the same one or a gap."""

from __future__ import annotations

from typing import Any

from hazreg.storage.portable import Portable

_LIST = ("id, uid, type, year, seq, number, issued_on, unit_id, inspection_id, hazard_ids, officers, sha256,"
         " void_reason, voided_at, created_at")


class DocumentQueries(Portable):
    def next_document_seq(self, doc_type: str, year: int) -> int:
        """The next number of that type and year: one more than the last."""
        row = self._one(self._sql("SELECT coalesce(max(seq), 0) AS last FROM documents WHERE type = ? AND year = ?"),
                        (doc_type, year))
        assert row is not None
        return int(row["last"]) + 1

    def insert_document(self, record: dict[str, Any]) -> int:
        return self._insert("documents", record)

    def document(self, document_id: int | None = None, number: str | None = None,
                 with_data: bool = False) -> dict[str, Any] | None:
        cols = "*" if with_data else _LIST + ", fields, template"
        if document_id is not None:
            found = self._one(self._sql(f"SELECT {cols} FROM documents WHERE id = ?"), (document_id,))
        else:
            found = self._one(self._sql(f"SELECT {cols} FROM documents WHERE number = ?"), (number,))
        if found is not None and found.get("data") is not None:
            found["data"] = bytes(found["data"])  # PostgreSQL's bytea comes as a memoryview
        return found

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
            where.append(self.JSON_ARRAY_HOLDS.format(column="documents.hazard_ids"))
            params.append(hazard_id)
        return self._all(self._sql(f"SELECT {_LIST} FROM documents WHERE {' AND '.join(where)} ORDER BY issued_on, id"),
                         params)

    def void_document(self, document_id: int, reason: str, at: str) -> None:
        self._execute(self._sql("UPDATE documents SET void_reason = ?, voided_at = ? WHERE id = ?"),
                      (reason, at, document_id))
