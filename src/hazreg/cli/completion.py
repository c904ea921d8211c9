"""Shell completion for bash, zsh and fish: commands, options, enum values in both languages, ids.

`hazreg completion SHELL` prints the script a shell loads once. The shell then runs hazreg
with _HAZREG_COMPLETE set for every Tab; only then is Typer's completion machinery loaded
(`prepare`), so an ordinary `hazreg add` pays nothing for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

import typer

from hazreg.cli.common import FORMATS
from hazreg.errors import InvalidInput
from hazreg.i18n import t

COMPLETE_VAR = "_HAZREG_COMPLETE"
SHELLS = ("bash", "zsh", "fish")
_SHELL_SAFE = re.compile(r"^[^\s()'\"`$&|;<>*?\\!#~]+$")  # typed without quotes in any of the three


def completing() -> bool:
    """Whether this process was started by a shell asking for completions."""
    return bool(os.environ.get(COMPLETE_VAR))


def completion(shell: str = typer.Argument(..., help=t("help.arg.shell"), metavar="bash|zsh|fish")) -> None:
    """Print the shell completion script for bash, zsh or fish."""
    from typer._completion_shared import get_completion_script

    name = shell.strip().lower()
    if name not in SHELLS:
        raise InvalidInput("err.choice", "shell", value=shell, allowed=", ".join(SHELLS))
    typer.echo(get_completion_script(prog_name="hazreg", complete_var=COMPLETE_VAR, shell=name))


def install(app: typer.Typer) -> None:
    app.command("completion", help=t("help.cmd.completion"))(completion)


# -- what each parameter completes with ---------------------------------------------------------------


def _items(pairs: Iterable[tuple[str, str]], incomplete: str) -> list[Any]:
    """Candidates starting with what was typed; in a comma list, the item after the last comma."""
    from typer._click.shell_completion import CompletionItem

    head, _, last = incomplete.replace("，", ",").rpartition(",")
    prefix = head + "," if _ else ""
    folded = last.casefold()
    return [CompletionItem(prefix + value, help=meaning) for value, meaning in pairs
            if value.casefold().startswith(folded)]


def _enum_values(enum: Any) -> Callable[[Any, Any, str], list[Any]]:
    """Each member's key and its Chinese label (or, if the label needs quoting, a Chinese alias that does not)."""

    def values(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        pairs = []
        for member in enum:
            pairs.append((member.value, member.label()))
            chinese = next((name for name in (member.zh, *member.aliases)
                            if _SHELL_SAFE.match(name) and not name.isascii()), None)
            if chinese:
                pairs.append((chinese, member.value))
        return _items(pairs, incomplete)

    return values


def _choices(*values: str) -> Callable[[Any, Any, str], list[Any]]:
    return lambda ctx, param, incomplete: _items(((v, "") for v in values), incomplete)


def _formats(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    path = ctx.command_path.split()[1:]
    if path[:1] == ["export"]:
        from hazreg.cli.exports import EXPORT_FORMATS

        allowed: tuple[str, ...] = EXPORT_FORMATS
    elif path[:2] == ["report", "weekly"]:
        allowed = ("md", "html", "json")
    else:
        allowed = FORMATS
    return _items(((v, "") for v in allowed), incomplete)


def _ids(kinds: str) -> Callable[[Any, Any, str], list[Any]]:
    """Hazard (H) and/or unit (U) ids from the register, if there is one; a completion never creates it."""

    def ids(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        from hazreg.errors import HazregError
        from hazreg.paths import register_address
        from hazreg.register import open_register
        from hazreg.storage import HazardFilter, UnitFilter

        try:
            where = register_address(ctx.find_root().params.get("db"))
            if where.engine == "sqlite" and not where.target.is_file():
                return []
            reg = open_register(where, write=False)  # a server that cannot be reached: no ids
        except HazregError:
            return []
        try:
            if not reg.store.on_disk:
                return []
            pairs: list[tuple[str, str]] = []
            if "H" in kinds:
                from hazreg.enums import Status

                rows, _ = reg.hazards.query(HazardFilter(statuses=[s.value for s in Status]), limit=500)
                pairs += [(f"H{r['id']}", _short(r["description"])) for r in rows]
            if "U" in kinds:
                rows, _ = reg.units.query(UnitFilter(), limit=500)
                pairs += [(f"U{r['id']}", _short(r["name"])) for r in rows]
        finally:
            reg.store.close()
        return _items(sorted(pairs, key=lambda p: (p[0][0], int(p[0][1:]))), incomplete)

    return ids


def _short(text: str, size: int = 30) -> str:
    from hazreg.render.grid import safe_text

    text = safe_text(" ".join(text.split()))
    return text if len(text) <= size else text[: size - 1] + "…"


def _completer(command: list[str], name: str, is_option: bool) -> Callable[[Any, Any, str], list[Any]] | None:
    """The completion for parameter `name` of `command` (its path below hazreg), if it has one."""
    from hazreg import enums

    if name == "level" and command[:1] == ["supervise"]:
        return _enum_values(enums.SupervisionLevel)
    by_name: dict[str, Any] = {
        "industry": enums.Industry, "industries": enums.Industry, "risk": enums.Risk, "level": enums.Level,
        "status": enums.Status, "mode": enums.Mode, "kind": enums.ActionType, "stage": enums.Stage,
        "step": enums.Step,
    }
    if name == "source":
        return _enum_values(enums.Source) if is_option else None  # `restore SOURCE` is a file
    if name in by_name:
        return _enum_values(by_name[name])
    if name == "lang":
        return _items_of((("en", "English"), ("zh", "中文")))
    if name == "fmt":
        return _formats
    if name == "shell":
        return _choices(*SHELLS)
    if name == "hazard":
        return _ids("H")
    if name == "unit":
        return _ids("U")
    if name == "record":
        return _ids("HU")
    return None


def _items_of(pairs: tuple[tuple[str, str], ...]) -> Callable[[Any, Any, str], list[Any]]:
    return lambda ctx, param, incomplete: _items(pairs, incomplete)


def prepare(app: typer.Typer) -> Any:
    """The app as a Click command whose parameters complete their values, with the shells registered."""
    from typer._completion_classes import completion_init
    from typer.main import get_command

    completion_init()
    root = get_command(app)

    def attach(command: Any, path: list[str]) -> None:
        for param in command.params:
            found = _completer(path, param.name or "", param.param_type_name == "option")
            if found is not None:
                param._custom_shell_complete = found
        for name, sub in getattr(command, "commands", {}).items():
            attach(sub, [*path, name])

    attach(root, [])
    return root
