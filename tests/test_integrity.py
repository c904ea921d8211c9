"""Evidence you can trust: the hash chain, check, anchors, backups, real processes at once, kills."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hazreg.register import open_register

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def filled(cli, isolated):
    cli("demo", "--path", str(isolated))
    return isolated


def tamper(path: Path, sql: str, params: tuple = ()) -> None:
    """Another tool edits the file behind hazreg's back."""
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_a_clean_register_passes_every_check(cli, filled):
    out = cli("check").stdout
    assert "All checks hold" in out
    engine = "PostgreSQL" if os.environ["HAZREG_DB"].startswith("postgresql") else "SQLite"
    assert f"All checks hold: {engine} intact," in out
    report = json.loads(cli("check", "-f", "json").stdout)
    assert report["ok"] and report["chain"]["entries"] > 100 and report["records"]["mismatched"] == 0


def test_a_changed_entry_is_caught(cli, filled):
    tamper(filled, "UPDATE history SET operator = '别人' WHERE seq = 40")
    result = cli("check", code=1)
    assert "breaks at entry 40" in result.stderr and "changed after it was written" in result.stderr


def test_a_deleted_entry_is_caught(cli, filled):
    tamper(filled, "DELETE FROM history WHERE seq = 41")
    assert "breaks at entry 42" in cli("check", code=1).stderr


def test_two_swapped_entries_are_caught(cli, filled):
    conn = sqlite3.connect(filled)
    a = conn.execute("SELECT at, after FROM history WHERE seq = 50").fetchone()
    b = conn.execute("SELECT at, after FROM history WHERE seq = 51").fetchone()
    conn.execute("UPDATE history SET at = ?, after = ? WHERE seq = 50", b)
    conn.execute("UPDATE history SET at = ?, after = ? WHERE seq = 51", a)
    conn.commit()
    conn.close()
    assert "breaks at entry 50" in cli("check", code=1).stderr


def test_a_record_edited_behind_hazregs_back_is_caught(cli, filled):
    tamper(filled, "UPDATE hazards SET description = description || '（已改）' WHERE id = 3")
    result = cli("check", code=1)
    assert "H3.description is" in result.stderr and "but its history says" in result.stderr
    tamper(filled, "UPDATE hazards SET description = replace(description, '（已改）', '') WHERE id = 3")
    cli("check")


def test_anchors(cli, filled):
    anchor = json.loads(cli("check", "--anchor", "-f", "json").stdout)
    assert len(anchor["head"]) == 64
    cli("add", "锚点之后登记", "--unit", "U1")
    assert "Nothing up to that anchor has changed" in cli("check", "--since-anchor", anchor["head"]).stdout
    tamper(filled, "UPDATE history SET note = 'x' WHERE seq = 2")
    assert "breaks at entry 2" in cli("check", "--since-anchor", anchor["head"], code=1).stderr


def test_an_unknown_anchor_is_reported(cli, filled):
    result = cli("check", "--since-anchor", "ab" * 32, code=1)
    assert "No entry has the hash" in result.stderr


def test_every_write_path_extends_the_chain(cli, filled, tmp_path):
    """Imports (batched), campaign records, draws, supervision and attachments all chain."""
    def entries() -> int:
        return json.loads(cli("check", "--anchor", "-f", "json").stdout)["entries"]

    def grows_by_one(*args: str) -> None:
        before = entries()
        cli(*args)
        assert entries() == before + 1, args
        last = cli("history", "-f", "json").stdout
        assert json.loads(last)[-1]["seq"] == before + 1

    roster = tmp_path / "r.csv"
    roster.write_text("单位名称,行业领域,所属镇街\n新单位甲,消防,临江街道\n", encoding="utf-8")
    grows_by_one("import", "units", str(roster))
    ledger = tmp_path / "h.csv"
    ledger.write_text("隐患描述,单位名称,发现日期\n批量导入的隐患,新单位甲,2026-11-20\n", encoding="utf-8")
    grows_by_one("import", "hazards", str(ledger))
    grows_by_one("inspector", "add", "王建国")
    grows_by_one("draw", "--count", "2", "--seed", "1", "--inspectors", "1")
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo")
    grows_by_one("attach", "H1", str(photo))
    grows_by_one("supervise", "H50", "--by", "区安委办", "--level", "district", "--due", "2026-12-31", "--notice", "督1号")
    grows_by_one("action", "add", "H50", "--type", "fine", "--amount", "20000")
    grows_by_one("escalate", "H50", "--step", "notice")
    grows_by_one("extend", "H58", "--to", "2026-12-20", "--reason", "配件到货延迟")
    grows_by_one("config", "timezone", "Asia/Shanghai")
    cli("check")


# -- backups -------------------------------------------------------------------------------------


def test_backup_and_restore(cli, filled, tmp_path):
    copy = tmp_path / "copies" / "register-backup.db"
    assert "checked" in cli("backup", str(copy)).stdout
    assert copy.stat().st_mode & 0o777 == 0o600
    before = json.loads(cli("info", "-f", "json").stdout)["hazards"]
    cli("add", "备份之后登记", "--unit", "U1")
    out = cli("restore", str(copy)).stdout
    assert "kept as" in out
    assert json.loads(cli("info", "-f", "json").stdout)["hazards"] == before
    aside = [p for p in filled.parent.iterdir() if ".before-restore-" in p.name]
    assert len(aside) == 1 and open_register(aside[0], write=False).info()["hazards"] == before + 1
    cli("check")


def test_a_tampered_copy_is_not_restored(cli, filled, tmp_path):
    copy = tmp_path / "copy.db"
    cli("backup", str(copy))
    tamper(copy, "UPDATE history SET operator = 'x' WHERE seq = 5")
    assert "does not pass the checks" in cli("restore", str(copy), code=1).stderr
    assert not [p for p in filled.parent.iterdir() if ".before-restore-" in p.name]
    cli("check")
    assert "register itself" in cli("backup", str(filled), code=1).stderr


def test_backup_while_another_process_writes(filled, tmp_path):
    start = open_register(filled, write=False)
    entries, hazards = start.store.chain_head()[0], start.store.count("hazards")
    start.store.close()
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(filled), "0", "150"])
    try:
        time.sleep(0.3)
        env = {**os.environ, "HAZREG_DB": str(filled)}
        result = subprocess.run([sys.executable, "-m", "hazreg", "backup", str(tmp_path / "b.db")],
                                env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    finally:
        assert writer.wait(timeout=120) == 0
    # The copy is the register as it was at one moment: the demo's hazards and the writer's
    # first n, in order, with the history up to that moment, whose head is in the register's chain.
    from hazreg.register.integrity import check_register, verify_chain

    copy = open_register(tmp_path / "b.db", write=False)
    rows = copy.store.conn.execute("SELECT id, description FROM hazards WHERE id > ? ORDER BY id", (hazards,)).fetchall()
    assert [r[1] for r in rows] == [f"进程0登记的第{n}条隐患" for n in range(len(rows))]
    assert copy.store.count("hazards") == hazards + len(rows) and len(rows) <= 150
    report = check_register(copy)
    assert report["ok"] and report["chain"]["entries"] == entries + len(rows)
    live = open_register(filled, write=False)
    assert verify_chain(live, report["chain"]["head"])["anchor_found"]
    assert live.store.count("hazards") == hazards + 150


# -- real processes at once, and killed ------------------------------------------------------------

_WRITER = """
import sys
from pathlib import Path
from hazreg.register import open_register
path, worker, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
reg = open_register(path, write=True, operator=f"officer{worker}")
for n in range(count):
    reg.hazards.add({"unit": 1, "description": f"进程{worker}登记的第{n}条隐患"})
"""


def test_four_processes_adding_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.db"
    reg = open_register(path, write=True)
    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})
    reg.store.close()
    workers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(w), "250"],
                                stderr=subprocess.PIPE) for w in range(4)]
    for w in workers:
        _, err = w.communicate(timeout=300)
        assert w.returncode == 0, err.decode()
        assert b"locked" not in err
    reg = open_register(path, write=False)
    rows = reg.store.conn.execute("SELECT id, description FROM hazards").fetchall()
    assert len(rows) == 1000 and len({r[0] for r in rows}) == 1000 and len({r[1] for r in rows}) == 1000
    from hazreg.register.integrity import check_register

    report = check_register(reg)
    assert report["ok"], report
    assert report["chain"]["entries"] == 1001


def test_a_killed_import_leaves_the_register_as_it_was(tmp_path):
    path = tmp_path / "r.db"
    reg = open_register(path, write=True)
    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})
    reg.hazards.add({"unit": 1, "description": "导入前已有的隐患"})
    reg.store.close()
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["隐患描述", "单位名称", "发现日期"])
        for n in range(300_000):
            out.writerow([f"批量隐患{n}号，灭火器压力不足", "临江大酒店", "2026-11-20"])
    env = {**os.environ, "HAZREG_DB": str(path)}
    proc = subprocess.Popen([sys.executable, "-m", "hazreg", "import", "hazards", str(big)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(4)  # well into the import: tens of thousands of rows written in its transaction
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    reg = open_register(path, write=False)
    assert reg.info()["hazards"] == 1
    from hazreg.register.integrity import check_register

    assert check_register(reg)["ok"]


def test_new_registers_are_private(tmp_path, cli):
    path = tmp_path / "new" / "folder" / "r.db"
    cli("--db", str(path), "unit", "add", "x", "--industry", "fire", "--locality", "y")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.parent.parent.stat().st_mode & 0o777 == 0o700


def test_inspections_and_campaign_records_are_checked_too(cli, filled):
    cli("campaign", "add", "大检查", "--start", "2026-11-01", "--end", "2027-01-31")
    cli("leader", "add", "张副区长", "--industries", "消防")
    cli("inspect", "add", "--unit", "U1", "--by", "王建国", "--leader", "张副区长")
    cli("check")
    tamper(filled, "UPDATE inspections SET leader = '李副区长' WHERE id = 1")
    assert "I1.leader is '李副区长'" in cli("check", code=1).stderr
    tamper(filled, "UPDATE inspections SET leader = '张副区长' WHERE id = 1")
    tamper(filled, "UPDATE leaders SET industries = '[\"fire\", \"gas\"]' WHERE id = 1")
    assert "L1.industries" in cli("check", code=1).stderr


# -- the chain's JSON text: the fast writer is the encoder, byte for byte -----------------

_VALUE = st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=0x40)), st.integers(), st.none(),
                    st.booleans(), st.floats(), st.lists(st.text(), max_size=3),
                    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=500, deadline=None)
@given(values=st.lists(_VALUE, max_size=12))
def test_the_chain_json_is_the_encoders_text(values):
    """`check` hashes every entry: its JSON text, written without the encoder's per-call cost,
    is the encoder's text for any values (quotes, backslashes, control characters, U+2028,
    lone surrogates, big numbers, booleans, floats, nested values)."""
    from hazreg.chain import _encode, _json_list

    assert _json_list(values) == _encode(values)
