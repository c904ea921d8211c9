"""A model's own validation, run without Pydantic's machinery for the rows it is sure of.

A million-row import validates a million rows; most of the cost is not the rules but the
machinery around them. `FastModel(HazardData, today)` reads the model's fields (type, whether
None is allowed, max_length) and its own validators (Pydantic's decorator records: before,
after, model-after) and applies exactly those, in Pydantic's order, to each row. It takes
only what it is certain Pydantic would take unchanged: exact types (str, int, date, Decimal,
the field's enum), lengths within the limit, every validator passing. Anything else — a
wrong type, a value a validator refuses, a field it does not know — goes to `validate`,
Pydantic itself, so the result and every error message are Pydantic's. The rules stay
defined once, in the model; a property test (tests/test_fastmodel.py) checks both give the
same record or the same error.

The checking itself is hazreg.spec's `Checker`, which `hazreg add` uses without Pydantic for a
hazard (`HAZARD.check`); this class reads what it checks off any Pydantic model.

The field validators of a model given to it must be pure functions of the value and the
validation context (they are for hazards: parse an enum, a date, an amount; check a day against
today): their results are kept per distinct value, which is most of the saving.
"""

from __future__ import annotations

import inspect
import types
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from hazreg.spec import SIMPLE_TYPES, Checker, FieldTable

_REQUIRED = object()


def _takes_info(func: Any) -> bool:
    params = [p for p in inspect.signature(func).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(params) >= 2


class FastModel:
    def __init__(self, model: type[BaseModel], today: date | None) -> None:
        self.model = model
        self.today = today
        self.context = {"today": today}
        decorators = model.__pydantic_decorators__  # type: ignore[attr-defined]
        before: dict[str, list[Any]] = {}
        after: dict[str, list[Any]] = {}
        self.usable = True
        for dec in decorators.field_validators.values():
            if dec.info.mode not in ("before", "after"):
                self.usable = False  # wrap/plain validators: leave every row to Pydantic
            target = before if dec.info.mode == "before" else after
            fields = model.model_fields if "*" in dec.info.fields else dec.info.fields
            for name in fields:
                target.setdefault(name, []).append((dec.func, _takes_info(dec.func)))
        self.model_after: list[Any] = []
        for model_dec in decorators.model_validators.values():
            if model_dec.info.mode != "after":
                self.usable = False
            self.model_after.append(model_dec.func)
        if decorators.field_serializers or decorators.root_validators or decorators.validators:
            self.usable = False
        if model.model_config.get("extra") != "forbid" or model.model_config.get("strict") or any(
                model.model_config.get(k) for k in ("str_strip_whitespace", "str_to_lower", "str_to_upper",
                                                     "str_max_length", "str_min_length", "validate_default",
                                                     "use_enum_values", "coerce_numbers_to_str")):
            self.usable = False
        # per field: (type, None allowed, max length, required, before validators, after validators)
        self.fields: FieldTable = {}
        for name, info in model.model_fields.items():
            kind, optional = _kind(info.annotation)
            max_length = None
            for meta in info.metadata:
                if type(meta).__name__ == "MaxLen":
                    max_length = meta.max_length
                else:
                    self.usable = False  # a constraint this path does not apply
            if kind is None or info.alias or info.validation_alias:
                self.usable = False
                continue
            # before validators run in the reverse order of their definition, after ones in order
            self.fields[name] = (kind, optional, max_length, info.is_required(),
                                 list(reversed(before.get(name, []))), after.get(name, []))
        self.checker = Checker(self.fields, self.context)
        # each field's default, as model_construct takes it (immutable values: shared safely)
        self.order: list[tuple[str, Any]] = []
        for name, info in model.model_fields.items():
            default = _REQUIRED if info.is_required() else info.get_default(call_default_factory=False)
            if info.default_factory is not None or not (
                    default is _REQUIRED or isinstance(default, (type(None), str, int, Enum, Decimal, date))):
                self.usable = False
            self.order.append((name, default))
        if model.__pydantic_post_init__ or model.__pydantic_root_model__:
            self.usable = False

    def __call__(self, data: dict[str, Any]) -> Any:
        """The model from `data` as `validate(model, data, today)` gives it, or its InvalidInput."""
        from hazreg.models import validate
        from hazreg.text import blank_to_none

        if self.usable:
            clean = {k: blank_to_none(v) if isinstance(v, str) else v for k, v in data.items()}
            try:
                values = self.checker.values(clean)
                instance = self._construct(values)
                for check in self.model_after:
                    check(instance)
            except Exception:  # noqa: BLE001 - whatever the reason, Pydantic decides (and words the error)
                pass
            else:
                return instance
        return validate(self.model, data, self.today)

    def _construct(self, values: dict[str, Any]) -> Any:
        """model_construct(**values), for this model's plain fields: `__dict__` in field order,
        defaults for the fields not given, the fields given as the fields set."""
        instance = self.model.__new__(self.model)
        fields = {name: values[name] if name in values else default for name, default in self.order}
        object.__setattr__(instance, "__dict__", fields)
        object.__setattr__(instance, "__pydantic_fields_set__", set(values))
        object.__setattr__(instance, "__pydantic_extra__", None)
        object.__setattr__(instance, "__pydantic_private__", None)
        return instance


def _kind(annotation: Any) -> tuple[type | None, bool]:
    """(the one type a field takes, whether None is allowed), or (None, _) for anything else."""
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) < len(get_args(annotation))
        if len(args) != 1:
            return None, optional
        annotation = args[0]
    if isinstance(annotation, type) and (annotation in SIMPLE_TYPES or issubclass(annotation, Enum)):
        return annotation, optional
    return None, optional
