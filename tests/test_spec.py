"""`hazreg add` validates a hazard without Pydantic (hazreg.rules.HAZARD.check) and gets exactly
what the Pydantic model built from the same rules gives: the same record, or the same error
(message key, field, parameters, every problem), on any input `add` hands over."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hazreg.enums import Status
from hazreg.errors import InvalidFields, InvalidInput
from hazreg.models import HazardData, validate
from hazreg.rules import HAZARD, TEXT_MAX
from hazreg.spec import REQUIRED

TODAY = date(2026, 11, 29)

_DESCRIPTIONS = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="二楼仓库灭火器压力不足，疏散通道内堆放纸箱 \t\u3000ａ１", min_size=0, max_size=30),
    st.sampled_from(["字" * TEXT_MAX, "字" * (TEXT_MAX + 1), " " + "x" * TEXT_MAX + " ", "  ", "", "e\u0301",
                     "\ufeff说明", "\ud800", "a\x00b", "配电箱\n未接地"]),
)
_DATES = st.sampled_from([
    "+7d", "+2w", "+1m", "+0d", "-3d", "+30天", "+2周", "+1个月", "+3工作日", "+5wd", "+9999d", "＋７ｄ", " +7d ",
    "2026-12-01", "2026/12/1", "20261201", "12月1日", "2026年12月1日", "２０２６-１２-０１", "明天", "today", "昨天",
    "2026-11-01", "2026-11-29", "2026-11-30", "2031-12-01", "2031-11-28", "1999-12-31", "2026-02-30", "abc", "", "  ",
])
_LEVELS = st.sampled_from(["general", "major", "一般", "重大", "一般隐患", "重大隐患", "Major", " 重大 ", "ｍａｊｏｒ",
                           "MAJOR", "big", "较大", "", "　"])
_INDUSTRIES = st.sampled_from([
    "fire", "消防", "Fire safety", "road_traffic", "道路交通", "construction", "建筑施工", "hazardous_chemicals", "危化",
    "危险化学品", "fireworks", "烟花爆竹", "special_equipment", "特种设备", "industry_trade", "工贸", "gas", "城镇燃气",
    "other", "其他", "FIRE", "ｆｉｒｅ", "火", "餐饮", "", "消防、特种设备",
])
_SOURCES = st.sampled_from(["inspection", "self_check", "企业自查", "leader_check", "领导带队检查", "report", "群众举报",
                            "other", "其他", "rumour", ""])
_NAMES = st.one_of(st.text(max_size=12), st.sampled_from(["王建国", "x" * 100, "x" * 101, "  李明 ", ""]))
_OPTIONS: dict[str, Any] = {
    "level": _LEVELS, "found_on": _DATES, "deadline": _DATES, "owner": _NAMES, "source": _SOURCES,
    "found_by": _NAMES, "basis": _DESCRIPTIONS, "industry": _INDUSTRIES, "locality": _NAMES,
}


@st.composite
def add_inputs(draw: Any) -> dict[str, Any]:
    """The fields `Hazards.add` validates: the unit's industry and locality, found today and open,
    then the options given (as typed), and the unit's id."""
    fields: dict[str, Any] = {"industry": draw(st.sampled_from(["fire", "gas", "construction"])),
                              "locality": draw(st.sampled_from(["临江街道", "青山镇", "经济开发区管委会"])),
                              "found_on": TODAY, "status": Status.OPEN}
    fields["description"] = draw(_DESCRIPTIONS)
    for name in draw(st.sets(st.sampled_from(sorted(_OPTIONS)), max_size=6)):
        fields[name] = draw(_OPTIONS[name])
    if draw(st.integers(0, 10)) == 0:  # found in an inspection: its id, date and kind come with it
        fields.update(inspection_id=draw(st.integers(1, 10**6)),
                      source=draw(st.sampled_from(["inspection", "leader_check"])),
                      found_on=draw(st.sampled_from([TODAY, date(2026, 11, 2), "2026-11-02", date(2020, 1, 1),
                                                     "2026-12-01", date(2026, 12, 1)])),
                      found_by="、".join(draw(st.lists(_NAMES, min_size=1, max_size=12))))
    fields["unit_id"] = draw(st.one_of(st.integers(1, 10**6), st.sampled_from([True, "7", 2**70])))
    if draw(st.integers(0, 20)) == 0:
        fields["unknown_field"] = "x"
    if draw(st.integers(0, 20)) == 0:
        del fields["description"]
    return fields


def _outcome(call: Any) -> tuple[Any, ...]:
    try:
        record = call()
    except InvalidInput as error:
        problems = error.problems if isinstance(error, InvalidFields) else [error]
        return ("error", type(error).__name__, [(p.key, p.field, repr(p.params)) for p in problems])
    return ("ok", repr(record))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(add_inputs(), st.sampled_from([TODAY, None]))
@example({"industry": "fire", "locality": "临江街道", "found_on": TODAY, "status": Status.OPEN,
          "description": "灭火器过期", "deadline": "-3d", "unit_id": 7}, TODAY)
@example({"industry": "fire", "locality": "临江街道", "found_on": "2026-11-30", "status": Status.OPEN,
          "description": "灭火器过期", "deadline": "2026-11-01", "unit_id": 7}, TODAY)
@example({"industry": "fire", "locality": "临江街道", "found_on": TODAY, "status": Status.OPEN,
          "description": "\ud800", "unit_id": 7}, TODAY)
def test_add_without_pydantic_gives_what_pydantic_gives(fields, today):
    expected = _outcome(lambda: validate(HazardData, dict(fields), today).model_dump())
    assert _outcome(lambda: HAZARD.check(dict(fields), today)) == expected
    fast = HAZARD.fast(dict(fields), today)
    if fast is not None:  # what the Pydantic-free path takes on itself, it takes exactly as Pydantic would
        assert expected == ("ok", repr(fast))


def test_the_common_add_is_taken_without_pydantic():
    base = {"industry": "fire", "locality": "临江街道", "found_on": TODAY, "status": Status.OPEN, "unit_id": 7}
    for options in (
        {"description": "二楼仓库灭火器压力不足", "deadline": "+7d"},
        {"description": "液化气钢瓶未检验", "deadline": "2026-12-15", "level": "重大", "industry": "城镇燃气",
         "owner": "王建国", "source": "领导带队检查"},
        {"description": "Fire exit blocked", "level": "major", "deadline": "+2w", "industry": "fire", "found_on": "昨天"},
    ):
        record = HAZARD.fast({**base, **options}, TODAY)
        assert record is not None, options
        assert record == validate(HazardData, {**base, **options}, TODAY).model_dump()


def test_the_model_is_built_from_the_rules():
    # one declaration: the Pydantic model's fields and validators are those of hazreg.rules
    assert list(HazardData.model_fields) == list(HAZARD.fields)
    for name, rule in HAZARD.fields.items():
        info = HazardData.model_fields[name]
        assert info.is_required() == (rule.default is REQUIRED)
        assert [m.max_length for m in info.metadata] == ([rule.max_length] if rule.max_length else [])
    decorators = HazardData.__pydantic_decorators__
    assert {(d.info.mode, d.info.fields) for d in decorators.field_validators.values()} == {
        (mode, names) for mode, names, _ in HAZARD.validators}
    assert len(decorators.model_validators) == len(HAZARD.record_validators)

