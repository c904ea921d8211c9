"""Hazards (隐患): recording them, correcting them, and following them to closure."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import ACTIVE, Industry, Level, Status
from hazreg.errors import InvalidInput, NotFound, Refused
from hazreg.register.base import Context, Edit, diff, edit_options, new_uid, no_nul, parse_id, plain
from hazreg.register.lifecycle import (
    allowed_moves,
    check_edit,
    field_names,
    gate,
    plan_complete,
    target,
)
from hazreg.storage import HazardFilter

if TYPE_CHECKING:
    from hazreg.register.campaigns import Campaigns
    from hazreg.register.units import Units

# Fields `edit` may correct; status and the verification record change only through moves.
# Once a hazard is closed or void, only lifecycle.CORRECTABLE_WHEN_FINISHED, and a deadline
# already set moves only through `extend` (lifecycle.check_edit).
EDITABLE = (
    "unit_id", "description", "industry", "locality", "level", "source", "found_on",
    "found_by", "basis", "deadline", "owner", "measures", "funds", "contingency",
)
PLAN = ("owner", "measures", "funds", "deadline", "contingency")


# Statuses in which a hazard must have a deadline when it is saved (added, edited, planned).
UNFINISHED_TIMED = (Status.OPEN, Status.RECTIFYING)


def check_saved(hazard: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> None:
    """`check_edit`, and an open or rectifying hazard is not saved without a deadline: one that
    has none (an older register's) takes an edit only with --deadline."""
    check_edit(hazard, before, after)
    if Status.parse(hazard["status"]) in UNFINISHED_TIMED and not hazard.get("deadline") and not after.get("deadline"):
        raise InvalidInput("err.deadline_required_edit", "deadline", id=f"H{hazard['id']}")


class Hazards:
    """The register's hazards: record, plan, move through their lifecycle, edit, void."""

    def __init__(self, ctx: Context, units: Units, campaigns: Campaigns) -> None:
        self.ctx = ctx
        self.units = units
        self.campaigns = campaigns

    def get(self, ref: str | int) -> dict[str, Any]:
        """The hazard H12 (or 12), with its unit's name and derived fields."""
        hazard_id = parse_id(ref, "H", "hazard")
        row = self.ctx.store.hazard(hazard_id, self.ctx.today())
        if row is None:
            raise NotFound("err.hazard_not_found", ref=f"H{hazard_id}")
        row["plan_complete"] = plan_complete(row)
        return row

    def query(self, f: HazardFilter, limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
        rows, total = self.ctx.store.hazards(f, self.ctx.today(), limit)
        for row in rows:
            row["plan_complete"] = plan_complete(row)
        return rows, total

    def add(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record a hazard; industry and locality default from its unit, found_on to today."""
        data = {k: v for k, v in data.items() if v is not None}
        if "inspection" in data:
            # Found in an inspection: its unit, date, inspectors and kind, unless given.
            link = self.campaigns.inspection_link(data.pop("inspection"))
            if "unit" in data and self.units.find(data["unit"])["id"] != link["unit_id"]:
                raise Refused("err.inspection_unit", inspection=f"I{link['inspection_id']}", unit=f"U{link['unit_id']}")
            data = {"unit": link.pop("unit_id"), **link, **data}
        if not data.get("unit"):
            raise InvalidInput("err.required", "unit")
        unit = self.units.find(data.pop("unit"))
        if data.get("locality"):
            data["locality"] = self.units.places.locality(data["locality"])
        today = self.ctx.today()
        fields = {
            "industry": unit["industry"],
            "locality": unit["locality"],
            "found_on": today,
            "status": Status.OPEN,
            **data,
            "unit_id": unit["id"],
        }
        from hazreg.rules import HAZARD

        # HazardData's rules, applied without loading Pydantic unless the input needs it
        # (hazreg.spec): `add` is what officers run all day.
        hazard = HAZARD.check(fields, today)
        if hazard["deadline"] is None and hazard["status"] in UNFINISHED_TIMED:
            # Never saved as open without a deadline: a major hazard's is required (治理时限),
            # a general one's is the found date + general_deadline_days (config).
            if hazard["level"] == Level.MAJOR:
                raise InvalidInput("err.deadline_required_major", "deadline")
            days = self.ctx.days_setting("general_deadline_days")
            hazard = HAZARD.check({**fields, "deadline": hazard["found_on"] + timedelta(days=days)}, today)
        record = {k: plain(v) for k, v in hazard.items()}
        now = dates.timestamp()
        with self.ctx.store.transaction():
            hazard_id = self.ctx.store.insert_hazard(
                {"uid": new_uid(), **hazard, "created_at": now, "updated_at": now}, unit["name"]
            )
            self.ctx.log("hazard", hazard_id, "create", None, {k: v for k, v in record.items() if v is not None})
        return self.get(hazard_id)

    def _change(
        self, current: dict[str, Any], changes: dict[str, Any], action: str, note: str | None = None,
        on: date | None = None,
    ) -> dict[str, Any]:
        """Validate the whole record after `changes`, save what differs, and log it."""
        return self._apply(current, changes, action, note, on=on).record

    def _apply(
        self,
        current: dict[str, Any],
        changes: dict[str, Any],
        action: str,
        note: str | None = None,
        check: Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], None] | None = None,
        on: date | None = None,
    ) -> Edit:
        """`_change`, saying which fields changed; `check(current, before, after)` may refuse it."""
        from hazreg.models import (  # Pydantic models only for commands that write
            HazardData,
            validate,
        )

        old = {k: current[k] for k in HazardData.model_fields}
        hazard = validate(HazardData, {**old, **changes}, self.ctx.today())
        before, after = diff(validate(HazardData, old).model_dump(), hazard.model_dump())
        if check is not None:
            check(current, before, after)
        if "locality" in after:
            self.units.places.locality(hazard.locality)
        if not after and note is None:
            return Edit(current, ())
        with self.ctx.store.transaction():
            changed = {k: getattr(hazard, k) for k in after}
            self.ctx.store.update_hazard(current["id"], {**changed, "updated_at": dates.timestamp()}, self.ctx.today())
            self.ctx.log("hazard", current["id"], action, before, after, note, on)
        return Edit(self.get(current["id"]), tuple(after))

    def edit(self, ref: str | int, changes: dict[str, Any]) -> dict[str, Any]:
        """Correct a hazard's fields; every correction is kept in its history."""
        return self.correct(ref, changes).record

    def correct(self, ref: str | int, changes: dict[str, Any]) -> Edit:
        """`edit`, saying what changed: nothing given is refused, nothing different writes nothing.

        The gates of `check_edit` apply: a set deadline moves only through `extend`, and a
        closed or void hazard takes only typo corrections in its free text."""
        current = self.get(ref)
        changes = {k: v for k, v in changes.items() if v is not None}
        if not changes:
            raise InvalidInput("err.nothing_to_edit", allowed=edit_options(EDITABLE))
        unknown = set(changes) - set(EDITABLE) - {"unit"}
        if unknown:
            raise InvalidInput("err.not_editable", sorted(unknown)[0], allowed=", ".join(EDITABLE))
        if "unit" in changes:
            changes["unit_id"] = self.units.find(changes.pop("unit"))["id"]
        return self._apply(current, changes, "edit", check=check_saved)

    def plan(self, ref: str | int, changes: dict[str, Any]) -> dict[str, Any]:
        """Record the five guarantees (五落实): owner, measures, funds, deadline, contingency."""
        current = self.get(ref)
        if current["status"] in (Status.CLOSED, Status.VOID):
            raise Refused("err.plan_finished", id=f"H{current['id']}", status=Status.parse(current["status"]).label())
        changes = {k: v for k, v in changes.items() if v is not None and k in PLAN}
        return self._apply(current, changes, "plan", check=check_saved).record

    # -- lifecycle (DESIGN.md rule 3) -----------------------------------------------------

    def _move(self, ref: str | int, move: str) -> tuple[dict[str, Any], Status]:
        current = self.get(ref)
        status = Status.parse(current["status"])
        to = target(move, status)
        if to is None:
            allowed = ", ".join(allowed_moves(status))
            raise Refused(
                "err.move_refused" if allowed else "err.move_none",
                id=f"H{current['id']}", move=move, status=status.label(), allowed=allowed,
            )
        return current, to

    def start(self, ref: str | int, note: str | None = None) -> dict[str, Any]:
        current, to = self._move(ref, "start")
        return self._change(current, {"status": to}, "start", note)

    def done(self, ref: str | int, note: str | None = None, on: str | date | None = None) -> dict[str, Any]:
        current, to = self._move(ref, "done")
        day = self.ctx.happened(on, "rectified_on")
        return self._change(current, {"status": to, "rectified_on": day}, "done", note, day)

    def verify(
        self,
        ref: str | int,
        by: str,
        note: str | None = None,
        fail: bool = False,
        on: str | date | None = None,
    ) -> dict[str, Any]:
        """Verify a rectification: closes the hazard (销号), or sends it back with --fail."""
        current, to = self._move(ref, "verify --fail" if fail else "verify")
        if not (by or "").strip():
            raise InvalidInput("err.required", "verified_by")
        day = self.ctx.happened(on, "verified_on")
        self._supervised_gate(current, fail, day)
        missing = gate("verify --fail" if fail else "verify", {**current, "verified_by": by})
        if missing:
            # DESIGN.md rule 4: a major hazard closes only with all five guarantees recorded.
            raise Refused("err.plan_incomplete", id=f"H{current['id']}", missing=field_names(missing))
        changes: dict[str, Any] = {"status": to, "verified_by": by, "verified_on": day, "verify_note": note}
        if fail:
            changes["rectified_on"] = None
        else:
            changes["closed_on"] = day
        return self._change(current, changes, "verify_fail" if fail else "verify", note, day)

    def _supervised_gate(self, current: dict[str, Any], fail: bool, day: date) -> None:
        """A hazard listed for supervision closes (销号) only after the unit's application and the
        supervising body's on-site acceptance; a failed check is `accept --fail`."""
        from hazreg.register.supervision import closing_state, closing_step_label

        listing = self.ctx.store.supervision_in_force(current["id"])
        if listing is None:
            return
        hid = f"H{current['id']}"
        if fail:
            raise Refused("err.supervised_verify_fail", id=hid)
        steps = self.ctx.store.supervision_steps(listing["id"])
        state = closing_state(self.ctx, listing, steps, current["status"])
        if state["next"] != "close":
            raise Refused("err.close_order", id=hid, step=closing_step_label("close"),
                          next=closing_step_label(state["next"]))
        if day.isoformat() < steps[-1]["done_on"]:
            raise InvalidInput("err.end_before_start", "verified_on", end=day, start=steps[-1]["done_on"])

    def void(self, ref: str | int, reason: str) -> dict[str, Any]:
        """Void a wrong record; it stays in the register, its history and its exports."""
        if not (reason or "").strip():
            raise InvalidInput("err.required", "void_reason")
        current, to = self._move(ref, "void")
        return self._change(current, {"status": to, "void_reason": reason}, "void", reason)

    def iter(self, f: HazardFilter) -> Iterator[dict[str, Any]]:
        for row in self.ctx.store.iter_hazards(f, self.ctx.today()):
            row["plan_complete"] = plan_complete(row)
            yield row

    def filter(
        self,
        statuses: list[str] | None = None,
        include_all: bool = False,
        overdue: bool = False,
        due_within: str | None = None,
        levels: list[str] | None = None,
        industries: list[str] | None = None,
        localities: list[str] | None = None,
        unit: str | None = None,
        owner: str | None = None,
        found_since: str | None = None,
        found_until: str | None = None,
        search: str | None = None,
        changed_between: tuple[str, str] | None = None,
        supervised: bool = False,
    ) -> HazardFilter:
        """A listing's filter from what the user typed; by default the hazards still to deal with."""
        no_nul(owner=owner, search=search, locality=localities)
        status_keys = [Status.parse(s, "status").value for s in statuses or []]
        if not status_keys and not include_all:
            status_keys = [s.value for s in ACTIVE]
        due_by = None
        if due_within is not None:
            due_by = self.ctx.today() + timedelta(days=dates.parse_days(due_within, "due_within"))
        return HazardFilter(
            statuses=status_keys,
            overdue=overdue,
            due_by=due_by,
            levels=[Level.parse(v, "level").value for v in levels or []],
            industries=[Industry.parse(v, "industry").value for v in industries or []],
            localities=self.units.places.filter_localities(localities),
            unit_ids=[self.units.find(unit)["id"]] if unit else [],
            owner=owner,
            found_since=self.ctx.date(found_since, "found_since"),
            found_until=self.ctx.date(found_until, "found_until"),
            search=search,
            changed_between=changed_between,
            supervised=supervised,
        )
