"""Administrative enforcement cases (行政执法案件): open, step, decide, pay, close.

A case is against a unit on the roster or a party not on it, and moves 立案 → 调查取证 → 告知
(陈述申辩/听证) → 决定 → 执行 → 结案, one step at a time, each dated (never before the step
before it, never in the future) and with who did it. The decision names the violation (one of
the 打非治违 categories and free text), the clause, and its penalties, one per party (双罚: a fine
on the unit and one on its principal are two penalties); a fine must lie in the range its clause
allows (a table shipped in data/fine_ranges.json, replaced by the `fine_ranges` setting).

Execution: a fine is due 15 days after the decision is served (《行政处罚法》第六十七条); each day
after that, 3% of the part still unpaid is added (加处罚款, 第七十二条), never more in all than
the fine. A 停产停业整顿 decision cannot be executed before 复产验收 is recorded.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from hazreg import creditcode, dates
from hazreg.enums import (
    CASE_ORDER,
    CASE_PENALTIES,
    ActionType,
    CaseStep,
    Discretion,
    Hearing,
    IllegalCategory,
    Industry,
    PartyKind,
)
from hazreg.errors import InvalidInput, NotFound, Refused
from hazreg.money import from_fen, parse_yuan, to_fen
from hazreg.register.base import Context, diff, new_uid

if TYPE_CHECKING:
    from hazreg.register.places import Places
    from hazreg.register.units import Units

SETTING = "fine_ranges"
DUE_DAYS = 15  # 《行政处罚法》第六十七条: paid within 15 days of the decision being served
LATE_RATE = Fraction(3, 100)  # 第七十二条: 3% of the fine a day, never more than the fine
# The fields a case keeps, as history records them (replayed by `check`).
FIELDS = ("case_no", "unit_id", "party", "party_id", "address", "principal", "locality", "industry", "cause",
          "step", "opened_on", "closed_on", "category", "violation", "clause", "decided_on", "served_on", "note")
EDITABLE = ("case_no", "party", "party_id", "address", "principal", "locality", "industry", "cause", "note")
STEP_FIELDS = ("case_id", "step", "done_on", "done_by", "hearing", "document_id", "note")
PENALTY_FIELDS = ("case_id", "party_kind", "party_name", "type", "amount_fen", "discretion", "clause")
PAYMENT_FIELDS = ("case_id", "penalty_id", "paid_on", "amount_fen", "late_fen", "note")
LINK_FIELDS = ("case_id", "kind", "target_id")
MONEY_PENALTIES = (ActionType.FINE, ActionType.CONFISCATE)
_REF = re.compile(r"(?:c-?)?0*(\d{1,12})", re.ASCII)
Rows = list[dict[str, Any]]  # (the service's `list` method hides the builtin in its class)
_ID_CARD = re.compile(r"\d{17}[\dX]", re.ASCII)


def case_ref(case_id: int) -> str:
    """The internal reference of a case: C-00012."""
    return f"C-{case_id:05d}"


def _text(value: Any) -> str | None:
    text = unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""
    return text or None


def _id_card_ok(code: str) -> bool:
    """A resident identity card number's check character (GB 11643, ISO 7064 MOD 11-2)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(code[:17], weights, strict=True))
    return "10X98765432"[total % 11] == code[17]


def party_code(text: Any) -> str | None:
    """A party's ID or credit code: an 18-character one must be a valid unified social credit code
    (GB 32100) or a valid resident identity card number; other lengths are kept as typed."""
    value = _text(text)
    if value is None:
        return None
    code = creditcode.normalise(value)
    if len(code) != 18:
        return value
    if _ID_CARD.fullmatch(code) and _id_card_ok(code):
        return code
    return creditcode.validate(code, "party_id")


def late_fine_fen(fine_fen: int, due: date, paid: list[tuple[date, int]], through: date) -> int:
    """加处罚款 to `through`: each day after `due`, 3% of the fine still unpaid that day, in all
    never more than the fine; exact, rounded half up to the fen once at the end.

    `paid`: (day, principal paid that day); a payment on a day stops that part's accrual from
    that day on."""
    total = Fraction(0)
    unpaid = fine_fen
    for day, amount in sorted(paid):
        days = max(0, (min(day, through) - due).days)
        total += LATE_RATE * amount * days
        unpaid -= amount
    if unpaid > 0:
        total += LATE_RATE * unpaid * max(0, (through - due).days)
    fen = int((Decimal(total.numerator) / Decimal(total.denominator)).quantize(Decimal(1), ROUND_HALF_UP))
    return min(fen, fine_fen)


def find_case(store: Any, ref: str | int) -> dict[str, Any]:
    """A case by its reference (C-00012, C-12, 12) or its case number (案号); NotFound else."""
    if isinstance(ref, int):
        found = store.case(ref)
    else:
        text = unicodedata.normalize("NFKC", str(ref)).strip()
        m = _REF.fullmatch(text.casefold())
        found = store.case(int(m[1])) if m else None
        if found is None and text:
            found = store.case(case_no=text)
    if found is None:
        raise NotFound("err.case_not_found", ref=str(ref))
    return dict(found)


def default_ranges() -> list[dict[str, Any]]:
    """The fine ranges shipped with hazreg (data/fine_ranges.json)."""
    data = json.loads(files("hazreg").joinpath("data/fine_ranges.json").read_text(encoding="utf-8"))
    return list(data["clauses"])


def _clause_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace("《", "").replace("》", "").replace(" ", "")


class Cases:
    """Enforcement cases: open, step, decide, pay, edit, close, list, show."""

    def __init__(self, ctx: Context, units: Units, places: Places) -> None:
        self.ctx = ctx
        self.units = units
        self.places = places

    # -- the fine ranges ---------------------------------------------------------------------

    def ranges(self) -> list[dict[str, Any]]:
        """The clauses and the fines they allow: the `fine_ranges` setting, else the defaults."""
        stored = self.ctx.store.setting(SETTING)
        return json.loads(stored) if stored else default_ranges()

    def set_ranges(self, clauses: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace the table of clauses (each: code, clause, unit and person ranges in yuan or null),
        recorded in history."""
        checked = []
        for entry in clauses:
            if not isinstance(entry, dict) or not _text(entry.get("code")) or not _text(entry.get("clause")):
                raise InvalidInput("err.fine_range_entry", SETTING, value=json.dumps(entry, ensure_ascii=False)[:80])
            item: dict[str, Any] = {"code": _text(entry["code"]), "clause": _text(entry["clause"]),
                    "summary": _text(entry.get("summary")) or ""}
            for who in ("unit", "person"):
                span = entry.get(who)
                if span is None:
                    item[who] = None
                    continue
                if not isinstance(span, list) or len(span) != 2:
                    raise InvalidInput("err.fine_range_entry", SETTING, value=str(span))
                low, high = (parse_yuan(str(v), SETTING) for v in span)
                if low > high:
                    raise InvalidInput("err.fine_range_entry", SETTING, value=str(span))
                item[who] = [f"{low:.2f}", f"{high:.2f}"]
            checked.append(item)
        text = json.dumps(checked, ensure_ascii=False)
        with self.ctx.store.transaction():
            old = self.ctx.store.setting(SETTING)
            self.ctx.store.set_setting(SETTING, text)
            self.ctx.log("settings", 0, SETTING, {SETTING: old}, {SETTING: text})
        return checked

    def clause(self, text: str) -> dict[str, Any] | None:
        """The table's entry for a clause, by its code (aqf-99) or its text (《安全生产法》第九十九条)."""
        key = _clause_key(text)
        for entry in self.ranges():
            if key in (_clause_key(entry["code"]), _clause_key(entry["clause"])):
                return entry
        return None

    def check_fine(self, clause_text: str | None, kind: PartyKind, amount_fen: int) -> str:
        """The clause as the table names it, if the fine lies in its range for this party; else
        InvalidInput naming the range (exit 2)."""
        if not clause_text:
            raise InvalidInput("err.required", "clause")
        entry = self.clause(clause_text)
        if entry is None:
            raise InvalidInput("err.fine_clause_unknown", "clause", value=clause_text)
        who = "unit" if kind is PartyKind.UNIT else "person"
        span = entry.get(who)
        if span is None:
            raise InvalidInput("err.clause_no_fine", "amount", clause=entry["clause"], party=kind.label())
        low, high = (to_fen(parse_yuan(str(v), SETTING)) for v in span)
        if not low <= amount_fen <= high or amount_fen <= 0:
            raise InvalidInput("err.fine_range", "amount", value=f"{from_fen(amount_fen):.2f}",
                               clause=entry["clause"], party=kind.label(),
                               low=f"{from_fen(low):.2f}", high=f"{from_fen(high):.2f}")
        return str(entry["clause"])

    # -- finding -----------------------------------------------------------------------------

    def find(self, ref: str | int) -> dict[str, Any]:
        """A case by its reference (C-00012, C-12, 12) or its case number (案号)."""
        return find_case(self.ctx.store, ref)

    def _check_case_no(self, value: Any, current_id: int | None = None) -> str | None:
        number = _text(value)
        if number is None:
            return None
        if _REF.fullmatch(unicodedata.normalize("NFKC", number).casefold()):
            raise InvalidInput("err.case_no_like_ref", "case_no", value=number)
        other = self.ctx.store.case(case_no=number)
        if other is not None and other["id"] != current_id:
            raise Refused("err.case_no_taken", value=number, ref=case_ref(other["id"]))
        return number

    # -- opening -----------------------------------------------------------------------------

    def open(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open (立案) a case against a unit (`unit`) or a party (`party`, `party_id`, `address`),
        linked to hazards, inspections and accidents; the 立案 step is its first step."""
        record: dict[str, Any] = dict.fromkeys(FIELDS)
        if data.get("unit") is not None:
            unit = self.units.find(data["unit"])
            record.update(unit_id=unit["id"], locality=unit.get("locality"),
                          industry=(unit.get("industries") or [unit["industry"]])[0],
                          principal=_text(unit.get("contact")))
        elif not _text(data.get("party")):
            raise InvalidInput("err.case_whose")
        for field in ("party", "address", "principal", "note"):
            if data.get(field) is not None:
                record[field] = _text(data[field])
        if data.get("party_id") is not None:
            record["party_id"] = party_code(data["party_id"])
        if data.get("locality") is not None:
            record["locality"] = self.places.locality(data["locality"]) or None
        if data.get("industry") is not None:
            record["industry"] = Industry.parse(data["industry"], "industry").value
        record["cause"] = _text(data.get("cause"))
        if not record["cause"]:
            raise InvalidInput("err.required", "cause")
        record["case_no"] = self._check_case_no(data.get("case_no"))
        day = self.ctx.happened(data.get("on"), "on")
        record["opened_on"] = day.isoformat()
        record["step"] = CaseStep.FILED.value
        links = self._links(data)
        by = _text(data.get("by")) or self.ctx.operator
        now = dates.timestamp()
        with self.ctx.store.transaction():
            case_id = self.ctx.store.insert_case({"uid": new_uid(), **record, "created_at": now, "updated_at": now})
            self.ctx.log("case", case_id, "create", None, dict(record), on=day)
            self._add_step(case_id, CaseStep.FILED, day, by, data.get("note_step"), None, data.get("document"))
            for kind, target_id in links:
                self._link(case_id, kind, target_id)
        return self.find(case_id)

    def _links(self, data: dict[str, Any]) -> list[tuple[str, int]]:
        """(kind, id) of the hazards, inspections and accidents named, each checked to exist."""
        from hazreg.register.base import parse_id

        found: list[tuple[str, int]] = []
        for ref in data.get("hazards") or []:
            hazard_id = parse_id(ref, "H", "hazard")
            if self.ctx.store.hazard(hazard_id, self.ctx.today()) is None:
                raise NotFound("err.hazard_not_found", ref=f"H{hazard_id}")
            found.append(("hazard", hazard_id))
        for ref in data.get("inspections") or []:
            inspection_id = parse_id(ref, "I", "inspection")
            if self.ctx.store.inspection(inspection_id) is None:
                raise NotFound("err.inspection_not_found", ref=f"I{inspection_id}")
            found.append(("inspection", inspection_id))
        for ref in data.get("accidents") or []:
            accident_id = parse_id(ref, "E", "accident")
            if self.ctx.store.accident(accident_id) is None:
                raise NotFound("err.accident_not_found", ref=f"E{accident_id}")
            found.append(("accident", accident_id))
        return list(dict.fromkeys(found))

    def _link(self, case_id: int, kind: str, target_id: int) -> None:
        """A link of a case to a hazard or an inspection (a row of case_links), or an accident
        naming the case (accidents.case_id, in the accident's history)."""
        if kind == "accident":
            accident = self.ctx.store.accident(target_id)
            assert accident is not None
            if accident.get("case_id") == case_id:
                return
            self.ctx.store.update_accident(target_id, {"case_id": case_id, "updated_at": dates.timestamp()})
            self.ctx.log("accident", target_id, "edit", {"case_id": accident.get("case_id")}, {"case_id": case_id})
            return
        if case_id in self.ctx.store.cases_linked(kind, target_id):
            return
        record = {"case_id": case_id, "kind": kind, "target_id": target_id}
        uid = new_uid()
        link_id = self.ctx.store.insert_case_row("case_links", {"uid": uid, **record, "created_at": dates.timestamp()})
        self.ctx.log("case_link", link_id, "create", None, {**record, "uid": uid})

    def link(self, ref: str | int, data: dict[str, Any]) -> dict[str, Any]:
        """Link a case to more hazards, inspections or accidents."""
        case = self.find(ref)
        links = self._links(data)
        with self.ctx.store.transaction():
            for kind, target_id in links:
                self._link(case["id"], kind, target_id)
        return self.find(case["id"])

    # -- steps -------------------------------------------------------------------------------

    def steps(self, case_id: int) -> list[dict[str, Any]]:
        return self.ctx.store.case_rows("case_steps", case_id)

    def penalties(self, case_id: int) -> list[dict[str, Any]]:
        return self.ctx.store.case_rows("case_penalties", case_id)

    def payments(self, case_id: int) -> list[dict[str, Any]]:
        return self.ctx.store.case_rows("case_payments", case_id)

    def _document_id(self, ref: Any) -> int | None:
        """An issued document (执法文书) a step carries, by its number or id (D12)."""
        text = _text(ref)
        if text is None:
            return None
        doc = self.ctx.store.document(number=text)
        if doc is None:
            m = re.fullmatch(r"[dD]?(\d{1,12})", unicodedata.normalize("NFKC", text), re.ASCII)
            doc = self.ctx.store.document(int(m[1])) if m else None
        if doc is None:
            raise NotFound("err.document_not_found", ref=text)
        return int(doc["id"])

    def _add_step(self, case_id: int, step: CaseStep, day: date, by: str, note: Any, hearing: Hearing | None,
                  document: Any) -> None:
        record = {"case_id": case_id, "step": step.value, "done_on": day.isoformat(), "done_by": by,
                  "hearing": hearing.value if hearing else None, "document_id": self._document_id(document),
                  "note": _text(note)}
        uid = new_uid()
        step_id = self.ctx.store.insert_case_row("case_steps", {"uid": uid, **record, "created_at": dates.timestamp()})
        self.ctx.log("case_step", step_id, "create", None, {**record, "uid": uid}, on=day)

    def _next(self, case: dict[str, Any]) -> CaseStep | None:
        at = CASE_ORDER.index(CaseStep.parse(case["step"]))
        return CASE_ORDER[at + 1] if at + 1 < len(CASE_ORDER) else None

    def _step_day(self, case: dict[str, Any], on: Any) -> date:
        day = self.ctx.happened(on, "on")
        last = max((s["done_on"] for s in self.steps(case["id"])), default=case["opened_on"])
        if day.isoformat() < last:
            raise Refused("err.case_step_before", ref=case_ref(case["id"]), value=day.isoformat(), last=last)
        return day

    def needs_resumption(self, case_id: int) -> bool:
        """Whether the decision ordered 停产停业整顿 and 复产验收 is not yet recorded."""
        suspended = any(p["type"] == ActionType.SUSPEND.value for p in self.penalties(case_id))
        accepted = any(s["step"] == CaseStep.RESUMPTION.value for s in self.steps(case_id))
        return suspended and not accepted

    def step(self, ref: str | int, step: str | CaseStep, on: Any = None, by: str | None = None,
             note: str | None = None, hearing: str | None = None, document: Any = None) -> dict[str, Any]:
        """Record the case's next step (skipping or going back is refused, naming the next step);
        复产验收 after a 停产停业整顿 decision. 决定 is recorded by `decide`."""
        case = self.find(ref)
        wanted = CaseStep.parse(step, "step")
        ref_text = case_ref(case["id"])
        if wanted is CaseStep.RESUMPTION:
            if case["step"] != CaseStep.DECIDED.value or not any(
                    p["type"] == ActionType.SUSPEND.value for p in self.penalties(case["id"])):
                raise Refused("err.case_resumption", ref=ref_text)
            if not self.needs_resumption(case["id"]):
                raise Refused("err.case_resumption_done", ref=ref_text)
        else:
            expected = self._next(case)
            if expected is None:
                raise Refused("err.case_closed", ref=ref_text)
            if wanted is not expected:
                raise Refused("err.case_step_order", ref=ref_text, step=wanted.label(), next=expected.label(),
                              current=CaseStep.parse(case["step"]).label())
            if wanted is CaseStep.DECIDED:
                raise Refused("err.case_decide_with", ref=ref_text)
            if wanted is CaseStep.EXECUTED:
                self._check_executable(case)
            if wanted is CaseStep.CLOSED and self.needs_resumption(case["id"]):
                raise Refused("err.case_needs_resumption", ref=ref_text)
        heard = None
        if hearing is not None:
            if wanted is not CaseStep.NOTIFIED:
                raise InvalidInput("err.case_hearing_step", "hearing")
            heard = Hearing.parse(hearing, "hearing")
        elif wanted is CaseStep.NOTIFIED:
            heard = Hearing.NONE
        day = self._step_day(case, on)
        who = _text(by) or self.ctx.operator
        with self.ctx.store.transaction():
            self._add_step(case["id"], wanted, day, who, note, heard, document)
            if wanted is not CaseStep.RESUMPTION:
                after: dict[str, Any] = {"step": wanted.value}
                if wanted is CaseStep.CLOSED:
                    after["closed_on"] = day.isoformat()
                before = {k: case[k] for k in after}
                self.ctx.store.update_case(case["id"], {**after, "updated_at": dates.timestamp()})
                self.ctx.log("case", case["id"], "step", before, after, on=day)
        return self.find(case["id"])

    def close(self, ref: str | int, on: Any = None, by: str | None = None, note: str | None = None,
              document: Any = None) -> dict[str, Any]:
        """结案: the last step."""
        return self.step(ref, CaseStep.CLOSED, on=on, by=by, note=note, document=document)

    def _check_executable(self, case: dict[str, Any]) -> None:
        ref_text = case_ref(case["id"])
        if self.needs_resumption(case["id"]):
            raise Refused("err.case_needs_resumption", ref=ref_text)
        owed = sum(p["owed_fen"] for p in self.execution(case)["penalties"])
        if owed > 0:
            raise Refused("err.case_still_owed", ref=ref_text, amount=f"{from_fen(owed):.2f}")

    # -- the decision ------------------------------------------------------------------------

    def decide(self, ref: str | int, data: dict[str, Any]) -> dict[str, Any]:
        """决定: the violation (an 打非治违 category, free text), the clause, the penalties (each
        {party_kind, party_name, type, amount, discretion, clause}), served on `served` (default the
        day decided); the case must be at 告知."""
        case = self.find(ref)
        ref_text = case_ref(case["id"])
        expected = self._next(case)
        if expected is not CaseStep.DECIDED:
            raise Refused("err.case_step_order", ref=ref_text, step=CaseStep.DECIDED.label(),
                          next=expected.label() if expected else "-", current=CaseStep.parse(case["step"]).label())
        category = IllegalCategory.parse(data.get("category") or "", "category")
        clause = _text(data.get("clause"))
        if clause is not None:  # as the fine table names it, where it has it
            clause = str((self.clause(clause) or {}).get("clause") or clause)
        penalties = [self._penalty(case, p, clause) for p in data.get("penalties") or []]
        if not penalties:
            raise InvalidInput("err.case_no_penalty", "penalty")
        day = self._step_day(case, data.get("on"))
        served = self.ctx.happened(data["served"], "served") if data.get("served") is not None else day
        if served < day:
            raise InvalidInput("err.case_served_before", "served", value=served.isoformat(), decided=day.isoformat())
        after = {"step": CaseStep.DECIDED.value, "category": category.value, "violation": _text(data.get("violation")),
                 "clause": clause, "decided_on": day.isoformat(), "served_on": served.isoformat()}
        before = {k: case[k] for k in after}
        who = _text(data.get("by")) or self.ctx.operator
        with self.ctx.store.transaction():
            self._add_step(case["id"], CaseStep.DECIDED, day, who, data.get("note"), None, data.get("document"))
            for penalty in penalties:
                uid = new_uid()
                row = {"case_id": case["id"], **penalty}
                penalty_id = self.ctx.store.insert_case_row(
                    "case_penalties", {"uid": uid, **row, "created_at": dates.timestamp()})
                self.ctx.log("case_penalty", penalty_id, "create", None, {**row, "uid": uid}, on=day)
            self.ctx.store.update_case(case["id"], {**after, "updated_at": dates.timestamp()})
            self.ctx.log("case", case["id"], "decide", before, after, on=day)
        return self.find(case["id"])

    def _penalty(self, case: dict[str, Any], given: dict[str, Any], clause: str | None) -> dict[str, Any]:
        kind = PartyKind.parse(given.get("party_kind") or PartyKind.UNIT.value, "party_kind")
        kind_type = ActionType.parse(given.get("type") or "", "penalty")
        if kind_type not in CASE_PENALTIES:
            raise InvalidInput("err.choice", "penalty", value=given.get("type"),
                               allowed=", ".join(f"{p.value} ({p.zh})" for p in CASE_PENALTIES))
        name = _text(given.get("party_name"))
        if name is None:
            if kind is PartyKind.UNIT:
                name = case.get("unit_name") or case.get("party")
            elif kind is PartyKind.PRINCIPAL:
                name = case.get("principal")
        if not name:
            raise InvalidInput("err.case_party_name", "party_name", kind=kind.label())
        amount_fen = None
        own_clause = _text(given.get("clause")) or clause
        if kind_type in MONEY_PENALTIES:
            if given.get("amount") is None:
                raise InvalidInput("err.required", "amount")
            amount_fen = to_fen(parse_yuan(given["amount"], "amount"))
            if kind_type is ActionType.FINE:
                own_clause = self.check_fine(own_clause, kind, amount_fen)
            elif amount_fen <= 0:
                raise InvalidInput("err.money", "amount", value=given["amount"])
        elif given.get("amount") is not None:
            raise InvalidInput("err.case_amount_not_money", "amount", penalty=kind_type.label())
        discretion = Discretion.parse(given.get("discretion") or Discretion.GENERAL.value, "discretion")
        return {"party_kind": kind.value, "party_name": name, "type": kind_type.value, "amount_fen": amount_fen,
                "discretion": discretion.value, "clause": own_clause}

    # -- payments ----------------------------------------------------------------------------

    def due_on(self, case: dict[str, Any]) -> date | None:
        """The day a fine must be paid by: 15 days after the decision is served."""
        return date.fromisoformat(case["served_on"]) + timedelta(days=DUE_DAYS) if case.get("served_on") else None

    def execution(self, case: dict[str, Any], through: date | None = None) -> dict[str, Any]:
        """Each money penalty with what was paid, what is owed and the late fine (加处罚款) to
        `through` (default today), all in fen."""
        through = through or self.ctx.today()
        due = self.due_on(case)
        paid_rows = self.payments(case["id"])
        out = []
        for p in self.penalties(case["id"]):
            if p["type"] != ActionType.FINE.value:
                continue
            mine = [r for r in paid_rows if r["penalty_id"] == p["id"]]
            principal = sum(r["amount_fen"] for r in mine)
            late_paid = sum(r["late_fen"] for r in mine)
            assert due is not None
            late = late_fine_fen(p["amount_fen"], due, [(date.fromisoformat(r["paid_on"]), r["amount_fen"]) for r in mine],
                                 through)
            out.append({"penalty_id": p["id"], "party_name": p["party_name"], "party_kind": p["party_kind"],
                        "fine_fen": p["amount_fen"], "paid_fen": principal, "late_fen": late, "late_paid_fen": late_paid,
                        "owed_fen": p["amount_fen"] - principal + late - late_paid,
                        "days_late": max(0, (through - due).days) if principal < p["amount_fen"] else 0})
        return {"due_on": due.isoformat() if due else None, "through": through.isoformat(), "penalties": out}

    def pay(self, ref: str | int, amount: Any, on: Any = None, penalty: Any = None, late: Any = None,
            note: str | None = None) -> dict[str, Any]:
        """A payment of a fine: `amount` of the fine itself and `late` of its 加处罚款; partial
        payments are allowed, paying more than is owed is refused."""
        case = self.find(ref)
        ref_text = case_ref(case["id"])
        if case["step"] != CaseStep.DECIDED.value:
            raise Refused("err.case_pay_step", ref=ref_text, current=CaseStep.parse(case["step"]).label())
        fines = [p for p in self.penalties(case["id"]) if p["type"] == ActionType.FINE.value]
        if penalty is not None:
            number = str(penalty).strip().lstrip("#")
            chosen = [p for p in fines if str(p["id"]) == number or str(fines.index(p) + 1) == number]
            chosen = [p for p in fines if str(p["id"]) == number] or chosen
        else:
            chosen = fines if len(fines) == 1 else []
            if len(fines) > 1:
                raise InvalidInput("err.case_which_fine", "penalty",
                                   choices=", ".join(f"{p['id']} ({p['party_name']})" for p in fines))
        if not chosen:
            raise NotFound("err.case_no_fine", ref=ref_text)
        fine = chosen[0]
        day = self.ctx.happened(on, "on")
        if day.isoformat() < case["decided_on"]:
            raise Refused("err.case_step_before", ref=ref_text, value=day.isoformat(), last=case["decided_on"])
        principal = to_fen(parse_yuan(amount, "amount")) if amount is not None else 0
        late_part = to_fen(parse_yuan(late, "late")) if late is not None else 0
        if principal + late_part <= 0:
            raise InvalidInput("err.money", "amount", value=amount)
        state = next(p for p in self.execution(case, day)["penalties"] if p["penalty_id"] == fine["id"])
        left = state["fine_fen"] - state["paid_fen"]
        late_left = state["late_fen"] - state["late_paid_fen"]
        if principal > left:
            raise Refused("err.case_overpaid", ref=ref_text, value=f"{from_fen(principal):.2f}",
                          left=f"{from_fen(left):.2f}")
        if late_part > late_left:
            raise Refused("err.case_late_overpaid", ref=ref_text, value=f"{from_fen(late_part):.2f}",
                          left=f"{from_fen(late_left):.2f}")
        record = {"case_id": case["id"], "penalty_id": fine["id"], "paid_on": day.isoformat(), "amount_fen": principal,
                  "late_fen": late_part, "note": _text(note)}
        uid = new_uid()
        with self.ctx.store.transaction():
            payment_id = self.ctx.store.insert_case_row("case_payments",
                                                        {"uid": uid, **record, "created_at": dates.timestamp()})
            self.ctx.log("case_payment", payment_id, "create", None, {**record, "uid": uid}, on=day)
        return self.find(case["id"])

    # -- editing, listing, showing -----------------------------------------------------------

    def edit(self, ref: str | int, changes: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Correct a case's own fields (not its steps, decision or payments), in history."""
        case = self.find(ref)
        given = {k: v for k, v in changes.items() if v is not None}
        unknown = set(given) - set(EDITABLE)
        if not given or unknown:
            raise InvalidInput("err.nothing_to_edit", allowed="--case-no, --party, --party-id, --address, "
                               "--principal, --locality, --industry, --cause, --note")
        record: dict[str, Any] = {}
        for field, value in given.items():
            if field == "case_no":
                record[field] = self._check_case_no(value, case["id"])
            elif field == "party_id":
                record[field] = party_code(value)
            elif field == "locality":
                record[field] = self.places.locality(value) or None
            elif field == "industry":
                record[field] = Industry.parse(value, "industry").value
            else:
                record[field] = _text(value)
        if record.get("cause", "x") is None:
            raise InvalidInput("err.required", "cause")
        if case["unit_id"] is None and "party" in record and not record["party"]:
            raise InvalidInput("err.case_whose")
        before, after = diff({k: case[k] for k in record}, record)
        if not after:
            return case, ()
        with self.ctx.store.transaction():
            self.ctx.store.update_case(case["id"], {**after, "updated_at": dates.timestamp()})
            self.ctx.log("case", case["id"], "edit", before, after)
        return self.find(case["id"]), tuple(after)

    def list(self, step: str | None = None, unit: str | None = None, localities: list[str] | None = None,
             since: str | None = None, until: str | None = None, category: str | None = None,
             open_only: bool = False, hazard: str | None = None) -> list[dict[str, Any]]:
        """Cases, oldest first, filtered."""
        first = self.ctx.date(since, "since")
        last = self.ctx.date(until, "until")
        rows = self.ctx.store.cases(first, last)
        wanted_step = CaseStep.parse(step, "step").value if step else None
        unit_id = self.units.find(unit)["id"] if unit else None
        places = set(self.places.filter_localities(localities)) if localities else None
        wanted_category = IllegalCategory.parse(category, "category").value if category else None
        linked: set[int] | None = None
        if hazard is not None:
            from hazreg.register.base import parse_id

            linked = set(self.ctx.store.cases_linked("hazard", parse_id(hazard, "H", "hazard")))
        return [r for r in rows
                if (wanted_step is None or r["step"] == wanted_step)
                and (unit_id is None or r["unit_id"] == unit_id)
                and (places is None or r["locality"] in places)
                and (wanted_category is None or r["category"] == wanted_category)
                and (not open_only or r["step"] != CaseStep.CLOSED.value)
                and (linked is None or r["id"] in linked)]

    def hazard_actions(self, hazard_ids: Sequence[int]) -> Rows:
        """The on-the-spot enforcement actions (`hazreg action`) of these hazards, shown beside
        cases: they stay records of their hazard (and in the weekly figures), never cases."""
        from hazreg.storage.base import ActionFilter

        if not hazard_ids:
            return []
        rows = self.ctx.store.actions(ActionFilter(hazard_ids=hazard_ids))
        return [{"hazard": f"H{r['hazard_id']}", "type": r["type"], "on": r["taken_on"],
                 "amount": None if r.get("amount") is None else f"{r['amount']:.2f}", "against": r.get("against")}
                for r in sorted(rows, key=lambda r: (r["taken_on"], r["id"]))]

    def show(self, ref: str | int) -> dict[str, Any]:
        """A case with its steps, links, penalties, payments, amount owed and late fine to date."""
        case = self.find(ref)
        links = self.ctx.store.case_rows("case_links", case["id"])
        return {
            "case": case_record(case),
            "steps": self.steps(case["id"]),
            "hazards": [f"H{r['target_id']}" for r in links if r["kind"] == "hazard"],
            "inspections": [f"I{r['target_id']}" for r in links if r["kind"] == "inspection"],
            "accidents": [f"E{r['id']}" for r in self.ctx.store.accidents_of_case(case["id"])],
            "penalties": self.penalties(case["id"]),
            "payments": self.payments(case["id"]),
            "execution": self.execution(case) if case.get("served_on") else None,
            "needs_resumption": self.needs_resumption(case["id"]),
            "hazard_actions": self.hazard_actions([r["target_id"] for r in links if r["kind"] == "hazard"]),
            "next": (n.value if (n := self._next(case)) else None),
        }


def yuan(fen: int | None) -> str | None:
    return None if fen is None else f"{from_fen(fen):.2f}"


def case_record(row: dict[str, Any]) -> dict[str, Any]:
    """A case as listed and exported: its reference, the party (the unit's name or the party)."""
    return {
        "id": case_ref(row["id"]), "case_no": row.get("case_no"),
        "unit_id": f"U{row['unit_id']}" if row.get("unit_id") else None,
        "party": row.get("unit_name") or row.get("party"), "party_id": row.get("party_id"),
        "address": row.get("address"), "principal": row.get("principal"), "locality": row.get("locality"),
        "industry": row.get("industry"), "cause": row["cause"], "step": row["step"], "opened_on": row["opened_on"],
        "closed_on": row.get("closed_on"), "category": row.get("category"), "violation": row.get("violation"),
        "clause": row.get("clause"), "decided_on": row.get("decided_on"), "served_on": row.get("served_on"),
        "note": row.get("note"), "uid": row["uid"],
    }


CASE_COLUMNS = ("id", "case_no", "unit_id", "party", "party_id", "address", "principal", "locality", "industry",
                "cause", "step", "opened_on", "closed_on", "category", "violation", "clause", "decided_on",
                "served_on", "note", "uid")
