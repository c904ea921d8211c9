"""Enforcement documents (执法文书) on PostgreSQL: numbering, the record, voiding.

Numbers are taken under the store's write lock (every write transaction takes it first), so
two offices issuing at once get consecutive numbers, never the same one or a gap."""

from __future__ import annotations

from typing import Any

from hazreg.storage.postgres.queries import Queries

_LIST = ("id, uid, type, year, seq, number, issued_on, unit_id, inspection_id, hazard_ids, officers, sha256,"
         " void_reason, voided_at, created_at")


class DocumentQueries(Queries):
    def next_document_seq(self, doc_type: str, year: int) -> int:
        row = self._one("SELECT coalesce(max(seq), 0) AS last FROM documents WHERE type = %s AND year = %s",
                        (doc_type, year))
        assert row is not None
        return int(row["last"]) + 1

    def insert_document(self, record: dict[str, Any]) -> int:
        return self._insert("documents", record)

    def document(self, document_id: int | None = None, number: str | None = None,
                 with_data: bool = False) -> dict[str, Any] | None:
        cols = "*" if with_data else _LIST + ", fields, template"
        if document_id is not None:
            found = self._one(f"SELECT {cols} FROM documents WHERE id = %s", (document_id,))
        else:
            found = self._one(f"SELECT {cols} FROM documents WHERE number = %s", (number,))
        if found is not None and found.get("data") is not None:
            found["data"] = bytes(found["data"])
        return found

    def documents(self, doc_type: str | None = None, unit_id: int | None = None, inspection_id: int | None = None,
                  hazard_id: int | None = None) -> list[dict[str, Any]]:
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if doc_type:
            where.append("type = %s")
            params.append(doc_type)
        if unit_id is not None:
            where.append("unit_id = %s")
            params.append(unit_id)
        if inspection_id is not None:
            where.append("inspection_id = %s")
            params.append(inspection_id)
        if hazard_id is not None:
            where.append("hazard_ids::jsonb @> to_jsonb(%s::bigint)")
            params.append(hazard_id)
        return self._all(f"SELECT {_LIST} FROM documents WHERE {' AND '.join(where)} ORDER BY issued_on, id",
                         params)

    def void_document(self, document_id: int, reason: str, at: str) -> None:
        self._execute("UPDATE documents SET void_reason = %s, voided_at = %s WHERE id = %s", (reason, at, document_id))
