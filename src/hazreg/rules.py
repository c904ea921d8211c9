"""A hazard's rules, declared once without Pydantic (see hazreg.spec).

hazreg.models.HazardData is the Pydantic model built from `HAZARD`; `HAZARD.check` applies
the same rules without loading Pydantic (the path `hazreg add` takes), and hands anything it
is not sure of to that model.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hazreg.dates import check_day, parse_date
from hazreg.enums import Industry, Level, Source, Status
from hazreg.errors import InvalidFields, InvalidInput
from hazreg.money import parse_yuan
from hazreg.spec import Spec, field

NAME_MAX = 100
TEXT_MAX = 2000

DATE_FIELDS = ("found_on", "deadline", "rectified_on", "verified_on", "closed_on")
# Dates of things that happened: never after today (the deadline is the one date ahead).
HAPPENED = ("found_on", "rectified_on", "verified_on", "closed_on")

HAZARD = Spec("HazardData", "hazreg.models", "The fields of a hazard a user supplies or a lifecycle step sets.", {
    "unit_id": field(int),
    "description": field(str, max_length=TEXT_MAX),
    "industry": field(Industry),
    "locality": field(str, max_length=NAME_MAX),
    "level": field(Level, Level.GENERAL),
    "status": field(Status, Status.OPEN),
    "source": field(Source, Source.OTHER),
    "found_on": field(date),
    "found_by": field(str, None, max_length=NAME_MAX),
    "basis": field(str, None, max_length=TEXT_MAX),
    "deadline": field(date, None),
    "owner": field(str, None, max_length=NAME_MAX),
    "measures": field(str, None, max_length=TEXT_MAX),
    "funds": field(Decimal, None),
    "contingency": field(str, None, max_length=TEXT_MAX),
    "inspection_id": field(int, None),
    "rectified_on": field(date, None),
    "verified_by": field(str, None, max_length=NAME_MAX),
    "verified_on": field(date, None),
    "verify_note": field(str, None, max_length=TEXT_MAX),
    "closed_on": field(date, None),
    "void_reason": field(str, None, max_length=TEXT_MAX),
})

_ENUMS = {"industry": Industry, "level": Level, "status": Status, "source": Source}


@HAZARD.before(*_ENUMS)
def _enum(value: Any, info: Any) -> Any:
    return _ENUMS[info.field_name or ""].parse(value, info.field_name) if value is not None else value


@HAZARD.before(*DATE_FIELDS)
def _date(value: Any, info: Any) -> Any:
    if isinstance(value, str):
        today = (info.context or {}).get("today")
        return parse_date(value, today, info.field_name or "date")
    return value


@HAZARD.after(*DATE_FIELDS)
def _sane(value: date | None, info: Any) -> date | None:
    # The dates found and done are of things that happened; the deadline lies ahead, at most five years.
    today = (info.context or {}).get("today")
    if value is not None and today is not None:
        check_day(value, today, info.field_name or "date", happened=info.field_name in HAPPENED)
    return value


@HAZARD.before("funds")
def _funds(value: Any, info: Any) -> Any:
    return None if value is None else parse_yuan(value)


@HAZARD.record
def _dates_not_before_found(hazard: Any) -> None:
    # DESIGN.md rule 5: nothing about a hazard happens before it was found.
    problems = [
        InvalidInput("err.before_found", name, value=value, found=hazard.found_on)
        for name in ("deadline", "rectified_on", "verified_on", "closed_on")
        if (value := getattr(hazard, name)) is not None and value < hazard.found_on
    ]
    if problems:
        raise problems[0] if len(problems) == 1 else InvalidFields(problems)
