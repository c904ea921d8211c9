"""Bringing a district's roster and hazard ledger in from its spreadsheets.

Every row is validated by the same models as `unit add` and `add`. The whole import
is one transaction: by default, if any row is bad, nothing is written (all or
nothing); with `skip_invalid` the good rows are written. Either way each bad row is
reported with its spreadsheet row number, column, value and reason. Rows are
streamed: a million-row file needs no more memory than a small one.

Matching, so that re-importing an updated file updates instead of duplicating:
units by global id, else credit code, else exact name (for units without a code);
hazards by global id, else by unit + date found + description.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from hazreg import dates
from hazreg.columns import HAZARD_FIELDS, UNIT_FIELDS, map_headers
from hazreg.enums import Status
from hazreg.errors import InvalidInput
from hazreg.register.base import diff, new_uid, parse_id, plain
from hazreg.register.hazards import HazardOps
from hazreg.register.transfer import inspection_of_hazard

Progress = Callable[[int], None]
REQUIRED_UNIT = ("name", "industry", "locality")
REQUIRED_HAZARD = ("description", "found_on")
_UNIT_LINKS = ("credit_code", "unit_name", "unit_id")


class Rejection(NamedTuple):
    row: int
    column: str
    value: str
    reason: str
    cells: list[str]


class ImportReport:
    """What an import did (or, on a dry run or when refused, would have done)."""

    def __init__(self, kind: str, headers: list[str], ignored: list[str], dry_run: bool, skip_invalid: bool) -> None:
        self.kind = kind
        self.skip_invalid = skip_invalid
        self.headers = headers
        self.ignored_columns = ignored
        self.dry_run = dry_run
        self.created = self.updated = self.unchanged = 0
        self.rejected: list[Rejection] = []
        self.written = False

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)


class _Rollback(Exception):
    """Raised inside the import's transaction to leave the register as it was."""


class _Bad(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason


class ImportOps(HazardOps):
    def _run_import(
        self,
        report: ImportReport,
        rows: Iterator[tuple[int, list[str]]],
        columns: dict[int, str],
        handle: Callable[[int, dict[str, str]], str],
        skip_invalid: bool,
        progress: Progress | None,
        bulk: Any = None,
    ) -> ImportReport:
        field_column = {field: report.headers[i] for i, field in columns.items()}
        index_of = {field: i for i, field in columns.items()}
        items = list(columns.items())
        self.store.tune_for_bulk()
        # An import makes millions of short-lived objects and no reference cycles worth
        # collecting; Python's cycle collector would rescan the growing heap again and again.
        gc.disable()
        try:
            with self.store.transaction():
                for count, (number, cells) in enumerate(rows, start=1):
                    if progress and count % 2000 == 0:
                        progress(count)
                    if not any(c.strip() for c in cells):
                        continue  # a blank line is not a record
                    data = {field: cells[i] for i, field in items if i < len(cells)}
                    try:
                        outcome = handle(number, data)
                    except InvalidInput as error:
                        bad = _Bad(error.field, error.reason())
                    except _Bad as error:
                        bad = error
                    else:
                        setattr(report, outcome, getattr(report, outcome) + 1)
                        continue
                    column = field_column.get(bad.field or "", "")
                    value = cells[index_of[bad.field]] if bad.field in index_of and index_of[bad.field] < len(cells) else ""
                    report.rejected.append(Rejection(number, column, value, bad.reason, cells))
                if bulk is not None:
                    bulk.flush()
                if report.dry_run or (report.rejected and not skip_invalid):
                    raise _Rollback
                report.written = True
        except _Rollback:
            pass
        finally:
            gc.enable()
        return report

    # -- units ----------------------------------------------------------------------------

    def import_units(
        self,
        headers: list[str],
        rows: Iterator[tuple[int, list[str]]],
        overrides: dict[str, str] | None = None,
        skip_invalid: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import a roster: new units are added, known ones updated, every change in history."""
        from hazreg.models import UnitData, validate

        columns, ignored = map_headers(headers, UNIT_FIELDS, overrides)
        _require(columns, REQUIRED_UNIT)
        report = ImportReport("units", headers, ignored, dry_run, skip_invalid)
        by_uid: dict[str, int] = {}
        by_code: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        for unit_id, uid, name, code, _industry, _locality in self.store.unit_keys():
            by_uid[uid] = unit_id
            if code:
                by_code[code] = unit_id
            else:
                by_name.setdefault(name, []).append(unit_id)
        seen: dict[str, int] = {}  # uid or credit code -> the file row that used it first

        def handle(number: int, data: dict[str, str]) -> str:
            given_id, uid = data.pop("id", ""), data.pop("uid", "").strip()
            unit = validate(UnitData, data)
            for key, field in ((uid, "uid"), (unit.credit_code, "credit_code")):
                if key and key in seen:
                    raise _Bad(field, _t("err.duplicate_in_file", value=key, row=seen[key]))
            existing = by_uid.get(uid) if uid else None
            if existing is None and unit.credit_code:
                existing = by_code.get(unit.credit_code)
            if existing is None and not unit.credit_code and not uid:  # a uid names its own unit
                same = by_name.get(unit.name, [])
                if len(same) > 1:
                    raise _Bad("name", _t("err.unit_ambiguous", value=unit.name, ids=", ".join(f"U{i}" for i in same)))
                existing = same[0] if same else None
            record = {k: plain(v) for k, v in unit.model_dump().items()}
            if existing is not None:
                current = self.store.unit(existing)
                assert current is not None
                if current["credit_code"] and unit.credit_code is None:
                    record["credit_code"] = current["credit_code"]  # a blank cell does not erase a code
                before, after = diff(current, record)
                if not after:
                    outcome = "unchanged"
                else:
                    if "credit_code" in after and by_code.get(record["credit_code"], existing) != existing:
                        raise _Bad("credit_code", _t("err.code_taken_short", code=record["credit_code"]))
                    self.store.update_unit(existing, {**after, "updated_at": dates.timestamp()})
                    self.log("unit", existing, "import", before, after)
                    outcome = "updated"
                unit_id = existing
            else:
                if unit.credit_code and unit.credit_code in by_code:
                    raise _Bad("credit_code", _t("err.code_taken_short", code=unit.credit_code))
                now = dates.timestamp()
                row = {"uid": uid or new_uid(), **record, "created_at": now, "updated_at": now}
                wanted = _wanted_id(given_id, "U")
                if wanted and not self.store.id_taken("units", wanted):
                    row["id"] = wanted
                unit_id = self.store.insert_unit(row)
                self.log("unit", unit_id, "import", None, {k: v for k, v in record.items() if v is not None})
                outcome = "created"
                by_uid[row["uid"]] = unit_id
                if not unit.credit_code:
                    by_name.setdefault(unit.name, []).append(unit_id)
            if unit.credit_code:
                by_code[unit.credit_code] = unit_id
                seen[unit.credit_code] = number
            if uid:
                seen[uid] = number
            return outcome

        return self._run_import(report, rows, columns, handle, skip_invalid, progress)

    # -- hazards --------------------------------------------------------------------------

    def import_hazards(
        self,
        headers: list[str],
        rows: Iterator[tuple[int, list[str]]],
        overrides: dict[str, str] | None = None,
        skip_invalid: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import a hazard ledger; each row names its unit by credit code or exact name."""
        from hazreg.models import HazardData, validate

        columns, ignored = map_headers(headers, HAZARD_FIELDS, overrides)
        _require(columns, REQUIRED_HAZARD)
        if not set(columns.values()) & set(_UNIT_LINKS):
            raise InvalidInput("err.missing_columns", "file", columns="unit_name / credit_code")
        report = ImportReport("hazards", headers, ignored, dry_run, skip_invalid)
        by_code: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        names: dict[int, str] = {}
        places: dict[int, tuple[str, str]] = {}
        for unit_id, _uid, name, code, industry, locality in self.store.unit_keys():
            if code:
                by_code[code] = unit_id
            by_name.setdefault(name, []).append(unit_id)
            names[unit_id] = name
            places[unit_id] = (industry, locality)
        today = self.today()
        now = dates.timestamp()  # one moment for the whole import: when it was saved

        def unit_of(data: dict[str, str]) -> int:
            code = data.pop("credit_code", "").strip()
            name = data.pop("unit_name", "").strip()
            given = data.pop("unit_id", "").strip()
            if code:
                from hazreg.creditcode import normalise

                found = by_code.get(normalise(code))
                if found is None:
                    raise _Bad("credit_code", _t("err.unknown_unit", value=code))
                return found
            if name:
                same = by_name.get(name, [])
                if len(same) == 1:
                    return same[0]
                if len(same) > 1:
                    wanted = _wanted_id(given, "U")
                    if wanted in same:
                        return wanted
                    raise _Bad("unit_name", _t("err.unit_ambiguous", value=name, ids=", ".join(f"U{i}" for i in same)))
                raise _Bad("unit_name", _t("err.unknown_unit", value=name))
            wanted = _wanted_id(given, "U")
            if wanted in names:
                return wanted
            raise _Bad("unit_id" if given else "unit_name", _t("err.unknown_unit", value=given))

        # New hazards are written in batches; a row may match one already in the register
        # or one earlier in this file (written first if it is still in the batch).
        bulk = self.store.bulk_hazards(self.operator)

        def existing_hazard(key: Any, uid: str, unit_id: int, found_on: Any, description: str) -> dict[str, Any] | None:
            if key in bulk.pending_keys:
                bulk.flush()
            if uid:
                hazard_id = self.store.hazard_id_by_uid(uid)
                return self.store.hazard(hazard_id, today) if hazard_id else None
            return self.store.hazard_by_key(unit_id, found_on, description, today)

        def handle(number: int, data: dict[str, str]) -> str:
            given_id, uid = data.pop("id", ""), data.pop("uid", "").strip()
            unit_id = unit_of(data)
            industry, locality = places[unit_id]
            fields: dict[str, Any] = {"industry": industry, "locality": locality, "status": Status.OPEN}
            fields.update((k, v) for k, v in data.items() if v.strip())
            fields["unit_id"] = unit_id
            if "inspection_id" in fields:
                fields["inspection_id"] = inspection_of_hazard(self, fields["inspection_id"], unit_id)
            hazard = validate(HazardData, fields, today)
            key = uid or (unit_id, hazard.found_on, hazard.description)
            existing = existing_hazard(key, uid, unit_id, hazard.found_on, hazard.description)
            if existing is not None:
                record = hazard.model_dump()
                before, after = diff({k: existing[k] for k in record}, record)
                if not after:
                    return "unchanged"
                changes = {k: record[k] for k in after} | {"updated_at": now}
                self.store.update_hazard(existing["id"], changes, today)
                self.log("hazard", existing["id"], "import", before, after)
                return "updated"
            record = {"uid": uid or new_uid(), **hazard.model_dump(mode="json"), "created_at": now, "updated_at": now}
            bulk.add(record, names[unit_id], now, key, _wanted_id(given_id, "H"))
            return "created"

        report = self._run_import(report, rows, columns, handle, skip_invalid, progress, bulk)
        return report



def _t(key: str, **params: Any) -> str:
    from hazreg.i18n import t

    return t(key, **params)


def _require(columns: dict[int, str], required: tuple[str, ...]) -> None:
    missing = [f for f in required if f not in columns.values()]
    if missing:
        raise InvalidInput("err.missing_columns", "file", columns=", ".join(missing))


def _wanted_id(text: str, prefix: str) -> int | None:
    if not text or not text.strip():
        return None
    try:
        return parse_id(text, prefix)
    except InvalidInput:
        return None


__all__ = ["ImportOps", "ImportReport", "Rejection"]
