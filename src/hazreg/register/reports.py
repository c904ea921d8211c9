"""Campaign reports: coverage with no blind spots (全覆盖), and leaders' weekly checks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hazreg.enums import Industry
from hazreg.storage import Scope

if TYPE_CHECKING:
    from hazreg.register.base import Context
    from hazreg.register.campaigns import Campaigns
    from hazreg.register.places import Places

DEFAULT_WINDOW_DAYS = 90


class Reports:
    """The register's coverage and leaders' weeks."""

    def __init__(self, ctx: Context, campaigns: Campaigns, places: Places) -> None:
        self.ctx = ctx
        self.campaigns = campaigns
        self.places = places

    def window(
        self, campaign: str | None, since: str | None, until: str | None
    ) -> tuple[date, date, dict[str, Any] | None]:
        """The dates a report covers: the campaign's, the given ones, or the campaign running
        today (the latest to start), else the last 90 days."""
        today = self.ctx.today()
        chosen = self.campaigns.get(campaign) if campaign else None
        if chosen is None and since is None and until is None:
            running = [c for c in self.campaigns.all() if c["start"] <= today.isoformat() <= c["end"]]
            chosen = max(running, key=lambda c: c["start"]) if running else None
        if chosen is not None:
            start, end = date.fromisoformat(chosen["start"]), date.fromisoformat(chosen["end"])
        else:
            end = self.ctx.date(until, "until") or today
            start = self.ctx.date(since, "since") or end - timedelta(days=DEFAULT_WINDOW_DAYS - 1)
        return start, end, chosen

    def _scope(self, campaign: str | None, since: str | None, until: str | None, industries: list[str] | None,
               localities: list[str] | None, focus: str | None = None) -> tuple[date, date, dict[str, Any] | None, Scope]:
        """The window and the scope (industries, localities, a focus's units) a coverage report counts."""
        start, end, chosen = self.window(campaign, since, until)
        unit_ids = None
        if focus:
            from hazreg.register.focus import profile, units_to_check

            unit_ids = [r["unit_id"] for r in units_to_check(self.ctx, profile(self.ctx, focus), [])]
        return start, end, chosen, Scope(
            [Industry.parse(v, "industry").value for v in industries or []] or (chosen or {}).get("industries", []),
            self.places.filter_localities(localities) or (chosen or {}).get("localities", []),
            unit_ids,
        )

    def coverage(
        self,
        campaign: str | None = None,
        since: str | None = None,
        until: str | None = None,
        industries: list[str] | None = None,
        localities: list[str] | None = None,
        gaps: bool = False,
        focus: str | None = None,
    ) -> dict[str, Any]:
        """Units inspected / units in scope, by locality × industry, with totals (and the gaps);
        with `focus`, only the units that focus names (恶劣天气重点监管)."""
        start, end, chosen, scope = self._scope(campaign, since, until, industries, localities, focus)
        # A unit is counted in each of its industries (a hotel is 消防 and 特种设备: one unit in
        # each column), and once in its locality and in the total.
        cells_by_key: dict[tuple[str, str], dict[str, Any]] = {}
        per_locality: dict[str, list[int]] = {}
        for loc, inds, n, seen in self.ctx.store.coverage_counts(scope, start, end):
            for ind in (inds or "").split(","):
                cell = cells_by_key.setdefault((loc, ind), {"locality": loc, "industry": ind, "units": 0, "inspected": 0})
                cell["units"] += n
                cell["inspected"] += seen
            entry = per_locality.setdefault(loc, [0, 0])
            entry[0] += n
            entry[1] += seen
        cells = list(cells_by_key.values())

        def totals(key: str) -> list[dict[str, Any]]:
            sums: dict[str, list[int]] = per_locality if key == "locality" else {}
            if key != "locality":
                for cell in cells:
                    entry = sums.setdefault(cell[key], [0, 0])
                    entry[0] += cell["units"]
                    entry[1] += cell["inspected"]
            return [{key: k, "units": u, "inspected": s, "percent": _percent(s, u)} for k, (u, s) in sorted(sums.items())]

        for cell in cells:
            cell["percent"] = _percent(cell["inspected"], cell["units"])
        all_units = sum(u for u, _ in per_locality.values())
        all_seen = sum(s for _, s in per_locality.values())
        report: dict[str, Any] = {
            "since": start.isoformat(), "until": end.isoformat(),
            "campaign": chosen["name"] if chosen else None,
            "industries": list(scope.industries), "localities": list(scope.localities),
            "cells": sorted(cells, key=lambda c: (c["locality"], c["industry"])),
            "by_locality": totals("locality"), "by_industry": totals("industry"),
            "total": {"units": all_units, "inspected": all_seen, "percent": _percent(all_seen, all_units)},
        }
        if focus:
            from hazreg.register.focus import profile

            report["focus"] = profile(self.ctx, focus)["name"]
        if gaps:
            report["gaps"] = self.ctx.store.coverage_gaps(scope, start, end)
        return report

    def coverage_by_department(
        self,
        campaign: str | None = None,
        since: str | None = None,
        until: str | None = None,
        industries: list[str] | None = None,
        localities: list[str] | None = None,
    ) -> dict[str, Any]:
        """Per department (not retired): its industries' units in scope and those inspected (by
        anyone) in the window, and the inspections it recorded itself (`inspect add --department`)
        with the units they covered. Counted from `coverage`'s groups of units with the same set of
        industries, so a unit in two of one department's industries counts once for it."""
        report = self.coverage(campaign, since, until, industries, localities)
        start, end, _, scope = self._scope(campaign, since, until, industries, localities)
        groups = [(set((inds or "").split(",")), n, seen) for _, inds, n, seen in self.ctx.store.coverage_counts(scope, start, end)]
        own = {d: (n, u) for d, n, u in self.ctx.store.department_inspections(start, end)}
        rows = []
        for dep in self.places.departments(retired=False):
            mine = set(dep["industries"])
            units = sum(n for inds, n, _ in groups if inds & mine)
            seen = sum(s for inds, _, s in groups if inds & mine)
            inspections, checked = own.get(dep["id"], (0, 0))
            rows.append({"department": dep["name"], "industries": dep["industries"], "units": units,
                         "inspected": seen, "percent": _percent(seen, units), "inspections": inspections,
                         "units_checked": checked})
        return {"since": report["since"], "until": report["until"], "campaign": report["campaign"],
                "industries": report["industries"], "localities": report["localities"], "by_department": rows}

    def leader_weeks(
        self, campaign: str | None = None, since: str | None = None, until: str | None = None
    ) -> dict[str, Any]:
        """For each ISO week and leader: checks they led in their own fields, announced / unannounced."""
        start, end, chosen = self.window(campaign, since, until)
        today = self.ctx.today()
        last = min(end, today)  # weeks still to come are not missed weeks
        monday = start - timedelta(days=start.weekday())
        weeks: list[dict[str, Any]] = []
        while monday <= last:
            year, number, _ = monday.isocalendar()
            sunday = monday + timedelta(days=6)
            weeks.append({"week": f"{year}-W{number:02d}", "monday": monday.isoformat(), "sunday": sunday.isoformat(),
                          "complete": sunday < today})
            monday += timedelta(days=7)
        leaders = self.campaigns.leaders()
        fields = {
            leader["name"]: (set(leader["industries"]), set(leader["localities"])) for leader in leaders
        }
        counts: dict[tuple[str, str], dict[str, int]] = {}
        for name, day, mode, industries, locality, n in self.ctx.store.leader_days(start, end):
            if name not in fields:
                continue
            own_industries, own_localities = fields[name]  # a unit in any of the leader's industries
            if not own_industries.intersection((industries or "").split(",")) or (own_localities and locality not in own_localities):
                continue
            year, number, _ = date.fromisoformat(day).isocalendar()
            tally = counts.setdefault((name, f"{year}-W{number:02d}"), {"announced": 0, "unannounced": 0})
            tally[mode] += n
        rows = []
        for leader in leaders:
            for week in weeks:
                cell = counts.get((leader["name"], week["week"]), {"announced": 0, "unannounced": 0})
                rows.append({"leader": leader["name"], **week, **cell, "checks": cell["announced"] + cell["unannounced"]})
        return {
            "since": start.isoformat(), "until": end.isoformat(),
            "campaign": chosen["name"] if chosen else None,
            "weeks": [w["week"] for w in weeks], "leaders": [leader["name"] for leader in leaders], "rows": rows,
            # A week still under way is shown, but not yet counted as a week without a check.
            "weeks_without_check": {
                leader["name"]: sum(1 for r in rows if r["leader"] == leader["name"] and r["checks"] == 0 and r["complete"])
                for leader in leaders
            },
        }


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)
