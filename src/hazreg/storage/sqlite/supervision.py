"""SQL for supervision, extensions, escalations, enforcement actions and attachments (part of the Store)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from hazreg.money import from_fen
from hazreg.storage.base import ActionFilter

EVIDENCE_TABLES = ("supervisions", "extensions", "attachments", "escalations", "actions")



_ACTION_SELECT = """SELECT a.*, a.taken_on AS "on", h.description AS hazard, h.unit_id, u.name AS unit_name
    FROM actions a JOIN hazards h ON h.id = a.hazard_id JOIN units u ON u.id = h.unit_id"""


def _action(row: sqlite3.Row) -> dict[str, Any]:
    record = dict(row)
    record["amount"] = from_fen(record.pop("amount_fen"))
    return record


class SupervisionQueries:
    conn: sqlite3.Connection

    def _insert(self, table: str, record: dict[str, Any]) -> int:  # provided by Store
        raise NotImplementedError

    def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:  # provided by Store
        raise NotImplementedError

    def insert_into(self, table: str, record: dict[str, Any]) -> int:
        return self._insert(table, record)

    def supervision_in_force(self, hazard_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT * FROM supervisions WHERE hazard_id = ? AND delisted_on IS NULL", (hazard_id,)
        ).fetchone()
        return dict(row) if row else None

    def supervisions_in_force_for(self, hazard_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The listing in force of each of these hazards that has one, by hazard id."""
        found: dict[int, dict[str, Any]] = {}
        ids = list(hazard_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self._all(
                f"SELECT * FROM supervisions WHERE delisted_on IS NULL AND hazard_id IN ({marks})", chunk
            ):
                found[row["hazard_id"]] = row
        return found

    def supervision_steps(self, supervision_id: int) -> list[dict[str, Any]]:
        """The closing steps recorded under a listing (销号申请, 验收), oldest first."""
        return self._all("SELECT * FROM supervision_steps WHERE supervision_id = ? ORDER BY id", (supervision_id,))

    def supervisions_at(self, day: date) -> list[dict[str, Any]]:
        """The listings in force at the end of `day` (listed by then, not delisted by then), with
        their hazard's unit, description, status and closing day, by hazard id."""
        return self._all(
            """SELECT s.hazard_id, s.body, s.level, s.notice_no, s.due, s.listed_on, h.description, h.status,
                      h.closed_on, h.unit_id, u.name AS unit_name
               FROM supervisions s JOIN hazards h ON h.id = s.hazard_id JOIN units u ON u.id = h.unit_id
               WHERE s.listed_on <= ? AND (s.delisted_on IS NULL OR s.delisted_on > ?)
               ORDER BY s.hazard_id, s.id""", (day.isoformat(), day.isoformat()))

    def delist(self, supervision_id: int, on: date, note: str, at: str) -> None:
        self.conn.execute(
            "UPDATE supervisions SET delisted_on = ?, delist_note = ?, updated_at = ? WHERE id = ?",
            (on.isoformat(), note, at, supervision_id),
        )

    def evidence(self, hazard_id: int) -> dict[str, list[dict[str, Any]]]:
        """Everything kept about a hazard beyond its own fields, oldest first."""
        one = (hazard_id,)
        return {
            "supervisions": self._all("SELECT * FROM supervisions WHERE hazard_id = ? ORDER BY id", one),
            "extensions": self._all("SELECT * FROM extensions WHERE hazard_id = ? ORDER BY id", one),
            "escalations": self._all("SELECT * FROM escalations WHERE hazard_id = ? ORDER BY done_on, id", one),
            "actions": [_action(r) for r in self.conn.execute(f"{_ACTION_SELECT} WHERE a.hazard_id = ? ORDER BY a.taken_on, a.id", one)],
            "attachments": self._all("SELECT * FROM attachments WHERE hazard_id = ? ORDER BY id", one),
        }

    def escalations_done(self, hazard_ids: Sequence[int]) -> dict[int, set[str]]:
        done: dict[int, set[str]] = {}
        ids = list(hazard_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for hazard_id, step in self.conn.execute(
                f"SELECT hazard_id, step FROM escalations WHERE hazard_id IN ({marks})", chunk
            ):
                done.setdefault(hazard_id, set()).add(step)
        return done

    def actions(self, f: ActionFilter, limit: int | None = None) -> list[dict[str, Any]]:
        where = ["1"]
        params: list[Any] = []
        for column, values in (("a.type", f.types), ("h.unit_id", f.unit_ids), ("a.hazard_id", f.hazard_ids)):
            if values:
                where.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params += list(values)
        if f.since:
            where.append("a.taken_on >= ?")
            params.append(f.since.isoformat())
        if f.until:
            where.append("a.taken_on <= ?")
            params.append(f.until.isoformat())
        rows = self.conn.execute(
            f"{_ACTION_SELECT} WHERE {' AND '.join(where)} ORDER BY a.taken_on DESC, a.id DESC "
            f"LIMIT {-1 if limit is None else int(limit)}",
            params,
        )
        return [_action(r) for r in rows]

    # -- moving records out and in (export and import) ---------------------------------------

    def iter_evidence(self, table: str) -> Iterator[dict[str, Any]]:
        """Every row of `table` (supervisions, extensions, …) with its hazard's uid, by id."""
        assert table in (*EVIDENCE_TABLES, "supervision_steps")
        sql = f"SELECT e.*, h.uid AS hazard_uid FROM {table} e JOIN hazards h ON h.id = e.hazard_id ORDER BY e.id"
        if table == "supervision_steps":  # with the uids of the listing and of the attached report
            sql = ("SELECT e.*, h.uid AS hazard_uid, s.uid AS supervision_uid, a.uid AS attachment_uid"
                   " FROM supervision_steps e JOIN hazards h ON h.id = e.hazard_id"
                   " JOIN supervisions s ON s.id = e.supervision_id"
                   " LEFT JOIN attachments a ON a.id = e.attachment_id ORDER BY e.id")
        for row in self.conn.execute(sql):
            yield dict(row)

    def row_by_uid(self, table: str, uid: str) -> dict[str, Any] | None:
        assert table in (*EVIDENCE_TABLES, "supervision_steps", "inspections", "hazards")
        row = self.conn.execute(f"SELECT * FROM {table} WHERE uid = ?", (uid,)).fetchone()
        return dict(row) if row else None

    def attachment(self, attachment_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
        return dict(row) if row else None

    def stored_files(self) -> list[tuple[str, int]]:
        """(sha256, size) of every attached file, once each."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT DISTINCT sha256, size FROM attachments ORDER BY sha256")]
