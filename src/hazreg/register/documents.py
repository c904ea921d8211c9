"""Enforcement and supervision documents (执法文书): issued from the register, numbered, recorded.

- A number reads `PREFIX〔YEAR〕N号`, N counting 1, 2, 3 … per type and year with no gap and no
  repeat: it is taken inside the write that records the document (one writer at a time, on
  either engine), so a failed issue takes no number and concurrent issuers queue.
- Every document names at least two enforcement officers from the inspector list, each with a
  certificate number (执法证号); fewer is refused.
- The record keeps the type, number, date, the unit, inspection and hazards it covers, the
  fields and template it was made from, the DOCX itself and its SHA-256: a reprint gives the
  same bytes. A mistaken document is voided with a reason and keeps its number.
- Issuing a 责令限期整改指令书 sets the deadline it states and records the escalation step
  `notice`; a 督办函 records `letter`, a 约谈通知书 `interview` (when the ladder has that step
  and it is not recorded yet). Voiding the order puts each deadline it set back as it was,
  refused once a later step depends on it (the deadline moved since, the hazard rectified,
  a 整改复查意见书 issued); the escalation step stays recorded (it is evidence, never removed).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.enums import ActionType, DocType, Level, Status, SupervisionLevel
from hazreg.errors import InvalidInput, NotFound, Refused
from hazreg.register.base import Context, new_uid, parse_id

if TYPE_CHECKING:
    from hazreg.register.campaigns import Campaigns
    from hazreg.register.hazards import Hazards
    from hazreg.register.supervision import Supervision
    from hazreg.register.units import Units

# The code each type adds to the office's base prefix (宁江应急 + 责改 = 宁江应急责改〔2026〕12号).
TYPE_CODES = {
    "order_rectify": "责改", "recheck": "复查", "on_site": "现决", "supervise": "督办", "delist": "解督",
    "letter": "督函", "interview": "约谈",
}
# The escalation step a document represents.
STEP_OF = {"order_rectify": "notice", "letter": "letter", "interview": "interview"}
ON_SITE_ACTIONS = (ActionType.ON_SITE_MEASURES, ActionType.SEAL_SEIZE, ActionType.SUSPEND)
SETTINGS = "documents"
DEFAULTS: dict[str, Any] = {"office": None, "prefix": None, "prefixes": {}, "review_body": "上一级人民政府或者上一级主管部门",
            "court": "人民法院"}


# (hazard, its deadline before an order, the deadline the order set): what voiding it puts back
_Undo = list[tuple[dict[str, Any], str | None, str]]


def cn_date(value: str | date | None) -> str:
    """2026-12-02 -> 2026年12月2日 (the documents' dates)."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月{day.day}日"


def default_template(doc_type: str) -> str:
    return resources.files("hazreg.data.documents").joinpath(f"{doc_type}.txt").read_text("utf-8")


def default_clauses() -> dict[str, Any]:
    return json.loads(resources.files("hazreg.data.documents").joinpath("clauses.json").read_text("utf-8"))  # type: ignore[no-any-return]


def check_clauses(data: Any) -> dict[str, Any]:
    """A clause table as imported: {"clauses": {key: {cite, text}}, "types": {type: [key, …]}}."""
    if not isinstance(data, dict) or not isinstance(data.get("clauses"), dict) or not isinstance(data.get("types"), dict):
        raise InvalidInput("err.clauses", "clauses")
    for key, clause in data["clauses"].items():
        if not isinstance(clause, dict) or not str(clause.get("cite") or "").strip():
            raise InvalidInput("err.clause", "clauses", clause=key)
    for doc_type, keys in data["types"].items():
        DocType.parse(doc_type, "type")
        for key in keys if isinstance(keys, list) else [None]:
            if key not in data["clauses"]:
                raise InvalidInput("err.clause_unknown", "clauses", clause=str(key), type=doc_type)
    return data


class Documents:
    """Issue, list, reprint and void the register's enforcement documents; their settings and templates."""

    def __init__(self, ctx: Context, units: Units, hazards: Hazards, campaigns: Campaigns,
                 supervision: Supervision) -> None:
        self.ctx = ctx
        self.units = units
        self.hazards = hazards
        self.campaigns = campaigns
        self.supervision = supervision

    # -- settings, templates, clauses -------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        stored = self.ctx.store.setting(SETTINGS)
        return {**DEFAULTS, **(json.loads(stored) if stored else {})}

    def prefix_of(self, doc_type: str, settings: dict[str, Any] | None = None) -> str | None:
        settings = settings or self.settings()
        own = settings["prefixes"].get(doc_type)
        if own:
            return str(own)
        base = settings.get("prefix")
        if not base:
            return None
        base = str(base)
        for code in TYPE_CODES.values():  # "宁江应急责改" names the base "宁江应急" with the code of its type
            if base.endswith(code) and len(base) > len(code):
                base = base[: -len(code)]
                break
        return base + TYPE_CODES[doc_type]

    def configure(self, office: str | None = None, prefixes: list[str] | None = None, review_body: str | None = None,
                  court: str | None = None) -> dict[str, Any]:
        """Set the office's name, the number prefixes (`PREFIX` for all types, `TYPE=PREFIX` for one)."""
        from hazreg.text import clean_text

        old = self.settings()
        new = {**old, "prefixes": dict(old["prefixes"])}
        for key, value in (("office", office), ("review_body", review_body), ("court", court)):
            if value is not None:
                text = clean_text(value)
                if not text:
                    raise InvalidInput("err.required", key)
                new[key] = text
        for item in prefixes or []:
            kind, sep, text = item.partition("=")
            text = clean_text(text if sep else kind) or ""
            if not text or any(c in text for c in "〔〕[]") or len(text) > 40:
                raise InvalidInput("err.doc_prefix", "prefix", value=item)
            if sep:
                new["prefixes"][DocType.parse(kind.strip(), "type").value] = text
            else:
                new["prefix"] = text
        effective = {kind.value: self.prefix_of(kind.value, new) for kind in DocType}
        shared = [k for k, p in effective.items() if p and list(effective.values()).count(p) > 1]
        if shared:  # numbers are unique across types: two types may not share a prefix
            raise InvalidInput("err.doc_prefix_shared", "prefix", types=", ".join(shared), value=effective[shared[0]])
        value = json.dumps(new, ensure_ascii=False, sort_keys=True)
        with self.ctx.store.transaction():
            before = self.ctx.store.setting(SETTINGS)
            self.ctx.store.set_setting(SETTINGS, value)
            self.ctx.log("settings", 0, SETTINGS, {SETTINGS: before}, {SETTINGS: value})
        return new

    def template(self, doc_type: str) -> str:
        key = DocType.parse(doc_type, "type").value
        return self.ctx.store.setting(f"{SETTINGS}.template.{key}") or default_template(key)

    def clauses(self) -> dict[str, Any]:
        stored = self.ctx.store.setting(f"{SETTINGS}.clauses")
        return json.loads(stored) if stored else default_clauses()  # type: ignore[no-any-return]

    def import_template(self, name: str, text: str) -> str:
        """Keep a changed template (or clause table, name `clauses`) in the register; checked first."""
        from hazreg.render.document import parse

        if name.strip().lower() == "clauses":
            try:
                data = json.loads(text)
            except ValueError:
                raise InvalidInput("err.clauses", "clauses") from None
            value, key = json.dumps(check_clauses(data), ensure_ascii=False, sort_keys=True), f"{SETTINGS}.clauses"
        else:
            parse(text)
            value, key = text, f"{SETTINGS}.template.{DocType.parse(name, 'type').value}"
        with self.ctx.store.transaction():
            old = self.ctx.store.setting(key)
            self.ctx.store.set_setting(key, value)
            self.ctx.log("settings", 0, key, {key: old}, {key: value})
        return key

    def export_template(self, name: str) -> str:
        if name.strip().lower() == "clauses":
            return json.dumps(self.clauses(), ensure_ascii=False, indent=2) + "\n"
        return self.template(name)

    # -- issuing ------------------------------------------------------------------------------

    def _scope(self, doc_type: DocType, hazards: list[str] | None, inspection: str | None,
               unit: str | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        if sum(bool(x) for x in (hazards, inspection, unit)) != 1:
            raise InvalidInput("err.doc_scope", "for")
        found: list[dict[str, Any]] = []
        item = None
        if hazards:
            seen = set()
            for ref in hazards:
                row = self.hazards.get(ref)
                if row["id"] not in seen:
                    seen.add(row["id"])
                    found.append(row)
        elif inspection:
            item = self.campaigns.inspection(inspection)
            rows, _ = self.hazards.query(self.hazards.filter(include_all=True)._replace(inspection_ids=[item["id"]]))
            found = sorted((r for r in rows if r["status"] != Status.VOID), key=lambda r: r["id"])
        else:
            owner = self.units.find(unit or "")
            rows, _ = self.hazards.query(self.hazards.filter(unit=f"U{owner['id']}", include_all=True))
            found = sorted((r for r in rows if r["status"] != Status.VOID), key=lambda r: r["id"])
        if not hazards:  # an inspection's or a unit's hazards: those this type is about
            found = [r for r in found if self._problem(doc_type, r) is None]
        return found, item

    def _problem(self, doc_type: DocType, r: dict[str, Any]) -> Refused | None:
        """Why hazard `r` cannot be in a document of that type, or None."""
        hid, status = f"H{r['id']}", Status.parse(r["status"])
        if doc_type == DocType.ORDER_RECTIFY and status not in (Status.OPEN, Status.RECTIFYING):
            return Refused("err.doc_hazard_status", id=hid, status=status.label(), type=doc_type.zh)
        if doc_type == DocType.RECHECK and not r.get("verified_on"):
            return Refused("err.doc_not_rechecked", id=hid)
        if doc_type in (DocType.LETTER, DocType.INTERVIEW) and not r["overdue"]:
            return Refused("err.escalate_not_overdue", id=hid)
        if doc_type == DocType.SUPERVISE and not self.ctx.store.supervision_in_force(r["id"]):
            return Refused("err.doc_not_listed", id=hid)
        if doc_type == DocType.DELIST and not self._delisted(r["id"]):
            return Refused("err.doc_not_delisted", id=hid)
        return None

    def _check(self, doc_type: DocType, rows: list[dict[str, Any]]) -> None:
        if not rows:
            raise Refused("err.doc_no_hazards", type=doc_type.zh)
        if len({r["unit_id"] for r in rows}) > 1:
            raise Refused("err.doc_units", ids=", ".join(f"H{r['id']}" for r in rows))
        for r in rows:
            problem = self._problem(doc_type, r)
            if problem is not None:
                raise problem

    def _delisted(self, hazard_id: int) -> dict[str, Any] | None:
        listings = [s for s in self.supervision.evidence(hazard_id).get("supervisions", []) if s.get("delisted_on")]
        return max(listings, key=lambda s: (s["delisted_on"], s["id"])) if listings else None

    def _officers(self, names: list[str]) -> list[dict[str, str]]:
        pool = {p["name"]: p for p in self.campaigns.inspectors()}
        officers: list[dict[str, str]] = []
        lacking: list[str] = []
        split = [n for name in names for n in name.replace("，", ",").replace("、", ",").split(",")]
        for name in dict.fromkeys(n.strip() for n in split if n.strip()):
            person = pool.get(name)
            if person is None or not (person.get("cert") or "").strip():
                lacking.append(name)
            else:
                officers.append({"name": name, "cert": str(person["cert"]).strip()})
        if len(officers) < 2:
            raise Refused("err.doc_officers", count=len(officers), lacking="、".join(lacking) or "—")
        return officers

    def issue(self, kind: str, hazards: list[str] | None = None, inspection: str | None = None,
              unit: str | None = None, on: str | None = None, by: list[str] | None = None,
              deadline: str | None = None, extra: dict[str, str] | None = None) -> dict[str, Any]:
        """Issue a document: numbered, rendered, recorded (and its effects on the hazards) in one write."""
        from hazreg.render.document import FIELDS, render

        doc_type = DocType.parse(kind, "type")
        settings = self.settings()
        prefix = self.prefix_of(doc_type.value, settings)
        if not settings.get("office") or not prefix:
            raise Refused("err.doc_not_configured")
        for key in extra or {}:
            if key not in FIELDS:
                raise InvalidInput("err.template_field", "set", value=key, allowed=", ".join(FIELDS))
        rows, item = self._scope(doc_type, hazards, inspection, unit)
        self._check(doc_type, rows)
        owner = self.units.find(rows[0]["unit_id"])
        if item is None and inspection is None:
            links = {r.get("inspection_id") for r in rows}
            if len(links) == 1 and None not in links:
                item = self.campaigns.inspection(links.pop())  # type: ignore[arg-type]
        names = list(by or []) or (list(item["inspectors"]) if item else [])
        officers = self._officers(names)
        issued_on = self.ctx.happened(on, "on")
        for r in rows:
            if issued_on.isoformat() < r["found_on"]:
                raise InvalidInput("err.before_found", "on", value=issued_on, found=r["found_on"])
        new_deadline = self.ctx.date(deadline, "deadline")
        if new_deadline is not None and doc_type != DocType.ORDER_RECTIFY:
            raise InvalidInput("err.doc_deadline_type", "deadline", type=doc_type.zh)
        if doc_type == DocType.ORDER_RECTIFY:
            if new_deadline is not None and new_deadline < issued_on:
                raise InvalidInput("err.end_before_start", "deadline", end=new_deadline, start=issued_on)
            missing = [f"H{r['id']}" for r in rows if not r["deadline"]]
            if new_deadline is None and missing:
                raise InvalidInput("err.doc_deadline", "deadline", ids=", ".join(missing))
        template = self.template(doc_type.value)
        fields, row_fields = self._fields(doc_type, settings, owner, item, rows, officers, issued_on, new_deadline)
        fields.update(extra or {})
        year = issued_on.year
        with self.ctx.store.transaction():
            seq = self.ctx.store.next_document_seq(doc_type.value, year)
            number = f"{prefix}〔{year}〕{seq}号"
            if self.ctx.store.document(number=number) is not None:  # a prefix another type had before
                raise Refused("err.doc_number_taken", number=number)
            fields["number"] = number
            data = render(template, fields, row_fields, officers)
            digest = hashlib.sha256(data).hexdigest()
            now = dates.timestamp()
            record = {
                "uid": new_uid(), "type": doc_type.value, "year": year, "seq": seq, "number": number,
                "issued_on": issued_on.isoformat(), "unit_id": owner["id"], "inspection_id": item["id"] if item else None,
                "hazard_ids": json.dumps([r["id"] for r in rows]),
                "officers": json.dumps(officers, ensure_ascii=False),
                "fields": json.dumps({"fields": fields, "rows": row_fields}, ensure_ascii=False, sort_keys=True),
                "template": template, "sha256": digest, "data": data, "void_reason": None, "voided_at": None,
                "created_at": now,
            }
            document_id = self.ctx.store.insert_document(record)
            self.ctx.log("document", document_id, "issue", None, {
                "type": doc_type.value, "number": number, "issued_on": issued_on.isoformat(),
                "unit": f"U{owner['id']}", "inspection": f"I{item['id']}" if item else None,
                "hazards": [f"H{r['id']}" for r in rows], "officers": [o["name"] for o in officers],
                "sha256": digest, "uid": record["uid"],
            }, on=issued_on)
            self._effects(doc_type, rows, new_deadline, issued_on, number)
        found = self.ctx.store.document(document_id, with_data=True)
        assert found is not None
        return self._decode(found)

    def _effects(self, doc_type: DocType, rows: list[dict[str, Any]], new_deadline: date | None, issued_on: date,
                 number: str) -> None:
        if new_deadline is not None:
            for r in rows:
                if r["deadline"] != new_deadline.isoformat():
                    self.hazards._change(self.hazards.get(r["id"]), {"deadline": new_deadline}, "edit", number)
        step = STEP_OF.get(doc_type.value)
        if step is None or step not in dict(self.supervision.ladder()):
            return
        done = self.ctx.store.escalations_done([r["id"] for r in rows])
        for r in rows:
            if step in done.get(r["id"], set()):
                continue
            uid = new_uid()
            self.ctx.store.insert_into("escalations", {"uid": uid, "hazard_id": r["id"], "step": step,
                                                       "done_on": issued_on.isoformat(), "note": number,
                                                       "created_at": dates.timestamp()})
            self.ctx.log("hazard", r["id"], "escalate", None, {"step": step, "done_on": issued_on.isoformat(), "uid": uid},
                         number)

    def _fields(self, doc_type: DocType, settings: dict[str, Any], owner: dict[str, Any], item: dict[str, Any] | None,
                rows: list[dict[str, Any]], officers: list[dict[str, str]], issued_on: date,
                new_deadline: date | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        from hazreg.enums import Industry

        clauses = self.clauses()
        cited = [clauses["clauses"][k] for k in clauses["types"].get(doc_type.value, []) if k in clauses["clauses"]]
        today = issued_on
        row_fields: list[dict[str, Any]] = []
        for index, r in enumerate(rows, start=1):
            stated = new_deadline.isoformat() if new_deadline else r["deadline"]
            overdue_days = (today - date.fromisoformat(stated)).days if stated else None
            verify_note = r.get("verify_note") or ""
            passed = Status.parse(r["status"]) == Status.CLOSED
            result = (verify_note or "复查合格") if passed else (
                f"复查不合格（退回整改）{('：' + verify_note) if verify_note else ''}" if r.get("verified_on") else "")
            row_fields.append({
                "index": index, "id": f"H{r['id']}", "description": r["description"],
                "level": Level.parse(r["level"]).zh, "deadline": cn_date(stated), "basis": r.get("basis") or "",
                "owner": r.get("owner") or "", "measures": r.get("measures") or "",
                "status": Status.parse(r["status"]).zh, "verified_on": cn_date(r.get("verified_on")),
                "verified_by": r.get("verified_by") or "", "verify_note": verify_note, "result": result,
                "days_overdue": max(overdue_days, 0) if overdue_days is not None else "",
            })
        deadlines = sorted(r["deadline"] for r in rows if r["deadline"])
        stated_deadline = new_deadline.isoformat() if new_deadline else (deadlines[-1] if deadlines else None)
        fields: dict[str, Any] = {
            "office": settings["office"], "doc_title": doc_type.zh, "issued_on": cn_date(issued_on),
            "issued_iso": issued_on.isoformat(), "year": issued_on.year, "party": owner["name"],
            "credit_code": owner.get("credit_code") or "", "address": owner.get("address") or "",
            "principal": owner.get("principal") or owner.get("contact") or "", "phone": owner.get("phone") or "",
            "industry": Industry.parse(owner["industry"]).zh if owner.get("industry") else "",
            "locality": owner.get("locality") or "",
            "inspection_id": f"I{item['id']}" if item else "", "inspection_on": cn_date(item["on"]) if item else cn_date(rows[0]["found_on"]),
            "hazard_ids": "、".join(f"H{r['id']}" for r in rows), "hazard_count": len(rows),
            "deadline": cn_date(stated_deadline),
            "basis": "、".join(c["cite"] for c in cited),
            "basis_text": "；".join(f"{c['cite']}：{c.get('text', '')}" for c in cited),
            "officers": "、".join(f"{o['name']}（执法证号：{o['cert']}）" for o in officers),
            "officer1": officers[0]["name"], "cert1": officers[0]["cert"],
            "officer2": officers[1]["name"], "cert2": officers[1]["cert"],
            "review_body": settings.get("review_body") or "", "court": settings.get("court") or "",
            "reply_by": "", "interview_time": "＿＿年＿＿月＿＿日＿＿时", "interview_place": "本机关",
            "days_overdue": max((r["days_overdue"] for r in row_fields if r["days_overdue"] != ""), default=""),
        }
        if doc_type in (DocType.SUPERVISE, DocType.DELIST):
            listing = (self.ctx.store.supervision_in_force(rows[0]["id"]) if doc_type == DocType.SUPERVISE
                       else self._delisted(rows[0]["id"])) or {}
            fields.update({
                "supervision_body": listing.get("body") or "",
                "supervision_level": SupervisionLevel.parse(listing["level"]).zh if listing.get("level") else "",
                "listed_on": cn_date(listing.get("listed_on")), "supervision_due": cn_date(listing.get("due") or stated_deadline),
                "notice_number": listing.get("notice_no") or "",
                "delisted_on": cn_date(listing.get("delisted_on")), "delist_note": listing.get("delist_note") or "",
            })
        if doc_type == DocType.ON_SITE:
            taken = [a for r in rows for a in self.supervision.evidence(r["id"]).get("actions", [])
                     if a["type"] in {t.value for t in ON_SITE_ACTIONS}]
            fields["measures"] = "；".join(
                ActionType.parse(a["type"]).zh + (f"（{a['note']}）" if a.get("note") else "") for a in taken)
        if doc_type == DocType.RECHECK:
            orders = [d for r in rows for d in self.ctx.store.documents("order_rectify", hazard_id=r["id"])
                      if not d["void_reason"]]
            if orders:
                last = max(orders, key=lambda d: (d["issued_on"], d["id"]))
                fields["order_number"], fields["order_issued_on"] = last["number"], cn_date(last["issued_on"])
        if doc_type in (DocType.LETTER, DocType.INTERVIEW):
            fields["reply_by"] = cn_date(dates.parse_date("+7d", issued_on, "reply_by"))
        return fields, row_fields

    # -- the record -----------------------------------------------------------------------------

    @staticmethod
    def _decode(row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        out["hazard_ids"] = json.loads(row["hazard_ids"])
        out["officers"] = json.loads(row["officers"])
        if "fields" in row and isinstance(row["fields"], str):
            out["fields"] = json.loads(row["fields"])
        return out

    def get(self, ref: str, with_data: bool = False) -> dict[str, Any]:
        """A document by its number (宁江应急责改〔2026〕12号, brackets as typed: [] or 〔〕) or its id (D-less: 12)."""
        text = ref.strip().replace("[", "〔").replace("]", "〕").replace("［", "〔").replace("］", "〕")
        found = self.ctx.store.document(number=text, with_data=with_data)
        if found is None and text.isdigit():
            found = self.ctx.store.document(int(text), with_data=with_data)
        if found is None:
            raise NotFound("err.document_not_found", ref=ref)
        return self._decode(found)

    def list(self, kind: str | None = None, hazard: str | None = None, unit: str | None = None,
             inspection: str | None = None) -> list[dict[str, Any]]:
        return [self._decode(r) for r in self.ctx.store.documents(
            DocType.parse(kind, "type").value if kind else None,
            unit_id=self.units.find(unit)["id"] if unit else None,
            inspection_id=parse_id(inspection, "I", "inspection") if inspection else None,
            hazard_id=self.hazards.get(hazard)["id"] if hazard else None,
        )]

    def reprint(self, ref: str) -> tuple[dict[str, Any], bytes]:
        """The document again, byte for byte: made again from its record and checked against the
        SHA-256 recorded when it was issued (the stored file is the fallback, checked the same way)."""
        from hazreg.render.document import render

        doc = self.get(ref, with_data=True)
        saved = doc["fields"]
        data = render(doc["template"], saved["fields"], saved["rows"], doc["officers"])
        if hashlib.sha256(data).hexdigest() != doc["sha256"]:
            data = bytes(doc["data"])
            if hashlib.sha256(data).hexdigest() != doc["sha256"]:
                raise Refused("err.document_altered", number=doc["number"])
        return doc, data

    def void(self, ref: str, reason: str) -> dict[str, Any]:
        from hazreg.text import clean_text

        reason = clean_text(reason) or ""
        if not reason.strip():
            raise InvalidInput("err.required", "reason")
        doc = self.get(ref)
        if doc["void_reason"]:
            raise Refused("err.document_void", number=doc["number"], reason=doc["void_reason"])
        undo = self._deadlines_set(doc)
        with self.ctx.store.transaction():
            self.ctx.store.void_document(doc["id"], reason, dates.timestamp())
            self.ctx.log("document", doc["id"], "void", {"number": doc["number"]}, {"void_reason": reason}, reason)
            for hazard, old, _set in undo:  # back to the deadline the hazard had before the order
                self.hazards._change(hazard, {"deadline": old}, "edit", f"{doc['number']} {reason}")
        found = self.get(str(doc["id"]))
        found["deadlines_restored"] = [{"id": f"H{h['id']}", "deadline": old} for h, old, _ in undo]
        return found

    def _deadlines_set(self, doc: dict[str, Any]) -> _Undo:
        """The deadlines a 责令限期整改指令书 set when it was issued, to put back when it is voided:
        (hazard, the deadline before, the one it set) for each hazard it changed. Refused when a
        later step depends on one: the deadline has been moved since (an extension, an edit,
        another order), the hazard is no longer open or rectifying (it was rectified against it),
        or a 整改复查意见书 has been issued on it since."""
        if doc["type"] != DocType.ORDER_RECTIFY:
            return []
        number = doc["number"]
        undo: _Undo = []
        for hazard_id in doc["hazard_ids"]:
            set_by_it = [e for e in self.ctx.store.history("hazard", hazard_id)
                         if e["action"] == "edit" and e["note"] == number and "deadline" in (e["after"] or {})]
            if not set_by_it:
                continue  # the hazard kept its own deadline
            entry = set_by_it[-1]
            old, new = (entry["before"] or {}).get("deadline"), entry["after"]["deadline"]
            hazard = self.hazards.get(hazard_id)
            hid = f"H{hazard_id}"
            if hazard["deadline"] != new:
                raise Refused("err.doc_void_moved", number=number, id=hid, set=new, now=hazard["deadline"] or "—")
            if hazard["status"] not in (Status.OPEN, Status.RECTIFYING):
                raise Refused("err.doc_void_status", number=number, id=hid, set=new,
                              status=Status.parse(hazard["status"]).label())
            later = [d for d in self.ctx.store.documents(DocType.RECHECK.value, hazard_id=hazard_id)
                     if not d["void_reason"] and d["id"] > doc["id"]]
            if later:
                raise Refused("err.doc_void_recheck", number=number, id=hid, recheck=later[0]["number"])
            undo.append((hazard, old, new))
        return undo
