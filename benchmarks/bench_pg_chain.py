"""The chain part of `hazreg check` on PostgreSQL: this tree against another (--compare), same database.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_pg_chain.py --compare /work/main/src [--runs 3]

Uses bench_postgres.py's server (--dir/pg) and its cached copy of bench_cli.py's register
(`bench_h{hazards}_u{units}_s{seed}`; run bench_postgres.py once to make it, or pass --database).
Each run is a child process that opens the register and runs verify_chain alone (the tree's
own), interleaved with the other tree's. Reported per tree, medians of --runs: wall seconds, the
client's CPU seconds (user+sys of the child), the server's (user+sys of the backend serving the
child, from /proc: the server runs on this machine) and the child's peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_cli  # noqa: E402
import bench_postgres  # noqa: E402

CHILD = r"""
import json, os, resource, sys, time
from hazreg.register import open_register
from hazreg.register.integrity import verify_chain

def backend_cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

reg = open_register(sys.argv[1], write=False)
pid = reg.store.conn.info.backend_pid
server0, started, usage0 = backend_cpu(pid), time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
result = verify_chain(reg)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": time.perf_counter() - started, "ok": result["ok"], "entries": result["entries"],
                  "client": usage.ru_utime + usage.ru_stime - usage0.ru_utime - usage0.ru_stime,
                  "server": backend_cpu(pid) - server0, "peak_mb": usage.ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=bench_cli.DEFAULT_DIR)
    parser.add_argument("--database", help="the database on the server (default: bench_postgres.py's copy)")
    parser.add_argument("--compare", type=Path, metavar="SRC", help="another checkout's src to run beside")
    args = parser.parse_args()
    pg = bench_postgres.server(args.dir / "pg")
    address = bench_postgres.url(pg, args.database or f"bench_h{args.hazards}_u{args.units}_s{args.seed}")
    trees = {"this tree": str(HERE.parent / "src")}
    if args.compare:
        trees[f"{args.compare}"] = str(args.compare)
    seen: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, src in trees.items():
            env = dict(os.environ, PYTHONPATH=src)
            out = subprocess.run([sys.executable, "-c", CHILD, address], env=env, capture_output=True, text=True,
                                 check=True).stdout
            run = json.loads(out)
            assert run["ok"], run
            seen[name].append(run)
    load = os.getloadavg()
    entries = seen["this tree"][0]["entries"]
    print(f"\nverify_chain on PostgreSQL, {entries:,} history entries, medians of {args.runs} "
          f"(load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})\n")
    print("| tree | wall s | client CPU s | server CPU s | client + server CPU s | peak MB (client) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, runs in seen.items():
        def med(key: str, runs: list[dict[str, float]] = runs) -> float:
            return statistics.median(r[key] for r in runs)
        total = statistics.median(r["client"] + r["server"] for r in runs)
        print(f"| {name} | {med('wall'):.2f} | {med('client'):.2f} | {med('server'):.2f} | {total:.2f} |"
              f" {max(r['peak_mb'] for r in runs):.0f} |")


if __name__ == "__main__":
    main()
