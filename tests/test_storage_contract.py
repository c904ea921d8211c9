"""One contract for the storage layer, run against both engines: what the register layer may
count on from a store, whether it is an SQLite file or a PostgreSQL database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hazreg.chain import GENESIS, entry_hash
from hazreg.errors import InvalidInput, Refused
from hazreg.search import _runs
from hazreg.storage import HazardFilter, UnitFilter, open_store, parse_address
from hazreg.storage.base import SCHEMA_VERSION
from pg import pg_database

TODAY = date(2026, 11, 29)
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def address(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The address of a new, empty register on each engine."""
    if request.param == "sqlite":
        yield str(tmp_path / "contract.db")
    else:
        with pg_database(schema=False) as url:
            yield url


@pytest.fixture
def store(address: str) -> Iterator[Any]:
    opened = open_store(address, create=True)
    yield opened
    opened.close()


def _unit(store: Any, name: str = "临江市宏达化工有限公司", **extra: Any) -> int:
    record = {"uid": f"u-{name}", "name": name, "industry": "fire", "locality": "青山镇", "risk": "red",
              "created_at": "2026-11-29T04:00:00.000000Z", "updated_at": "2026-11-29T04:00:00.000000Z", **extra}
    return store.insert_unit(record)


def _hazard(store: Any, unit_id: int, description: str, **extra: Any) -> int:
    record = {"uid": f"h-{description}-{extra.get('found_on', '')}-{unit_id}", "unit_id": unit_id,
              "description": description, "industry": "fire", "locality": "青山镇", "level": "general",
              "status": "open", "source": "inspection", "found_on": "2026-11-20",
              "created_at": "2026-11-29T04:00:00.000000Z", "updated_at": "2026-11-29T04:00:00.000000Z", **extra}
    return store.insert_hazard(record)


def _log(store: Any, record_id: int, action: str = "create") -> None:
    store.add_history({"at": "2026-11-29T04:00:00.000000Z", "operator": "tester", "record_type": "hazard",
                       "record_id": record_id, "action": action, "before": None, "after": {"n": record_id}})


# -- records in, records out ----------------------------------------------------------------


def test_a_hazard_reads_back_with_the_same_values_and_types(store: Any) -> None:
    with store.transaction():
        unit_id = _unit(store)
        hazard_id = _hazard(store, unit_id, "灭火器过期", deadline="2026-11-25", funds=Decimal("12000.50"),
                            level="major")
    row = store.hazard(hazard_id, TODAY)
    assert (unit_id, hazard_id) == (1, 1)
    assert row["description"] == "灭火器过期" and row["unit_name"] == "临江市宏达化工有限公司"
    assert row["deadline"] == "2026-11-25" and row["found_on"] == "2026-11-20"  # dates as ISO text
    assert row["funds"] == Decimal("12000.50")  # money exact
    assert row["overdue"] is True and isinstance(row["id"], int)
    assert store.unit(unit_id)["risk"] == "red"
    assert store.units_by_name("临江市宏达化工有限公司")[0]["id"] == unit_id
    assert store.hazard(99, TODAY) is None


def test_filters_and_the_urgent_first_order(store: Any) -> None:
    with store.transaction():
        a = _unit(store, "甲厂")
        b = _unit(store, "乙厂", risk="blue")
        h1 = _hazard(store, a, "配电箱未接地", deadline="2026-12-30")
        h2 = _hazard(store, a, "消防通道堵塞", deadline="2026-11-01")  # overdue
        h3 = _hazard(store, b, "气瓶混放", level="major")
        h4 = _hazard(store, b, "已整改", status="closed", deadline="2026-11-01")
    rows, total = store.hazards(HazardFilter(statuses=["open"]), TODAY)
    assert [r["id"] for r in rows] == [h2, h3, h1] and total == 3
    assert [r["id"] for r in store.hazards(HazardFilter(overdue=True), TODAY)[0]] == [h2]
    assert [r["id"] for r in store.hazards(HazardFilter(unit_ids=[b]), TODAY)[0]] == [h3, h4]
    assert [r["id"] for r in store.iter_hazards(HazardFilter(levels=["major"]), TODAY)] == [h3]
    rows, total = store.hazards(HazardFilter(), TODAY, limit=1)
    assert len(rows) == 1 and total == 4
    assert store.hazard_counts() == {"open": 3, "closed": 1}
    assert [u["name"] for u in store.units(UnitFilter())[0]] == ["甲厂", "乙厂"]  # red before blue
    assert [u["name"] for u in store.units(UnitFilter(search="乙"))[0]] == ["乙厂"]
    assert [u["name"] for u in store.units(UnitFilter(search="%"))[0]] == []  # typed text is text


def test_a_unit_renamed_is_found_by_its_new_name(store: Any) -> None:
    with store.transaction():
        unit_id = _unit(store, "甲厂")
        hazard_id = _hazard(store, unit_id, "配电箱未接地")
        store.update_unit(unit_id, {"name": "宏达化工"})
    assert [r["id"] for r in store.hazards(HazardFilter(search="宏达"), TODAY)[0]] == [hazard_id]
    assert store.hazards(HazardFilter(search="甲厂"), TODAY)[0] == []


def test_ids_kept_from_elsewhere_leave_later_ids_above_them(store: Any) -> None:
    with store.transaction():
        kept = store.insert_unit({"id": 40, "uid": "u-40", "name": "甲", "industry": "fire", "locality": "镇",
                                  "created_at": "x", "updated_at": "x"})
        later = _unit(store, "乙")
    assert (kept, later) == (40, 41)


# -- transactions ---------------------------------------------------------------------------


def test_a_failed_write_leaves_nothing(store: Any) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        unit_id = _unit(store)
        _hazard(store, unit_id, "灭火器过期")
        _log(store, 1)
        raise RuntimeError("interrupted")
    assert store.count("units") == store.count("hazards") == store.count("history") == 0
    assert store.hazards(HazardFilter(search="灭火器"), TODAY) == ([], 0)
    with store.transaction():  # and the next write starts the chain afresh
        _log(store, 1)
    assert store.chain_head()[0] == 1


def test_writers_on_two_connections_never_fork_the_chain(address: str) -> None:
    """Two officers writing at once: every entry chained to the one before, seqs 1..n."""
    open_store(address, create=True).close()
    errors: list[BaseException] = []

    def officer(n: int) -> None:
        store = open_store(address, create=True)
        try:
            for i in range(25):
                with store.transaction():
                    _log(store, n * 100 + i)
        except BaseException as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=officer, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = open_store(address, create=False)
    try:
        prev, seqs = GENESIS, []
        for row in store.chain_rows():
            values, effective, link, digest = row[:9], *row[9:]
            assert link == prev and entry_hash(prev, values, effective) == digest
            prev = digest
            seqs.append(values[0])
        assert seqs == list(range(1, 51))
        assert store.chain_head() == (50, prev)
    finally:
        store.close()


# -- search: exactly Python's `in`, on either engine -------------------------------------------

ALPHABET = "消防灭火器安全通道堵"


def _normalised_words(*parts: str) -> list[str]:
    return [run for part in parts for _, run in _runs(part)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(ALPHABET, min_size=1, max_size=12), min_size=1, max_size=6),
       query=st.text(ALPHABET, min_size=1, max_size=3))
def test_search_finds_exactly_the_texts_containing_the_query(store: Any, texts: list[str], query: str) -> None:
    class Undo(Exception):
        pass

    with pytest.raises(Undo), store.transaction():
        unit_id = _unit(store, "青山镇五金厂")
        ids = {_hazard(store, unit_id, text, found_on=f"2026-11-{i + 1:02d}"): text for i, text in enumerate(texts)}
        found = {r["id"] for r in store.hazards(HazardFilter(search=query), TODAY)[0]}
        expected = {i for i, text in ids.items()
                    if any(query in word for word in _normalised_words(text, "青山镇五金厂"))}
        assert found == expected, (texts, query)
        raise Undo


def test_search_cases_of_the_search_tests(store: Any) -> None:
    with store.transaction():
        u1 = _unit(store, "临江市宏达化工有限公司")
        u2 = _unit(store, "青山镇顺发五金厂")
        h1 = _hazard(store, u1, "仓库东侧灭火器过期未更换")
        h2 = _hazard(store, u2, "消防通道被杂物堵塞")
        h3 = _hazard(store, u2, "GB35181 第3号库房，ＬＥＤ应急灯不亮")

    def find(query: str) -> set[int]:
        return {r["id"] for r in store.hazards(HazardFilter(search=query), TODAY)[0]}

    assert find("消防") == {h2} and find("灭火器") == {h1} and find("宏达化工") == {h1}
    assert find("火灭") == set() and find("消防器") == set() and find("火") == {h1}
    assert find("gb") == {h3} and find("35181") == set()  # ASCII words match as prefixes
    assert find("led 号库") == {h3}  # full width folded, several terms ANDed
    assert find("消防 灭火") == set()
    assert find("器过") == {h1}
    assert find("司仓") == set()  # never across the description and the unit's name
    assert find('"消防" *') == {h2} and find('消防 OR 灭火') == set()  # query syntax is just text
    assert store.hazards(HazardFilter(search="，。"), TODAY) == ([], 0)  # no terms: nothing


# -- schema versions --------------------------------------------------------------------------


def _stamp_newer(address: str) -> None:
    where = parse_address(address)
    if where.engine == "sqlite":
        import sqlite3

        conn = sqlite3.connect(str(where.target))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(str(where.target), autocommit=True) as conn:
            conn.execute("INSERT INTO hazreg_schema (version, name, applied_at) VALUES (%s, 'm999_future', 'x')",
                         (SCHEMA_VERSION + 1,))


@pytest.mark.parametrize("create", [False, True])
def test_a_newer_schema_is_refused_untouched(address: str, create: bool) -> None:
    store = open_store(address, create=True)
    with store.transaction():
        _unit(store)
    store.close()
    _stamp_newer(address)
    with pytest.raises(Refused) as refused:
        open_store(address, create=create)
    assert refused.value.key == "err.newer_schema"
    assert refused.value.params["found"] == SCHEMA_VERSION + 1
    assert "password" not in refused.value.message()


def test_reading_a_register_that_does_not_exist_writes_nothing(address: str) -> None:
    store = open_store(address, create=False)
    assert store.on_disk is False and store.count("hazards") == 0
    store.close()
    again = open_store(address, create=False)
    assert again.on_disk is False
    again.close()


def test_a_new_register_gets_the_schema_on_its_first_write(store: Any) -> None:
    assert store.on_disk is True
    # Every migration, the last numbered SCHEMA_VERSION (numbers may leave gaps for other branches'
    # migrations until they are merged).
    applied = store.migrations_applied()
    assert applied is not None and int(applied[-1][1:4]) == SCHEMA_VERSION
    assert {"m014_inspection_focus", "m015_cases"} <= set(applied)


# -- addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "engine"), [
    ("postgresql://officer@db.example/hazreg", "postgresql"),
    ("postgres://db.example:5433/hazreg", "postgresql"),
    ("POSTGRESQL://db/hazreg", "postgresql"),
    ("service=hazreg", "postgresql"),
    ("host=db.example dbname=hazreg user=officer", "postgresql"),
    ("host='db example' dbname=hazreg", "postgresql"),
    ("register.db", "sqlite"),
    ("/srv/hazreg/register.db", "sqlite"),
    ("C:\\hazreg\\register.db", "sqlite"),
    ("C:/hazreg/register.db", "sqlite"),
    ("notes=2026.db", "sqlite"),  # not a libpq keyword: a file name with '=' in it
    ("~/hazreg.db", "sqlite"),
])
def test_addresses_name_their_engine(text: str, engine: str) -> None:
    assert parse_address(text).engine == engine


@pytest.mark.parametrize("text", ["mysql://root@db/hazreg", "http://example.com/register.db", "sqlite:///x.db",
                                  "sqlite:x.db", "file:register.db", "jdbc:postgresql://db/hazreg",
                                  "mariadb://db/x", "ftp://files/register.db"])
def test_other_addresses_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_address(text)
    assert refused.value.key == "err.address"


@pytest.mark.parametrize(("text", "shown"), [
    ("postgresql://officer:s3cret@db.example/hazreg", "postgresql://officer@db.example/hazreg"),
    ("postgresql://db.example/hazreg?password=s3cret&sslmode=require", "postgresql://db.example/hazreg?sslmode=require"),
    ("host=db.example password=s3cret dbname=hazreg", "host=db.example dbname=hazreg"),
    ("host=db password='s3 cret' dbname=hazreg", "host=db dbname=hazreg"),
])
def test_a_password_is_never_shown(text: str, shown: str) -> None:
    assert parse_address(text).display == shown


@pytest.mark.own_addresses
def test_a_server_url_is_never_taken_for_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any) -> None:
    """Before, HAZREG_DB=postgresql://… made a folder `postgresql:` in the current directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HAZREG_DB", "postgresql://officer@127.0.0.1:1/hazreg?connect_timeout=2")
    result = cli("add", "灭火器过期", "--unit", "U1", code=1)
    assert "cannot reach the register postgresql://officer@127.0.0.1:1/hazreg" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
    # a password on the command line is refused before anything connects (register/access.py)
    monkeypatch.setenv("HAZREG_DB", "postgresql://officer:s3cret@127.0.0.1:1/hazreg?connect_timeout=2")
    result = cli("add", "灭火器过期", "--unit", "U1", code=2)
    assert "s3cret" not in result.stdout + result.stderr and "PGPASSWORD" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unsupported_address_is_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("--db", "mysql://root:pw@db/hazreg", "list", code=2)
    assert "not a register address" in result.stderr and "postgresql://" in result.stderr
    assert "pw@" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.own_addresses
def test_info_shows_a_server_register_without_its_password(monkeypatch: pytest.MonkeyPatch, cli: Any) -> None:
    with pg_database() as url:
        head, _, rest = url.partition("@")
        monkeypatch.setenv("PGPASSWORD", "s3cret")  # the test server trusts local sockets
        cli("--db", url, "unit", "add", "甲厂", "--industry", "fire", "--locality", "青山镇")
        result = cli("--db", url, "info", "--format", "json")
        assert "s3cret" not in result.stdout
        assert url.split("?")[0] in result.stdout
        # a password in the address itself is refused (register/access.py), never shown
        refused = cli("--db", f"{head}:s3cret@{rest}", "info", code=2)
        assert "s3cret" not in refused.stdout + refused.stderr


# -- attached files: beside the file on SQLite, in the database on PostgreSQL -----------------


def test_an_attached_file_is_kept_and_given_back_unchanged(address: str, tmp_path: Path) -> None:
    from hazreg.register import open_register

    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8 photo of the blocked exit " * 100)
    reg = open_register(address, write=True, operator="tester")
    try:
        unit = reg.units.add({"name": "甲厂", "industry": "fire", "locality": "青山镇"})
        hazard = reg.hazards.add({"unit": f"U{unit['id']}", "description": "安全出口堵塞"})
        first, again = reg.supervision.attach(f"H{hazard['id']}", [photo, photo], stage="before")
        assert first["sha256"] == again["sha256"] and first["size"] == photo.stat().st_size
        photo.write_bytes(b"changed after attaching")  # the register kept its own copy
        out = tmp_path / "out.jpg"
        reg.supervision.copy_attachment(reg.supervision.attachment(f"A{first['id']}"), out)
        assert out.read_bytes() == b"\xff\xd8 photo of the blocked exit " * 100
        assert out.stat().st_mode & 0o777 == 0o600
        assert reg.supervision.check_files() == []
    finally:
        reg.store.close()


def test_a_writer_waits_for_another_then_says_busy_on_postgresql() -> None:
    """As SQLite's busy timeout: a second writer waits (lock_timeout), then is refused, nothing written."""
    with pg_database() as url:
        first, second = open_store(url, create=True), open_store(url, create=True)
        try:
            second.conn.execute("SET lock_timeout = 200")  # milliseconds; 15 s in use
            with first.transaction():
                _unit(first, "甲厂")
                with pytest.raises(Refused) as busy, second.transaction():
                    _unit(second, "乙厂")  # pragma: no cover - the lock is never granted
            assert busy.value.key == "err.busy"
            with second.transaction():  # once the first has committed, the second may write
                _unit(second, "乙厂")
            assert sorted(u["name"] for u in second.units(UnitFilter())[0]) == ["乙厂", "甲厂"]
        finally:
            first.close()
            second.close()


def _history_indexes(address: str) -> set[str]:
    where = parse_address(address)
    if where.engine == "sqlite":
        import sqlite3

        conn = sqlite3.connect(str(where.target))
        try:
            return {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'history' AND sql IS NOT NULL")}
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(str(where.target)) as conn:
        return {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'history' AND schemaname = current_schema()"
            " AND indexname <> 'history_pkey'")}


def test_history_keeps_only_the_indexes_a_query_reads(address: str) -> None:
    """m016 drops the indexes on the hash and on the write time (no query reads them; every write,
    and SQLite's integrity check in `check`, paid for them): on a new register, and on one from
    before, which then still passes `check`."""
    from hazreg.register import open_register
    from hazreg.register.integrity import check_register
    from older import back_to

    first = open_register(address, write=True, operator="tester")
    first.units.add({"name": "临江市宏达化工有限公司", "industry": "fire", "locality": "青山镇"})
    first.store.close()
    assert _history_indexes(address) == {"history_record", "history_effective"}
    where = parse_address(address)
    back_to(str(where.target), where.engine, 15)
    assert _history_indexes(address) == {"history_record", "history_effective", "history_at", "history_hash"}
    reg = open_register(address, write=True, operator="tester")
    try:
        assert "m016_drop_unused_history_indexes" in (reg.store.migrations_applied() or [])
        assert _history_indexes(address) == {"history_record", "history_effective"}
        assert check_register(reg)["ok"]
    finally:
        reg.store.close()
