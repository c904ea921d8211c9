"""What a unit and a hazard are: Pydantic models that validate everything written.

Each field rule lives here once (a hazard's in hazreg.rules, from which HazardData is
built); the register applies it to `add`, `edit`, `plan` and imports alike by validating
the whole record after a change. Reading back from the register does not revalidate: rows
are shaped by `records`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from hazreg import creditcode
from hazreg.dates import check_day, not_future, parse_date
from hazreg.enums import (
    ActionType,
    Industry,
    Mode,
    Risk,
    Stage,
    Step,
    SupervisionLevel,
    split_industries,
)
from hazreg.errors import (
    InvalidFields as InvalidFields,  # where it was defined before hazreg.errors
)
from hazreg.errors import InvalidInput
from hazreg.money import parse_yuan
from hazreg.rules import HAZARD, NAME_MAX, TEXT_MAX
from hazreg.text import blank_to_none as _blank_to_none
from hazreg.text import clean_text as clean_text  # where it was defined before hazreg.text

_PHONE_SPLIT = re.compile(r"\s*[/;；、,，]\s*")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3})?[2-9]\d{6,7}")


def validate_phone(text: str, field: str = "phone") -> str:
    """One or more phone numbers: mobiles (13812345678) or landlines (0571-87654321-123)."""
    numbers = [p for p in _PHONE_SPLIT.split(unicodedata.normalize("NFKC", text).strip()) if p]
    for number in numbers:
        digits = re.sub(r"[\s\-()（）]", "", number)
        digits = re.sub(r"^(\+86|0086)", "", digits)
        digits = re.sub(r"(转|ext\.?|x)\d{1,6}$", "", digits, flags=re.I)
        if not (_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits)):
            raise InvalidInput("err.phone", field, value=text)
    return unicodedata.normalize("NFKC", text).strip()


class _Record(BaseModel):
    # defer_build: a model's validator is built on first use, so commands that only
    # read (list, show) never pay for it.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class UnitData(_Record):
    """The fields of a unit a user supplies."""

    name: str = Field(max_length=NAME_MAX)
    credit_code: str | None = None
    industry: Industry  # the first of `industries`: the default industry of the unit's hazards
    industries: list[Industry] = Field(default_factory=list)
    locality: str = Field(max_length=NAME_MAX)
    address: str | None = Field(default=None, max_length=TEXT_MAX)
    contact: str | None = Field(default=None, max_length=NAME_MAX)
    phone: str | None = Field(default=None, max_length=NAME_MAX)
    risk: Risk | None = None

    @field_validator("industries", mode="before")
    @classmethod
    def _industry_list(cls, value: Any) -> Any:
        # A unit is in one or more industries (a hotel is 消防 and 特种设备), given as a list or as
        # one text with separators (消防、特种设备); the first is also `industry`, checked there
        # (the register passes both: register.units.with_industries).
        members: list[Industry] = []
        for number, name in enumerate(split_industries(value)):
            try:
                member = Industry.parse(name, "industry")
            except InvalidInput:
                if number == 0:
                    continue  # the first is `industry`, whose own check reports it
                raise
            if member not in members:
                members.append(member)
        return members

    @model_validator(mode="after")
    def _first_industry(self) -> UnitData:
        # `industry` is the first of `industries`, always.
        self.industries = [self.industry, *(m for m in self.industries if m != self.industry)]
        return self

    @field_validator("credit_code", mode="after")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return None if value is None else creditcode.validate(value)

    @field_validator("phone", mode="after")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else validate_phone(value)

    @field_validator("industry", "risk", mode="before")
    @classmethod
    def _enum(cls, value: Any, info: ValidationInfo) -> Any:
        value = _blank_to_none(value)
        if value is None:
            return None
        return {"industry": Industry, "risk": Risk}[info.field_name or ""].parse(value, info.field_name)


# A hazard's rules are declared once, without Pydantic, in hazreg.rules (`hazreg add` applies
# them without loading Pydantic); this is the model built from them.
HazardData = HAZARD.model(_Record)


_PYDANTIC_KEYS = {
    "missing": "err.required",
    "string_too_long": "err.too_long",
    "int_parsing": "err.number",
    "int_type": "err.number",
    "date_from_datetime_parsing": "err.date",
    "date_parsing": "err.date",
    "date_type": "err.date",
    "extra_forbidden": "err.unknown_field",
    "too_short": "err.required",
}


def pydantic_reason(error: Any) -> str:
    """Why Pydantic refused a value (one entry of `errors()`), in the user's language.

    Pydantic's own `msg` is English only; each error type has a message key instead."""
    from hazreg.i18n import t
    from hazreg.messages import MESSAGES

    key = f"pydantic.{error['type']}"
    ctx = {k: v for k, v in (error.get("ctx") or {}).items() if not isinstance(v, Exception)}
    try:
        return t(key if key in MESSAGES else "pydantic.other", **ctx)
    except (KeyError, IndexError):  # a context Pydantic gives this type that the text lacks
        return t("pydantic.other")


def _one_problem(detail: Any) -> list[InvalidInput]:
    cause = (detail.get("ctx") or {}).get("error")
    if isinstance(cause, InvalidFields):
        return cause.problems
    if isinstance(cause, InvalidInput):
        return [cause]
    field = ".".join(str(p) for p in detail["loc"]) or None
    key = _PYDANTIC_KEYS.get(detail["type"], "err.invalid")
    if detail.get("input") is None:
        key = "err.required"
    ctx = detail.get("ctx") or {}
    return [InvalidInput(key, field, value=detail.get("input"), max=ctx.get("max_length"), detail=pydantic_reason(detail))]


def invalid_input(error: ValidationError) -> InvalidInput:
    """Every problem in a Pydantic error as InvalidInput in the user's language: one, or InvalidFields."""
    problems = [p for detail in error.errors() for p in _one_problem(detail)]
    return problems[0] if len(problems) == 1 else InvalidFields(problems)


def validate(model: type[BaseModel], data: dict[str, Any], today: date | None = None) -> Any:
    """`model` built from `data`, or InvalidInput for the bad fields (InvalidFields for several).

    Text is trimmed and blank text means "not given", for typed options and imported
    cells alike; this is done here rather than in a validator per field because a
    million-row import calls it a million times.
    """
    clean = {k: _blank_to_none(v) if isinstance(v, str) else v for k, v in data.items()}
    try:
        return model.model_validate(clean, context={"today": today})
    except ValidationError as error:
        raise invalid_input(error) from None


_NAME_SPLIT = re.compile(r"\s*[,，、;；/]\s*")


def split_names(value: Any) -> list[str]:
    """'王建国,李明' or '王建国、李明' or a list -> ['王建国', '李明']."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else _NAME_SPLIT.split(str(value))
    return [unicodedata.normalize("NFC", str(v)).strip() for v in items if str(v).strip()]


class InspectionData(_Record):
    """An inspection of a unit: when, by whom, led by which leader, announced or not."""

    unit_id: int
    on: date
    inspectors: list[str] = Field(min_length=1)
    leader: str | None = Field(default=None, max_length=NAME_MAX)
    mode: Mode = Mode.ANNOUNCED
    campaign_id: int | None = None
    draw_id: int | None = None
    note: str | None = Field(default=None, max_length=TEXT_MAX)
    department_id: int | None = None
    focus: str | None = Field(default=None, max_length=NAME_MAX)  # the focus profile it was made for (暴雨)

    @field_validator("inspectors", mode="before")
    @classmethod
    def _names(cls, value: Any) -> list[str]:
        return split_names(value)

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, value: Any) -> Any:
        return Mode.parse(value, "mode")

    @field_validator("on", mode="before")
    @classmethod
    def _on(cls, value: Any, info: ValidationInfo) -> Any:
        today = (info.context or {}).get("today")
        day = parse_date(value, today, "on") if isinstance(value, str) else value
        if today is not None and isinstance(day, date):
            not_future(day, today, "on")
        return day


class _Fields(_Record):
    """Fields of work (分管领域): industries and, optionally, localities."""

    industries: list[Industry] = []
    localities: list[str] = []

    @field_validator("industries", mode="before")
    @classmethod
    def _industries(cls, value: Any) -> list[Industry]:
        return [Industry.parse(v, "industries") for v in split_names(value)]

    @field_validator("localities", mode="before")
    @classmethod
    def _localities(cls, value: Any) -> list[str]:
        return split_names(value)


class CampaignData(_Fields):
    """An inspection campaign: a window of dates and the fields it must cover."""

    name: str = Field(max_length=NAME_MAX)
    start: date
    end: date

    @field_validator("start", "end", mode="before")
    @classmethod
    def _date(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            return parse_date(value, (info.context or {}).get("today"), info.field_name or "date")
        return value

    @field_validator("start", "end", mode="after")
    @classmethod
    def _sane(cls, value: date, info: ValidationInfo) -> date:
        today = (info.context or {}).get("today")
        return value if today is None else check_day(value, today, info.field_name or "date", happened=False)

    @model_validator(mode="after")
    def _end_after_start(self) -> CampaignData:
        if self.end < self.start:
            raise InvalidInput("err.end_before_start", "end", end=self.end, start=self.start)
        return self


class LeaderData(_Fields):
    """A district leader and their assigned fields (分管领域)."""

    name: str = Field(max_length=NAME_MAX)
    industries: list[Industry] = Field(min_length=1)


class InspectorData(_Record):
    """An inspector in the pool for random draws, with the localities they must not inspect (回避)."""

    name: str = Field(max_length=NAME_MAX)
    cert: str | None = Field(default=None, max_length=NAME_MAX)
    localities: list[str] = []

    @field_validator("localities", mode="before")
    @classmethod
    def _localities(cls, value: Any) -> list[str]:
        return split_names(value)


# -- records kept about a hazard, as an import brings them in (see hazreg.register.transfer) --

_SHA256 = re.compile(r"[0-9a-f]{64}")


class _OfHazard(_Record):
    """A record about one hazard; `created_at` is when it was first recorded (UTC, kept as given)."""

    hazard_id: int
    created_at: str | None = None

    @field_validator("created_at", mode="after")
    @classmethod
    def _timestamp(cls, value: str | None) -> str | None:
        from datetime import datetime

        if value is not None:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise InvalidInput("err.timestamp", "created_at", value=value) from None
        return value

    @field_validator(
        "listed_on", "due", "delisted_on", "from_deadline", "to_deadline", "done_on", "taken_on",
        mode="before", check_fields=False,
    )
    @classmethod
    def _date(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            return parse_date(value, (info.context or {}).get("today"), info.field_name or "date")
        return value

    @field_validator(
        "listed_on", "due", "delisted_on", "from_deadline", "to_deadline", "done_on", "taken_on",
        mode="after", check_fields=False,
    )
    @classmethod
    def _sane(cls, value: date | None, info: ValidationInfo) -> date | None:
        # As the commands that make them check them (Context.happened, Context.date): what was
        # done (listed, delisted, escalated, action taken) is not in the future; a deadline is at
        # most five years ahead.
        today = (info.context or {}).get("today")
        if value is not None and today is not None:
            check_day(value, today, info.field_name or "date", happened=info.field_name in _DONE)
        return value


_DONE = ("listed_on", "delisted_on", "done_on", "taken_on")


class SupervisionData(_OfHazard):
    """A listing for supervision (挂牌督办), in force or delisted (摘牌)."""

    body: str = Field(max_length=NAME_MAX)
    supervision_level: SupervisionLevel
    listed_on: date
    due: date | None = None
    note: str | None = Field(default=None, max_length=TEXT_MAX)
    delisted_on: date | None = None
    delist_note: str | None = Field(default=None, max_length=TEXT_MAX)
    notice_no: str | None = Field(default=None, max_length=NAME_MAX)

    @field_validator("supervision_level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        return SupervisionLevel.parse(value, "supervision_level") if value is not None else value

    @model_validator(mode="after")
    def _order(self) -> SupervisionData:
        for name in ("due", "delisted_on"):
            value = getattr(self, name)
            if value is not None and value < self.listed_on:
                raise InvalidInput("err.end_before_start", name, end=value, start=self.listed_on)
        return self


class ExtensionData(_OfHazard):
    """A deadline moved later: from which deadline, to which, why, approved by whom."""

    from_deadline: date | None = None
    to_deadline: date
    reason: str = Field(max_length=TEXT_MAX)
    approved_by: str | None = Field(default=None, max_length=NAME_MAX)

    @model_validator(mode="after")
    def _later(self) -> ExtensionData:
        if self.from_deadline is not None and self.to_deadline <= self.from_deadline:
            raise InvalidInput("err.extension_order", "to_deadline", to=self.to_deadline, deadline=self.from_deadline)
        return self


class AttachmentData(_OfHazard):
    """An attached file's record: its name as given, the stage, its SHA-256 and size."""

    file_name: str = Field(max_length=TEXT_MAX)
    stage: Stage = Stage.OTHER
    sha256: str
    size: int = Field(ge=0)
    note: str | None = Field(default=None, max_length=TEXT_MAX)

    @field_validator("stage", mode="before")
    @classmethod
    def _stage(cls, value: Any) -> Any:
        return Stage.parse(value, "stage") if value is not None else value

    @field_validator("sha256", mode="after")
    @classmethod
    def _sha256(cls, value: str) -> str:
        if not _SHA256.fullmatch(value.lower()):
            raise InvalidInput("err.sha256", "sha256", value=value)
        return value.lower()


class EscalationData(_OfHazard):
    """A step of the escalation ladder taken for an overdue hazard."""

    step: str = Field(max_length=NAME_MAX)
    done_on: date
    note: str | None = Field(default=None, max_length=TEXT_MAX)

    @field_validator("step", mode="after")
    @classmethod
    def _step(cls, value: str) -> str:
        try:
            return Step.parse(value, "step").value
        except InvalidInput:
            key = value.strip().lower()
            if not key.replace("_", "").isalnum() or not key.isascii():
                raise
            return key  # a step of a configured ladder


class SupervisionStepData(_OfHazard):
    """A closing step of a listing (销号申请 apply, 验收 accept or accept_fail): who, when; the
    listing by its uid, the application's report by its attachment's uid or id (A3)."""

    supervision_uid: str | None = Field(default=None, max_length=NAME_MAX)
    step: str
    done_by: str = Field(max_length=NAME_MAX)
    done_on: date
    attachment_id: str | None = Field(default=None, max_length=NAME_MAX)
    attachment_uid: str | None = Field(default=None, max_length=NAME_MAX)
    note: str | None = Field(default=None, max_length=TEXT_MAX)

    @field_validator("step", mode="after")
    @classmethod
    def _step(cls, value: str) -> str:
        key = value.strip().lower()
        if key not in CLOSING_STEP_KEYS:
            raise InvalidInput("err.choice", "step", value=value, allowed=", ".join(CLOSING_STEP_KEYS))
        return key


CLOSING_STEP_KEYS = ("apply", "accept", "accept_fail")


class ActionData(_OfHazard):
    """An enforcement action (执法措施); a fine carries its amount in yuan, nothing else does."""

    type: ActionType
    amount: Decimal | None = None
    against: str | None = Field(default=None, max_length=NAME_MAX)
    taken_on: date
    note: str | None = Field(default=None, max_length=TEXT_MAX)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        return ActionType.parse(value, "type") if value is not None else value

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Any:
        return None if value is None else parse_yuan(value, "amount")

    @model_validator(mode="after")
    def _fine(self) -> ActionData:
        if self.type == ActionType.FINE and (self.amount is None or self.amount <= 0):
            raise InvalidInput("err.fine_amount", "amount")
        if self.type != ActionType.FINE and self.amount is not None:
            raise InvalidInput("err.amount_not_fine", "amount", type=self.type.label())
        return self
