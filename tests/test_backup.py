"""Backups and restores a cron job can rely on; reads that never write; Ctrl-C and closed pipes."""

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
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from hazreg.register import open_register
from hazreg.storage.sqlite.migrations import migrations

STAMP = "20261129T040000Z"  # the fixed test clock, as backup and restore stamp file names


@pytest.fixture
def filled(cli, isolated):
    cli("demo", "--path", str(isolated))
    return isolated


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# -- backup ----------------------------------------------------------------------------------------


def test_backup_of_a_register_that_does_not_exist_is_an_error(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "nowhere" / "register.db"
    dest = tmp_path / "out" / "copy.db"
    result = cli("--db", str(missing), "backup", str(dest), code=1)
    assert result.stderr.strip() == f"Error: there is no register at {missing}"
    assert not dest.exists() and not missing.exists()
    assert files_under(tmp_path) <= {"xdg"}  # nothing written anywhere, not even a folder


def test_backup_into_a_folder_writes_a_dated_file_there(cli, filled, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = files_under(tmp_path)
    folder = tmp_path / "backups"
    out = cli("backup", f"{folder}/").stdout  # a folder that does not exist yet, named with a slash
    dated = folder / f"register-{STAMP}.db"
    assert str(dated) in out and "checked" in out
    assert not any(".part" in name for name in files_under(tmp_path))
    assert files_under(tmp_path) - before == {"backups", f"backups/register-{STAMP}.db"}
    assert open_register(dated, write=False).info()["hazards"] == 70
    # An existing folder, named without the slash, is a folder too.
    other = tmp_path / "weekly"
    other.mkdir()
    cli("backup", str(other))
    assert files_under(other) == {f"register-{STAMP}.db"}


def test_an_existing_backup_is_not_overwritten_without_force(cli, filled, tmp_path):
    dest = tmp_path / "copy.db"
    cli("backup", str(dest))
    first = dest.read_bytes()
    cli("add", "备份之后登记", "--unit", "U1")
    result = cli("backup", str(dest), code=1)
    assert result.stderr.strip() == f"Error: {dest} already exists; use --force to replace it"
    assert dest.read_bytes() == first
    assert not any(".part" in name for name in files_under(tmp_path))
    # A dated backup in a folder that already holds one of that name is refused the same way.
    cli("backup", str(tmp_path / "dated") + "/")
    assert "--force" in cli("backup", str(tmp_path / "dated") + "/", code=1).stderr
    cli("backup", "--force", str(dest))
    assert open_register(dest, write=False).info()["hazards"] == 71


def test_a_backup_that_cannot_be_written_says_so_in_one_line(cli, filled, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    result = cli("backup", str(blocked / "copy.db"), code=1)
    assert result.stderr.startswith(f"Error: cannot write {blocked / 'copy.db'}: ")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


# -- restore ---------------------------------------------------------------------------------------


def test_the_register_set_aside_keeps_its_attachments(cli, filled, tmp_path):
    copy = tmp_path / "copies" / "monday.db"
    cli("backup", str(copy))
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"a photo of the blocked exit")
    cli("attach", "H1", str(photo))  # after the backup: only the register being replaced has it
    out = cli("restore", str(copy)).stdout
    aside = filled.parent / f"register.before-restore-{STAMP}.db"
    assert f"kept as {aside}" in out
    cli("check")
    # The copy set aside is a whole register: it passes check with its attachment ...
    assert "All checks hold" in cli("--db", str(aside), "check").stdout
    assert "photo.jpg" in cli("--db", str(aside), "show", "H1").stdout
    # ... and can itself be restored, attachment included.
    cli("restore", str(aside))
    assert "photo.jpg" in cli("show", "H1").stdout
    cli("check")
    cli("attachment", "export", "A1", "-o", str(tmp_path / "out.jpg"))
    assert (tmp_path / "out.jpg").read_bytes() == photo.read_bytes()


@pytest.mark.parametrize("kind", ["text", "empty", "other_sqlite"])
def test_restore_of_something_that_is_not_a_register_names_the_users_file(cli, filled, tmp_path, kind):
    source = tmp_path / "notes.db"
    if kind == "text":
        source.write_text("meeting notes, not a register\n" * 50)
    elif kind == "empty":
        source.write_bytes(b"")
    else:
        conn = sqlite3.connect(source)
        conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.commit()
        conn.close()
    kept = source.read_bytes()
    before = filled.read_bytes()
    result = cli("restore", str(source), code=1)
    assert result.stderr.startswith(f"Error: {source} is ") and "not a hazreg register" in result.stderr
    assert ".restore" not in result.stderr
    assert source.read_bytes() == kept
    assert filled.read_bytes() == before
    assert not [p for p in filled.parent.iterdir() if "restore" in p.name]


def test_restore_of_the_register_onto_itself_is_refused_before_anything_moves(cli, filled):
    before = files_under(filled.parent)
    content = filled.read_bytes()
    result = cli("restore", str(filled), code=1)
    assert result.stderr.strip() == f"Error: {filled} is the register itself; restore from a backup"
    assert files_under(filled.parent) == before and filled.read_bytes() == content


def test_an_older_backup_is_brought_up_to_date_on_restore(cli, filled, tmp_path):
    old = tmp_path / "old.db"
    make_old_register(old)
    cli("restore", str(old))
    assert json.loads(cli("info", "-f", "json").stdout)["hazards"] == 0
    cli("check")


# -- reading never writes ----------------------------------------------------------------------------


def test_check_of_a_path_with_no_register_is_an_error(cli, tmp_path):
    missing = tmp_path / "none" / "register.db"
    result = cli("--db", str(missing), "check", code=1)
    assert result.stderr.strip() == f"Error: there is no register at {missing}"
    assert not missing.parent.exists()
    assert cli("--db", str(missing), "check", "--anchor", code=1).stderr == result.stderr


def test_an_existing_empty_file_does_not_become_a_register_on_read(cli, tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    empty.chmod(0o644)
    assert cli("--db", str(empty), "check", code=1).stderr.strip() == f"Error: there is no register at {empty}"
    cli("--db", str(empty), "list")
    cli("--db", str(empty), "info")
    assert empty.read_bytes() == b"" and empty.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("empty")) == ["empty.db"]


def test_an_empty_file_written_to_becomes_a_private_register(cli, tmp_path):
    empty = tmp_path / "new.db"
    empty.write_bytes(b"")
    empty.chmod(0o644)
    cli("--db", str(empty), "unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    assert empty.stat().st_mode & 0o777 == 0o600
    cli("--db", str(empty), "check")


def make_old_register(path: Path) -> None:
    """A register as an older hazreg left it: every migration but the last."""
    old = Migrations("hazreg")
    old._migrations = migrations._migrations[:-1]
    db = Database(path)
    old.apply(db)
    db.conn.close()


def test_reading_an_older_register_does_not_rewrite_it(cli, tmp_path):
    old = tmp_path / "old.db"
    make_old_register(old)
    content = old.read_bytes()
    cli("--db", str(old), "list")
    assert json.loads(cli("--db", str(old), "info", "-f", "json").stdout)["units"] == 0
    assert old.read_bytes() == content
    cli("--db", str(old), "unit", "add", "临江大酒店", "--industry", "fire", "--locality", "临江街道")
    assert old.read_bytes() != content  # the first write brings it up to date
    cli("--db", str(old), "check")


def test_a_sqlite_file_of_another_program_is_not_taken_over(cli, tmp_path):
    other = tmp_path / "contacts.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    content = other.read_bytes()
    for args in (("list",), ("unit", "add", "x", "--industry", "fire", "--locality", "y")):
        result = cli("--db", str(other), *args, code=1)
        assert result.stderr.strip() == f"Error: {other} is an SQLite file but not a hazreg register"
    assert other.read_bytes() == content


# -- Ctrl-C and closed pipes, in real processes --------------------------------------------------------


def _env(path: Path) -> dict[str, str]:
    return {**os.environ, "HAZREG_DB": str(path)}


def test_ctrl_c_during_a_long_import_prints_one_line_and_changes_nothing(tmp_path):
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
    # As at a terminal: Ctrl-C reaches the command even where this test was started with SIGINT
    # ignored (a background job of a shell without job control passes that on).
    proc = subprocess.Popen([sys.executable, "-m", "hazreg", "import", "hazards", str(big)], env=_env(path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(4)  # well into the import
    assert proc.poll() is None, "the import finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stderr.splitlines() == ["Interrupted; nothing was written."]
    reg = open_register(path, write=False)
    assert reg.info()["hazards"] == 1
    from hazreg.register.integrity import check_register

    assert check_register(reg)["ok"]


@pytest.fixture(scope="module")
def big_register(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pipe")
    path = folder / "r.db"
    reg = open_register(path, write=True)
    reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})
    reg.store.close()
    ledger = folder / "h.csv"
    with ledger.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["隐患描述", "单位名称", "发现日期"])
        for n in range(3000):
            out.writerow([f"批量隐患{n}号，灭火器压力不足", "临江大酒店", "2026-11-20"])
    subprocess.run([sys.executable, "-m", "hazreg", "import", "hazards", str(ledger)], env=_env(path),
                   check=True, capture_output=True)
    return path


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "jsonl"])
def test_piping_a_listing_to_head_is_not_an_error(big_register, fmt):
    command = [sys.executable, "-m", "hazreg", "list", "--all", "--limit", "0", "--format", fmt]
    full = subprocess.run(command, env=_env(big_register), capture_output=True, check=True).stdout
    assert len(full) > 2 * 65536  # more than a pipe holds: the writer meets the closed pipe
    shell = f"{' '.join(command)} 2>err | head -1 >first; echo ${{PIPESTATUS[0]}} >status"
    subprocess.run(["bash", "-c", shell], env=_env(big_register), cwd=big_register.parent, check=True, timeout=60)
    folder = big_register.parent
    assert (folder / "first").read_bytes() == full.split(b"\n", 1)[0] + b"\n"
    assert (folder / "err").read_text() == ""
    assert (folder / "status").read_text().strip() == "0"


def test_an_interrupt_says_whether_anything_was_saved(cli, reg, unit, monkeypatch):
    import hazreg.cli.hazards as hazards
    from hazreg.register import Register

    def pressed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Register, "info", pressed)  # Ctrl-C in a read
    result = cli("info", code=130)
    assert result.stderr == "Interrupted; nothing was written.\n" and result.stdout == ""
    monkeypatch.setattr(hazards, "_show_saved", pressed)  # Ctrl-C after the hazard was saved
    result = cli("add", "疏散通道堵塞", "--unit", "U1", code=130)
    assert result.stderr == "Interrupted; what was saved before the interrupt is kept (see hazreg history).\n"
    assert reg.store.count("hazards") == 1


def test_a_step_that_holds_interrupts_runs_whole_and_raises_after(tmp_path):
    from hazreg.interrupts import held

    done = []
    # Ctrl-C as at a terminal, whatever SIGINT handling this test process was started with.
    started_with = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt), held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            done.append("rest of the step")
        assert done == ["rest of the step"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, started_with)
