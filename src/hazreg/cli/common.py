"""What every command shares: the session (register, operator, language), formats, errors."""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from hazreg.errors import HazregError, InvalidInput, NotFound
from hazreg.i18n import t

FORMATS = ("table", "csv", "json", "jsonl")


if TYPE_CHECKING:
    from hazreg.register import Register

class Session:
    """Global options of one command line, and the register it opened."""

    def __init__(self, db: str | None = None, operator: str | None = None) -> None:
        self.db = db
        self.operator = operator
        self.opened: list[Any] = []
        self.missing: str | None = None  # a register this command read that does not exist yet

    def register(self, write: bool = False, quiet: bool = False) -> Register:
        from hazreg.paths import register_address
        from hazreg.register import open_register
        from hazreg.register.access import refuse_password

        refuse_password(self.db or os.environ.get("HAZREG_DB"))
        address = register_address(self.db)
        reg = open_register(address, write=write, operator=self.operator)
        self.opened.append(reg)
        if "m008_localities_departments" in reg.store.applied_now:
            # The locality names in use became the list: say which may be one place written twice.
            for a, b in reg.places.near_duplicates():
                say(t("msg.near_duplicate", a=a, b=b), err=True)
        if not write and not quiet and not reg.store.on_disk:
            self.missing = address.display
        return reg

    def path(self) -> str:
        """The register this command works on (a file, or a database without its password), for a message."""
        from hazreg.errors import HazregError
        from hazreg.paths import register_address

        try:
            return str(register_address(self.db).display)
        except HazregError:
            return "?"

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


def register(write: bool = False, quiet: bool = False) -> Register:
    """The register this command works on; created on first write.

    Reading one that does not exist yet, a command says so (unless `quiet`: it says so itself).
    """
    return _session.register(write, quiet)


def address() -> str:
    """The address of the register this command works on (--db, HAZREG_DB, or the default file)."""
    from hazreg.paths import register_address

    where = register_address(_session.db)
    return str(where.target)


def say(text: str, err: bool = False) -> None:
    """A line for the user (a confirmation, a note, an error), with the user's own text in it
    made safe as the tables make it (render.grid.safe_text): a unit named with ESC]0;…BEL or
    ESC[2J shows those as <U+001B>… and never retitles or clears the terminal."""
    from hazreg.render.grid import safe_text

    typer.echo("\n".join(safe_text(line) for line in text.split("\n")), err=err)


def heading(text: str) -> None:
    """A line above a table: on a terminal it is folded at the terminal's width, as the table
    below it is (a campaign's long name must not run past a narrow window); elsewhere as `say`."""
    if not sys.stdout.isatty():
        say(text)
        return
    from rich.text import Text

    from hazreg.render.grid import safe_text
    from hazreg.render.table import console

    console().print(Text(safe_text(text)), overflow="fold")


def fail(error: HazregError) -> None:
    """Print one line for a user's mistake and exit with its code."""
    say(f"{t('error')}: {error.message()}", err=True)
    raise typer.Exit(error.exit_code)


def _silence_stdout() -> None:
    """Send what is left of the output nowhere: the reader of the pipe has gone."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests)
        pass


GLOBAL_WITH_VALUE = ("--db", "--lang", "--operator")


def hoist_globals(args: list[str]) -> list[str]:
    """Global options given after the command, moved before it: `hazreg list --lang zh`, as gh and kubectl allow.

    Words after `--` are the command's own and stay where they are.
    """
    start = next((i for i, arg in enumerate(args) if not arg.startswith("-")
                  and (i == 0 or args[i - 1] not in GLOBAL_WITH_VALUE)), None)
    if start is None:
        return args
    hoisted: list[str] = []
    rest: list[str] = []
    i = start + 1
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg in GLOBAL_WITH_VALUE and i + 1 < len(args):
            hoisted += args[i:i + 2]
            i += 2
            continue
        if arg.split("=", 1)[0] in GLOBAL_WITH_VALUE and "=" in arg:
            hoisted.append(arg)
        else:
            rest.append(arg)
        i += 1
    return args[:start] + hoisted + args[start:start + 1] + rest


class HazregGroup(TyperGroup):
    """The one place where a HazregError (or Ctrl-C, or a closed pipe) becomes a message and an
    exit code, and where Typer's own words (placeholders, help chrome, usage errors) are put in
    the user's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from hazreg.cli.chrome import HazregContext, tidy

        super().__init__(*args, **kwargs)
        self.context_class = HazregContext
        tidy(self, list(self.context_settings.get("help_option_names", ["--help"])))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # Global options are accepted after the command too: moved in front before Click parses.
        try:
            return super().parse_args(ctx, hoist_globals(args))
        except Exception as error:
            _raise_localised(error)
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return self._invoke(ctx)
        except Exception as error:
            _raise_localised(error)
            raise

    def _invoke(self, ctx: Any) -> Any:
        import warnings

        from hazreg.dates import CalendarEstimate

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", CalendarEstimate)
                try:
                    result = super().invoke(ctx)
                    sys.stdout.flush()  # a closed pipe shows here at the latest, while it can be handled
                    if _session.missing:
                        say(t("err.no_register_yet", path=_session.missing), err=True)
                    return result
                finally:
                    years = sorted({w.message for w in caught if isinstance(w.message, CalendarEstimate)},
                                   key=lambda m: m.year)
                    for year in {m.year: m for m in years}.values():
                        say(t("warn.calendar", year=year.year, first=year.first, last=year.last), err=True)
        except HazregError as error:
            if isinstance(error, NotFound) and _session.missing and error.key != "err.no_register":
                # `hazreg show H1` on a new path: the register is what is missing, not H1
                fail(NotFound("err.no_register_yet", path=_session.missing))
            fail(error)
        except BrokenPipeError:
            # `hazreg list | head`: the reader had what it wanted; that is not an error.
            _silence_stdout()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            # Each write is one transaction, rolled back when interrupted: say whether any was saved.
            say(t("msg.interrupted_after_write" if _session.wrote() else "msg.interrupted"), err=True)
            raise typer.Exit(130) from None
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                say(f"{t('error')}: {t('err.busy')}", err=True)
                raise typer.Exit(1) from None
            if "hazard_search" in str(error):  # the derived search index was dropped or damaged
                say(f"{t('error')}: {t('err.search_index_missing')}", err=True)
                raise typer.Exit(1) from None
            if _storage_failure(error):
                raise typer.Exit(1) from None
            raise
        except OSError as error:  # a file of the user's (an export, a backup) that cannot be written
            if not _storage_failure(error):
                reason = error.strerror or str(error)
                say(f"{t('error')}: {t('err.cannot_write', path=error.filename or _session.path(), reason=reason)}",
                    err=True)
            raise typer.Exit(1) from None
        except Exception as error:
            if not type(error).__module__.startswith("psycopg"):
                raise
            # The server of a shared register failed the command (its write was rolled back).
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            say(f"{t('error')}: {t('err.server', path=_session.path(), reason=reason)}", err=True)
            raise typer.Exit(1) from None
        finally:
            _session.close()


_SQLITE_READONLY, _SQLITE_FULL = 8, 13


def _storage_failure(error: Exception) -> bool:
    """A full disk or a read-only register, said in one line (True), whichever layer noticed it.

    Each write is one transaction: a full disk leaves the register as it was."""
    import errno

    code = getattr(error, "sqlite_errorcode", None)
    code = None if code is None else code & 0xFF  # the primary code of an extended one
    number = error.errno if isinstance(error, OSError) else None
    where = (error.filename if isinstance(error, OSError) else None) or _session.path()
    full = code == _SQLITE_FULL or getattr(error, "sqlite_errorname", "") == "SQLITE_IOERR_SHMSIZE"  # no room for -shm
    if full or number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        say(f"{t('error')}: {t('err.disk_full', path=where)}", err=True)
        return True
    if code == _SQLITE_READONLY or number == errno.EROFS:
        say(f"{t('error')}: {t('err.read_only', path=where)}", err=True)
        return True
    return False


def _raise_localised(error: Exception) -> None:
    """A usage error of Typer's, raised again in the user's language (if it is not already)."""
    from hazreg.cli.chrome import localise_error

    localised = localise_error(error)
    if localised is not error:
        raise localised from error


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
    if sys.stderr.isatty() and not _session.missing:  # no register at all: that is said instead
        say(t("msg.empty"), err=True)


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
        say(t("msg.more", shown=shown, total=total), err=True)


def split_list(values: list[str] | None) -> list[str]:
    """Repeated options and comma lists alike: --industry fire,gas --industry 消防."""
    out: list[str] = []
    for value in values or []:
        out += [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]
    return out


def format_option() -> Any:
    return typer.Option("table", "--format", "-f", help=t("help.opt.format"))
