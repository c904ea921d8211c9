"""CSV cells made by SQLite: an export's rows come out of the cursor ready to write (part of the Store).

The formatting rules are hazreg.render.export's; they reach this module as `CellRules`
(which columns a spreadsheet could run as a formula, the text of each enum key and of
true/false, and the Python rule itself for the rare cell that needs it). Here they become
SQL, so that a million-row export does no per-row Python: most cells are a column as
stored, an enum key's label is a CASE, and a cell starting with one of the few
characters a formula starts with is handed to the Python rule (registered as an SQL
function), which decides it exactly as the Python export does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from hazreg.storage.base import CellRules, HazardFilter, UnitFilter


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _money(column: str) -> str:
    """Integer fen as yuan with two decimals, as Decimal's f"{yuan:.2f}" writes it."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} < 0"
        f" THEN printf('-%d.%02d', -({column} / 100), -({column} % 100))"
        f" ELSE printf('%d.%02d', {column} / 100, {column} % 100) END"
    )


def _cells_sql(sources: Mapping[str, str], columns: Sequence[str], rules: CellRules) -> str:
    codes = ", ".join(str(ord(c)) for c in rules.starts)
    parts = []
    for column in columns:
        source = sources[column]
        name = _quote(column)
        literals = rules.literals.get(column)
        if literals is not None:
            cases = " ".join(f"WHEN {_quote(k) if isinstance(k, str) else int(k)} THEN {_quote(v)}"
                             for k, v in literals.items())
            parts.append(f"CASE {source} {cases} ELSE hazreg_cell({name}, {source}) END")
        elif column in rules.guarded:
            parts.append(f"CASE WHEN unicode({source}) IN ({codes}) THEN hazreg_cell({name}, {source}) ELSE {source} END")
        else:
            parts.append(source)
    return ",\n    ".join(parts)


class ExportQueries:
    conn: sqlite3.Connection

    def _hazard_where(self, f: HazardFilter, today: date) -> tuple[str, dict[str, Any]] | None:  # provided by Store
        raise NotImplementedError

    def _unit_where(self, f: UnitFilter) -> tuple[str, dict[str, Any]]:  # provided by Store
        raise NotImplementedError

    def _cells(self, sql: str, params: dict[str, Any], rules: CellRules) -> Iterator[tuple[Any, ...]]:
        self.conn.create_function("hazreg_cell", 2, rules.cell, deterministic=True)
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples, written as they come
        cursor.execute(sql, params)
        return cursor

    def hazard_cells(self, f: HazardFilter, today: date, columns: Sequence[str], rules: CellRules,
                     plan_fields: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """The cells of hazards matching `f`, by id, one tuple a row, for `columns` (the stable
        field names): ids with their letter, funds in yuan, overdue and plan_complete derived
        (complete: every one of `plan_fields` recorded)."""
        query = self.hazard_cells_sql(f, today, columns, rules, plan_fields)
        return iter(()) if query is None else self._cells(*query, rules)

    def hazard_cells_sql(self, f: HazardFilter, today: date, columns: Sequence[str], rules: CellRules,
                         plan_fields: Sequence[str]) -> tuple[str, dict[str, Any]] | None:
        """The query of `hazard_cells` and its parameters (None: nothing can match)."""
        from hazreg.storage.sqlite.store import _OVERDUE_SQL

        found = self._hazard_where(f, today)
        if found is None:
            return None
        cond, params = found
        complete = " AND ".join(
            "h.funds_fen IS NOT NULL" if name == "funds" else f"(h.{name} IS NOT NULL AND h.{name} <> '')"
            for name in plan_fields
        )
        sources = {c: f"h.{c}" for c in columns}
        sources.update({
            "id": "'H' || h.id", "unit_id": "'U' || h.unit_id", "unit_name": "u.name",
            "inspection_id": "'I' || h.inspection_id", "funds": _money("h.funds_fen"),
            "plan_complete": f"({complete})", "overdue": _OVERDUE_SQL,
        })
        sql = (f"SELECT {_cells_sql(sources, columns, rules)}\n"
               f"FROM hazards h JOIN units u ON u.id = h.unit_id WHERE {cond} ORDER BY h.id")
        return sql, params

    def unit_cells(self, f: UnitFilter, columns: Sequence[str], rules: CellRules) -> Iterator[tuple[Any, ...]]:
        """The cells of units matching `f`, by id, one tuple a row."""
        cond, params = self._unit_where(f)
        sources = {c: f"units.{c}" for c in columns}
        sources["id"] = "'U' || units.id"
        sources["industries"] = ("(SELECT group_concat(industry, '、') FROM (SELECT industry FROM unit_industries ui"
                                 " WHERE ui.unit_id = units.id ORDER BY position))")
        sql = f"SELECT {_cells_sql(sources, columns, rules)}\nFROM units WHERE {cond} ORDER BY units.id"
        return self._cells(sql, params, rules)
