"""How fast the weekly report, stats and trend answer on a big register with a long history.

    .venv/bin/python benchmarks/bench_weekly.py [--hazards 100000] [--units 5000] [--runs 7]

Reuses (or builds) the register of bench_cli.py: 100,000 hazards over 5,000 units whose
history runs over two years (each hazard created, started, rectified, verified or
voided on its own dates). Times `hazreg report weekly` in each format, `report stats`
and `report trend` as subprocesses (medians of interleaved runs, bytecode compiled as
an installed hazreg has it), and the in-process replay alone. Aim: the weekly report
under 2 seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cli  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hazreg-bench"))
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    register, meta = bench_cli.ensure_register(args)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode compiled (see bench_cli)
    env.update(HAZREG_DB=str(register), HAZREG_NOW=meta["now"])
    hazreg = bench_cli.hazreg_command()
    commands = [
        ("`hazreg report weekly` (md)", [*hazreg, "report", "weekly"]),
        ("`hazreg report weekly -f html`", [*hazreg, "report", "weekly", "-f", "html"]),
        ("`hazreg report weekly -f json`", [*hazreg, "report", "weekly", "-f", "json"]),
        ("`hazreg report stats --by month`", [*hazreg, "report", "stats", "--by", "month"]),
        ("`hazreg report trend`", [*hazreg, "report", "trend"]),
    ]
    times: dict[str, list[float]] = {label: [] for label, _ in commands}
    for round_ in range(args.runs + 1):
        for label, cmd in commands:
            elapsed, _ = bench_cli.run_once(cmd, env, args.dir)
            if round_:
                times[label].append(elapsed)
    os.environ["HAZREG_NOW"] = meta["now"]
    from hazreg.register import open_register
    from hazreg.register.weekly import weekly_report

    reg = open_register(register, write=False)
    inproc = []
    for _ in range(args.runs):
        started = time.perf_counter()
        weekly_report(reg)
        inproc.append(time.perf_counter() - started)
    history = reg.store.count("history")
    print(f"\nRegister: {args.hazards:,} hazards, {history:,} history entries; {args.runs} rounds.\n")
    print("| command | median ms | min ms |\n|---|---:|---:|")
    for label, values in times.items():
        print(f"| {label} | {statistics.median(values) * 1000:.0f} | {min(values) * 1000:.0f} |")
    print(f"| `weekly_report(reg)` in-process (the replay) | {statistics.median(inproc) * 1000:.0f} | {min(inproc) * 1000:.0f} |")
    worst = max(statistics.median(v) for v in times.values() if v)
    print(f"\nAim: the weekly report under 2 s: {'met' if worst < 2 else 'NOT met'} (slowest {worst:.2f} s).")


if __name__ == "__main__":
    main()
