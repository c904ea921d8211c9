"""The count of every hazard by (status, level, industry, locality), kept by SQLite itself.

The weekly report counts the hazards unchanged since its week from their current state; a count
of all of them read from their index took 0.7 s at a million hazards, in every report computed.
hazard_tally holds that count, kept by triggers in the same write as the hazard whatever writes
it (a command, an import, another program's plain `sqlite3` edit; a big import, an import into a
register with no hazards, `copy` and `restore` drop it and count it once at the end), so the
report reads a few hundred rows instead. It is derived, never the truth: `check` counts the hazards
again and compares (structure_problems), and `check --repair-index` counts them afresh. (One
edit slips past triggers: another program's INSERT OR REPLACE over a hazard removes the old row
without its delete trigger, unless that program turned recursive triggers on; `check` names the
drift. hazreg never replaces a hazard's row.)

What a hazard counts for, in each group (as register/weekly.py's _Spans counts a hazard as it is
now): the hazard, if it has a date found; whether it is timed (a deadline and a date rectified);
whether it was rectified on time (by its deadline). Voided hazards are counted too (a report
leaves them out when it reads); groups left empty stay, at zero."""

from __future__ import annotations

import sqlite3

TABLE = """CREATE TABLE hazard_tally (
    status TEXT NOT NULL,
    level TEXT NOT NULL,
    industry TEXT NOT NULL,
    locality TEXT NOT NULL,
    hazards INTEGER NOT NULL,
    timed INTEGER NOT NULL,
    on_time INTEGER NOT NULL,
    PRIMARY KEY (status, level, industry, locality)
) WITHOUT ROWID"""


def _counts(row: str, sign: str) -> str:
    """What one hazard (`row`: NEW or OLD) adds to its group, times `sign`."""
    timed = f"{row}.rectified_on > '' AND {row}.deadline > ''"
    return (f"{row}.status, {row}.level, {row}.industry, {row}.locality, {sign}1,"
            f" {sign}ifnull({timed}, 0), {sign}ifnull({timed} AND {row}.rectified_on <= {row}.deadline, 0)")


_ADD = ("INSERT INTO hazard_tally (status, level, industry, locality, hazards, timed, on_time) SELECT {counts}"
        " WHERE {row}.found_on > '' ON CONFLICT DO UPDATE SET hazards = hazards + excluded.hazards,"
        " timed = timed + excluded.timed, on_time = on_time + excluded.on_time;")
_COLUMNS = ("status", "level", "industry", "locality", "found_on", "deadline", "rectified_on")
TRIGGERS = {
    "hazard_tally_added": "CREATE TRIGGER hazard_tally_added AFTER INSERT ON hazards BEGIN {} END".format(
        _ADD.format(counts=_counts("NEW", ""), row="NEW")),
    "hazard_tally_removed": "CREATE TRIGGER hazard_tally_removed AFTER DELETE ON hazards BEGIN {} END".format(
        _ADD.format(counts=_counts("OLD", "-"), row="OLD")),
    # (Only when a field it counts by changed: most writes to a hazard change none of them.)
    "hazard_tally_changed": "CREATE TRIGGER hazard_tally_changed AFTER UPDATE OF {} ON hazards WHEN {} BEGIN {} {} END".format(
        ", ".join(_COLUMNS), " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _COLUMNS),
        _ADD.format(counts=_counts("OLD", "-"), row="OLD"), _ADD.format(counts=_counts("NEW", ""), row="NEW")),
}
_TIMED = "rectified_on > '' AND deadline > ''"
# The count made from the hazards themselves: what the tally must hold.
_RECOUNT = (f"SELECT status, level, industry, locality, count(*), ifnull(sum({_TIMED}), 0),"
            f" ifnull(sum({_TIMED} AND rectified_on <= deadline), 0)"
            " FROM hazards WHERE found_on > '' GROUP BY status, level, industry, locality")


def create(conn: sqlite3.Connection) -> None:
    """The table, filled from the hazards, and the triggers that keep it (in a write)."""
    conn.execute(TABLE)
    conn.execute(f"INSERT INTO hazard_tally {_RECOUNT}")
    for sql in TRIGGERS.values():
        conn.execute(sql)


def drop(conn: sqlite3.Connection) -> None:
    """The tally and its triggers gone, if there (in a write)."""
    for name in TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute("DROP TABLE IF EXISTS hazard_tally")


def recount(conn: sqlite3.Connection) -> int:
    """The tally and its triggers made afresh from the hazards (in a write); how many groups."""
    drop(conn)
    create(conn)
    return int(conn.execute("SELECT count(*) FROM hazard_tally").fetchone()[0])


def problems(conn: sqlite3.Connection) -> tuple[int, bool]:
    """(how many groups the tally counts otherwise than the hazards do, whether every trigger
    that keeps it is there). A table gone counts every group of the hazards as differing."""
    present = {r[0] for r in conn.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'hazards'"
        f" AND name IN ({', '.join('?' * len(TRIGGERS))})", tuple(TRIGGERS))}
    try:
        kept = {tuple(r[:4]): tuple(r[4:]) for r in conn.execute(
            "SELECT status, level, industry, locality, hazards, timed, on_time FROM hazard_tally"
            " WHERE hazards != 0 OR timed != 0 OR on_time != 0")}
    except sqlite3.OperationalError:  # no such table
        kept = {}
    differing = 0
    for *group, hazards, timed, on_time in conn.execute(_RECOUNT):
        if kept.pop(tuple(group), None) != (hazards, timed, on_time):
            differing += 1
    return differing + len(kept), len(present) == len(TRIGGERS)
