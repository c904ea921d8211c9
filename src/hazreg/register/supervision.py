"""Major hazards under supervision: listing (挂牌督办), extensions, escalation, enforcement, evidence.

- A hazard is listed only if it is major and not finished, and delisted (摘牌) only
  once it is verified closed.
- An extension moves the deadline later, never earlier, and keeps the original.
- The escalation ladder says which step is due how many days after the deadline:
  by default 整改通知书 notice (0), 督办函 letter (7), 约谈 interview (15), 通报
  public notice (30). A step is recorded once per hazard; nothing repeats it.
- Attached files are kept under their SHA-256 (beside an SQLite register, in the database of a
  PostgreSQL one), so a file is stored once however often it is attached, and a changed or
  missing file is found.
  The name a user gave a file is kept as text and never used as a path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from hazreg import dates
from hazreg.enums import ActionType, Level, Stage, Status, Step, SupervisionLevel
from hazreg.errors import InvalidInput, NotFound, Refused
from hazreg.money import parse_yuan, to_fen
from hazreg.paths import private_copy
from hazreg.register.base import Context, new_uid, parse_id
from hazreg.storage import ActionFilter
from hazreg.storage.base import BlobStore

if TYPE_CHECKING:
    from hazreg.register.hazards import Hazards
    from hazreg.register.units import Units

DEFAULT_LADDER = (("notice", 0), ("letter", 7), ("interview", 15), ("public_notice", 30))
_CHUNK = 1 << 20


def parse_ladder(text: str) -> list[tuple[str, int]]:
    """'notice:0,letter:7,interview:15,public_notice:30' -> steps in order of days overdue."""
    steps: list[tuple[str, int]] = []
    for part in text.replace("，", ",").split(","):
        key, sep, days = part.strip().partition(":")
        if not sep or not key.strip() or not days.strip().isdigit():
            raise InvalidInput("err.ladder", "escalation", value=text)
        try:
            key = Step.parse(key.strip()).value
        except InvalidInput:
            key = key.strip().lower()
            if not key.replace("_", "").isalnum() or not key.isascii():
                raise InvalidInput("err.ladder", "escalation", value=text) from None
        steps.append((key, int(days)))
    if not steps or len({k for k, _ in steps}) != len(steps):
        raise InvalidInput("err.ladder", "escalation", value=text)
    return sorted(steps, key=lambda s: s[1])


def sha256_of(path: Path, follow: bool = True) -> str:
    """The file's SHA-256; with follow=False a link is refused (OSError), not followed."""
    import os

    digest = hashlib.sha256()
    with open(os.open(path, os.O_RDONLY | (0 if follow else os.O_NOFOLLOW)), "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def listing_particulars(notice: str | None, due: Any, fields: tuple[str, str] = ("notice", "due")) -> None:
    """A listing in force names its notice's number (督办文号) and its supervision deadline
    (督办期限): err.required on the first missing (fields: how the caller names them)."""
    if not (notice or "").strip():
        raise InvalidInput("err.required", fields[0])
    if due is None or not str(due).strip():
        raise InvalidInput("err.required", fields[1])


def approval_missing(listing: dict[str, Any] | None, to: date, approved_by: str | None) -> dict[str, Any] | None:
    """Moving a deadline to `to` past the supervision deadline of `listing` needs the supervising
    body's approval (approved_by): the parameters of err.extend_past_supervision (without the
    hazard's id) when it is missing, else None."""
    if listing and listing.get("due") and to.isoformat() > listing["due"] and not (approved_by or "").strip():
        return {"to": to, "due": listing["due"], "body": listing["body"]}
    return None


def ladder_of(ctx: Context) -> list[tuple[str, int]]:
    """The register's escalation ladder (setting `escalation`), else the default one."""
    stored = ctx.store.setting("escalation")
    return [tuple(s) for s in json.loads(stored)] if stored else list(DEFAULT_LADDER)  # type: ignore[misc]


def ladder_step(ctx: Context, step: str) -> str:
    """The key of `step` (a Step key or label, or a configured step), which must be on the
    register's ladder (err.choice naming the steps allowed)."""
    steps = dict(ladder_of(ctx))
    key = step.strip().lower()
    try:
        key = Step.parse(step).value
    except InvalidInput:
        pass
    if key not in steps:
        raise InvalidInput("err.choice", "step", value=step, allowed=", ".join(steps))
    return key


class Supervision:
    """The register's listed supervision, escalation, enforcement actions and evidence files."""

    def __init__(self, ctx: Context, units: Units, hazards: Hazards) -> None:
        self.ctx = ctx
        self.units = units
        self.hazards = hazards

    # -- listing supervision -------------------------------------------------------------

    def supervise(self, ref: str, body: str, level: str, on: str | None = None, due: str | None = None,
                  note: str | None = None, notice: str | None = None) -> dict[str, Any]:
        """List a major hazard for supervision: the supervising body (督办单位), its level, the
        notice's number (督办文号) and the supervision deadline (督办期限), all required."""
        from hazreg.text import clean_text  # text kept as an import would keep it

        note = clean_text(note)
        hazard = self.hazards.get(ref)
        hid = f"H{hazard['id']}"
        if hazard["level"] != Level.MAJOR:
            raise Refused("err.supervise_not_major", id=hid)
        if hazard["status"] in (Status.CLOSED, Status.VOID):
            raise Refused("err.supervise_finished", id=hid, status=Status.parse(hazard["status"]).label())
        current = self.ctx.store.supervision_in_force(hazard["id"])
        if current:
            raise Refused("err.supervise_twice", id=hid, body=current["body"],
                          notice=current.get("notice_no") or "—", since=current["listed_on"])
        if not (body or "").strip():
            raise InvalidInput("err.required", "body")
        listing_particulars(clean_text(notice), due)
        listed_on = self.ctx.happened(on, "on")
        due_on = self.ctx.date(due, "due")
        assert due_on is not None
        if listed_on.isoformat() < hazard["found_on"]:
            raise InvalidInput("err.before_found", "on", value=listed_on, found=hazard["found_on"])
        if due_on < listed_on:
            raise InvalidInput("err.end_before_start", "due", end=due_on, start=listed_on)
        record = {"body": clean_text(body), "level": SupervisionLevel.parse(level, "level").value,
                  "listed_on": listed_on.isoformat(), "due": due_on.isoformat(), "note": note,
                  "notice_no": clean_text(notice)}
        now = dates.timestamp()
        uid = new_uid()
        with self.ctx.store.transaction():
            self.ctx.store.insert_into("supervisions", {"uid": uid, "hazard_id": hazard["id"], **record,
                                                     "created_at": now, "updated_at": now})
            listing = {"supervised_by": record["body"], "supervision_level": record["level"],
                       "notice_no": record["notice_no"], "listed_on": record["listed_on"], "due": record["due"],
                       "uid": uid}
            self.ctx.log("hazard", hazard["id"], "supervise", None, {k: v for k, v in listing.items() if v}, note)
        return self.hazards.get(hazard["id"])

    # -- closing a supervised hazard: 销号申请 → 验收 → 销号 (verify) → 摘牌 (delist) ---------------

    def closing(self, hazard_id: int) -> dict[str, Any] | None:
        """Where a listed hazard stands on its way to 销号, or None if it is not listed:
        the listing, its steps, the next step ("apply", "accept", "close", "delist"), and the
        on-site acceptance's due day (working days after the application) and whether it is late."""
        listing = self.ctx.store.supervision_in_force(hazard_id)
        if listing is None:
            return None
        return closing_state(self.ctx, listing, self.ctx.store.supervision_steps(listing["id"]),
                             self.hazards.get(hazard_id)["status"])

    def apply_close(self, ref: str, by: str, report: Path | None, on: str | None = None,
                    note: str | None = None) -> dict[str, Any]:
        """The unit applies for 销号 (销号申请), its evaluation report attached: a listed major
        hazard, rectified, with no application pending."""
        from hazreg.text import clean_text

        by, note = clean_text(by) or "", clean_text(note)
        hazard = self.hazards.get(ref)
        hid = f"H{hazard['id']}"
        state = self._listed(hazard)
        if hazard["status"] != Status.RECTIFIED:
            raise Refused("err.apply_status", id=hid, status=Status.parse(hazard["status"]).label())
        if state["next"] != "apply":
            raise Refused("err.close_order", id=hid, step=closing_step_label("apply"),
                          next=closing_step_label(state["next"]))
        if not by.strip():
            raise InvalidInput("err.required", "by")
        if report is None:
            raise InvalidInput("err.required", "report")
        day = self.ctx.happened(on, "on")
        if hazard.get("rectified_on") and day.isoformat() < hazard["rectified_on"]:
            raise InvalidInput("err.end_before_start", "on", end=day, start=hazard["rectified_on"])
        uid = new_uid()
        with self.ctx.store.transaction():
            attached = self.attach(ref, [report], "report", note)[0]
            self.ctx.store.insert_into("supervision_steps", {
                "uid": uid, "hazard_id": hazard["id"], "supervision_id": state["listing"]["id"], "step": "apply",
                "done_by": by, "done_on": day.isoformat(), "attachment_id": attached["id"], "note": note,
                "created_at": dates.timestamp()})
            self.ctx.log("hazard", hazard["id"], "apply", None,
                         {"step": "apply", "step_by": by, "step_on": day.isoformat(), "attachment": f"A{attached['id']}",
                          "uid": uid}, note, day)
        return self.hazards.get(hazard["id"])

    def accept(self, ref: str, by: str, on: str | None = None, note: str | None = None,
               fail: bool = False) -> dict[str, Any]:
        """The supervising body's on-site check (验收) of an application: passed, the hazard may be
        closed (销号, `verify`); failed, it goes back to rectifying and the unit applies again."""
        from hazreg.text import clean_text

        by, note = clean_text(by) or "", clean_text(note)
        hazard = self.hazards.get(ref)
        hid = f"H{hazard['id']}"
        state = self._listed(hazard)
        step = "accept_fail" if fail else "accept"
        if state["next"] != "accept":
            raise Refused("err.close_order", id=hid, step=closing_step_label(step),
                          next=closing_step_label(state["next"]))
        if not by.strip():
            raise InvalidInput("err.required", "by")
        if fail and not (note or "").strip():
            raise InvalidInput("err.required", "note")
        day = self.ctx.happened(on, "on")
        applied_on = state["applied_on"]
        if day.isoformat() < applied_on:
            raise InvalidInput("err.end_before_start", "on", end=day, start=applied_on)
        uid = new_uid()
        late = day > date.fromisoformat(state["accept_by"])
        with self.ctx.store.transaction():
            self.ctx.store.insert_into("supervision_steps", {
                "uid": uid, "hazard_id": hazard["id"], "supervision_id": state["listing"]["id"], "step": step,
                "done_by": by, "done_on": day.isoformat(), "attachment_id": None, "note": note,
                "created_at": dates.timestamp()})
            after: dict[str, Any] = {"step": step, "step_by": by, "step_on": day.isoformat(), "uid": uid}
            if late:
                after["late"] = True
            self.ctx.log("hazard", hazard["id"], step, None, after, note, day)
            if fail:  # back to rectifying, as a failed verification sends it
                self.hazards._change(hazard, {"status": Status.RECTIFYING, "verified_by": by, "verified_on": day,
                                              "verify_note": note, "rectified_on": None}, "verify_fail", note, day)
        return self.hazards.get(hazard["id"])

    def _listed(self, hazard: dict[str, Any]) -> dict[str, Any]:
        state = self.closing(hazard["id"])
        if state is None:
            raise Refused("err.not_supervised", id=f"H{hazard['id']}")
        return state

    def decorate(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each hazard row with its listing in force, if any: supervised_by, supervision_level,
        notice_no, supervision_due and supervision_overdue (督办逾期: the supervision deadline has
        passed and the hazard is not closed)."""
        listings = self.ctx.store.supervisions_in_force_for([r["id"] for r in rows])
        today = self.ctx.today().isoformat()
        for row in rows:
            listing = listings.get(row["id"])
            row.update(supervision_fields(listing, row["status"], today))
        return rows

    def delist(self, ref: str, note: str, on: str | None = None) -> dict[str, Any]:
        from hazreg.text import clean_text

        note = clean_text(note) or ""
        hazard = self.hazards.get(ref)
        hid = f"H{hazard['id']}"
        listing = self.ctx.store.supervision_in_force(hazard["id"])
        if listing is None:
            raise Refused("err.delist_not_listed", id=hid)
        if hazard["status"] != Status.CLOSED:
            raise Refused("err.delist_open", id=hid, status=Status.parse(hazard["status"]).label())
        if not (note or "").strip():
            raise InvalidInput("err.required", "note")
        day = self.ctx.happened(on, "on")
        if day.isoformat() < listing["listed_on"]:
            raise InvalidInput("err.end_before_start", "on", end=day, start=listing["listed_on"])
        with self.ctx.store.transaction():
            self.ctx.store.delist(listing["id"], day, note, dates.timestamp())
            self.ctx.log("hazard", hazard["id"], "delist", {"supervised_by": listing["body"]},
                     {"delisted_on": day.isoformat()}, note)
        return self.hazards.get(hazard["id"])

    # -- deadlines -----------------------------------------------------------------------

    def extend(self, ref: str, to: str, reason: str, approved_by: str | None = None) -> dict[str, Any]:
        """Move a deadline later, keeping the one it replaces (and the reason) in the register."""
        from hazreg.text import clean_text

        reason, approved_by = clean_text(reason) or "", clean_text(approved_by)
        hazard = self.hazards.get(ref)
        hid = f"H{hazard['id']}"
        if hazard["status"] not in (Status.OPEN, Status.RECTIFYING):
            raise Refused("err.extend_status", id=hid, status=Status.parse(hazard["status"]).label())
        if not (reason or "").strip():
            raise InvalidInput("err.required", "reason")
        new = self.ctx.date(to, "to")
        assert new is not None
        if hazard["deadline"] and new.isoformat() <= hazard["deadline"]:
            raise Refused("err.extend_earlier", id=hid, to=new, deadline=hazard["deadline"])
        unapproved = approval_missing(self.ctx.store.supervision_in_force(hazard["id"]), new, approved_by)
        if unapproved is not None:
            raise Refused("err.extend_past_supervision", id=hid, **unapproved)
        with self.ctx.store.transaction():
            self.ctx.store.insert_into("extensions", {
                "uid": new_uid(), "hazard_id": hazard["id"], "from_deadline": hazard["deadline"],
                "to_deadline": new.isoformat(), "reason": reason.strip(), "approved_by": approved_by,
                "created_at": dates.timestamp(),
            })
            changed = self.hazards._change(hazard, {"deadline": new}, "extend", reason.strip())
        return changed

    # -- escalation ------------------------------------------------------------------------

    def ladder(self) -> list[tuple[str, int]]:
        return ladder_of(self.ctx)

    def set_ladder(self, text: str) -> list[tuple[str, int]]:
        steps = parse_ladder(text)
        with self.ctx.store.transaction():
            old = self.ctx.store.setting("escalation")
            self.ctx.store.set_setting("escalation", json.dumps(steps))
            self.ctx.log("settings", 0, "escalation", {"escalation": old}, {"escalation": json.dumps(steps)})
        return steps

    def escalations(self) -> list[dict[str, Any]]:
        """The steps due today and not yet recorded, for every overdue hazard, most overdue first."""
        overdue, _ = self.hazards.query(self.hazards.filter(overdue=True))
        done = self.ctx.store.escalations_done([h["id"] for h in overdue])
        today = self.ctx.today()
        due: list[dict[str, Any]] = []
        for hazard in overdue:
            days = (today - date.fromisoformat(hazard["deadline"])).days
            for step, after in self.ladder():
                if days >= after and step not in done.get(hazard["id"], set()):
                    due.append({"hazard": hazard, "step": step, "after": after, "days_overdue": days})
        due.sort(key=lambda d: (-d["days_overdue"], d["hazard"]["id"], d["after"]))
        return due

    def escalate(self, ref: str, step: str, note: str | None = None, on: str | None = None) -> dict[str, Any]:
        from hazreg.text import clean_text

        note = clean_text(note)
        hazard = self.hazards.get(ref)
        hid = f"H{hazard['id']}"
        key = ladder_step(self.ctx, step)
        if key in self.ctx.store.escalations_done([hazard["id"]]).get(hazard["id"], set()):
            raise Refused("err.escalated_twice", id=hid, step=step_label(key))
        if not hazard["overdue"]:
            raise Refused("err.escalate_not_overdue", id=hid)
        day = self.ctx.happened(on, "on")
        uid = new_uid()
        with self.ctx.store.transaction():
            self.ctx.store.insert_into("escalations", {"uid": uid, "hazard_id": hazard["id"], "step": key,
                                                    "done_on": day.isoformat(), "note": note,
                                                    "created_at": dates.timestamp()})
            self.ctx.log("hazard", hazard["id"], "escalate", None, {"step": key, "done_on": day.isoformat(), "uid": uid},
                     note)
        return hazard

    def due(self, owner: str | None = None, within: str = "7d") -> list[dict[str, Any]]:
        """The morning view: overdue, then due within `within`; the owner's own first."""
        rows, _ = self.hazards.query(self.hazards.filter(statuses=["open", "rectifying"], due_within=within))
        if owner:
            rows.sort(key=lambda r: r.get("owner") != owner)  # stable: urgency order kept within each part
        return rows

    # -- enforcement -----------------------------------------------------------------------

    def take_action(self, ref: str, kind: str, amount: str | None = None, against: str | None = None,
                    on: str | None = None, note: str | None = None) -> dict[str, Any]:
        from hazreg.text import clean_text

        against, note = clean_text(against), clean_text(note)
        hazard = self.hazards.get(ref)
        action = ActionType.parse(kind, "type")
        if action == ActionType.FINE and amount is None:
            raise InvalidInput("err.fine_amount", "amount")
        if action != ActionType.FINE and amount is not None:
            raise InvalidInput("err.amount_not_fine", "amount", type=action.label())
        yuan = parse_yuan(amount, "amount") if amount is not None else None
        if yuan is not None and yuan <= 0:
            raise InvalidInput("err.money", "amount", value=amount)
        day = self.ctx.happened(on, "on")
        if day.isoformat() < hazard["found_on"]:
            raise InvalidInput("err.before_found", "on", value=day, found=hazard["found_on"])
        record = {"type": action.value, "amount_fen": to_fen(yuan) if yuan is not None else None,
                  "against": against, "taken_on": day.isoformat(), "note": note}
        uid = new_uid()
        with self.ctx.store.transaction():
            action_id = self.ctx.store.insert_into("actions", {"uid": uid, "hazard_id": hazard["id"], **record,
                                                            "created_at": dates.timestamp()})
            after = {"type": action.value, "amount": f"{yuan:.2f}" if yuan is not None else None,
                     "against": against, "on": day.isoformat(), "uid": uid}
            self.ctx.log("hazard", hazard["id"], "action", None, {k: v for k, v in after.items() if v}, note)
        return {"id": action_id, "hazard_id": hazard["id"], **record, "amount": yuan}

    def action_filter(self, types: list[str] | None = None, since: str | None = None, until: str | None = None,
                      unit: str | None = None, hazard: str | None = None) -> ActionFilter:
        return ActionFilter(
            types=[ActionType.parse(t, "type").value for t in types or []],
            since=self.ctx.date(since, "since"), until=self.ctx.date(until, "until"),
            unit_ids=[self.units.find(unit)["id"]] if unit else [],
            hazard_ids=[self.hazards.get(hazard)["id"]] if hazard else [],
        )

    def actions(self, f: ActionFilter, limit: int | None = None) -> list[dict[str, Any]]:
        return self.ctx.store.actions(f, limit)

    # -- evidence ----------------------------------------------------------------------------

    def _blobs(self) -> BlobStore | None:
        """The store itself when it keeps attached files in its database (PostgreSQL)."""
        return cast(BlobStore, self.ctx.store) if self.ctx.store.engine == "postgresql" else None

    def _files(self) -> Path:
        folder = self.ctx.store.files_dir
        if folder is None:
            raise Refused("err.no_register_file")
        return folder

    def blob_path(self, sha256: str) -> Path:
        return self._files() / sha256[:2] / sha256

    def attach(self, ref: str, files: list[Path], stage: str = "other", note: str | None = None) -> list[dict[str, Any]]:
        """Keep a copy of each file, stored once by its SHA-256, listed under the hazard."""
        from hazreg.text import clean_text

        note = clean_text(note)
        hazard = self.hazards.get(ref)
        kind = Stage.parse(stage, "stage")
        for path in files:
            if not path.is_file():
                raise InvalidInput("err.no_file", "file", path=str(path))
        stored: list[dict[str, Any]] = []
        copied: list[Path] = []
        try:
            with self.ctx.store.transaction():
                for path in files:
                    blobs = self._blobs()
                    if blobs is not None:  # kept in the database, in this same write
                        data = path.read_bytes()
                        digest, size = hashlib.sha256(data).hexdigest(), len(data)
                        blobs.put_blob(digest, data)
                        target = None
                    else:
                        digest, size = sha256_of(path), path.stat().st_size
                        target = self.blob_path(digest)
                    if target is not None and not target.exists():
                        target.parent.parent.mkdir(mode=0o700, exist_ok=True)
                        target.parent.mkdir(mode=0o700, exist_ok=True)
                        part = target.with_suffix(".part")
                        try:
                            private_copy(path, part)  # 0600 from the first byte
                            if sha256_of(part) != digest:  # the file changed while it was copied
                                raise Refused("err.file_changed", path=str(path))
                            part.replace(target)
                        except BaseException:  # a full disk, Ctrl-C: no partial copy left behind
                            part.unlink(missing_ok=True)
                            raise
                        copied.append(target)
                    record = {"hazard_id": hazard["id"], "sha256": digest, "size": size,
                              "name": path.name, "stage": kind.value, "note": note}
                    uid = new_uid()
                    attachment_id = self.ctx.store.insert_into("attachments", {"uid": uid, **record,
                                                                           "created_at": dates.timestamp()})
                    self.ctx.log("hazard", hazard["id"], "attach", None,
                             {"attachment": f"A{attachment_id}", "file": path.name, "sha256": digest,
                              "size": record["size"], "stage": kind.value, "uid": uid}, note)
                    stored.append({"id": attachment_id, **record})
        except BaseException:
            for target in copied:  # nothing refers to them: the transaction rolled back
                target.unlink(missing_ok=True)
            raise
        return stored

    def attachment(self, ref: str) -> dict[str, Any]:
        attachment_id = parse_id(ref, "A", "attachment")
        found = self.ctx.store.attachment(attachment_id)
        if found is None:
            raise NotFound("err.attachment_not_found", ref=f"A{attachment_id}")
        return found

    def attachment_file(self, ref: str) -> tuple[dict[str, Any], Path]:
        """An attachment and its stored file, refused if the file is missing, altered, or not a
        plain file inside the register's folder (a link is never followed)."""
        item = self.attachment(ref)
        path = self.blob_path(item["sha256"])
        problem = self.blob_problem(item["sha256"], item["size"])
        if problem is not None:
            raise Refused(f"err.attachment_{problem}", id=f"A{item['id']}")
        return item, path

    def copy_attachment(self, item: dict[str, Any], target: Path) -> None:
        """An attachment's stored file written to `target` (private, 0600), refused if the stored
        file is missing or altered (or, beside a register file, not a plain file inside its folder)."""
        blobs = self._blobs()
        if blobs is None:
            _, path = self.attachment_file(str(item["id"]))
            private_copy(path, target)
            return
        data = blobs.blob(item["sha256"])
        if data is None:
            raise Refused("err.attachment_missing", id=f"A{item['id']}")
        if len(data) != item["size"] or hashlib.sha256(data).hexdigest() != item["sha256"]:
            raise Refused("err.attachment_altered", id=f"A{item['id']}")
        import os

        target.unlink(missing_ok=True)
        with os.fdopen(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as out:
            out.write(data)

    def blob_problem(self, digest: str, size: int) -> str | None:
        """Why the stored file of that hash cannot be trusted ("missing", "not_regular",
        "altered"), or None: it must be a plain file at its place in the register's folder,
        reached without following a link, with that size and hash."""
        import os
        import stat

        path = self.blob_path(digest)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return "missing"
        except OSError:
            return "not_regular"
        inside = os.path.realpath(path) == os.path.join(os.path.realpath(self._files()), digest[:2], digest)
        if not stat.S_ISREG(info.st_mode) or not inside:
            return "not_regular"
        try:
            if info.st_size != size or sha256_of(path, follow=False) != digest:
                return "altered"
        except OSError:  # replaced by a link since: not followed
            return "not_regular"
        return None

    def check_files(self) -> list[dict[str, Any]]:
        """Every stored file that is missing, altered, or not a plain file in the register's folder."""
        blobs = self._blobs()
        if blobs is not None:
            return [{"sha256": digest, "problem": problem} for digest, problem in blobs.blob_problems()]
        problems = []
        for digest, size in self.ctx.store.stored_files():
            problem = self.blob_problem(digest, size)
            if problem is not None:
                problems.append({"sha256": digest, "problem": problem})
        return problems

    def evidence(self, hazard_id: int) -> dict[str, list[dict[str, Any]]]:
        """Everything kept about a hazard beyond its own fields; with `supervision_steps`, the
        closing steps of each of its listings (销号申请, 验收), and `closing`, where the listing in
        force stands (next step, acceptance due by, late)."""
        found = self.ctx.store.evidence(hazard_id)
        found["supervision_steps"] = [step for s in found["supervisions"]
                                      for step in self.ctx.store.supervision_steps(s["id"])]
        state = self.closing(hazard_id)
        if state is not None:
            found["closing"] = [{"next": state["next"], "applied_on": state["applied_on"],
                                 "accept_by": state["accept_by"], "accepted_on": state["accepted_on"],
                                 "accept_late": state["accept_late"]}]
        return found


CLOSING_STEPS = ("apply", "accept", "close", "delist")


def closing_step_label(key: str) -> str:
    from hazreg.i18n import t

    return t(f"closing.{key}")


def next_step(steps: list[dict[str, Any]]) -> str:
    """The closing step a listing's recorded steps (in order) allow next: "apply" (none yet, or
    the last acceptance failed), "accept" (after an application: passed or failed) or "close"
    (after a passed acceptance: nothing more is recorded on the listing)."""
    last = steps[-1]["step"] if steps else None
    if last is None or last == "accept_fail":
        return "apply"
    return "accept" if last == "apply" else "close"


def step_in_order(hid: str, step: str, steps: list[dict[str, Any]]) -> None:
    """Refused (err.close_order, as InvalidInput naming `step`) unless `step` ("apply",
    "accept" or "accept_fail") may follow the listing's recorded `steps`; for imports."""
    following = next_step(steps)
    if following != ("apply" if step == "apply" else "accept"):
        raise InvalidInput("err.close_order", "step", id=hid, step=closing_step_label(step),
                           next=closing_step_label(following))


def closing_state(ctx: Context, listing: dict[str, Any], steps: list[dict[str, Any]], status: str) -> dict[str, Any]:
    """A listing's way to 销号 from its recorded steps: the next step, the last application's
    day, the day its on-site acceptance is due by (ctx's acceptance_days working days later)
    and whether the acceptance is (or was) late."""
    following = "delist" if status == Status.CLOSED else next_step(steps)
    applied = next((s for s in reversed(steps) if s["step"] == "apply"), None)
    state: dict[str, Any] = {"listing": listing, "steps": steps, "next": following, "applied_on": None,
                             "accept_by": None, "accepted_on": None, "accept_late": False}
    if applied is not None:
        days = ctx.days_setting("acceptance_days")
        with warnings_quiet():
            accept_by = dates.add_working_days(date.fromisoformat(applied["done_on"]), days)
        checked = next((s for s in steps if s["id"] > applied["id"]), None)
        state.update(applied_on=applied["done_on"], accept_by=accept_by.isoformat(),
                     accepted_on=checked["done_on"] if checked else None)
        when = date.fromisoformat(checked["done_on"]) if checked else ctx.today()
        state["accept_late"] = when > accept_by
    return state


@contextmanager
def warnings_quiet() -> Iterator[None]:
    """Working days counted beyond the calendar are estimated with a warning; a listing's
    acceptance due day is shown, not typed, so the warning is not repeated for it."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def supervision_fields(listing: dict[str, Any] | None, status: str, today: str) -> dict[str, Any]:
    """The listing fields a hazard row shows (all None when it is not listed)."""
    if listing is None:
        return {"supervised_by": None, "supervision_level": None, "notice_no": None, "supervision_due": None,
                "supervision_overdue": False}
    due: str | None = listing.get("due")
    return {"supervised_by": listing["body"], "supervision_level": listing["level"],
            "notice_no": listing.get("notice_no"), "supervision_due": due,
            "supervision_overdue": due is not None and due < today and status not in (Status.CLOSED, Status.VOID)}


def step_label(key: str) -> str:
    try:
        return Step.parse(key).label()
    except InvalidInput:
        return key
