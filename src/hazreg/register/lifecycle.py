"""The hazard lifecycle (DESIGN.md rule 3) and the five guarantees (rule 4), as data.

open → rectifying → rectified → closed; rectified → rectifying when verification
fails; any state but closed → void. Each move is named by the command that makes it.
"""

from __future__ import annotations

from typing import Any

from hazreg.enums import Level, Status

# move name -> (statuses it starts from, status it leads to)
MOVES: dict[str, tuple[tuple[Status, ...], Status]] = {
    "start": ((Status.OPEN,), Status.RECTIFYING),
    "done": ((Status.RECTIFYING,), Status.RECTIFIED),
    "verify": ((Status.RECTIFIED,), Status.CLOSED),
    "verify --fail": ((Status.RECTIFIED,), Status.RECTIFYING),
    "void": ((Status.OPEN, Status.RECTIFYING, Status.RECTIFIED), Status.VOID),
}


# The fields each move sets beside the status (the verification record, the reason …).
MOVE_FIELDS: dict[str, tuple[str, ...]] = {
    "start": (),
    "done": ("rectified_on",),
    "verify": ("verified_by", "verified_on", "verify_note", "closed_on"),
    "verify --fail": ("verified_by", "verified_on", "verify_note", "rectified_on"),
    "void": ("void_reason",),
}
# A move's name in the history, where it differs from the command's.
HISTORY_ACTION = {"verify --fail": "verify_fail"}


def allowed_moves(status: Status) -> list[str]:
    """The moves a hazard in `status` can make, as the commands that make them."""
    return [name for name, (sources, _) in MOVES.items() if status in sources]


def target(move: str, status: Status) -> Status | None:
    """Where `move` takes a hazard in `status`, or None if the move is not allowed."""
    sources, to = MOVES[move]
    return to if status in sources else None


def path(start: Status, to: Status) -> list[str] | None:
    """The moves that take a hazard from `start` to `to`, fewest first ([] if it is there);
    None if the lifecycle does not lead there (closed and void lead nowhere)."""
    routes: dict[Status, list[str]] = {start: []}
    queue = [start]
    while queue:
        here = queue.pop(0)
        if here == to:
            return routes[here]
        for move in allowed_moves(here):
            nxt = MOVES[move][1]
            if nxt not in routes:
                routes[nxt] = [*routes[here], move]
                queue.append(nxt)
    return None


def gate(move: str, record: dict[str, Any]) -> list[str]:
    """What `record` (as it would be after the move) lacks for `move`; empty if it may be made.

    DESIGN.md rule 4: a major hazard closes only with all five guarantees and a
    verifier; a failed verification names its verifier; a void record its reason."""
    if move == "verify" and record.get("level") == Level.MAJOR:
        return missing_plan(record) + ([] if record.get("verified_by") else ["verified_by"])
    if move == "verify --fail" and not record.get("verified_by"):
        return ["verified_by"]
    if move == "void" and not record.get("void_reason"):
        return ["void_reason"]
    return []


def closed_incomplete(record: dict[str, Any]) -> bool:
    """A major hazard closed without all five guarantees or a verifier: only an import with
    --legacy takes one in, and it is flagged wherever it shows."""
    return (record.get("status") == Status.CLOSED and record.get("level") == Level.MAJOR
            and bool(missing_plan(record) or not record.get("verified_by")))


# The five guarantees (五落实): the hazard's own owner and deadline are two of them.
PLAN_FIELDS = ("owner", "measures", "funds", "deadline", "contingency")


def plan_complete(record: dict[str, Any]) -> bool:
    """All five guarantees recorded: owner, measures, funds, deadline, contingency."""
    return all(record.get(name) not in (None, "") for name in PLAN_FIELDS)


def missing_plan(record: dict[str, Any]) -> list[str]:
    return [name for name in PLAN_FIELDS if record.get(name) in (None, "")]


def field_names(fields: list[str]) -> str:
    """Fields a message lists: in Chinese as the forms name them (治理措施、治理资金…), never as
    keys; in English as the keys, which are the words the options and files use."""
    from hazreg.i18n import get_lang, t

    if get_lang() != "zh":
        return ", ".join(fields)
    return "、".join(t(f"field.{f}", default=f) for f in fields)


# -- what `edit` and `plan` may still change --------------------------------------------------------

# A finished hazard (closed or void) is a record of what happened. `edit` may still
# correct a typo in its free text, and nothing else: not its level, unit, industry,
# locality, source, dates or funds, and no text emptied or filled in — so a closed major
# hazard keeps its five guarantees and its verification as they were when it closed.
FINISHED = (Status.CLOSED, Status.VOID)
CORRECTABLE_WHEN_FINISHED = ("description", "found_by", "basis", "owner", "measures", "contingency")


def check_edit(hazard: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> None:
    """Refuse an edit or plan that changes `before` into `after` (the changed fields) if the rules
    forbid it: a deadline already set moves only through `extend`; a finished hazard takes
    only typo corrections (CORRECTABLE_WHEN_FINISHED)."""
    from hazreg.errors import Refused
    from hazreg.i18n import get_lang, t

    hid = f"H{hazard['id']}"
    status = Status.parse(hazard["status"])
    for field in after if status in FINISHED else ():
        label = t(f"field.{field}", default=field)
        if field not in CORRECTABLE_WHEN_FINISHED:
            allowed = ("、" if get_lang() == "zh" else ", ").join(t(f"field.{f}") for f in CORRECTABLE_WHEN_FINISHED)
            raise Refused("err.finished_field", id=hid, status=status.label(), field=label, allowed=allowed)
        if before.get(field) in (None, "") or after[field] in (None, ""):
            raise Refused("err.finished_blank", id=hid, status=status.label(), field=label)
    if "deadline" in after and before.get("deadline") is not None:
        raise Refused("err.deadline_by_extension", id=hid, deadline=before["deadline"])
