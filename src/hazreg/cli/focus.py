"""Weather focus (恶劣天气重点监管): `focus 暴雨` and `focus profile list|edit`."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from hazreg.cli.common import (
    check_format,
    format_option,
    note_empty,
    print_grid,
    register,
    say,
    split_list,
)
from hazreg.i18n import t


class FocusGroup(TyperGroup):
    """`focus 暴雨` runs the check; `focus profile …` the profiles: a word that is not a
    subcommand is the focus's name."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "check", self.commands["check"], args
        return super().resolve_command(ctx, args)


focus_app = typer.Typer(cls=FocusGroup, help=t("help.cmd.focus"), no_args_is_help=True)
profile_app = typer.Typer(help=t("help.cmd.focus_profile"), no_args_is_help=True)
focus_app.add_typer(profile_app, name="profile")

CHECK_COLUMNS = ["unit_id", "name", "locality", "risk", "industries", "keywords", "hazards", "last_inspected",
                 "days_uninspected"]


@focus_app.command("check", help=t("help.cmd.focus_check"), hidden=True)
def focus_check(
    name: str = typer.Argument(..., metavar="FOCUS", help=t("help.arg.focus")),
    locality: list[str] | None = typer.Option(None, "--locality", help=t("help.opt.locality_filter")),
    fmt: str = format_option(),
) -> None:
    """The units and open hazards to check now for a focus, highest risk and longest uninspected first."""
    fmt = check_format(fmt)
    result = register().focus.check(name, split_list(locality))
    rows = [{**r, "unit_id": f"U{r['unit_id']}"} for r in result["units"]]
    if fmt == "json":
        from hazreg.render.formats import write_json

        write_json({**result, "units": rows})
        return
    if fmt != "table":
        from hazreg.render.formats import write

        flat = [{**r, **{k: "、".join(r[k]) for k in ("industries", "keywords", "hazards")}} for r in rows]
        write(fmt, flat, CHECK_COLUMNS)
        return
    say(t("msg.focus_header", focus=result["focus"], today=result["today"], count=len(rows)))
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import focus_grid

    print_grid(focus_grid(result["units"]))


@profile_app.command("list", help=t("help.cmd.focus_profile_list"))
def profile_list(fmt: str = format_option()) -> None:
    """The focus profiles: each weather condition's industries and hazard keywords."""
    fmt = check_format(fmt)
    items = register().focus.profiles()
    if fmt != "table":
        from hazreg.render.formats import write, write_json

        if fmt == "json":
            write_json(items)
        else:
            write(fmt, [{k: "、".join(v) if isinstance(v, list) else v for k, v in p.items()} for p in items],
                  ["name", "aliases", "industries", "keywords"])
        return
    from hazreg.render.grid import focus_profiles_grid

    print_grid(focus_profiles_grid(items))


@profile_app.command("edit", help=t("help.cmd.focus_profile_edit"))
def profile_edit(
    name: str = typer.Argument(..., metavar="FOCUS", help=t("help.arg.focus")),
    industry: list[str] | None = typer.Option(None, "--industry", help=t("help.opt.focus_industries")),
    keywords: str | None = typer.Option(None, "--keywords", help=t("help.opt.focus_keywords")),
) -> None:
    """Change a focus profile's industries or keywords."""
    item = register(write=True).focus.edit_profile(name, split_list(industry) if industry else None, keywords)
    say(t("msg.focus_profile_edited", name=item["name"]))


def install(app: typer.Typer) -> None:
    app.add_typer(focus_app, name="focus")
