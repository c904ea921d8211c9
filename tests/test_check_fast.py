"""`check` at a province's size: the fast paths verify exactly what the slow ones did.

Each fast path is tested two ways: it gives the same bytes or verdicts as hazreg's own code
(property tests), and a register where it would let a tampered value through if it were
broken fails here (the fast path is made to be the only path)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hazreg.chain import FIELDS, GENESIS, entry_hash, entry_text
from hazreg.register import open_register
from hazreg.register.integrity import verify_chain

# What another tool could leave in a history row: any text (control characters, quotes,
# backslashes, U+2028, characters outside the BMP), integers at SQLite's ends, NULL, and
# values SQLite does not write as hazreg does (reals, blobs).
_TEXT = st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=0x7F)),
                  st.sampled_from(["\u2028", "\u2029", "\ufeff", "\x00", "\x7f", "隐患 🧯", '"\\']))
_PLAIN = st.one_of(_TEXT, st.integers(min_value=-(2**63), max_value=2**63 - 1), st.none())
_ANY = st.one_of(_PLAIN, st.floats(allow_nan=False), st.binary(max_size=4))
_HISTORY = """CREATE TABLE history (seq INTEGER PRIMARY KEY, at TEXT, operator TEXT, record_type TEXT,
    record_id INTEGER, action TEXT, before TEXT, after TEXT, note TEXT, prev TEXT, hash TEXT, effective_at TEXT)"""


def _columns(plain: bool) -> st.SearchStrategy[list[object]]:
    """prev, then FIELDS after seq, then effective_at (sometimes the same as `at`)."""
    value = _PLAIN if plain else _ANY
    return st.tuples(st.lists(value, min_size=len(FIELDS) + 1, max_size=len(FIELDS) + 1), st.booleans()).map(
        lambda pair: [*pair[0][:-1], pair[0][1] if pair[1] else pair[0][-1]])


def _history_of(rows: list[list[object]]) -> sqlite3.Connection:
    """An in-memory history table (as hazreg declares it) holding `rows`, numbered from 1."""
    conn = sqlite3.connect(":memory:")
    conn.execute(_HISTORY)
    for seq, (prev, *values, effective) in enumerate(rows, 1):
        conn.execute("INSERT INTO history (seq, prev, at, operator, record_type, record_id, action, before, after,"
                     " note, effective_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (seq, prev, *values, effective))
    return conn


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.one_of(_columns(True), _columns(False)), min_size=1, max_size=8))
def test_sqlite_writes_the_chain_bytes_as_hazregs_encoder(rows):
    """The bytes `check` hashes in SQL are hazreg's encoder's bytes for every row SQLite writes
    (all of text, integers and NULL); a row with a real or a blob is left to hazreg's encoder."""
    from hazreg.storage.sqlite.integrity import CHAIN_TEXT_SQL

    conn = _history_of(rows)
    stored = conn.execute(f"SELECT prev, {', '.join(FIELDS)}, effective_at, typeof(prev) || typeof(at) || typeof(operator)"
                          f" || typeof(record_type) || typeof(record_id) || typeof(action) || typeof(before)"
                          f" || typeof(after) || typeof(note) || typeof(effective_at) FROM history ORDER BY seq").fetchall()
    written = [r[0] for r in conn.execute(f"SELECT {CHAIN_TEXT_SQL} FROM history ORDER BY seq")]
    for (prev, *values, effective, types), data in zip(stored, written, strict=True):
        if "real" in types or "blob" in types:
            assert data is None
        else:
            assert data == entry_text(prev, values, effective)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.one_of(_columns(True), _columns(False)), min_size=1, max_size=8))
def test_the_cheaper_sql_writes_the_same_bytes_in_history_as_hazreg_declares_it(rows):
    """In history as hazreg declares it (_HISTORY), the SQL asking record_id's type alone writes
    hazreg's bytes for every row but one with a real record_id (left to hazreg's encoder), and
    stops at a blob (the caller reads on with the SQL asking every column's type)."""
    from hazreg.storage.sqlite.integrity import CHAIN_TEXT_FAST_SQL

    conn = _history_of(rows)
    stored = conn.execute(f"SELECT prev, {', '.join(FIELDS)}, effective_at, typeof(record_id) FROM history"
                          " ORDER BY seq").fetchall()
    # a blob stops it, unless the row's record_id is a real (then it is not written at all)
    blob = any(row[-1] != "real" and any(isinstance(v, bytes) for v in row) for row in stored)
    try:
        written = [r[0] for r in conn.execute(f"SELECT {CHAIN_TEXT_FAST_SQL} FROM history ORDER BY seq")]
    except sqlite3.OperationalError as error:
        assert blob and "BLOB" in str(error)
        return
    assert not blob
    for (prev, *values, effective, kind), data in zip(stored, written, strict=True):
        assert data == (None if kind == "real" else entry_text(prev, values, effective))


def test_this_sqlite_writes_json_as_hazreg(tmp_path):
    """The probe says yes here (else every entry would be written by hazreg's encoder)."""
    reg = open_register(tmp_path / "r.db", write=True)
    assert reg.store._json_as_hazreg()


@pytest.fixture
def awkward(cli, isolated, monkeypatch):
    """A register whose history holds text JSON writers disagree on."""
    cli("demo", "--path", str(isolated))
    for text in ("控制字符\x01\x1f\t\n\r\b\f", 'quote " and \\ backslash', "line\u2028para\u2029bom\ufeff",
                 "🧯 灭火器", "\x7f DEL"):
        cli("add", f"隐患 {text}", "--unit", "U1")
        conn = sqlite3.connect(isolated)
        (added,) = conn.execute("SELECT max(id) FROM hazards").fetchone()
        conn.close()
        cli("void", f"H{added}", "--reason", text)
    now = os.environ["HAZREG_NOW"]
    monkeypatch.setenv("HAZREG_NOW", "2026-11-20T04:00:00+00:00")  # a hazard entered a week ago
    cli("add", "整改已于前日完成", "--unit", "U1")
    conn = sqlite3.connect(isolated)
    (added,) = conn.execute("SELECT max(id) FROM hazards").fetchone()
    conn.close()
    cli("start", f"H{added}")
    monkeypatch.setenv("HAZREG_NOW", now)
    cli("done", f"H{added}", "--on", "2026-11-27")  # dated back: hashed with when it took effect
    conn = sqlite3.connect(isolated)
    notes = [r[0] for r in conn.execute("SELECT note FROM history WHERE action = 'void'")]
    dated = conn.execute("SELECT count(*) FROM history WHERE effective_at IS NOT at").fetchone()[0]
    conn.close()
    assert "控制字符\x01\x1f\t\n\r\b\f" in notes and "line\u2028para\u2029bom\ufeff" in notes and dated
    return isolated


def _fast_only(reg) -> None:
    """Every entry must be verified from the bytes SQLite wrote: hazreg's encoder is not there."""
    def no_fallback(seq: int):
        raise AssertionError(f"entry {seq} was not verified from SQLite's bytes")
    reg.store.chain_entry = no_fallback


def test_a_clean_chain_is_verified_from_sqlites_bytes_alone(awkward):
    reg = open_register(awkward, write=False)
    _fast_only(reg)
    result = verify_chain(reg)
    assert result["ok"] and result["entries"] > 100


@pytest.mark.parametrize(("column", "value"), [
    ("at", "2026-01-01T00:00:00.000000Z"), ("operator", "别人"), ("record_type", "unit"), ("record_id", 999),
    ("action", "edit"), ("before", "{}"), ("after", '{"status": "closed"}'), ("note", ""), ("note", "改过"),
    ("effective_at", "2020-01-01T00:00:00.000000Z"), ("prev", GENESIS), ("hash", GENESIS)])
@pytest.mark.parametrize("fast", [True, False])
def test_any_hashed_column_changed_breaks_the_chain_there(awkward, column, value, fast):
    """Both ways of writing the bytes (SQL, hazreg's encoder) catch a change to every column."""
    conn = sqlite3.connect(awkward)
    seq = conn.execute("SELECT max(seq) - 3 FROM history").fetchone()[0]
    assert conn.execute(f"SELECT {column} IS NOT ? FROM history WHERE seq = ?", (value, seq)).fetchone()[0]
    conn.execute(f"UPDATE history SET {column} = ? WHERE seq = ?", (value, seq))
    conn.commit()
    conn.close()
    reg = open_register(awkward, write=False)
    if not fast:
        reg.store._json_as_hazreg = lambda: False
    result = verify_chain(reg)
    assert not result["ok"]
    assert result["broken_at"] == seq


def _rehash_from(path: Path, seq: int) -> None:
    """Another tool rewrites the chain from `seq` on with hazreg's own hash (as a forger would)."""
    conn = sqlite3.connect(path)
    prev = conn.execute("SELECT hash FROM history WHERE seq < ? ORDER BY seq DESC LIMIT 1", (seq,)).fetchone()[0]
    for row in conn.execute(f"SELECT {', '.join(FIELDS)}, effective_at FROM history WHERE seq >= ? ORDER BY seq",
                            (seq,)).fetchall():
        digest = entry_hash(prev, row[:-1], row[-1])
        conn.execute("UPDATE history SET prev = ?, hash = ? WHERE seq = ?", (prev, digest, row[0]))
        prev = digest
    conn.commit()
    conn.close()


@pytest.mark.parametrize("value", [1.5, b"\x01", 2.0])
def test_an_entry_sqlite_would_write_otherwise_is_judged_by_hazregs_encoder(awkward, value):
    """A real or a blob in an entry: SQLite's JSON might differ from hazreg's, so hazreg's encoder
    judges that entry: changed, it breaks the chain; hashed by hazreg as it now is, it holds."""
    conn = sqlite3.connect(awkward)
    seq = conn.execute("SELECT max(seq) - 2 FROM history").fetchone()[0]
    column = "record_id" if isinstance(value, float) else "note"
    conn.execute(f"UPDATE history SET {column} = ? WHERE seq = ?", (value, seq))
    conn.commit()
    conn.close()
    result = verify_chain(open_register(awkward, write=False))
    assert not result["ok"] and result["broken_at"] == seq and result["problem"] == "hash"
    if isinstance(value, bytes):
        return  # hazreg's encoder cannot write a blob: nothing could have hashed it
    _rehash_from(awkward, seq)
    assert verify_chain(open_register(awkward, write=False))["ok"]


def test_a_real_under_another_declared_type_is_judged_by_hazregs_encoder(awkward):
    """History declared otherwise by another tool (a real kept in `note`): the SQL asking every
    column's type writes the bytes, and the entry changed breaks the chain there."""
    conn = sqlite3.connect(awkward)
    seq = conn.execute("SELECT max(seq) - 2 FROM history").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'history'").fetchone()
    assert "note TEXT" in sql
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'history'", (sql.replace("note TEXT", "note"),))
    conn.commit()
    conn.close()
    conn = sqlite3.connect(awkward)
    conn.execute("UPDATE history SET note = 0.30000000000000004 WHERE seq = ?", (seq,))
    conn.commit()
    assert conn.execute("SELECT typeof(note) FROM history WHERE seq = ?", (seq,)).fetchone() == ("real",)
    conn.close()
    reg = open_register(awkward, write=False)
    assert not reg.store._history_as_made()
    result = verify_chain(reg)
    assert not result["ok"] and result["broken_at"] == seq and result["problem"] == "hash"
    _rehash_from(awkward, seq)
    assert verify_chain(open_register(awkward, write=False))["ok"]


def test_a_blob_midway_is_read_on_from_there(awkward):
    """json_array stops at a blob; the entries after it are still read (and a later change found)."""
    conn = sqlite3.connect(awkward)
    seq = conn.execute("SELECT max(seq) - 6 FROM history").fetchone()[0]
    conn.execute("UPDATE history SET note = ? WHERE seq = ?", (b"\x01", seq))
    conn.commit()
    conn.close()
    reg = open_register(awkward, write=False)
    assert reg.store._history_as_made()
    seen = [row[0] for row in reg.store.chain_texts()]
    assert seen == list(range(1, seen[-1] + 1)) and seen[-1] > seq
    assert [row[3] for row in reg.store.chain_texts() if row[0] == seq] == [None]
    result = verify_chain(reg)
    assert not result["ok"] and result["broken_at"] == seq


# -- SQLite's own check of the file, run beside the others ------------------------------------

def _damage_index(path: Path) -> None:
    """Another tool leaves an index that no longer matches its table (SQLite's own check sees it;
    nothing else in `check` reads that index)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX hazards_found_on ON hazards(owner)' WHERE name = 'hazards_found_on'")
    conn.commit()
    conn.close()


def _damage_page(path: Path) -> None:
    """A bad disk: the end of one index's root page (its cells) overwritten."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'hazards_found_on'").fetchone()
    conn.close()
    with path.open("r+b") as f:
        f.seek(root * page_size - 64)
        f.write(b"\xff" * 64)


@pytest.mark.parametrize("damage", [_damage_index, _damage_page])
def test_a_damaged_file_is_still_found_by_sqlites_check_beside_the_others(cli, filled, damage):
    damage(filled)
    report = json.loads(cli("check", "-f", "json", code=1).stdout)
    assert not report["ok"] and report["sqlite"] and report["chain"]["ok"]
    assert report["sqlite"][0] in cli("check", code=1).stderr


def test_sqlites_check_runs_on_a_connection_of_its_own(filled):
    """Started, it runs while the caller goes on; it says what it found when asked."""
    reg = open_register(filled, write=False)
    findings = reg.store.integrity_started()
    assert verify_chain(reg)["ok"]  # the register's own connection is free meanwhile
    assert findings() == []
    _damage_index(filled)
    reg = open_register(filled, write=False)
    assert reg.store.integrity_started()() != []


def test_a_check_that_fails_stops_sqlites_check_and_says_why(filled, monkeypatch):
    """An error in another check is the one reported (SQLite's check is stopped, not waited on)."""
    from hazreg.register import integrity

    def broken(reg):
        raise RuntimeError("replay broke")

    monkeypatch.setattr(integrity, "verify_chain", broken)
    with pytest.raises(RuntimeError, match="replay broke"):
        integrity.check_register(open_register(filled, write=False))


def test_an_older_register_read_in_memory_is_checked_as_brought_up_to_date(cli, filled):
    """A register at an older schema is read brought up to date in memory: SQLite's check is of
    that (as before), done at once on the register's own connection."""
    from older import back_to

    back_to(filled, "sqlite", 12)
    reg = open_register(filled, write=False)
    assert reg.store._file is None
    from hazreg.register.integrity import check_register

    assert check_register(reg)["ok"]


@pytest.fixture
def filled(cli, isolated):
    cli("demo", "--path", str(isolated))
    return isolated


# -- records and stored weeks checked by a second process -----------------------------------------

@pytest.fixture
def beside(monkeypatch):
    """Every register, however small, has its records and stored weeks checked by child
    processes; this process cannot check them itself (so a finding must come from a child)."""
    from hazreg.register import integrity

    monkeypatch.setattr(integrity, "BESIDE_FROM", 0)

    def not_here(reg):
        raise AssertionError("records and weeks were checked in this process")

    monkeypatch.setattr(integrity, "_PARTS", {"records": not_here, "weeks": not_here, "structure": not_here})


def test_a_clean_register_passes_with_records_and_weeks_checked_beside(cli, filled, beside):
    cli("report", "weekly")  # a stored week, recomputed by the child
    report = json.loads(cli("check", "-f", "json").stdout)
    assert report["ok"] and report["records"]["mismatched"] == 0


def test_records_changed_behind_hazregs_back_are_found_beside(cli, filled, beside):
    conn = sqlite3.connect(filled)
    conn.execute("UPDATE hazards SET description = description || '（已改）' WHERE id = 3")
    conn.execute("UPDATE units SET phone = '110' WHERE id = 2")
    conn.commit()
    conn.close()
    report = json.loads(cli("check", "-f", "json", code=1).stdout)
    assert report["records"]["mismatched"] == 2
    assert [(r["record"], r["field"]) for r in report["records"]["first"]] == [("H3", "description"), ("U2", "phone")]
    assert "H3.description is" in cli("check", code=1).stderr


def test_a_stored_week_changed_is_found_beside(cli, filled, beside):
    cli("report", "weekly")
    conn = sqlite3.connect(filled)
    data = json.loads(conn.execute("SELECT data FROM weekly_computed").fetchone()[0])
    data["figures"]["overdue"] += 5
    conn.execute("UPDATE weekly_computed SET data = ?", (json.dumps(data, ensure_ascii=False),))
    conn.commit()
    conn.close()
    report = json.loads(cli("check", "-f", "json", code=1).stdout)
    assert [p["problem"] for p in report["tables"]] == ["weekly_stored"]


def test_a_stale_search_index_and_a_counter_are_found_beside(cli, filled, beside):
    conn = sqlite3.connect(filled)
    conn.execute("UPDATE hazard_search SET text = 'x' WHERE rowid = 4")
    conn.execute("UPDATE sqlite_sequence SET seq = seq + 3 WHERE name = 'units'")
    conn.commit()
    conn.close()
    report = json.loads(cli("check", "-f", "json", code=1).stdout)
    assert [(p["problem"], p.get("first") or p.get("table")) for p in report["tables"]] == [
        ("sequence", "units"), ("index_stale", "H4")]


def test_a_child_that_cannot_say_leaves_the_check_to_this_process(cli, filled, monkeypatch):
    from hazreg.register import integrity

    monkeypatch.setattr(integrity, "BESIDE_FROM", 0)
    monkeypatch.setattr(integrity, "_child", None)  # not this process's: the child's own import
    monkeypatch.setattr(integrity._Beside, "result", lambda self: (False, None))
    conn = sqlite3.connect(filled)
    conn.execute("UPDATE hazards SET description = 'x' WHERE id = 3")
    conn.commit()
    conn.close()
    assert "H3.description is" in cli("check", code=1).stderr


def test_no_child_process_to_start_leaves_the_check_to_this_process(cli, filled, monkeypatch):
    import subprocess

    from hazreg.register import integrity

    def cannot(*args, **kwargs):
        raise OSError("no interpreter")

    monkeypatch.setattr(integrity, "BESIDE_FROM", 0)
    monkeypatch.setattr(subprocess, "Popen", cannot)
    conn = sqlite3.connect(filled)
    conn.execute("UPDATE hazards SET description = 'x' WHERE id = 3")
    conn.commit()
    conn.close()
    assert "H3.description is" in cli("check", code=1).stderr


def test_a_register_inside_its_own_write_is_checked_as_this_connection_sees_it(cli, filled, monkeypatch):
    """`copy` checks its copy before committing it: another connection or process would see the
    register as committed (here: without the change), so nothing is checked beside."""
    from hazreg.register import integrity

    monkeypatch.setattr(integrity, "BESIDE_FROM", 0)
    reg = open_register(filled, write=True)
    with reg.store.transaction():
        reg.store.conn.execute("UPDATE hazards SET description = 'x' WHERE id = 3")
        assert reg.store.shared_file() is None
        report = integrity.check_register(reg)
        assert [(r["record"], r["field"]) for r in report["records"]["first"]] == [("H3", "description")]
    assert reg.store.shared_file() == str(filled)



# -- records: the usual case passed at once, the rest compared field by field -----------------------

# What another tool could do to a hazard's row or to its history: a value written as another type
# with the same text ('1' for 1, a real for fen), NULL for '' and '' for NULL, a JSON null for
# an absent key and the reverse, a key given twice, the last entry deleted, entries reordered.
_ROW_EDITS = [
    ("found_on", "CAST(found_on AS BLOB)"), ("owner", "''"), ("owner", "NULL"), ("basis", "''"),
    ("verify_note", "''"), ("funds_fen", "funds_fen + 1"), ("funds_fen", "NULL"), ("funds_fen", "12.5"),
    ("funds_fen", "coalesce(funds_fen, 0)"), ("unit_id", "CAST(unit_id AS TEXT) || ' '"), ("unit_id", "unit_id + 0.0"),
    ("status", "upper(status)"), ("deadline", "deadline || ''"), ("uid", "upper(uid)"), ("created_at", "''"),
    ("created_at", "created_at || 'Z'"), ("description", "description || ' '"), ("void_reason", "'录入错误'"),
]
_HISTORY_EDITS = [
    "UPDATE history SET after = json_set(after, '$.owner', json('null')) WHERE seq = {first}",
    "UPDATE history SET after = json_remove(after, '$.status') WHERE seq = {first}",
    "UPDATE history SET after = json_remove(after, '$.uid') WHERE seq = {first}",
    "UPDATE history SET after = json_set(after, '$.uid', json('null')) WHERE seq = {first}",
    "UPDATE history SET after = json_set(after, '$.unit_id', CAST(json_extract(after, '$.unit_id') AS TEXT))"
    " WHERE seq = {first}",
    "UPDATE history SET after = '{{\"status\": \"void\", ' || substr(after, 2) WHERE seq = {first}",
    "UPDATE history SET after = substr(after, 1, length(after) - 1) || ', \"status\": \"void\"}}' WHERE seq = {last}",
    "UPDATE history SET after = substr(after, 1, length(after) - 1) || ', \"owner\": null}}' WHERE seq = {last}",
    "DELETE FROM history WHERE seq = {last}",
    "UPDATE history SET seq = -seq WHERE seq = {last}",
]


def _edited_copy(source: Path, folder: Path, edits: list[tuple[int, str | tuple[str, str]]]) -> Path:
    """A copy of the register at `source` with each (hazard, edit) applied behind hazreg's back."""
    copy = folder / "r.db"
    copy.write_bytes(source.read_bytes())
    conn = sqlite3.connect(copy)
    for hazard, edit in edits:
        if isinstance(edit, tuple):
            conn.execute(f"UPDATE hazards SET {edit[0]} = {edit[1]} WHERE id = ?", (hazard,))
            continue
        first, last = conn.execute("SELECT min(seq), max(seq) FROM history WHERE record_type = 'hazard'"
                                   " AND record_id = ?", (hazard,)).fetchone()
        if first is not None:
            conn.execute(edit.format(first=first, last=last))
    conn.commit()
    conn.close()
    return copy


def _both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The records' findings with the usual case passed at once, and compared field by field."""
    from hazreg.register import integrity

    reg = open_register(path, write=False)
    try:
        at_once = integrity.replay_mismatches(reg)
        monkeypatch.setattr(integrity, "_FAST", False)
        by_field = integrity.replay_mismatches(reg)
    finally:
        monkeypatch.setattr(integrity, "_FAST", True)
        reg.store.close()
    return at_once, by_field


def _checkpointed(path: Path) -> int:
    """The register file whole (its WAL written back), and its highest hazard id."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (top,) = conn.execute("SELECT max(id) FROM hazards").fetchone()
    conn.close()
    return int(top)


def test_each_edit_is_found_alike_at_once_and_field_by_field(filled, tmp_path, monkeypatch):
    """`check` passes a record equal to its history at once; compared field by field instead
    (funds in yuan, '' as no value), each edit behind hazreg's back, to a hazard with funds and
    to one without, gives the same findings: the same count, records and fields named."""
    _checkpointed(filled)
    conn = sqlite3.connect(filled)
    (funded,) = conn.execute("SELECT min(id) FROM hazards WHERE funds_fen IS NOT NULL").fetchone()
    (plain,) = conn.execute("SELECT min(id) FROM hazards WHERE funds_fen IS NULL").fetchone()
    conn.close()
    assert funded and plain
    found = 0
    for n, edit in enumerate([*_ROW_EDITS, *_HISTORY_EDITS]):
        for hazard in (funded, plain):
            folder = tmp_path / f"{n}-{hazard}"
            folder.mkdir()
            at_once, by_field = _both_ways(_edited_copy(filled, folder, [(hazard, edit)]), monkeypatch)
            assert at_once == by_field, edit
            found += at_once[0]
    assert found >= len(_ROW_EDITS)  # most edits are findings (a few change nothing the replay sees)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_records_passed_at_once_are_those_equal_field_by_field(filled, tmp_path_factory, monkeypatch, data):
    """The same for up to three edits at once, anywhere: the same findings both ways."""
    top = _checkpointed(filled)
    edits = data.draw(st.lists(st.tuples(st.integers(1, top), st.sampled_from([*_ROW_EDITS, *_HISTORY_EDITS])),
                               max_size=3), label="edits")
    at_once, by_field = _both_ways(_edited_copy(filled, tmp_path_factory.mktemp("edited"), edits), monkeypatch)
    assert at_once == by_field


def test_a_stale_index_row_is_found_among_hazards_of_one_wording(filled):
    """`check` works out the index text of a description it has met once (standard wordings
    repeat): hazards of one unit and one description are each still held to their own row."""
    _checkpointed(filled)
    conn = sqlite3.connect(filled)
    first, second, third = (r[0] for r in conn.execute(
        "SELECT id FROM hazards WHERE unit_id = (SELECT unit_id FROM hazards GROUP BY unit_id"
        " HAVING count(*) >= 3 ORDER BY unit_id LIMIT 1) ORDER BY id LIMIT 3"))
    # the three alike, their index rows as hazreg writes them (the first one's, copied)
    conn.execute("UPDATE hazards SET description = (SELECT description FROM hazards WHERE id = ?) WHERE id IN (?, ?)",
                 (first, second, third))
    conn.execute("UPDATE hazard_search SET text = (SELECT text FROM hazard_search WHERE rowid = ?) WHERE rowid IN (?, ?)",
                 (first, second, third))
    conn.commit()

    def index_found() -> tuple[bool, int, int | None]:
        reg = open_register(filled, write=False)
        try:
            return reg.store.search_index_problems()
        finally:
            reg.store.close()

    assert index_found() == (True, 0, None)
    for stale in (second, first):
        conn.execute("UPDATE hazard_search SET text = text || ' x' WHERE rowid = ?", (stale,))
        conn.commit()
        assert index_found() == (True, 1, stale)
        conn.execute("UPDATE hazard_search SET text = substr(text, 1, length(text) - 2) WHERE rowid = ?", (stale,))
        conn.commit()
    conn.execute("UPDATE units SET name = name || '二' WHERE id = (SELECT unit_id FROM hazards WHERE id = ?)", (first,))
    conn.commit()
    assert index_found()[:2] == (True, conn.execute(  # every hazard of the renamed unit, no other
        "SELECT count(*) FROM hazards WHERE unit_id = (SELECT unit_id FROM hazards WHERE id = ?)", (first,)).fetchone()[0])
    conn.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hazards_entries_read_in_historys_order_are_those_the_index_gives(filled, tmp_path_factory, data):
    """The records replay reads hazards' entries by scanning history and sorting (not through
    the (record_type, record_id) index): the same entries in the same order, record by record
    and seq by seq, on a register whose rows were moved, renumbered or removed behind hazreg's back."""
    top = _checkpointed(filled)
    edits = data.draw(st.lists(st.tuples(st.integers(1, top), st.sampled_from([
        "UPDATE history SET seq = -seq WHERE seq = {last}", "UPDATE history SET seq = -seq WHERE seq = {first}",
        "UPDATE history SET seq = (SELECT max(seq) + 1 FROM history) WHERE seq = {first}",
        "UPDATE history SET record_id = record_id + 1 WHERE seq = {first}", "DELETE FROM history WHERE seq = {last}",
    ])), max_size=4), label="edits")
    copy = _edited_copy(filled, tmp_path_factory.mktemp("moved"), edits)
    reg = open_register(copy, write=False)
    try:
        by_index = list(reg.store.conn.execute(
            "SELECT record_id, action, after FROM history INDEXED BY history_record WHERE record_type = 'hazard'"
            " ORDER BY record_id, seq"))
        read = list(reg.store.record_changes("hazard"))
    finally:
        reg.store.close()
    assert [tuple(r) for r in read] == [tuple(r) for r in by_index]
    assert len(read) > top  # every hazard's entries (a demo hazard has several)
