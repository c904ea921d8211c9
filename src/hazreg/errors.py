"""Errors a user can cause, each with its exit code and a message in both languages.

The CLI turns every HazregError into one line on stderr and its exit code; nothing
below the CLI prints. Messages are looked up in the catalog by key at display time,
so the same error reads in English or Chinese.
"""

from __future__ import annotations

from typing import Any


class HazregError(Exception):
    """Base class: a message key, its parameters and an exit code."""

    exit_code = 2

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        from hazreg.i18n import t

        return t(self.key, **self.params)

    def __str__(self) -> str:
        return self.message()


class InvalidInput(HazregError, ValueError):
    """A value the user typed or imported is not acceptable (exit 2).

    It is a ValueError so Pydantic validators can raise it and keep it as the cause.
    """

    exit_code = 2

    def __init__(self, key: str, field: str | None = None, **params: Any) -> None:
        super().__init__(key, **params)
        self.field = field

    def reason(self) -> str:
        """What was wrong, without the field's name (an import report names the column)."""
        return super().message()

    def message(self) -> str:
        from hazreg.i18n import t

        text = self.reason()
        return f"{t('field.' + self.field, default=self.field)}: {text}" if self.field else text


class InvalidFields(InvalidInput):
    """Several fields of one record are bad: reads as the first, `problems` holds them all."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        first = problems[0]
        super().__init__(first.key, first.field, **first.params)
        self.problems = problems


class NotFound(HazregError):
    """A record the user named does not exist (exit 1)."""

    exit_code = 1


class Refused(HazregError):
    """A change the register's rules do not allow (exit 1)."""

    exit_code = 1
