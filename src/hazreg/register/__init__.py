"""The register: every operation on units and hazards, with its rules, one transaction each.

One service per domain (`reg.places`, `reg.units`, `reg.hazards`, `reg.campaigns`, `reg.draws`,
`reg.supervision`, `reg.imports`, `reg.reports`, `reg.documents`, `reg.accidents`,
`reg.cases`), all sharing one `Context` (store, operator,
clock, time zone, history log); history and settings live here. No service inherits another: each
is given the context and the services it uses. No printing, no Typer, no Rich here: the CLI calls
these and renders the results.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hazreg import dates
from hazreg.register.base import Context, parse_id, short_id
from hazreg.storage import SCHEMA_VERSION, Address, HazardFilter, UnitFilter, open_store
from hazreg.storage.base import Store

if TYPE_CHECKING:
    from hazreg.register.accidents import Accidents
    from hazreg.register.calendar import Calendar
    from hazreg.register.campaigns import Campaigns
    from hazreg.register.cases import Cases
    from hazreg.register.documents import Documents
    from hazreg.register.draws import Draws
    from hazreg.register.focus import Focus
    from hazreg.register.hazards import Hazards
    from hazreg.register.imports import Imports
    from hazreg.register.places import Places
    from hazreg.register.reports import Reports
    from hazreg.register.supervision import Supervision
    from hazreg.register.units import Units

__all__ = [
    "HazardFilter", "Register", "UnitFilter", "open_register",
    "parse_id", "short_id",
]


class Register:
    """One open register: its services, composed over one shared context; history and settings."""

    # Each service is made, and its module loaded, when first used: a command loads the domains
    # it works in (`hazreg add` needs neither cases nor accidents nor documents), which is a
    # fifth of its start-up. They share the one context whenever they are made.

    def __init__(self, store: Store, operator: str) -> None:
        self.ctx = Context(store, operator)

    @cached_property
    def places(self) -> Places:
        from hazreg.register.places import Places

        return Places(self.ctx)

    @cached_property
    def units(self) -> Units:
        from hazreg.register.units import Units

        return Units(self.ctx, self.places)

    @cached_property
    def campaigns(self) -> Campaigns:
        from hazreg.register.campaigns import Campaigns

        return Campaigns(self.ctx, self.units, self.places)

    @cached_property
    def hazards(self) -> Hazards:
        from hazreg.register.hazards import Hazards

        return Hazards(self.ctx, self.units, self.campaigns)

    @cached_property
    def draws(self) -> Draws:
        from hazreg.register.draws import Draws

        return Draws(self.ctx, self.campaigns)

    @cached_property
    def focus(self) -> Focus:
        from hazreg.register.focus import Focus

        return Focus(self.ctx, self.places)

    @cached_property
    def supervision(self) -> Supervision:
        from hazreg.register.supervision import Supervision

        return Supervision(self.ctx, self.units, self.hazards)

    @cached_property
    def imports(self) -> Imports:
        from hazreg.register.imports import Imports

        return Imports(self.ctx, self.campaigns, self.places)

    @cached_property
    def reports(self) -> Reports:
        from hazreg.register.reports import Reports

        return Reports(self.ctx, self.campaigns, self.places)

    @cached_property
    def calendar(self) -> Calendar:
        from hazreg.register.calendar import Calendar

        return Calendar(self.ctx)

    @cached_property
    def documents(self) -> Documents:
        from hazreg.register.documents import Documents

        return Documents(self.ctx, self.units, self.hazards, self.campaigns, self.supervision)

    @cached_property
    def accidents(self) -> Accidents:
        from hazreg.register.accidents import Accidents

        return Accidents(self.ctx, self.units, self.places)

    @cached_property
    def cases(self) -> Cases:
        from hazreg.register.cases import Cases

        return Cases(self.ctx, self.units, self.places)

    @property
    def store(self) -> Store:
        return self.ctx.store

    @property
    def operator(self) -> str:
        return self.ctx.operator

    @property
    def timezone(self) -> str:
        return self.ctx.timezone

    @timezone.setter
    def timezone(self, name: str) -> None:
        self.ctx.timezone = name

    def today(self) -> date:
        return self.ctx.today()

    def history(
        self,
        ref: str | None = None,
        since: str | None = None,
        until: str | None = None,
        operator: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Changes, oldest first: of one record (H12, U3) or of the whole register."""
        record_type = record_id = None
        if ref:
            text = ref.strip().upper()
            if text.startswith("U"):
                record_type, record_id = "unit", self.units.find(text)["id"]
            elif text.startswith("C-"):  # an enforcement case (its own entries; its steps and penalties are theirs)
                record_type, record_id = "case", self.cases.find(text)["id"]
            else:
                record_type, record_id = "hazard", self.hazards.get(text)["id"]
        start = end = None
        if since:
            start = dates.local_day_bounds(self.ctx.date(since, "since"), self.timezone)[0]  # type: ignore[arg-type]
        if until:
            end = dates.local_day_bounds(self.ctx.date(until, "until"), self.timezone)[1]  # type: ignore[arg-type]
        return list(self.store.history(record_type, record_id, start, end, operator, limit))

    def window(self, week: str | None = None, since: str | None = None, until: str | None = None) -> tuple[str, str] | None:
        """UTC bounds of an export's window: an ISO week, or local dates since/until (inclusive)."""
        if week is None and since is None and until is None:
            return None
        if week is not None:
            start_day, end_day = dates.parse_week(week, self.today())
        else:
            start_day = self.ctx.date(since, "since") or date(1970, 1, 1)
            end_day = self.ctx.date(until, "until") or date(9999, 12, 30)
        return (
            dates.local_day_bounds(start_day, self.timezone)[0],
            dates.local_day_bounds(end_day, self.timezone)[1],
        )

    def iter_history(self, window: tuple[str, str] | None, operator: str | None = None) -> Iterator[dict[str, Any]]:
        since, until = window or (None, None)
        return self.store.history(since=since, until=until, operator=operator)

    def set_timezone(self, name: str) -> None:
        dates.zone(name)  # refuses an unknown zone
        with self.store.transaction():
            old = self.store.setting("timezone")
            self.store.set_setting("timezone", name)
            self.ctx.log("settings", 0, "timezone", {"timezone": old}, {"timezone": name})
        self.timezone = name

    def info(self) -> dict[str, Any]:
        counts = self.store.hazard_counts()
        return {
            "path": self.store.address,
            "exists": self.store.on_disk,
            "schema_version": SCHEMA_VERSION,
            "timezone": self.timezone,
            "units": self.store.count("units"),
            "hazards": sum(counts.values()),
            "hazards_by_status": counts,
            "history_entries": self.store.count("history"),
        }


def default_operator() -> str:
    """HAZREG_OPERATOR, else the OS user name."""
    import getpass

    name = os.environ.get("HAZREG_OPERATOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (some containers)
        return "unknown"


def open_register(address: str | Path | Address | None, *, write: bool, operator: str | None = None) -> Register:
    """The register at `address` (a file path, or a PostgreSQL database: see hazreg.storage);
    created (a file with its folder, or the schema) only when `write` is true."""
    from hazreg.register.access import acting_operator

    store = open_store(address, create=write)
    try:
        return Register(store, acting_operator(store, operator, write))
    except BaseException:
        store.close()
        raise
