"""Where `hazreg check` spends its time on big registers: each part alone, and the whole command.

    .venv/bin/python benchmarks/bench_check.py                     # 100,000 hazards
    .venv/bin/python benchmarks/bench_check.py --large             # and 1,000,000
    .venv/bin/python benchmarks/bench_check.py --compare /work/main/src   # before/after, same run

The registers are bench_scale.py's (cached in --dir, built if missing), copied fresh and given
the same three stored weeks bench_scale.py makes (so `check` recomputes them, as it does there).
Each part runs by itself, in order, in one child process per source tree (PYTHONPATH picks the
tree), timed in CPU seconds (the steadier figure on a shared machine) and wall seconds:

- integrity: SQLite's `PRAGMA integrity_check` (the whole command runs it beside the rest);
- chain: the history's hash chain; records: every record against its history; children:
  supervisions, extensions, fines and files against their entries; structure: counters, the
  search index and the migrations; weeks: the stored weekly reports recomputed.

The whole `hazreg check` is then run as bench_scale.py runs it (a child process: wall, CPU of
all its threads, peak resident MB). Aim at 1M: under 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_scale  # noqa: E402

_PARTS = r"""
import json, resource, sys, time
from pathlib import Path
from hazreg.register import open_register
from hazreg.register import integrity as I
from hazreg.register.weekly import stored_weeks_problems

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

reg = open_register(Path(sys.argv[1]), write=False)
parts = [("integrity", lambda: reg.store.integrity_problems()), ("chain", lambda: I.verify_chain(reg)["ok"]),
         ("records", lambda: I.replay_mismatches(reg)[0]), ("children", lambda: I.replay_children(reg)[0]),
         ("structure", lambda: I.structure_problems(reg)), ("weeks", lambda: stored_weeks_problems(reg)),
         ("rest", lambda: (reg.store.foreign_key_problems(), I.replay_settings(reg), reg.supervision.check_files(),
                           reg.store.closed_majors()))]
for name, part in parts:
    c, w = cpu(), time.perf_counter()
    part()
    print(json.dumps([name, cpu() - c, time.perf_counter() - w]), flush=True)
"""

# A fresh copy of the cached register, brought up to the schema of the tree on PYTHONPATH.
_COPY = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import bench_scale
bench_scale.work_copy(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
"""


def parts(tree: Path, work: Path, env: dict[str, str]) -> list[tuple[str, float, float]]:
    out = subprocess.run([sys.executable, "-c", _PARTS, str(work)], env={**env, "PYTHONPATH": str(tree)},
                         capture_output=True, text=True, check=True).stdout
    return [tuple(json.loads(line)) for line in out.splitlines()]  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 1,000,000 hazards")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hazreg-bench-scale"), help="the cached registers")
    parser.add_argument("--work", type=Path, default=Path("/tmp/hazreg-bench-check"),
                        help="where the copies timed are made (not --dir: bench_scale.py may be timing its own there)")
    parser.add_argument("--compare", type=Path, help="another source tree (e.g. /work/main/src), timed in the same run")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1] / "src"
    trees = [("this tree", here)] + ([(str(args.compare), args.compare)] if args.compare else [])
    rows: list[tuple[int, str, str, float, float, float]] = []
    for hazards in [100_000, 1_000_000] if args.large else [100_000]:
        register, meta = bench_scale.ensure(args.dir, hazards, 1, False)
        for n, (label, tree) in enumerate(trees):
            # Each tree times a copy of its own, brought up to its own schema by itself (the trees
            # may be at different schema versions: a register at a newer one is refused).
            folder = args.work / f"tree{n}"
            folder.mkdir(parents=True, exist_ok=True)
            work = folder / f"work-{hazards}.db"
            env = dict(os.environ)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env.update(HAZREG_DB=str(work), HAZREG_NOW=meta["now"], HAZREG_OPERATOR="bench", PYTHONPATH=str(tree))
            subprocess.run([sys.executable, "-c", _COPY, str(Path(__file__).resolve().parent), str(folder), str(register),
                            str(hazards)], env=env, check=True)
            hz = [sys.executable, "-m", "hazreg"]
            for weeks_back in (0, 1, 10):  # the weeks bench_scale.py stores before its `check`
                bench_scale.run([*hz, "report", "weekly", "--week", bench_scale._iso_week(meta["now"], weeks_back)], env)
            for name, cpu, wall in parts(tree, work, env):
                rows.append((hazards, label, name, cpu, wall, 0.0))
                print(f"  {hazards:>9,}  {label:<20} {name:<10} {cpu:7.2f} CPU s {wall:7.2f} s", flush=True)
            elapsed, cpu, peak, code = bench_scale.run([*hz, "check"], {**env, "PYTHONPATH": str(tree)})
            rows.append((hazards, label, f"`hazreg check` (exit {code})", cpu, elapsed, peak))
            print(f"  {hazards:>9,}  {label:<20} check      {cpu:7.2f} CPU s {elapsed:7.2f} s {peak:5.0f} MB exit {code}",
                  flush=True)
    print("\n| hazards | tree | part | CPU s | wall s | peak MB |\n|---:|---|---|---:|---:|---:|")
    for hazards, label, name, cpu, wall, peak in rows:
        print(f"| {hazards:,} | {label} | {name} | {cpu:.2f} | {wall:.2f} | {f'{peak:.0f}' if peak else ''} |")
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end (a shared machine inflates times).")


if __name__ == "__main__":
    main()
