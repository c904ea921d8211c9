"""How fast and how lean hazreg imports and exports big files, against `sqlite3 -csv`.

    .venv/bin/python benchmarks/bench_io.py [--units 100000] [--hazards 1000000] [--small 100000]

1. Generates (or reuses) the files a district would bring: a unit roster CSV and two
   hazard ledger CSVs (--hazards and --small rows) with Chinese headers, every row valid
   and naming a unit of the roster. Rows are written as they are made, never held in
   memory; the files are cached under --dir with their parameters.
2. Runs the real CLI, each command a subprocess under `/usr/bin/time`, on fresh
   registers: imports, CSV and XLSX exports, and the floor (`sqlite3 -csv` writing the
   same rows). Reports wall time and peak memory (the child's maximum resident set).
3. Prints a Markdown table and whether the aims are met. Exits 0 either way: this is
   a measurement, not a test (but 1 if a command fails, with its output).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# The phrase pools and the hazard maker of the CLI benchmark: the same realistic data.
import bench_cli  # noqa: E402
from bench_cli import (  # noqa: E402
    CITY,
    LOCALITIES,
    RISKS,
    ROADS,
    UNIT_KINDS,
    credit_code,
    fill,
    make_hazard,
    person,
)

# Bump when the generated files change, so older cached files are not reused.
GENERATOR_VERSION = 2
DEFAULT_DIR = Path("/tmp/hazreg-bench-io")
TIME = Path("/usr/bin/time")  # GNU time: the peak memory of exactly one child
SQLITE3 = shutil.which("sqlite3") or "/usr/bin/sqlite3"

# The aims.
AIM_EXPORT = 3.0  # `export hazards -f csv`, against `sqlite3 -csv` writing the same rows
AIM_IMPORT_SECONDS_PER_MILLION = 20.0  # `import hazards`
AIM_PEAK_MB = 300.0  # any hazreg command
AIM_FLAT = 1.25  # peak memory of the big file's command, against the small file's

ROSTER_HEADERS = [
    "单位名称",
    "统一社会信用代码",
    "行业领域",
    "所属镇街",
    "详细地址",
    "联系人",
    "联系电话",
    "风险等级",
]
LEDGER_HEADERS = [
    "隐患描述",
    "单位名称",
    "统一社会信用代码",
    "隐患级别",
    "隐患来源",
    "发现日期",
    "发现人",
    "判定依据",
    "整改期限",
    "整改责任人",
    "整改措施",
    "整改资金(元)",
    "应急预案",
    "状态",
    "整改完成日期",
    "验收人",
    "验收日期",
    "验收意见",
    "销号日期",
    "作废原因",
]
DATE_KEYS = ("found_on", "deadline", "rectified_on", "verified_on", "closed_on")
CODE_SHARE = 0.75  # of ledger rows that name their unit by credit code; the rest by name alone


# -- the files -------------------------------------------------------------------------------


def _labels() -> dict[str, dict[str, list[str]]]:
    """Chinese cells as officers type them: the label, sometimes a short form."""
    from hazreg.enums import Industry, Level, Risk, Source, Status

    def cells(m: Any) -> list[str]:
        short = [a for a in m.aliases if not a.isascii()][:1]
        return [m.zh, m.zh, m.zh, *short]

    return {
        enum.__name__: {m.value: cells(m) for m in enum}
        for enum in (Industry, Level, Risk, Source, Status)
    }


def _cell_date(day: date | None, rng: random.Random) -> str:
    """A date as typed into a spreadsheet: mostly ISO, some 2025/3/5, some 2025年3月5日."""
    if day is None:
        return ""
    x = rng.random()
    if x < 0.8:
        return day.isoformat()
    if x < 0.92:
        return f"{day.year}/{day.month}/{day.day}"
    return f"{day.year}年{day.month}月{day.day}日"


def _cell_money(amount: Decimal | None, rng: random.Random) -> str:
    if amount is None:
        return ""
    x = rng.random()
    if x < 0.5:
        return str(int(amount))
    if x < 0.8:
        return f"{amount / 10000:f}".rstrip("0").rstrip(".") + "万"
    return f"{amount:,.2f}"


def write_roster(path: Path, n: int, seed: int) -> None:
    """`n` units, every one with a unique name and a unique valid credit code."""
    rng = random.Random(seed)
    labels = _labels()
    industries = list(UNIT_KINDS)
    weights = [UNIT_KINDS[i][0] for i in industries]
    names: set[str] = set()
    codes: set[str] = set()
    with path.open("w", encoding="utf-8-sig", newline="") as f:  # Excel's "CSV UTF-8"
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(ROSTER_HEADERS)
        for _ in range(n):
            industry = rng.choices(industries, weights)[0]
            locality = rng.choice(LOCALITIES)
            name = fill(rng.choice(UNIT_KINDS[industry][1]), rng, locality)
            attempt = 0
            while name in names:
                attempt += 1
                name = fill(rng.choice(UNIT_KINDS[industry][1]), rng, locality)
                if attempt > 3:
                    name += f"（{rng.choice(ROADS)}{rng.randint(1, 999)}号）"
                if attempt > 10:
                    name += f"{len(names)}"
            names.add(name)
            phone = (
                f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
                if rng.random() < 0.6
                else f"0571-8{rng.randint(0, 9999999):07d}"
            )
            risk = rng.choice(RISKS)
            out.writerow(
                [
                    name,
                    credit_code(rng, codes),
                    rng.choice(labels["Industry"][industry]),
                    locality,
                    f"{CITY}江北区{locality}{rng.choice(ROADS)}{rng.randint(1, 400)}号",
                    person(rng),
                    phone,
                    rng.choice(labels["Risk"][risk]) if risk else "",
                ]
            )


def read_roster(path: Path) -> list[dict[str, Any]]:
    """The units of a roster, as the ledger generator needs them."""
    from hazreg.enums import Industry

    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        return [
            {"name": r[0], "code": r[1], "industry": Industry.parse(r[2]).value, "locality": r[3]}
            for r in rows
        ]


def write_ledger(path: Path, n: int, units: list[dict[str, Any]], seed: int, today: date) -> None:
    """`n` valid hazards of random units, found over the two years before `today`, streamed."""
    rng = random.Random(seed)
    labels = _labels()
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(LEDGER_HEADERS)
        # hazreg takes a second row with the same unit, date found and description for the
        # first one again (an update), so no two rows share them: every row is a new hazard.
        # One int per row (unit, day, CRC of the words): deterministic, and 64 MB for 1M rows.
        keys: set[int] = set()
        for _ in range(n):
            while True:
                index = rng.randrange(len(units))
                unit = units[index]
                h = make_hazard(0, unit, today, rng)
                words = zlib.crc32(h["description"].encode())
                key = (index << 52) | (h["found_on"].toordinal() << 32) | words
                if key not in keys:
                    keys.add(key)
                    break
            d = {key: _cell_date(h.get(key), rng) for key in DATE_KEYS}
            out.writerow(
                [
                    h["description"],
                    unit["name"],
                    unit["code"] if rng.random() < CODE_SHARE else "",
                    rng.choice(labels["Level"][h["level"]]),
                    rng.choice(labels["Source"][h["source"]]),
                    d["found_on"],
                    h["found_by"] or "",
                    h["basis"] or "",
                    d["deadline"],
                    h.get("owner") or "",
                    h.get("measures") or "",
                    _cell_money(h.get("funds"), rng),
                    h.get("contingency") or "",
                    rng.choice(labels["Status"][h["status"]]),
                    d["rectified_on"],
                    h.get("verified_by") or "",
                    d["verified_on"],
                    h.get("verify_note") or "",
                    d["closed_on"],
                    h.get("void_reason") or "",
                ]
            )


def _cached(path: Path, params: dict[str, Any], rebuild: bool) -> dict[str, Any] | None:
    meta_path = path.with_suffix(".json")
    if rebuild or not path.exists() or not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return meta if meta.get("params") == params else None


def _generate(
    path: Path, params: dict[str, Any], what: str, make: Any, **extra: Any
) -> dict[str, Any]:
    path.with_suffix(".json").unlink(missing_ok=True)
    print(f"Generating {path.name}: {what} …", flush=True)
    started = time.perf_counter()
    part = path.with_name(path.name + ".part")
    make(part)
    part.replace(path)
    meta = {
        "params": params,
        "seconds": round(time.perf_counter() - started, 1),
        "bytes": path.stat().st_size,
        **extra,
    }
    path.with_suffix(".json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print(f"  {meta['bytes'] / 1e6:.0f} MB in {meta['seconds']} s")
    return meta


class Files(NamedTuple):
    roster: Path
    ledger: Path  # --hazards rows
    small: Path  # --small rows
    now: str  # the clock the ledgers were made with: HAZREG_NOW of every command


def ensure_files(args: argparse.Namespace) -> Files:
    args.dir.mkdir(parents=True, exist_ok=True)
    version = {"generator": GENERATOR_VERSION, "bench_cli generator": bench_cli.GENERATOR_VERSION}
    roster_params = {"units": args.units, "seed": args.seed, **version}
    roster = args.dir / f"roster-u{args.units}-s{args.seed}.csv"
    meta = _cached(roster, roster_params, args.regenerate)
    if meta is None:
        meta = _generate(
            roster,
            roster_params,
            f"{args.units:,} units",
            lambda p: write_roster(p, args.units, args.seed),
        )
    else:
        print(f"Reusing {roster} ({meta['bytes'] / 1e6:.0f} MB)")
    units: list[dict[str, Any]] | None = None
    ledgers = []
    now = None
    for n in (args.hazards, args.small):
        path = args.dir / f"hazards-h{n}-u{args.units}-s{args.seed}.csv"
        params = {"hazards": n, "roster": roster_params, **version}
        meta = _cached(path, params, args.regenerate)
        if meta is None:
            if units is None:
                units = read_roster(roster)
            made = now or datetime.now(UTC).replace(microsecond=0).isoformat().replace(
                "+00:00", "Z"
            )
            today = _today(made)
            meta = _generate(
                path,
                params,
                f"{n:,} hazards",
                lambda p, n=n, today=today, units=units: write_ledger(
                    p, n, units, args.seed + n, today
                ),
                now=made,
            )
        else:
            print(f"Reusing {path} ({meta['bytes'] / 1e6:.0f} MB)")
        now = now or meta["now"]
        ledgers.append(path)
    assert now is not None
    return Files(roster, ledgers[0], ledgers[1], now)


def _today(now: str) -> date:
    """The date of the instant `now` in a new register's time zone (Asia/Shanghai)."""
    from hazreg.dates import DEFAULT_TIMEZONE, zone

    return (
        datetime.fromisoformat(now.replace("Z", "+00:00")).astimezone(zone(DEFAULT_TIMEZONE)).date()
    )


# -- running one command -----------------------------------------------------------------------

# Used when GNU time is missing: runs the command and writes its child's peak memory.
# A child spawned by a process starts with that process's peak resident set (vfork and
# exec carry it over), so the wrapper must be small; this one adds about 10 MB.
_WRAPPER = """import os, resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {rc}\\n")
sys.exit(rc)
"""


class Run(NamedTuple):
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def run(cmd: list[str], env: dict[str, str], cwd: Path, stdout: Path | None = None) -> Run:
    """`cmd` as a subprocess: wall time, and its peak memory as its own wrapper saw it.

    The peak memory of a child is read by a tiny parent (GNU time, else a Python
    wrapper), never from this process: what getrusage(RUSAGE_CHILDREN) reports here is
    a maximum over every child so far, and a child starts with its parent's peak.
    """
    fd, report = tempfile.mkstemp(prefix="rss.", dir=cwd)
    os.close(fd)
    if TIME.exists():
        wrapped = [str(TIME), "-f", "%M %x", "-o", report, *cmd]
    else:
        wrapped = [sys.executable, "-c", _WRAPPER, report, *cmd]
    out = stdout.open("wb") if stdout else subprocess.PIPE
    try:
        started = time.perf_counter()
        proc = subprocess.run(
            wrapped, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE, env=env, cwd=cwd
        )
        seconds = time.perf_counter() - started
    finally:
        if stdout:
            out.close()  # type: ignore[union-attr]
    lines = Path(report).read_text().split("\n")
    Path(report).unlink()
    last = [line for line in lines if line.strip()][-1].split()  # GNU time may say more before it
    return Run(
        seconds,
        int(last[0]) / 1024,  # KB on Linux
        proc.returncode,
        (proc.stdout or b"").decode(errors="replace") if not stdout else "",
        proc.stderr.decode(errors="replace"),
    )


# -- the steps ---------------------------------------------------------------------------------


def hazreg_command() -> list[str]:
    script = Path(sys.executable).parent / ("hazreg.exe" if os.name == "nt" else "hazreg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hazreg"]


def floor_sql(today: date) -> str:
    """The rows and columns of `hazreg export hazards -f csv`, in SQL alone."""
    return f"""SELECT 'H' || h.id AS id, h.uid, 'U' || h.unit_id AS unit_id, u.name AS unit_name,
  h.description, h.industry, h.locality, h.level, h.status, h.source, h.found_on, h.found_by,
  h.basis, h.deadline, h.owner, h.measures,
  CASE WHEN h.funds_fen IS NOT NULL THEN printf('%d.%02d', h.funds_fen / 100, h.funds_fen % 100) END AS funds,
  h.contingency,
  CASE WHEN coalesce(h.owner, '') <> '' AND coalesce(h.measures, '') <> '' AND h.funds_fen IS NOT NULL
    AND h.deadline IS NOT NULL AND coalesce(h.contingency, '') <> '' THEN 'true' ELSE 'false' END AS plan_complete,
  CASE WHEN h.status IN ('open', 'rectifying') AND h.deadline IS NOT NULL AND h.deadline < '{today.isoformat()}'
    THEN 'true' ELSE 'false' END AS overdue,
  CASE WHEN h.inspection_id IS NOT NULL THEN 'I' || h.inspection_id END AS inspection_id,
  h.rectified_on, h.verified_by, h.verified_on, h.verify_note, h.closed_on, h.void_reason,
  h.created_at, h.updated_at
FROM hazards h JOIN units u ON u.id = h.unit_id ORDER BY h.id;"""


class Step(NamedTuple):
    key: str
    label: str
    rows: int
    db: Path
    cmd: list[str]
    stdout: Path | None = None  # where the command's output goes (the floor writes to stdout)


def checkpoint(db: Path) -> None:
    """Everything in the main file (no -wal left), so that it can be copied."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def copy_register(source: Path, target: Path) -> None:
    checkpoint(source)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("units", "hazards", "history", "hazard_search")
        }
    finally:
        conn.close()


def same_rows(ours: Path, floor: Path) -> str:
    """Whether two CSV files hold the same rows (sqlite3 quotes more, but the cells must agree)."""
    with (
        ours.open(encoding="utf-8", newline="") as a,
        floor.open(encoding="utf-8", newline="") as b,
    ):
        n = 0
        for n, (x, y) in enumerate(zip(csv.reader(a), csv.reader(b), strict=False), start=1):
            if x != y:
                diffs = [(i, p, q) for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q]
                return f"DIFFER at line {n}: {diffs[:3] or (len(x), len(y))}"
        rest_a, rest_b = sum(1 for _ in csv.reader(a)), sum(1 for _ in csv.reader(b))
    if rest_a or rest_b:
        return f"DIFFER in length: {n + rest_a} vs {n + rest_b} lines"
    return f"same {n - 1:,} rows and header"


def measure(files: Files, args: argparse.Namespace) -> None:
    work = args.dir / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    big, small = work / "big.db", work / "small.db"
    hz = hazreg_command()
    today = _today(files.now)
    out_csv, floor_csv = work / "export-big.csv", work / "floor-big.csv"
    out_small_csv, floor_small_csv = work / "export-small.csv", work / "floor-small.csv"
    out_xlsx = work / "export-small.xlsx"
    sql = floor_sql(today)
    H, S = args.hazards, args.small
    steps = [
        Step(
            "units",
            f"`hazreg import units {files.roster.name}`",
            args.units,
            big,
            [*hz, "import", "units", str(files.roster)],
        ),
        Step(
            "import_small",
            f"`hazreg import hazards` ({S:,}-row file)",
            S,
            small,
            [*hz, "import", "hazards", str(files.small)],
        ),
        Step(
            "import_big",
            f"`hazreg import hazards` ({H:,}-row file)",
            H,
            big,
            [*hz, "import", "hazards", str(files.ledger)],
        ),
        Step(
            "export_big",
            f"`hazreg export hazards -f csv -o …` ({H:,} hazards)",
            H,
            big,
            [*hz, "export", "hazards", "-f", "csv", "-o", str(out_csv)],
        ),
        Step(
            "floor_big",
            f"floor: `sqlite3 -csv -header … > file` ({H:,} rows)",
            H,
            big,
            [SQLITE3, "-csv", "-header", str(big), sql],
            floor_csv,
        ),
        Step(
            "export_small",
            f"`hazreg export hazards -f csv -o …` ({S:,} hazards)",
            S,
            small,
            [*hz, "export", "hazards", "-f", "csv", "-o", str(out_small_csv)],
        ),
        Step(
            "floor_small",
            f"floor: `sqlite3 -csv -header … > file` ({S:,} rows)",
            S,
            small,
            [SQLITE3, "-csv", "-header", str(small), sql],
            floor_small_csv,
        ),
        Step(
            "xlsx",
            f"`hazreg export hazards -f xlsx -o …` ({S:,} hazards)",
            S,
            small,
            [*hz, "export", "hazards", "-f", "xlsx", "-o", str(out_xlsx)],
        ),
    ]
    base_env = dict(os.environ)
    base_env.update(HAZREG_OPERATOR="bench", HAZREG_NOW=files.now, HAZREG_LANG="en")
    base_env.pop("NO_COLOR", None)

    results: dict[str, list[Run]] = {s.key: [] for s in steps}
    last: dict[str, Run] = {}
    notes: list[str] = []
    source = _source_state()  # each command runs the source as it is when it starts
    for round_ in range(1, args.runs + 1):
        for db in (big, small):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        print(f"Round {round_}/{args.runs}:", flush=True)
        for step in steps:
            if step.key == "import_small":  # the small register starts as the roster alone
                copy_register(big, small)
            if _source_state() != source:
                source = _source_state()
                notes.append(
                    f"WARNING: hazreg's source changed before round {round_}, {step.label}: {source}"
                )
            env = {**base_env, "HAZREG_DB": str(step.db)}
            print(f"  {step.label} …", end=" ", flush=True)
            result = run(step.cmd, env, work, step.stdout)
            last[step.key] = result
            if result.returncode != 0:
                print("FAILED")
                report(steps, results, args, files, notes)
                sys.exit(
                    f"\nFAILED (exit {result.returncode}): {' '.join(step.cmd)[:300]}\n"
                    f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
                )
            results[step.key].append(result)
            print(f"{result.seconds:.1f} s, {result.peak_mb:.0f} MB", flush=True)

    # What the commands did, so that the timings are known to be of real work.
    for step in steps:
        said = " | ".join(
            line
            for line in (last[step.key].stdout + last[step.key].stderr).splitlines()
            if line.strip()
        )
        if said:
            notes.append(f"{step.label}: {said[:200]}")
    for name, db in (("big", big), ("small", small)):
        notes.append(f"register {name}.db: {counts(db)}, {db.stat().st_size / 1e6:.0f} MB")
    notes.append(
        f"{out_csv.name} ({out_csv.stat().st_size / 1e6:.0f} MB) against {floor_csv.name} "
        f"({floor_csv.stat().st_size / 1e6:.0f} MB): "
        + (same_rows(out_csv, floor_csv) if args.check else "not compared (--no-check)")
    )
    notes.append(
        f"{out_small_csv.name} against {floor_small_csv.name}: "
        + (same_rows(out_small_csv, floor_small_csv) if args.check else "not compared")
    )
    notes.append(f"{out_xlsx.name}: {out_xlsx.stat().st_size / 1e6:.1f} MB")
    report(steps, results, args, files, notes)


def report(
    steps: list[Step],
    results: dict[str, list[Run]],
    args: argparse.Namespace,
    files: Files,
    notes: list[str],
) -> None:
    secs = {k: statistics.median(r.seconds for r in rs) for k, rs in results.items() if rs}
    peak = {k: max(r.peak_mb for r in rs) for k, rs in results.items() if rs}
    floor_wrapper = run(["true"], dict(os.environ), args.dir).peak_mb
    print()
    print("| step | rows | seconds | rows/second | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for step in steps:
        if step.key not in secs:
            print(f"| {step.label} | {step.rows:,} | – | – | – |")
            continue
        s = secs[step.key]
        print(
            f"| {step.label} | {step.rows:,} | {s:.2f} | {step.rows / s:,.0f} | {peak[step.key]:.0f} |"
        )
    if len(secs) < len(steps):
        return

    ours = [s.key for s in steps if not s.key.startswith("floor")]
    worst = max(ours, key=lambda k: peak[k])
    import_aim = AIM_IMPORT_SECONDS_PER_MILLION * args.hazards / 1e6
    aims = [
        (
            f"`export hazards -f csv` within {AIM_EXPORT:g}× `sqlite3 -csv` ({args.hazards:,} rows)",
            f"{secs['export_big'] / secs['floor_big']:.2f}×",
            secs["export_big"] / secs["floor_big"] <= AIM_EXPORT,
        ),
        (
            f"{args.hazards:,} hazards imported in under {import_aim:g} s",
            f"{secs['import_big']:.1f} s",
            secs["import_big"] < import_aim,
        ),
        (
            f"peak memory of every hazreg command under {AIM_PEAK_MB:g} MB",
            f"{peak[worst]:.0f} MB ({worst})",
            peak[worst] < AIM_PEAK_MB,
        ),
    ]
    for key_big, key_small, what in (
        ("import_big", "import_small", "import hazards"),
        ("export_big", "export_small", "export hazards -f csv"),
    ):
        ratio = peak[key_big] / peak[key_small]
        aims.append(
            (
                f"`{what}` memory flat as the file grows {args.hazards / args.small:g}×: "
                f"peak within {AIM_FLAT:g}× of the {args.small:,}-row one's",
                f"{peak[key_small]:.0f} → {peak[key_big]:.0f} MB ({ratio:.2f}×, "
                f"{(peak[key_big] - peak[key_small]) * 2**20 / (args.hazards - args.small):.0f} bytes/row)",
                ratio <= AIM_FLAT,
            )
        )
    print()
    print("| aim | measured | met? |")
    print("|---|---:|---|")
    for text, measured, met in aims:
        print(f"| {text} | {measured} | {'yes' if met else 'NO'} |")
    print()
    runs = f"median of {args.runs} rounds" if args.runs > 1 else "one round"
    print(
        f"Wall time of each command as a subprocess ({runs}), output captured; peak RSS is the "
        f"child's maximum resident set, read by {TIME if TIME.exists() else 'a Python wrapper'} "
        f"(which alone shows {floor_wrapper:.1f} MB for `true`)."
    )
    print(
        f"Fresh registers: big.db gets the roster, then the {args.hazards:,}-row ledger; small.db "
        f"is a copy of the roster-only register, then the {args.small:,}-row ledger (the XLSX "
        f"export is all of small.db). HAZREG_NOW={files.now}."
    )
    for note in notes:
        print(f"- {note}")
    print(f"hazreg {_source_state()}")
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} "
        f"(sqlite3 CLI: {_sqlite_cli_version()}), {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}"
    )


def _source_state() -> str:
    """Which hazreg was measured: a hash of its source files and when they last changed."""
    import hashlib

    import hazreg

    root = Path(hazreg.__file__).parent
    digest = hashlib.sha256()
    newest = 0.0
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    changed = datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"source {root}: sha256 {digest.hexdigest()[:12]}, last changed {changed}"


def _sqlite_cli_version() -> str:
    try:
        return subprocess.run(
            [SQLITE3, "--version"], capture_output=True, text=True
        ).stdout.split()[0]
    except (OSError, IndexError):
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100_000, help="units in the roster (100000)")
    parser.add_argument(
        "--hazards", type=int, default=1_000_000, help="rows of the big ledger (1000000)"
    )
    parser.add_argument(
        "--small",
        type=int,
        default=None,
        help="rows of the small ledger: memory against file size, and the XLSX export "
        "(100000, or a tenth of --hazards if that is less)",
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="rounds; seconds are medians, memory the maximum (1)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed of the generated files (1)"
    )
    parser.add_argument(
        "--dir", type=Path, default=DEFAULT_DIR, help=f"files and scratch folder ({DEFAULT_DIR})"
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the files even if cached"
    )
    parser.add_argument(
        "--no-check",
        dest="check",
        action="store_false",
        help="do not compare hazreg's CSV export with the floor's, row by row",
    )
    args = parser.parse_args()
    if args.small is None:
        args.small = min(100_000, args.hazards // 10)
    if args.units < 1 or args.runs < 1 or not 0 < args.small < args.hazards:
        parser.error("--units and --runs must be positive, and 0 < --small < --hazards")
    if not Path(SQLITE3).exists():
        parser.error(f"the sqlite3 command-line shell is needed for the floor ({SQLITE3})")
    files = ensure_files(args)
    print()
    measure(files, args)


if __name__ == "__main__":
    main()
