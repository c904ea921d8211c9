"""The inspection campaign: inspect, campaign, leader, inspector, draw and report commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from hazreg.cli.common import (
    check_format,
    format_option,
    heading,
    note_empty,
    note_more,
    print_grid,
    register,
    say,
    split_list,
)
from hazreg.errors import InvalidInput
from hazreg.i18n import t

inspect_app = typer.Typer(help=t("help.cmd.inspect"), no_args_is_help=True)
campaign_app = typer.Typer(help=t("help.cmd.campaign"), no_args_is_help=True)
leader_app = typer.Typer(help=t("help.cmd.leader"), no_args_is_help=True)
inspector_app = typer.Typer(help=t("help.cmd.inspector"), no_args_is_help=True)
draw_app = typer.Typer(help=t("help.cmd.draw"), invoke_without_command=True)
report_app = typer.Typer(help=t("help.cmd.report"), no_args_is_help=True)


def _opt(*names: str, key: str, default: Any = None, **kw: Any) -> Any:
    return typer.Option(default, *names, help=t(key), **kw)


def _machine(fmt: str, rows: list[dict[str, Any]], columns: list[str], one: dict[str, Any] | None = None) -> None:
    from hazreg.render.formats import write, write_json

    if fmt == "json" and one is not None:
        write_json(one)
    else:
        write(fmt, rows, columns)


# -- inspections -------------------------------------------------------------------------------


@inspect_app.command("add", help=t("help.cmd.inspect_add"))
def inspect_add(
    unit: str = _opt("--unit", "-u", key="help.opt.unit", default=...),
    on: str | None = _opt("--on", key="help.opt.inspected_on"),
    by: str = _opt("--by", key="help.opt.inspectors", default=...),
    leader: str | None = _opt("--leader", key="help.opt.leader"),
    mode: str | None = _opt("--mode", key="help.opt.mode"),
    campaign: str | None = _opt("--campaign", key="help.opt.campaign"),
    draw: str | None = _opt("--draw", key="help.opt.draw"),
    note: str | None = _opt("--note", key="help.opt.inspection_note"),
    department: str | None = _opt("--department", key="help.opt.department"),
    focus: str | None = _opt("--focus", key="help.opt.focus"),
) -> None:
    """Record an inspection of a unit."""
    item = register(write=True).campaigns.add_inspection(
        {"unit": unit, "on": on, "inspectors": by, "leader": leader, "mode": mode, "campaign": campaign,
         "draw": draw, "note": note, "department": department, "focus": focus}
    )
    say(t("msg.inspection_added", id=f"I{item['id']}", unit=item["unit_name"], on=item["on"]))


@inspect_app.command("list", help=t("help.cmd.inspect_list"))
def inspect_list(
    unit: str | None = _opt("--unit", "-u", key="help.opt.unit_filter"),
    since: str | None = _opt("--since", key="help.opt.since"),
    until: str | None = _opt("--until", key="help.opt.until"),
    campaign: str | None = _opt("--campaign", key="help.opt.campaign"),
    draw: str | None = _opt("--draw", key="help.opt.draw"),
    leader: str | None = _opt("--leader", key="help.opt.leader_filter"),
    mode: list[str] | None = _opt("--mode", key="help.opt.mode"),
    industry: list[str] | None = _opt("--industry", key="help.opt.industry_filter"),
    locality: list[str] | None = _opt("--locality", key="help.opt.locality_filter"),
    limit: int | None = _opt("--limit", "-n", key="help.opt.limit"),
    fmt: str = format_option(),
) -> None:
    """List inspections, latest first."""
    from hazreg.render.records import INSPECTION_COLUMNS, inspection_record

    fmt = check_format(fmt)
    reg = register()
    query = reg.campaigns.inspection_filter(unit, since, until, campaign, draw, leader, split_list(mode),
                                  split_list(industry), split_list(locality))
    if limit is None and fmt == "table":
        limit = 50
    rows, total = reg.campaigns.inspections(query, limit or None)
    if fmt != "table":
        _machine(fmt, [inspection_record(r) for r in rows], list(INSPECTION_COLUMNS))
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import inspection_grid

    print_grid(inspection_grid(rows))
    note_more(len(rows), total)


@inspect_app.command("show", help=t("help.cmd.inspect_show"))
def inspect_show(
    inspection: str = typer.Argument(..., help=t("help.arg.inspection")),
    fmt: str = format_option(),
) -> None:
    """Show an inspection and the hazards it found."""
    from hazreg.render.records import (
        HAZARD_COLUMNS,
        INSPECTION_COLUMNS,
        hazard_record,
        inspection_record,
    )

    fmt = check_format(fmt)
    reg = register()
    item = reg.campaigns.inspection(inspection)
    hazards, _ = reg.hazards.query(reg.hazards.filter(include_all=True)._replace(inspection_ids=[item["id"]]))
    if fmt == "table":
        from hazreg.render.table import console, inspection_view

        console().print(inspection_view(item, hazards, reg.today()))
        from hazreg.cli.documents import print_documents

        print_documents(reg.documents.list(inspection=f"I{item['id']}"))
        return
    record = inspection_record(item)
    if fmt == "csv":
        _machine(fmt, [record], list(INSPECTION_COLUMNS))
        return
    record["hazards"] = [hazard_record(h) for h in hazards]
    from hazreg.cli.documents import document_records

    record["documents"] = document_records(reg.documents.list(inspection=f"I{item['id']}"))
    _machine(fmt, [record], list(HAZARD_COLUMNS), one=record)


# -- campaigns, leaders, inspectors -------------------------------------------------------------


@campaign_app.command("add", help=t("help.cmd.campaign_add"))
def campaign_add(
    name: str = typer.Argument(..., help=t("help.arg.campaign_name")),
    start: str = _opt("--start", key="help.opt.start", default=...),
    end: str = _opt("--end", key="help.opt.end", default=...),
    industries: list[str] | None = _opt("--industries", key="help.opt.industries"),
    localities: list[str] | None = _opt("--localities", key="help.opt.localities"),
) -> None:
    """Start a campaign over a window of dates and the fields it must cover."""
    item = register(write=True).campaigns.add(
        {"name": name, "start": start, "end": end, "industries": split_list(industries),
         "localities": split_list(localities)}
    )
    say(t("msg.campaign_added", id=f"C{item['id']}", name=item["name"], start=item["start"], end=item["end"]))


@campaign_app.command("list", help=t("help.cmd.campaign_list"))
def campaign_list(fmt: str = format_option()) -> None:
    """List campaigns with their coverage so far."""
    fmt = check_format(fmt)
    reg = register()
    rows = []
    for c in reg.campaigns.all():
        total = reg.reports.coverage(campaign=f"C{c['id']}")["total"]
        rows.append({**c, "id": f"C{c['id']}", "units": total["units"], "inspected": total["inspected"],
                     "percent": total["percent"]})
    columns = ["id", "uid", "name", "start", "end", "industries", "localities", "units", "inspected", "percent"]
    if fmt != "table":
        _machine(fmt, rows, columns)
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import campaign_grid

    print_grid(campaign_grid(rows))


@campaign_app.command("show", help=t("help.cmd.campaign_show"))
def campaign_show(
    campaign: str = typer.Argument(..., help=t("help.arg.campaign")),
    fmt: str = format_option(),
) -> None:
    """Show a campaign's progress at a glance."""
    fmt = check_format(fmt)
    reg = register()
    item = reg.campaigns.get(campaign)
    coverage = reg.reports.coverage(campaign=f"C{item['id']}")
    _, count = reg.campaigns.inspections(reg.campaigns.inspection_filter(campaign=f"C{item['id']}"), 0)
    _, in_window_count = reg.campaigns.inspections(
        reg.campaigns.inspection_filter(since=item["start"], until=item["end"]), 0
    )
    data = {**item, "id": f"C{item['id']}", "coverage": coverage, "inspections_tagged": count,
            "inspections_in_window": in_window_count, "today": reg.today().isoformat()}
    if fmt == "table":
        from hazreg.render.table import campaign_view, console

        console().print(campaign_view(data))
        return
    _machine(fmt, [{k: v for k, v in data.items() if k != "coverage"}], [k for k in data if k != "coverage"], one=data)


@leader_app.command("add", help=t("help.cmd.leader_add"))
def leader_add(
    name: str = typer.Argument(..., help=t("help.arg.leader_name")),
    industries: list[str] = _opt("--industries", key="help.opt.leader_industries", default=...),
    localities: list[str] | None = _opt("--localities", key="help.opt.leader_localities"),
) -> None:
    """Record a district leader and their assigned fields (分管领域)."""
    item = register(write=True).campaigns.add_leader(
        {"name": name, "industries": split_list(industries), "localities": split_list(localities)}
    )
    say(t("msg.leader_added", name=item["name"]))


@leader_app.command("list", help=t("help.cmd.leader_list"))
def leader_list(fmt: str = format_option()) -> None:
    """List leaders and their fields."""
    _people(register().campaigns.leaders(), ["name", "industries", "localities"], check_format(fmt))


@inspector_app.command("add", help=t("help.cmd.inspector_add"))
def inspector_add(
    name: str = typer.Argument(..., help=t("help.arg.inspector_name")),
    cert: str | None = _opt("--cert", key="help.opt.cert"),
    localities: list[str] | None = _opt("--localities", key="help.opt.inspector_localities"),
) -> None:
    """Add an inspector to the pool for random draws."""
    item = register(write=True).campaigns.add_inspector({"name": name, "cert": cert, "localities": split_list(localities)})
    say(t("msg.inspector_added", name=item["name"]))


@inspector_app.command("list", help=t("help.cmd.inspector_list"))
def inspector_list(fmt: str = format_option()) -> None:
    """List the inspector pool."""
    _people(register().campaigns.inspectors(), ["name", "cert", "localities"], check_format(fmt))


def _people(rows: list[dict[str, Any]], columns: list[str], fmt: str) -> None:
    if fmt != "table":
        _machine(fmt, [{c: r.get(c) for c in ["uid", *columns]} for r in rows], ["uid", *columns])
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import people_grid

    print_grid(people_grid(rows, columns))


# -- draws -------------------------------------------------------------------------------------------


@draw_app.callback()
def draw(
    ctx: typer.Context,
    count: int | None = _opt("--count", key="help.opt.draw_count"),
    ratio: str | None = _opt("--ratio", key="help.opt.draw_ratio"),
    industry: list[str] | None = _opt("--industry", key="help.opt.industry_filter"),
    locality: list[str] | None = _opt("--locality", key="help.opt.locality_filter"),
    not_inspected_within: str | None = _opt("--not-inspected-within", key="help.opt.not_inspected_within"),
    inspectors: int = _opt("--inspectors", key="help.opt.draw_inspectors", default=2),
    seed: int | None = _opt("--seed", key="help.opt.seed"),
    campaign: str | None = _opt("--campaign", key="help.opt.campaign"),
    all_: bool = typer.Option(False, "--all", help=t("help.opt.draw_all")),
    focus: str | None = _opt("--focus", key="help.opt.focus"),
    fmt: str = format_option(),
) -> None:
    """Draw units (and inspectors) at random: 双随机."""
    if ctx.invoked_subcommand is not None:
        return
    if count is None and ratio is None and not all_:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    reg = register(write=True)
    result = reg.draws.run(count, ratio, split_list(industry), split_list(locality), not_inspected_within,
                      inspectors, seed, campaign, all_, focus)
    _show_draw(result, check_format(fmt), reg.timezone)


@draw_app.command("list", help=t("help.cmd.draw_list"))
def draw_list(fmt: str = format_option()) -> None:
    """List stored draws."""
    fmt = check_format(fmt)
    reg = register()
    rows = [{**d, "id": f"D{d['id']}"} for d in reg.draws.all()]
    columns = ["id", "uid", "created_at", "operator", "seed", "campaign", "drawn", "inspected", "params", "void_reason"]
    if fmt != "table":
        _machine(fmt, rows, columns)
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import draws_grid

    print_grid(draws_grid(rows, reg.timezone))


@draw_app.command("show", help=t("help.cmd.draw_show"))
def draw_show(
    draw_ref: str = typer.Argument(..., metavar="DRAW", help=t("help.arg.draw")),
    fmt: str = format_option(),
) -> None:
    """Show a draw: its units, their inspectors, and which have been inspected."""
    reg = register()
    _show_draw(reg.draws.details(draw_ref), check_format(fmt), reg.timezone)


@draw_app.command("void", help=t("help.cmd.draw_void"))
def draw_void(
    draw_ref: str = typer.Argument(..., metavar="DRAW", help=t("help.arg.draw")),
    reason: str | None = _opt("--reason", key="help.opt.draw_void_reason"),
) -> None:
    """Void a mistaken draw, with a reason; it is kept and shown as void."""
    if not reason:
        raise InvalidInput("err.missing_options", options="--reason")
    item = register(write=True).draws.void(draw_ref, reason)
    say(t("msg.draw_voided", id=f"D{item['id']}"))


@draw_app.command("verify", help=t("help.cmd.draw_verify"))
def draw_verify(draw_ref: str = typer.Argument(..., metavar="DRAW", help=t("help.arg.draw"))) -> None:
    """Re-run a stored draw from its seed and say whether the stored result matches."""
    matches, item = register().draws.verify(draw_ref)
    if matches:
        say(t("msg.draw_verified", id=f"D{item['id']}", seed=item["seed"]))
        return
    draw_id = f"D{item['id']}"
    say(f"{t('error')}: {t('msg.draw_mismatch', id=draw_id)}", err=True)
    raise typer.Exit(1)


def _show_draw(item: dict[str, Any], fmt: str, tz: str) -> None:
    columns = ["draw_id", "order", "unit_id", "name", "credit_code", "locality", "industry", "risk", "inspectors", "inspected"]
    rows = [{**r, "draw_id": f"D{item['id']}", "unit_id": f"U{r['unit_id']}", "inspectors": "、".join(r["inspectors"])}
            for r in item["rows"]]
    if fmt == "csv":  # the list published (一公开): headed like an export, in Chinese under --lang zh
        from hazreg.render.export import write_csv

        write_csv(rows, columns, sys.stdout)
        return
    if fmt != "table":
        one = {k: item[k] for k in ("uid", "seed", "params", "created_at", "operator", "campaign", "void_reason")}
        _machine(fmt, rows, columns, one={"id": f"D{item['id']}", **one, "units": rows})
        return
    from hazreg.render.grid import draw_grid

    say(t("msg.draw_header", id=f"D{item['id']}", seed=item["seed"], count=len(rows)))
    if item.get("void_reason"):
        say(t("msg.draw_void", reason=item["void_reason"]))
    print_grid(draw_grid(item["rows"]))


# -- reports ------------------------------------------------------------------------------------------


@report_app.command("coverage", help=t("help.cmd.report_coverage"))
def report_coverage(
    campaign: str | None = _opt("--campaign", key="help.opt.campaign"),
    since: str | None = _opt("--since", key="help.opt.since"),
    until: str | None = _opt("--until", key="help.opt.until"),
    industry: list[str] | None = _opt("--industry", key="help.opt.industry_filter"),
    locality: list[str] | None = _opt("--locality", key="help.opt.locality_filter"),
    gaps: bool = _opt("--gaps", key="help.opt.gaps", default=False),
    by: str = _opt("--by", key="help.opt.coverage_by", default="locality"),
    focus: str | None = _opt("--focus", key="help.opt.focus"),
    fmt: str = format_option(),
) -> None:
    """Units inspected / units in scope, by locality × industry: where nobody has been."""
    fmt = check_format(fmt)
    if campaign and (since or until):
        raise InvalidInput("err.campaign_or_dates", "campaign")
    if by.strip().lower() not in ("locality", "department"):
        raise InvalidInput("err.choice", "by", value=by, allowed="locality, department")
    if by.strip().lower() == "department" and focus:
        raise InvalidInput("err.focus_by_department", "focus")
    if by.strip().lower() == "department":
        by_dep = register().reports.coverage_by_department(campaign, since, until, split_list(industry),
                                                           split_list(locality))
        if fmt == "json":
            _machine(fmt, [], [], one=by_dep)
            return
        dep_columns = ["department", "industries", "units", "inspected", "percent", "inspections", "units_checked"]
        if fmt in ("csv", "jsonl"):
            _machine(fmt, by_dep["by_department"], dep_columns)
            return
        from hazreg.render.grid import department_grid

        heading(t("msg.coverage_header", since=by_dep["since"], until=by_dep["until"], campaign=by_dep["campaign"] or "—"))
        print_grid(department_grid(by_dep["by_department"]))
        return
    report = register().reports.coverage(campaign, since, until, split_list(industry), split_list(locality), gaps,
                                         focus)
    if fmt == "json":
        _machine(fmt, [], [], one=report)
        return
    if fmt in ("csv", "jsonl"):
        if gaps:
            from hazreg.render.records import UNIT_COLUMNS, unit_record

            _machine(fmt, [unit_record(u) | {"last_inspected": u["last_inspected"]} for u in report["gaps"]],
                     [*UNIT_COLUMNS, "last_inspected"])
        else:
            _machine(fmt, report["cells"], ["locality", "industry", "units", "inspected", "percent"])
        return
    from hazreg.render.grid import coverage_grid, gaps_grid

    heading(t("msg.coverage_header", since=report["since"], until=report["until"],
                campaign=report["campaign"] or "—"))
    if report.get("focus"):
        heading(t("msg.focus_coverage", focus=report["focus"]))
    print_grid(coverage_grid(report))
    if gaps:
        typer.echo("")
        say(t("msg.gaps_header", count=len(report["gaps"])))
        if report["gaps"]:
            print_grid(gaps_grid(report["gaps"]))


@report_app.command("leaders", help=t("help.cmd.report_leaders"))
def report_leaders(
    campaign: str | None = _opt("--campaign", key="help.opt.campaign"),
    since: str | None = _opt("--since", key="help.opt.since"),
    until: str | None = _opt("--until", key="help.opt.until"),
    fmt: str = format_option(),
) -> None:
    """Leaders' checks in their own fields, week by week; weeks without a check stand out."""
    fmt = check_format(fmt)
    if campaign and (since or until):
        raise InvalidInput("err.campaign_or_dates", "campaign")
    report = register().reports.leader_weeks(campaign, since, until)
    if fmt == "json":
        _machine(fmt, [], [], one=report)
        return
    if fmt in ("csv", "jsonl"):
        _machine(fmt, report["rows"], ["week", "monday", "sunday", "leader", "checks", "announced", "unannounced"])
        return
    if not report["leaders"]:
        note_empty()
        return
    from hazreg.render.grid import leaders_grid

    say(t("msg.leaders_header", since=report["since"], until=report["until"], campaign=report["campaign"] or "—"))
    print_grid(leaders_grid(report))


@report_app.command("weekly", help=t("help.cmd.report_weekly"))
def report_weekly(
    week: str | None = _opt("--week", key="help.opt.report_week"),
    fmt: str = _opt("--format", "-f", key="help.opt.weekly_format", default="md"),
    output: Path | None = _opt("--output", "-o", key="help.opt.output"),
    everything: bool = _opt("--all", key="help.opt.weekly_all", default=False),
) -> None:
    """The weekly report: found, fixed, late, majors, campaign; in Markdown, HTML or JSON."""
    import json

    from hazreg.register.weekly import weekly_report
    from hazreg.render.export import output as open_output
    from hazreg.render.weekly import to_html, to_markdown

    kind = fmt.strip().lower()
    if kind not in ("md", "html", "json"):
        raise InvalidInput("err.choice", "format", value=fmt, allowed="md, html, json")
    report = weekly_report(register(), week, everything)
    if kind == "json":
        text = json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"
    else:
        text = to_markdown(report) if kind == "md" else to_html(report)
    with open_output(output) as stream:
        stream.write(text)
    if output is not None:
        say(t("msg.report_written", path=str(output)), err=True)


@report_app.command("accidents", help=t("help.cmd.report_accidents"))
def report_accidents(
    year: int | None = _opt("--year", key="help.opt.report_accidents_year"),
    fmt: str = format_option(),
) -> None:
    """Accidents this year to date against last year (同比) and the control indicators."""
    from hazreg.cli.accidents import show_report

    show_report(year, fmt)


@report_app.command("form", help=t("help.cmd.report_form"))
def report_form(
    kind: str = typer.Argument(..., metavar="monthly|quarterly|annual|illegal", help=t("help.arg.form_kind")),
    period: str | None = _opt("--period", "-p", key="help.opt.form_period"),
    week: str | None = _opt("--week", key="help.opt.illegal_week"),
    month: str | None = _opt("--month", key="help.opt.illegal_month"),
    fmt: str | None = _opt("--format", "-f", key="help.opt.form_format"),
    output: Path | None = _opt("--output", "-o", key="help.opt.output"),
) -> None:
    """生产经营单位事故隐患排查治理情况统计表: the official form of a month, quarter or year;
    `illegal`: the 打非治违 form of a reporting week or a month."""
    illegal = kind.strip() in ("illegal", "打非治违")
    kind_ = (fmt or ("xlsx" if output is not None else "table")).strip().lower()
    allowed = ("table", "xlsx", "json", "csv", "md") if illegal else ("table", "xlsx", "json", "csv")
    if kind_ not in allowed:
        raise InvalidInput("err.choice", "format", value=fmt, allowed=", ".join(allowed))
    if illegal and period is not None:
        raise InvalidInput("err.illegal_options", "period")
    if not illegal and (week is not None or month is not None):
        raise InvalidInput("err.illegal_options", "week")
    if kind_ == "xlsx" and output is None:
        raise InvalidInput("err.form_xlsx_stdout", "output")
    if illegal:
        from hazreg.register.illegal import form as illegal_form
        from hazreg.render import illegal as render_illegal

        report = illegal_form(register(), week, month)
        render: Any = render_illegal
    else:
        from hazreg.register.forms import form
        from hazreg.render import forms as render_forms

        report = form(register(), kind, period)
        render = render_forms
    if kind_ == "table":
        for line in render.header_lines(report):
            say(line)
        if illegal:
            for title, grid in render.grids(report):
                say("")
                say(title)
                print_grid(grid)
        else:
            print_grid(render.grid(report))
        return
    from hazreg.render.export import output as open_output

    with open_output(output, binary=kind_ == "xlsx") as stream:
        if kind_ == "xlsx":
            render.write_xlsx(report, stream)
        elif kind_ == "json":
            render.to_json(report, stream)
        elif kind_ == "md":
            stream.write(render.to_markdown(report))
        else:
            render.to_csv(report, stream)
    if output is not None:
        say(t("msg.report_written", path=str(output)), err=True)


@report_app.command("stats", help=t("help.cmd.report_stats"))
def report_stats(
    by: str = _opt("--by", key="help.opt.stats_by", default="industry"),
    since: str | None = _opt("--since", key="help.opt.found_since"),
    until: str | None = _opt("--until", key="help.opt.found_until"),
    fmt: str = format_option(),
) -> None:
    """Hazards by industry, locality, level, status, month or week, with a bar per row."""
    from hazreg.register.weekly import stats

    fmt = check_format(fmt)
    rows = stats(register(), by.strip().lower(), since, until)
    if fmt != "table":
        _machine(fmt, rows, ["group", "found", "open", "overdue", "closed", "void"], one=None)
        return
    if not rows:
        note_empty()
        return
    from hazreg.render.grid import stats_grid

    print_grid(stats_grid(rows, by.strip().lower()))


@report_app.command("trend", help=t("help.cmd.report_trend"))
def report_trend(
    weeks: int = _opt("--weeks", key="help.opt.trend_weeks", default=12),
    fmt: str = format_option(),
) -> None:
    """Open, overdue and found per week over time, as a chart in the terminal."""
    from hazreg.register.weekly import trend

    fmt = check_format(fmt)
    if weeks < 1 or weeks > 260:
        raise InvalidInput("err.count", "weeks", value=weeks)
    rows = trend(register(), weeks)
    if fmt != "table":
        _machine(fmt, rows, ["week", "found", "closed", "open", "overdue"])
        return
    from hazreg.render.grid import trend_grid

    print_grid(trend_grid(rows))


def install(app: typer.Typer) -> None:
    app.add_typer(inspect_app, name="inspect")
    app.add_typer(campaign_app, name="campaign")
    app.add_typer(leader_app, name="leader")
    app.add_typer(inspector_app, name="inspector")
    app.add_typer(draw_app, name="draw")
    app.add_typer(report_app, name="report")
