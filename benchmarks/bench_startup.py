"""Start-up: `hazreg list`, `show`, `due` and `add` against a bare Typer app (benchmarks/bare_typer.py).

    .venv/bin/python benchmarks/bench_startup.py              # the demo register, 21 rounds
    .venv/bin/python benchmarks/bench_startup.py --runs 41 --register 100000=/tmp/hazreg-bench-scale/scale-h100000-u5000-s1.db
    PYTHONPATH=src .venv/bin/python benchmarks/bench_startup.py --runs 41 --compare ../main/src   # before/after

As hyperfine does: one warm-up round (bytecode compiled, files in the page cache), then
`--runs` rounds, each running every command once in turn (so a busy machine slows them
alike); the median of each is reported, as wall-clock time and as CPU time (user + system,
from wait4: steadier than wall-clock time on a shared machine). Commands run with stdin from
/dev/null and stdout to a pipe, as in a script. The register is the demo's (start-up is what
is timed, not a query); registers passed with --register are timed too (list, show, add).
`add` writes to a copy, never to a register passed in. Aim: each ratio at or under 1.00.

The hazreg that runs is the one PYTHONPATH selects (else the installed one). `--compare SRC`
also runs every hazreg command with PYTHONPATH=SRC (another tree's `src`), in the same rounds,
so a change is measured before and after on the same machine at the same moment.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cli  # noqa: E402

DEMO_NOW = "2026-11-29T04:00:00Z"


def _commands(db: Path, now: str, with_due: bool) -> list[tuple[str, list[str], dict[str, str]]]:
    hz = bench_cli.hazreg_command()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(HAZREG_DB=str(db), HAZREG_NOW=now, HAZREG_OPERATOR="bench", HAZREG_LANG="en")
    found = [
        ("hazreg list", [*hz, "list"]),
        ("hazreg show H5", [*hz, "show", "H5"]),
        ("hazreg due", [*hz, "due"]),
        ('hazreg add "…" --unit U7 --deadline +7d', [*hz, "add", bench_cli.ADD_DESCRIPTION, "--unit", "U7", "--deadline", "+7d"]),
    ]
    return [(label, cmd, env) for label, cmd in found if with_due or label != "hazreg due"]


def _measure(cmd: list[str], env: Mapping[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run; CPU from the child's own rusage."""
    launcher = (
        "import os, subprocess, sys, time; t = time.perf_counter();"
        " p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE);"
        " out, err = p.communicate(); w = time.perf_counter() - t;"
        " import resource; u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        " sys.stdout.write(f'{w} {u.ru_utime + u.ru_stime} {p.returncode}\\n');"
        " sys.stderr.write(err.decode(errors='replace')[-400:])"
    )
    proc = subprocess.run([sys.executable, "-c", launcher, *cmd], env=dict(env), capture_output=True, text=True)
    wall, cpu, code = proc.stdout.split()
    if int(code):
        raise SystemExit(f"{' '.join(cmd[-4:])} exited {code}: {proc.stderr}")
    return float(wall), float(cpu)


HEADER = ("register", "command", "wall ms", "CPU ms", "× bare (wall)", "× bare (CPU)")


def run(registers: Mapping[int, Path] | None, workdir: Path, runs: int = 21,
        compare: Path | None = None) -> list[tuple[str, ...]]:
    """Rows of (register, command, median wall ms, median CPU ms, × bare wall, × bare CPU);
    with `compare`, each hazreg command twice: this tree's, then (label ending "[SRC]") SRC's."""
    workdir.mkdir(parents=True, exist_ok=True)
    demo = workdir / "startup-demo.db"
    env = {**os.environ, "HAZREG_NOW": DEMO_NOW, "HAZREG_OPERATOR": "bench"}
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from hazreg.demo import build_demo;"
                    " build_demo(Path(sys.argv[1]), 'bench').store.close()", str(demo)], env=env, check=True)
    sets: list[tuple[str, list[tuple[str, list[str], dict[str, str]]]]] = [("demo", _commands(demo, DEMO_NOW, True))]
    for size, source in sorted((registers or {}).items()):
        copy = workdir / f"startup-{size}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, copy)
        meta = source.with_suffix(".json")
        now = DEMO_NOW
        if meta.exists():
            import json

            now = json.loads(meta.read_text(encoding="utf-8")).get("now", now)
        sets.append((f"{size:,}", _commands(copy, now, False)))
    bare_cmd = [sys.executable, str(bench_cli.BARE_TYPER), "hello"]
    every = [("bare", "python benchmarks/bare_typer.py hello", bare_cmd, dict(os.environ))]
    for name, cmds in sets:
        for label, cmd, cmd_env in cmds:
            every.append((name, label, cmd, cmd_env))
            if compare is not None:
                every.append((name, f"{label} [{compare}]", cmd, {**cmd_env, "PYTHONPATH": str(compare)}))
    times: dict[tuple[str, str], list[tuple[float, float]]] = {(n, lb): [] for n, lb, _, _ in every}
    for round_ in range(runs + 1):
        for name, label, cmd, cmd_env in every:
            result = _measure(cmd, cmd_env)
            if round_:  # the first round warms up
                times[(name, label)].append(result)
    med = {key: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for key, v in times.items()}
    bare_wall, bare_cpu = med[("bare", every[0][1])]
    return [
        (name, label, f"{wall * 1000:.0f}", f"{cpu * 1000:.0f}", f"{wall / bare_wall:.2f}", f"{cpu / bare_cpu:.2f}")
        for (name, label), (wall, cpu) in med.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--register", action="append", default=[], metavar="SIZE=PATH")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hazreg-bench-startup"))
    parser.add_argument("--compare", type=Path, metavar="SRC", help="another tree's src, timed in the same rounds")
    args = parser.parse_args()
    registers = {int(s.split("=", 1)[0]): Path(s.split("=", 1)[1]) for s in args.register}
    compare = args.compare.resolve() if args.compare else None
    rows = run(registers, args.dir, args.runs, compare)
    print(f"\nhazreg from {os.environ.get('PYTHONPATH') or 'the installed package'}"
          + (f", compared with {compare}" if compare else "") + f"; load average {os.getloadavg()[0]:.2f}")
    print(f"\n{args.runs} rounds, medians\n")
    print("| register | command | wall ms | CPU ms | × bare (wall) | × bare (CPU) |\n|---|---|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    verdicts = [(r[0], r[1], float(r[4]), float(r[5])) for r in rows
                if r[0] != "bare" and not (compare and r[1].endswith(f"[{compare}]"))]
    over = [f"{lb} ({reg}: {w:.2f}× wall, {c:.2f}× CPU)" for reg, lb, w, c in verdicts if max(w, c) > 1.0]
    print("\nAim (at or under a bare Typer app): " + ("met by every command." if not over else "NOT met by " + "; ".join(over)))


if __name__ == "__main__":
    main()
