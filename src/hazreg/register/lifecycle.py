"""The hazard lifecycle (DESIGN.md rule 3) and the five guarantees (rule 4), as data.

open → rectifying → rectified → closed; rectified → rectifying when verification
fails; any state but closed → void. Each move is named by the command that makes it.
"""

from __future__ import annotations

from typing import Any

from hazreg.enums import Status

# move name -> (statuses it starts from, status it leads to)
MOVES: dict[str, tuple[tuple[Status, ...], Status]] = {
    "start": ((Status.OPEN,), Status.RECTIFYING),
    "done": ((Status.RECTIFYING,), Status.RECTIFIED),
    "verify": ((Status.RECTIFIED,), Status.CLOSED),
    "verify --fail": ((Status.RECTIFIED,), Status.RECTIFYING),
    "void": ((Status.OPEN, Status.RECTIFYING, Status.RECTIFIED), Status.VOID),
}


def allowed_moves(status: Status) -> list[str]:
    """The moves a hazard in `status` can make, as the commands that make them."""
    return [name for name, (sources, _) in MOVES.items() if status in sources]


def target(move: str, status: Status) -> Status | None:
    """Where `move` takes a hazard in `status`, or None if the move is not allowed."""
    sources, to = MOVES[move]
    return to if status in sources else None


# The five guarantees (五落实): the hazard's own owner and deadline are two of them.
PLAN_FIELDS = ("owner", "measures", "funds", "deadline", "contingency")


def plan_complete(record: dict[str, Any]) -> bool:
    """All five guarantees recorded: owner, measures, funds, deadline, contingency."""
    return all(record.get(name) not in (None, "") for name in PLAN_FIELDS)


def missing_plan(record: dict[str, Any]) -> list[str]:
    return [name for name in PLAN_FIELDS if record.get(name) in (None, "")]
