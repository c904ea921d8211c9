"""How long a round trip takes: export every kind, import it into an empty register, compare.

    .venv/bin/python benchmarks/bench_roundtrip.py [--examples 30] [--hazards 100000] [--formats csv,jsonl]

1. The property test's cases (tests/test_roundtrip_property.py): --examples registers drawn
   by Hypothesis, each built, exported in every kind and imported back through the CLI
   (in-process), and compared field by field. Reports the median and the slowest case.
2. A big register: bench_cli's cached register (--hazards over --units, built once under
   --dir), exported kind by kind by the real CLI (a subprocess per command) in each of
   --formats, imported into an empty register, and compared record by record.

Prints a Markdown table. Exits 0 whatever the times (this is a measurement), 1 if a round
trip does not give the same records back.
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
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests"), str(ROOT / "src")]

import bench_cli  # noqa: E402

from test_roundtrip_property import (  # noqa: E402
    FORMATS,
    KINDS,
    REGISTER,
    build,
    round_trip,
    snapshot,
)

NOW = "2026-11-29T04:00:00+00:00"  # the tests' clock, for the property cases


def property_cases(examples: int) -> list[dict[str, Any]]:
    """Time `examples` round trips of registers Hypothesis draws (build excluded)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from hazreg.register import open_register

    os.environ["HAZREG_NOW"] = NOW
    cases: list[dict[str, Any]] = []

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(spec=REGISTER, form=st.sampled_from(FORMATS))
    def case(spec: dict[str, Any], form: tuple[str, str]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            reg = open_register(folder / "a.db", write=True, operator="bench")
            build(reg, spec, folder)
            before = snapshot(reg)
            reg.store.close()
            started = time.perf_counter()
            round_trip(folder / "a.db", folder / "b.db", folder, *form)
            seconds = time.perf_counter() - started
            copy = open_register(folder / "b.db", write=False)
            after = snapshot(copy)
            copy.store.close()
            records = sum(len(v) for v in before.values())
            cases.append({"seconds": seconds, "form": "/".join(form), "records": records, "same": after == before})
            if after != before:
                kind = next(k for k in before if before[k] != after[k])
                pairs = [(a, b) for a, b in zip(before[kind], after[kind], strict=False) if a != b]
                print(f"  DIFFERENT ({'/'.join(form)}) {kind}: {pairs[:1] or (len(before[kind]), len(after[kind]))}\n"
                      f"  register: {spec!r}", flush=True)

    case()
    return cases


def run(cmd: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def big_round_trip(source: Path, fmt: str, scratch: Path) -> tuple[dict[str, float], dict[str, float], bool, dict[str, int]]:
    """Export every kind of `source` in `fmt` and import it into a new register; times per kind."""
    from hazreg.register import open_register

    hazreg = [sys.executable, "-m", "hazreg"]
    target = scratch / f"target-{fmt}.db"
    for old in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        old.unlink(missing_ok=True)
    exports: dict[str, float] = {}
    imports: dict[str, float] = {}
    for kind in KINDS:
        path = scratch / f"{kind}.{fmt}"
        exports[kind] = run([*hazreg, "--db", str(source), "export", kind, "-f", fmt, "-o", str(path)])
        imports[kind] = run([*hazreg, "--db", str(target), "import", kind, str(path)])
    a, b = open_register(source, write=False), open_register(target, write=False)
    try:
        before, after = snapshot(a), snapshot(b)
    finally:
        a.store.close()
        b.store.close()
    return exports, imports, before == after, {k: len(v) for k, v in before.items() if v}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=30, help="property-test cases to time (30)")
    parser.add_argument("--hazards", type=int, default=100_000, help="hazards in the big register (100000)")
    parser.add_argument("--units", type=int, default=5_000, help="units in the big register (5000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the big register (1)")
    parser.add_argument("--formats", default="csv,jsonl", help="formats of the big round trip (csv,jsonl; add xlsx)")
    parser.add_argument("--dir", type=Path, default=bench_cli.DEFAULT_DIR, help=f"cache folder ({bench_cli.DEFAULT_DIR})")
    parser.add_argument("--rebuild", action="store_true", help="build the big register even if one is cached")
    args = parser.parse_args()

    print(f"Timing {args.examples} property-test round trips …", flush=True)
    cases = property_cases(args.examples)
    slowest = max(cases, key=lambda c: c["seconds"])
    ok = all(c["same"] for c in cases)
    saved_now = os.environ.pop("HAZREG_NOW", None)  # the big register has its own clock

    source, meta = bench_cli.ensure_register(args)
    rows: list[tuple[str, float, float, bool, dict[str, int]]] = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for fmt in args.formats.split(","):
            print(f"Round trip of {meta['contents']['hazards']:,} hazards as {fmt} …", flush=True)
            exports, imports, same, counts = big_round_trip(source, fmt.strip(), Path(tmp))
            ok = ok and same
            rows.append((fmt, sum(exports.values()), sum(imports.values()), same, counts))
            detail = ", ".join(f"{k} {exports[k]:.1f}+{imports[k]:.1f}" for k in ("units", "hazards"))
            print(f"  export+import seconds: {detail}")
    if saved_now is not None:
        os.environ["HAZREG_NOW"] = saved_now

    print()
    print("| round trip | records | export | import | total | same records |")
    print("|---|---:|---:|---:|---:|---|")
    median = statistics.median(c["seconds"] for c in cases)
    print(f"| property test, median of {len(cases)} cases (8 kinds, CLI in-process) | "
          f"{statistics.median(c['records'] for c in cases):.0f} | | | {median:.2f} s | {'yes' if ok else 'NO'} |")
    print(f"| property test, slowest case ({slowest['form']}) | {slowest['records']} | | | "
          f"{slowest['seconds']:.2f} s | {'yes' if slowest['same'] else 'NO'} |")
    for fmt, exported, imported, same, counts in rows:
        shown = ", ".join(f"{n:,} {k}" for k, n in counts.items())
        print(f"| {fmt}, 8 kinds, a subprocess per command | {shown} | {exported:.1f} s | {imported:.1f} s | "
              f"{exported + imported:.1f} s | {'yes' if same else 'NO'} |")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
