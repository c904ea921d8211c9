"""`hazreg import hazards` of a huge file, against the `executemany` floor of its finished rows.

    .venv/bin/python benchmarks/bench_import_scale.py             # 100,000 rows (and 3,000)
    .venv/bin/python benchmarks/bench_import_scale.py --large     # and 1,000,000 rows

For each size the script builds, once (cached in --dir, keyed by size, seed and generator
version), a roster CSV (one unit per 20 hazards) and a hazard ledger CSV made by
bench_cli.py's generator (statuses with their dates, five guarantees on majors), and an
empty register holding only the roster (imported by hazreg itself). Then, in one run:

- `hazreg import hazards FILE` into a fresh copy of that register, as a subprocess: wall time
  and the child's peak resident memory (getrusage of a fresh launcher process);
- the floor: the finished rows the import wrote (hazards, search rows, history entries) read
  back and written by Python `executemany` in one transaction into another fresh copy;
- the ratio import / floor (aim: within 2.5x at 1M).

`hazreg check` runs on the imported register (untimed) to show the result is sound.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cli  # noqa: E402

GENERATOR = 1
DEFAULT_DIR = Path("/tmp/hazreg-bench-import")
AIM = 2.5
UNIT_COLUMNS = ("name", "credit_code", "industry", "locality", "address", "contact", "phone", "risk")
HAZARD_COLUMNS = (
    "credit_code", "unit_name", "description", "level", "status", "source", "found_on", "found_by", "basis",
    "deadline", "owner", "measures", "funds", "contingency", "rectified_on", "verified_by", "verified_on",
    "verify_note", "closed_on", "void_reason",
)
NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def ensure(folder: Path, hazards: int, seed: int = 1) -> tuple[Path, Path, str]:
    """(the roster-only register, the hazard CSV, the clock) for this size, built once."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"import-h{hazards}-s{seed}-g{GENERATOR}"
    register, ledger, meta = Path(f"{stem}.db"), Path(f"{stem}.csv"), Path(f"{stem}.json")
    now = bench_cli.stamp(NOW)
    params = {"hazards": hazards, "seed": seed, "generator": GENERATOR, "bench_cli": bench_cli.GENERATOR_VERSION}
    if meta.exists() and register.exists() and ledger.exists() and json.loads(meta.read_text())["params"] == params:
        return register, ledger, now
    started = time.perf_counter()
    rng = random.Random(seed)
    today = NOW.date() + timedelta(days=0)
    units = bench_cli.make_units(max(17, hazards // 20), rng)
    roster = Path(f"{stem}-units.csv")
    with roster.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(UNIT_COLUMNS)
        for unit in units:
            writer.writerow([_text(unit[c]) for c in UNIT_COLUMNS])
    keys: set[tuple[int, object, str]] = set()
    with ledger.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HAZARD_COLUMNS)
        written = 0
        while written < hazards:
            index = rng.randrange(len(units))
            unit = units[index]
            h = bench_cli.make_hazard(index, unit, today, rng)
            key = (index, h["found_on"], h["description"])
            if key in keys:  # the same hazard twice would be a duplicate row: the import refuses it
                continue
            keys.add(key)
            cells = {"credit_code": unit["credit_code"], "unit_name": None if unit["credit_code"] else unit["name"],
                     **{k: v for k, v in h.items() if not k.startswith("_") and k != "unit"}}
            writer.writerow([_text(cells.get(c)) for c in HAZARD_COLUMNS])
            written += 1
    for suffix in ("", "-wal", "-shm"):
        Path(f"{register}{suffix}").unlink(missing_ok=True)
    env = _env(register, now)
    proc = subprocess.run([*bench_cli.hazreg_command(), "import", "units", str(roster)], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"roster import failed: {proc.stdout}{proc.stderr}")
    _checkpoint(register)
    meta.write_text(json.dumps({"params": params, "build_seconds": round(time.perf_counter() - started, 1)}))
    return register, ledger, now


def _env(register: Path, now: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(HAZREG_DB=str(register), HAZREG_NOW=now, HAZREG_OPERATOR="bench", HAZREG_LANG="en")
    return env


def _checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _fresh(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


_TABLES = ("hazards", "hazard_search", "history")


# A small process starts the command and reads its peak memory and CPU time (see bench_scale.py:
# a child forked from this process would count this process's memory as its own).
_LAUNCH = (
    "import os, subprocess, sys, time; t = time.perf_counter();"
    " p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL);"
    " _, s, u = os.wait4(p.pid, 0);"
    " print(time.perf_counter() - t, u.ru_maxrss, u.ru_utime + u.ru_stime, os.waitstatus_to_exitcode(s),"
    " file=sys.stderr)"
)


def launch(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall seconds, peak resident MB, CPU seconds, exit code) of one command run as a child."""
    proc = subprocess.run([sys.executable, "-c", _LAUNCH, *cmd], env=env, capture_output=True, text=True)
    elapsed, peak, cpu, code = proc.stderr.split()[-4:]
    return float(elapsed), int(peak) / 1024, float(cpu), int(code)


def floor(imported: Path, empty: Path) -> tuple[float, float]:
    """(wall, CPU) seconds to write the rows `imported` gained (hazards, search rows, history) into `empty`
    with Python `executemany`, in batches of 2,000, in one transaction (WAL, synchronous=FULL)."""
    source = sqlite3.connect(imported)
    target = sqlite3.connect(empty, isolation_level=None)
    target.execute("PRAGMA journal_mode = WAL")
    target.execute("PRAGMA synchronous = FULL")
    target.execute("PRAGMA foreign_keys = ON")
    target.execute("PRAGMA cache_size = -65536")
    already = {t: target.execute(f"SELECT coalesce(max(rowid), 0) FROM {t}").fetchone()[0] for t in _TABLES}
    started, cpu = time.perf_counter(), time.process_time()
    target.execute("BEGIN IMMEDIATE")
    for table in _TABLES:
        names = ["rowid", "text"] if table == "hazard_search" else [
            r[1] for r in source.execute(f"PRAGMA table_info({table})")]
        marks = ", ".join("?" for _ in names)
        cursor = source.execute(f"SELECT {', '.join(names)} FROM {table} WHERE rowid > ? ORDER BY rowid",
                                (already[table],))
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
        while batch := cursor.fetchmany(2000):
            target.executemany(sql, batch)
    target.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    source.close()
    target.close()
    return elapsed, cpu


def measure(folder: Path, hazards: int) -> tuple[str, ...]:
    register, ledger, now = ensure(folder, hazards)
    work = _fresh(register, folder / f"work-{hazards}.db")
    env = _env(work, now)
    hz = bench_cli.hazreg_command()
    launch([*hz, "--help"], env)  # bytecode compiled, files in the page cache
    seconds, peak, cpu, code = launch([*hz, "import", "hazards", str(ledger)], env)
    if code != 0:
        raise SystemExit(f"import of {ledger} exited {code}")
    counted = sqlite3.connect(work).execute("SELECT count(*) FROM hazards").fetchone()[0]
    checked = subprocess.run([*hz, "check"], env=env, capture_output=True).returncode
    empty = _fresh(register, folder / f"floor-{hazards}.db")
    floor_seconds, floor_cpu = floor(work, empty)
    ratio = seconds / floor_seconds
    print(f"  {hazards:>9,} rows: import {seconds:.2f} s (CPU {cpu:.2f} s, {peak:.0f} MB), floor {floor_seconds:.2f} s "
          f"(CPU {floor_cpu:.2f} s), ratio {ratio:.2f} (CPU {cpu / floor_cpu:.2f}), check exit {checked}", flush=True)
    return (f"{hazards:,}", f"{counted:,}", f"{seconds:.2f}", f"{cpu:.2f}", f"{peak:.0f}", f"{floor_seconds:.2f}",
            f"{floor_cpu:.2f}", f"{ratio:.2f}", f"{cpu / floor_cpu:.2f}", str(checked))


def run(registers: dict[int, Path], workdir: Path, sizes: tuple[int, ...] | None = None) -> list[tuple[str, ...]]:
    """HEADER, then a row per size (wall and CPU seconds: on a shared machine the CPU ratio is the steadier).
    This benchmark builds its own files in `workdir`; `registers` only says how far to go: 1,000,000
    rows too when bench_scale.py was given its 1M register (--large)."""
    if sizes is None:
        sizes = (3_000, 100_000, 1_000_000) if 1_000_000 in registers else (3_000, 100_000)
    return [HEADER, *(measure(workdir, n) for n in sizes)]


HEADER = ("rows", "hazards written", "import s", "import CPU s", "import peak MB", "executemany floor s",
          "floor CPU s", "import / floor", "CPU import / floor", "check exit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 1,000,000 rows (built once: many minutes)")
    parser.add_argument("--sizes", type=int, nargs="*", help="row counts to measure instead")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    sizes = tuple(args.sizes) if args.sizes else (3_000, 100_000, 1_000_000) if args.large else (3_000, 100_000)
    header, *rows = run({}, args.dir, sizes)
    print("\n| " + " | ".join(header) + " |\n|" + "---:|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nAim: import within {AIM}x the executemany floor at 1M.")


if __name__ == "__main__":
    main()
