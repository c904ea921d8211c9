"""The demo register: realistic Chinese data, built through the register's own operations.

Dates in the data are relative (found N days ago, deadline M days later), so the demo
always shows some hazards overdue and some on time, whatever day it is run.
"""

from __future__ import annotations

import json
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from hazreg.register import Register, open_register

_MOVES = {"rectifying": ["start"], "rectified": ["start", "done"], "closed": ["start", "done", "verify"]}


def load_demo_data() -> dict[str, Any]:
    return json.loads(files("hazreg").joinpath("data/demo.json").read_text(encoding="utf-8"))


def build_demo(path: Path, operator: str) -> Register:
    """A fresh demo register at `path` (any earlier demo there is replaced)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    reg = open_register(path, write=True, operator=operator)
    data = load_demo_data()
    today = reg.today()
    unit_ids: dict[str, int] = {}
    with reg.store.transaction():  # one write: a demo is built whole or not at all
        for unit in data["units"]:
            fields = {k: v for k, v in unit.items() if k != "key" and v is not None}
            unit_ids[unit["key"]] = reg.add_unit(fields)["id"]
        for h in data["hazards"]:
            found = today - timedelta(days=h["found_days_ago"])
            deadline = found + timedelta(days=h["deadline_days"]) if h.get("deadline_days") else None
            fields = {
                "unit": unit_ids[h["unit"]], "description": h["description"], "level": h["level"],
                "source": h["source"], "found_on": found, "deadline": deadline, "owner": h.get("owner"),
                "found_by": h.get("found_by"), "basis": h.get("basis"),
                "measures": h.get("measures"), "funds": h.get("funds"), "contingency": h.get("contingency"),
            }
            hazard = reg.add_hazard(fields)
            _follow(reg, hazard["id"], h, found, deadline or found + timedelta(days=30))
    return reg


def _follow(reg: Register, hazard_id: int, h: dict[str, Any], found: Any, deadline: Any) -> None:
    """Walk a demo hazard along the lifecycle to its status, on plausible dates."""
    today = reg.today()
    done_on = min(today, max(found, deadline - timedelta(days=3)))
    for move in _MOVES.get(h["status"], []):
        if move == "start":
            reg.start(hazard_id)
        elif move == "done":
            reg.done(hazard_id, h.get("note") if h["status"] == "rectified" else None, done_on)
        else:
            inspector = (h.get("found_by") or "王建国").split("、")[0]
            reg.verify(hazard_id, inspector, h.get("note"), on=min(today, done_on + timedelta(days=2)))
    if h["status"] == "void":
        reg.void(hazard_id, h.get("note") or "录入错误")
