"""Restore is atomic and exclusive: killed at any step it leaves the old register or the new one,
never none and never an empty one; writers running meanwhile wait, and no write is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hazreg.register import open_register
from hazreg.register.integrity import check_register

# The named points of a restore where HAZREG_FAULT kills it (see hazreg.interrupts.fault).
BEFORE_COMMIT = ("restore:checked", "restore:locked", "restore:aside", "restore:files", "restore:copied")
AFTER_COMMIT = ("restore:committed",)


def _env(path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "HAZREG_DB": str(path), **extra}


def _hazreg(path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hazreg", *args], env=_env(path, **extra),
                          capture_output=True, text=True, timeout=120)


def _descriptions(path: Path) -> set[str]:
    reg = open_register(path, write=False)
    try:
        return {r[0] for r in reg.store.conn.execute("SELECT description FROM hazards")}
    finally:
        reg.store.close()


@pytest.fixture
def setup(cli, isolated, tmp_path):
    """A register with a backup, then one hazard more: 'old' has it, the backup ('new') does not."""
    cli("demo", "--path", str(isolated))
    photo = tmp_path / "exit.jpg"
    photo.write_bytes(b"a photo of the blocked exit")
    cli("attach", "H1", str(photo))
    copy = tmp_path / "copies" / "monday.db"
    cli("backup", str(copy))
    cli("add", "备份之后登记的隐患", "--unit", "U1")
    return isolated, copy


@pytest.mark.parametrize("step", BEFORE_COMMIT + AFTER_COMMIT)
def test_a_restore_killed_at_any_step_leaves_the_old_register_or_the_new_one(setup, step):
    live, copy = setup
    old, new = _descriptions(live), _descriptions(copy)
    assert old - new == {"备份之后登记的隐患"}
    result = _hazreg(live, "restore", str(copy), HAZREG_FAULT=step)
    assert result.returncode == -signal.SIGKILL, (result.returncode, result.stderr)
    assert live.exists()
    now = _descriptions(live)
    assert now == (old if step in BEFORE_COMMIT else new)
    reg = open_register(live, write=False)
    report = check_register(reg)
    assert report["ok"], report
    reg.store.close()
    # A restore run again after the kill finishes the job.
    again = _hazreg(live, "restore", str(copy))
    assert again.returncode == 0, again.stderr
    assert _descriptions(live) == new
    assert _hazreg(live, "attachment", "export", "A1", "-o", str(live.parent / "out.jpg")).returncode == 0
    assert (live.parent / "out.jpg").read_bytes() == b"a photo of the blocked exit"


def test_a_restore_killed_at_random_moments_never_leaves_an_empty_register(setup):
    live, copy = setup
    old, new = _descriptions(live), _descriptions(copy)
    rng = random.Random(12)
    seen = set()
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-m", "hazreg", "restore", str(copy)], env=_env(live),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        now = _descriptions(live)
        assert now in (old, new)
        seen.add(now == new)
        reg = open_register(live, write=False)
        assert check_register(reg)["ok"]
        reg.store.close()
        if now == new:  # put the old one back for the next round
            aside = sorted(p for p in live.parent.iterdir() if ".before-restore-" in p.name and p.suffix == ".db")
            assert _hazreg(live, "restore", str(aside[-1])).returncode == 0
            assert _descriptions(live) == old


_ADDER = """
import os, subprocess, sys, time
worker, stop = sys.argv[1], float(sys.argv[2])
n = 0
while time.time() < stop:
    text = f"进程{worker}第{n}条"
    done = subprocess.run([sys.executable, "-m", "hazreg", "add", text, "--unit", "U1"],
                          capture_output=True, text=True)
    if done.returncode == 0:
        print(text, flush=True)
    elif "busy" not in done.stderr:
        print("FAILED", done.returncode, done.stderr.replace(chr(10), " "), flush=True)
    n += 1
"""


def test_restore_while_four_processes_add_loses_no_write(setup):
    """Every add that reported success is in exactly one place: a register set aside by a
    restore (it came before that restore) or the register (it came after the last one)."""
    live, copy = setup
    stop = time.time() + 20
    adders = [subprocess.Popen([sys.executable, "-c", _ADDER, str(w), str(stop)], env=_env(live),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(4)]
    restores = []
    try:
        time.sleep(2)
        while time.time() < stop - 2:
            restores.append(_hazreg(live, "restore", str(copy), HAZREG_PAUSE="restore:copied=1"))
            assert live.exists() and len(_descriptions(live)) >= len(_descriptions(copy))
            time.sleep(0.3)
    finally:
        outputs = [a.communicate(timeout=120)[0] for a in adders]
    assert len(restores) >= 2
    for result in restores:
        assert result.returncode == 0, result.stderr
    added = [line for out in outputs for line in out.splitlines()]
    assert not [line for line in added if line.startswith("FAILED")]
    assert len(added) > 10
    asides = [p for p in live.parent.iterdir() if ".before-restore-" in p.name and p.suffix == ".db"]
    assert len(asides) == len(restores)
    found: list[str] = []
    for path in [*asides, live]:
        found += [d for d in _descriptions(path) if d.startswith("进程")]
        reg = open_register(path, write=False)
        reg.store.files_dir_override = path.with_name(f"{path.stem}.files")
        assert check_register(reg)["ok"], path
        reg.store.close()
    assert sorted(found) == sorted(added)


def test_a_restore_waits_for_a_writer_that_holds_the_lock(setup):
    live, copy = setup
    conn = sqlite3.connect(live, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    proc = subprocess.Popen([sys.executable, "-m", "hazreg", "restore", str(copy)], env=_env(live),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    assert proc.poll() is None  # waiting for the lock, nothing moved
    assert not [p for p in live.parent.iterdir() if ".before-restore-" in p.name]
    conn.execute("INSERT INTO settings (key, value) VALUES ('probe', 'written while restore waited')")
    conn.execute("COMMIT")
    conn.close()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    aside = next(p for p in live.parent.iterdir() if ".before-restore-" in p.name and p.suffix == ".db")
    kept = sqlite3.connect(aside).execute("SELECT value FROM settings WHERE key = 'probe'").fetchone()
    assert kept == ("written while restore waited",)  # the write it waited for is in the copy set aside
    assert _descriptions(live) == _descriptions(copy)
