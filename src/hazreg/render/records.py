"""Register rows as the stable records scripts read (DESIGN.md field names, in order).

Ids are shown as people type them (H12, U3); enum values are English keys; dates
are ISO; money is a decimal string in yuan; timestamps are UTC ISO 8601.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hazreg.enums import Level, Status
from hazreg.i18n import t
from hazreg.money import from_fen
from hazreg.register.base import plain, short_id
from hazreg.register.lifecycle import closed_incomplete

UNIT_COLUMNS = (
    "id", "uid", "name", "credit_code", "industry", "industries", "locality", "address", "contact", "phone",
    "risk", "created_at", "updated_at",
)
INDUSTRY_JOIN = "、"  # a unit's industries in one cell: 消防、特种设备 (import splits them again)
HAZARD_COLUMNS = (
    "id", "uid", "unit_id", "unit_name", "description", "industry", "locality", "level", "status",
    "source", "found_on", "found_by", "basis", "deadline", "owner", "measures", "funds",
    "contingency", "plan_complete", "overdue", "inspection_id", "rectified_on", "verified_by",
    "verified_on", "verify_note", "closed_on", "void_reason", "created_at", "updated_at",
)
INSPECTION_COLUMNS = (
    "id", "uid", "unit_id", "unit_name", "on", "inspectors", "leader", "mode", "campaign", "draw_id", "note",
    "created_at", "updated_at", "department", "focus",
)
# Supervisions, extensions, attachments, escalations and actions: see hazreg.columns.
_EVIDENCE_PREFIX = {"attachments": "A", "actions": "E"}
HISTORY_COLUMNS = ("seq", "at", "operator", "record_type", "record_id", "action", "before", "after", "note",
                   "effective_at")

# The letter before a record's id in a history export, by record type (SQL writes the same: storage/sqlite/exports.py).
PREFIX = {"unit": "U", "hazard": "H", "inspection": "I", "draw": "D", "campaign": "C", "accident": "E"}


def unit_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {k: plain(row.get(k)) for k in UNIT_COLUMNS}
    record["id"] = short_id("U", row["id"])
    record["industries"] = INDUSTRY_JOIN.join(row.get("industries") or [row["industry"]])
    return record


def hazard_record(row: dict[str, Any]) -> dict[str, Any]:
    # Rows come from the register: text, numbers and None, funds a Decimal. Exports call
    # this a million times, so only the fields that need shaping are touched.
    record = {k: row.get(k) for k in HAZARD_COLUMNS}
    record["funds"] = plain(row.get("funds"))
    record["id"] = short_id("H", row["id"])
    record["unit_id"] = short_id("U", row["unit_id"])
    record["inspection_id"] = short_id("I", row.get("inspection_id")) or None
    record["plan_complete"] = bool(row.get("plan_complete"))
    record["overdue"] = bool(row.get("overdue"))
    return record


def inspection_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {k: plain(row.get(k)) for k in INSPECTION_COLUMNS}
    record["id"] = short_id("I", row["id"])
    record["unit_id"] = short_id("U", row["unit_id"])
    record["campaign"] = short_id("C", row.get("campaign_id")) or None
    record["draw_id"] = short_id("D", row.get("draw_id")) or None
    return record


def evidence_record(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    """A supervision, extension, attachment, escalation or action as its export writes it."""
    from hazreg.columns import EVIDENCE_FIELDS

    row = dict(row)
    row["file_name"] = row.get("name")
    row["supervision_level"] = row.get("level")
    if "amount_fen" in row:
        row["amount"] = from_fen(row["amount_fen"])
    record = {k: plain(row.get(k)) for k in EVIDENCE_FIELDS[kind]}
    prefix = _EVIDENCE_PREFIX.get(kind)
    record["id"] = short_id(prefix, row["id"]) if prefix else row["id"]
    record["hazard_id"] = short_id("H", row["hazard_id"])
    if kind == "supervision_steps" and row.get("attachment_id"):
        record["attachment_id"] = short_id("A", row["attachment_id"])
    return record


def history_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {k: row.get(k) for k in HISTORY_COLUMNS}
    prefix = PREFIX.get(row["record_type"])
    record["record_id"] = short_id(prefix, row["record_id"]) if prefix else row["record_id"]
    return record


def hazard_flags(row: dict[str, Any], today: date) -> str:
    flags = []
    if row.get("overdue") and row.get("deadline"):
        days = (today - date.fromisoformat(str(row["deadline"]))).days
        flags.append(t("flag.overdue", days=days))
    if row.get("level") == Level.MAJOR and not row.get("plan_complete") and row.get("status") not in (
        Status.CLOSED, Status.VOID,
    ):
        flags.append(t("flag.plan_incomplete"))
    if closed_incomplete(row):
        flags.append(t("flag.closed_incomplete"))
    if row.get("supervision_overdue"):
        flags.append(t("flag.supervision_overdue"))
    return " ".join(flags)


# The listing fields a hazard row carries in `list --supervised`, `due` and `show`.
SUPERVISION_COLUMNS = ("supervised_by", "supervision_level", "notice_no", "supervision_due", "supervision_overdue")


def supervised_record(row: dict[str, Any]) -> dict[str, Any]:
    record = hazard_record(row)
    record.update({k: row.get(k) for k in SUPERVISION_COLUMNS})
    record["supervision_overdue"] = bool(row.get("supervision_overdue"))
    return record


def evidence_records(evidence: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """A hazard's supervision, extensions, escalations, actions and attachments for JSON."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key, rows in evidence.items():
        out[key] = [
            {k: plain(v) for k, v in row.items() if k not in ("hazard_id", "amount_fen", "unit_id", "unit_name", "hazard")}
            for row in rows
        ]
    for item in out.get("attachments", []):
        item["id"] = short_id("A", item["id"])
    for item in out.get("actions", []):
        item["id"] = short_id("E", item["id"])
    return out
