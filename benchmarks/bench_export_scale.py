"""Export at scale: `hazreg export hazards` as CSV against `sqlite3 -csv`, and XLSX with and without lxml.

    .venv/bin/python benchmarks/bench_export_scale.py                      # 100,000 hazards
    .venv/bin/python benchmarks/bench_export_scale.py --register 1000000=/path/to/scale-h1000000.db
    .venv/bin/python benchmarks/bench_export_scale.py --compare /path/to/other/checkout/src
    .venv/bin/python benchmarks/bench_export_scale.py --history --no-xlsx --compare /path/to/other/src

The 100k register is bench_scale.py's (built once and cached in --dir); a 1M one is used when
one is passed (building it takes many minutes). Each register is copied and brought up to this
schema before anything is timed. Every command runs as a subprocess writing to a file on the
same disk (stdout redirected: no fsync on either side), `--runs` times; the median is reported,
with the command's peak memory (the largest of the runs). `--compare SRC` runs the same CSV
exports from another checkout's source too (PYTHONPATH=SRC), in the same rounds.

`sqlite3 -csv` runs the export's own query (hazreg.storage.sqlite.exports) with the cells that
need hazreg's Python rule left as stored: ids with their letter, funds in yuan, overdue and
plan_complete as 0/1 — the floor for the same rows and columns. The `sqlite3` command-line
shell may be missing (`apt-get install -y sqlite3`): the table then says so and skips it.
XLSX is timed at 100k only, once with lxml and once with OPENPYXL_LXML=False (openpyxl's own switch).
`--history` adds `export history` as CSV, in both languages, against `sqlite3 -csv` of the history
table's columns as stored.
Aim: CSV within 2x `sqlite3 -csv`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cli  # noqa: E402
import bench_scale  # noqa: E402

AIM = 2.0
HISTORY_FLOOR = "sqlite3 -csv history (its columns as stored)"
HEADER = ("hazards", "command", "wall s", "CPU s", "peak MB", "MB written", "× sqlite3 -csv (wall)", "× (CPU)")


def _prepare(source: Path, workdir: Path, size: int) -> tuple[Path, str]:
    """A copy of `source` at this schema, and the moment to run at (its build time, else now)."""
    work = workdir / f"export-{size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    shutil.copyfile(source, work)
    from hazreg.register import open_register

    open_register(work, write=True).store.close()  # brought up to this schema, untimed
    meta = source.with_suffix(".json")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if meta.exists():
        import json

        now = json.loads(meta.read_text(encoding="utf-8")).get("now", now)
    return work, now


def _floor_sql(register: Path, now: str) -> str:
    """The export's query with no Python rule in it, `today` written in, for the sqlite3 shell."""
    from hazreg.register import HazardFilter, open_register
    from hazreg.register.lifecycle import PLAN_FIELDS
    from hazreg.render.records import HAZARD_COLUMNS
    from hazreg.storage import CellRules

    os.environ["HAZREG_NOW"] = now
    reg = open_register(register, write=False)
    rules = CellRules(cell=lambda c, v: v, literals={}, guarded=frozenset(), starts="")
    found = reg.store.hazard_cells_sql(HazardFilter(), reg.today(), HAZARD_COLUMNS, rules, PLAN_FIELDS)
    assert found is not None
    sql, params = found
    reg.store.close()
    for name, value in params.items():
        sql = sql.replace(f":{name}", "'" + str(value).replace("'", "''") + "'")
    return sql


def _timed(cmd: list[str], out: Path, env: Mapping[str, str]) -> tuple[float, float, float]:
    """Wall s, CPU s (user + system) and peak MB of one run (the launcher's only child is the command)."""
    launcher = (
        "import resource, subprocess, sys, time; t = time.perf_counter();"
        " p = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], 'wb'), stderr=subprocess.PIPE);"
        " w = time.perf_counter() - t; u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        " print(w, u.ru_utime + u.ru_stime, u.ru_maxrss, p.returncode);"
        " sys.stderr.write(p.stderr.decode(errors='replace')[-500:])"
    )
    proc = subprocess.run([sys.executable, "-c", launcher, str(out), *cmd], env=dict(env), capture_output=True, text=True)
    wall, cpu, peak_kb, code = proc.stdout.split()
    if int(code):
        raise SystemExit(f"{' '.join(cmd[:4])}… exited {code}: {proc.stderr}")
    return float(wall), float(cpu), float(peak_kb) / 1024


def run(registers: Mapping[int, Path] | None, workdir: Path, runs: int = 3, xlsx: bool = True,
        compare: Path | None = None, history: bool = False) -> list[tuple[str, ...]]:
    """HEADER, then rows of (hazards, command, median wall s, median CPU s, peak MB, MB written,
    × sqlite3 -csv wall, × CPU); with `compare`, the CSV exports of that source tree too; with
    `history`, `export history` as CSV too (its ratios against `sqlite3 -csv` of the history table).

    The commands of a size run in rounds, each round running each once in turn, so that a
    machine busy with something else slows them alike."""
    workdir.mkdir(parents=True, exist_ok=True)
    given = dict(registers or {})
    if 100_000 not in given:
        given[100_000] = bench_scale.ensure(workdir, 100_000, 1, False)[0]
    hz = bench_cli.hazreg_command()
    shell = shutil.which("sqlite3")
    rows: list[tuple[str, ...]] = [HEADER]
    for size in sorted(given):
        work, now = _prepare(given[size], workdir, size)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(HAZREG_DB=str(work), HAZREG_NOW=now, HAZREG_OPERATOR="bench", HAZREG_LANG="en")
        subprocess.run([*hz, "--help"], env=env, capture_output=True)  # bytecode compiled, files cached
        n = f"{size:,}"
        out = workdir / f"out-{size}"
        csvs: list[tuple[str, list[str], Path, dict[str, str]]] = []
        if shell:
            csvs.append(("sqlite3 -csv (the same query, no Python rule)",
                         [shell, "-csv", "-header", "-readonly", str(work), _floor_sql(work, now)],
                         out.with_suffix(".sqlite3.csv"), env))
        csvs.append(("hazreg export hazards (CSV)", [*hz, "export", "hazards"], out.with_suffix(".csv"), env))
        csvs.append(("hazreg --lang zh export hazards (CSV)", [*hz, "--lang", "zh", "export", "hazards"],
                     out.with_suffix(".zh.csv"), env))
        if compare is not None:
            other = {**env, "PYTHONPATH": str(compare)}
            csvs.append((f"{compare}: hazreg export hazards (CSV)", [*hz, "export", "hazards"],
                         out.with_suffix(".compare.csv"), other))
            csvs.append((f"{compare}: hazreg --lang zh export hazards (CSV)", [*hz, "--lang", "zh", "export", "hazards"],
                         out.with_suffix(".compare.zh.csv"), other))
        if history:
            # The history's floor: its columns as stored (record ids without their letter, before
            # and after as stored), the same rows.
            if shell:
                csvs.append((HISTORY_FLOOR, [shell, "-csv", "-header", "-readonly", str(work),
                                             "SELECT seq, at, operator, record_type, record_id, action, before, after,"
                                             " note, effective_at FROM history ORDER BY seq"],
                             out.with_suffix(".history.sqlite3.csv"), env))
            csvs.append(("hazreg export history (CSV)", [*hz, "export", "history"], out.with_suffix(".history.csv"), env))
            csvs.append(("hazreg --lang zh export history (CSV)", [*hz, "--lang", "zh", "export", "history"],
                         out.with_suffix(".history.zh.csv"), env))
            if compare is not None:
                csvs.append((f"{compare}: hazreg export history (CSV)", [*hz, "export", "history"],
                             out.with_suffix(".compare.history.csv"), other))
                csvs.append((f"{compare}: hazreg --lang zh export history (CSV)",
                             [*hz, "--lang", "zh", "export", "history"], out.with_suffix(".compare.history.zh.csv"), other))
        times: dict[str, list[tuple[float, float, float]]] = {label: [] for label, *_ in csvs}
        for _ in range(runs):
            for label, cmd, target, cmd_env in csvs:
                times[label].append(_timed(cmd, target, cmd_env))
        med = {label: (statistics.median(w for w, _, _ in v), statistics.median(c for _, c, _ in v), max(m for *_, m in v))
               for label, v in times.items()}
        floor = med[csvs[0][0]] if shell else None
        if not shell:
            rows.append((n, "sqlite3 -csv: not installed (apt-get install -y sqlite3)", "-", "-", "-", "-", "-", "-"))
        history_floor = med.get(HISTORY_FLOOR)
        for label, _, target, _ in csvs:
            wall, cpu, peak = med[label]
            base = history_floor if "history" in label else floor
            ratios = (f"{wall / base[0]:.2f}", f"{cpu / base[1]:.2f}") if base else ("-", "-")
            rows.append((n, label, f"{wall:.2f}", f"{cpu:.2f}", f"{peak:.0f}", f"{target.stat().st_size / 1e6:.1f}", *ratios))
        if compare is not None:
            for label, _, target, _ in csvs[1:]:  # the same bytes from both trees
                suffix = (".history" if "history" in label else "") + (".zh.csv" if "--lang zh" in label else ".csv")
                if label.startswith(f"{compare}: ") and target.read_bytes() != out.with_suffix(suffix).read_bytes():
                    rows.append((n, f"DIFFERENT OUTPUT: {label}", "-", "-", "-", "-", "-", "-"))
        if xlsx and size <= 100_000:
            for label, switch in (("with lxml", "True"), ("without lxml", "False")):
                target = out.with_suffix(f".{switch}.xlsx")
                wall, cpu, peak = _timed([*hz, "export", "hazards", "-f", "xlsx"], target, {**env, "OPENPYXL_LXML": switch})
                rows.append((n, f"hazreg export hazards -f xlsx ({label}, one run)", f"{wall:.2f}", f"{cpu:.2f}",
                             f"{peak:.0f}", f"{target.stat().st_size / 1e6:.1f}", "-", "-"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--register", action="append", default=[], metavar="SIZE=PATH",
                        help="a cached register of SIZE hazards (e.g. 1000000=/tmp/hazreg-bench-scale/scale-h1000000-u50000-s1.db)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hazreg-bench-export"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-xlsx", action="store_true")
    parser.add_argument("--history", action="store_true", help="time `export history` (CSV) too")
    parser.add_argument("--compare", type=Path, metavar="SRC",
                        help="another checkout's src folder, whose CSV exports run in the same rounds")
    args = parser.parse_args()
    registers = {int(s.split("=", 1)[0]): Path(s.split("=", 1)[1]) for s in args.register}
    rows = run(registers, args.dir, args.runs, not args.no_xlsx, args.compare, args.history)
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end (a shared machine inflates times).")
    rows = rows[1:]
    print(f"\n| {' | '.join(HEADER)} |\n|---:|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for r in rows:
        if r[1] == "hazreg export hazards (CSV)" and r[6] != "-":
            wall, cpu = float(r[6]), float(r[7])
            print(f"\nAim at {r[0]}: CSV within {AIM}x sqlite3 -csv: {'met' if wall <= AIM else 'NOT met'}"
                  f" ({wall:.2f}x wall, {cpu:.2f}x CPU).")


if __name__ == "__main__":
    main()
