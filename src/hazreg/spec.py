"""A record's rules declared once, without Pydantic: its fields and its validators.

`hazard add` is run all day, and importing Pydantic and building a model is most of what it
would spend on top of a bare Typer app. So a record's rules — each field's type, whether it
may be None, its default, its maximum length, and the validator functions — are declared
here as plain data and plain functions (a `Spec`), and both ways of applying them derive
from that one declaration:

- `Spec.model(base)` builds the Pydantic model (hazreg.models.HazardData is built so), with
  the validators attached as Pydantic field and model validators;
- `Spec.check(data, today)` applies the same rules without importing Pydantic, to the rows it
  is sure of: exact types (str, int, date, Decimal, the field's enum), lengths within the
  limit, every validator passing. Anything else — a wrong type, a value a validator
  refuses, a field it does not know, a missing one — is validated by the Pydantic model,
  so the result and every error message are Pydantic's (tests/test_spec.py: same record or
  same error, on generated input).

A field validator is `func(value, info)`, `info` having Pydantic's `field_name` and
`context` ({"today": date}); it must be a pure function of those. A record validator is
`func(record)`, reading the fields as attributes, raising to refuse the record; it changes
nothing. `Checker` is the Pydantic-free core shared with hazreg.fastmodel (the import's path).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import Enum
from importlib import import_module
from typing import Any, NamedTuple

from hazreg.text import blank_to_none

REQUIRED: Any = object()  # the default of a field that must be given
SIMPLE_TYPES = (str, int, date, Decimal)
_CACHE_MAX = 50_000  # distinct (field, value) results kept; the cache is emptied when full


class FieldRule(NamedTuple):
    kind: type  # str, int, date, Decimal or an Enum
    default: Any
    optional: bool  # None allowed
    max_length: int | None


def field(kind: type, default: Any = REQUIRED, *, max_length: int | None = None) -> FieldRule:
    """A field of `kind`; a field whose default is None may be None (Pydantic's `X | None = None`)."""
    if not (kind in SIMPLE_TYPES or issubclass(kind, Enum)):
        raise TypeError(f"a field of {kind!r}: not a type a Spec follows")
    if not (default is REQUIRED or isinstance(default, (type(None), str, int, Enum, Decimal, date))):
        raise TypeError("a mutable default would be shared between records")
    return FieldRule(kind, default, default is None, max_length)


class Info:
    """What a field validator reads of Pydantic's ValidationInfo."""

    __slots__ = ("context", "data", "field_name")

    def __init__(self, field_name: str, context: dict[str, Any]) -> None:
        self.field_name = field_name
        self.context = context
        self.data: dict[str, Any] = {}


class Fallback(Exception):
    """The input is not one the fast path is sure of: Pydantic decides."""


# per field: (type, None allowed, max length, required, before validators, after validators);
# a validator is (function, whether it takes `info`)
FieldTable = dict[str, tuple[type, bool, int | None, bool, list[tuple[Any, bool]], list[tuple[Any, bool]]]]


class Checker:
    """A record's fields checked as Pydantic would, for input it is sure Pydantic takes unchanged.

    `values(clean)` gives the validated value of each field given (text already trimmed, blank
    as None), or raises (Fallback, or whatever a validator raised): then Pydantic decides.
    Validator results are kept per distinct value: an import sees the same few values often."""

    def __init__(self, fields: FieldTable, context: dict[str, Any]) -> None:
        self.fields = fields
        self.context = context
        self.cache: dict[tuple[str, type, Any], Any] = {}

    def values(self, clean: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        fields = self.fields
        value: Any
        for name, value in clean.items():
            spec = fields.get(name)
            if spec is None:
                raise Fallback  # an unknown field (extra="forbid")
            kind, optional, max_length, _required, befores, afters = spec
            key = None
            if befores or afters:
                key = (name, type(value), value)  # "open" and Status.OPEN are equal, but not the same input
                try:
                    values[name] = self.cache[key]
                    continue
                except KeyError:
                    pass
                except TypeError:  # not hashable
                    raise Fallback from None
            for func, with_info in befores:
                value = func(value, Info(name, self.context)) if with_info else func(value)
            if value is None:
                if not optional:
                    raise Fallback
            elif type(value) is not kind and not (issubclass(kind, Enum) and isinstance(value, kind)):
                raise Fallback
            else:
                checked: Any = value  # of the field's type, which mypy cannot follow through `kind`
                if kind is Decimal and not checked.is_finite():
                    raise Fallback
                if max_length is not None and len(checked) > max_length:
                    raise Fallback
                if kind is str and not checked.isascii():
                    checked.encode("utf-8")  # a lone surrogate is refused by Pydantic: UnicodeEncodeError falls back
            for func, with_info in afters:
                value = func(value, Info(name, self.context)) if with_info else func(value)
            if key is not None:
                if len(self.cache) >= _CACHE_MAX:
                    self.cache.clear()
                self.cache[key] = value
            values[name] = value
        for name, spec in fields.items():
            if spec[3] and name not in values:
                raise Fallback  # a required field missing
        return values


class _Fields:
    """A record's values read as attributes, as a record validator reads the model."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


class Spec:
    """A record's fields and validators; its Pydantic model is `model` in module `module`."""

    def __init__(self, name: str, module: str, doc: str, fields: dict[str, FieldRule]) -> None:
        self.name = name
        self.module = module
        self.doc = doc
        self.fields = fields
        self.validators: list[tuple[str, tuple[str, ...], Callable[[Any, Any], Any]]] = []  # (mode, fields, func)
        self.record_validators: list[Callable[[Any], None]] = []
        self._table: FieldTable | None = None

    def before(self, *names: str) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
        """A field validator run on the value as given, before its type is checked."""
        return self._validator("before", names)

    def after(self, *names: str) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
        """A field validator run on the value of the field's type."""
        return self._validator("after", names)

    def _validator(self, mode: str, names: tuple[str, ...]) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
        unknown = set(names) - set(self.fields)
        if unknown:
            raise TypeError(f"{self.name} has no field {sorted(unknown)}")

        def register(func: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
            self.validators.append((mode, names, func))
            self._table = None
            return func

        return register

    def record(self, func: Callable[[Any], None]) -> Callable[[Any], None]:
        """A validator of the whole record, after every field is valid; it raises to refuse it."""
        self.record_validators.append(func)
        return func

    def table(self) -> FieldTable:
        """The fields as `Checker` follows them: before validators run in the reverse order of
        their definition, after ones in order (Pydantic's order)."""
        if self._table is None:
            table: FieldTable = {}
            for name, rule in self.fields.items():
                befores = [(f, True) for mode, names, f in self.validators if mode == "before" and name in names]
                afters = [(f, True) for mode, names, f in self.validators if mode == "after" and name in names]
                table[name] = (rule.kind, rule.optional, rule.max_length, rule.default is REQUIRED,
                               befores[::-1], afters)
            self._table = table
        return self._table

    def check(self, data: dict[str, Any], today: date | None = None) -> dict[str, Any]:
        """Every field of the record `data` gives, validated (defaults for those not given), as
        `validate(model, data, today).model_dump()` gives them, or its InvalidInput."""
        values = self.fast(data, today)
        if values is not None:
            return values
        from hazreg.models import validate

        model = getattr(import_module(self.module), self.name)
        return validate(model, data, today).model_dump()  # type: ignore[no-any-return]

    def fast(self, data: dict[str, Any], today: date | None = None) -> dict[str, Any] | None:
        """`check` without Pydantic, or None where the input is not one it is sure of."""
        clean = {k: blank_to_none(v) if isinstance(v, str) else v for k, v in data.items()}
        try:
            given = Checker(self.table(), {"today": today}).values(clean)
            values = {name: given[name] if name in given else rule.default for name, rule in self.fields.items()}
            if self.record_validators:
                view = _Fields(values)
                for check in self.record_validators:
                    check(view)
        except Exception:  # noqa: BLE001 - whatever the reason, Pydantic decides (and words the error)
            return None
        return values

    def model(self, base: type[Any]) -> type[Any]:
        """The Pydantic model of these rules, a subclass of `base` (which carries the config)."""
        from pydantic import Field, create_model, field_validator, model_validator

        definitions: dict[str, Any] = {}
        for name, rule in self.fields.items():
            annotation: Any = rule.kind | None if rule.optional else rule.kind
            options: dict[str, Any] = {} if rule.default is REQUIRED else {"default": rule.default}
            if rule.max_length is not None:
                options["max_length"] = rule.max_length
            definitions[name] = (annotation, Field(**options))
        validators: dict[str, Any] = {}  # by the function's name, as a class body would name them
        for mode, names, func in self.validators:
            validators[func.__name__] = field_validator(*names, mode=mode)(  # type: ignore[call-overload]
                classmethod(_field_validator(func)))
        for check in self.record_validators:
            validators[check.__name__] = model_validator(mode="after")(_record_validator(check))
        if len(validators) < len(self.validators) + len(self.record_validators):
            raise TypeError(f"{self.name}: two validators of one name")
        return create_model(  # type: ignore[no-any-return, call-overload]
            self.name, __base__=base, __module__=self.module, __doc__=self.doc, __validators__=validators,
            **definitions)


def _field_validator(func: Callable[[Any, Any], Any]) -> Callable[[Any, Any, Any], Any]:
    def validator(cls: Any, value: Any, info: Any) -> Any:
        return func(value, info)

    validator.__name__ = validator.__qualname__ = func.__name__
    return validator


def _record_validator(func: Callable[[Any], None]) -> Callable[[Any], Any]:
    def validator(self: Any) -> Any:
        func(self)
        return self

    validator.__name__ = validator.__qualname__ = func.__name__
    return validator
