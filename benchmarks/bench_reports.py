"""How fast the campaign reports (coverage, gaps, leaders' weeks, a weather focus) answer on a large register.

    .venv/bin/python benchmarks/bench_reports.py [--units 20000] [--inspections 200000] [--runs 7]

1. Builds (or reuses) a register of realistic units, six leaders with their fields, one
   campaign covering the last three months and two years of inspections. Units, leaders
   and the campaign go through hazreg's register code; the inspections (and their
   history entries) are inserted directly with `executemany`, to keep the build short.
   The built file is cached under --dir with its parameters.
2. Times each report as a subprocess (output captured, not a terminal), as the
   wall-clock median of --runs interleaved rounds after one warm-up round, beside the
   bare Typer floor. Then times the register calls behind them in-process
   (`reg.reports.coverage(...)`, `reg.reports.leader_weeks(...)`), without the start-up, so the cost of
   the queries is visible on its own.
3. Prints a Markdown table and whether the aim is met: each report under one second.
   Exits 0 either way: this is a measurement, not a test (but 1 if a command fails,
   with its output).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# The name pools, the credit codes and the subprocess runner of the CLI benchmark.
import bench_cli  # noqa: E402

# Bump when the generated data changes, so an older cached register is not reused.
GENERATOR_VERSION = 1
DEFAULT_DIR = Path("/tmp/hazreg-bench-reports")
AIM_MS = 1000.0  # each report, as a whole command, under one second

# -- realistic data ------------------------------------------------------------------------

# Ten localities, the towns smaller than the city's streets.
LOCALITIES: dict[str, int] = {
    "临江街道": 16,
    "滨湖街道": 14,
    "江口街道": 12,
    "城东街道": 12,
    "经济开发区管委会": 14,
    "青山镇": 8,
    "白沙镇": 7,
    "桃源镇": 7,
    "石门镇": 6,
    "龙山乡": 4,
}
RISK_WEIGHT = {"red": 8, "orange": 4, "yellow": 2, "blue": 1, None: 1}  # as the draws weigh them
RARELY_VISITED_SHARE = 0.1  # units visited ten times less often than their risk says
CAMPAIGN_NAME = "安全生产大检查"
CAMPAIGN_DAYS = 91  # the campaign: the last three months, today included
CAMPAIGN_BOOST = 2.0  # inspections per working day during the campaign, against other days
WEEKEND_WEIGHT = 0.1
CAMPAIGN_TAGGED_SHARE = 0.7  # inspections in the campaign's window recorded under it
UNANNOUNCED_SHARE = 0.2
LEADER_UNANNOUNCED_SHARE = 0.4
# The district's leaders and their fields (分管领域): name, industries, localities (all if empty).
LEADERS: list[tuple[str, list[str], list[str]]] = [
    ("张副区长", ["fire", "hazardous_chemicals"], []),
    ("李副区长", ["construction", "special_equipment"], ["青山镇", "桃源镇"]),
    ("王副区长", ["road_traffic", "gas"], []),
    ("陈副区长", ["industry_trade"], []),
    ("刘副区长", ["fireworks", "other"], ["白沙镇", "石门镇", "龙山乡"]),
    (
        "周区长",
        [
            "fire",
            "road_traffic",
            "construction",
            "hazardous_chemicals",
            "fireworks",
            "special_equipment",
            "industry_trade",
            "gas",
            "other",
        ],
        [],
    ),
]
FORMER_LEADER = "赵副区长"  # left office a year ago: in old inspections, not among the leaders
LEADER_OUTING_CHANCE = 0.3  # per leader and working day
LEADER_OWN_FIELD_SHARE = 0.85  # of the units a leader visits, those in their fields
INSPECTOR_POOL = 40
NOTES = [
    "现场检查发现问题已当场反馈",
    "企业主要负责人在场",
    "复查上次检查发现的问题",
    "节前安全检查",
    "联合执法检查",
    "举报核查",
]


def make_units(n: int, rng: random.Random) -> list[dict[str, Any]]:
    """Units as reg.units.add takes them, over the nine industries and ten localities."""
    industries = list(bench_cli.UNIT_KINDS)
    weights = [bench_cli.UNIT_KINDS[i][0] for i in industries]
    places, place_weights = list(LOCALITIES), list(LOCALITIES.values())
    names: set[str] = set()
    codes: set[str] = set()
    units = []
    for _ in range(n):
        industry = rng.choices(industries, weights)[0]
        locality = rng.choices(places, place_weights)[0]
        for attempt in range(50):
            name = bench_cli.fill(rng.choice(bench_cli.UNIT_KINDS[industry][1]), rng, locality)
            if attempt >= 20:
                name += f"（{rng.choice(bench_cli.ROADS)}{rng.randint(1, 300)}号）"
            if name not in names:
                break
        names.add(name)
        phone = (
            f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
            if rng.random() < 0.6
            else f"0571-8{rng.randint(0, 9999999):07d}"
        )
        unit = {
            "name": name,
            "credit_code": None
            if industry == "construction" or rng.random() < 0.1
            else bench_cli.credit_code(rng, codes),
            "industry": industry,
            "locality": locality,
            "address": f"{bench_cli.CITY}江北区{locality}{rng.choice(bench_cli.ROADS)}{rng.randint(1, 400)}号",
            "contact": bench_cli.person(rng),
            "phone": phone,
            "risk": rng.choice(bench_cli.RISKS),
        }
        units.append({k: v for k, v in unit.items() if v is not None})
    return units


def uid_at(moment: datetime, rng: random.Random) -> str:
    """A UUID version 7 (as hazreg.register.base.new_uid makes them) for a past moment."""
    value = int(moment.timestamp() * 1000) << 80 | rng.getrandbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76
    value = value & ~(0x3 << 62) | 0x2 << 62
    return str(uuid.UUID(int=value))


def campaign_window(today: date) -> tuple[date, date]:
    return today - timedelta(days=CAMPAIGN_DAYS - 1), today


def plan_inspections(
    units: list[dict[str, Any]], n: int, today: date, rng: random.Random
) -> list[dict[str, Any]]:
    """n inspections over the last two years, in date order: leaders' outings on working
    days, the rest spread over the days (working days, more during the campaign) and over
    the units (weighted by risk; a tenth of the units rarely visited)."""
    start, end = campaign_window(today)
    days = [today - timedelta(days=k) for k in range(730)]
    inspectors = sorted({bench_cli.person(rng) for _ in range(INSPECTOR_POOL * 2)})[:INSPECTOR_POOL]
    planned: list[dict[str, Any]] = []

    def add(index: int, day: date, leader: str | None, unannounced: float) -> None:
        planned.append(
            {
                "unit": index,
                "on": day,
                "inspectors": rng.sample(inspectors, rng.choice((1, 2, 2, 2, 3))),
                "leader": leader,
                "mode": "unannounced" if rng.random() < unannounced else "announced",
                "campaign": start <= day <= end and rng.random() < CAMPAIGN_TAGGED_SHARE,
                "note": rng.choice(NOTES) if rng.random() < 0.1 else None,
            }
        )

    # Leaders: on a working day, now and then, an outing to one to three units.
    everyone = range(len(units))
    for name, industries, localities in [*LEADERS, (FORMER_LEADER, ["fire", "gas"], [])]:
        own = [
            i
            for i, u in enumerate(units)
            if u["industry"] in industries and (not localities or u["locality"] in localities)
        ] or list(everyone)
        for day in days:
            if day.weekday() >= 5 or rng.random() >= LEADER_OUTING_CHANCE:
                continue
            if name == FORMER_LEADER and day > today - timedelta(days=365):
                continue
            for _ in range(rng.choice((1, 1, 2, 3))):
                pool = own if rng.random() < LEADER_OWN_FIELD_SHARE else everyone
                add(rng.choice(pool), day, name, LEADER_UNANNOUNCED_SHARE)
    planned = planned[:n]

    # Everyone else.
    rest = n - len(planned)
    day_weights = [
        (WEEKEND_WEIGHT if day.weekday() >= 5 else 1.0) * (CAMPAIGN_BOOST if day >= start else 1.0)
        for day in days
    ]
    unit_weights = [
        RISK_WEIGHT[u.get("risk")] * (0.1 if rng.random() < RARELY_VISITED_SHARE else 1.0)
        for u in units
    ]
    for day, index in zip(
        rng.choices(days, day_weights, k=rest),
        rng.choices(everyone, unit_weights, k=rest),
        strict=True,
    ):
        add(index, day, None, UNANNOUNCED_SHARE)
    planned.sort(key=lambda p: p["on"])
    return planned


def build(path: Path, n_units: int, n_inspections: int, seed: int, now: datetime) -> dict[str, Any]:
    """A register at `path`, built in one transaction."""
    from hazreg.dates import DEFAULT_TIMEZONE, zone
    from hazreg.register import open_register

    rng = random.Random(seed)
    today = now.astimezone(zone(DEFAULT_TIMEZONE)).date()  # a new register's time zone
    units = make_units(n_units, rng)
    planned = plan_inspections(units, n_inspections, today, rng)
    start, end = campaign_window(today)
    for path_ in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        path_.unlink(missing_ok=True)

    saved_now = os.environ.get("HAZREG_NOW")
    started = time.perf_counter()
    reg = open_register(path, write=True, operator="bench")
    try:
        with reg.store.transaction():
            # HAZREG_NOW is hazreg's own clock hook: each record is created at a plausible moment.
            os.environ["HAZREG_NOW"] = bench_cli.stamp(now - timedelta(days=760))
            unit_ids = [reg.units.add(u)["id"] for u in units]
            for name, industries, localities in LEADERS:
                reg.campaigns.add_leader({"name": name, "industries": industries, "localities": localities})
            os.environ["HAZREG_NOW"] = bench_cli.stamp(now - timedelta(days=CAMPAIGN_DAYS + 7))
            campaign_id = reg.campaigns.add({"name": CAMPAIGN_NAME, "start": start, "end": end})[
                "id"
            ]

            # The inspections, directly: what add_inspection would store, and its history entry.
            conn = reg.store.conn
            first_id = (
                conn.execute("SELECT coalesce(max(id), 0) FROM inspections").fetchone()[0] + 1
            )
            rows, history = [], []
            for offset, p in enumerate(planned):
                at = min(bench_cli.instant(p["on"], rng), now)
                stamp = bench_cli.stamp(at)
                record = {
                    "unit_id": unit_ids[p["unit"]],
                    "on": p["on"].isoformat(),
                    "inspectors": p["inspectors"],
                    "leader": p["leader"],
                    "mode": p["mode"],
                    "campaign_id": campaign_id if p["campaign"] else None,
                    "draw_id": None,
                    "note": p["note"],
                }
                rows.append(
                    (
                        uid_at(at, rng),
                        record["unit_id"],
                        record["on"],
                        json.dumps(record["inspectors"], ensure_ascii=False),
                        record["leader"],
                        record["mode"],
                        record["campaign_id"],
                        None,
                        record["note"],
                        stamp,
                        stamp,
                    )
                )
                after = {k: v for k, v in record.items() if v is not None}
                history.append(
                    (
                        stamp,
                        "bench",
                        "inspection",
                        first_id + offset,
                        "create",
                        json.dumps(after, ensure_ascii=False, sort_keys=True),
                    )
                )
            conn.executemany(
                "INSERT INTO inspections (uid, unit_id, inspected_on, inspectors, leader, mode,"
                " campaign_id, draw_id, note, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO history (at, operator, record_type, record_id, action, after)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                history,
            )
    finally:
        if saved_now is None:
            os.environ.pop("HAZREG_NOW", None)
        else:
            os.environ["HAZREG_NOW"] = saved_now
        reg.store.close()  # the last connection: SQLite checkpoints and removes the WAL
    return {"build_seconds": round(time.perf_counter() - started, 1)}


def describe_register(path: Path, now: str) -> dict[str, Any]:
    """What is in the built register, to show the data is what it should be."""
    from hazreg.dates import DEFAULT_TIMEZONE, zone

    moment = datetime.fromisoformat(now.replace("Z", "+00:00"))
    today = moment.astimezone(zone(DEFAULT_TIMEZONE)).date()
    start, end = (d.isoformat() for d in campaign_window(today))
    conn = sqlite3.connect(path)  # read-write, so that closing it removes the -wal and -shm

    def one(sql: str, *params: Any) -> Any:
        return conn.execute(sql, params).fetchone()[0]

    try:
        units = one("SELECT count(*) FROM units")
        total = one("SELECT count(*) FROM inspections")

        def share(n: int, whole: int) -> str:
            return f"{n:,} ({100 * n / max(whole, 1):.1f}%)"

        in_window = one(
            "SELECT count(DISTINCT unit_id) FROM inspections WHERE inspected_on BETWEEN ? AND ?",
            start,
            end,
        )
        return {
            "units": units,
            "localities": one("SELECT count(DISTINCT locality) FROM units"),
            "industries": one("SELECT count(DISTINCT industry) FROM units"),
            "by risk": dict(
                conn.execute(
                    "SELECT coalesce(risk, '-'), count(*) FROM units GROUP BY 1 ORDER BY 2 DESC"
                )
            ),
            "inspections": total,
            "inspected_on": f"{one('SELECT min(inspected_on) FROM inspections')} .. "
            f"{one('SELECT max(inspected_on) FROM inspections')}",
            "led by a leader": share(
                one("SELECT count(*) FROM inspections WHERE leader IS NOT NULL"), total
            ),
            "unannounced": share(
                one("SELECT count(*) FROM inspections WHERE mode = 'unannounced'"), total
            ),
            "tagged with C1": share(
                one("SELECT count(*) FROM inspections WHERE campaign_id = 1"), total
            ),
            f"C1 ({start} .. {end}): inspections": one(
                "SELECT count(*) FROM inspections WHERE inspected_on BETWEEN ? AND ?", start, end
            ),
            "C1: units inspected": share(in_window, units),
            "units never inspected": share(
                one(
                    "SELECT count(*) FROM units u WHERE NOT EXISTS (SELECT 1 FROM inspections i WHERE i.unit_id = u.id)"
                ),
                units,
            ),
            "leaders": one("SELECT count(*) FROM leaders"),
            "history entries": one("SELECT count(*) FROM history"),
            "file size": f"{path.stat().st_size / 1e6:.0f} MB",
        }
    finally:
        conn.close()


def ensure_register(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """The cached register for these parameters, built if missing or stale."""
    from hazreg.storage import SCHEMA_VERSION

    params = {"units": args.units, "inspections": args.inspections, "seed": args.seed,
              "generator": GENERATOR_VERSION, "schema": SCHEMA_VERSION}
    return bench_cli.cached_register(
        args.dir, f"register-u{args.units}-i{args.inspections}-s{args.seed}", params, args.rebuild,
        f"{args.units:,} units, {args.inspections:,} inspections",
        lambda path, now: build(path, args.units, args.inspections, args.seed, now), describe_register,
    )


# -- timing --------------------------------------------------------------------------------


def register_today(meta: dict[str, Any]) -> date:
    from hazreg.dates import DEFAULT_TIMEZONE, zone

    moment = datetime.fromisoformat(meta["now"].replace("Z", "+00:00"))
    return moment.astimezone(zone(DEFAULT_TIMEZONE)).date()


def windows(meta: dict[str, Any]) -> tuple[str, str]:
    """--since for the whole two years, and for the last year."""
    today = register_today(meta)
    return (today - timedelta(days=729)).isoformat(), (today - timedelta(days=364)).isoformat()


def commands(meta: dict[str, Any]) -> list[tuple[str, list[str]]]:
    py, hz = sys.executable, bench_cli.hazreg_command()
    two_years, one_year = windows(meta)
    return [
        ("python benchmarks/bare_typer.py hello", [py, str(bench_cli.BARE_TYPER), "hello"]),
        ("hazreg report coverage --campaign C1", [*hz, "report", "coverage", "--campaign", "C1"]),
        (
            f"hazreg report coverage --since {two_years}",
            [*hz, "report", "coverage", "--since", two_years],
        ),
        (
            "hazreg report coverage --campaign C1 --gaps",
            [*hz, "report", "coverage", "--campaign", "C1", "--gaps"],
        ),
        ("hazreg report leaders --campaign C1", [*hz, "report", "leaders", "--campaign", "C1"]),
        ("hazreg focus 暴雨 --format csv", [*hz, "focus", "暴雨", "--format", "csv"]),
        ("hazreg report coverage --campaign C1 --focus 暴雨", [*hz, "report", "coverage", "--campaign", "C1", "--focus", "暴雨"]),
        (
            f"hazreg report leaders --since {one_year}",
            [*hz, "report", "leaders", "--since", one_year],
        ),
    ]


def calls(meta: dict[str, Any]) -> list[tuple[str, Callable[[Any], Any]]]:
    """The register calls behind the reports, as the CLI makes them."""
    two_years, one_year = windows(meta)
    return [
        ('reg.reports.coverage("C1")', lambda reg: reg.reports.coverage("C1")),
        (f'reg.reports.coverage(since="{two_years}")', lambda reg: reg.reports.coverage(since=two_years)),
        ('reg.reports.coverage("C1", gaps=True)', lambda reg: reg.reports.coverage("C1", gaps=True)),
        ('reg.reports.leader_weeks("C1")', lambda reg: reg.reports.leader_weeks("C1")),
        ('reg.focus.check("暴雨")', lambda reg: reg.focus.check("暴雨")),
        (f'reg.reports.leader_weeks(since="{one_year}")', lambda reg: reg.reports.leader_weeks(since=one_year)),
    ]


def time_in_process(
    register: Path, meta: dict[str, Any], runs: int
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Each call on a freshly opened register (as each command opens it: SQLite's page
    cache empty, the OS's warm), timed without the opening; interleaved rounds."""
    from hazreg.register import open_register

    saved_now = os.environ.get("HAZREG_NOW")
    os.environ["HAZREG_NOW"] = meta["now"]
    todo = calls(meta)
    times: dict[str, list[float]] = {label: [] for label, _ in todo}
    last: dict[str, Any] = {}
    try:
        for round_ in range(runs + 1):
            for label, call in todo:
                reg = open_register(register, write=False, operator="bench")
                try:
                    started = time.perf_counter()
                    last[label] = call(reg)
                    elapsed = time.perf_counter() - started
                finally:
                    reg.store.close()
                if round_:  # round 0 is the warm-up
                    times[label].append(elapsed)
    finally:
        if saved_now is None:
            os.environ.pop("HAZREG_NOW", None)
        else:
            os.environ["HAZREG_NOW"] = saved_now
    return times, last


def measure(register: Path, meta: dict[str, Any], args: argparse.Namespace) -> None:
    conn = sqlite3.connect(register)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the reports only read; start clean
    conn.close()
    env = dict(os.environ)
    # An installed hazreg has its bytecode compiled (pip does it); with this variable set
    # (as in some sandboxes), every run of an editable install would recompile hazreg's
    # modules from source and time the compiler instead. The warm-up round writes them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(HAZREG_DB=str(register), HAZREG_OPERATOR="bench", HAZREG_NOW=meta["now"])
    env.pop("NO_COLOR", None)
    cmds = commands(meta)
    times: dict[str, list[float]] = {label: [] for label, _ in cmds}
    last: dict[str, Any] = {}
    print(f"Timing {len(cmds)} commands: 1 warm-up round + {args.runs} rounds …", flush=True)
    for round_ in range(args.runs + 1):
        for label, cmd in cmds:
            elapsed, last[label] = bench_cli.run_once(cmd, env, args.dir)
            if round_:  # round 0 is the warm-up
                times[label].append(elapsed)
    print(
        f"Timing {len(calls(meta))} register calls in-process: 1 warm-up round + {args.runs} rounds …",
        flush=True,
    )
    inner, results = time_in_process(register, meta, args.runs)

    med = {label: statistics.median(ts) * 1000 for label, ts in [*times.items(), *inner.items()]}
    low = {label: min(ts) * 1000 for label, ts in [*times.items(), *inner.items()]}
    print()
    print("| command | median ms | min ms |")
    print("|---|---:|---:|")
    for label in [*times, *inner]:
        where = "" if label in times else " (in-process)"
        print(f"| `{label}`{where} | {med[label]:.1f} | {low[label]:.1f} |")

    print()
    print(f"| aim: each report under {AIM_MS / 1000:g} s | median ms | met? |")
    print("|---|---:|---|")
    reports = [label for label, _ in cmds if label.startswith("hazreg report")]
    for label in reports:
        print(f"| `{label}` | {med[label]:.1f} | {'yes' if med[label] < AIM_MS else 'NO'} |")
    met = sum(med[label] < AIM_MS for label in reports)
    print()
    print(f"Aim met by {met} of {len(reports)} reports.")

    def lines(label: str) -> int:
        return len(last[label].stdout.decode(errors="replace").splitlines())

    gaps = results['reg.reports.coverage("C1", gaps=True)']
    c1 = results['reg.reports.coverage("C1")']
    print()
    print(
        f"Medians of {args.runs} interleaved rounds after 1 warm-up; output captured (not a terminal). "
        f"In-process: each call on a freshly opened register, the opening not timed."
    )
    print(
        f"Register: {meta['params']['units']:,} units, {meta['params']['inspections']:,} inspections "
        f"({register}); HAZREG_NOW={meta['now']} (the build's clock)."
    )
    print(
        f"C1 {c1['since']} .. {c1['until']}: {c1['total']['inspected']:,}/{c1['total']['units']:,} units "
        f"inspected, {len(gaps['gaps']):,} gaps. Output lines of the last round: "
        + ", ".join(f"{label.removeprefix('hazreg report ')} {lines(label)}" for label in reports)
    )
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=20_000, help="units in the register (20000)")
    parser.add_argument(
        "--inspections", type=int, default=200_000, help="inspections in the register (200000)"
    )
    parser.add_argument("--runs", type=int, default=7, help="timed rounds, after one warm-up (7)")
    parser.add_argument(
        "--dir", type=Path, default=DEFAULT_DIR, help=f"cache and scratch folder ({DEFAULT_DIR})"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generated data (1)")
    parser.add_argument(
        "--rebuild", action="store_true", help="build the register even if one is cached"
    )
    args = parser.parse_args()
    if args.units < 1 or args.inspections < 1 or args.runs < 1:
        parser.error("--units, --inspections and --runs must be positive")
    register, meta = ensure_register(args)
    for key, value in meta.get("contents", {}).items():
        print(f"  {key}: {value}")
    print()
    measure(register, meta, args)


if __name__ == "__main__":
    main()
