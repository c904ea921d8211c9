"""Enforcement cases (行政执法案件), their steps, links, penalties and payments, on either store."""

from __future__ import annotations

from datetime import date
from typing import Any

from hazreg.storage.portable import Portable

_SELECT = "SELECT c.*, u.name AS unit_name FROM cases c LEFT JOIN units u ON u.id = c.unit_id"
CHILD_TABLES = ("case_links", "case_steps", "case_penalties", "case_payments")


class CaseQueries(Portable):
    def insert_case(self, record: dict[str, Any]) -> int:
        return self._insert("cases", record)

    def update_case(self, case_id: int, changes: dict[str, Any]) -> None:
        self._update("cases", case_id, changes)

    def insert_case_row(self, table: str, record: dict[str, Any]) -> int:
        """A row of one of a case's tables (links, steps, penalties, payments)."""
        assert table in CHILD_TABLES
        return self._insert(table, record)

    def case(self, case_id: int | None = None, case_no: str | None = None) -> dict[str, Any] | None:
        """A case by its id or its case number (案号)."""
        if case_no is not None:
            return self._one(self._sql(f"{_SELECT} WHERE c.case_no = ?"), (case_no,))
        return self._one(self._sql(f"{_SELECT} WHERE c.id = ?"), (case_id,))

    def cases(self, since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
        """Cases opened between two dates (inclusive), oldest first."""
        return self._all(self._sql(f"{_SELECT} WHERE c.opened_on >= ? AND c.opened_on <= ? ORDER BY c.id"),
                         ((since or date.min).isoformat(), (until or date.max).isoformat()))

    def case_rows(self, table: str, case_id: int | None = None) -> list[dict[str, Any]]:
        """A case's rows of one table in the order written (every case's, with no case)."""
        assert table in CHILD_TABLES
        if case_id is None:
            return self._all(f"SELECT * FROM {table} ORDER BY case_id, id")
        return self._all(self._sql(f"SELECT * FROM {table} WHERE case_id = ? ORDER BY id"), (case_id,))

    def cases_linked(self, kind: str, target_id: int) -> list[int]:
        """The cases linked to a hazard or an inspection."""
        return [r["case_id"] for r in self._all(
            self._sql("SELECT case_id FROM case_links WHERE kind = ? AND target_id = ? ORDER BY case_id"),
            (kind, target_id))]

    def accidents_of_case(self, case_id: int) -> list[dict[str, Any]]:
        return self._all(self._sql("SELECT id, occurred_on, grade FROM accidents WHERE case_id = ? ORDER BY id"),
                         (case_id,))
