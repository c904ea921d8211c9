"""Units (生产经营单位): the enterprises and sites whose hazards the register follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hazreg import creditcode, dates
from hazreg.enums import Industry, Risk, split_industries
from hazreg.errors import InvalidInput, NotFound, Refused
from hazreg.register.base import (
    Context,
    Edit,
    diff,
    edit_options,
    new_uid,
    no_nul,
    parse_id,
    plain,
)
from hazreg.storage import UnitFilter

if TYPE_CHECKING:
    from hazreg.register.places import Places


def with_industries(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the unit's industries as given (`industries`, else `industry`: a list, or one
    text with separators such as 消防、特种设备) in both fields: `industry` the first, `industries` all."""
    names = split_industries(data.get("industries") or data.get("industry"))
    if not names:
        return data
    return {**data, "industry": names[0], "industries": names}


class Units:
    """The register's units (生产经营单位): find, add, edit, list."""

    def __init__(self, ctx: Context, places: Places) -> None:
        self.ctx = ctx
        self.places = places

    def find(self, ref: str | int) -> dict[str, Any]:
        """The unit named by its id (U12 or 12), its credit code, or its exact name."""
        text = str(ref).strip()
        if not text:
            raise InvalidInput("err.required", "unit")
        try:
            unit = self.ctx.store.unit(parse_id(text, "U", "unit"))
            if unit:
                return unit
        except InvalidInput:
            pass
        if len(creditcode.normalise(text)) == 18:
            unit = self.ctx.store.unit_by_code(creditcode.normalise(text))
            if unit:
                return unit
        matches = self.ctx.store.units_by_name(text)
        if len(matches) > 1:
            ids = ", ".join(f"U{u['id']}" for u in matches)
            raise InvalidInput("err.unit_ambiguous", "unit", value=text, ids=ids)
        if not matches:
            raise NotFound("err.unit_not_found", ref=text)
        return matches[0]

    def _check_code_free(self, code: str | None, unit_id: int | None = None) -> None:
        if code is None:
            return
        holder = self.ctx.store.unit_by_code(code)
        if holder and holder["id"] != unit_id:
            raise Refused("err.code_taken", code=code, id=f"U{holder['id']}", name=holder["name"])

    def add(self, data: dict[str, Any], force: bool = False) -> dict[str, Any]:
        """Record a unit. A name already in the register is refused unless `force`: two units
        of one name are allowed (branches, sites) but never by accident."""
        from hazreg.models import UnitData, validate  # Pydantic models only for commands that write

        unit = validate(UnitData, with_industries(data))
        unit = unit.model_copy(update={"locality": self.places.locality(unit.locality)})
        self._check_code_free(unit.credit_code)
        if not force:
            namesakes = self.ctx.store.units_by_name(unit.name)
            if namesakes:
                ids = ", ".join(f"U{u['id']}" for u in namesakes)
                raise Refused("err.unit_name_exists", name=unit.name, ids=ids)
        now = dates.timestamp()
        record = {k: plain(v) for k, v in unit.model_dump().items()}
        with self.ctx.store.transaction():
            unit_id = self.ctx.store.insert_unit(
                {"uid": new_uid(), **record, "created_at": now, "updated_at": now}
            )
            self.ctx.log("unit", unit_id, "create", None, record)
        return self.find(unit_id)

    def edit(self, ref: str | int, changes: dict[str, Any]) -> dict[str, Any]:
        return self.correct(ref, changes).record

    def correct(self, ref: str | int, changes: dict[str, Any]) -> Edit:
        """Correct a unit's fields, saying what changed: nothing given is refused, nothing different writes nothing."""
        current = self.find(ref)
        from hazreg.models import UnitData, validate

        changes = {k: v for k, v in changes.items() if v not in (None, [])}
        if "industry" in changes or "industries" in changes:  # `--industry` sets the whole set, the first first
            given = with_industries(changes)
            changes = {**changes, "industry": given.get("industry"), "industries": given.get("industries", [])}
        if not changes:
            raise InvalidInput("err.nothing_to_edit",
                               allowed=edit_options([f for f in UnitData.model_fields if f != "industries"]))
        old = {k: current[k] for k in UnitData.model_fields}
        unit = validate(UnitData, {**old, **changes})
        before, after = diff(old, unit.model_dump())
        if not after:
            return Edit(current, ())
        if "locality" in after:
            self.places.locality(unit.locality)
        self._check_code_free(unit.credit_code, current["id"])
        with self.ctx.store.transaction():
            self.ctx.store.update_unit(current["id"], {**after, "updated_at": dates.timestamp()})
            self.ctx.log("unit", current["id"], "edit", before, after)
        return Edit(self.find(current["id"]), tuple(after))

    def query(self, f: UnitFilter, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
        return self.ctx.store.units(f, limit)

    def iter(self, f: UnitFilter) -> Iterator[dict[str, Any]]:
        return self.ctx.store.iter_units(f)

    def filter(
        self,
        industries: list[str] | None = None,
        localities: list[str] | None = None,
        risks: list[str] | None = None,
        search: str | None = None,
        changed_between: tuple[str, str] | None = None,
    ) -> UnitFilter:
        no_nul(search=search, locality=localities)
        return UnitFilter(
            industries=[Industry.parse(v, "industry").value for v in split_industries(industries or [])],
            localities=self.places.filter_localities(localities),
            risks=[Risk.parse(v, "risk").value for v in risks or []],
            search=search,
            changed_between=changed_between,
        )
