"""What every command shares: the session (register, operator, language), formats, errors."""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from hazreg.errors import HazregError, InvalidInput
from hazreg.i18n import t

FORMATS = ("table", "csv", "json", "jsonl")


class Session:
    """Global options of one command line, and the register it opened."""

    def __init__(self, db: str | None = None, operator: str | None = None) -> None:
        self.db = db
        self.operator = operator
        self.opened: list[Any] = []

    def register(self, write: bool = False) -> Any:
        from hazreg.paths import register_path
        from hazreg.register import open_register

        reg = open_register(register_path(self.db), write=write, operator=self.operator)
        self.opened.append(reg)
        return reg

    def wrote(self) -> bool:
        """Whether this command line saved anything (or was saving it) so far."""
        return any(reg.store.writes for reg in self.opened)

    def close(self) -> None:
        for reg in self.opened:
            reg.store.close()
        self.opened.clear()


_session = Session()


def begin(db: str | None, operator: str | None) -> None:
    global _session
    _session.close()
    _session = Session(db=db, operator=operator)


def register(write: bool = False) -> Any:
    """The register this command works on; created on first write."""
    return _session.register(write)


def fail(error: HazregError) -> None:
    """Print one line for a user's mistake and exit with its code."""
    typer.echo(f"{t('error')}: {error.message()}", err=True)
    raise typer.Exit(error.exit_code)


def _silence_stdout() -> None:
    """Send what is left of the output nowhere: the reader of the pipe has gone."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests)
        pass


class HazregGroup(TyperGroup):
    """The one place where a HazregError (or Ctrl-C, or a closed pipe) becomes a message and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        import warnings

        from hazreg.dates import CalendarEstimate

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", CalendarEstimate)
                try:
                    result = super().invoke(ctx)
                    sys.stdout.flush()  # a closed pipe shows here at the latest, while it can be handled
                    return result
                finally:
                    years = sorted({w.message for w in caught if isinstance(w.message, CalendarEstimate)},
                                   key=lambda m: m.year)
                    for year in {m.year: m for m in years}.values():
                        typer.echo(t("warn.calendar", year=year.year, first=year.first, last=year.last), err=True)
        except HazregError as error:
            fail(error)
        except BrokenPipeError:
            # `hazreg list | head`: the reader had what it wanted; that is not an error.
            _silence_stdout()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            # Each write is one transaction, rolled back when interrupted: say whether any was saved.
            typer.echo(t("msg.interrupted_after_write" if _session.wrote() else "msg.interrupted"), err=True)
            raise typer.Exit(130) from None
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                typer.echo(f"{t('error')}: {t('err.busy')}", err=True)
                raise typer.Exit(1) from None
            if "hazard_search" in str(error):  # the derived search index was dropped or damaged
                typer.echo(f"{t('error')}: {t('err.search_index_missing')}", err=True)
                raise typer.Exit(1) from None
            raise
        finally:
            _session.close()


def check_format(fmt: str) -> str:
    value = fmt.strip().lower()
    if value not in FORMATS:
        raise InvalidInput("err.choice", "format", value=fmt, allowed=", ".join(FORMATS))
    return value


def interactive() -> bool:
    """Whether we may ask questions: a person at a terminal, not cron or a pipe."""
    return sys.stdin.isatty()


def note_empty() -> None:
    """An empty listing says so on a terminal (stderr), and nothing in a pipe."""
    if sys.stderr.isatty():
        typer.echo(t("msg.empty"), err=True)


def print_grid(grid: Any) -> None:
    """A listing: Rich on a terminal, plain aligned lines (and no Rich import) elsewhere."""
    if sys.stdout.isatty():
        from hazreg.render.table import console, rich_table

        con = console()
        con.print(rich_table(grid, con.width))
    else:
        from hazreg.render.grid import plain

        sys.stdout.write(plain(grid))


def note_more(shown: int, total: int) -> None:
    """A cut-off table says how much it left out (stderr, after the table)."""
    if total > shown:
        sys.stdout.flush()
        typer.echo(t("msg.more", shown=shown, total=total), err=True)


def split_list(values: list[str] | None) -> list[str]:
    """Repeated options and comma lists alike: --industry fire,gas --industry 消防."""
    out: list[str] = []
    for value in values or []:
        out += [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]
    return out


def format_option() -> Any:
    return typer.Option("table", "--format", "-f", help=t("help.opt.format"))
