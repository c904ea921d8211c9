"""A big import's fast path keeps every guarantee of a small one: duplicates found with their
rows across batches, the indexes it sets aside built again, the search index whole, `check`
passing, a kill at any point leaving the register as it was, readers reading meanwhile."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hazreg.register import open_register
from hazreg.register.integrity import check_register
from hazreg.storage.sqlite.bulk import HazardBulk

HEADERS = ["隐患描述", "单位名称", "发现日期", "状态", "整改完成日期"]
UNITS = ("临江大酒店", "青山镇宏达化工有限公司")
# A child that imports with small batches, sets its indexes aside after 40 hazards and takes a
# file of 50 rows (by its size) as big, so a file of a few hundred rows takes the path a
# million-row one does.
_SMALL_BATCHES = (
    "import sys\n"
    "from hazreg.storage.sqlite.bulk import HazardBulk\n"
    "HazardBulk.BATCH, HazardBulk.SET_ASIDE_AFTER = 7, 40\n"
    "import hazreg.register.imports\n"
    "hazreg.register.imports.EXCLUSIVE_FROM = 50\n"
    "from hazreg.cli import main\n"
    "sys.argv = ['hazreg', *sys.argv[1:]]\n"
    "main()\n"
)
FAULTS = ("import:set-aside", "import:loaded", "import:indexed")


def _ledger(path: Path, rows: int, duplicate_of: dict[int, int] | None = None) -> Path:
    """`rows` hazards; row `n` of `duplicate_of` repeats row duplicate_of[n] (file rows, header = 1)."""
    lines = []
    for n in range(rows):
        status, done = ("rectified", "2026-11-10") if n % 3 == 0 else ("open", "")
        lines.append([f"第{n}号隐患：疏散通道堆放杂物，灭火器过期", UNITS[n % 2], f"2026-{n % 9 + 1:02d}-15", status, done])
    for row, first in (duplicate_of or {}).items():
        lines[row - 2] = lines[first - 2]
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        out.writerows(lines)
    return path


def _register(path: Path, hazards: int = 0) -> None:
    reg = open_register(path, write=True, operator="tester")
    for name in UNITS:
        reg.units.add({"name": name, "industry": "fire", "locality": "临江街道"})
    for n in range(hazards):
        reg.hazards.add({"unit": 1, "description": f"导入前已有的隐患{n}"})
    reg.store.close()


def _state(path: Path) -> tuple[object, ...]:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("SELECT count(*) FROM hazards").fetchone()[0],
            conn.execute("SELECT count(*), max(hash) FROM history").fetchone(),
            conn.execute("SELECT count(*) FROM hazard_search").fetchone()[0],
            conn.execute("SELECT group_concat(name) FROM (SELECT name FROM sqlite_master ORDER BY name)").fetchone(),
            conn.execute("SELECT group_concat(k || '=' || v) FROM hazard_search_config").fetchone(),
        )
    finally:
        conn.close()


def _indexes(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()
    finally:
        conn.close()


def _import(path: Path, ledger: Path, *options: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _SMALL_BATCHES, "import", "hazards", str(ledger), *options],
                            env={**os.environ, "HAZREG_DB": str(path), **env}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(HazardBulk, "BATCH", 7)
    monkeypatch.setattr(HazardBulk, "SET_ASIDE_AFTER", 40)


def test_a_big_import_sets_indexes_aside_and_leaves_a_register_check_accepts(small_batches, cli, isolated, tmp_path):
    _register(isolated)
    before = _indexes(isolated)
    cli("import", "hazards", str(_ledger(tmp_path / "big.csv", 300)))
    reg = open_register(isolated, write=False)
    assert reg.info()["hazards"] == 300
    report = check_register(reg)
    assert report["ok"], report
    assert _indexes(isolated) == before  # every index back, as it was defined
    conn = sqlite3.connect(isolated)
    assert conn.execute("SELECT k FROM hazard_search_config WHERE k = 'hashsize'").fetchall() == []
    found = conn.execute("SELECT rowid FROM hazard_search WHERE hazard_search MATCH '\"灭火 火器\"'").fetchall()
    assert len(found) == 300
    # the dropped indexes answer queries again
    plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN SELECT id FROM hazards WHERE found_on = '2026-01-15'"))
    assert "hazards_found_on" in plan


def test_duplicates_batches_apart_are_found_with_their_rows_in_an_empty_register(small_batches, cli, isolated, tmp_path):
    _register(isolated)
    ledger = _ledger(tmp_path / "dup.csv", 300, {250: 3, 120: 119})
    result = cli("import", "hazards", str(ledger), code=2)
    assert "250" in result.stdout + result.stderr and "120" in result.stdout + result.stderr
    assert open_register(isolated, write=False).info()["hazards"] == 0  # all or nothing
    errors = tmp_path / "errors.csv"
    cli("import", "hazards", str(ledger), "--skip-invalid", "--errors", str(errors))
    reg = open_register(isolated, write=False)
    assert reg.info()["hazards"] == 298
    assert check_register(reg)["ok"]
    rows = list(csv.reader(errors.open(encoding="utf-8-sig")))
    text = "\n".join(",".join(r) for r in rows)
    assert "row 3" in text and "row 119" in text, text
    assert {r[0] for r in rows[1:]} == {"250", "120"}, rows


def test_rows_matching_a_register_with_hazards_still_update_it(small_batches, cli, isolated, tmp_path):
    _register(isolated)
    ledger = _ledger(tmp_path / "first.csv", 100)
    cli("import", "hazards", str(ledger))
    again = _ledger(tmp_path / "again.csv", 100)
    result = cli("import", "hazards", str(again))
    assert "0 new" in result.stdout and "100 unchanged" in result.stdout, result.stdout
    assert open_register(isolated, write=False).info()["hazards"] == 100


@pytest.mark.parametrize("had", [2, 0])  # (with none, the weekly tally is set aside from the first row)
@pytest.mark.parametrize("step", FAULTS)
def test_an_import_killed_at_any_step_leaves_the_register_as_it_was(isolated, tmp_path, step, had):
    _register(isolated, hazards=had)
    before = _state(isolated)
    proc = _import(isolated, _ledger(tmp_path / "big.csv", 300), HAZREG_FAULT=step)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.returncode
    assert _state(isolated) == before
    reg = open_register(isolated, write=True)  # a write puts the file back in WAL if it left it
    assert reg.store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert reg.info()["hazards"] == had
    assert check_register(reg)["ok"]
    reg.store.close()


def test_a_big_load_with_the_file_to_itself_uses_a_rollback_journal_then_goes_back_to_wal(isolated, tmp_path):
    _register(isolated, hazards=2)
    proc = _import(isolated, _ledger(tmp_path / "big.csv", 300), HAZREG_PAUSE="import:loaded=3")
    journal = Path(f"{isolated}-journal")
    deadline = time.monotonic() + 60
    while not journal.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "no rollback journal seen during the load"
        time.sleep(0.05)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert not journal.exists()
    conn = sqlite3.connect(isolated)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    reg = open_register(isolated, write=False)
    assert reg.info()["hazards"] == 302
    assert check_register(reg)["ok"]


def test_a_reader_reads_the_register_as_it_was_during_an_import(isolated, tmp_path):
    """Someone has the register open: the import keeps the WAL, and readers read beside it."""
    _register(isolated, hazards=2)
    holder = sqlite3.connect(isolated)  # an officer's command with the file open
    holder.execute("SELECT count(*) FROM hazards").fetchone()
    proc = _import(isolated, _ledger(tmp_path / "big.csv", 300), HAZREG_PAUSE="import:loaded=5")
    try:
        deadline = time.monotonic() + 60
        while not _write_locked(isolated):  # the import's transaction has begun
            assert proc.poll() is None and time.monotonic() < deadline, "the import ended before it was seen"
            time.sleep(0.05)
        listed = subprocess.run([sys.executable, "-m", "hazreg", "list", "--all", "--format", "json"], text=True,
                                capture_output=True, env={**os.environ, "HAZREG_DB": str(isolated)}, timeout=60)
        assert proc.poll() is None, "the import ended before the reader had read"
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.count('"uid"') == 2, listed.stdout  # the import is not seen until it commits
        assert not Path(f"{isolated}-journal").exists()  # the WAL, not a rollback journal
    finally:
        _, err = proc.communicate(timeout=120)
        holder.close()
    assert proc.returncode == 0, err
    assert open_register(isolated, write=False).info()["hazards"] == 302


def _write_locked(path: Path) -> bool:
    """Whether another connection holds the register's write lock (is inside its transaction)."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()
