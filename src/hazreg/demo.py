"""The demo register: realistic Chinese data, built through the register's own operations.

Dates in the data are relative (found N days ago, deadline M days later), so the demo
always shows some hazards overdue and some on time, whatever day it is run.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from hazreg import dates
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
    start = today - timedelta(days=max(h["found_days_ago"] for h in data["hazards"]) + 7)
    with reg.store.transaction():  # one write: a demo is built whole or not at all
        with _at(reg, start):
            # The district's lists first: every unit names a locality on the list.
            for place in data.get("localities", []):
                reg.places.add_locality(place["name"], place.get("kind"), place.get("parent"))
            for department in data.get("departments", []):
                reg.places.add_department(department["name"], department["industries"])
            for unit in data["units"]:
                fields = {k: v for k, v in unit.items() if k != "key" and v is not None}
                unit_ids[unit["key"]] = reg.units.add(fields)["id"]
        # Each step is recorded on the day it happened, so reports over past weeks have a past.
        for h in sorted(data["hazards"], key=lambda h: -h["found_days_ago"]):
            found = today - timedelta(days=h["found_days_ago"])
            deadline = found + timedelta(days=h["deadline_days"]) if h.get("deadline_days") else None
            fields = {
                "unit": unit_ids[h["unit"]], "description": h["description"], "level": h["level"],
                "source": h["source"], "found_on": found, "deadline": deadline, "owner": h.get("owner"),
                "found_by": h.get("found_by"), "basis": h.get("basis"),
                "measures": h.get("measures"), "funds": h.get("funds"), "contingency": h.get("contingency"),
            }
            with _at(reg, found):
                hazard = reg.hazards.add(fields)
            _follow(reg, hazard["id"], h, found, deadline or found + timedelta(days=30))
    return reg


def _at(reg: Register, day: date) -> Any:
    """The clock set to 10:00 on `day` in the register's time zone."""
    local = datetime(day.year, day.month, day.day, 10, tzinfo=dates.zone(reg.timezone))
    return dates.clock(min(local.astimezone(UTC), dates.now_utc()))


def _follow(reg: Register, hazard_id: int, h: dict[str, Any], found: date, deadline: date) -> None:
    """Walk a demo hazard along the lifecycle to its status, each step on a plausible day."""
    today = reg.today()
    done_on = min(today, max(found, deadline - timedelta(days=3)))
    started = min(today, found + timedelta(days=1))
    verified = min(today, done_on + timedelta(days=2))
    for move in _MOVES.get(h["status"], []):
        if move == "start":
            with _at(reg, started):
                reg.hazards.start(hazard_id)
        elif move == "done":
            with _at(reg, done_on):
                reg.hazards.done(hazard_id, h.get("note") if h["status"] == "rectified" else None, done_on)
        else:
            inspector = (h.get("found_by") or "王建国").split("、")[0]
            with _at(reg, verified):
                reg.hazards.verify(hazard_id, inspector, h.get("note"), on=verified)
    if h["status"] == "void":
        with _at(reg, started):
            reg.hazards.void(hazard_id, h.get("note") or "录入错误")
