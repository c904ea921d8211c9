"""How fast `hazreg demo` builds its register: the command as a user runs it, and `build_demo` in-process.

    .venv/bin/python benchmarks/bench_demo.py            # 7 rounds
    .venv/bin/python benchmarks/bench_demo.py --runs 11

Prints one table: median and fastest wall time, and median CPU time, of `hazreg demo --path …` (a subprocess, stdout to a
pipe, so start-up and the listing it prints are included) and of `build_demo` alone, and what the
demo register holds (hazards, inspections, accidents, targets, cases where the register has them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes: steadier than wall time on a
    loaded machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _count(path: Path) -> dict[str, int]:
    import sqlite3

    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 (names from sqlite_master)
              for t in ("units", "hazards", "inspections", "accidents", "targets", "cases", "case_penalties",
                        "case_payments", "history") if t in tables}
    db.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hazreg-bench-demo-"))
    env = {**os.environ, "XDG_DATA_HOME": str(folder / "xdg"), "HAZREG_OPERATOR": "bench"}
    env.pop("HAZREG_DB", None)
    command: list[float] = []
    command_cpu: list[float] = []
    inprocess: list[float] = []
    inprocess_cpu: list[float] = []
    path = folder / "demo.db"
    for _ in range(args.runs):
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run([sys.executable, "-m", "hazreg", "demo", "--path", str(path)], env=env, check=True,
                       stdin=subprocess.DEVNULL, capture_output=True)
        command.append(time.perf_counter() - start)
        command_cpu.append(_children_cpu() - cpu)
    from hazreg.demo import build_demo

    for _ in range(args.runs):
        start, cpu = time.perf_counter(), time.process_time()
        build_demo(folder / "inprocess.db", "bench").store.close()
        inprocess.append(time.perf_counter() - start)
        inprocess_cpu.append(time.process_time() - cpu)
    print(f"{'what':<28} {'median ms':>10} {'fastest ms':>11} {'median CPU ms':>14}")
    for name, times, cpus in (("hazreg demo (command)", command, command_cpu),
                              ("build_demo (in-process)", inprocess, inprocess_cpu)):
        print(f"{name:<28} {statistics.median(times) * 1000:>10.0f} {min(times) * 1000:>11.0f}"
              f" {statistics.median(cpus) * 1000:>14.0f}")
    print("holds: " + ", ".join(f"{k} {v}" for k, v in _count(path).items()))


if __name__ == "__main__":
    main()
