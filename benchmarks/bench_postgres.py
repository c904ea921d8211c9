"""hazreg on PostgreSQL beside SQLite, on the same 100,000-hazard register, as ratios in one run.

    .venv/bin/python benchmarks/bench_postgres.py [--hazards 100000] [--units 5000] [--runs 7]

1. Takes bench_cli.py's cached register (built if missing) and copies it onto a PostgreSQL
   server with `hazreg copy` (timed). The server is pgserver's (a PostgreSQL 16 in a wheel),
   kept in --dir/pg between runs; a database already holding the same register is reused.
2. Times `add`, `list`, `list --search 灭火器` and `report weekly` on both engines, each as a
   subprocess, interleaved, medians of --runs rounds after one warm-up. `add` writes to a fresh
   copy of each register (a file copy; CREATE DATABASE … TEMPLATE), never to the cached ones.
3. Times a --import-rows import (bench_io.py's generated roster and ledger) into an empty
   register on each engine: `import units`, then `import hazards`.
4. Prints a Markdown table with the ratios PostgreSQL / SQLite and the aims (single-record
   commands within 1.3×, the weekly report and the import within 2×). Exits 0 either way.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_cli  # noqa: E402  (beside this file)

# `python -m hazreg` on both engines: the code on sys.path (PYTHONPATH=src in a work tree), as
# the editable install's `hazreg` script might import another copy.
HZ = [sys.executable, "-m", "hazreg"]
AIM_SINGLE = 1.3
AIM_BULK = 2.0


def server(folder: Path) -> Any:
    import warnings

    import pgserver

    folder.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pgserver.get_server(folder, cleanup_mode="stop")


def url(pg: Any, dbname: str) -> str:
    head, _, query = pg.get_uri().partition("?")
    return f"{head.rsplit('/', 1)[0]}/{dbname}?{query}".replace("postgres:@", "postgres@")


def admin(pg: Any, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url(pg, "postgres"), autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else []


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"FAILED (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode(errors='replace')}")
    return elapsed


def head(address: str, env: dict[str, str]) -> str:
    proc = subprocess.run([*HZ, "--db", address, "check", "--anchor", "-f", "json"],
                          capture_output=True, text=True, env=env)
    return proc.stdout if proc.returncode == 0 else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the timed import (100000)")
    parser.add_argument("--dir", type=Path, default=bench_cli.DEFAULT_DIR)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    register, meta = bench_cli.ensure_register(args)
    pg = server(args.dir / "pg")
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("NO_COLOR", None)
    env.update(HAZREG_OPERATOR="bench", HAZREG_NOW=meta["now"])
    hz = HZ
    cached = f"bench_h{args.hazards}_u{args.units}_s{args.seed}"
    source_head = head(str(register), env)
    copy_seconds = None
    if not admin(pg, f"SELECT 1 FROM pg_database WHERE datname = '{cached}'") \
            or head(url(pg, cached), env) != source_head:
        admin(pg, f"DROP DATABASE IF EXISTS {cached}")
        admin(pg, f"CREATE DATABASE {cached}")
        print(f"Copying {register.name} onto PostgreSQL with hazreg copy …", flush=True)
        copy_seconds = run([*hz, "copy", str(register), url(pg, cached)], env, args.dir)
    # Fresh working copies: `add` writes there.
    work = args.dir / "pg-work.db"
    conn = sqlite3.connect(register)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(register, work)
    admin(pg, "DROP DATABASE IF EXISTS bench_work")
    admin(pg, f"CREATE DATABASE bench_work TEMPLATE {cached}")
    engines = {"SQLite": str(work), "PostgreSQL": url(pg, "bench_work")}
    cmds = [
        ("add", ["add", bench_cli.ADD_DESCRIPTION, "--unit", "U17", "--deadline", "+7d"]),
        ("list", ["list"]),
        (f"list --search {bench_cli.SEARCH_WORD}", ["list", "--search", bench_cli.SEARCH_WORD]),
        ("report weekly", ["report", "weekly"]),
    ]
    times: dict[tuple[str, str], list[float]] = {(c, e): [] for c, _ in cmds for e in engines}
    print(f"Timing {len(cmds)} commands on 2 engines: 1 warm-up + {args.runs} rounds …", flush=True)
    for round_ in range(args.runs + 1):
        for label, cmd in cmds:
            for engine, address in engines.items():
                elapsed = run([*hz, "--db", address, *cmd], env, args.dir)
                if round_:
                    times[(label, engine)].append(elapsed)
    # The import: bench_io's roster and ledger into an empty register on each engine.
    import bench_io

    io_args = argparse.Namespace(units=args.units, hazards=args.import_rows, small=args.import_rows,
                                 seed=args.seed, dir=args.dir / "io", regenerate=False)
    files = bench_io.ensure_files(io_args)
    env_io = {**env, "HAZREG_NOW": files.now}
    imports: dict[str, float] = {}
    for engine in engines:
        if engine == "SQLite":
            target = args.dir / "pg-import.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            address = str(target)
        else:
            admin(pg, "DROP DATABASE IF EXISTS bench_import")
            admin(pg, "CREATE DATABASE bench_import")
            address = url(pg, "bench_import")
            run([*hz, "--db", address, "db", "init"], env_io, args.dir)
        run([*hz, "--db", address, "import", "units", str(files.roster)], env_io, args.dir)
        imports[engine] = run([*hz, "--db", address, "import", "hazards", str(files.small)], env_io, args.dir)

    med = {key: statistics.median(ts) * 1000 for key, ts in times.items()}
    print()
    print("| command | SQLite ms | PostgreSQL ms | PostgreSQL / SQLite | aim | met? |")
    print("|---|---:|---:|---:|---:|---|")
    for label, _ in cmds:
        lite, pgm = med[(label, "SQLite")], med[(label, "PostgreSQL")]
        aim = AIM_BULK if label == "report weekly" else AIM_SINGLE
        print(f"| `hazreg {label}` | {lite:.0f} | {pgm:.0f} | {pgm / lite:.2f}× | {aim}× | "
              f"{'yes' if pgm / lite <= aim else 'NO'} |")
    lite, pgs = imports["SQLite"] * 1000, imports["PostgreSQL"] * 1000
    print(f"| `hazreg import hazards` ({args.import_rows:,} rows) | {lite:.0f} | {pgs:.0f} | {pgs / lite:.2f}× "
          f"| {AIM_BULK}× | {'yes' if pgs / lite <= AIM_BULK else 'NO'} |")
    print()
    if copy_seconds is not None:
        print(f"`hazreg copy` of the register onto PostgreSQL: {copy_seconds:.1f} s")
    print(f"Register: {meta['params']['hazards']:,} hazards, {meta['params']['units']:,} units; "
          f"medians of {args.runs} interleaved rounds after 1 warm-up; the import once per engine.")
    version = admin(pg, "SHOW server_version")[0][0]
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, PostgreSQL {version} "
          f"(pgserver, local socket), {platform.machine()}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
