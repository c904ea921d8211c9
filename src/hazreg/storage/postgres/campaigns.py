"""SQL for inspections, campaigns, leaders, inspectors and draws on PostgreSQL (part of the Store).

The PostgreSQL twin of `hazreg.storage.sqlite.campaigns`: the same methods giving the same rows
(the columns hold what SQLite's hold, see schema.py: dates as ISO text, lists as JSON text,
decoded here). Text is sorted `COLLATE "C"` (by code point, as SQLite sorts), so both engines
list things in one order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from hazreg.search import nfc
from hazreg.storage.base import InspectionFilter, Scope
from hazreg.storage.postgres.queries import Queries

if TYPE_CHECKING:
    pass

_LISTS = ("industries", "localities", "inspectors")
_DRAW_JSON = ("params", "pool", "result")
_C = 'COLLATE "C"'


def decode(value: Any) -> Any:
    """A JSON column's value: text is decoded; a json/jsonb column comes decoded already."""
    return json.loads(value) if isinstance(value, str) else value


def _decode(record: dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    for key in _LISTS:
        if key in record:
            record[key] = decode(record[key])
    return record


def _encode(record: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v, ensure_ascii=False) if k in _LISTS else v for k, v in record.items()}


def _scope_sql(scope: Scope, params: dict[str, Any], alias: str = "u") -> str:
    where = ["TRUE"]
    for column, values in (("industry", scope.industries), ("locality", scope.localities)):
        if values:
            name = f"s{len(params)}"
            params[name] = [str(v) for v in values]
            if column == "industry":  # any of the unit's industries
                where.append(f"EXISTS (SELECT 1 FROM unit_industries ui WHERE ui.unit_id = {alias}.id"
                             f" AND ui.industry = ANY(%({name})s::text[]))")
            else:
                where.append(f"{alias}.{column} = ANY(%({name})s::text[])")
    if scope.unit_ids is not None:
        name = f"s{len(params)}"
        params[name] = [int(i) for i in scope.unit_ids]
        where.append(f"{alias}.id = ANY(%({name})s::bigint[])")
    return " AND ".join(where)


def _industry_set_sql(scope: Scope, params: dict[str, Any], alias: str = "u") -> str:
    """The unit's industries (those in the scope, if it names some), sorted, joined by commas."""
    cond = ""
    if scope.industries:
        name = f"s{len(params)}"
        params[name] = [str(v) for v in scope.industries]
        cond = f" AND industry = ANY(%({name})s::text[])"
    return (f"(SELECT string_agg(industry, ',' ORDER BY industry) FROM unit_industries"
            f" WHERE unit_id = {alias}.id{cond})")


def _limit(limit: int | None) -> str:
    return "ALL" if limit is None else str(int(limit))


_INSPECTION_SELECT = """SELECT i.*, i.inspected_on AS "on", u.name AS unit_name, u.industry AS industry,
    u.locality AS locality, c.name AS campaign, d.name AS department
    FROM inspections i JOIN units u ON u.id = i.unit_id LEFT JOIN campaigns c ON c.id = i.campaign_id
    LEFT JOIN departments d ON d.id = i.department_id"""
_ORDER_OF = {"campaigns": "start DESC, id", "leaders": f"name {_C}, id", "inspectors": f"name {_C}, id",
             "localities": f"name {_C}, id", "departments": f"name {_C}, id"}


class CampaignQueries(Queries):
    # -- people and campaigns -------------------------------------------------------------

    def insert_listed(self, table: str, record: dict[str, Any]) -> int:
        """Insert a campaign, leader or inspector (lists as JSON)."""
        return self._insert(table, _encode(record))

    def listed(self, table: str, record_id: int | None = None, name: str | None = None) -> dict[str, Any] | None:
        assert table in _ORDER_OF
        if record_id is not None:
            return _decode(self._one(f"SELECT * FROM {table} WHERE id = %s", (record_id,)))
        return _decode(self._one(f"SELECT * FROM {table} WHERE name = %s", (nfc(name or ""),)))

    def all_listed(self, table: str) -> list[dict[str, Any]]:
        assert table in _ORDER_OF
        rows = self._all(f"SELECT * FROM {table} ORDER BY {_ORDER_OF[table]}")
        return [r for r in (_decode(row) for row in rows) if r]


    def update_listed(self, table: str, record_id: int, changes: dict[str, Any]) -> None:
        """Change a campaign, leader, inspector, locality or department (lists as JSON)."""
        assert table in _ORDER_OF
        self._update(table, record_id, _encode(changes))

    def department_inspections(self, since: date, until: date) -> list[tuple[int, int, int]]:
        """(department id, inspections, units inspected) recorded with a department between two dates."""
        return [(int(a), int(b), int(c)) for a, b, c in self._tuples(
            "SELECT department_id, count(*), count(DISTINCT unit_id) FROM inspections"
            " WHERE department_id IS NOT NULL AND inspected_on BETWEEN %s AND %s GROUP BY department_id",
            (since.isoformat(), until.isoformat()))]

    # -- inspections ----------------------------------------------------------------------

    def insert_inspection(self, record: dict[str, Any]) -> int:
        row = dict(record)
        row["inspected_on"] = row.pop("on")
        return self._insert("inspections", _encode(row))

    def inspection(self, inspection_id: int) -> dict[str, Any] | None:
        return _decode(self._one(f"{_INSPECTION_SELECT} WHERE i.id = %s", (inspection_id,)))

    def inspection_like(self, unit_id: int, on: str, inspectors: list[str], leader: str | None) -> int | None:
        """An inspection of the same unit, on the same day, by the same people: a row imported again."""
        found = self._one(
            "SELECT id FROM inspections WHERE unit_id = %s AND inspected_on = %s AND inspectors::text = %s"
            " AND leader IS NOT DISTINCT FROM %s::text",
            (unit_id, on, json.dumps(inspectors, ensure_ascii=False), leader),
        )
        return found["id"] if found else None

    def _inspection_where(self, f: InspectionFilter) -> tuple[str, dict[str, Any]]:
        where = ["TRUE"]
        params: dict[str, Any] = {}
        if f.unit_ids:
            where.append("i.unit_id = ANY(%(unit_ids)s::bigint[])")
            params["unit_ids"] = [int(u) for u in f.unit_ids]
        if f.since:
            where.append("i.inspected_on >= %(since)s")
            params["since"] = f.since.isoformat()
        if f.until:
            where.append("i.inspected_on <= %(until)s")
            params["until"] = f.until.isoformat()
        for column, value in (("campaign_id", f.campaign_id), ("draw_id", f.draw_id), ("leader", f.leader)):
            if value is not None:
                where.append(f"i.{column} = %({column})s")
                params[column] = value
        if f.modes:
            where.append("i.mode = ANY(%(modes)s::text[])")
            params["modes"] = [str(m) for m in f.modes]
        where.append(_scope_sql(Scope(f.industries, f.localities), params))
        if f.changed_between:
            params["changed_from"], params["changed_to"] = f.changed_between
            where.append(
                "i.id IN (SELECT record_id FROM history WHERE record_type = 'inspection'"
                " AND effective_at >= %(changed_from)s AND effective_at < %(changed_to)s)"
            )
        return " AND ".join(where), params

    def inspections(self, f: InspectionFilter, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
        cond, params = self._inspection_where(f)
        total = next(self._tuples(f"SELECT count(*) FROM inspections i JOIN units u ON u.id = i.unit_id WHERE {cond}",
                                  params))[0]
        rows = self._all(
            f"{_INSPECTION_SELECT} WHERE {cond} ORDER BY i.inspected_on DESC, i.id DESC LIMIT {_limit(limit)}", params
        )
        return [r for r in (_decode(row) for row in rows) if r], total

    def iter_inspections(self, f: InspectionFilter) -> Iterator[dict[str, Any]]:
        cond, params = self._inspection_where(f)
        for row in self._stream(f"{_INSPECTION_SELECT} WHERE {cond} ORDER BY i.id", params, dicts=True):
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
                SELECT DISTINCT unit_id FROM inspections WHERE inspected_on BETWEEN %(since)s AND %(until)s
            ) seen ON seen.unit_id = u.id
            WHERE {cond} GROUP BY u.locality, inds ORDER BY u.locality {_C}, inds"""
        return [tuple(r) for r in self._tuples(sql, params)]  # type: ignore[misc]

    def coverage_gaps(self, scope: Scope, since: date, until: date) -> list[dict[str, Any]]:
        """Units in scope with no inspection between since and until, highest risk first."""
        params: dict[str, Any] = {"since": since.isoformat(), "until": until.isoformat()}
        cond = _scope_sql(scope, params)
        sql = f"""SELECT u.*, (SELECT max(inspected_on) FROM inspections WHERE unit_id = u.id) AS last_inspected
            FROM units u WHERE {cond} AND NOT EXISTS (
                SELECT 1 FROM inspections i WHERE i.unit_id = u.id AND i.inspected_on BETWEEN %(since)s AND %(until)s)
            ORDER BY CASE u.risk WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2
              WHEN 'blue' THEN 3 ELSE 4 END, u.locality {_C}, u.industry {_C}, u.name {_C}, u.id"""
        return self._all(sql, params)

    def leader_days(self, since: date, until: date) -> list[tuple[str, str, str, str, str, int]]:
        """(leader, date, mode, industry, locality, inspections) for inspections led by someone."""
        industries = _industry_set_sql(Scope(), {})
        sql = f"""SELECT i.leader, i.inspected_on, i.mode, {industries} AS inds, u.locality, count(*)
            FROM inspections i JOIN units u ON u.id = i.unit_id
            WHERE i.leader IS NOT NULL AND i.inspected_on BETWEEN %s AND %s
            GROUP BY i.leader, i.inspected_on, i.mode, inds, u.locality
            ORDER BY i.leader {_C}, i.inspected_on, i.mode {_C}, inds, u.locality {_C}"""
        return [tuple(r) for r in self._tuples(sql, (since.isoformat(), until.isoformat()))]  # type: ignore[misc]

    def draw_candidates(self, scope: Scope, not_inspected_since: date | None) -> list[tuple[int, str | None, str]]:
        """(unit id, risk, locality) of the units a draw may pick, in id order (the order the seed walks)."""
        params: dict[str, Any] = {}
        cond = _scope_sql(scope, params)
        if not_inspected_since is not None:
            params["recent"] = not_inspected_since.isoformat()
            cond += " AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.unit_id = u.id AND i.inspected_on >= %(recent)s)"
        sql = f"SELECT u.id, u.risk, u.locality FROM units u WHERE {cond} ORDER BY u.id"
        return [tuple(r) for r in self._tuples(sql, params)]  # type: ignore[misc]

    def insert_draw(self, record: dict[str, Any]) -> int:
        row = {k: json.dumps(v, ensure_ascii=False, sort_keys=True) if k in _DRAW_JSON else v
               for k, v in record.items()}
        return self._insert("draws", row)

    def draw(self, draw_id: int) -> dict[str, Any] | None:
        record = self._one(
            "SELECT d.*, c.name AS campaign FROM draws d LEFT JOIN campaigns c ON c.id = d.campaign_id WHERE d.id = %s",
            (draw_id,),
        )
        if record is None:
            return None
        for key in _DRAW_JSON:
            record[key] = decode(record[key])
        return record

    def draws(self) -> list[dict[str, Any]]:
        rows = self._all(
            "SELECT d.id, d.uid, d.seed, d.params, d.result, d.created_at, d.operator, c.name AS campaign, d.void_reason,"
            " (SELECT count(DISTINCT unit_id) FROM inspections i WHERE i.draw_id = d.id) AS inspected"
            " FROM draws d LEFT JOIN campaigns c ON c.id = d.campaign_id ORDER BY d.id DESC"
        )
        out = []
        for row in rows:
            record = dict(row)
            record["params"] = decode(record["params"])
            record["drawn"] = len(decode(record.pop("result")))
            out.append(record)
        return out

    def void_draw(self, draw_id: int, reason: str, at: str) -> None:
        self._execute("UPDATE draws SET void_reason = %s, voided_at = %s WHERE id = %s", (reason, at, draw_id))

    def units_inspected_in_draw(self, draw_id: int) -> set[int]:
        return {r[0] for r in self._tuples("SELECT DISTINCT unit_id FROM inspections WHERE draw_id = %s", (draw_id,))}

    def units_by_ids(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        rows = self._all("SELECT * FROM units WHERE id = ANY(%s::bigint[])", ([int(i) for i in ids],))
        return {row["id"]: row for row in rows}
