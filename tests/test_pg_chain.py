"""`check` on PostgreSQL: the server writes the bytes each history entry's hash covers, exactly as
hazreg's encoder does, so the entries' rows are no longer shipped to Python to be encoded there.

As for SQLite's fast paths (test_check_fast.py): the server's bytes equal hazreg.chain's on random
entries (text JSON writers disagree on, integers at bigint's ends, NULL), and a register changed
behind hazreg's back is caught whether the server or hazreg's encoder writes the bytes."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hazreg.chain import FIELDS, GENESIS, entry_hash, entry_text
from hazreg.register import open_register
from hazreg.register.integrity import verify_chain

psycopg = pytest.importorskip("psycopg")
pg = pytest.importorskip("pg")  # tests/pg.py: a PostgreSQL server for the tests

# The tests name their PostgreSQL registers themselves.
pytestmark = [pytest.mark.own_addresses, pytest.mark.postgresql]

# What a PostgreSQL text can hold (UTF-8: no NUL, no lone surrogate), with what JSON writers
# disagree on drawn often: controls, quote, backslash, DEL, U+2028/2029, BOM, non-BMP.
_PG_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_TEXT = st.one_of(st.text(alphabet=_PG_CHARS), st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0x7F)),
                  st.sampled_from(["\u2028", "\u2029", "\ufeff", "\x7f", "\x1f\x01", "隐患 🧯", '"\\', "\u0080\u009f"]))
_BIG = st.integers(min_value=-(2**63), max_value=2**63 - 1)
_TEXT_COLUMNS = ("prev", "at", "operator", "record_type", "action", "before", "after", "note", "effective_at")


@pytest.fixture(scope="module")
def scratch():
    """A connection to a database of its own, with a table typed as hazreg types history but
    without its NOT NULLs (so NULL is tried in every column)."""
    with pg.pg_database() as address, psycopg.connect(address, autocommit=True) as conn:
        conn.execute("CREATE TABLE entries (seq bigint, record_id bigint, "
                     + ", ".join(f'{c} text COLLATE "C"' for c in _TEXT_COLUMNS) + ")")
        yield conn


_ROW = st.fixed_dictionaries({
    **{c: st.one_of(_TEXT, st.none()) for c in _TEXT_COLUMNS},
    "seq": st.one_of(_BIG, st.none()), "record_id": st.one_of(_BIG, st.none()),
    "same": st.booleans(),  # effective_at the same as `at` (then it is not hashed)
})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_ROW, min_size=1, max_size=6))
def test_the_server_writes_the_chain_bytes_as_hazregs_encoder(scratch, rows):
    from hazreg.storage.postgres.integrity import chain_bytes_sql

    scratch.execute("TRUNCATE entries")
    for row in rows:
        if row["same"]:
            row["effective_at"] = row["at"]
        columns = ("seq", "record_id", *_TEXT_COLUMNS)
        scratch.execute(f"INSERT INTO entries ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                        [row[c] for c in columns])
    stored = scratch.execute(f"SELECT prev, {', '.join(FIELDS)}, effective_at, {chain_bytes_sql()}"
                             " FROM entries ORDER BY ctid").fetchall()
    assert len(stored) == len(rows)
    for prev, *values, effective, data in stored:
        assert bytes(data) == entry_text(prev, values, effective)


def test_this_server_is_used_for_the_chain_bytes():
    with pg.pg_database() as address:
        store = open_register(address, write=False).store
        assert store._history_as_made() and store._chain_as_hazreg()


@pytest.fixture
def awkward(cli, tmp_path, monkeypatch):
    """A PostgreSQL register (the demo's, copied there) whose history holds text JSON writers
    disagree on, and an entry dated back (hashed with when it took effect)."""
    cli("demo", "--path", str(tmp_path / "demo.db"))
    with pg.pg_database(schema=False) as address:
        cli("copy", str(tmp_path / "demo.db"), address)
        monkeypatch.setenv("HAZREG_DB", address)
        for text in ("控制字符\x01\x1f\t\n\r\b\f", 'quote " and \\ backslash', "line\u2028para\u2029bom\ufeff",
                     "🧯 灭火器", "\x7f DEL"):
            cli("add", f"隐患 {text}", "--unit", "U1")
            cli("void", f"H{_one(address, 'SELECT max(id) FROM hazards')}", "--reason", text)
        now = os.environ["HAZREG_NOW"]
        monkeypatch.setenv("HAZREG_NOW", "2026-11-20T04:00:00+00:00")
        cli("add", "整改已于前日完成", "--unit", "U1")
        added = _one(address, "SELECT max(id) FROM hazards")
        cli("start", f"H{added}")
        monkeypatch.setenv("HAZREG_NOW", now)
        cli("done", f"H{added}", "--on", "2026-11-27")
        assert _one(address, "SELECT count(*) FROM history WHERE effective_at IS DISTINCT FROM at")
        assert _one(address, "SELECT count(*) FROM history WHERE note = %s", ("line\u2028para\u2029bom\ufeff",))
        yield address


def _one(address: str, sql: str, params: Any = ()) -> Any:
    with psycopg.connect(address) as conn:
        return conn.execute(sql, params).fetchone()[0]


def _change(address: str, sql: str, params: Any = ()) -> None:
    with psycopg.connect(address) as conn:
        conn.execute(sql, params)


def _fast_only(reg) -> None:
    """Every entry must be verified from the server's bytes: hazreg's encoder is not there."""
    def no_fallback(seq: int):
        raise AssertionError(f"entry {seq} was not verified from the server's bytes")
    reg.store.chain_entry = no_fallback
    reg.store.chain_rows = no_fallback


def test_a_clean_chain_is_verified_from_the_servers_bytes_alone(awkward):
    reg = open_register(awkward, write=False)
    _fast_only(reg)
    result = verify_chain(reg)
    assert result["ok"] and result["entries"] > 100
    assert result["head"] == _one(awkward, "SELECT hash FROM history ORDER BY seq DESC LIMIT 1")


@pytest.mark.parametrize(("column", "value"), [
    ("at", "2026-01-01T00:00:00.000000Z"), ("operator", "别人"), ("record_type", "unit"), ("record_id", 999),
    ("action", "edit"), ("before", "{}"), ("after", '{"status": "closed"}'), ("note", ""), ("note", "改过"),
    ("note", None), ("note", "line\u2028para"), ("effective_at", "2020-01-01T00:00:00.000000Z"),
    ("prev", GENESIS), ("hash", GENESIS)])
@pytest.mark.parametrize("fast", [True, False])
def test_any_hashed_column_changed_breaks_the_chain_there(awkward, column, value, fast):
    """Both ways of writing the bytes (the server's, hazreg's encoder) catch a change to every column."""
    seq = _one(awkward, "SELECT max(seq) - 3 FROM history")
    assert _one(awkward, f"SELECT {column} IS DISTINCT FROM %s FROM history WHERE seq = %s", (value, seq))
    _change(awkward, f"UPDATE history SET {column} = %s WHERE seq = %s", (value, seq))
    reg = open_register(awkward, write=False)
    if not fast:
        reg.store._chain_as_hazreg = lambda: False
    result = verify_chain(reg)
    assert not result["ok"]
    assert result["broken_at"] == seq


def test_entries_reordered_or_the_last_deleted_are_caught(awkward):
    last = _one(awkward, "SELECT max(seq) FROM history")
    _change(awkward, "UPDATE history SET seq = -seq WHERE seq IN (%s, %s)", (last - 5, last - 4))
    _change(awkward, "UPDATE history SET seq = %s WHERE seq = %s", (last - 4, -(last - 5)))
    _change(awkward, "UPDATE history SET seq = %s WHERE seq = %s", (last - 5, -(last - 4)))
    result = verify_chain(open_register(awkward, write=False))
    assert not result["ok"] and result["broken_at"] == last - 5 and result["problem"] == "link"
    head = _one(awkward, "SELECT hash FROM history WHERE seq = %s", (last,))
    _change(awkward, "DELETE FROM history WHERE seq >= %s", (last - 5,))
    result = verify_chain(open_register(awkward, write=False), stop_at=head)
    assert result["ok"] is False and result["anchor_found"] is False


def _rehash_from(address: str, seq: int) -> None:
    """Another tool rewrites the chain from `seq` on with hazreg's own hash (as a forger would)."""
    with psycopg.connect(address) as conn:
        prev = conn.execute("SELECT hash FROM history WHERE seq < %s ORDER BY seq DESC LIMIT 1", (seq,)).fetchone()[0]
        for row in conn.execute(f"SELECT {', '.join(FIELDS)}, effective_at FROM history WHERE seq >= %s ORDER BY seq",
                                (seq,)).fetchall():
            digest = entry_hash(prev, row[:-1], row[-1])
            conn.execute("UPDATE history SET prev = %s, hash = %s WHERE seq = %s", (prev, digest, row[0]))
            prev = digest


def test_history_typed_otherwise_is_encoded_by_hazreg(awkward):
    """A column another tool retyped (note as varchar): the server's bytes are not used at all;
    an entry changed breaks the chain there, and holds once rehashed."""
    seq = _one(awkward, "SELECT max(seq) - 2 FROM history")
    _change(awkward, "ALTER TABLE history ALTER COLUMN note TYPE varchar(200)")
    _change(awkward, "UPDATE history SET note = '改过' WHERE seq = %s", (seq,))
    reg = open_register(awkward, write=False)
    assert not reg.store._history_as_made()
    result = verify_chain(reg)
    assert not result["ok"] and result["broken_at"] == seq and result["problem"] == "hash"
    _rehash_from(awkward, seq)
    assert verify_chain(open_register(awkward, write=False))["ok"]


def test_a_server_that_writes_json_otherwise_is_not_used(awkward, monkeypatch):
    """The probe: were to_json to escape otherwise (here: U+2028 as \\u2028, as some writers do),
    hazreg's encoder writes every entry's bytes and a clean chain still passes."""
    from hazreg.storage.postgres import integrity

    original = integrity._json
    monkeypatch.setattr(integrity, "_json", lambda name, value: f"replace({original(name, value)}, E'\\u2028', '\\u2028')")
    reg = open_register(awkward, write=False)
    assert not reg.store._chain_as_hazreg()
    assert verify_chain(reg)["ok"]
