"""Time and peak memory of `hazreg check` and `hazreg report weekly` on big registers.

    .venv/bin/python benchmarks/bench_scale.py            # 100,000 hazards
    .venv/bin/python benchmarks/bench_scale.py --large    # and 1,000,000 hazards

The registers are built by bench_cli.py's generator (hazreg's own code, one transaction)
and cached in --dir, keyed by size, seed and generator version; a register built at an
older schema is brought up to date on a copy before anything is timed. Each command runs
as a subprocess on a fresh copy; its peak memory is the child's maximum resident set
(getrusage RUSAGE_CHILDREN, read from a fresh process per command).
Aims at 1M: peak under 300 MB; `report weekly` under 2 s; `check` under 30 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cli  # noqa: E402

SIZES = {100_000: 5_000, 1_000_000: 50_000}  # hazards: units


BASE = 100_000  # built through hazreg's own code; bigger registers are copies of it


def ensure(folder: Path, hazards: int, seed: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The cached register of this size (built if missing or made by another generator).

    The base size is built through hazreg's register code; a multiple of it is the base
    copied in bulk SQL (bench_cli.replicate: ids shifted, uids, names and credit codes new, the
    history one chain with every hash computed afresh), made for the base's clock."""
    units = SIZES[hazards]
    params: dict[str, Any] = {"hazards": hazards, "units": units, "seed": seed,
                              "generator": bench_cli.GENERATOR_VERSION}
    stem, label = f"scale-h{hazards}-u{units}-s{seed}", f"{hazards:,} hazards over {units:,} units"
    if hazards == BASE:
        return bench_cli.cached_register(folder, stem, params, rebuild, label,
                                         lambda path, now: bench_cli.build(path, hazards, units, seed, now),
                                         bench_cli.describe_register)
    base, base_meta = ensure(folder, BASE, seed, False)
    copies = hazards // BASE
    params.update(copies_of=base_meta["built_at"])
    now = datetime.fromisoformat(base_meta["now"].replace("Z", "+00:00"))
    return bench_cli.cached_register(folder, stem, params, rebuild, f"{label} ({copies} copies of {BASE:,})",
                                     lambda path, _now: bench_cli.replicate(base, path, copies, seed),
                                     bench_cli.describe_register, now=now)


# A small process starts each command and reads its peak: a child forked from this process
# would count this process's memory (inherited across exec in ru_maxrss) as its own.
_LAUNCH = (
    "import os, subprocess, sys, time; t = time.perf_counter();"
    " p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL);"
    " _, s, u = os.wait4(p.pid, 0);"
    " print(time.perf_counter() - t, u.ru_maxrss, os.waitstatus_to_exitcode(s), file=sys.stderr)"
)


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(seconds, peak resident MB, exit code) of one command run as a child process."""
    proc = subprocess.run([sys.executable, "-c", _LAUNCH, *cmd], env=env, capture_output=True, text=True)
    elapsed, peak, code = proc.stderr.split()[-3:]
    return float(elapsed), int(peak) / 1024, int(code)


def measure(folder: Path, hazards: int, seed: int, rebuild: bool) -> list[tuple[str, float, float, int]]:
    register, meta = ensure(folder, hazards, seed, rebuild)
    work = folder / f"work-{hazards}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(register)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(register, work)
    from hazreg.register import open_register

    open_register(work, write=True).store.close()  # brought up to this schema, untimed
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(HAZREG_DB=str(work), HAZREG_NOW=meta["now"], HAZREG_OPERATOR="bench")
    hz = bench_cli.hazreg_command()
    run([*hz, "--help"], env)  # bytecode compiled, files in the page cache
    results = []
    for label, cmd in [("report weekly (computed)", [*hz, "report", "weekly"]),
                       ("report weekly (stored week)", [*hz, "report", "weekly"]),
                       ("report trend", [*hz, "report", "trend"]),
                       ("check", [*hz, "check"])]:
        elapsed, peak, code = run(cmd, env)
        results.append((label, elapsed, peak, code))
        print(f"  {hazards:>9,}  {label:<28} {elapsed:7.2f} s  {peak:7.0f} MB  exit {code}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 1,000,000 hazards (built once: many minutes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hazreg-bench-scale"))
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if len(sys.argv) > 1 and sys.argv[1] == "--build-only":
        return
    sizes = [100_000, 1_000_000] if args.large else [100_000]
    rows = [(n, *r) for n in sizes for r in measure(args.dir, n, args.seed, args.rebuild)]
    print("\n| hazards | command | seconds | peak MB | exit |\n|---:|---|---:|---:|---:|")
    for n, label, elapsed, peak, code in rows:
        print(f"| {n:,} | `hazreg {label}` | {elapsed:.2f} | {peak:.0f} | {code} |")
    big = [r for r in rows if r[0] == 1_000_000]
    if big:
        peak = max(r[3] for r in big)
        weekly = max(r[2] for r in big if r[1].startswith("report weekly"))
        check = next(r[2] for r in big if r[1] == "check")
        print(f"\nAims at 1M: peak under 300 MB: {'met' if peak < 300 else 'NOT met'} ({peak:.0f} MB); "
              f"weekly under 2 s: {'met' if weekly < 2 else 'NOT met'} ({weekly:.2f} s); "
              f"check under 30 s: {'met' if check < 30 else 'NOT met'} ({check:.1f} s).")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build-only"]:
        ensure(Path(sys.argv[2]), int(sys.argv[3]), 1, False)
    else:
        main()
