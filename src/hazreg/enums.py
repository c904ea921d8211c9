"""The register's enumerations: a stable English key, an English and a Chinese label.

Keys are what is stored, exported and typed in scripts; labels are what people read.
Input accepts the key, either label, or a common Chinese short form, after NFKC
normalisation, so `--industry 消防`, `--industry Fire` and `--level 重大` all work.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import Any, Self

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


_INDUSTRY_SEPARATORS = re.compile(r"[、,，/／;；]")


def split_industries(value: Any) -> list[str]:
    """Industries as typed or imported: '消防、特种设备', 'fire,special_equipment', a list of such
    texts (`--industry` given twice): each name once, in the order given."""
    texts = value if isinstance(value, (list, tuple)) else [value]
    names: list[str] = []
    for text in texts:
        if text is None:
            continue
        parts = [text] if isinstance(text, Enum) else _INDUSTRY_SEPARATORS.split(str(text))
        for part in parts:
            name = part.value if isinstance(part, Enum) else part.strip()
            if name and name not in names:
                names.append(name)
    return names


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
    RED = ("red", "Red (major risk)", "红色（重大风险）", "红", "红色", "重大风险", "Red")
    ORANGE = ("orange", "Orange (high risk)", "橙色（较大风险）", "橙", "橙色", "较大风险", "Orange")
    YELLOW = ("yellow", "Yellow (moderate risk)", "黄色（一般风险）", "黄", "黄色", "一般风险", "Yellow")
    BLUE = ("blue", "Blue (low risk)", "蓝色（低风险）", "蓝", "蓝色", "低风险", "Blue")


class Level(LabeledEnum):
    GENERAL = ("general", "General", "一般隐患", "一般")
    MAJOR = ("major", "Major", "重大隐患", "重大")


class Status(LabeledEnum):
    OPEN = ("open", "Open", "待整改")
    RECTIFYING = ("rectifying", "Rectifying", "整改中")
    RECTIFIED = ("rectified", "Rectified", "已整改待复查", "Rectified, awaiting re-check", "已整改(待验收)",
                 "Rectified (awaiting verification)", "已整改", "待验收", "待复查", "已整改待验收")
    CLOSED = ("closed", "Closed", "已销号", "销号", "已验收")
    VOID = ("void", "Void", "已作废", "作废")


class Source(LabeledEnum):
    """Where a hazard was found, as the national ledger counts it (隐患来源). `inspection` and
    `leader_check` are kept: registers store them, and an inspection record still gives them."""

    ENFORCEMENT_CHECK = ("enforcement_check", "Enforcement inspection", "执法检查")
    DEPARTMENT_CHECK = ("department_check", "Department inspection", "部门检查", "行业部门检查")
    TOWNSHIP_CHECK = ("township_check", "Township inspection", "镇街检查", "属地检查")
    SUPERIOR_CHECK = ("superior_check", "Inspection from above", "上级督查", "上级检查", "督查")
    EXPERT_CHECK = ("expert_check", "Expert inspection", "专家检查", "专家指导服务")
    CONGRESS_VISIT = ("congress_visit", "People's congress / CPPCC visit", "人大政协视察", "人大视察", "政协视察")
    REPORT = ("report", "Report or complaint", "举报投诉", "群众举报", "举报", "投诉", "Public report")
    SELF_CHECK = ("self_check", "Self-check", "企业自查", "自查")
    INSPECTION = ("inspection", "Inspection", "监管检查", "检查")
    LEADER_CHECK = ("leader_check", "Leader's check", "领导带队检查", "领导检查")
    OTHER = ("other", "Other", "其他")


class Mode(LabeledEnum):
    ANNOUNCED = ("announced", "Announced", "明查")
    UNANNOUNCED = ("unannounced", "Unannounced", "暗访", "暗查", "四不两直", "暗查暗访")


class SupervisionLevel(LabeledEnum):
    DISTRICT = ("district", "County/district", "县（区）级", "区级", "区", "县级", "县", "District")
    CITY = ("city", "City", "市级", "市")
    PROVINCE = ("province", "Province", "省级", "省")


class ActionType(LabeledEnum):
    ORDER_RECTIFY = ("order_rectify", "Order to rectify", "责令限期整改", "责令整改")
    WARNING = ("warning", "Warning", "警告")
    FINE = ("fine", "Fine", "罚款")
    CONFISCATE = ("confiscate", "Confiscation of illegal gains", "没收违法所得")
    SUSPEND_LICENSE = ("suspend_license", "Licence suspended or revoked", "暂扣/吊销证照", "暂扣证照", "吊销证照",
                       "暂扣或者吊销有关许可证")
    ON_SITE_MEASURES = ("on_site_measures", "On-site measures", "现场处理措施", "现场处理")
    SEAL_SEIZE = ("seal_seize", "Sealing up or seizure", "查封扣押", "查封", "扣押")
    SUSPEND = ("suspend", "Suspension", "停产停业整顿", "停产整顿", "停业整顿", "责令停产停业整顿", "责令停产整顿")
    CLOSE = ("close", "Proposed closure", "提请关闭/取缔", "关闭取缔", "关闭", "提请关闭", "Closure")
    ACCOUNTABILITY = ("accountability", "Referred for accountability", "移交问责", "问责", "Accountability")
    JUDICIAL_TRANSFER = ("judicial_transfer", "Transfer to judicial organs", "移送司法机关", "移送司法")


class Stage(LabeledEnum):
    BEFORE = ("before", "Before", "整改前")
    AFTER = ("after", "After", "整改后")
    REPORT = ("report", "Evaluation report", "评估报告")
    OTHER = ("other", "Other", "其他")


class Step(LabeledEnum):
    """The default escalation ladder's steps; a configured ladder may name others."""

    NOTICE = ("notice", "Order to rectify within a time limit", "责令限期整改指令书", "整改通知书", "Rectification notice")
    LETTER = ("letter", "Listed-supervision notice", "挂牌督办通知书", "督办函", "Supervision letter")
    INTERVIEW = ("interview", "Interview", "约谈")
    PUBLIC_NOTICE = ("public_notice", "Public criticism / exposure", "通报批评/曝光", "通报", "通报批评", "曝光",
                     "Public notice")


class LocalityKind(LabeledEnum):
    TOWN = ("town", "Town", "镇", "乡", "乡镇")
    SUBDISTRICT = ("subdistrict", "Sub-district", "街道", "街道办事处")
    ZONE = ("zone", "Management committee / park", "管委会/园区", "管委会", "园区", "开发区", "管理委员会")
    VILLAGE = ("village", "Village", "村")
    COMMUNITY = ("community", "Community", "社区")
    GRID = ("grid", "Grid", "网格")


class DocType(LabeledEnum):
    """The enforcement and supervision documents hazreg issues (执法文书); documents are Chinese only."""

    ORDER_RECTIFY = ("order_rectify", "Order to rectify within a time limit", "责令限期整改指令书", "责改",
                     "责令整改指令书", "order")
    RECHECK = ("recheck", "Rectification re-check opinion", "整改复查意见书", "复查", "复查意见书")
    ON_SITE = ("on_site", "Decision on on-site measures", "现场处理措施决定书", "现场处理", "现场处理决定书",
               "on_site_measures")
    SUPERVISE = ("supervise", "Notice of listed supervision of a major hazard", "重大事故隐患挂牌督办通知书",
                 "挂牌督办通知书", "挂牌督办")
    DELIST = ("delist", "Notice of lifting listed supervision", "解除挂牌督办通知书", "解除督办通知书", "摘牌")
    LETTER = ("letter", "Supervision letter", "督办函")
    INTERVIEW = ("interview", "Notice of interview", "约谈通知书", "约谈")


class AccidentType(LabeledEnum):
    """The 20 classes of injury accident of GB 6441-86 《企业职工伤亡事故分类》."""

    STRUCK_BY_OBJECT = ("struck_by_object", "Struck by object", "物体打击")
    VEHICLE = ("vehicle", "Vehicle injury", "车辆伤害")
    MACHINERY = ("machinery", "Machinery injury", "机械伤害")
    LIFTING = ("lifting", "Lifting injury", "起重伤害")
    ELECTROCUTION = ("electrocution", "Electric shock", "触电")
    DROWNING = ("drowning", "Drowning", "淹溺")
    BURNS = ("burns", "Burns and scalds", "灼烫")
    FIRE = ("fire", "Fire", "火灾")
    FALL_FROM_HEIGHT = ("fall_from_height", "Fall from height", "高处坠落", "坠落")
    COLLAPSE = ("collapse", "Collapse", "坍塌")
    ROOF_FALL = ("roof_fall", "Roof fall and rib spalling", "冒顶片帮")
    WATER_INRUSH = ("water_inrush", "Water inrush", "透水")
    BLASTING = ("blasting", "Blasting", "放炮")
    EXPLOSIVES = ("explosives", "Explosives explosion", "火药爆炸")
    FIREDAMP = ("firedamp", "Firedamp explosion", "瓦斯爆炸")
    BOILER = ("boiler", "Boiler explosion", "锅炉爆炸")
    VESSEL = ("vessel", "Pressure vessel explosion", "容器爆炸")
    OTHER_EXPLOSION = ("other_explosion", "Other explosion", "其他爆炸")
    POISONING_ASPHYXIATION = ("poisoning_asphyxiation", "Poisoning and asphyxiation", "中毒和窒息", "中毒", "窒息")
    OTHER_INJURY = ("other_injury", "Other injury", "其他伤害")


class AccidentGrade(LabeledEnum):
    """The grades of 《生产安全事故报告和调查处理条例》第三条, lowest first."""

    GENERAL = ("general", "General", "一般事故", "一般")
    LARGER = ("larger", "Larger", "较大事故", "较大")
    MAJOR = ("major", "Major", "重大事故", "重大")
    ESPECIALLY_MAJOR = ("especially_major", "Especially major", "特别重大事故", "特别重大")


class Investigation(LabeledEnum):
    """Where an accident's investigation stands."""

    REPORTED = ("reported", "Reported", "已报告")
    INVESTIGATING = ("investigating", "Under investigation", "调查中")
    CONCLUDED = ("concluded", "Concluded", "已结案", "结案")


class CaseStep(LabeledEnum):
    """The steps of an administrative penalty case (行政处罚案件), in order; 复产验收 (resumption
    acceptance) is recorded beside them when a decision orders 停产停业整顿."""

    FILED = ("filed", "Filed", "立案")
    INVESTIGATED = ("investigated", "Investigated", "调查取证", "调查")
    NOTIFIED = ("notified", "Notified", "告知", "处罚告知", "行政处罚告知")
    DECIDED = ("decided", "Decided", "决定", "处罚决定", "行政处罚决定")
    EXECUTED = ("executed", "Executed", "执行", "执行完毕")
    CLOSED = ("closed", "Closed", "结案")
    RESUMPTION = ("resumption", "Resumption accepted", "复产验收", "复产")


# The order a case moves in (复产验收 is not in it: it is required before 执行 after 停产整顿).
CASE_ORDER = (CaseStep.FILED, CaseStep.INVESTIGATED, CaseStep.NOTIFIED, CaseStep.DECIDED, CaseStep.EXECUTED,
              CaseStep.CLOSED)


class Hearing(LabeledEnum):
    """What the party asked for when notified (告知): to state and defend, a hearing, or nothing."""

    NONE = ("none", "Nothing asked", "未提出", "无")
    STATEMENT = ("statement", "Statement and defence", "陈述申辩", "陈述", "申辩")
    HEARING = ("hearing", "Hearing", "听证")


class IllegalCategory(LabeledEnum):
    """The 13 categories of illegal acts of the national 打非治违 form (安全生产领域"打非治违"情况
    周报表/月报表, 2010, columns 1–13; "打击非法违法行为合计=1+2+…+13项"), in the form's order.
    Source: the form as implemented in Ningbo's 隐患排查治理 system (GitHub ColinYu25/yhpc,
    src/main/webapp/template/dfzw/city_report.jsp), found by the i17-reports helper."""

    UNLICENSED = ("unlicensed", "Operating without, with incomplete or expired licences, beyond them, "
                  "or transferring a safety licence",
                  "无证、证照不全或过期、超许可证范围从事生产经营建设，以及倒卖、出租、出借或以其他形式非法转让安全生产许可证",
                  "无证", "无证照", "证照不全", "超许可范围", "非法转让许可证")
    REOPENED_AFTER_CLOSURE = ("reopened_after_closure", "Operating again after closure, or not closed as ordered",
                              "关闭取缔后又擅自生产经营建设，应关未关或关闭不到位", "关闭取缔后擅自生产", "应关未关")
    UNAPPROVED_PRODUCTION = ("unapproved_production", "Producing during suspension or upgrading without acceptance; "
                             "breaching the \"three simultaneities\"",
                             "停产整顿、整合技改未经验收擅自组织生产及违反建设项目安全设施、职业卫生\u201c三同时\u201d规定",
                             "擅自复产", "未经验收擅自生产", "三同时")
    CONCEALMENT = ("concealment", "Concealing or falsely reporting an accident; concealing or not remedying a "
                   "major hazard in time", "瞒报谎报事故，以及重大隐患隐瞒不报或不按规定期限予以整治",
                   "瞒报事故", "谎报事故", "隐瞒隐患", "重大隐患未整治")
    DEFYING_ORDERS = ("defying_orders", "Refusing enforcement orders or resisting enforcement",
                      "拒不执行安全监管监察指令、抗拒安全执法", "抗拒执法", "拒不执行指令")
    ILLEGAL_EMPLOYMENT = ("illegal_employment", "Illegal employment; working without a required certificate",
                          "非法用工、无证上岗", "非法用工", "无证上岗")
    RULE_VIOLATIONS = ("rule_violations", "Inadequate work rules, disorderly sites, violating rules, orders or "
                       "labour discipline",
                       "作业规程不完善，缺乏针对性和可操作性，以及现场管理混乱、违章操作、违章指挥和违反劳动纪律",
                       "三违", "违章操作", "违章指挥", "现场管理混乱")
    SUBSTANDARD_EQUIPMENT = ("substandard_equipment", "Processes, equipment, monitoring, work environment or "
                             "protective gear not up to the rules",
                             "安全生产工艺系统、技术装备、监控设施、作业环境、劳动防护用品配备不符合规定要求",
                             "设备设施不符合要求", "劳动防护用品")
    HAZARD_MANAGEMENT = ("hazard_management", "Hazard identification and remediation: rules, responsibility, "
                         "measures or rectification lacking",
                         "隐患排查治理制度不健全、责任不明确、措施不落实、整改不到位", "隐患排查治理", "整改不到位")
    INFRASTRUCTURE = ("infrastructure", "Major infrastructure construction: safety rules or measures lacking",
                      "重大基础设施建设安全制度不完善、管理措施落实不到位", "重大基础设施建设")
    EMERGENCY_READINESS = ("emergency_readiness", "Emergency teams, equipment, plans, drills or self-rescue gear "
                           "lacking", "应急救援队伍、装备不健全，应急预案制定修订演练不及时，以及自救装备配备不足、使用培训不够",
                           "应急救援", "应急预案")
    UNAPPROVED_NEW_TECH = ("unapproved_new_tech", "New materials, designs, equipment or technology used without "
                           "safety approval", "新材料、新设计、新装备、新技术未经安全监测核准投入使用", "四新")
    OTHER = ("other", "Other production and construction against work-safety laws, regulations or rules",
             "其他违反安全生产法律、法规、规章的生产经营建设行为", "其他")


class Discretion(LabeledEnum):
    """The discretion a penalty was decided with (行政处罚裁量), within the clause's range."""

    LENIENT = ("lenient", "Lenient", "从轻", "从轻处罚")
    GENERAL = ("general", "General", "一般", "一般处罚")
    SEVERE = ("severe", "Severe", "从重", "从重处罚")


class PartyKind(LabeledEnum):
    """Whom a penalty is against: the unit, its principal (主要负责人; 双罚 gives one penalty each),
    or another responsible person."""

    UNIT = ("unit", "Unit", "单位", "生产经营单位")
    PRINCIPAL = ("principal", "Principal", "主要负责人", "负责人")
    PERSON = ("person", "Other responsible person", "其他责任人员", "直接责任人员", "个人")


# The penalties a case decision may give (行政处罚种类), from ActionType.
CASE_PENALTIES = (ActionType.WARNING, ActionType.FINE, ActionType.CONFISCATE, ActionType.SUSPEND,
                  ActionType.SUSPEND_LICENSE, ActionType.CLOSE, ActionType.ACCOUNTABILITY,
                  ActionType.JUDICIAL_TRANSFER)


ENUMS: tuple[type[LabeledEnum], ...] = (
    Industry, Risk, Level, Status, Source, Mode, SupervisionLevel, ActionType, Stage, Step, DocType,
    LocalityKind, AccidentType, AccidentGrade, Investigation, CaseStep, Hearing, IllegalCategory, Discretion,
    PartyKind,
)

# Statuses still to be dealt with, and those whose deadline can pass (DESIGN.md: overdue).
ACTIVE = (Status.OPEN, Status.RECTIFYING, Status.RECTIFIED)
CAN_BE_OVERDUE = (Status.OPEN, Status.RECTIFYING)
