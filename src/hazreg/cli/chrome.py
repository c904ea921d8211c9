"""The words around the commands: placeholders in help, Typer's help chrome, usage errors.

- Every option and argument shows a placeholder word from `PLACEHOLDERS` (a message key,
  English and Chinese in hazreg.messages), and flags show none: not Typer's `<list[str]>`,
  `<bool>`, `<str>`. `tidy` sets them on the Click command tree, once, when it is built.
- Typer's and Click's own words come from gettext (see hazreg.locale); Typer's copy of Click
  prints some without gettext: the help option's text, the usage prefix, and its usage errors.
  `tidy` sets the first two through the catalogue, and `localise_error` rewrites a usage
  error, from the error's own fields, with the catalogue's Chinese sentences. English needs
  neither: the libraries' words are English already.
"""

from __future__ import annotations

import re
from typing import Any

from typer.core import TyperArgument

from hazreg.i18n import get_lang, t

try:  # a Typer that carries its own copy of Click (as 0.29 does)
    from typer._click import exceptions as click_errors
    from typer._click.core import Context
    from typer._click.formatting import HelpFormatter
except ImportError:  # pragma: no cover - older Typer, on Click itself
    from click import exceptions as click_errors  # type: ignore[no-redef]
    from click.core import Context  # type: ignore[assignment]
    from click.formatting import HelpFormatter  # type: ignore[assignment]

# Placeholder of each option (long name) and argument (parameter name): a key under "meta.".
# "command path + option" names a placeholder where one command means something else.
PLACEHOLDERS = {
    "--address": "text", "--against": "party", "--amount": "amount", "--approved-by": "person",
    "--basis": "text", "--by": "person", "--campaign": "campaign", "--cert": "cert",
    "--code": "code", "--contact": "person", "--contingency": "text", "--count": "count",
    "--db": "file", "--deadline": "deadline", "--description": "text", "--draw": "draw",
    "--due": "date", "--due-within": "span", "--encoding": "encoding", "--end": "date",
    "--errors": "file", "--format": "format", "--found": "date", "--found-by": "person",
    "--found-since": "date", "--found-until": "date", "--funds": "amount", "--hazard": "hazard",
    "--industries": "industry", "--industry": "industry", "--inspection": "inspection",
    "--inspectors": "people", "--lang": "lang", "--leader": "person", "--level": "level",
    "--limit": "rows", "--localities": "locality", "--locality": "locality", "--map": "map",
    "--measures": "text", "--mode": "mode", "--name": "name", "--not-inspected-within": "span",
    "--note": "text", "--on": "date", "--operator": "person", "--output": "file",
    "--owner": "person", "--path": "file", "--phone": "phone", "--ratio": "ratio",
    "--reason": "text", "--risk": "risk", "--search": "words", "--seed": "seed",
    "--sheet": "sheet", "--since": "date", "--since-anchor": "hash", "--source": "source",
    "--stage": "stage", "--start": "date", "--status": "status", "--step": "step",
    "--to": "deadline", "--type": "action_type", "--unit": "unit", "--until": "date",
    "--week": "week", "--weeks": "weeks", "--within": "span", "--focus": "focus", "--keywords": "words", "--from": "file", "--events": "words",
    "focus check name": "focus", "focus profile edit name": "focus",
    "attachment": "attachment", "campaign": "campaign", "description": "text", "dest": "file",
    "draw_ref": "draw", "file": "file", "files": "file", "hazard": "hazard",
    "inspection": "inspection", "key": "setting", "name": "name", "record": "record",
    "shell": "shell", "source": "file", "unit": "unit", "value": "value", "year": "year",
    # where one command means something else by the same name
    "--department": "department", "--kind": "locality_kind", "--parent": "locality", "--into": "locality",
    "path": "file", "report coverage --by": "group",
    "supervise --by": "body", "supervise --level": "supervision_level", "report stats --by": "group",
    "report form kind": "form_kind", "report form --period": "period", "report form --month": "month",
    "--notice": "notice", "--report": "file",
    # enforcement documents
    "--office": "office", "--prefix": "prefix", "--review-body": "body", "--court": "name", "--clauses": "file",
    "--for": "hazards", "--set": "field_value", "kind": "doc_type", "number": "doc_number",
    "doc list --type": "doc_type", "doc list --hazard": "hazard", "doc issue --by": "person",
    "doc template export name": "template", "doc template import name": "template",
    # accidents and control indicators
    "--party": "party", "--deaths": "count", "--serious": "count", "--injuries": "count", "--loss": "amount_wan",
    "--investigation": "investigation", "--year": "year", "--accidents": "count", "accident": "accident",
    "accident add --type": "accident_type", "accident edit --type": "accident_type",
    # enforcement cases
    "--party-id": "code", "--principal": "person", "--cause": "text", "--case-no": "case_no",
    "--accident": "accident", "--doc": "doc_number", "--hearing": "hearing", "--category": "category",
    "--violation": "text", "--clause": "clause", "--penalty": "penalty", "--discretion": "discretion",
    "--served": "date", "--late": "amount", "case": "case", "case step name": "case_step",
    "case pay amount": "amount", "case pay --penalty": "penalty_no", "case list --violation": "category",
    "case list --step": "case_step", "--case": "case",
}


class _Formatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = _words("Usage:")
            prefix += "" if prefix.endswith("：") else " "  # no space after a full-width colon
        super().write_usage(prog, args, prefix)


class HazregContext(Context):
    """A command's context, whose usage line starts with the interface language's word."""

    formatter_class = _Formatter


class _Argument(TyperArgument):
    """An argument's placeholder is its name in the help, so no type column beside it."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _words(msgid: str, **params: Any) -> str:
    """One of Typer's or Click's sentences in the interface language, filled in."""
    text = msgid
    if get_lang() == "zh":
        from hazreg.locale import catalogue

        text = catalogue().gettext(msgid)
    return text.format(**params) if params else text


class _Names:
    """Stands for a context where Click only asks for the help option's names."""

    def __init__(self, names: list[str]) -> None:
        self.help_option_names = names


def placeholder(path: str, param: Any) -> str | None:
    """The message key of a parameter's placeholder; None for a flag, which takes no value.

    A parameter missing from PLACEHOLDERS reads "VALUE" (值); a test keeps the table complete."""
    if getattr(param, "is_flag", False):
        return None
    if param.param_type_name == "option":
        name = next((opt for opt in param.opts if opt.startswith("--")), param.opts[0])
    else:
        name = param.name
    return "meta." + (PLACEHOLDERS.get(f"{path} {name}".strip()) or PLACEHOLDERS.get(name) or "value")


def tidy(command: Any, help_names: list[str], path: str = "") -> None:
    """Placeholders, the help option's text and the usage words, on `command` and below."""
    command.context_class = HazregContext
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = _words("[OPTIONS]")
    if getattr(command, "subcommand_metavar", None) == "COMMAND [ARGS]...":
        command.subcommand_metavar = _words("COMMAND [ARGS]...")
    help_option = command.get_help_option(_Names(help_names))
    for param in [*command.params, *([help_option] if help_option else [])]:
        if param is help_option:
            param.help = _words("Show this message and exit.")
        key = None if param is help_option else placeholder(path, param)
        param.metavar = t(key) if key else ""
        if isinstance(param, TyperArgument):
            param.__class__ = _Argument
        plain_coercion(param)
    for name, sub in getattr(command, "commands", {}).items():
        tidy(sub, help_names, f"{path} {name}".strip())


_DIGITS = re.compile(r"[0-9]{1,18}", re.ASCII)


class _Plain:
    """Typer's coercion of a str, bool, int or list[str] value, without Pydantic.

    Typer (0.29) checks every value, the help flag's included, through a Pydantic TypeAdapter
    it builds for the option: importing Pydantic and building adapters is a fifth of a
    command's start-up, more than all of hazreg's own modules. A value of the plain types
    hazreg's options take is checked here with the same result; anything else (an int
    written otherwise than in digits, a value not already text) goes to Typer's own
    coercion, so its errors and messages are Typer's.
    """

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multi = param.multiple or param.nargs == -1
        if value is None:
            return () if multi else None
        kind = self.kind
        if kind == "list" and isinstance(value, (list, tuple)) and all(v.__class__ is str for v in value):
            return list(value)
        if kind == "str" and value.__class__ is str and not multi:
            return value
        if kind == "bool" and value.__class__ is bool and not multi:
            return value
        if kind == "int" and value.__class__ is str and not multi and _DIGITS.fullmatch(value):
            return int(value)
        from typer._coercion import build_runtime_param

        return build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)


def plain_coercion(param: Any) -> None:
    """Give `param` the Pydantic-free coercion of `_Plain` if its type is a plain one (a Typer
    without runtime coercion, or a parameter with a parser, bounds or a type of its own, keeps
    Typer's)."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", False) is not None:
        return
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or any(
        getattr(info, name, None) for name in ("parser", "click_type", "min", "max", "clamp", "formats")
    ):
        return
    kind = {str: "str", bool: "bool", int: "int", list[str]: "list"}.get(descriptor.annotation)
    if kind is not None:
        param._runtime_param = _Plain(kind)


# Typer's copy of Click builds these sentences with f-strings: read their parts back.
_OPTION_USAGE = [
    (re.compile(r"Option (?P<name>.+) requires an argument\."), "Option {name} requires an argument."),
    (re.compile(r"Option (?P<name>.+) requires (?P<nargs>\d+) arguments\."), "Option {name} requires {nargs} arguments."),
    (re.compile(r"Option (?P<name>.+) does not take a value\."), "Option {name} does not take a value."),
    (re.compile(r"Argument (?P<name>.+) takes (?P<nargs>\d+) values\."), "Argument {name} takes {nargs} values."),
    (re.compile(r"Got unexpected extra arguments? ?(?:\(s\))? \((?P<args>.*)\)"), "Got unexpected extra argument(s) ({args})"),
]
_PATH = re.compile(r"(?:File|Directory|Path) (?P<name>.+) (?P<what>does not exist|is a file|is a directory|is not readable|is not writable)\.")
_SUGGESTION = re.compile(r"(?P<head>.*?)\.? Did you mean (?P<suggestions>.+)\?", re.S)


def _hint(error: Any) -> str | None:
    hint = error.param_hint if error.param_hint is not None else (error.param.get_error_hint() if error.param else None)
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(x) for x in hint)
    return hint


def _bad_value(error: Any) -> str:
    """Why a value was refused: Pydantic's reason in hazreg's words, or a path's."""
    from pydantic import ValidationError

    cause = error.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        from hazreg.models import pydantic_reason

        return pydantic_reason(cause.errors()[0])
    found = _PATH.fullmatch(error.message)
    if found:
        return _words(f"{{name}} {found['what']}.", name=found["name"])
    return str(error.message)


def _chinese(error: Any) -> str:
    if isinstance(error, click_errors.NoSuchOption):
        text = _words("No such option: {name}", name=error.option_name)
        if error.possibilities:
            text += _words("(Possible options: {possibilities})", possibilities=", ".join(sorted(error.possibilities)))
        return text
    if isinstance(error, click_errors.MissingParameter):
        kind = error.param_type or (error.param.param_type_name if error.param else "parameter")
        kind = kind if kind in ("argument", "option") else "parameter"
        return _words(f"Missing {kind} {{name}}.", name=_hint(error) or "")
    if isinstance(error, click_errors.BadParameter):
        hint = _hint(error)
        reason = _bad_value(error)
        return _words("Invalid value for {name}: {message}", name=hint, message=reason) if hint else _words(
            "Invalid value: {message}", message=reason)
    message = str(error.message)
    for pattern, msgid in _OPTION_USAGE:
        found = pattern.fullmatch(message)
        if found:
            return _words(msgid, **found.groupdict())
    found = _SUGGESTION.fullmatch(message)
    if found:
        return found["head"] + _words("Did you mean {suggestions}?", suggestions=found["suggestions"])
    return message


def localise_error(error: Exception) -> Exception:
    """A usage error of Typer's copy of Click as a Chinese session reads it (same context,
    same exit code); any other error, and every error in English, as it is."""
    if get_lang() != "zh" or not isinstance(error, click_errors.UsageError):
        return error
    if isinstance(error, click_errors.NoArgsIsHelpError):  # the help page, shown as it is
        return error
    localised = click_errors.UsageError(_chinese(error), error.ctx)
    localised.exit_code = error.exit_code
    return localised
