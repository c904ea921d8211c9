"""Accidents (生产安全事故) and their control indicators (控制指标), on either store."""

from __future__ import annotations

from datetime import date
from typing import Any

from hazreg.storage.portable import Portable

_SELECT = "SELECT a.*, u.name AS unit_name FROM accidents a LEFT JOIN units u ON u.id = a.unit_id"


class AccidentQueries(Portable):
    def insert_accident(self, record: dict[str, Any]) -> int:
        return self._insert("accidents", record)

    def update_accident(self, accident_id: int, changes: dict[str, Any]) -> None:
        self._update("accidents", accident_id, changes)

    def accident(self, accident_id: int) -> dict[str, Any] | None:
        return self._one(self._sql(f"{_SELECT} WHERE a.id = ?"), (accident_id,))

    def accidents(self, since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
        """Accidents that occurred between two dates (inclusive), in the order they occurred."""
        return self._all(
            self._sql(f"{_SELECT} WHERE a.occurred_on >= ? AND a.occurred_on <= ? ORDER BY a.occurred_at, a.id"),
            ((since or date.min).isoformat(), (until or date.max).isoformat()))

    def accident_targets(self, year: int | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE year = ?", (year,)) if year is not None else ("", ())
        return self._all(self._sql(f"SELECT * FROM accident_targets {where} ORDER BY year, scope, name"), params)

    def insert_accident_target(self, record: dict[str, Any]) -> int:
        return self._insert("accident_targets", record)

    def update_accident_target(self, target_id: int, changes: dict[str, Any]) -> None:
        self._update("accident_targets", target_id, changes)

    def remove_accident_target(self, target_id: int) -> None:
        """A locality's indicator added into the one it was merged into (its values are in history)."""
        self._execute(self._sql("DELETE FROM accident_targets WHERE id = ?"), (target_id,))
