"""Time and peak memory of `hazreg report form` (the statistical form) on the 100,000-hazard register.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_forms.py [--dir /tmp/hazreg-bench-scale] [--large]

Uses bench_scale.py's cached registers (built there if missing; read, never changed): each
command runs on a fresh copy in its own folder, as `python -m hazreg` in a subprocess, at the
register's own clock. The form replays every hazard from the period's start (the weekly
report's walk), so the annual form costs the year's history. Also callable as a section of
bench_scale.py: run(registers, workdir).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_scale  # noqa: E402


def run(registers: dict[int, Path], workdir: Path) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("hazards", "command", "seconds", "CPU s", "peak MB", "exit")]
    for hazards, register in sorted(registers.items()):
        meta = json.loads(register.with_suffix(".json").read_text())
        folder = workdir / "forms"
        folder.mkdir(parents=True, exist_ok=True)
        work = bench_scale.work_copy(folder, register, hazards)
        env = {**os.environ, "HAZREG_DB": str(work), "HAZREG_NOW": meta["now"], "HAZREG_OPERATOR": "bench"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        hz = [sys.executable, "-m", "hazreg"]
        bench_scale.run([*hz, "--help"], env)
        for kind in ("monthly", "quarterly", "annual"):
            for fmt, extra in (("json", []), ("xlsx", ["-o", str(folder / f"form-{kind}.xlsx")])):
                elapsed, cpu, peak, code = bench_scale.run([*hz, "report", "form", kind, "-f", fmt, *extra], env)
                rows.append((f"{hazards:,}", f"report form {kind} -f {fmt}", f"{elapsed:.2f}", f"{cpu:.2f}",
                             f"{peak:.0f}", str(code)))
                print(f"  {hazards:>9,}  report form {kind:<9} -f {fmt:<4} {elapsed:7.2f} s  {cpu:7.2f} CPU s"
                      f"  {peak:7.0f} MB  exit {code}", flush=True)
        work.unlink(missing_ok=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hazreg-bench-scale"))
    parser.add_argument("--large", action="store_true", help="also the 1,000,000-hazard register")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    registers = {n: bench_scale.ensure(args.dir, n, args.seed, False)[0]
                 for n in ((100_000, 1_000_000) if args.large else (100_000,))}
    header, *body = run(registers, Path(str(args.dir) + "-forms"))
    print(f"\n| {' | '.join(header)} |\n|{'---|' * len(header)}")
    for row in body:
        print(f"| {' | '.join(row)} |")


if __name__ == "__main__":
    main()
