"""`check` sees every table: each plain `sqlite3` edit below went unnoticed before (exit 0)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

PHOTO = b"a photo of the blocked exit"


def tamper(path: Path, *statements: str) -> None:
    """Another tool edits the file behind hazreg's back."""
    conn = sqlite3.connect(path)
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.fixture
def full(cli, isolated, tmp_path):
    """The demo register with every kind of record: supervision, extension, escalation, fine, file."""
    cli("demo", "--path", str(isolated))
    cli("supervise", "H50", "--by", "区安委办", "--level", "district", "--due", "2026-12-31", "--notice", "督1号", "--note", "挂牌")
    cli("extend", "H58", "--to", "2026-12-20", "--reason", "配件到货延迟", "--approved-by", "张副区长")
    cli("escalate", "H50", "--step", "notice", "--note", "已发整改通知书")
    cli("action", "add", "H50", "--type", "fine", "--amount", "50000", "--against", "惠民液化气", "--note", "从重处罚")
    photo = tmp_path / "exit.jpg"
    photo.write_bytes(PHOTO)
    cli("attach", "H1", str(photo), "--stage", "before")
    cli("config", "timezone", "Asia/Urumqi")
    cli("check")
    return isolated


CASES = {
    "fine amount": (["UPDATE actions SET amount_fen = 1"], "action 1.amount is '0.01' but its history says '50000.00'"),
    "actions deleted": (["DELETE FROM actions"], "action 1 of H50: its history"),
    "supervisions deleted": (["DELETE FROM supervisions"], "supervision 1 of H50: its history"),
    "supervision body": (["UPDATE supervisions SET body = '市安委办'"], "supervision 1.body is '市安委办'"),
    "extension": (["UPDATE extensions SET to_deadline = '2027-06-30'"], "extension 1.to_deadline is '2027-06-30'"),
    "escalation": (["UPDATE escalations SET done_on = '2026-11-01'"], "escalation 1.done_on is '2026-11-01'"),
    "attachment name": (["UPDATE attachments SET name = 'other.jpg'"], "A1.name is 'other.jpg'"),
    "attachment stage": (["UPDATE attachments SET stage = 'after'"], "A1.stage is 'after'"),
    "timezone": (["UPDATE settings SET value = 'Asia/Shanghai' WHERE key = 'timezone'"],
                 "settings.timezone is 'Asia/Shanghai' but its history says 'Asia/Urumqi'"),
    "hazard uid": (["UPDATE hazards SET uid = '01a22b8b-0000-7000-8000-000000000000' WHERE id = 3"], "H3.uid is"),
    "unit created_at": (["UPDATE units SET created_at = '2020-01-01T00:00:00.000000Z' WHERE id = 2"],
                        "U2.created_at is '2020-01-01T00:00:00.000000Z'"),
    "unit field": (["UPDATE units SET phone = '110' WHERE id = 4"], "U4.phone is '110'"),
    # funds are fen in the row and yuan in history: compared as history writes them
    "hazard funds": (["UPDATE hazards SET funds_fen = 8600001 WHERE id = 4"], "H4.funds is '86000.01' but its history says '86000.00'"),
    "hazard funds removed": (["UPDATE hazards SET funds_fen = NULL WHERE id = 4"], "H4.funds is None but its history says '86000.00'"),
    "search index emptied": (["DELETE FROM hazard_search"], "The search index does not match 70 hazards"),
    "search index row": (["UPDATE hazard_search SET text = 'x' WHERE rowid = 7"], "does not match 1 hazards (first H7)"),
    "search index dropped": (["DROP TABLE hazard_search"], "The search index is missing"),
    "migrations emptied": (["DELETE FROM _sqlite_migrations"], "The migrations table of"),
    "migrations dropped": (["DROP TABLE _sqlite_migrations"], "The migrations table of"),
}


@pytest.mark.parametrize("case", CASES)
def test_an_edit_of_any_table_is_caught(cli, full, case):
    statements, said = CASES[case]
    tamper(full, *statements)
    result = cli("check", code=1)
    assert said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "All checks hold" not in result.stdout
    assert not json.loads(cli("check", "-f", "json", code=1).stdout)["ok"]


def test_rows_added_to_hazards_in_turn_are_compared_hazard_by_hazard(cli, full):
    """Entries adding rows to several hazards, written in turn, are read hazard by hazard and
    in order within each (SQLite reads history in its own order and sorts what it keeps), so a
    register made so passes, and a row changed afterwards is still named."""
    from hazreg.register import open_register

    cli("extend", "H58", "--to", "2027-01-10", "--reason", "施工单位更换", "--approved-by", "张副区长")
    cli("action", "add", "H50", "--type", "suspend", "--note", "停产整顿")
    reg = open_register(full, write=False)
    read = [(hazard, seq) for seq, hazard, *_ in reg.store.child_entries()]
    reg.store.close()
    assert read == sorted(read) and [h for h, _ in read].count(58) == 2 and len({h for h, _ in read}) >= 3
    assert "All checks hold" in cli("check").stdout
    tamper(full, "UPDATE actions SET type = 'fine' WHERE id = 2")
    assert "action 2.type is 'fine'" in cli("check", code=1).stderr


def test_the_last_entry_removed_with_its_row_is_caught(cli, full):
    cli("action", "add", "H50", "--type", "suspend")
    last = json.loads(cli("check", "--anchor", "-f", "json").stdout)["entries"]
    tamper(full, "DELETE FROM actions WHERE id = 2", f"DELETE FROM history WHERE seq = {last}")
    said = f"The history's counter says {last} entries were written, but the last one is {last - 1}"
    assert said in cli("check", code=1).stderr


def test_the_history_entry_of_a_fine_is_what_check_compares(cli, full):
    # The same edit made to the fine's history entry instead breaks the chain there.
    conn = sqlite3.connect(full)
    seq = conn.execute("SELECT seq FROM history WHERE action = 'action'").fetchone()[0]
    conn.close()
    tamper(full, f"UPDATE history SET after = replace(after, '50000.00', '0.01') WHERE seq = {seq}")
    assert f"breaks at entry {seq}" in cli("check", code=1).stderr


def test_the_hash_covers_before(cli, full):
    conn = sqlite3.connect(full)
    seq = conn.execute("SELECT seq FROM history WHERE before IS NOT NULL ORDER BY seq LIMIT 1").fetchone()[0]
    conn.close()
    tamper(full, f"UPDATE history SET before = '{{\"status\": \"closed\"}}' WHERE seq = {seq}")
    assert f"breaks at entry {seq}: its content was changed" in cli("check", code=1).stderr


def test_a_dropped_search_index_is_rebuilt_and_the_repair_recorded(cli, full):
    tamper(full, "DROP TABLE hazard_search")
    result = cli("list", "--search", "灭火器", code=1)
    assert "Traceback" not in result.stderr and "check --repair-index" in result.stderr
    entries = json.loads(cli("check", "--anchor", "-f", "json").stdout)["entries"]
    assert "Rebuilt the search index: 70 hazards" in cli("check", "--repair-index").stdout
    assert json.loads(cli("check", "--anchor", "-f", "json").stdout)["entries"] == entries + 1
    assert cli("history", "-f", "json").stdout.count('"repair_index"') == 1
    assert "灭火器" in cli("list", "--search", "灭火器").stdout
    cli("check")


def test_a_stale_search_index_is_repaired(cli, full):
    tamper(full, "DELETE FROM hazard_search")
    assert "H1 " not in cli("list", "--search", "灭火器").stdout  # finds nothing: the index is empty
    cli("check", "--repair-index")
    cli("check")


def test_a_register_whose_migrations_table_is_gone_is_one_clear_error(cli, full):
    tamper(full, "DROP TABLE _sqlite_migrations", "PRAGMA user_version = 5")
    for args in (("list",), ("add", "x", "--unit", "U1"), ("check",)):
        result = cli(*args, code=1)
        assert result.stderr.strip() == f"Error: the migrations table of {full} is missing or damaged", args


def test_a_blob_replaced_by_a_symlink_is_caught_and_not_followed(cli, full, tmp_path):
    reg_files = full.with_name("register.files")
    blob = next(p for p in reg_files.rglob("*") if p.is_file())
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(PHOTO)  # the same content, outside the register's folder
    blob.unlink()
    os.symlink(outside, blob)
    result = cli("check", code=1)
    assert f"Not a plain file in the register's folder: the file with sha256 {blob.name}" in result.stderr
    out = tmp_path / "exported.jpg"
    assert "A1" in cli("attachment", "export", "A1", "-o", str(out), code=1).stderr
    assert not out.exists()


def test_attach_writes_exactly_one_history_entry_naming_the_file(cli, full, tmp_path):
    before = json.loads(cli("check", "--anchor", "-f", "json").stdout)["entries"]
    second = tmp_path / "after.jpg"
    second.write_bytes(b"after rectification")
    cli("attach", "H1", str(second), "--stage", "after")
    assert json.loads(cli("check", "--anchor", "-f", "json").stdout)["entries"] == before + 1
    entry = json.loads(cli("history", "H1", "-f", "json").stdout)[-1]
    assert entry["action"] == "attach" and entry["after"]["file"] == "after.jpg" and entry["after"]["stage"] == "after"
    # An attachment row with no history entry is caught.
    tamper(full, "INSERT INTO attachments (uid, hazard_id, sha256, size, name, stage, created_at)"
                 " SELECT uid || 'x', hazard_id, sha256, size, 'sneaked.jpg', stage, created_at FROM attachments WHERE id = 1")
    assert "A3: the register has it, but no history entry records it" in cli("check", code=1).stderr
