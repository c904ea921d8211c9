"""`hazreg import units|hazards|inspections|supervisions|… FILE`: bring a district's spreadsheets in."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any

import typer

from hazreg.cli.common import register, say
from hazreg.i18n import t

app = typer.Typer(help=t("help.cmd.import"), no_args_is_help=True)

# A file this large gets a progress bar on a terminal; smaller ones finish in a blink.
_PROGRESS_FROM_BYTES = 2_000_000


def _run(kind: str, file: Path, sheet: str | None, encoding: str | None, maps: list[str] | None,
         skip_invalid: bool, dry_run: bool, errors: Path | None, blank_clears: bool = False,
         **lifecycle: bool) -> None:
    from hazreg.columns import parse_map
    from hazreg.render.export import rejections_file
    from hazreg.sheets import open_sheet

    overrides = parse_map(maps)
    reg = register(write=not dry_run)
    with open_sheet(file, sheet, encoding) as table, rejections_file(errors, table.headers) as on_reject:
        if not table.headers and file.suffix.lower() in (".json", ".jsonl", ".ndjson"):
            from hazreg.register.imports import ImportReport

            _report(ImportReport(kind, [], [], dry_run, skip_invalid), errors, empty=True)  # an empty export
            return
        if kind in ("units", "hazards"):
            operation = partial(reg.imports.units if kind == "units" else reg.imports.hazards, blank_clears=blank_clears)
        else:
            from hazreg.register.transfer import RecordImports

            operation = partial(RecordImports(reg.imports).run, kind)
        with _progress(table, file) as progress:
            report = operation(table.headers, table.rows, overrides, skip_invalid, dry_run, progress,
                               on_reject=on_reject, **lifecycle)
    _report(report, errors)


class _progress:
    """A Rich progress bar on stderr for a big file at a terminal; otherwise nothing."""

    def __init__(self, table: Any, file: Path) -> None:
        self.table = table
        self.bar: Any = None
        big = table.size >= _PROGRESS_FROM_BYTES if table.encoding else table.size >= 20_000
        if sys.stderr.isatty() and big:
            from rich.progress import Progress

            from hazreg.render.table import console

            self.bar = Progress(console=console(stderr=True), transient=True)
            self.task = self.bar.add_task(t("msg.reading", name=file.name), total=table.size)

    def __enter__(self) -> Any:
        if self.bar is None:
            return None
        self.bar.start()
        return lambda _count: self.bar.update(self.task, completed=self.table.position())

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _report(report: Any, errors: Path | None, empty: bool = False) -> None:
    for r in report.rejected:
        for p in r.problems:  # every problem of the row, each on its line
            if p.column:
                line = t("msg.import_rejected_row", row=r.row, column=p.column, value=p.value, reason=p.reason)
            else:
                line = t("msg.import_rejected_row_nocol", row=r.row, reason=p.reason)
            say(line, err=True)
    more = report.rejected_count - len(report.rejected)
    if more:  # the terminal shows the first; the errors file has every one
        if errors is None:
            say(t("msg.import_more_rejected", more=more), err=True)
        else:
            say(t("msg.import_more_rejected_file", more=more, path=str(errors)), err=True)
    if report.ignored_columns:
        say(t("msg.ignored_columns", columns=", ".join(report.ignored_columns)), err=True)
    summary = "msg.import_summary" if report.written else "msg.import_summary_would"  # refused or a dry run
    say(
        t(summary, kind=t("kind." + report.kind), rows=report.rows, created=report.created,
          updated=report.updated, unchanged=report.unchanged, rejected=report.rejected_count)
    )
    for what, count in report.undated.items():
        if count:
            say(t(f"msg.import_undated_{what}", count=count), err=True)
    if errors is not None and report.rejected_count:  # written as the rows were read
        say(t("msg.errors_written", path=str(errors)), err=True)
    if report.dry_run:
        say(t("msg.import_dry_run"))
    elif not report.written and not empty:
        say(t("msg.import_refused", rejected=report.rejected_count), err=True)
    if report.rejected_count and not report.skip_invalid:
        raise typer.Exit(2)


def _options() -> dict[str, Any]:
    return {
        "file": typer.Argument(..., help=t("help.arg.import_file"), exists=False, dir_okay=False),
        "sheet": typer.Option(None, "--sheet", help=t("help.opt.sheet")),
        "encoding": typer.Option(None, "--encoding", help=t("help.opt.encoding")),
        "maps": typer.Option(None, "--map", help=t("help.opt.map"), metavar="HEADER=FIELD"),
        "skip_invalid": typer.Option(False, "--skip-invalid", help=t("help.opt.skip_invalid")),
        "dry_run": typer.Option(False, "--dry-run", help=t("help.opt.dry_run")),
        "errors": typer.Option(None, "--errors", help=t("help.opt.errors"), metavar="FILE.csv"),
        "blank_clears": typer.Option(False, "--blank-clears", help=t("help.opt.blank_clears")),
    }


_o = _options()


@app.command("units", help=t("help.cmd.import_units"))
def units(
    file: Path = _o["file"], sheet: str | None = _o["sheet"], encoding: str | None = _o["encoding"],
    maps: list[str] | None = _o["maps"], skip_invalid: bool = _o["skip_invalid"], dry_run: bool = _o["dry_run"],
    errors: Path | None = _o["errors"], blank_clears: bool = _o["blank_clears"],
    add_localities: bool = typer.Option(False, "--add-localities", help=t("help.opt.add_localities")),
) -> None:
    """Import a roster of units."""
    _run("units", file, sheet, encoding, maps, skip_invalid, dry_run, errors, blank_clears,
         add_localities=add_localities)


@app.command("hazards", help=t("help.cmd.import_hazards"))
def hazards(
    file: Path = _o["file"], sheet: str | None = _o["sheet"], encoding: str | None = _o["encoding"],
    maps: list[str] | None = _o["maps"], skip_invalid: bool = _o["skip_invalid"], dry_run: bool = _o["dry_run"],
    errors: Path | None = _o["errors"], blank_clears: bool = _o["blank_clears"],
    legacy: bool = typer.Option(False, "--legacy", help=t("help.opt.legacy")),
    verified_as_closed: bool = typer.Option(False, "--verified-as-closed", help=t("help.opt.verified_as_closed")),
    add_localities: bool = typer.Option(False, "--add-localities", help=t("help.opt.add_localities")),
) -> None:
    """Import a hazard ledger."""
    _run("hazards", file, sheet, encoding, maps, skip_invalid, dry_run, errors, blank_clears, legacy=legacy,
         verified_as_closed=verified_as_closed, add_localities=add_localities)


def _record_command(kind: str, name: str | None = None) -> None:
    """`import inspections`, `import supervisions`, …: the kinds of records exports write besides."""

    def command(
        file: Path = _o["file"], sheet: str | None = _o["sheet"], encoding: str | None = _o["encoding"],
        maps: list[str] | None = _o["maps"], skip_invalid: bool = _o["skip_invalid"],
        dry_run: bool = _o["dry_run"], errors: Path | None = _o["errors"],
    ) -> None:
        _run(kind, file, sheet, encoding, maps, skip_invalid, dry_run, errors)

    command.__doc__ = t(f"help.cmd.import_{name or kind}")
    app.command(name or kind, help=t(f"help.cmd.import_{name or kind}"))(command)


for _kind in ("inspections", "supervisions", "extensions", "attachments", "escalations", "actions"):
    _record_command(_kind)
_record_command("supervision_steps", "steps")


def install(root: typer.Typer) -> None:
    root.add_typer(app, name="import")
