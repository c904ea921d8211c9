"""CSV cells made by SQLite: an export's rows come out of the cursor ready to write (part of the Store).

The formatting rules are hazreg.render.export's; they reach this module as `CellRules`
(which columns a spreadsheet could run as a formula, the text of each enum key and of
true/false, and the Python rule itself for the rare cell that needs it). Here they become
SQL, so that a million-row export does no per-row Python: most cells are a column as
stored, an enum key's label is a CASE, and a cell starting with one of the few
characters a formula starts with is handed to the Python rule (registered as an SQL
function), which decides it exactly as the Python export does.

The hazard and unit exports go one step further (`hazard_lines`, `unit_lines`): SQLite joins
a row's cells into its CSV line, so Python handles one bytes object per row and writes
batches of them as they come; hazreg.render.export checks each batch for the cells CSV must
quote and has only those rows' cells fetched and written by csv.writer.

The history export (`history_lines`) quotes in SQL too, as csv.writer does (its before and
after, JSON objects, hold double quotes in nearly every row): its lines are written as they
come. Before and after are written by the formatter's rule from their stored text, called from
the query: a stored text could be copied only where the rule gives it back unchanged, and
proving that in SQL (each object's keys in order, its spacing, escapes and numbers as Python
writes them: json_each, json_quote and group_concat per object) cost more than the rule itself.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from hazreg.storage.base import CellRules, CsvLines, HazardFilter, UnitFilter

# The columns each export makes from numbers alone (see _cell_list).
_HAZARD_NUMERIC = frozenset({"id", "unit_id", "inspection_id", "funds", "plan_complete", "overdue"})
_UNIT_NUMERIC = frozenset({"id"})
BATCH = 2000  # lines a batch: Python's work per batch is noise, and memory stays flat


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _money(column: str) -> str:
    """Integer fen as yuan with two decimals, as Decimal's f"{yuan:.2f}" writes it."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} < 0"
        f" THEN printf('-%d.%02d', -({column} / 100), -({column} % 100))"
        f" ELSE printf('%d.%02d', {column} / 100, {column} % 100) END"
    )


def _first_char_ranges(starts: str) -> list[tuple[int, int | None]]:
    """Code point ranges [low, high) that hold every character of `starts`, as few as possible
    without taking in a letter or a digit (high None: no upper bound, for the non-ASCII ones)."""
    ranges: list[tuple[int, int | None]] = []
    for code in sorted(ord(c) for c in starts if ord(c) < 0x80):
        if ranges:
            low, high = ranges[-1]
            assert high is not None
            if not any(chr(c).isalnum() for c in range(high, code)):
                ranges[-1] = (low, code + 1)
                continue
        ranges.append((code, code + 1))
    wide = [ord(c) for c in starts if ord(c) >= 0x80]
    if wide:
        ranges.append((min(wide), None))
    return ranges


def _starts_sql(source: str, rules: CellRules) -> str:
    """Whether `source` starts with one of `rules.starts`: first plain text comparisons, which
    nearly every cell fails without a function call (Chinese text and letters at the first two),
    then the exact test of the first character."""
    codes = ", ".join(str(ord(c)) for c in rules.starts)
    ranges = _first_char_ranges(rules.starts)
    narrow = [high for _, high in ranges if high is not None]
    wide = [low for low, high in ranges if high is None]
    outer = " OR ".join([f"{source} < char({max(narrow)})"] * bool(narrow) + [f"{source} >= char({min(wide)})"] * bool(wide))
    inner = " OR ".join(
        f"{source} >= char({low})" if high is None else f"({source} >= char({low}) AND {source} < char({high}))"
        for low, high in ranges
    )
    return f"({outer}) AND ({inner}) AND unicode({source}) IN ({codes})"


def _cell_list(sources: Mapping[str, str], columns: Sequence[str], rules: CellRules,
               numeric: frozenset[str] = frozenset()) -> list[str]:
    """Each column's finished cell. `numeric`: columns made by SQL from numbers alone (an id with
    its letter, yuan), which never start like a formula (a minus sign starts a plain number,
    which the rule leaves as it is): not tested, so their expression is not computed again."""
    parts = []
    for column in columns:
        source = sources[column]
        name = _quote(column)
        literals = rules.literals.get(column)
        if literals is not None:
            cases = " ".join(f"WHEN {_quote(k) if isinstance(k, str) else int(k)} THEN {_quote(v)}"
                             for k, v in literals.items())
            parts.append(f"CASE {source} {cases} ELSE hazreg_cell({name}, {source}) END")
        elif column in rules.guarded and rules.starts and column not in numeric:
            parts.append(f"CASE WHEN {_starts_sql(source, rules)} THEN hazreg_cell({name}, {source}) ELSE {source} END")
        else:
            parts.append(source)
    return parts


def _cells_sql(sources: Mapping[str, str], columns: Sequence[str], rules: CellRules,
               numeric: frozenset[str] = frozenset()) -> str:
    return ",\n    ".join(_cell_list(sources, columns, rules, numeric))


def _joined(items: Sequence[str]) -> str:
    """`items` concatenated by ||, nested as a balanced tree: SQLite copies both sides at each ||,
    so a left-to-right chain of 58 items would copy the start of the line 57 times."""
    if len(items) == 1:
        return items[0]
    middle = len(items) // 2
    return f"({_joined(items[:middle])} || {_joined(items[middle:])})"


def _line_sql(sources: Mapping[str, str], columns: Sequence[str], rules: CellRules, numeric: frozenset[str]) -> str:
    """A row's cells joined by commas and ended by CRLF, as UTF-8 bytes (NULL: an empty cell).

    printf builds it in one buffer, but its %s ends a cell at a NUL character, so a row with a
    NUL in any stored text (rare: nothing typed holds one, but a register's text may) is
    concatenated instead, which keeps every byte and costs twice as much. `numeric`: the
    columns made from numbers alone, which cannot hold one."""
    return _line_of(_cell_list(sources, columns, rules, numeric), sources, columns, rules, numeric)


def _line_of(cells: Sequence[str], sources: Mapping[str, str], columns: Sequence[str], rules: CellRules,
             numeric: frozenset[str]) -> str:
    printed = "printf('" + ",".join(["%s"] * len(cells)) + "\r\n', " + ", ".join(cells) + ")"
    items: list[str] = []
    for cell in cells:
        items += [f"ifnull({cell}, '')", "','"]
    items[-1] = "char(13, 10)"
    # A column kept as JSON text writes its decoded value, where a NUL is written \u0000 (a text
    # that only looks so, an escaped backslash before it, merely takes the slower way).
    nul = " OR ".join(f"instr({sources[c]}, char(0))" + (f" OR instr({sources[c]}, '\\u0000')" if c in rules.json else "")
                      for c in columns if c not in numeric)
    return f"CAST(CASE WHEN {nul} THEN {_joined(items)} ELSE {printed} END AS BLOB)"


def _quoted_sql(value: str) -> str:
    """`value` as a CSV field, quoted as csv.writer quotes it (CellRules.field): a value holding a
    comma, a double quote, CR or LF in double quotes, its double quotes doubled."""
    return (f"CASE WHEN instr({value}, ',') OR instr({value}, '\"') OR instr({value}, char(10)) OR instr({value}, char(13))"
            f" THEN '\"' || replace({value}, '\"', '\"\"') || '\"' ELSE {value} END")


def _field_list(sources: Mapping[str, str], columns: Sequence[str], rules: CellRules,
                numeric: frozenset[str] = frozenset()) -> list[str]:
    """Each column's finished cell as its CSV field (see _cell_list; `numeric`: made from numbers
    alone, never quoted). A cell the Python rule makes comes from `hazreg_field`, quoted there; a
    column kept as JSON text (rules.json) is always the rule's, from the stored text (its
    `json_field`), never copied: proving in SQL that a stored text is what the formatter would
    write cost more than writing it (see benchmarks/README.md, bench_export_scale.py)."""
    assert rules.field is not None
    parts = []
    for column in columns:
        source = sources[column]
        name = _quote(column)
        literals = rules.literals.get(column)
        if column in rules.json:
            parts.append(f"CASE WHEN {source} IS NULL THEN NULL ELSE hazreg_json_field({name}, {source}) END")
        elif literals is not None:
            cases = " ".join(f"WHEN {_quote(k) if isinstance(k, str) else int(k)} THEN {_quote(rules.field(v))}"
                             for k, v in literals.items())
            parts.append(f"CASE {source} {cases} ELSE hazreg_field({name}, {source}) END")
        elif column in numeric:
            parts.append(source)
        elif column in rules.guarded and rules.starts:
            parts.append(f"CASE WHEN {_starts_sql(source, rules)} THEN hazreg_field({name}, {source})"
                         f" ELSE {_quoted_sql(source)} END")
        else:
            parts.append(_quoted_sql(source))
    return parts


def _fields_line_sql(sources: Mapping[str, str], columns: Sequence[str], rules: CellRules,
                     numeric: frozenset[str]) -> str:
    """A row's CSV fields joined by commas and ended by CRLF, as UTF-8 bytes: the line csv.writer
    writes (printf, or concatenation where a text holds NUL, as in _line_sql)."""
    return _line_of(_field_list(sources, columns, rules, numeric), sources, columns, rules, numeric)


class ExportQueries:
    conn: sqlite3.Connection

    def _hazard_where(self, f: HazardFilter, today: date) -> tuple[str, dict[str, Any]] | None:  # provided by Store
        raise NotImplementedError

    def _unit_where(self, f: UnitFilter) -> tuple[str, dict[str, Any]]:  # provided by Store
        raise NotImplementedError

    def _cells(self, sql: str, params: dict[str, Any], rules: CellRules) -> Iterator[tuple[Any, ...]]:
        self.conn.create_function("hazreg_cell", 2, rules.cell, deterministic=True)
        return self._tuples_of(sql, params)

    def _tuples_of(self, sql: str, params: dict[str, Any]) -> sqlite3.Cursor:
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples, written as they come
        cursor.execute(sql, params)
        return cursor

    def _lines(self, sources: Mapping[str, str], columns: Sequence[str], rules: CellRules, source: str,
               cond: str, params: dict[str, Any], id_sql: str, numeric: frozenset[str]) -> CsvLines | None:
        """The CSV lines of `columns` FROM `source` WHERE `cond`, by id, and the way to the finished
        cells of some of those rows. None when this database does not keep its text as UTF-8."""
        if self.conn.execute("PRAGMA encoding").fetchone()[0] != "UTF-8":
            return None
        self.conn.create_function("hazreg_cell", 2, rules.cell, deterministic=True)
        cursor = self._tuples_of(f"SELECT {_line_sql(sources, columns, rules, numeric)}, {id_sql}\n"
                                 f"FROM {source} WHERE {cond} ORDER BY {id_sql}", params)

        def batches() -> Iterator[list[tuple[bytes, int]]]:
            while batch := cursor.fetchmany(BATCH):
                yield batch

        def cells(ids: Sequence[int]) -> Iterator[tuple[Any, ...]]:
            # The same connection, while the lines' statement is still open: the same snapshot, and
            # hazreg_cell as registered (SQLite refuses to register a function while one runs).
            wanted = {**params, "export_ids": json.dumps(list(ids))}
            return self._tuples_of(f"SELECT {_cells_sql(sources, columns, rules, numeric)}\nFROM {source} WHERE {cond}"
                                   f" AND {id_sql} IN (SELECT value FROM json_each(:export_ids)) ORDER BY {id_sql}",
                                   wanted)

        return CsvLines(batches(), cells)

    def history_lines(self, since: str | None, until: str | None, operator: str | None, columns: Sequence[str],
                      rules: CellRules, prefixes: Mapping[str, str]) -> CsvLines | None:
        """History entries as `history(since=…, until=…, operator=…)` gives them (oldest first),
        as finished CSV lines (CsvLines.quoted): record_id with its record type's letter
        (`prefixes`), before and after written by the rule from their stored text. None where
        this database does not keep its text as UTF-8."""
        if self.conn.execute("PRAGMA encoding").fetchone()[0] != "UTF-8":
            return None
        assert rules.field is not None
        field, cell = rules.field, rules.cell
        self.conn.create_function("hazreg_field", 2, lambda column, value: field(cell(column, value)),
                                  deterministic=True)
        self.conn.create_function("hazreg_json_field", 2, rules.json_field or (lambda column, value: field(cell(column, value))),
                                  deterministic=True)
        where, params = ["1"], {}
        for clause, key, value in (("effective_at >= :since", "since", since), ("effective_at < :until", "until", until),
                                   ("operator = :operator", "operator", operator)):
            if value or (key == "operator" and value is not None):  # as Store.history filters
                where.append(clause)
                params[key] = value
        sources = {c: c for c in columns}
        cases = " ".join(f"WHEN {_quote(kind)} THEN {_quote(letter)} || record_id" for kind, letter in prefixes.items())
        sources["record_id"] = f"(CASE record_type {cases} ELSE record_id END)"
        cursor = self._tuples_of(f"SELECT {_fields_line_sql(sources, columns, rules, frozenset({'seq'}))}, seq"
                                 f" FROM history WHERE {' AND '.join(where)} ORDER BY seq", params)

        def batches() -> Iterator[list[tuple[bytes, int]]]:
            while batch := cursor.fetchmany(BATCH):
                yield batch

        return CsvLines(batches(), lambda ids: iter(()), quoted=True)

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
        found = self._hazard_query(f, today, columns, plan_fields)
        if found is None:
            return None
        sources, source, cond, params = found
        return f"SELECT {_cells_sql(sources, columns, rules, _HAZARD_NUMERIC)}\nFROM {source} WHERE {cond} ORDER BY h.id", params

    def hazard_lines(self, f: HazardFilter, today: date, columns: Sequence[str], rules: CellRules,
                     plan_fields: Sequence[str]) -> CsvLines | None:
        """The hazards of `hazard_cells` as CSV lines (see CsvLines); None: use `hazard_cells`."""
        found = self._hazard_query(f, today, columns, plan_fields)
        if found is None:
            return CsvLines(iter(()), lambda ids: iter(()))
        sources, source, cond, params = found
        return self._lines(sources, columns, rules, source, cond, params, "h.id", _HAZARD_NUMERIC)

    def _hazard_query(self, f: HazardFilter, today: date, columns: Sequence[str], plan_fields: Sequence[str]
                      ) -> tuple[dict[str, str], str, str, dict[str, Any]] | None:
        """Each column's SQL, the FROM, the WHERE and its parameters (None: nothing can match)."""
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
        return sources, "hazards h JOIN units u ON u.id = h.unit_id", cond, params

    @staticmethod
    def _unit_sources(columns: Sequence[str]) -> dict[str, str]:
        sources = {c: f"units.{c}" for c in columns}
        sources["id"] = "'U' || units.id"
        sources["industries"] = ("(SELECT group_concat(industry, '、') FROM (SELECT industry FROM unit_industries ui"
                                 " WHERE ui.unit_id = units.id ORDER BY position))")
        return sources

    def unit_cells(self, f: UnitFilter, columns: Sequence[str], rules: CellRules) -> Iterator[tuple[Any, ...]]:
        """The cells of units matching `f`, by id, one tuple a row."""
        cond, params = self._unit_where(f)
        sql = (f"SELECT {_cells_sql(self._unit_sources(columns), columns, rules, _UNIT_NUMERIC)}\n"
               f"FROM units WHERE {cond} ORDER BY units.id")
        return self._cells(sql, params, rules)

    def unit_lines(self, f: UnitFilter, columns: Sequence[str], rules: CellRules) -> CsvLines | None:
        """The units of `unit_cells` as CSV lines (see CsvLines); None: use `unit_cells`."""
        cond, params = self._unit_where(f)
        return self._lines(self._unit_sources(columns), columns, rules, "units", cond, params, "units.id",
                           _UNIT_NUMERIC)
