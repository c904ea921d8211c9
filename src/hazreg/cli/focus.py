"""Weather focus (恶劣天气重点监管): `focus 暴雨` and `focus profile list|edit`."""

from __future__ import annotations

from pathlib import Path
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

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # `focus --from warning.xml` is the check too, with the focus read from the file.
        if args and (args[0] == "--from" or args[0].startswith("--from=")):
            args = ["check", *args]
        return super().parse_args(ctx, args)

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
    name: str | None = typer.Argument(None, metavar="FOCUS", help=t("help.arg.focus")),
    source: Path | None = typer.Option(None, "--from", metavar=t("meta.file"), help=t("help.opt.focus_from")),
    locality: list[str] | None = typer.Option(None, "--locality", help=t("help.opt.locality_filter")),
    fmt: str = format_option(),
) -> None:
    """The units and open hazards to check now for a focus, highest risk and longest uninspected first;
    with --from, the focus an official early-warning file calls for, the warning shown above the list."""
    from hazreg.errors import InvalidInput
    from hazreg.i18n import get_lang

    fmt = check_format(fmt)
    if name and source:
        raise InvalidInput("err.focus_from_and_name", "focus")
    if source:
        result = register().focus.from_warning(_read_warning(source), split_list(locality), get_lang())
    elif name:
        result = register().focus.check(name, split_list(locality))
    else:
        raise InvalidInput("err.focus_missing", "focus")
    rows = [{**r, "unit_id": f"U{r['unit_id']}"} for r in result["units"]]
    if fmt == "json":
        from hazreg.render.formats import write_json

        write_json({**result, "units": rows})
        return
    if result.get("warning"):
        _warning_notes(result["warning"])
    if fmt != "table":
        from hazreg.render.formats import write

        flat = [{**r, **{k: "、".join(r[k]) for k in ("industries", "keywords", "hazards")}} for r in rows]
        write(fmt, flat, CHECK_COLUMNS)
        return
    if result.get("warning"):
        _warning_header(result["warning"])
    say(t("msg.focus_header", focus=result["focus"], today=result["today"], count=len(rows)))
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import focus_grid

    print_grid(focus_grid(result["units"]))


def _read_warning(source: Path) -> bytes:
    """The early-warning file's bytes (one more than the limit at most: the rule is the register's)."""
    from hazreg.errors import InvalidInput
    from hazreg.register.warning import MAX_BYTES

    try:
        with source.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput("err.no_file", "warning", path=str(source)) from None
    except OSError as error:
        raise InvalidInput("err.cap_not_xml", "warning", detail=error.strerror or str(error)) from None


def _warning_header(warning: dict[str, Any]) -> None:
    """Headline, level, area, issuer and valid period, above the list."""
    say(t("msg.warning_headline", headline=warning["headline"]))
    say(t("msg.warning_level", level=t(f"warning.level.{warning['level'] or 'none'}")))
    if warning["areas"]:
        say(t("msg.warning_area", area="、".join(warning["areas"])))
    if warning["sender_name"]:
        say(t("msg.warning_sender", sender=warning["sender_name"]))
    if warning["effective"] or warning["expires"]:
        say(t("msg.warning_valid", start=warning["effective"] or "—", end=warning["expires"] or "—"))
    typer.echo("")


def _warning_notes(warning: dict[str, Any]) -> None:
    """An expired, lifted or exercise warning still lists the units (to check after the weather),
    and says so on stderr."""
    if warning["expired"]:
        say(t("msg.warning_expired", expires=warning["expires"]), err=True)
    if (warning["msg_type"] or "").lower() == "cancel":
        say(t("msg.warning_cancelled"), err=True)
    if warning["status"] and warning["status"].lower() != "actual":
        say(t("msg.warning_status", status=warning["status"]), err=True)


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
                  ["name", "aliases", "industries", "keywords", "events"])
        return
    from hazreg.render.grid import focus_profiles_grid

    print_grid(focus_profiles_grid(items))


@profile_app.command("edit", help=t("help.cmd.focus_profile_edit"))
def profile_edit(
    name: str = typer.Argument(..., metavar="FOCUS", help=t("help.arg.focus")),
    industry: list[str] | None = typer.Option(None, "--industry", help=t("help.opt.focus_industries")),
    keywords: str | None = typer.Option(None, "--keywords", help=t("help.opt.focus_keywords")),
    events: str | None = typer.Option(None, "--events", help=t("help.opt.focus_events")),
) -> None:
    """Change a focus profile's industries, keywords or the warning events it answers."""
    item = register(write=True).focus.edit_profile(name, split_list(industry) if industry else None, keywords, events)
    say(t("msg.focus_profile_edited", name=item["name"]))


def install(app: typer.Typer) -> None:
    app.add_typer(focus_app, name="focus")
