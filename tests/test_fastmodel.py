"""The import's fast validation gives exactly what Pydantic gives: the same record, or the same
error (message key, field, parameters, every problem), on any row, nasty ones included."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hazreg.errors import InvalidInput
from hazreg.fastmodel import FastModel
from hazreg.models import HazardData, InvalidFields, UnitData, validate

TODAY = date(2026, 11, 29)

_DATES = st.sampled_from([
    "2026-11-01", "2026-11-29", "2026-11-30", "2031-12-01", "2026-02-30", "2026/11/1", "2026.11.01", "20261101",
    "２０２６-１１-０１", "2026年11月1日", "11/01/2026", "1899-01-01", "0001-01-01", "9999-12-31", "2026-13-01",
    "昨天", "  2026-10-01  ", "45962", "2026-11-01T08:00", "", "   ",
])
_ENUMS = st.sampled_from([
    "fire", "消防", "Fire safety", "FIRE", " 消防 ", "危化", "其他", "general", "重大", "重大隐患", "major", "一般",
    "open", "已整改", "待验收", "已销号", "closed", "作废", "void", "rectifying", "整改中", "inspection", "执法检查",
    "other", "火", "", "　", "ｆｉｒｅ",
])
_MONEY = st.sampled_from([
    "12.5", "１２.５", "1e400", "99999999999999999999999999", "-3", "0", "1,000", "1,000.00", "３万", "2万元",
    "NaN", "inf", "0.001", "abc", "", " 100 ", "100元", "￥100",
])
_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="灭火器疏散通道 \t\u3000ａ１", min_size=0, max_size=20),
    st.sampled_from(["x" * 100, "x" * 101, "字" * 2000, "字" * 2001, "  ", "", "e\u0301", "\ufeff说明"]),
)
_INTS = st.one_of(st.integers(min_value=-(10**30), max_value=10**30), st.sampled_from(["1", "１２", "x", "", True]))
_FIELD_VALUES: dict[str, Any] = {
    "unit_id": _INTS, "inspection_id": st.one_of(st.none(), _INTS),
    "description": _TEXT, "locality": _TEXT, "found_by": _TEXT, "basis": _TEXT, "owner": _TEXT, "measures": _TEXT,
    "contingency": _TEXT, "verified_by": _TEXT, "verify_note": _TEXT, "void_reason": _TEXT,
    "industry": _ENUMS, "level": _ENUMS, "status": _ENUMS, "source": _ENUMS,
    "found_on": _DATES, "deadline": _DATES, "rectified_on": _DATES, "verified_on": _DATES, "closed_on": _DATES,
    "funds": _MONEY,
}


def _outcome(call: Any) -> tuple[Any, ...]:
    try:
        record = call()
    except InvalidInput as error:
        problems = error.problems if isinstance(error, InvalidFields) else [error]
        return ("error", type(error).__name__, [(p.key, p.field, repr(p.params)) for p in problems])
    return ("ok", type(record).__name__, repr(record.model_dump()), sorted(record.model_fields_set))


@st.composite
def rows(draw: Any) -> dict[str, Any]:
    """A row as the import hands it over: the unit's industry and locality, the cells the file has."""
    row: dict[str, Any] = {"unit_id": 1, "industry": "fire", "locality": "临江街道", "description": "灭火器过期",
                           "found_on": "2026-11-01"}
    for field in draw(st.sets(st.sampled_from(sorted(_FIELD_VALUES)), max_size=10)):
        row[field] = draw(_FIELD_VALUES[field])
    for field in draw(st.sets(st.sampled_from(["description", "found_on", "industry", "unit_id"]), max_size=1)):
        del row[field]  # a required field missing
    if draw(st.booleans()):
        row[draw(st.sampled_from(["status", "level"]))] = draw(st.sampled_from(["open", "closed", "major"]))
    if draw(st.integers(0, 30)) == 0:
        row["unknown_field"] = "x"
    return row


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
@example({"unit_id": 1, "industry": "消防", "locality": "x", "description": "d", "found_on": "２０２６-１１-０１",
          "status": "已销号", "closed_on": "2026-10-01", "funds": "1e400"})
@example({"unit_id": 1, "industry": "fire", "locality": "x", "description": "\ud800", "found_on": "2026-11-01"})
@example({"unit_id": True, "industry": "fire", "locality": "x", "description": "d", "found_on": "2026-11-01"})
@example({"unit_id": 1, "industry": "fire", "locality": "x", "description": "d", "found_on": "2026-11-01",
          "deadline": "2026-10-01", "rectified_on": "2026-10-02"})
def test_the_fast_path_gives_what_pydantic_gives(row):
    fast = FastModel(HazardData, TODAY)
    assert fast.usable
    expected = _outcome(lambda: validate(HazardData, dict(row), TODAY))
    assert _outcome(lambda: fast(dict(row))) == expected
    # and again from its cache of the values it has seen
    assert _outcome(lambda: fast(dict(row))) == expected


def test_the_cache_keeps_a_value_and_an_equal_enum_apart():
    fast = FastModel(HazardData, TODAY)
    base = {"unit_id": 1, "industry": "fire", "locality": "x", "description": "d", "found_on": "2026-11-01"}
    assert fast({**base, "funds": "3万"}).funds == validate(HazardData, {**base, "funds": "3万"}, TODAY).funds
    assert fast({**base, "funds": Decimal(3)}).funds == Decimal(3)


def test_a_model_it_cannot_follow_is_left_to_pydantic_whole():
    # validators it does not know how to run (a check after, like UnitData's credit code and phone
    # checks) are fine; a model with a constraint it does not apply is not taken on
    from pydantic import Field, field_validator

    class Checked(HazardData):
        @field_validator("owner", mode="after")
        @classmethod
        def _owner(cls, value: str | None) -> str | None:
            return value

    assert FastModel(Checked, TODAY).usable
    # nor is a field type it does not follow: UnitData's list of industries (issue 15), left to
    # Pydantic whole with the same outcome
    units = FastModel(UnitData, TODAY)
    assert not units.usable
    for row in ({"name": "宾馆", "industry": "fire", "industries": ["fire", "special_equipment"], "locality": "x"},
                {"name": "宾馆", "industry": "fire", "industries": ["fire", "餐饮"], "locality": "x", "phone": "1"}):
        assert _outcome(lambda row=row: units(row)) == _outcome(lambda row=row: validate(UnitData, row, TODAY))

    class Bounded(HazardData):
        count: int = Field(default=0, ge=0)

    fast = FastModel(Bounded, TODAY)
    assert not fast.usable
    row = {"unit_id": 1, "industry": "fire", "locality": "x", "description": "d", "found_on": "2026-11-01", "count": -1}
    assert _outcome(lambda: fast(row)) == _outcome(lambda: validate(Bounded, row, TODAY))
