"""SQL for supervision, extensions, escalations, enforcement actions and attachments on PostgreSQL
(part of the Store): the twin of `hazreg.storage.sqlite.supervision`, same methods, same rows.

Attached files live in the database, not in a folder: one row of `files` per content, named by
its SHA-256, so one backup of the database covers the evidence too. PostgreSQL checks a stored
file's hash and size itself (`sha256(data)`), without sending the file to the client.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from hazreg.money import from_fen
from hazreg.storage.base import ActionFilter
from hazreg.storage.postgres.queries import Queries

if TYPE_CHECKING:
    pass

EVIDENCE_TABLES = ("supervisions", "extensions", "attachments", "escalations", "actions")
BLOBS = "files"  # (sha256 text primary key, size bigint, data bytea): see schema.py

_ACTION_SELECT = """SELECT a.*, a.taken_on AS "on", h.description AS hazard, h.unit_id, u.name AS unit_name
    FROM actions a JOIN hazards h ON h.id = a.hazard_id JOIN units u ON u.id = h.unit_id"""


def _action(record: dict[str, Any]) -> dict[str, Any]:
    record["amount"] = from_fen(record.pop("amount_fen"))
    return record


class SupervisionQueries(Queries):
    def insert_into(self, table: str, record: dict[str, Any]) -> int:
        assert table in (*EVIDENCE_TABLES, "supervision_steps")
        return self._insert(table, record)

    def supervision_in_force(self, hazard_id: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM supervisions WHERE hazard_id = %s AND delisted_on IS NULL", (hazard_id,))

    def supervisions_in_force_for(self, hazard_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The listing in force of each of these hazards that has one, by hazard id."""
        rows = self._all("SELECT * FROM supervisions WHERE delisted_on IS NULL AND hazard_id = ANY(%s::bigint[])",
                         ([int(i) for i in hazard_ids],))
        return {row["hazard_id"]: row for row in rows}

    def supervision_steps(self, supervision_id: int) -> list[dict[str, Any]]:
        """The closing steps recorded under a listing (销号申请, 验收), oldest first."""
        return self._all("SELECT * FROM supervision_steps WHERE supervision_id = %s ORDER BY id", (supervision_id,))

    def supervisions_at(self, day: date) -> list[dict[str, Any]]:
        """The listings in force at the end of `day` (listed by then, not delisted by then), with
        their hazard's unit, description, status and closing day, by hazard id."""
        return self._all(
            """SELECT s.hazard_id, s.body, s.level, s.notice_no, s.due, s.listed_on, h.description, h.status,
                      h.closed_on, h.unit_id, u.name AS unit_name
               FROM supervisions s JOIN hazards h ON h.id = s.hazard_id JOIN units u ON u.id = h.unit_id
               WHERE s.listed_on <= %s AND (s.delisted_on IS NULL OR s.delisted_on > %s)
               ORDER BY s.hazard_id, s.id""", (day.isoformat(), day.isoformat()))

    def delist(self, supervision_id: int, on: date, note: str, at: str) -> None:
        self._execute(
            "UPDATE supervisions SET delisted_on = %s, delist_note = %s, updated_at = %s WHERE id = %s",
            (on.isoformat(), note, at, supervision_id),
        )

    def evidence(self, hazard_id: int) -> dict[str, list[dict[str, Any]]]:
        """Everything kept about a hazard beyond its own fields, oldest first."""
        one = (hazard_id,)
        return {
            "supervisions": (self._all("SELECT * FROM supervisions WHERE hazard_id = %s ORDER BY id", one)),
            "extensions": (self._all("SELECT * FROM extensions WHERE hazard_id = %s ORDER BY id", one)),
            "escalations": (self._all(
                "SELECT * FROM escalations WHERE hazard_id = %s ORDER BY done_on, id", one)),
            "actions": [_action(r) for r in self._all(
                f"{_ACTION_SELECT} WHERE a.hazard_id = %s ORDER BY a.taken_on, a.id", one)],
            "attachments": (self._all("SELECT * FROM attachments WHERE hazard_id = %s ORDER BY id", one)),
        }

    def escalations_done(self, hazard_ids: Sequence[int]) -> dict[int, set[str]]:
        done: dict[int, set[str]] = {}
        for hazard_id, step in self._tuples(
            "SELECT hazard_id, step FROM escalations WHERE hazard_id = ANY(%s::bigint[])", ([int(i) for i in hazard_ids],)
        ):
            done.setdefault(hazard_id, set()).add(step)
        return done

    def actions(self, f: ActionFilter, limit: int | None = None) -> list[dict[str, Any]]:
        where = ["TRUE"]
        params: list[Any] = []
        for column, values, kind in (("a.type", f.types, "text"), ("h.unit_id", f.unit_ids, "bigint"),
                                     ("a.hazard_id", f.hazard_ids, "bigint")):
            if values:
                where.append(f"{column} = ANY(%s::{kind}[])")
                params.append([str(v) if kind == "text" else int(v) for v in values])
        if f.since:
            where.append("a.taken_on >= %s")
            params.append(f.since.isoformat())
        if f.until:
            where.append("a.taken_on <= %s")
            params.append(f.until.isoformat())
        rows = self._all(
            f"{_ACTION_SELECT} WHERE {' AND '.join(where)} ORDER BY a.taken_on DESC, a.id DESC "
            f"LIMIT {'ALL' if limit is None else int(limit)}",
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
        yield from self._stream(sql, dicts=True)

    def row_by_uid(self, table: str, uid: str) -> dict[str, Any] | None:
        assert table in (*EVIDENCE_TABLES, "supervision_steps", "inspections", "hazards")
        return self._one(f"SELECT * FROM {table} WHERE uid = %s", (uid,))

    def attachment(self, attachment_id: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM attachments WHERE id = %s", (attachment_id,))

    def stored_files(self) -> list[tuple[str, int]]:
        """(sha256, size) of every attached file, once each."""
        return [(r[0], r[1]) for r in self._tuples(
            'SELECT DISTINCT sha256, size FROM attachments ORDER BY sha256, size')]

    # -- the files themselves, kept in the database ----------------------------------------------

    def put_blob(self, digest: str, data: bytes) -> bool:
        """Keep a file's content under its SHA-256 (in a write); False if it was kept already."""
        cur = self._execute(
            f"INSERT INTO {BLOBS} (sha256, size, data) VALUES (%s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
            (digest, len(data), data),
        )
        return cur.rowcount == 1

    def blob(self, digest: str) -> bytes | None:
        """The content kept under `digest`, or None."""
        row = next(self._tuples(f"SELECT data FROM {BLOBS} WHERE sha256 = %s", (digest,)), None)
        return None if row is None else bytes(row[0])

    def blob_problems(self) -> list[tuple[str, str]]:
        """(sha256, "missing" or "altered") of every attached file whose content is not kept, or
        no longer has that size and hash; checked by the server, file by file."""
        rows = self._tuples(
            f"""SELECT a.sha256, b.sha256 IS NULL,
                      b.size = a.size AND octet_length(b.data) = a.size AND encode(sha256(b.data), 'hex') = a.sha256
                FROM (SELECT DISTINCT sha256, size FROM attachments) a LEFT JOIN {BLOBS} b ON b.sha256 = a.sha256
                ORDER BY a.sha256 COLLATE "C", a.size"""
        )
        return [(digest, "missing" if missing else "altered") for digest, missing, sound in rows if missing or not sound]
