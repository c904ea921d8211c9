"""SQL for inspections, campaigns, leaders, inspectors and draws (part of the Store).

Kept beside store.py so neither file outgrows a reader; `Store` inherits these.
Lists (industries, localities, inspectors) are stored as JSON arrays.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from hazreg.search import nfc
from hazreg.storage.base import InspectionFilter, Scope

_LISTS = ("industries", "localities", "inspectors")




def _decode(row: sqlite3.Row | None) -> dict[str, Any] | None:
    if row is None:
        return None
    record = dict(row)
    for key in _LISTS:
        if key in record and isinstance(record[key], str):
            record[key] = json.loads(record[key])
    return record


def _encode(record: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v, ensure_ascii=False) if k in _LISTS else v for k, v in record.items()}


def _scope_sql(scope: Scope, params: dict[str, Any], alias: str = "u") -> str:
    where = ["1"]
    for column, values in (("industry", scope.industries), ("locality", scope.localities)):
        if values:
            names = []
            for value in values:
                name = f"s{len(params)}"
                params[name] = value
                names.append(f":{name}")
            if column == "industry":  # any of the unit's industries
                where.append(f"EXISTS (SELECT 1 FROM unit_industries ui WHERE ui.unit_id = {alias}.id"
                             f" AND ui.industry IN ({', '.join(names)}))")
            else:
                where.append(f"{alias}.{column} IN ({', '.join(names)})")
    if scope.unit_ids is not None:
        where.append(f"{alias}.id IN ({', '.join(str(int(i)) for i in scope.unit_ids) or 'NULL'})")
    return " AND ".join(where)


def _industry_set_sql(scope: Scope, params: dict[str, Any], alias: str = "u") -> str:
    """The unit's industries (those in the scope, if it names some), sorted, joined by commas."""
    cond = ""
    if scope.industries:
        names = []
        for value in scope.industries:
            name = f"s{len(params)}"
            params[name] = value
            names.append(f":{name}")
        cond = f" AND industry IN ({', '.join(names)})"
    return (f"(SELECT group_concat(industry, ',') FROM (SELECT industry FROM unit_industries"
            f" WHERE unit_id = {alias}.id{cond} ORDER BY industry))")


_INSPECTION_SELECT = """SELECT i.*, i.inspected_on AS "on", u.name AS unit_name, u.industry AS industry,
    u.locality AS locality, c.name AS campaign, d.name AS department
    FROM inspections i JOIN units u ON u.id = i.unit_id LEFT JOIN campaigns c ON c.id = i.campaign_id
    LEFT JOIN departments d ON d.id = i.department_id"""


class CampaignQueries:
    conn: sqlite3.Connection

    def _insert(self, table: str, record: dict[str, Any]) -> int:  # provided by Store
        raise NotImplementedError

    # -- people and campaigns -------------------------------------------------------------

    def insert_listed(self, table: str, record: dict[str, Any]) -> int:
        """Insert a campaign, leader or inspector (lists as JSON)."""
        return self._insert(table, _encode(record))

    def listed(self, table: str, record_id: int | None = None, name: str | None = None) -> dict[str, Any] | None:
        if record_id is not None:
            return _decode(self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone())
        return _decode(self.conn.execute(f"SELECT * FROM {table} WHERE name = ?", (nfc(name or ""),)).fetchone())

    def all_listed(self, table: str) -> list[dict[str, Any]]:
        order = "start DESC, id" if table == "campaigns" else "name"
        return [r for r in (_decode(row) for row in self.conn.execute(f"SELECT * FROM {table} ORDER BY {order}")) if r]

    def update_listed(self, table: str, record_id: int, changes: dict[str, Any]) -> None:
        """Change a campaign, leader, inspector, locality or department (lists as JSON)."""
        row = _encode(changes)
        sets = ", ".join(f'"{c}" = :{c}' for c in row)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = :_id", {**row, "_id": record_id})

    def department_inspections(self, since: date, until: date) -> list[tuple[int, int, int]]:
        """(department id, inspections, units inspected) recorded with a department between two dates."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT department_id, count(*), count(DISTINCT unit_id) FROM inspections"
            " WHERE department_id IS NOT NULL AND inspected_on BETWEEN ? AND ? GROUP BY department_id",
            (since.isoformat(), until.isoformat()))]

    # -- inspections ----------------------------------------------------------------------

    def insert_inspection(self, record: dict[str, Any]) -> int:
        row = dict(record)
        row["inspected_on"] = row.pop("on")
        return self._insert("inspections", _encode(row))

    def inspection(self, inspection_id: int) -> dict[str, Any] | None:
        return _decode(self.conn.execute(f"{_INSPECTION_SELECT} WHERE i.id = ?", (inspection_id,)).fetchone())

    def inspection_like(self, unit_id: int, on: str, inspectors: list[str], leader: str | None) -> int | None:
        """An inspection of the same unit, on the same day, by the same people: a row imported again."""
        found = self.conn.execute(
            "SELECT id FROM inspections WHERE unit_id = ? AND inspected_on = ? AND inspectors = ? AND leader IS ?",
            (unit_id, on, json.dumps(inspectors, ensure_ascii=False), leader),
        ).fetchone()
        return found[0] if found else None

    def _inspection_where(self, f: InspectionFilter) -> tuple[str, dict[str, Any]]:
        where = ["1"]
        params: dict[str, Any] = {}
        if f.unit_ids:
            where.append(f"i.unit_id IN ({', '.join(str(int(u)) for u in f.unit_ids)})")
        if f.since:
            where.append("i.inspected_on >= :since")
            params["since"] = f.since.isoformat()
        if f.until:
            where.append("i.inspected_on <= :until")
            params["until"] = f.until.isoformat()
        for column, value in (("campaign_id", f.campaign_id), ("draw_id", f.draw_id), ("leader", f.leader)):
            if value is not None:
                where.append(f"i.{column} = :{column}")
                params[column] = value
        if f.modes:
            where.append(f"i.mode IN ({', '.join(repr(str(m)) for m in f.modes)})")
        where.append(_scope_sql(Scope(f.industries, f.localities), params))
        if f.changed_between:
            params["changed_from"], params["changed_to"] = f.changed_between
            where.append(
                "i.id IN (SELECT record_id FROM history WHERE record_type = 'inspection'"
                " AND effective_at >= :changed_from AND effective_at < :changed_to)"
            )
        return " AND ".join(where), params

    def inspections(self, f: InspectionFilter, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
        cond, params = self._inspection_where(f)
        total = self.conn.execute(
            f"SELECT count(*) FROM inspections i JOIN units u ON u.id = i.unit_id WHERE {cond}", params
        ).fetchone()[0]
        rows = self.conn.execute(
            f"{_INSPECTION_SELECT} WHERE {cond} ORDER BY i.inspected_on DESC, i.id DESC "
            f"LIMIT {-1 if limit is None else int(limit)}",
            params,
        )
        return [r for r in (_decode(row) for row in rows) if r], total

    def iter_inspections(self, f: InspectionFilter) -> Iterator[dict[str, Any]]:
        cond, params = self._inspection_where(f)
        for row in self.conn.execute(f"{_INSPECTION_SELECT} WHERE {cond} ORDER BY i.id", params):
            record = _decode(row)
            assert record is not None
            yield record

    # -- coverage, leaders' weeks, draws ----------------------------------------------------

    def coverage_counts(self, scope: Scope, since: date, until: date) -> list[tuple[str, str, int, int]]:
        """(locality, industries, units in scope, units inspected between since and until), by
        locality and the units' set of industries in scope (sorted keys joined by commas)."""
        params: dict[str, Any] = {"since": since.isoformat(), "until": until.isoformat()}
        industries = _industry_set_sql(scope, params)
        cond = _scope_sql(scope, params)
        sql = f"""SELECT u.locality, {industries} AS inds, count(*), count(seen.unit_id)
            FROM units u LEFT JOIN (
                SELECT DISTINCT unit_id FROM inspections WHERE inspected_on BETWEEN :since AND :until
            ) seen ON seen.unit_id = u.id
            WHERE {cond} GROUP BY u.locality, inds"""
        return [tuple(r) for r in self.conn.execute(sql, params)]  # type: ignore[misc]

    def coverage_gaps(self, scope: Scope, since: date, until: date) -> list[dict[str, Any]]:
        """Units in scope with no inspection between since and until, highest risk first."""
        params: dict[str, Any] = {"since": since.isoformat(), "until": until.isoformat()}
        cond = _scope_sql(scope, params)
        sql = f"""SELECT u.*, (SELECT max(inspected_on) FROM inspections WHERE unit_id = u.id) AS last_inspected
            FROM units u WHERE {cond} AND NOT EXISTS (
                SELECT 1 FROM inspections i WHERE i.unit_id = u.id AND i.inspected_on BETWEEN :since AND :until)
            ORDER BY CASE u.risk WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2
              WHEN 'blue' THEN 3 ELSE 4 END, u.locality, u.industry, u.name, u.id"""
        return [dict(r) for r in self.conn.execute(sql, params)]

    def leader_days(self, since: date, until: date) -> list[tuple[str, str, str, str, str, int]]:
        """(leader, date, mode, industry, locality, inspections) for inspections led by someone."""
        industries = _industry_set_sql(Scope(), {})
        sql = f"""SELECT i.leader, i.inspected_on, i.mode, {industries} AS inds, u.locality, count(*)
            FROM inspections i JOIN units u ON u.id = i.unit_id
            WHERE i.leader IS NOT NULL AND i.inspected_on BETWEEN ? AND ?
            GROUP BY i.leader, i.inspected_on, i.mode, inds, u.locality"""
        return [tuple(r) for r in self.conn.execute(sql, (since.isoformat(), until.isoformat()))]  # type: ignore[misc]

    def draw_candidates(self, scope: Scope, not_inspected_since: date | None) -> list[tuple[int, str | None, str]]:
        """(unit id, risk, locality) of the units a draw may pick, in id order."""
        params: dict[str, Any] = {}
        cond = _scope_sql(scope, params)
        if not_inspected_since is not None:
            params["recent"] = not_inspected_since.isoformat()
            cond += " AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.unit_id = u.id AND i.inspected_on >= :recent)"
        sql = f"SELECT u.id, u.risk, u.locality FROM units u WHERE {cond} ORDER BY u.id"
        return [tuple(r) for r in self.conn.execute(sql, params)]  # type: ignore[misc]

    def insert_draw(self, record: dict[str, Any]) -> int:
        row = {k: json.dumps(v, ensure_ascii=False, sort_keys=True) if k in ("params", "pool", "result") else v
               for k, v in record.items()}
        return self._insert("draws", row)

    def draw(self, draw_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT d.*, c.name AS campaign FROM draws d LEFT JOIN campaigns c ON c.id = d.campaign_id WHERE d.id = ?",
            (draw_id,),
        ).fetchone()
        if row is None:
            return None
        record = dict(row)
        for key in ("params", "pool", "result"):
            record[key] = json.loads(record[key])
        return record

    def draws(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT d.id, d.uid, d.seed, d.params, d.result, d.created_at, d.operator, c.name AS campaign, d.void_reason,"
            " (SELECT count(DISTINCT unit_id) FROM inspections i WHERE i.draw_id = d.id) AS inspected"
            " FROM draws d LEFT JOIN campaigns c ON c.id = d.campaign_id ORDER BY d.id DESC"
        )
        out = []
        for row in rows:
            record = dict(row)
            record["params"] = json.loads(record["params"])
            record["drawn"] = len(json.loads(record.pop("result")))
            out.append(record)
        return out

    def void_draw(self, draw_id: int, reason: str, at: str) -> None:
        self.conn.execute("UPDATE draws SET void_reason = ?, voided_at = ? WHERE id = ?", (reason, at, draw_id))

    def units_inspected_in_draw(self, draw_id: int) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT DISTINCT unit_id FROM inspections WHERE draw_id = ?", (draw_id,))}

    def units_by_ids(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self.conn.execute(f"SELECT * FROM units WHERE id IN ({marks})", chunk):
                out[row["id"]] = dict(row)
        return out
