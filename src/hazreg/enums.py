"""The register's enumerations: a stable English key, an English and a Chinese label.

Keys are what is stored, exported and typed in scripts; labels are what people read.
Input accepts the key, either label, or a common Chinese short form, after NFKC
normalisation, so `--industry 消防`, `--industry Fire` and `--level 重大` all work.
"""

from __future__ import annotations

import unicodedata
from enum import Enum
from typing import Self

from hazreg.errors import InvalidInput


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace("-", "_").replace(" ", "_")


class LabeledEnum(str, Enum):
    """A str Enum whose members carry (key, English label, Chinese label, *Chinese aliases)."""

    en: str
    zh: str
    aliases: tuple[str, ...]

    def __new__(cls, key: str, en: str, zh: str, *aliases: str) -> Self:
        member = str.__new__(cls, key)
        member._value_ = key
        member.en = en
        member.zh = zh
        member.aliases = aliases
        return member

    def __str__(self) -> str:
        return self.value

    def label(self, lang: str | None = None) -> str:
        if lang is None:
            from hazreg.i18n import get_lang

            lang = get_lang()
        return self.zh if lang == "zh" else self.en

    @classmethod
    def field_name(cls) -> str:
        return cls.__name__.lower()

    @classmethod
    def lookup(cls) -> dict[str, Self]:
        table = cls.__dict__.get("_lookup_cache")
        if table is None:
            table = {}
            for m in cls:
                for name in (m.value, m.en, m.zh, *m.aliases):
                    table[_fold(name)] = m
            cls._lookup_cache = table  # type: ignore[attr-defined]
        return table

    @classmethod
    def parse(cls, text: str | Self, field: str | None = None) -> Self:
        """The member named by `text` (key, label or alias), or InvalidInput listing the choices."""
        if isinstance(text, cls):
            return text
        table = cls.lookup()
        found = table.get(text) or table.get(_fold(str(text)))  # exact first: imports call this per cell
        if found is None:
            raise InvalidInput(
                "err.choice", field or cls.field_name(), value=text, allowed=cls.choices()
            )
        return found

    @classmethod
    def choices(cls, lang: str | None = None) -> str:
        """'fire (消防), road_traffic (道路交通), …' for messages and prompts."""
        return ", ".join(f"{m.value} ({m.zh})" for m in cls)


class Industry(LabeledEnum):
    FIRE = ("fire", "Fire safety", "消防")
    ROAD_TRAFFIC = ("road_traffic", "Road traffic", "道路交通", "交通")
    CONSTRUCTION = ("construction", "Construction", "建筑施工", "建筑", "施工")
    HAZARDOUS_CHEMICALS = ("hazardous_chemicals", "Hazardous chemicals", "危险化学品", "危化品", "危化")
    FIREWORKS = ("fireworks", "Fireworks", "烟花爆竹")
    SPECIAL_EQUIPMENT = ("special_equipment", "Special equipment", "特种设备")
    INDUSTRY_TRADE = ("industry_trade", "Industry and trade", "工贸")
    GAS = ("gas", "Town gas", "城镇燃气", "燃气")
    OTHER = ("other", "Other", "其他")


class Risk(LabeledEnum):
    RED = ("red", "Red", "红", "红色", "重大风险", "Red (major risk)")
    ORANGE = ("orange", "Orange", "橙", "橙色", "较大风险", "Orange (high risk)")
    YELLOW = ("yellow", "Yellow", "黄", "黄色", "一般风险", "Yellow (moderate risk)")
    BLUE = ("blue", "Blue", "蓝", "蓝色", "低风险", "Blue (low risk)")


class Level(LabeledEnum):
    GENERAL = ("general", "General", "一般隐患", "一般")
    MAJOR = ("major", "Major", "重大隐患", "重大")


class Status(LabeledEnum):
    OPEN = ("open", "Open", "待整改")
    RECTIFYING = ("rectifying", "Rectifying", "整改中")
    RECTIFIED = ("rectified", "Rectified", "已整改(待验收)", "Rectified (awaiting verification)", "已整改", "待验收")
    CLOSED = ("closed", "Closed", "已销号", "销号", "已验收")
    VOID = ("void", "Void", "已作废", "作废")


class Source(LabeledEnum):
    SELF_CHECK = ("self_check", "Self-check", "企业自查", "自查")
    INSPECTION = ("inspection", "Inspection", "监管检查", "检查")
    LEADER_CHECK = ("leader_check", "Leader's check", "领导带队检查", "领导检查")
    REPORT = ("report", "Public report", "群众举报", "举报")
    OTHER = ("other", "Other", "其他")


class Mode(LabeledEnum):
    ANNOUNCED = ("announced", "Announced", "明查")
    UNANNOUNCED = ("unannounced", "Unannounced", "暗访", "暗查")


class SupervisionLevel(LabeledEnum):
    DISTRICT = ("district", "District", "区级", "区")
    CITY = ("city", "City", "市级", "市")
    PROVINCE = ("province", "Province", "省级", "省")


class ActionType(LabeledEnum):
    ORDER_RECTIFY = ("order_rectify", "Order to rectify", "责令限期整改", "责令整改")
    FINE = ("fine", "Fine", "罚款")
    SUSPEND = ("suspend", "Suspension", "停产停业整顿", "停产整顿", "停业整顿")
    CLOSE = ("close", "Closure", "关闭取缔", "关闭")
    ACCOUNTABILITY = ("accountability", "Accountability", "问责")
    JUDICIAL_TRANSFER = ("judicial_transfer", "Transfer to judicial organs", "移送司法机关", "移送司法")


class Stage(LabeledEnum):
    BEFORE = ("before", "Before", "整改前")
    AFTER = ("after", "After", "整改后")
    OTHER = ("other", "Other", "其他")


class Step(LabeledEnum):
    """The default escalation ladder's steps; a configured ladder may name others."""

    NOTICE = ("notice", "Rectification notice", "整改通知书")
    LETTER = ("letter", "Supervision letter", "督办函")
    INTERVIEW = ("interview", "Interview", "约谈")
    PUBLIC_NOTICE = ("public_notice", "Public notice", "通报")


ENUMS: tuple[type[LabeledEnum], ...] = (
    Industry, Risk, Level, Status, Source, Mode, SupervisionLevel, ActionType, Stage, Step,
)

# Statuses still to be dealt with, and those whose deadline can pass (DESIGN.md: overdue).
ACTIVE = (Status.OPEN, Status.RECTIFYING, Status.RECTIFIED)
CAN_BE_OVERDUE = (Status.OPEN, Status.RECTIFYING)
