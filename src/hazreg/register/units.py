"""Units (生产经营单位): the enterprises and sites whose hazards the register follows."""

from __future__ import annotations

from typing import Any

from hazreg import creditcode, dates
from hazreg.enums import Industry, Risk
from hazreg.errors import InvalidInput, NotFound, Refused
from hazreg.register.base import RegisterBase, diff, new_uid, parse_id, plain
from hazreg.store import UnitFilter


class UnitOps(RegisterBase):
    def find_unit(self, ref: str | int) -> dict[str, Any]:
        """The unit named by its id (U12 or 12), its credit code, or its exact name."""
        text = str(ref).strip()
        if not text:
            raise InvalidInput("err.required", "unit")
        try:
            unit = self.store.unit(parse_id(text, "U", "unit"))
            if unit:
                return unit
        except InvalidInput:
            pass
        if len(creditcode.normalise(text)) == 18:
            unit = self.store.unit_by_code(creditcode.normalise(text))
            if unit:
                return unit
        matches = self.store.units_by_name(text)
        if len(matches) > 1:
            ids = ", ".join(f"U{u['id']}" for u in matches)
            raise InvalidInput("err.unit_ambiguous", "unit", value=text, ids=ids)
        if not matches:
            raise NotFound("err.unit_not_found", ref=text)
        return matches[0]

    def _check_code_free(self, code: str | None, unit_id: int | None = None) -> None:
        if code is None:
            return
        holder = self.store.unit_by_code(code)
        if holder and holder["id"] != unit_id:
            raise Refused("err.code_taken", code=code, id=f"U{holder['id']}", name=holder["name"])

    def add_unit(self, data: dict[str, Any]) -> dict[str, Any]:
        from hazreg.models import UnitData, validate  # Pydantic models only for commands that write

        unit = validate(UnitData, data)
        self._check_code_free(unit.credit_code)
        now = dates.timestamp()
        record = {k: plain(v) for k, v in unit.model_dump().items()}
        with self.store.transaction():
            unit_id = self.store.insert_unit(
                {"uid": new_uid(), **record, "created_at": now, "updated_at": now}
            )
            self.log("unit", unit_id, "create", None, record)
        return self.find_unit(unit_id)

    def edit_unit(self, ref: str | int, changes: dict[str, Any]) -> dict[str, Any]:
        current = self.find_unit(ref)
        from hazreg.models import UnitData, validate

        old = {k: current[k] for k in UnitData.model_fields}
        unit = validate(UnitData, {**old, **changes})
        before, after = diff(old, unit.model_dump())
        if not after:
            return current
        self._check_code_free(unit.credit_code, current["id"])
        with self.store.transaction():
            self.store.update_unit(current["id"], {**after, "updated_at": dates.timestamp()})
            self.log("unit", current["id"], "edit", before, after)
        return self.find_unit(current["id"])

    def units(self, f: UnitFilter, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
        return self.store.units(f, limit)

    def unit_filter(
        self,
        industries: list[str] | None = None,
        localities: list[str] | None = None,
        risks: list[str] | None = None,
        search: str | None = None,
        changed_between: tuple[str, str] | None = None,
    ) -> UnitFilter:
        return UnitFilter(
            industries=[Industry.parse(v, "industry").value for v in industries or []],
            localities=list(localities or []),
            risks=[Risk.parse(v, "risk").value for v in risks or []],
            search=search,
            changed_between=changed_between,
        )
