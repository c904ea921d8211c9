"""Time and peak memory of `hazreg check` and `hazreg report weekly` on big registers.

    .venv/bin/python benchmarks/bench_scale.py            # 100,000 hazards
    .venv/bin/python benchmarks/bench_scale.py --large    # and 1,000,000 hazards

The 100k register is built by bench_cli.py's generator (hazreg's own code, one
transaction, about a minute); the 1M one is ten copies of it made in bulk SQL
(bench_cli.replicate: about three minutes). Both are cached in --dir, keyed by size, seed
and generator version; a register built at an older schema is brought up to date on a
copy before anything is timed. Each command runs as `python -m hazreg` (so PYTHONPATH
picks the source tree) in a subprocess on a fresh copy; its peak memory is the child's
maximum resident set (getrusage RUSAGE_CHILDREN, read from a fresh process per command).
Weekly reports are timed the first time (nothing stored) for the current week, the last
complete one and one ten weeks back, then the last complete one again (stored); `check`
then verifies the three stored weeks too. Then `report trend` with three of its twelve weeks
kept, and with all of them; and last as an office that runs its report each week has it: last
week's report the first time, with the week before kept, now and on the next Monday morning
(nothing written since); then `check` again, with the trend's twelve weeks kept. --compare SRC
also times every one of those commands by another source tree (e.g. main's), on its own copy of
the same register brought up to that tree's schema (a tree refuses a register at a newer
schema), each step by both trees one after the other, in the same run, at every size. --no-extra leaves out the import, export and start-up sections.
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
    " print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss, os.waitstatus_to_exitcode(s),"
    " file=sys.stderr)"
)


_FORGET = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
           " c.execute('DELETE FROM weekly_computed WHERE week IN (' + ', '.join('?' * len(sys.argv[2:])) + ')'"
           " if sys.argv[2:] else 'DELETE FROM weekly_computed', sys.argv[2:]); c.commit(); c.close()")


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """(seconds, CPU seconds, peak resident MB, exit code) of one command run as a child process.
    On a shared machine the CPU time (user and system) is the steadier figure."""
    proc = subprocess.run([sys.executable, "-c", _LAUNCH, *cmd], env=env, capture_output=True, text=True)
    elapsed, cpu, peak, code = proc.stderr.split()[-4:]
    return float(elapsed), float(cpu), int(peak) / 1024, int(code)


def _iso_week(moment: str, weeks_back: int) -> str:
    """The ISO week `weeks_back` weeks before the one of `moment` (the register's clock, Shanghai)."""
    from datetime import timedelta

    from hazreg.dates import DEFAULT_TIMEZONE, zone

    day = datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(zone(DEFAULT_TIMEZONE)).date()
    year, week, _ = (day - timedelta(weeks=weeks_back)).isocalendar()
    return f"{year}-W{week:02d}"


def _monday(moment: str, weeks_back: int) -> str:
    """The Monday (ISO date) of the week `weeks_back` weeks before the one of `moment`, as the
    register keeps its weeks."""
    from datetime import date

    year, week = (int(part) for part in _iso_week(moment, weeks_back).split("-W"))
    return date.fromisocalendar(year, week, 1).isoformat()


def _next_monday(moment: str) -> str:
    """01:00 on the Monday after `moment`, in the register's clock (Shanghai), as UTC."""
    from datetime import date, time, timedelta

    from hazreg.dates import DEFAULT_TIMEZONE, zone

    monday = date.fromisoformat(_monday(moment, 0)) + timedelta(weeks=1)
    local = datetime.combine(monday, time(1), tzinfo=zone(DEFAULT_TIMEZONE))
    return local.astimezone(zone("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def work_copy(folder: Path, register: Path, hazards: int, tree: Path | None = None) -> Path:
    """A fresh copy of the cached register to time commands on, brought up to the schema of this
    hazreg (or of the source tree `tree`, in a child process: a register at a newer schema than
    a tree's is refused by it, so each tree compared times its own copy)."""
    work = folder / (f"work-{hazards}.db" if tree is None else f"work-{hazards}-compared.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(register)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(register, work)
    if tree is None:
        from hazreg.register import open_register

        open_register(work, write=True).store.close()  # brought up to this schema, untimed
    else:
        subprocess.run([sys.executable, "-c", "import sys; from hazreg.register import open_register;"
                        " open_register(sys.argv[1], write=True).store.close()", str(work)],
                       env={**os.environ, "PYTHONPATH": str(tree)}, check=True)
    return work


def _steps(work: Path, meta: dict[str, Any], env: dict[str, str], by: str = "",
           ) -> list[tuple[str | None, list[str], dict[str, str]]]:
    """The commands timed on one copy (labelled, `by` naming another tree) and those between them."""
    env = {**env, "HAZREG_DB": str(work)}
    hz = [sys.executable, "-m", "hazreg"]
    current, past = _iso_week(meta["now"], 0), _iso_week(meta["now"], 10)
    steps: list[tuple[str | None, list[str], dict[str, str]]] = [
        (f"report weekly --week {current} (first time)", [*hz, "report", "weekly", "--week", current], env),
        ("report weekly (last week, first time)", [*hz, "report", "weekly"], env),
        (f"report weekly --week {past} (first time)", [*hz, "report", "weekly", "--week", past], env),
        ("report weekly (last week, stored)", [*hz, "report", "weekly"], env),
        ("check", [*hz, "check"], env),
        # The trend's twelve weeks: three of them kept by the reports above; then every one,
        # as in an office that runs its weekly report each week (kept untimed, after check,
        # so check recomputes the same three weeks as before).
        ("report trend (3 of 12 weeks kept)", [*hz, "report", "trend"], env)]
    steps += [(None, [*hz, "report", "weekly", "--week", _iso_week(meta["now"], n)], env) for n in range(1, 12)]
    steps.append(("report trend (12 of 12 weeks kept)", [*hz, "report", "trend"], env))
    # The office's Monday: last week's report, the week before kept by last Monday's (it reads that
    # week's figures and walks only the hazards changed since last week ended).
    steps.append((None, [sys.executable, "-c", _FORGET, str(work), _monday(meta["now"], 1)], env))
    steps.append(("report weekly (last week, first time, the week before kept)", [*hz, "report", "weekly"], env))
    # The next Monday morning, nothing written since: the week just ended (the current one until
    # then, kept above: forgotten) with the week before kept; the walk has nothing to take back.
    steps.append((None, [sys.executable, "-c", _FORGET, str(work), _monday(meta["now"], 0)], env))
    steps.append(("report weekly (next Monday 01:00, first time, the week before kept)", [*hz, "report", "weekly"],
                  {**env, "HAZREG_NOW": _next_monday(meta["now"])}))
    # `check` as in that office: the trend's twelve weeks kept (the current one and the eleven
    # before it), each recomputed from the history.
    steps.append(("check (the trend's weeks kept)", [*hz, "check"], env))
    return [(None if label is None else label + by, cmd, environment) for label, cmd, environment in steps]


def measure(folder: Path, hazards: int, seed: int, rebuild: bool, compare: Path | None,
            ) -> tuple[Path, list[tuple[str, float, float, float, int]]]:
    register, meta = ensure(folder, hazards, seed, rebuild)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(HAZREG_NOW=meta["now"], HAZREG_OPERATOR="bench")
    work = work_copy(folder, register, hazards)
    run([sys.executable, "-m", "hazreg", "--help"], env)  # bytecode compiled, files in the page cache
    steps = _steps(work, meta, env)
    if compare is not None:
        # The same commands by another source tree (e.g. main's), on its own copy of the same
        # register, one after the other with this tree's (each step by both before the next).
        other = _steps(work_copy(folder, register, hazards, compare), meta, {**env, "PYTHONPATH": str(compare)},
                       f" by {compare}")
        steps = [step for pair in zip(other, steps, strict=True) for step in pair]
    results = []
    for label, cmd, environment in steps:
        if label is None:  # a step between the timed ones, not timed
            subprocess.run(cmd, env=environment, check=True, stdout=subprocess.DEVNULL)
            continue
        elapsed, cpu, peak, code = run(cmd, environment)
        results.append((label, elapsed, cpu, peak, code))
        print(f"  {hazards:>9,}  {label:<72} {elapsed:7.2f} s  {cpu:7.2f} CPU s  {peak:7.0f} MB  exit {code}",
              flush=True)
    return register, results


# Sections other benchmarks add to this one's run: a module benchmarks/NAME.py, if present, with
# run(registers: dict[int, Path], workdir: Path) -> list[tuple[str, ...]] (its first row the
# table's header, or a module-level HEADER), given the cached registers by number of hazards (read
# them, do not change them; the 1M one is there only with --large).
EXTRA_SECTIONS: list[str] = ["bench_import_scale", "bench_export_scale", "bench_startup"]


def extra_sections(registers: dict[int, Path], workdir: Path) -> None:
    import importlib

    for name in EXTRA_SECTIONS:
        if not (Path(__file__).resolve().parent / f"{name}.py").exists():
            continue
        module = importlib.import_module(name)
        rows = module.run(registers, workdir)
        if not rows:
            continue
        header = getattr(module, "HEADER", None)  # a section may give its header apart from its rows
        if header is not None and tuple(rows[0]) != tuple(header):
            rows = [header, *rows]
        header, *body = rows
        print(f"\n{name}:\n\n| {' | '.join(header)} |\n|{'---|' * len(header)}")
        for row in body:
            print(f"| {' | '.join(row)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 1,000,000 hazards (built once: a few minutes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hazreg-bench-scale"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--compare", type=Path,
                        help="also time `check` and the last week's report by this source tree (e.g. /work/main/src)")
    parser.add_argument("--no-extra", action="store_true", help="leave out the import, export and start-up sections")
    args = parser.parse_args()
    sizes = [100_000, 1_000_000] if args.large else [100_000]
    registers: dict[int, Path] = {}
    rows = []
    for n in sizes:
        registers[n], results = measure(args.dir, n, args.seed, args.rebuild, args.compare)
        rows += [(n, *r) for r in results]
    print("\n| hazards | command | seconds | CPU seconds | peak MB | exit |\n|---:|---|---:|---:|---:|---:|")
    for n, label, elapsed, cpu, peak, code in rows:
        print(f"| {n:,} | `hazreg {label}` | {elapsed:.2f} | {cpu:.2f} | {peak:.0f} | {code} |")
    big = [r for r in rows if r[0] == 1_000_000 and " by " not in r[1]]
    if big:
        peak = max(r[4] for r in big)
        weekly = max(r[2] for r in big if r[1].startswith("report weekly"))
        check = next(r[2] for r in big if r[1] == "check")
        print(f"\nAims at 1M: peak under 300 MB: {'met' if peak < 300 else 'NOT met'} ({peak:.0f} MB); "
              f"weekly under 2 s: {'met' if weekly < 2 else 'NOT met'} ({weekly:.2f} s); "
              f"check under 30 s: {'met' if check < 30 else 'NOT met'} ({check:.1f} s).")
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end (a shared machine inflates times).")
    if not args.no_extra:
        extra_sections(registers, args.dir)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build-only"]:
        ensure(Path(sys.argv[2]), int(sys.argv[3]), 1, False)
    else:
        main()
