"""The register file: schema, migrations, durability settings, refusals, all-or-nothing writes."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlite_utils import Database

from hazreg.errors import Refused
from hazreg.register import open_register
from hazreg.storage import SCHEMA_VERSION
from hazreg.storage.sqlite.migrations import migrations


def test_migrating_a_blank_database_gives_the_schema(tmp_path):
    db = Database(tmp_path / "blank.db")
    migrations.apply(db)
    # The version is the number of the last migration (numbers may leave gaps for other branches'
    # migrations until they are merged), and every migration is applied.
    pending = migrations.pending(Database(memory=True))
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == int(pending[-1].name[1:4])
    assert migrations.pending(db) == []
    assert {"units", "hazards", "history", "settings", "hazard_search"} <= set(db.table_names())
    assert {"id", "uid", "credit_code", "risk"} <= set(db["units"].columns_dict)
    assert {"uid", "unit_id", "funds_fen", "deadline", "status", "closed_on"} <= set(db["hazards"].columns_dict)


def test_register_is_created_on_first_write_with_its_folder(tmp_path):
    path = tmp_path / "deep" / "folder" / "r.db"
    reader = open_register(path, write=False)
    assert reader.info()["units"] == 0
    reader.store.close()
    assert not path.exists()  # reading never creates a file
    writer = open_register(path, write=True)
    writer.units.add({"name": "x", "industry": "fire", "locality": "y"})
    writer.store.close()
    assert path.exists()


@pytest.mark.sqlite_only  # the SQLite store's own connection and SQL
def test_wal_busy_timeout_foreign_keys_and_full_sync(reg):
    conn = reg.store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: a reported write survives power loss
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_a_newer_register_is_refused_and_left_untouched(isolated, reg, unit):
    reg.store.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    reg.store.close()
    before = isolated.read_bytes()
    for write in (False, True):
        with pytest.raises(Refused) as err:
            open_register(isolated, write=write)
        assert err.value.key == "err.newer_schema"
        assert "newer hazreg" in err.value.message()
    assert isolated.read_bytes() == before


def test_a_file_that_is_not_a_register_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database at all" * 100)
    with pytest.raises(Refused) as err:
        open_register(path, write=True)
    assert err.value.key == "err.not_register"


@pytest.mark.sqlite_only  # the SQLite store's own connection and SQL
def test_ids_are_never_reused(reg, unit):
    first = reg.hazards.add({"unit": unit["id"], "description": "a"})
    # A hazard whose write is rolled back still uses up its id (AUTOINCREMENT).
    with pytest.raises(RuntimeError), reg.store.transaction():
        reg.store.conn.execute(
            "INSERT INTO hazards (uid, unit_id, description, industry, locality, level, status, source,"
            " found_on, created_at, updated_at) VALUES ('x', ?, 'b', 'fire', 'l', 'general', 'open',"
            " 'other', '2026-11-29', 'now', 'now')",
            (unit["id"],),
        )
        reg.store.conn.execute("DELETE FROM hazards WHERE uid = 'x'")
        reg.store.conn.execute("COMMIT")
        reg.store.conn.execute("BEGIN IMMEDIATE")
        raise RuntimeError
    second = reg.hazards.add({"unit": unit["id"], "description": "c"})
    assert second["id"] == first["id"] + 2
    assert first["uid"] != second["uid"] and len(second["uid"]) == 36


@pytest.mark.sqlite_only  # the SQLite store's own connection and SQL
def test_a_failure_inside_a_write_leaves_nothing_behind(reg, unit, monkeypatch):
    def broken(entry):
        raise OSError("disk full")

    monkeypatch.setattr(reg.store, "add_history", broken)
    with pytest.raises(OSError):
        reg.hazards.add({"unit": unit["id"], "description": "灭火器过期"})
    assert reg.store.count("hazards") == 0
    assert reg.store.conn.execute("SELECT count(*) FROM hazard_search").fetchone()[0] == 0
    assert not reg.store.conn.in_transaction


def test_two_writers_wait_for_each_other(isolated, reg, unit):
    """While another command holds the write lock, a second one waits, then succeeds."""
    other = sqlite3.connect(isolated, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")

    def release() -> None:
        time.sleep(0.5)
        other.execute("COMMIT")

    thread = threading.Thread(target=release)
    thread.start()
    started = time.monotonic()
    second = open_register(isolated, write=True, operator="李明")
    hazard = second.hazards.add({"unit": unit["id"], "description": "疏散通道堵塞"})
    waited = time.monotonic() - started
    thread.join()
    other.close()
    second.store.close()
    assert hazard["id"] == 1
    assert waited >= 0.4  # it waited for the lock instead of failing
    assert reg.store.setting("x") == "y"
