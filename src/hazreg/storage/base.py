"""What every store shares, whatever engine is behind it: the schema version and the filters.

The register layer asks a store for records with these filters; each engine turns them into
its own SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

SCHEMA_VERSION = 7  # the number of migrations; a register at a higher version is refused


class HazardFilter(NamedTuple):
    """Which hazards a listing wants; every field narrows the result."""

    statuses: Sequence[str] = ()
    overdue: bool = False
    due_by: date | None = None
    levels: Sequence[str] = ()
    industries: Sequence[str] = ()
    localities: Sequence[str] = ()
    unit_ids: Sequence[int] = ()
    owner: str | None = None
    found_since: date | None = None
    found_until: date | None = None
    search: str | None = None
    ids: Sequence[int] = ()
    inspection_ids: Sequence[int] = ()
    supervised: bool = False
    changed_between: tuple[str, str] | None = None  # UTC bounds: created or changed then


class UnitFilter(NamedTuple):
    industries: Sequence[str] = ()
    localities: Sequence[str] = ()
    risks: Sequence[str] = ()
    search: str | None = None
    changed_between: tuple[str, str] | None = None


class InspectionFilter(NamedTuple):
    unit_ids: Sequence[int] = ()
    since: date | None = None
    until: date | None = None
    campaign_id: int | None = None
    draw_id: int | None = None
    leader: str | None = None
    modes: Sequence[str] = ()
    industries: Sequence[str] = ()
    localities: Sequence[str] = ()
    changed_between: tuple[str, str] | None = None


class Scope(NamedTuple):
    """Which units a coverage count or a draw is about."""

    industries: Sequence[str] = ()
    localities: Sequence[str] = ()


class ActionFilter(NamedTuple):
    types: Sequence[str] = ()
    since: date | None = None
    until: date | None = None
    unit_ids: Sequence[int] = ()
    hazard_ids: Sequence[int] = ()


class CellRules(NamedTuple):
    """How an export's columns become cell texts, in engine-neutral terms.

    `cell(column, value)` is the rule itself, for one cell; the other fields say where
    SQL may skip it: `literals` gives the finished text of every value a column can hold
    (enum keys, true and false), `guarded` the columns whose text is changed only when it
    starts with one of `starts` (a formula sign, an apostrophe); every other column is
    written as stored.
    """

    cell: Callable[[str, Any], Any]
    literals: Mapping[str, Mapping[Any, str]]
    guarded: frozenset[str]
    starts: str
