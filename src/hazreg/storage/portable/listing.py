"""The first page of a listing by status (and level) alone, on either store, read from the
(status, level, deadline) index in parts instead of sorting every match.

The default `hazreg list` on a register of 1,000,000 hazards sorted 400,000 of them for its first
50. Within one status, level and span of deadlines (before today, from today, none) the order
most urgent first is the index's own (deadline, then id), so each such part gives its first
`limit` hazards at once, and only those are sorted together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hazreg.enums import Level
from hazreg.storage.base import HazardFilter

# Whether such a page is read so (a test turns it off to hold both ways to the same pages).
BY_INDEX = True


def urgent_first_by_index(f: HazardFilter, params: dict[str, Any], limit: int, urgent_first: str,
                          named: Callable[[str], str]) -> str | None:
    """SQL giving the ids of the first `limit` hazards of `f` in the order `urgent_first` (an ORDER
    BY on `h`: overdue, major, deadline with none last, id), or None where `f` is not a listing
    by status (and level) alone. `params` gains the values it names; `named(key)` is how the
    engine writes a named parameter, and `params["today"]` must be set. Levels no command writes
    (another tool's) are read from the spans of the index around the known ones."""
    if not (BY_INDEX and f.statuses) or any(f._replace(statuses=(), levels=())):  # another condition
        return None
    levels = list(dict.fromkeys(f.levels)) or sorted(level.value for level in Level)
    status, level, today = (lambda n: named(f"by_status{n}")), (lambda m: named(f"by_level{m}")), named("today")
    for m, value in enumerate(levels):
        params[f"by_level{m}"] = value
    parts: list[str] = []
    for n, value in enumerate(dict.fromkeys(f.statuses)):
        params[f"by_status{n}"] = value
        for m in range(len(levels)):
            where = f"h.status = {status(n)} AND h.level = {level(m)}"
            parts += [f"{where} AND h.deadline < {today} ORDER BY h.deadline, h.id",
                      f"{where} AND h.deadline >= {today} ORDER BY h.deadline, h.id",
                      f"{where} AND h.deadline IS NULL ORDER BY h.id"]
        if not f.levels:  # below the first known level, between two, above the last
            gaps = [f"h.level < {level(0)}", *(f"h.level > {level(m)} AND h.level < {level(m + 1)}"
                                              for m in range(len(levels) - 1)), f"h.level > {level(len(levels) - 1)}"]
            parts += [f"h.status = {status(n)} AND {gap} ORDER BY {urgent_first}" for gap in gaps]
    union = " UNION ALL ".join(
        f"SELECT * FROM (SELECT h.id, h.status, h.level, h.deadline FROM hazards h WHERE {part} LIMIT {limit}) AS p{k}"
        for k, part in enumerate(parts))
    return f"SELECT h.id FROM ({union}) AS h ORDER BY {urgent_first} LIMIT {limit}"
