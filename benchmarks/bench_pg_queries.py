"""The campaign, supervision and integrity queries on PostgreSQL beside SQLite, on one register.

    .venv/bin/python benchmarks/bench_pg_queries.py [--hazards 100000] [--inspections 30000] [--runs 5]

1. Takes bench_cli.py's cached register (built on first use: realistic Chinese data through
   hazreg's register code) and a copy of it gets inspections, leaders' checks, campaigns,
   draws, supervision, escalations and enforcement actions (random, seeded).
2. Copies every row into a fresh PostgreSQL database (`--pg ADDRESS`, else a server of the
   `pgserver` package started in a temporary folder), the search index and counters as hazreg
   keeps them there.
3. Times each query of storage/{sqlite,postgres}/{campaigns,supervision,integrity}.py on both
   stores (median of --runs after one warm-up) and prints a Markdown table with the ratios.
   Exits 0 either way: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TABLES = ("units", "campaigns", "leaders", "inspectors", "draws", "inspections", "hazards", "supervisions",
          "extensions", "escalations", "actions", "attachments", "history", "settings", "weekly_computed")
LEADERS = ("张副区长", "李局长", "王主任", "赵书记", "陈副局长")
INSPECTORS = ("王建国", "李明", "赵敏", "陈刚", "刘洋", "周强", "吴芳", "郑伟")


def add_campaign_data(path: Path, inspections: int, seed: int) -> None:
    """Inspections (a twentieth led by a leader, a third unannounced), two campaigns, leaders,
    inspectors, a draw, and supervision, escalations and actions on the major hazards."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    at = "2026-11-29T04:00:00.000000Z"
    units = [r[0] for r in conn.execute("SELECT id FROM units")]
    today = date.fromisoformat(conn.execute("SELECT max(found_on) FROM hazards").fetchone()[0])
    with conn:
        for n, (name, start, end) in enumerate((("冬季安全生产大检查", -90, 30), ("消防专项", -200, -140)), 1):
            conn.execute("INSERT INTO campaigns (uid, name, start, end, industries, localities, created_at, updated_at)"
                         " VALUES (?, ?, ?, ?, '[]', '[]', ?, ?)",
                         (f"c{n}", name, (today + timedelta(start)).isoformat(), (today + timedelta(end)).isoformat(),
                          at, at))
        for n, name in enumerate(LEADERS):
            conn.execute("INSERT INTO leaders (uid, name, industries, localities, created_at, updated_at)"
                         " VALUES (?, ?, '[\"fire\"]', '[]', ?, ?)", (f"l{n}", name, at, at))
        for n, name in enumerate(INSPECTORS):
            conn.execute("INSERT INTO inspectors (uid, name, cert, localities, created_at, updated_at)"
                         " VALUES (?, ?, NULL, '[]', ?, ?)", (f"p{n}", name, at, at))
        drawn = rng.sample(units, 50)
        conn.execute("INSERT INTO draws (uid, seed, params, pool, result, campaign_id, created_at, operator)"
                     " VALUES ('d1', 1, '{}', '{}', ?, 1, ?, 'bench')",
                     (json.dumps([{"unit_id": u, "inspectors": []} for u in drawn]), at))
        rows = []
        for n in range(inspections):
            day = today - timedelta(rng.randrange(365))
            unit = drawn[n % 50] if n < 40 else rng.choice(units)
            people = json.dumps(rng.sample(INSPECTORS, 2), ensure_ascii=False)
            rows.append((f"i{n}", unit, day.isoformat(), people, rng.choice(LEADERS) if rng.random() < 0.05 else None,
                         "unannounced" if rng.random() < 0.33 else "announced", 1 if rng.random() < 0.3 else None,
                         1 if n < 40 else None, at, at))
        conn.executemany("INSERT INTO inspections (uid, unit_id, inspected_on, inspectors, leader, mode, campaign_id,"
                         " draw_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        majors = [r[0] for r in conn.execute("SELECT id FROM hazards WHERE level = 'major' ORDER BY id")]
        for n, hazard in enumerate(majors):
            conn.execute("INSERT INTO supervisions (uid, hazard_id, body, level, listed_on, created_at, updated_at)"
                         " SELECT ?, id, '区安委办', 'district', found_on, ?, ? FROM hazards WHERE id = ?",
                         (f"s{n}", at, at, hazard))
            conn.execute("INSERT INTO escalations (uid, hazard_id, step, done_on, created_at)"
                         " SELECT ?, id, 'notice', found_on, ? FROM hazards WHERE id = ?", (f"e{n}", at, hazard))
            conn.execute("INSERT INTO actions (uid, hazard_id, type, amount_fen, taken_on, created_at)"
                         " SELECT ?, id, 'fine', ?, found_on, ? FROM hazards WHERE id = ?",
                         (f"a{n}", rng.randrange(1, 500) * 100_00, at, hazard))
    conn.close()


def copy_into_postgres(source: Path, url: str) -> None:
    import psycopg

    from hazreg.search import index_text
    from hazreg.storage.postgres.search import index_row

    lite = sqlite3.connect(source)
    with psycopg.connect(url) as pg, pg.cursor() as cur:
        for table in TABLES:
            columns = [r[1] for r in lite.execute(f'PRAGMA table_info("{table}")')]
            names = ", ".join(f'"{c}"' for c in columns)
            with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in lite.execute(f'SELECT {names} FROM "{table}"'):
                    copy.write_row(row)
            if "id" in columns:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), greatest(1, (SELECT max(id) FROM {table})))")
        with cur.copy("COPY hazard_search (id, text, words, pairs) FROM STDIN") as copy:
            for hazard_id, description, unit in lite.execute(
                    "SELECT h.id, h.description, u.name FROM hazards h JOIN units u ON u.id = h.unit_id"):
                copy.write_row(index_row(hazard_id, index_text(description, unit)))
        cur.execute("ANALYZE")
    lite.close()


def queries(today: date, major: int) -> list[tuple[str, Callable[[Any], Any]]]:
    from hazreg.storage.base import ActionFilter, InspectionFilter, Scope

    year = (today - timedelta(365), today)
    week = (today - timedelta(6), today)
    return [
        ("inspections (first page of 50)", lambda s: s.inspections(InspectionFilter(), 50)),
        ("inspections of a week, by leader", lambda s: s.inspections(InspectionFilter(since=week[0], leader="李局长"))),
        ("iter_inspections (all, export)", lambda s: sum(1 for _ in s.iter_inspections(InspectionFilter()))),
        ("coverage_counts (a year)", lambda s: s.coverage_counts(Scope(), *year)),
        ("coverage_gaps (a quarter, fire)", lambda s: s.coverage_gaps(Scope(["fire"]), today - timedelta(90), today)),
        ("leader_days (a year)", lambda s: s.leader_days(*year)),
        ("draw_candidates (not inspected 90 d)", lambda s: s.draw_candidates(Scope(), today - timedelta(90))),
        ("draws", lambda s: s.draws()),
        ("draw details (units_by_ids of 50)", lambda s: s.units_by_ids([r["unit_id"] for r in s.draw(1)["result"]])),
        ("evidence of a major hazard", lambda s: s.evidence(major)),
        ("escalations_done (5,000 hazards)", lambda s: s.escalations_done(range(1, 5001))),
        ("actions (all)", lambda s: s.actions(ActionFilter())),
        ("iter_evidence actions (export)", lambda s: sum(1 for _ in s.iter_evidence("actions"))),
        ("child_entries (check)", lambda s: sum(1 for _ in s.child_entries())),
        ("search_index_problems (check)", lambda s: s.search_index_problems()),
        ("sequences (check): problems", lambda s: [t for t, counter, top in s.sequences() if counter != top]),
    ]


def timed(call: Callable[[], Any], runs: int) -> float:
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--inspections", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/hazreg-bench"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--pg", help="an empty PostgreSQL database's address (default: a pgserver of its own)")
    args = parser.parse_args()

    import bench_cli

    cached, _ = bench_cli.ensure_register(args)
    work = args.dir / f"pgqueries-h{args.hazards}.db"
    shutil.copyfile(cached, work)
    add_campaign_data(work, args.inspections, args.seed)

    import psycopg
    from psycopg.rows import dict_row

    from hazreg.storage.postgres.schema import init_schema
    from hazreg.storage.postgres.store import Store as PgStore
    from hazreg.storage.sqlite.store import Store as LiteStore

    server = None
    url = args.pg
    if url is None:
        import pgserver

        server = pgserver.get_server(tempfile.mkdtemp(prefix="hazreg-pgq-"), cleanup_mode="delete")
        url = server.get_uri()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            init_schema(conn)
        started = time.perf_counter()
        copy_into_postgres(work, url)
        print(f"Copied into PostgreSQL in {time.perf_counter() - started:.1f} s", flush=True)
        lite = LiteStore(work, create=False)
        pg = PgStore(psycopg.connect(url, autocommit=True, row_factory=dict_row), "bench")
        today = date.fromisoformat(lite.conn.execute("SELECT max(found_on) FROM hazards").fetchone()[0])
        print(f"\n{args.hazards:,} hazards, {args.inspections:,} inspections; medians of {args.runs} runs after 1 warm-up\n")
        print("| query | SQLite ms | PostgreSQL ms | ratio |\n|---|---:|---:|---:|")
        major = lite.conn.execute("SELECT min(hazard_id) FROM supervisions").fetchone()[0]
        for label, call in queries(today, major):
            a = timed(lambda c=call: c(lite), args.runs)
            b = timed(lambda c=call: c(pg), args.runs)
            assert call(lite) == call(pg), label
            print(f"| {label} | {a * 1000:.1f} | {b * 1000:.1f} | {b / a:.2f} |", flush=True)
        lite.close()
        pg.close()
    finally:
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
