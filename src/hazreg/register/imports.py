"""Bringing a district's roster and hazard ledger in from its spreadsheets.

Every row is validated by the same models as `unit add` and `add`. The whole import
is one transaction: by default, if any row is bad, nothing is written (all or
nothing); with `skip_invalid` the good rows are written. Either way each bad row is
reported with its spreadsheet row number, column, value and reason. Rows are
streamed: a million-row file needs no more memory than a small one, however many of
its rows are bad (the report keeps the first REJECTIONS_KEPT; `on_reject` gets them all).

Matching, so that re-importing an updated file updates instead of duplicating:
units by global id, else credit code, else exact name (for units without a code);
hazards by global id, else by unit + date found + description. Two rows of one file
for the same record are a duplicate, never merged. A re-import changes only the
fields whose columns the file has; a blank cell changes nothing unless the user
asks for blank cells to clear (`blank_clears`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from hazreg import dates
from hazreg.columns import (
    HAZARD_FIELDS,
    MONEY_FIELDS,
    UNIT_FIELDS,
    in_ten_thousand_yuan,
    map_headers,
)
from hazreg.enums import Level, Status
from hazreg.errors import InvalidInput
from hazreg.money import as_wan
from hazreg.register.base import Context, diff, new_uid, parse_id, plain
from hazreg.register.lifecycle import (
    HISTORY_ACTION,
    MOVE_FIELDS,
    MOVES,
    allowed_moves,
    check_edit,
    field_names,
    gate,
    missing_plan,
    path,
)
from hazreg.register.transfer import inspection_of_hazard
from hazreg.register.units import with_industries
from hazreg.search import nfc

if TYPE_CHECKING:
    from hazreg.register.campaigns import Campaigns
    from hazreg.register.places import Places

Progress = Callable[[int], None]
# The rejected rows an import keeps for its report; the rest are counted, and every one goes
# to the caller's `on_reject` (the --errors file) as it is found: 2,000,000 bad rows must not
# fill the memory.
REJECTIONS_KEPT = 1000
# A hazard file of about this many rows or more (estimated from its size) is loaded with a
# rollback journal instead of the WAL when nobody else has the register open (see
# Store.bulk_journal): far less written for a big load; a district's file never gets here.
EXCLUSIVE_FROM = 64_000
REQUIRED_UNIT = ("name", "industry", "locality")
REQUIRED_HAZARD = ("description", "found_on")
_UNIT_LINKS = ("credit_code", "unit_name", "unit_id")
# Cells that record a verification (复查/验收) or closing (销号).
_VERIFICATION = ("verified_by", "verified_on", "verify_note", "closed_on")
_LIFECYCLE_FIELDS = ("rectified_on", "verified_by", "verified_on", "verify_note", "closed_on", "void_reason")
_UNIT_CLEARABLE = frozenset(("address", "contact", "phone", "risk"))  # never the credit code: the unit's identity


class Problem(NamedTuple):
    column: str
    value: str  # as shown: shortened if long
    reason: str


class Rejection(NamedTuple):
    """A bad row: every problem found in it, and its cells as they were."""

    row: int
    problems: list[Problem]
    cells: list[str]

    @property
    def column(self) -> str:
        return "; ".join(dict.fromkeys(p.column for p in self.problems if p.column))

    @property
    def reason(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0].reason
        return "; ".join(f"{p.column}: {p.reason}" if p.column else p.reason for p in self.problems)


class ImportReport:
    """What an import did (or, on a dry run or when refused, would have done)."""

    def __init__(self, kind: str, headers: list[str], ignored: list[str], dry_run: bool, skip_invalid: bool) -> None:
        self.kind = kind
        self.skip_invalid = skip_invalid
        self.headers = headers
        self.ignored_columns = ignored
        self.dry_run = dry_run
        self.created = self.updated = self.unchanged = 0
        # The first REJECTIONS_KEPT bad rows, with their problems but not their cells (a row may
        # be a megabyte); `rejected_count` counts them all.
        self.rejected: list[Rejection] = []
        self.rejected_count = 0
        self.written = False
        # Rows taken as closed (or rectified) that gave no date for it: placed at the best date they had.
        self.undated = {"closed": 0, "rectified": 0}

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected_count

    def reject(self, rejection: Rejection, on_reject: Callable[[Rejection], None] | None) -> None:
        """Count a bad row, keep it for the report if it is among the first, and pass it on whole."""
        self.rejected_count += 1
        if len(self.rejected) < REJECTIONS_KEPT:
            self.rejected.append(rejection._replace(cells=[]))
        if on_reject is not None:
            on_reject(rejection)


class _Rollback(Exception):
    """Raised inside the import's transaction to leave the register as it was."""


class _Bad(Exception):
    def __init__(self, field: str | None, reason: str, more: Exception | None = None) -> None:
        self.field = field
        self.reason = reason
        self.more = more  # the row's other problems, if any


# A value longer than this is shown as its start and its length in a rejection.
SHOW_MAX = 40


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > SHOW_MAX:
        from hazreg.i18n import t

        return t("msg.value_shortened", start=value[:SHOW_MAX], length=len(value))
    return value


def _problems(error: Exception) -> list[tuple[str | None, str]]:
    """(field, reason) of each problem in a rejected row; long values in reasons shortened."""
    from hazreg.errors import InvalidFields

    if isinstance(error, _Bad):
        return [(error.field, error.reason), *(_problems(error.more) if error.more else [])]
    errors = error.problems if isinstance(error, InvalidFields) else [error]
    return [(e.field, _t(e.key, **e.params)) for e in errors if isinstance(e, InvalidInput)]


def present_changes(
    record: dict[str, Any], cells: dict[str, str], blank_clears: bool, clearable: frozenset[str]
) -> dict[str, Any]:
    """What a row may change in the record it matches: only the fields the file has columns for.

    A filled cell sets its field (`record` holds the row's validated values); a blank one
    leaves it alone, or with `blank_clears` empties it if the field may be empty.
    """
    changes: dict[str, Any] = {}
    for field, text in cells.items():
        if field not in record:
            continue
        if text.strip():
            changes[field] = record[field]
        elif blank_clears and field in clearable:
            changes[field] = None
    return changes


class Imports:
    """The register's spreadsheet and record imports."""

    def __init__(self, ctx: Context, campaigns: Campaigns, places: Places) -> None:
        self.ctx = ctx
        self.campaigns = campaigns
        self.places = places

    def _locality_check(self, add: bool) -> Callable[[str], str]:
        """A row's locality: on the list (or added, with `add`), else the row is refused saying why."""
        from hazreg.register.places import LocalityCheck

        check = LocalityCheck(self.places, add)

        def locality(name: str) -> str:
            try:
                return check(name)
            except InvalidInput as error:
                raise _Bad("locality", error.reason()) from None

        return locality

    def _run_import(
        self,
        report: ImportReport,
        rows: Iterator[tuple[int, list[str]]],
        columns: dict[int, str],
        handle: Callable[[int, dict[str, str]], str],
        skip_invalid: bool,
        progress: Progress | None,
        bulk: Any = None,
        on_reject: Callable[[Rejection], None] | None = None,
    ) -> ImportReport:
        field_column = {field: report.headers[i] for i, field in columns.items()}
        index_of = {field: i for i, field in columns.items()}
        items = list(columns.items())
        self.ctx.store.tune_for_bulk()
        # What is in memory before the import (the unit maps, the modules) is set aside from the
        # cycle collector, so it is not rescanned again and again. The collector stays on: a
        # rejected row leaves cycles (an exception, its traceback, their frames) that only it
        # frees; with it off, 200,000 bad rows took 1 GB, with it on 42 MB, and no slower.
        gc.freeze()
        big = bulk is not None and not report.dry_run and getattr(rows, "expected", 0) >= EXCLUSIVE_FROM
        try:
            with self.ctx.store.bulk_journal() if big else nullcontext(False), self.ctx.store.transaction():
                for count, (number, cells) in enumerate(rows, start=1):
                    if progress and count % 2000 == 0:
                        progress(count)
                    if not any(c.strip() for c in cells):
                        continue  # a blank line is not a record
                    data = {field: cells[i] for i, field in items if i < len(cells)}
                    try:
                        outcome = handle(number, data)
                    except (InvalidInput, _Bad) as error:
                        problems = []
                        for field, reason in sorted(_problems(error), key=lambda p: index_of.get(p[0] or "", 1 << 30)):
                            at = index_of.get(field or "", len(cells))
                            value = _short(cells[at]) if at < len(cells) else ""
                            problems.append(Problem(field_column.get(field or "", ""), value, reason))
                        report.reject(Rejection(number, problems, cells), on_reject)
                    else:
                        setattr(report, outcome, getattr(report, outcome) + 1)
                if bulk is not None:
                    bulk.flush(last=True)
                if report.dry_run or (report.rejected_count and not skip_invalid):
                    raise _Rollback
                if bulk is not None:
                    bulk.finish()
                report.written = True
        except _Rollback:
            pass
        finally:
            gc.unfreeze()
        return report

    # -- units ----------------------------------------------------------------------------

    def units(
        self,
        headers: list[str],
        rows: Iterator[tuple[int, list[str]]],
        overrides: dict[str, str] | None = None,
        skip_invalid: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
        blank_clears: bool = False,
        on_reject: Callable[[Rejection], None] | None = None,
        add_localities: bool = False,
    ) -> ImportReport:
        """Import a roster: new units are added, known ones updated, every change in history."""
        from hazreg.models import UnitData, validate

        columns, ignored = map_headers(headers, UNIT_FIELDS, overrides)
        _require(columns, REQUIRED_UNIT)
        report = ImportReport("units", headers, ignored, dry_run, skip_invalid)
        today = self.ctx.today()
        by_uid: dict[str, int] = {}
        by_code: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        for unit_id, uid, name, code, _industry, _locality in self.ctx.store.unit_keys():
            by_uid[uid] = unit_id
            if code:
                by_code[code] = unit_id
            else:
                by_name.setdefault(name, []).append(unit_id)
        seen: dict[Any, int] = {}  # uid, credit code or ("name", name) -> the file row that used it first
        locality_of = self._locality_check(add_localities)

        def handle(number: int, data: dict[str, str]) -> str:
            given_id, uid = data.pop("id", ""), data.pop("uid", "").strip()
            registered_text = data.pop("registered_on", "").strip()
            registered = dates.parse_date(registered_text, today, "registered_on") if registered_text else None
            unit = validate(UnitData, with_industries(data))
            unit = unit.model_copy(update={"locality": locality_of(unit.locality)})
            # a uid says which unit a row is: namesakes with their own uids are two units
            name_key = None if unit.credit_code or uid else ("name", unit.name)
            for key, field in ((uid, "uid"), (unit.credit_code, "credit_code"), (name_key, "name")):
                if key and key in seen:
                    shown = key[1] if isinstance(key, tuple) else key
                    raise _Bad(field, _t("err.duplicate_in_file", value=shown, row=seen[key]))
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
                current = self.ctx.store.unit(existing)
                assert current is not None
                # A blank credit code never erases one: it is how the unit is known.
                changes = present_changes(record, data, blank_clears, _UNIT_CLEARABLE)
                if "industry" in changes or "industries" in changes:  # the unit's industries, as a whole
                    changes.update(industry=record["industry"], industries=record["industries"])
                before, after = diff(current, changes)
                if not after:
                    outcome = "unchanged"
                else:
                    if "credit_code" in after and by_code.get(record["credit_code"], existing) != existing:
                        raise _Bad("credit_code", _t("err.code_taken_short", code=record["credit_code"]))
                    self.ctx.store.update_unit(existing, {**after, "updated_at": dates.timestamp()})
                    self.ctx.log("unit", existing, "import", before, after)
                    outcome = "updated"
                unit_id = existing
            else:
                if unit.credit_code and unit.credit_code in by_code:
                    raise _Bad("credit_code", _t("err.code_taken_short", code=unit.credit_code))
                now = dates.timestamp()
                row = {"uid": uid or new_uid(), **record, "created_at": now, "updated_at": now}
                wanted = _wanted_id(given_id, "U")
                if wanted and not self.ctx.store.id_taken("units", wanted):
                    row["id"] = wanted
                unit_id = self.ctx.store.insert_unit(row)
                self.ctx.log("unit", unit_id, "import", None, {k: v for k, v in record.items() if v is not None},
                         on=registered)
                outcome = "created"
                by_uid[row["uid"]] = unit_id
                if not unit.credit_code:
                    by_name.setdefault(unit.name, []).append(unit_id)
            if unit.credit_code:
                by_code[unit.credit_code] = unit_id
                seen[unit.credit_code] = number
            if uid:
                seen[uid] = number
            if name_key:
                seen[name_key] = number
            return outcome

        return self._run_import(report, rows, columns, handle, skip_invalid, progress, on_reject=on_reject)

    # -- hazards --------------------------------------------------------------------------

    def hazards(
        self,
        headers: list[str],
        rows: Iterator[tuple[int, list[str]]],
        overrides: dict[str, str] | None = None,
        skip_invalid: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
        legacy: bool = False,
        verified_as_closed: bool = False,
        blank_clears: bool = False,
        on_reject: Callable[[Rejection], None] | None = None,
        add_localities: bool = False,
    ) -> ImportReport:
        """Import a hazard ledger; each row names its unit by credit code or exact name.

        A row's status is reached through the lifecycle's moves, each with its gates and
        each in history at the row's date for it (found, rectified, closed), so reports
        count the ledger's past as if it had been entered on those days. `legacy` takes
        closed major hazards without their five guarantees or verifier (flagged ever
        after); `verified_as_closed` takes a row with a verification but no status as closed."""
        from hazreg.fastmodel import FastModel
        from hazreg.models import HazardData, validate

        columns, ignored = map_headers(headers, HAZARD_FIELDS, overrides)
        in_wan = [f for i, f in columns.items() if f in MONEY_FIELDS and in_ten_thousand_yuan(headers[i])]
        clearable = frozenset(k for k, info in HazardData.model_fields.items() if info.default is None)
        _require(columns, REQUIRED_HAZARD)
        if not set(columns.values()) & set(_UNIT_LINKS):
            raise InvalidInput("err.missing_columns", "file", columns="unit_name / credit_code")
        report = ImportReport("hazards", headers, ignored, dry_run, skip_invalid)
        by_code: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        names: dict[int, str] = {}
        places: dict[int, tuple[str, str]] = {}
        for unit_id, _uid, name, code, industry, locality in self.ctx.store.unit_keys():
            if code:
                by_code[code] = unit_id
            by_name.setdefault(name, []).append(unit_id)
            names[unit_id] = name
            places[unit_id] = (industry, locality)
        today = self.ctx.today()
        general_days = self.ctx.days_setting("general_deadline_days")
        now = dates.timestamp()  # one moment for the whole import: when it was saved
        day_starts: dict[date, str] = {}

        def moment(day: date | None, not_before: str | None = None) -> str:
            """Context.moment with this import's clock, each day's start worked out once."""
            if day is None or day >= today:
                at = now
            else:
                at = day_starts.get(day) or day_starts.setdefault(day, dates.local_day_bounds(day, self.ctx.timezone)[0])
            if not_before is not None and not_before > at:
                at = not_before
            return min(at, now)

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
                same = by_name.get(nfc(name), [])  # names are kept NFC: an NFD cell finds its unit
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
        bulk = self.ctx.store.bulk_hazards(self.ctx.operator)
        fast_hazard = FastModel(HazardData, today)

        def existing_hazard(key: Any, uid: str, unit_id: int, found_on: Any, description: str) -> dict[str, Any] | None:
            if not bulk.may_exist(uid, unit_id, found_on.isoformat(), description):
                return None  # a register that had no hazards, and no earlier row of this file with this key
            if key in bulk.pending_keys:
                bulk.flush()
            if uid:
                hazard_id = self.ctx.store.hazard_id_by_uid(uid)
                return self.ctx.store.hazard(hazard_id, today) if hazard_id else None
            return self.ctx.store.hazard_by_key(unit_id, found_on, description, today)

        def other_problems(data: dict[str, str]) -> Exception | None:
            """The rest of a row whose unit is not known, checked for its own problems."""
            fields: dict[str, Any] = {"industry": "other", "locality": "-", "unit_id": 0}
            fields.update((k, v) for k, v in data.items() if v.strip())
            try:
                validate(HazardData, fields, today)
            except InvalidInput as error:
                return error
            return None

        locality_of = self._locality_check(add_localities)

        def handle(number: int, data: dict[str, str]) -> str:
            given_id, uid = data.pop("id", ""), data.pop("uid", "").strip()
            for field in in_wan:
                if field in data:
                    data[field] = as_wan(data[field])
            try:
                unit_id = unit_of(data)
            except _Bad as error:
                raise _Bad(error.field, error.reason, other_problems(data)) from None
            industry, locality = places[unit_id]
            status_given = bool(data.get("status", "").strip())
            if not status_given and any(data.get(f, "").strip() for f in _VERIFICATION):
                # A verified row is not an open (and soon overdue) hazard: say so, or take it as closed.
                if not verified_as_closed:
                    raise _Bad("status", _t("err.import_verified_no_status"))
                data["status"] = Status.CLOSED.value
                status_given = True
            fields: dict[str, Any] = {"industry": industry, "locality": locality, "status": Status.OPEN}
            fields.update((k, v) for k, v in data.items() if v.strip())
            if data.get("locality", "").strip():
                fields["locality"] = locality_of(data["locality"])
            fields["unit_id"] = unit_id
            if "inspection_id" in fields:
                fields["inspection_id"] = inspection_of_hazard(self, fields["inspection_id"], unit_id)
            hazard = fast_hazard(fields)  # the model's validation, Pydantic's for any row it is unsure of
            if hazard.status == Status.CLOSED and hazard.closed_on is None and hazard.verified_on is not None:
                hazard = hazard.model_copy(update={"closed_on": hazard.verified_on})  # 验收/复查日期 is the closing day
            key = uid or (unit_id, hazard.found_on, hazard.description)
            existing = existing_hazard(key, uid, unit_id, hazard.found_on, hazard.description)
            if existing is not None:
                first = bulk.claim(existing["id"], number)
                if first is not None:  # never merged: a later row must not undo an earlier one
                    if uid:
                        raise _Bad("uid", _t("err.duplicate_in_file", value=uid, row=first))
                    raise _Bad("description", _t("err.duplicate_hazard_in_file", row=first))
                changes = present_changes(hazard.model_dump(), data, blank_clears, clearable)
                changes["unit_id"] = unit_id
                if "status" in changes and hazard.closed_on is not None:
                    changes.setdefault("closed_on", hazard.closed_on)  # taken from its 验收/复查日期
                before, after = diff({k: existing[k] for k in changes}, changes)
                if not after:
                    return "unchanged"
                merged, moves = self._reimport_hazard(existing, {k: changes[k] for k in after}, before, after, legacy)
                record = merged.model_dump()
                current = Status.parse(existing["status"])
                entries = _lifecycle_entries(current, existing, record, moves,
                                             self._move_days(merged, existing, moves, report), moment,
                                             self.ctx.store.last_effective("hazard", existing["id"]))
                update = {k: record[k] for k in after}
                if "verify --fail" in moves:
                    update["rectified_on"] = None  # sent back to rectifying, as `verify --fail` does
                self.ctx.store.update_hazard(existing["id"], update | {"updated_at": now}, today)
                moved = set().union(*(e[2] for e in entries)) if entries else set()
                rest = [k for k in after if k not in moved]
                for action, entry_before, entry_after, note, effective in entries:
                    self.ctx.store.add_history({"at": now, "effective_at": effective, "operator": self.ctx.operator,
                                            "record_type": "hazard", "record_id": existing["id"], "action": action,
                                            "before": entry_before, "after": entry_after, "note": note})
                if rest:
                    self.ctx.log("hazard", existing["id"], "import", {k: before[k] for k in rest},
                             {k: after[k] for k in rest})
                return "updated"
            if hazard.deadline is None and hazard.status in (Status.OPEN, Status.RECTIFYING):
                # As `add`: a major hazard needs its deadline, a general one gets the default.
                if hazard.level == Level.MAJOR:
                    raise _Bad("deadline", _t("err.deadline_required_major"))
                hazard = hazard.model_copy(update={"deadline": hazard.found_on + timedelta(days=general_days)})
            moves = self._import_moves(f"row {number}", Status.OPEN, hazard, legacy)
            record = {"uid": uid or new_uid(), **hazard.model_dump(mode="json"), "created_at": now, "updated_at": now}
            fresh = {k: v for k, v in record.items() if k not in ("uid", "created_at", "updated_at")}
            moved = {f for move in moves for f in MOVE_FIELDS[move]}
            created = {k: v for k, v in fresh.items() if v is not None and k not in moved}
            found = moment(hazard.found_on)
            entries = [("import", None, {**created, "status": Status.OPEN.value}, None, found)]
            entries += _lifecycle_entries(Status.OPEN, created, fresh, moves, self._move_days(hazard, None, moves, report),
                                          moment, found)
            bulk.add(record, names[unit_id], now, key, _wanted_id(given_id, "H"), entries, number)
            return "created"

        report = self._run_import(report, rows, columns, handle, skip_invalid, progress, bulk, on_reject)
        return report

    def _import_moves(self, ref: str, current: Status, hazard: Any, legacy: bool) -> list[str]:
        """The lifecycle moves an imported row's status needs, checked by the lifecycle's gates."""
        if hazard.status == current:
            return []
        moves = path(current, hazard.status)
        if moves is None:
            allowed = ", ".join(allowed_moves(current))
            raise _Bad("status", _t("err.import_status_path" if allowed else "err.import_status_frozen", id=ref,
                                    status=current.label(), to=hazard.status.label(), allowed=allowed))
        record = hazard.__dict__  # the fields as validated, without a copy
        for move in moves:
            missing = gate(move, record)
            if missing and move == "verify":
                if not legacy:
                    raise _Bad("status", _t("err.import_close_major", missing=field_names(missing)))
            elif missing:
                raise _Bad(missing[0], _t("err.import_gate", status=hazard.status.label(), missing=field_names(missing)))
        return moves

    def _move_days(self, hazard: Any, existing: dict[str, Any] | None, moves: list[str],
                   report: ImportReport) -> dict[str, date]:
        """The day each move took effect, from the row's own dates: the best it has."""
        later = self.ctx.today() if existing else hazard.found_on  # a move the row gives no date for
        closing = hazard.closed_on or hazard.verified_on
        if "verify" in moves and closing is None:
            report.undated["closed"] += 1
        elif moves and moves[-1] == "done" and hazard.rectified_on is None:
            report.undated["rectified"] += 1
        return {
            "start": hazard.found_on,
            "done": hazard.rectified_on or closing or later,
            "verify": closing or hazard.rectified_on or later,
            "verify --fail": hazard.verified_on or later,
            "void": later,
        }


    def _reimport_hazard(
        self, existing: dict[str, Any], changes: dict[str, Any], before: dict[str, Any], after: dict[str, Any],
        legacy: bool,
    ) -> tuple[Any, list[str]]:
        """A hazard already in the register after a row's changes, and the lifecycle moves they make.

        The rules are those of the commands: the record after the change must be valid as a
        whole (a new deadline is checked against the stored date found); a closed major hazard
        keeps all five guarantees; other fields change as `edit` allows (a finished hazard takes
        typo corrections only, a deadline moves only by extension); the status moves only along
        the lifecycle, through its gates."""
        from hazreg.errors import Refused
        from hazreg.models import HazardData, validate

        merged = validate(HazardData, {**{k: existing[k] for k in HazardData.model_fields}, **changes}, self.ctx.today())
        if existing["status"] == Status.CLOSED and merged.level == Level.MAJOR and not legacy:
            missing = missing_plan(merged.model_dump())
            if missing:
                field = next((f for f in missing if f in changes), None)
                raise _Bad(field, _t("err.import_plan_closed", id=f"H{existing['id']}", missing=field_names(missing)))
        lifecycle = {"status", *(f for fields in MOVE_FIELDS.values() for f in fields)}
        edited = [k for k in after if k not in lifecycle]
        try:
            check_edit(existing, {k: before[k] for k in edited}, {k: after[k] for k in edited})
        except Refused as error:
            raise _Bad(next(iter(edited), None), error.message()) from None
        moves = self._import_moves(f"H{existing['id']}", Status.parse(existing["status"]), merged, legacy)
        if ("verify" in moves or "verify --fail" in moves) and self.ctx.store.supervision_in_force(existing["id"]):
            # A listed hazard closes only through its steps (销号申请, 验收, 销号), never by a file.
            raise _Bad("status", _t("err.import_supervised", id=f"H{existing['id']}"))
        if (merged.status in (Status.OPEN, Status.RECTIFYING) and merged.deadline is None
                and merged.level == Level.MAJOR):
            raise _Bad("deadline", _t("err.deadline_required_major"))
        return merged, moves


def _lifecycle_entries(
    start: Status, state: dict[str, Any], final: dict[str, Any], moves: list[str], days: dict[str, date],
    moment: Callable[[date | None, str | None], str], not_before: str | None,
) -> list[tuple[str, dict[str, Any] | None, dict[str, Any], str | None, str]]:
    """History entries for `moves`, from `state` (status `start`) to `final`: (action, before, after,
    note, effective_at), each at its day, in order (never placed before the change it follows)."""
    entries: list[tuple[str, dict[str, Any] | None, dict[str, Any], str | None, str]] = []
    state = {k: plain(state.get(k)) for k in _LIFECYCLE_FIELDS}
    state["status"] = start.value
    for move in moves:
        nxt = {**state, "status": MOVES[move][1].value, **{f: plain(final.get(f)) for f in MOVE_FIELDS[move]}}
        if move == "verify --fail":
            nxt["rectified_on"] = None  # sent back to rectifying, as `verify --fail` does
        changed = [k for k, v in nxt.items() if v != state[k]]
        before, after = {k: state[k] for k in changed}, {k: nxt[k] for k in changed}
        not_before = moment(days[move], not_before)
        note = final.get("void_reason") if move == "void" else final.get("verify_note") if move.startswith("verify") else None
        entries.append((HISTORY_ACTION.get(move, move), before, after, note, not_before))
        state = nxt
    return entries


def _t(key: str, **params: Any) -> str:
    """A message of an import's report; a long value in it is shown by its start and length."""
    from hazreg.i18n import t

    return t(key, **{k: _short(v) if k == "value" else v for k, v in params.items()})


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


__all__ = ["ImportReport", "Imports", "Problem", "Rejection", "present_changes"]
