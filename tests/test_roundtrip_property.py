"""The round trip, as a property: any register Hypothesis can build, exported in any format and
imported into an empty register, comes back field by field.

`build` and `round_trip` are also what benchmarks/bench_roundtrip.py times.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import VALID_CODES, Cli
from hazreg.register import Register, open_register

KINDS = ("units", "inspections", "hazards", "supervisions", "extensions", "attachments", "steps", "escalations",
         "actions")
TABLE = {"steps": "supervision_steps"}  # the export kinds whose table has another name
FORMATS = (("csv", "en"), ("csv", "zh"), ("xlsx", "en"), ("xlsx", "zh"), ("json", "en"), ("jsonl", "en"))
TODAY = date(2026, 11, 29)

# Text officers type, and text that tries to break a file: formula starts, apostrophes,
# quotes, separators, line breaks, tabs and control characters inside, direction marks,
# CJK punctuation, the makings of an OOXML escape (_x…_).
_CHARS = "临江青山消防通道堵塞灭火器过期王李明建国=+-@'\"，,;、。（）()/ \n\t\u202e\r\x07\x1b1.0aZx%_"
TEXT = st.text(alphabet=_CHARS, min_size=1, max_size=12).filter(lambda s: s.strip())
NAME = st.text(alphabet="王李张赵建国明华伟'=+-@ ", min_size=1, max_size=4).filter(lambda s: s.strip())
OPTIONAL = st.none() | TEXT
DAY = st.integers(min_value=0, max_value=60).map(lambda n: TODAY - timedelta(days=n))
MONEY = st.integers(min_value=1, max_value=10**10).map(lambda fen: Decimal(fen) / 100)

UNIT = st.fixed_dictionaries({
    "name": TEXT, "industry": st.sampled_from(["fire", "construction", "gas", "other"]), "locality": TEXT,
    "address": OPTIONAL, "contact": OPTIONAL, "risk": st.none() | st.sampled_from(["red", "blue"]),
    "coded": st.booleans(),
})
INSPECTION = st.fixed_dictionaries({
    "unit": st.integers(0, 2), "on": DAY, "inspectors": st.lists(NAME, min_size=1, max_size=3),
    "leader": st.none() | NAME, "mode": st.sampled_from(["announced", "unannounced"]), "note": OPTIONAL,
})
HAZARD = st.fixed_dictionaries({
    "unit": st.integers(0, 2), "inspection": st.none() | st.integers(0, 3), "description": TEXT,
    "level": st.sampled_from(["general", "major"]), "found_ago": st.integers(0, 60), "deadline_in": st.none() | st.integers(-20, 40),
    "basis": OPTIONAL, "plan": st.booleans(), "funds": MONEY, "owner": NAME, "measures": TEXT,
    "end": st.sampled_from(["open", "rectifying", "rectified", "closed", "failed", "void"]),
    "supervise": st.booleans(), "extend": st.none() | st.integers(1, 30), "attach": st.lists(st.binary(max_size=20), max_size=2),
    "fine": st.none() | MONEY, "escalate": st.booleans(), "note": OPTIONAL,
})
REGISTER = st.fixed_dictionaries({
    "units": st.lists(UNIT, min_size=1, max_size=3),
    "inspections": st.lists(INSPECTION, max_size=4),
    "hazards": st.lists(HAZARD, min_size=1, max_size=5),
})


def build(reg: Register, spec: dict[str, Any], files: Path) -> None:
    """Make the register `spec` describes through the register's own operations."""
    units = []
    for n, u in enumerate(spec["units"]):
        data = {k: u[k] for k in ("name", "industry", "locality", "address", "contact", "risk")}
        if u["coded"] and n < len(VALID_CODES):
            data["credit_code"] = VALID_CODES[n]
        units.append(reg.units.add(data, force=True)["id"])
    inspections = []
    for i in spec["inspections"]:
        unit = units[i["unit"] % len(units)]
        found = reg.campaigns.add_inspection({"unit": unit, "on": i["on"], "inspectors": i["inspectors"], "leader": i["leader"],
                                    "mode": i["mode"], "note": i["note"]})
        inspections.append(found["id"])
    for n, h in enumerate(spec["hazards"]):
        data: dict[str, Any] = {"description": h["description"], "level": h["level"], "basis": h["basis"]}
        if h["inspection"] is not None and inspections:
            data["inspection"] = f"I{inspections[h['inspection'] % len(inspections)]}"
            found_day = date.fromisoformat(str(reg.campaigns.inspection_link(data["inspection"])["found_on"]))
        else:
            data["unit"] = units[h["unit"] % len(units)]
            data["found_on"] = found_day = TODAY - timedelta(days=h["found_ago"])
        # An open hazard always has a deadline: given, else a general one's default, a major one's own.
        if h["deadline_in"] is not None:
            data["deadline"] = max(found_day, TODAY + timedelta(days=h["deadline_in"]))
        elif h["level"] == "major":
            data["deadline"] = max(found_day, TODAY + timedelta(days=5))
        hazard = reg.hazards.add(data)
        ref = hazard["id"]
        found_on = date.fromisoformat(hazard["found_on"])
        if h["plan"] or (h["level"] == "major" and h["end"] == "closed"):
            reg.hazards.plan(ref, {"owner": h["owner"], "measures": h["measures"], "funds": h["funds"],
                           "contingency": h["measures"]})
        listed = h["supervise"] and h["level"] == "major" and h["end"] != "void"
        if listed:
            reg.supervision.supervise(ref, "区安委办", "district", on=found_on.isoformat(), note=h["note"],
                                      due=(TODAY + timedelta(days=400)).isoformat(), notice="督1号")
        if h["extend"] and reg.hazards.get(ref)["deadline"]:
            new = date.fromisoformat(reg.hazards.get(ref)["deadline"]) + timedelta(days=h["extend"])
            reg.supervision.extend(ref, new.isoformat(), "配件", approved_by=h["note"])
        if h["escalate"] and reg.hazards.get(ref)["overdue"]:
            reg.supervision.escalate(ref, "notice", note=h["note"])
        if h["fine"] is not None:
            reg.supervision.take_action(ref, "fine", amount=str(h["fine"]), against=h["note"], on=found_on.isoformat())
        for k, content in enumerate(h["attach"]):
            path = files / f"证据{n}-{k}.jpg"
            path.write_bytes(content)
            reg.supervision.attach(ref, [path], stage=["before", "after"][k % 2], note=h["note"])
        if h["end"] != "open" and h["end"] != "void":
            reg.hazards.start(ref)
            if h["end"] != "rectifying":
                reg.hazards.done(ref)
                if listed and h["end"] in ("closed", "failed"):  # 销号申请 and 验收 first
                    report = files / f"评估报告{n}.pdf"
                    report.write_bytes(b"report")
                    reg.supervision.apply_close(ref, "郑晓峰", report)
                    reg.supervision.accept(ref, "区安委办", note="不合格" if h["end"] == "failed" else None,
                                           fail=h["end"] == "failed")
                if h["end"] == "closed":
                    reg.hazards.verify(ref, "孙工", note=h["note"])
                    if listed:
                        reg.supervision.delist(ref, "已销号")
                elif h["end"] == "failed" and not listed:
                    reg.hazards.verify(ref, "孙工", note="不合格", fail=True)
        elif h["end"] == "void":
            reg.hazards.void(ref, h["note"] or "重复")


def snapshot(reg: Register) -> dict[str, Any]:
    """Every record as its export writes it, without the times a register stamps on itself."""
    from hazreg.render.records import evidence_record, hazard_record, inspection_record, unit_record

    def strip(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k not in ("created_at", "updated_at")}

    units = [strip(unit_record(r)) for r in reg.units.iter(reg.units.filter())]
    hazards = [strip(hazard_record(r)) for r in reg.hazards.iter(reg.hazards.filter(include_all=True))]
    inspections = [strip(inspection_record(r)) for r in reg.store.iter_inspections(reg.campaigns.inspection_filter())]
    evidence = {kind: [evidence_record(TABLE.get(kind, kind), r) for r in reg.store.iter_evidence(TABLE.get(kind, kind))]
                for kind in KINDS[3:]}
    return {"units": units, "inspections": inspections, "hazards": hazards, **evidence}


def round_trip(source: Path, target: Path, folder: Path, fmt: str, lang: str) -> None:
    """Export every kind from `source` and import it into `target`, through the command line."""
    cli = Cli()
    for kind in KINDS:
        path = folder / f"{kind}.{fmt}"
        cli("--db", str(source), "--lang", lang, "export", kind, "-f", fmt, "-o", str(path))
        cli("--db", str(target), "--lang", lang, "import", kind, str(path))


@settings(max_examples=int(os.environ.get("HAZREG_ROUNDTRIP_EXAMPLES", "10")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=REGISTER, form=st.sampled_from(FORMATS))
def test_any_register_round_trips_field_by_field(spec, form):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, target = folder / "a.db", folder / "b.db"
        reg = open_register(source, write=True, operator="tester")
        try:
            build(reg, spec, folder)
            before = snapshot(reg)
        finally:
            reg.store.close()
        round_trip(source, target, folder, *form)
        copy = open_register(target, write=False)
        try:
            after = snapshot(copy)
        finally:
            copy.store.close()
        for kind in before:  # kind by kind, record by record: the first difference is named
            assert len(after[kind]) == len(before[kind]), kind
            for old, new in zip(before[kind], after[kind], strict=True):
                assert new == old, (kind, form)
