"""SQLite keeps the count of every hazard by (status, level, industry, locality) in hazard_tally,
written by triggers in the same write as the hazard, so the weekly report counts a million
hazards without reading them. `check` recounts it; `check --repair-index` counts it afresh."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from test_check_tables import tamper
from test_scale import SPLIT_STEPS, apply_to_two_units

pytestmark = pytest.mark.sqlite_only

# What the tally must hold, counted here from the hazards themselves (the rule in words: every
# hazard with a date found, by status, level, industry and locality; how many, how many have both
# a deadline and a date rectified, and how many of those were rectified by the deadline).
_RECOUNT = (
    "SELECT status, level, industry, locality, count(*),"
    " total(rectified_on > '' AND deadline > ''), total(rectified_on > '' AND deadline > '' AND rectified_on <= deadline)"
    " FROM hazards WHERE found_on > '' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")
_TALLY = ("SELECT status, level, industry, locality, hazards, timed, on_time FROM hazard_tally"
          " WHERE hazards OR timed OR on_time ORDER BY 1, 2, 3, 4")


def counted(conn: sqlite3.Connection) -> tuple[list[tuple], list[tuple]]:
    """(the tally, the recount), the same rows when the tally holds."""
    recount = [(*r[:5], int(r[5]), int(r[6])) for r in conn.execute(_RECOUNT)]
    return [tuple(r) for r in conn.execute(_TALLY)], recount


def counted_in(path: Path, *edits: str) -> tuple[list[tuple], list[tuple]]:
    """`counted` in the register file at `path`, after `edits` made there behind hazreg's back."""
    conn = sqlite3.connect(path)
    try:
        for sql in edits:
            conn.execute(sql)
        return counted(conn)
    finally:
        conn.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=SPLIT_STEPS)
def test_the_tally_is_the_count_of_the_hazards_after_any_commands(steps):
    from hazreg.register import open_register

    with tempfile.TemporaryDirectory() as folder:
        reg = open_register(Path(folder) / "r.db", write=True, operator="tester")
        try:
            apply_to_two_units(reg, steps)
            tally, recount = counted(reg.store.conn)
            assert tally == recount
            # Rows no command writes (another program's edit, an older register): the same.
            reg.store.conn.execute("UPDATE hazards SET found_on = '', industry = 'trade' WHERE id % 3 = 0")
            reg.store.conn.execute("UPDATE hazards SET rectified_on = deadline WHERE id % 3 = 1")
            reg.store.conn.execute("PRAGMA foreign_keys = OFF")  # (a listed hazard's rows left behind)
            reg.store.conn.execute("DELETE FROM hazards WHERE id % 5 = 4")
            reg.store.conn.execute("PRAGMA foreign_keys = ON")
            tally, recount = counted(reg.store.conn)
            assert tally == recount
        finally:
            reg.store.close()


@pytest.fixture
def demo(cli, isolated):
    cli("demo", "--path", str(isolated))
    return isolated


def test_the_demo_register_is_counted_and_the_report_reads_the_count(cli, demo):
    tally, recount = counted_in(demo)
    assert tally == recount and sum(r[4] for r in tally) == 70
    honest = json.loads(cli("report", "weekly", "-f", "json").stdout)
    tamper(demo, "DELETE FROM weekly_computed",  # (the week kept just now forgotten: computed again)
           "UPDATE hazard_tally SET hazards = hazards + 4 WHERE (status, level, industry, locality) ="
           " (SELECT status, level, industry, locality FROM hazard_tally WHERE status = 'open' LIMIT 1)")
    misled = json.loads(cli("report", "weekly", "-f", "json").stdout)
    assert misled["figures"]["open"] == honest["figures"]["open"] + 4  # read, not counted again


def test_a_tampered_tally_is_caught_by_check_and_counted_afresh_by_repair(cli, demo):
    before = json.loads(cli("report", "weekly", "-f", "json").stdout)
    cli("check")
    tamper(demo, "DELETE FROM weekly_computed",
           "UPDATE hazard_tally SET on_time = on_time + 1 WHERE (status, level, industry, locality) ="
           " (SELECT status, level, industry, locality FROM hazard_tally WHERE status = 'closed' LIMIT 1)",
           "DELETE FROM hazard_tally WHERE (status, level, industry, locality) ="
           " (SELECT status, level, industry, locality FROM hazard_tally WHERE status = 'open' LIMIT 1)")
    said = cli("check", code=1).stderr
    assert "The weekly report's count of the hazards differs from the hazards (groups differing: 2)" in said
    assert "check --repair-index" in said
    out = cli("check", "--repair-index").stdout
    assert "Rebuilt the search index: 70 hazards" in out
    assert "Counted the hazards afresh for the weekly report" in out
    cli("check")
    tally, recount = counted_in(demo)
    assert tally == recount
    assert json.loads(cli("report", "weekly", "-f", "json").stdout) == before


@pytest.mark.parametrize("trigger", ["hazard_tally_added", "hazard_tally_changed", "hazard_tally_removed"])
def test_a_dropped_trigger_is_caught_before_the_count_drifts_and_repair_restores_it(cli, demo, trigger):
    tamper(demo, f"DROP TRIGGER {trigger}")
    assert "check --repair-index" in cli("check", code=1).stderr  # nothing has drifted yet
    cli("check", "--repair-index")
    cli("check")
    cli("add", "楼梯间堆放杂物", "--unit", "U1", "--deadline", "+7d")
    cli("start", "H71")
    cli("done", "H71")
    cli("void", "H45", "--reason", "重复录入")
    # (a row removed behind hazreg's back: counted down too)
    tally, recount = counted_in(demo, "DELETE FROM hazards WHERE id = 3")
    assert tally == recount


def test_a_register_from_before_the_tally_is_counted_when_opened(cli, demo):
    from older import back_to

    honest = json.loads(cli("report", "weekly", "-f", "json").stdout)
    back_to(demo, "sqlite", 17)
    conn = sqlite3.connect(demo)
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'hazard_tally'").fetchall()
    conn.close()
    cli("check")  # brought up to date as it is opened, the count made from its hazards
    cli("add", "配电箱未接地", "--unit", "U3", "--deadline", "+3d")
    tally, recount = counted_in(demo)
    assert tally == recount and sum(r[4] for r in tally) == 71
    assert json.loads(cli("report", "weekly", "-f", "json").stdout)["figures"] == honest["figures"]


def test_a_restored_register_is_counted_as_its_backup(cli, demo, tmp_path):
    copy = tmp_path / "before.db"
    cli("backup", str(copy))
    for n in range(3):
        cli("add", f"消防通道堵塞 {n}", "--unit", "U2", "--deadline", "+3d", "--industry", "消防")
    cli("start", "H40")
    cli("done", "H40")
    cli("restore", str(copy))
    tally, recount = counted_in(demo)
    assert tally == recount and sum(r[4] for r in tally) == 70
    cli("check")


def test_a_backup_from_before_the_tally_is_restored_counted(cli, demo, tmp_path):
    from older import back_to

    copy = tmp_path / "older.db"
    cli("backup", str(copy))
    back_to(copy, "sqlite", 17)
    cli("add", "消防通道堵塞", "--unit", "U2", "--deadline", "+3d")
    cli("restore", str(copy))
    tally, recount = counted_in(demo)
    assert tally == recount and sum(r[4] for r in tally) == 70
    cli("check")


_TRIGGERS = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'hazards' AND name LIKE 'hazard_tally%'"


def _triggers(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {name for (name,) in conn.execute(_TRIGGERS)}
    finally:
        conn.close()


@pytest.mark.parametrize("had", [0, 2])
def test_an_import_into_a_register_without_hazards_counts_them_once_at_the_end(cli, isolated, tmp_path, monkeypatch,
                                                                                 had):
    """Into a register with no hazards, the import's rows are counted once at the end (about 1 µs a
    hazard) with the triggers off meanwhile (about 12 µs a hazard by them); into one that has
    hazards, a small import keeps the triggers (counting afresh would read every hazard). Either
    way the count is the hazards' and the triggers are there afterwards; a refused import and a
    dry run leave both as they were."""
    from hazreg.storage.sqlite import tally as tally_module
    from test_bulk_import import _ledger, _register

    _register(isolated, hazards=had)
    triggers = _triggers(isolated)
    assert len(triggers) == 3
    dropped = []
    real_drop = tally_module.drop
    monkeypatch.setattr(tally_module, "drop", lambda conn: (dropped.append(1), real_drop(conn)))
    bad = _ledger(tmp_path / "bad.csv", 30)
    bad.write_text(bad.read_text(encoding="utf-8") + "无日期的隐患,临江大酒店,not a date,open,\n", encoding="utf-8")
    before = counted_in(isolated)
    cli("import", "hazards", str(bad), code=2)
    cli("import", "hazards", str(_ledger(tmp_path / "dry.csv", 30)), "--dry-run")
    assert counted_in(isolated) == before and _triggers(isolated) == triggers
    assert dropped == ([1, 1] if had == 0 else [])  # both did set it aside, and were undone with it
    dropped.clear()
    cli("import", "hazards", str(_ledger(tmp_path / "good.csv", 30)))
    assert dropped == ([1] if had == 0 else [])
    tally, recount = counted_in(isolated)
    assert tally == recount and sum(r[4] for r in tally) == 30 + had
    assert _triggers(isolated) == triggers
    cli("add", "导入后新增的隐患", "--unit", "U1")  # the triggers count it
    tally, recount = counted_in(isolated)
    assert tally == recount and sum(r[4] for r in tally) == 31 + had
