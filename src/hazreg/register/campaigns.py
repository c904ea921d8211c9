"""Inspections, campaigns, leaders and inspectors: who checked which unit, when, and in what drive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import Industry, Mode
from hazreg.errors import InvalidInput, NotFound, Refused
from hazreg.register.base import Context, new_uid, parse_id
from hazreg.storage import InspectionFilter

if TYPE_CHECKING:
    from hazreg.register.places import Places
    from hazreg.register.units import Units


class Campaigns:
    """The register's campaigns, leaders, inspectors and inspections."""

    def __init__(self, ctx: Context, units: Units, places: Places) -> None:
        self.ctx = ctx
        self.units = units
        self.places = places

    # -- campaigns, leaders, inspectors ----------------------------------------------------

    def _add_listed(self, table: str, record_type: str, model: Any, data: dict[str, Any]) -> dict[str, Any]:
        from hazreg.models import validate

        item = validate(model, data, self.ctx.today())
        if hasattr(item, "localities"):
            item = item.model_copy(update={"localities": self.places.localities_for(item.localities)})
        if self.ctx.store.listed(table, name=item.name):
            raise Refused("err.name_taken", name=item.name)
        record = item.model_dump(mode="json")
        now = dates.timestamp()
        with self.ctx.store.transaction():
            record_id = self.ctx.store.insert_listed(table, {"uid": new_uid(), **record, "created_at": now, "updated_at": now})
            self.ctx.log(record_type, record_id, "create", None, record)
        found = self.ctx.store.listed(table, record_id)
        assert found is not None
        return found

    def add(self, data: dict[str, Any]) -> dict[str, Any]:
        from hazreg.models import CampaignData

        return self._add_listed("campaigns", "campaign", CampaignData, data)

    def add_leader(self, data: dict[str, Any]) -> dict[str, Any]:
        from hazreg.models import LeaderData

        return self._add_listed("leaders", "leader", LeaderData, data)

    def add_inspector(self, data: dict[str, Any]) -> dict[str, Any]:
        from hazreg.models import InspectorData

        return self._add_listed("inspectors", "inspector", InspectorData, data)

    def get(self, ref: str | int) -> dict[str, Any]:
        """A campaign by id (C2, 2) or exact name."""
        text = str(ref).strip()
        found = None
        try:
            found = self.ctx.store.listed("campaigns", parse_id(text, "C", "campaign"))
        except InvalidInput:
            pass
        found = found or self.ctx.store.listed("campaigns", name=text)
        if found is None:
            raise NotFound("err.campaign_not_found", ref=text)
        return found

    def all(self) -> list[dict[str, Any]]:
        return self.ctx.store.all_listed("campaigns")

    def leaders(self) -> list[dict[str, Any]]:
        return self.ctx.store.all_listed("leaders")

    def inspectors(self) -> list[dict[str, Any]]:
        return self.ctx.store.all_listed("inspectors")

    # -- inspections ----------------------------------------------------------------------

    def add_inspection(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record an inspection; a draw's inspection must be of a unit that draw picked."""
        from hazreg.models import InspectionData, validate

        data = {k: v for k, v in data.items() if v is not None}
        unit = self.units.find(data.pop("unit"))
        campaign = self.get(data.pop("campaign")) if data.get("campaign") else None
        data.pop("campaign", None)
        department = self.places.department(data.pop("department")) if data.get("department") else None
        draw_ref = data.pop("draw", None)
        draw = self.draw_record(draw_ref) if draw_ref else None
        if data.get("focus"):  # recorded by the profile's own name: 大风 is 台风
            from hazreg.register.focus import profile

            data["focus"] = profile(self.ctx, data["focus"])["name"]
        if draw and draw.get("void_reason"):
            raise Refused("err.draw_is_void", id=f"D{draw['id']}", reason=draw["void_reason"])
        if draw and unit["id"] not in {entry["unit_id"] for entry in draw["result"]}:
            raise Refused("err.not_drawn", unit=f"U{unit['id']}", draw=f"D{draw['id']}")
        if draw and campaign is None and draw.get("campaign_id"):
            campaign = self.ctx.store.listed("campaigns", draw["campaign_id"])
        fields = {
            "on": self.ctx.today(), **data, "unit_id": unit["id"],
            "campaign_id": campaign["id"] if campaign else None, "draw_id": draw["id"] if draw else None,
            "department_id": department["id"] if department else None,
        }
        item = validate(InspectionData, fields, self.ctx.today())
        record = item.model_dump(mode="json")
        now = dates.timestamp()
        with self.ctx.store.transaction():
            inspection_id = self.ctx.store.insert_inspection({"uid": new_uid(), **record, "created_at": now, "updated_at": now})
            # Dated the day it took place, so a week's export has the inspections of that week.
            self.ctx.log("inspection", inspection_id, "create", None, {k: v for k, v in record.items() if v is not None},
                     on=item.on)
        return self.inspection(inspection_id)

    def inspection(self, ref: str | int) -> dict[str, Any]:
        inspection_id = parse_id(ref, "I", "inspection")
        found = self.ctx.store.inspection(inspection_id)
        if found is None:
            raise NotFound("err.inspection_not_found", ref=f"I{inspection_id}")
        return found

    def inspection_filter(
        self,
        unit: str | None = None,
        since: str | None = None,
        until: str | None = None,
        campaign: str | None = None,
        draw: str | None = None,
        leader: str | None = None,
        modes: list[str] | None = None,
        industries: list[str] | None = None,
        localities: list[str] | None = None,
        changed_between: tuple[str, str] | None = None,
    ) -> InspectionFilter:
        return InspectionFilter(
            unit_ids=[self.units.find(unit)["id"]] if unit else [],
            since=self.ctx.date(since, "since"),
            until=self.ctx.date(until, "until"),
            campaign_id=self.get(campaign)["id"] if campaign else None,
            draw_id=parse_id(draw, "D", "draw") if draw else None,
            leader=leader,
            modes=[Mode.parse(m, "mode").value for m in modes or []],
            industries=[Industry.parse(v, "industry").value for v in industries or []],
            localities=self.places.filter_localities(localities),
            changed_between=changed_between,
        )

    def inspections(self, f: InspectionFilter, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
        return self.ctx.store.inspections(f, limit)

    def inspection_link(self, ref: str) -> dict[str, Any]:
        """What a hazard found in inspection `ref` takes from it (DESIGN.md: source, unit, date)."""
        inspection = self.inspection(ref)
        return {
            "inspection_id": inspection["id"],
            "unit_id": inspection["unit_id"],
            "source": "leader_check" if inspection.get("leader") else "inspection",
            "found_on": inspection["on"],
            "found_by": "、".join(inspection["inspectors"]),
        }

    def draw_record(self, ref: str | int) -> dict[str, Any]:
        draw_id = parse_id(ref, "D", "draw")
        found = self.ctx.store.draw(draw_id)
        if found is None:
            raise NotFound("err.draw_not_found", ref=f"D{draw_id}")
        return found
