"""File columns ↔ register fields, for imports and exports.

A district's spreadsheet may head its columns in Chinese as officers write them
(单位名称, 统一社会信用代码, 所属镇街 …), with the English keys hazreg exports, or
with hazreg's own Chinese export headers; all of these map to the same fields.
Other headers can be mapped by the user (`--map 列名=field`).
"""

from __future__ import annotations

import re
import unicodedata

from hazreg.errors import InvalidInput
from hazreg.messages import MESSAGES

UNIT_FIELDS = ("id", "uid", "name", "credit_code", "industry", "industries", "locality", "address", "contact", "phone", "risk",
               "registered_on")
HAZARD_FIELDS = (
    "id", "uid", "unit_id", "unit_name", "credit_code", "description", "industry", "locality", "level",
    "status", "source", "found_on", "found_by", "basis", "deadline", "owner", "measures", "funds",
    "contingency", "rectified_on", "verified_by", "verified_on", "verify_note", "closed_on", "void_reason",
    "inspection_id",
)
# Inspections and the records kept about a hazard (挂牌督办, extensions, escalations,
# enforcement, attachments): the columns their exports write and their imports read.
# Each of the latter names its hazard by `hazard_uid`, else `hazard_id` (H12).
INSPECTION_FIELDS = (
    "id", "uid", "unit_id", "unit_name", "credit_code", "on", "inspectors", "leader", "mode", "campaign",
    "draw_id", "note", "department", "focus",
)
_OF_HAZARD = ("id", "uid", "hazard_id", "hazard_uid")
EVIDENCE_FIELDS: dict[str, tuple[str, ...]] = {
    "supervisions": (*_OF_HAZARD, "body", "supervision_level", "listed_on", "due", "note", "delisted_on",
                     "delist_note", "created_at", "notice_no"),
    "extensions": (*_OF_HAZARD, "from_deadline", "to_deadline", "reason", "approved_by", "created_at"),
    "attachments": (*_OF_HAZARD, "file_name", "stage", "sha256", "size", "note", "created_at"),
    "escalations": (*_OF_HAZARD, "step", "done_on", "note", "created_at"),
    # the closing steps of a listing (销号申请 apply, 验收 accept / accept_fail), with its listing's uid
    # and the report an application attached
    "supervision_steps": (*_OF_HAZARD, "supervision_uid", "step", "done_by", "done_on", "attachment_id",
                          "attachment_uid", "note", "created_at"),
    "actions": (*_OF_HAZARD, "type", "amount", "against", "taken_on", "note", "created_at"),
}
# Columns hazreg writes but never reads back: derived, or kept by the register itself.
DERIVED = ("created_at", "updated_at", "plan_complete", "overdue", "open_hazards")

_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "企业名称", "单位", "名称", "生产经营单位", "单位全称"),
    "unit_name": ("单位名称", "企业名称", "单位", "被检查单位", "生产经营单位", "unit"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码", "统一代码", "code"),
    "industry": ("行业领域", "行业", "所属行业", "行业类别"),
    "industries": ("所涉行业领域", "全部行业领域", "行业领域（多个）"),
    "locality": ("所属镇街", "所属镇街（园区）", "属地", "镇街", "所属街道", "所在镇街", "乡镇街道", "所属乡镇", "镇（街道）"),
    "address": ("详细地址", "地址", "单位地址", "经营地址"),
    "contact": ("联系人", "负责人", "安全负责人"),
    "phone": ("联系电话", "电话", "手机", "联系方式", "手机号"),
    "risk": ("风险等级", "风险", "风险级别", "风险分级"),
    # read by imports only, to date a unit's entry in the register (not kept as a field)
    "registered_on": ("登记日期", "建档日期", "纳入日期", "录入日期"),
    "description": ("隐患描述", "隐患内容", "问题描述", "隐患情况", "存在问题", "隐患"),
    "level": ("隐患级别", "级别", "隐患等级"),
    "status": ("状态", "整改状态", "整改情况"),
    "source": ("来源", "隐患来源"),
    "found_on": ("发现日期", "发现时间", "检查日期", "排查日期"),
    "found_by": ("发现人", "检查人", "排查人"),
    "basis": ("判定依据", "依据", "判定标准"),
    "deadline": ("整改期限", "整改时限", "期限", "整改截止日期", "整改完成时限", "治理时限"),
    "owner": ("整改责任人", "责任人", "治理责任人"),
    "measures": ("整改措施", "措施", "治理措施"),
    "funds": ("整改资金", "资金", "整改资金(元)", "资金(元)", "整改资金（元）", "治理资金", "金额", "整改金额"),
    "contingency": ("应急预案", "预案", "安全措施和应急预案"),
    "rectified_on": ("整改完成日期", "完成日期"),
    "verified_by": ("验收人", "复查人", "复查（验收）人"),
    "verified_on": ("验收日期", "复查日期", "复查（验收）日期"),
    "verify_note": ("验收意见", "复查意见", "复查（验收）意见"),
    "closed_on": ("销号日期",),
    # derived, never read: a ledger's 五落实/五到位 column is known, not reported as unread
    "plan_complete": ("五落实齐全", "五到位", "五落实到位", "五到位齐全", "五落实"),
    "void_reason": ("作废原因",),
}


def fold(header: str) -> str:
    """A header as compared: NFKC, case-folded, without spaces, underscores, dashes or a leading *."""
    text = unicodedata.normalize("NFKC", header).casefold()
    return "".join(c for c in text if c not in " _-*\t\ufeff")


def _names(field: str) -> list[str]:
    names = [field, *_ALIASES.get(field, ())]
    names += list(MESSAGES.get(f"field.{field}", ()))
    return names


def lookup(fields: tuple[str, ...]) -> dict[str, str]:
    """Folded header -> field, for one kind of record. Earlier fields win a shared name."""
    table: dict[str, str] = {}
    for name in DERIVED:
        for header in _names(name):
            table.setdefault(fold(header), "")
    for field in fields:
        for header in _names(field):
            key = fold(header)
            if table.get(key, "") == "":
                table[key] = field
    return table


def map_headers(
    headers: list[str], fields: tuple[str, ...], overrides: dict[str, str] | None = None
) -> tuple[dict[int, str], list[str]]:
    """Which column holds which field, and the headers left unread."""
    table = lookup(fields)
    forced = {fold(k): v for k, v in (overrides or {}).items()}
    for field in forced.values():
        if field not in fields:
            raise InvalidInput("err.map_field", "map", value=field, allowed=", ".join(fields))
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        key = fold(header)
        field = forced.get(key) or table.get(key, "")
        if not field and key not in table:
            field = _money_field(key, table)
        if field and field not in columns.values():
            columns[index] = field
        elif header.strip() and key not in table:
            ignored.append(header)
    return columns, ignored


# Money columns may name their unit in the header: 整改资金（万元）, 金额/万元, funds_10k, funds (yuan).
MONEY_FIELDS = ("funds",)
_MONEY_UNIT = re.compile(r"(.+?)[(/:\[【]?(万元|万|元|10kyuan|10kcny|10k|wan|yuan|cny|rmb)[)\]】]?")
_TEN_THOUSAND = ("万元", "万", "10kyuan", "10kcny", "10k", "wan")


def _money_field(key: str, table: dict[str, str]) -> str:
    """The money field a header names with its unit (整改资金（万元） -> funds), else ''."""
    m = _MONEY_UNIT.fullmatch(key)
    field = table.get(m[1], "") if m else ""
    return field if field in MONEY_FIELDS else ""


def in_ten_thousand_yuan(header: str) -> bool:
    """Whether a money column's header says its amounts are in 万元 (ten thousand yuan)."""
    m = _MONEY_UNIT.fullmatch(fold(header))
    return m is not None and m[2] in _TEN_THOUSAND


def parse_map(values: list[str] | None) -> dict[str, str]:
    """--map 列名=field, repeated."""
    out: dict[str, str] = {}
    for value in values or []:
        header, sep, field = value.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise InvalidInput("err.map_syntax", "map", value=value)
        out[header.strip()] = field.strip()
    return out
