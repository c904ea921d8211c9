"""Rules a mutation run showed could break unnoticed (benchmarks/mutation-survivors.md).

Each test names the survivor it kills; each asserts what a user, an auditor or a script
relying on hazreg would check.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

# -- chain.py: the hash chain's format is a promise ---------------------------------------------------


def _documented_hash(prev: str, row: sqlite3.Row) -> str:
    """The chain as README describes it, written out without hazreg's code: SHA-256 of the
    compact UTF-8 JSON array [prev, seq, at, operator, record_type, record_id, action, before,
    after, note], with effective_at appended only when it differs from at."""
    values = [prev, *(row[k] for k in ("seq", "at", "operator", "record_type", "record_id", "action", "before",
                                       "after", "note"))]
    if row["effective_at"] != row["at"]:
        values.append(row["effective_at"])
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_an_auditor_can_verify_the_chain_without_hazreg(cli, isolated, monkeypatch):
    """Kills chain.py mutants 1, 3, 4 (another genesis), 17, 18 (effective_at hashed on every
    entry), 22-24 (ASCII escapes, other separators): each still verifies against itself, so
    `check` passed, but every anchor already written down or sent upward would stop matching
    and a register written by an earlier version would fail its check."""
    monkeypatch.setenv("HAZREG_NOW", "2026-11-20T02:00:00+00:00")
    cli("unit", "add", "临江市宏达化工有限公司", "--industry", "hazardous_chemicals", "--locality", "青山镇")
    cli("add", "储罐区静电接地线断开", "--unit", "U1", "--deadline", "2026-11-27")
    cli("start", "H1")
    monkeypatch.setenv("HAZREG_NOW", "2026-11-29T04:00:00+00:00")
    cli("done", "H1", "--on", "2026-11-25")  # took effect before it was written
    conn = sqlite3.connect(isolated)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM history ORDER BY seq").fetchall()
    conn.close()
    assert rows[-1]["effective_at"] == "2026-11-24T16:00:00.000000Z" != rows[-1]["at"]
    prev = "0" * 64
    for row in rows:
        assert (row["seq"], row["prev"]) == (row["seq"], prev)
        assert (row["seq"], row["hash"]) == (row["seq"], _documented_hash(prev, row))
        prev = row["hash"]
    assert cli("check", "--anchor").stdout.split()[-1] == prev


# -- register/lifecycle.py: a ledger's moves are the commands' moves -----------------------------------

LIFECYCLE_ACTIONS = ("start", "done", "verify", "verify_fail", "void")


def _moves(cli, db: str) -> dict[str, list[tuple[str, dict]]]:
    """Each hazard's lifecycle entries as `history` shows them: the action and what it set."""
    entries = json.loads(cli("--db", db, "history", "--format", "json").stdout)
    moves: dict[str, list] = {}
    for e in entries:
        if e["record_type"] == "hazard" and e["action"] in LIFECYCLE_ACTIONS:
            moves.setdefault(e["record_id"], []).append((e["action"], e["after"]))
    return moves


def test_an_imported_ledgers_moves_record_what_the_commands_would(cli, tmp_path):
    """Kills lifecycle.py mutants that rename a move or a field in MOVE_FIELDS (the import's only
    source for what each move sets): the register and `check` stayed right, but the imported
    history said a hazard was rectified (整改完成日期) when it was created, not when it was done."""
    from test_import_past import HEADERS, LEDGER, _by_commands, _csv, _units

    imported, typed = str(tmp_path / "imported.db"), str(tmp_path / "typed.db")
    _units(cli, imported)
    cli("--db", imported, "import", "hazards", str(_csv(tmp_path / "台账.csv", HEADERS, LEDGER)))
    _units(cli, typed)
    _by_commands(cli, typed)
    assert _moves(cli, imported) == _moves(cli, typed)


# -- register/integrity.py: the counts an office writes down ------------------------------------------


def test_check_and_the_anchor_count_the_entries_the_register_holds(cli, isolated):
    """Kills integrity.py mutants of verify_chain's count (start at 1, add 2): the chain still held,
    but `check` and `check --since-anchor` told the office a number of entries it does not have."""
    cli("demo", "--path", str(isolated))
    conn = sqlite3.connect(isolated)
    (held,) = conn.execute("SELECT count(*) FROM history").fetchone()
    conn.close()
    anchor = json.loads(cli("check", "--anchor", "--format", "json").stdout)
    assert anchor["entries"] == held
    assert f"{held} history entries chained (head {anchor['head']})" in cli("check").stdout
    cli("add", "锚点之后登记", "--unit", "U1")
    since = cli("check", "--since-anchor", anchor["head"]).stdout
    assert f"Nothing up to that anchor has changed: {held} entries, head {anchor['head']}." in since
