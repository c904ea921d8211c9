"""What every register operation shares: the store, who is acting, the clock, history."""

from __future__ import annotations

import os
import re
import time
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from hazreg import dates
from hazreg.errors import InvalidInput
from hazreg.storage.base import Store

_ID = re.compile(r"([a-z]?)(\d{1,12})", re.ASCII)
Day = date  # for annotations inside Context, whose `date` method hides the class


def parse_id(text: str | int, prefix: str, field: str = "id") -> int:
    """'H12', 'h12', '12', 'Ｈ１２' -> 12 for prefix 'H'; InvalidInput for anything else."""
    if isinstance(text, int):
        return text
    m = _ID.fullmatch(unicodedata.normalize("NFKC", text).strip().lower())
    if not m or m[1] not in ("", prefix.lower()):
        raise InvalidInput("err.id", field, value=text, example=f"{prefix}12")
    return int(m[2])


def short_id(prefix: str, number: int | None) -> str:
    return "" if number is None else f"{prefix}{number}"


def new_uid() -> str:
    """A globally unique id (UUID version 7, RFC 9562), so registers of districts can be combined.

    Version 7 starts with the time in milliseconds: ids sort by creation, and the
    register's uid index grows at its end instead of everywhere at random, which
    keeps a million-row import fast.
    """
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # the RFC 4122 variant
    return str(uuid.UUID(int=value))


def no_nul(**typed: str | list[str] | None) -> None:
    """Refuse a typed filter text holding the NUL character: no register can hold one (a
    PostgreSQL text never can), so it would match nothing, or fail, depending on the engine."""
    for field, value in typed.items():
        for text in value if isinstance(value, list) else [value]:
            if text and "\x00" in text:
                raise InvalidInput("err.nul_character", field)


def plain(value: Any) -> Any:
    """A value as history and JSON keep it: dates ISO, money as a decimal string, enums as keys."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that changed, as (old values, new values)."""
    changed = [k for k in after if plain(after[k]) != plain(before.get(k))]
    return {k: plain(before.get(k)) for k in changed}, {k: plain(after[k]) for k in changed}


# The options `edit` and `unit edit` spell differently from the field they set.
_OPTION_OF = {"unit_id": "--unit", "found_on": "--found", "credit_code": "--code"}


def edit_options(fields: tuple[str, ...] | list[str]) -> str:
    """The options that set `fields`, for a message: '--description, --unit, …'."""
    return ", ".join(_OPTION_OF.get(f, "--" + f.replace("_", "-")) for f in fields)


@dataclass(frozen=True)
class Edit:
    """What an edit did: the record after it, and the fields it changed (none: nothing written)."""

    record: dict[str, Any]
    changed: tuple[str, ...]


# Register settings that are a number of days, with their defaults: the deadline a general
# hazard gets when none is given (found date + N days), and the working days the supervising
# body has to check a supervised major hazard on site after the unit applies for 销号.
DAY_SETTINGS = {"general_deadline_days": 30, "acceptance_days": 10}


class Context:
    """What every service of a register shares: the store opened for one command, the operator,
    the clock and time zone (today, dates typed by the user) and the history log."""

    def __init__(self, store: Store, operator: str) -> None:
        self.store = store
        self.operator = operator
        self.timezone = store.setting("timezone") or dates.DEFAULT_TIMEZONE
        self.load_calendar()

    def load_calendar(self) -> None:
        """Working days are counted from this register's calendar (`hazreg calendar import`) for the
        years it has: read once, and set for every date this process reads (dates.use_calendar)."""
        from hazreg.register.calendar import by_year

        dates.use_calendar(by_year(self.store.calendar_days()))

    def today(self) -> date:
        return dates.today(self.timezone)

    def days_setting(self, key: str) -> int:
        """A setting that is a number of days (DAY_SETTINGS), its default if never set."""
        stored = self.store.setting(key)
        return int(stored) if stored else DAY_SETTINGS[key]

    def set_days_setting(self, key: str, value: str) -> int:
        """Change a number-of-days setting (a whole number from 1 to 365), recorded in history."""
        from hazreg.errors import InvalidInput

        text = (value or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= 365:
            raise InvalidInput("err.days_setting", key, value=value)
        days = int(text)
        with self.store.transaction():
            old = self.store.setting(key)
            self.store.set_setting(key, str(days))
            self.log("settings", 0, key, {key: old}, {key: str(days)})
        return days

    def happened(self, text: str | date | None, field: str) -> date:
        """The date something happened (default today), never after today (dates.not_future):
        done, verified, escalated, action taken, listed, delisted. The models apply the same
        dates.not_future to the dates found and inspected, for commands and imports alike."""
        today = self.today()
        day = self.date(text, field, today)
        assert day is not None
        return dates.not_future(day, today, field)

    def date(self, text: str | date | None, field: str, default: date | None = None) -> date | None:
        """A date typed by the user, read in the register's time zone ('today', '+7d', …), within
        the register's sane range (dates.check_day: from 2000 to five years ahead)."""
        if text is None:
            return default
        today = self.today()
        return dates.check_day(dates.parse_date(text, today, field), today, field, happened=False)

    def moment(self, day: Day | None, not_before: str | None = None) -> str:
        """When an event dated `day` took effect, as history keeps it (UTC): the start of that
        local day, or now for today (or no day); never before `not_before` (the record's
        previous change, so a record's changes keep their order) and never after now."""
        now = dates.timestamp()
        moment = now if day is None or day >= self.today() else dates.local_day_bounds(day, self.timezone)[0]
        if not_before is not None and not_before > moment:
            moment = not_before
        return min(moment, now)

    def log(
        self,
        record_type: str,
        record_id: int,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        note: str | None = None,
        on: Day | None = None,
    ) -> None:
        """Record a change: who, when (UTC), what, before and after (DESIGN.md rule 2).

        `on`: the day the change took effect, when the user gave one (`done --on`, an
        imported ledger's dates); by default it took effect when written."""
        effective = None
        if on is not None:
            effective = self.moment(on, self.store.last_effective(record_type, record_id))
        self.store.add_history(
            {
                "effective_at": effective,
                "at": dates.timestamp(),
                "operator": self.operator,
                "record_type": record_type,
                "record_id": record_id,
                "action": action,
                "before": before,
                "after": after,
                "note": note,
            }
        )
