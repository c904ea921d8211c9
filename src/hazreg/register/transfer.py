"""Bringing in what exports write beside units and hazards, so a register moves whole.

Inspections, and the records kept about a hazard — listings for supervision (挂牌督办),
deadline extensions, attachments (name, stage, SHA-256), the closing steps of a listing
(销号申请, 验收), escalation steps and enforcement actions — each have an export of their
own and import back from it: into an empty register in the order units, inspections,
hazards, supervisions, extensions, attachments, steps, escalations, actions.

- These records are written once (nothing edits them), so a row whose `uid` is
  already in the register is "unchanged" when it says the same and rejected when it
  does not; an import never rewrites evidence. Rows without a uid are new records.
- Ids (I12, A3, E4, …) and uids are kept where the file gives them and they are free.
- A new record is held to the rules of the command that makes it, with its messages (no side
  door): a listing is of a major hazard, not before it was found, one in force at a time,
  with its notice number and supervision deadline (`supervise`), delisted only once the hazard
  is closed and with a note (`delist`); an extension's new deadline is later than the old one
  and past the supervision deadline only when approved (`extend`); a fine has an amount and
  nothing else does; an escalation step is on the ladder and recorded once; a closing step
  follows the order of `apply` and `accept`; nothing done is dated in the future. What cannot
  be known afterwards (the hazard's status or overdue state on the day) is not checked.
- Attached files themselves are not in any export: copy the register's files folder
  (`register.files/`) beside the new register; `hazreg check` then finds every file.

Each import runs through the same all-or-nothing machinery as units and hazards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import Level, Status
from hazreg.errors import InvalidInput, NotFound
from hazreg.money import to_fen
from hazreg.register.base import new_uid, parse_id, plain

if TYPE_CHECKING:
    from hazreg.register.imports import ImportReport, Imports, Rejection

Progress = Callable[[int], None]
KINDS = ("inspections", "supervisions", "extensions", "attachments", "supervision_steps", "escalations", "actions")
_HAZARD_LINKS = ("hazard_uid", "hazard_id")
_UNIT_LINKS = ("credit_code", "unit_name", "unit_id")
_REQUIRED = {
    "inspections": ("on", "inspectors"),
    "supervisions": ("body", "supervision_level", "listed_on"),
    "extensions": ("to_deadline", "reason"),
    "attachments": ("file_name", "sha256", "size"),
    "escalations": ("step", "done_on"),
    "actions": ("type", "taken_on"),
    "supervision_steps": ("step", "done_by", "done_on"),
}
# What the history of a hazard calls each kind's import, and the id prefix its records show.
_ACTION = {"supervisions": "import_supervision", "extensions": "import_extension",
           "attachments": "import_attachment", "escalations": "import_escalation", "actions": "import_action",
           "supervision_steps": "import_step"}
_PREFIX = {"inspections": "I", "attachments": "A", "actions": "E"}


def inspection_of_hazard(reg: Imports, text: str, unit_id: int) -> int:
    """The inspection a hazard row names (I12), which must be of the hazard's own unit."""
    inspection_id = parse_id(text, "I", "inspection_id")
    found = reg.ctx.store.inspection(inspection_id)
    if found is None:
        raise InvalidInput("err.inspection_not_found", "inspection_id", ref=f"I{inspection_id}")
    if found["unit_id"] != unit_id:
        raise InvalidInput("err.inspection_unit", "inspection_id", inspection=f"I{inspection_id}",
                           unit=f"U{found['unit_id']}")
    return inspection_id


def _model(kind: str) -> Any:
    from hazreg import models

    return {
        "inspections": models.InspectionData, "supervisions": models.SupervisionData,
        "extensions": models.ExtensionData, "attachments": models.AttachmentData,
        "escalations": models.EscalationData, "actions": models.ActionData,
        "supervision_steps": models.SupervisionStepData,
    }[kind]


def _row(kind: str, item: Any) -> dict[str, Any]:
    """A validated record as the columns of its table (without id, uid and timestamps)."""
    data = item.model_dump(mode="json", exclude={"created_at"})
    if kind == "supervisions":
        data["level"] = data.pop("supervision_level")
    elif kind == "attachments":
        data["name"] = data.pop("file_name")
    elif kind == "actions":
        data["amount_fen"] = None if item.amount is None else to_fen(item.amount)
        data.pop("amount")
    elif kind == "supervision_steps":  # the listing and the report are resolved by the step's check
        for key in ("supervision_uid", "attachment_id", "attachment_uid"):
            data.pop(key)
    return data


class RecordImports:
    """Imports of inspections and of the records kept about hazards, on one register."""

    def __init__(self, reg: Imports) -> None:
        self.reg = reg
        self.store = reg.ctx.store

    def run(
        self,
        kind: str,
        headers: list[str],
        rows: Iterator[tuple[int, list[str]]],
        overrides: dict[str, str] | None = None,
        skip_invalid: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
        on_reject: Callable[[Rejection], None] | None = None,
    ) -> ImportReport:
        from hazreg.columns import EVIDENCE_FIELDS, INSPECTION_FIELDS, map_headers
        from hazreg.register.imports import ImportReport, _require

        fields = INSPECTION_FIELDS if kind == "inspections" else EVIDENCE_FIELDS[kind]
        columns, ignored = map_headers(headers, fields, overrides)
        _require(columns, _REQUIRED[kind])
        links = _UNIT_LINKS if kind == "inspections" else _HAZARD_LINKS
        if not set(columns.values()) & set(links):
            raise InvalidInput("err.missing_columns", "file", columns=" / ".join(links))
        report = ImportReport(kind, headers, ignored, dry_run, skip_invalid)
        handle = self._inspection if kind == "inspections" else self._evidence(kind)
        return self.reg._run_import(report, rows, columns, handle, skip_invalid, progress, on_reject=on_reject)

    # -- finding what a row refers to -------------------------------------------------------

    def _unit(self, data: dict[str, str]) -> int:
        """A row's unit by credit code, else exact name (its id telling namesakes apart), else id."""
        from hazreg.creditcode import normalise

        code = data.pop("credit_code", "").strip()
        name = data.pop("unit_name", "").strip()
        given = data.pop("unit_id", "").strip()
        wanted = _wanted(given, "U")
        if code:
            unit = self.store.unit_by_code(normalise(code))
            if unit is None:
                raise InvalidInput("err.unknown_unit", "credit_code", value=code)
            return int(unit["id"])
        if name:
            same = [u["id"] for u in self.store.units_by_name(name)]
            if wanted is not None and wanted in same:
                return wanted
            if len(same) == 1:
                return int(same[0])
            if same:
                raise InvalidInput("err.unit_ambiguous", "unit_name", value=name, ids=", ".join(f"U{i}" for i in same))
            raise InvalidInput("err.unknown_unit", "unit_name", value=name)
        if wanted is not None and self.store.unit(wanted):
            return wanted
        raise InvalidInput("err.unknown_unit", "unit_id" if given else "unit_name", value=given)

    def _hazard(self, data: dict[str, str]) -> dict[str, Any]:
        """A row's hazard by global id, else by id (H12)."""
        uid = data.pop("hazard_uid", "").strip()
        given = data.pop("hazard_id", "").strip()
        if uid:
            found = self.store.row_by_uid("hazards", uid)
            if found is None:
                raise InvalidInput("err.hazard_not_found", "hazard_uid", ref=uid)
            hazard_id = int(found["id"])
        else:
            hazard_id = parse_id(given, "H", "hazard_id") if given else 0
        hazard = self.store.hazard(hazard_id, self.reg.ctx.today()) if hazard_id else None
        if hazard is None:
            raise InvalidInput("err.hazard_not_found" if given else "err.required", "hazard_id", ref=f"H{hazard_id}")
        return hazard

    def _new_id(self, table: str, given: str, kind: str) -> dict[str, int]:
        wanted = _wanted(given, _PREFIX.get(kind, ""))
        return {"id": wanted} if wanted and not self.store.id_taken(table, wanted) else {}

    @staticmethod
    def _same_as_recorded(current: dict[str, Any] | None, record: dict[str, Any], what: str) -> bool:
        """Whether a row's record is already in the register; refused if it says otherwise."""
        if current is None:
            return False
        differs = [k for k, v in record.items() if plain(v) != plain(current.get(k))]
        if differs:
            raise InvalidInput("err.recorded_differs", differs[0], id=f"{what}{current['id']}", name=differs[0])
        return True

    # -- inspections -------------------------------------------------------------------------

    def _inspection(self, number: int, data: dict[str, str]) -> str:
        from hazreg.models import InspectionData, validate

        given_id, uid = data.pop("id", ""), data.pop("uid", "").strip()
        unit_id = self._unit(data)
        fields: dict[str, Any] = {k: v for k, v in data.items() if v.strip()}
        fields["unit_id"] = unit_id
        campaign = fields.pop("campaign", None)
        if campaign:
            try:
                fields["campaign_id"] = self.reg.campaigns.get(campaign)["id"]
            except NotFound:
                raise InvalidInput("err.campaign_not_found", "campaign", ref=campaign) from None
        department = fields.pop("department", None)
        if department:  # a retired department is kept by the inspections it made
            fields["department_id"] = self.reg.places.find_department(department)["id"]
        draw = fields.pop("draw_id", None)
        if draw:
            found = self.store.draw(parse_id(draw, "D", "draw_id"))
            if found is None:
                raise InvalidInput("err.draw_not_found", "draw_id", ref=draw)
            if unit_id not in {entry["unit_id"] for entry in found["result"]}:
                raise InvalidInput("err.not_drawn", "draw_id", unit=f"U{unit_id}", draw=f"D{found['id']}")
            voided = found.get("voided_at")
            if voided and str(fields.get("on", "")).strip():
                # Inspections made before the draw was voided are kept; none is recorded after.
                day = dates.parse_date(fields["on"], self.reg.ctx.today(), "on").isoformat()
                if day > dates.local_time(str(voided), self.reg.ctx.timezone)[:10]:
                    raise InvalidInput("err.draw_is_void", "draw_id", id=f"D{found['id']}", reason=found["void_reason"])
            fields["draw_id"] = found["id"]
        if fields.get("focus"):  # recorded by the profile's own name (大风 is 台风), as `inspect add` does
            from hazreg.register.focus import profile

            try:
                fields["focus"] = profile(self.reg.ctx, fields["focus"])["name"]
            except NotFound as error:
                raise InvalidInput(error.key, "focus", **error.params) from None
        item = validate(InspectionData, fields, self.reg.ctx.today())
        record = item.model_dump(mode="json")
        known = self.store.row_by_uid("inspections", uid) if uid else None
        if self._same_as_recorded(known and self.store.inspection(known["id"]), record, "I"):
            return "unchanged"
        if not uid and self.store.inspection_like(unit_id, record["on"], record["inspectors"], record["leader"]):
            return "unchanged"  # the same unit, day, inspectors and leader: this inspection again
        now = dates.timestamp()
        new = {**self._new_id("inspections", given_id, "inspections"), "uid": uid or new_uid(), **record,
               "created_at": now, "updated_at": now}
        inspection_id = self.store.insert_inspection(new)
        self.reg.ctx.log("inspection", inspection_id, "import", None, {k: v for k, v in record.items() if v is not None})
        return "created"

    # -- records about a hazard ----------------------------------------------------------------

    def _evidence(self, kind: str) -> Callable[[int, dict[str, str]], str]:
        from hazreg.models import validate

        model = _model(kind)
        check = getattr(self, f"_check_{kind}")
        today = self.reg.ctx.today()

        def handle(number: int, data: dict[str, str]) -> str:
            given_id, uid = data.pop("id", ""), data.pop("uid", "").strip()
            hazard = self._hazard(data)
            fields: dict[str, Any] = {k: v for k, v in data.items() if v.strip()}
            item = validate(model, {**fields, "hazard_id": hazard["id"]}, today)
            known = self.store.row_by_uid(kind, uid) if uid else None
            if known is None:  # a new record: held to the rules of the command that makes it
                links = check(hazard, item) or {}  # (a closing step's listing and report)
            else:  # this record again (a re-import): the same, or rejected as differing
                links = self._step_links(hazard, item) if kind == "supervision_steps" else {}
            record = {**_row(kind, item), **links}
            if self._same_as_recorded(known, record, _PREFIX.get(kind, "")):
                return "unchanged"
            now = dates.timestamp()
            row = {**self._new_id(kind, given_id, kind), "uid": uid or new_uid(), **record,
                   "created_at": item.created_at or now}
            if kind == "supervisions":
                row["updated_at"] = now
            record_id = self.store.insert_into(kind, row)
            after = {k: v for k, v in item.model_dump(mode="json", exclude={"hazard_id", "created_at"}).items()
                     if v is not None}
            if kind in _PREFIX:
                after = {"id": f"{_PREFIX[kind]}{record_id}", **after}
            if kind == "supervision_steps":  # as `apply` and `accept` record it: the report, the uid
                after = {k: v for k, v in after.items() if k not in ("attachment_id", "attachment_uid")}
                if links["attachment_id"] is not None:
                    after["attachment"] = f"A{links['attachment_id']}"
                after["uid"] = row["uid"]
            self.reg.ctx.log("hazard", hazard["id"], _ACTION[kind], None, after)
            return "created"

        return handle

    def _check_supervisions(self, hazard: dict[str, Any], item: Any) -> None:
        from hazreg.register.supervision import listing_particulars

        hid = f"H{hazard['id']}"
        if hazard["level"] != Level.MAJOR:
            raise InvalidInput("err.supervise_not_major", "hazard_id", id=hid)
        if item.listed_on.isoformat() < hazard["found_on"]:
            raise InvalidInput("err.before_found", "listed_on", value=item.listed_on, found=hazard["found_on"])
        if item.delisted_on is not None and hazard["status"] != Status.CLOSED:
            raise InvalidInput("err.delist_open", "delisted_on", id=hid, status=Status.parse(hazard["status"]).label())
        if item.delisted_on is None and self.store.supervision_in_force(hazard["id"]):
            current = self.store.supervision_in_force(hazard["id"]) or {}
            raise InvalidInput("err.supervise_twice", "listed_on", id=hid, body=current.get("body"),
                               notice=current.get("notice_no") or "—", since=current.get("listed_on"))
        if item.delisted_on is None:  # a listing in force, as `supervise` makes it (delisted ones are history)
            listing_particulars(item.notice_no, item.due, ("notice_no", "due"))
        elif not (item.delist_note or "").strip():  # `delist` requires its note
            raise InvalidInput("err.required", "delist_note")

    def _check_extensions(self, hazard: dict[str, Any], item: Any) -> None:
        from hazreg.register.supervision import approval_missing

        if item.to_deadline.isoformat() < hazard["found_on"]:
            raise InvalidInput("err.before_found", "to_deadline", value=item.to_deadline, found=hazard["found_on"])
        if (item.approved_by or "").strip():
            return  # approved: within any supervision deadline or past it
        # Held to the listing in force on the day it was made (today for a row without created_at).
        ctx = self.reg.ctx
        day = dates.local_time(item.created_at, ctx.timezone)[:10] if item.created_at else ctx.today().isoformat()
        listings = [s for s in self.store.evidence(hazard["id"])["supervisions"]
                    if s["listed_on"] <= day and (s["delisted_on"] is None or s["delisted_on"] >= day)]
        unapproved = approval_missing(listings[-1] if listings else None, item.to_deadline, item.approved_by)
        if unapproved is not None:
            raise InvalidInput("err.extend_past_supervision", "approved_by", id=f"H{hazard['id']}", **unapproved)

    def _check_attachments(self, hazard: dict[str, Any], item: Any) -> None:
        return None

    def _check_supervision_steps(self, hazard: dict[str, Any], item: Any) -> dict[str, Any]:
        """A closing step follows its listing's steps as `apply` and `accept` allow (apply, then
        accept or accept_fail; after a failed acceptance apply again; nothing after a passed one);
        an application attaches its report; a failed acceptance says why; an acceptance is not
        before the application. Returns the step's listing and attachment ids."""
        from hazreg.register.supervision import step_in_order

        hid = f"H{hazard['id']}"
        links = self._step_links(hazard, item)
        attachment_id = links["attachment_id"]
        steps = self.store.supervision_steps(links["supervision_id"])
        step_in_order(hid, item.step, steps)
        if item.step == "apply" and attachment_id is None:
            raise InvalidInput("err.required", "attachment_id")
        if item.step == "accept_fail" and not (item.note or "").strip():
            raise InvalidInput("err.required", "note")
        if item.step != "apply" and steps and item.done_on.isoformat() < steps[-1]["done_on"]:
            raise InvalidInput("err.end_before_start", "done_on", end=item.done_on, start=steps[-1]["done_on"])
        return links

    def _step_links(self, hazard: dict[str, Any], item: Any) -> dict[str, Any]:
        """A closing step's listing (by supervision_uid, else the hazard's listing in force) and
        report (by attachment_uid, else attachment_id), both of its own hazard."""
        hid = f"H{hazard['id']}"
        if item.supervision_uid:
            listing = self.store.row_by_uid("supervisions", item.supervision_uid)
            if listing is None or listing["hazard_id"] != hazard["id"]:
                raise InvalidInput("err.step_listing", "supervision_uid", id=hid, ref=item.supervision_uid)
        else:
            listing = self.store.supervision_in_force(hazard["id"])
            if listing is None:
                raise InvalidInput("err.not_supervised", "hazard_id", id=hid)
        attachment_id = None
        if item.attachment_uid or item.attachment_id:
            found = (self.store.row_by_uid("attachments", item.attachment_uid) if item.attachment_uid
                     else self.store.attachment(parse_id(item.attachment_id, "A", "attachment_id")))
            if found is None or found["hazard_id"] != hazard["id"]:
                field = "attachment_uid" if item.attachment_uid else "attachment_id"
                raise InvalidInput("err.step_attachment", field, id=hid,
                                   ref=item.attachment_uid or item.attachment_id)
            attachment_id = int(found["id"])
        return {"supervision_id": listing["id"], "attachment_id": attachment_id}

    def _check_escalations(self, hazard: dict[str, Any], item: Any) -> None:
        from hazreg.register.supervision import ladder_step

        ladder_step(self.reg.ctx, item.step)
        if item.step in self.store.escalations_done([hazard["id"]]).get(hazard["id"], set()):
            raise InvalidInput("err.escalated_twice", "step", id=f"H{hazard['id']}", step=item.step)

    def _check_actions(self, hazard: dict[str, Any], item: Any) -> None:
        if item.taken_on.isoformat() < hazard["found_on"]:
            raise InvalidInput("err.before_found", "taken_on", value=item.taken_on, found=hazard["found_on"])


def _wanted(text: str, prefix: str) -> int | None:
    if not text or not text.strip():
        return None
    try:
        return parse_id(text, prefix or "#")
    except InvalidInput:
        return None


__all__ = ["KINDS", "RecordImports", "inspection_of_hazard"]
