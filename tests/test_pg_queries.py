"""The campaign, supervision and integrity queries give the same rows on PostgreSQL as on SQLite.

A register is filled through the register layer on SQLite (units, hazards, a campaign, leaders,
inspectors, inspections, draws, supervision, extensions, escalations, enforcement actions,
attachments); its rows are copied as they are into a fresh PostgreSQL database, and every query
of the three mixins is asked of both stores with the same arguments: the answers must be equal,
value for value and type for type.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hazreg.register import Register
from hazreg.storage.base import ActionFilter, InspectionFilter, Scope

psycopg = pytest.importorskip("psycopg")
pg = pytest.importorskip("pg")  # tests/pg.py: a PostgreSQL server for the tests
# The `reg` fixture must be the SQLite register here: each test makes its PostgreSQL twin itself.
pytestmark = pytest.mark.own_addresses

# Tables in an order their foreign keys allow, with the columns SQLite and PostgreSQL share.
TABLES = ("localities", "departments", "units", "unit_industries", "calendar_days", "campaigns", "leaders", "inspectors",
          "draws", "inspections", "hazards", "supervisions", "extensions", "escalations", "actions", "attachments",
          "supervision_steps", "history", "settings", "weekly_computed")
LOCALITIES = ("临江街道", "青山镇", "桃源镇", "经开区管委会")


def fill(reg: Register, tmp_path: Path) -> None:
    """A small district with something in every table the three mixins read."""
    risks = iter(["red", "blue", "orange", "yellow", None, "red", "orange", "blue"])
    units = []
    for locality in LOCALITIES:
        for industry in ("fire", "construction"):
            units.append(reg.units.add({"name": f"{locality}{industry}单位", "industry": industry,
                                       "locality": locality, "risk": next(risks)}))
    # A unit in three industries: every query by industry must agree on it too (issue 15).
    units.append(reg.units.add({"name": "临江宾馆", "industry": "特种设备、消防、construction", "locality": "临江街道"}))
    reg.campaigns.add_leader({"name": "张副区长", "industries": "fire,construction", "localities": "临江街道"})
    reg.campaigns.add_leader({"name": "李局长", "industries": "fire"})
    for name, places in (("王建国", "临江街道"), ("李明", "青山镇"), ("赵敏", ""), ("陈刚", "桃源镇")):
        reg.campaigns.add_inspector({"name": name, "localities": places})
    campaign = reg.campaigns.add({"name": "2026年冬季安全生产大检查", "start": "2026-11-01", "end": "2027-01-31",
                                 "industries": "fire,construction"})
    reg.campaigns.add({"name": "消防专项", "start": "2026-10-01", "end": "2026-10-31", "industries": "fire"})
    draw = reg.draws.run(count=3, seed=20261129, campaign=campaign["name"])
    voided = reg.draws.run(count=2, seed=7, localities=["青山镇"])
    reg.draws.void(voided["id"], "抽取范围错误")
    drawn = draw["rows"][0]["unit_id"]
    reg.campaigns.add_inspection({"unit": drawn, "on": "2026-11-20", "inspectors": "赵敏,陈刚", "draw": f"D{draw['id']}"})
    led = reg.campaigns.add_inspection({"unit": units[0]["id"], "on": "2026-11-23", "inspectors": "王建国,李明",
                              "leader": "张副区长", "mode": "暗访", "campaign": campaign["name"]})
    reg.campaigns.add_inspection({"unit": units[1]["id"], "on": "2026-11-23", "inspectors": "王建国", "leader": "张副区长"})
    reg.campaigns.add_inspection({"unit": units[2]["id"], "on": "2026-10-15", "inspectors": "李明"})
    reg.campaigns.add_inspection({"unit": units[0]["id"], "on": "2026-11-25", "inspectors": "王建国,李明", "note": "复查"})
    major = reg.hazards.add({"unit": units[0]["id"], "description": "消防通道被占用，灭火器过期", "level": "major",
                            "found_on": "2026-11-01", "deadline": "2026-11-20", "owner": "郑晓峰",
                            "inspection": f"I{led['id']}"})
    other = reg.hazards.add({"unit": units[3]["id"], "description": "脚手架未设置防护网", "level": "major",
                            "found_on": "2026-11-02", "deadline": "2026-12-20", "owner": "王芳"})
    reg.hazards.add({"unit": units[5]["id"], "description": "3号库房ＧＢ 35181未落实，消火栓被遮挡 Ⅱ级 é", "found_on": "2026-11-04"})
    general = reg.hazards.add({"unit": units[4]["id"], "description": "应急照明损坏", "found_on": "2026-11-03",
                              "deadline": "2026-11-10"})
    reg.supervision.supervise(f"H{major['id']}", "区安委办", "区级", on="2026-11-03", due="2026-12-31", note="挂牌督办",
                              notice="督1号")
    reg.supervision.supervise(f"H{other['id']}", "市安委办", "市级", on="2026-11-05", due="2027-01-31", notice="市督2号")
    reg.supervision.extend(f"H{other['id']}", "2026-12-31", "设备到货延迟", approved_by="区应急局")
    reg.supervision.escalate(f"H{major['id']}", "notice", "已送达", on="2026-11-21")
    reg.supervision.escalate(f"H{major['id']}", "letter", on="2026-11-27")
    reg.supervision.escalate(f"H{general['id']}", "notice")
    reg.supervision.take_action(f"H{major['id']}", "罚款", "5万", units[0]["name"], note="从重处罚", on="2026-11-22")
    reg.supervision.take_action(f"H{major['id']}", "suspend", on="2026-11-22")
    reg.supervision.take_action(f"H{other['id']}", "fine", "1234.56", on="2026-11-28")
    reg.supervision.set_ladder("notice:0,letter:7,interview:15")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff jpeg bytes")
    notice = tmp_path / "整改通知书.pdf"
    notice.write_bytes(b"%PDF-1.4 notice")
    reg.supervision.attach(f"H{major['id']}", [photo, notice, photo], stage="整改前", note="现场")
    reg.hazards.plan(major["id"], {"measures": "清理通道，更换灭火器", "funds": "12000", "contingency": "火灾应急预案"})
    reg.hazards.start(major["id"])
    reg.hazards.done(major["id"])
    report = tmp_path / "评估报告.pdf"
    report.write_bytes(b"%PDF-1.4 evaluation report")
    reg.supervision.apply_close(f"H{major['id']}", "郑晓峰", report)  # 销号申请 and 验收 before 销号
    reg.supervision.accept(f"H{major['id']}", "区安委办")
    reg.hazards.verify(major["id"], "李明", "复查合格")
    reg.supervision.delist(f"H{major['id']}", "验收合格，予以摘牌")


def copy_rows(source: sqlite3.Connection, target: Any, files: Path | None) -> None:
    """Every row of the SQLite register into the PostgreSQL one (same ids), the search index
    as PostgreSQL keeps it, the attached files into the database, and the id counters moved on."""
    from hazreg.search import index_text
    from hazreg.storage.postgres.integrity import search_row

    with target.transaction():
        for table in TABLES:
            columns = [r[1] for r in source.execute(f'PRAGMA table_info("{table}")')]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("%s" for _ in columns)
            rows = source.execute(f'SELECT {names} FROM "{table}"').fetchall()
            with target.cursor() as cursor:
                cursor.executemany(f'INSERT INTO {table} ({names}) VALUES ({marks})', rows)
            if "id" in columns:  # the counter as SQLite's: the next id is the one SQLite would give
                counter = _counter(source, table)
                target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s, %s)",
                               (max(counter, 1), counter > 0))
        rows = [search_row(h, index_text(d, n)) for h, d, n in source.execute(
            "SELECT h.id, h.description, u.name FROM hazards h JOIN units u ON u.id = h.unit_id ORDER BY h.id")]
        with target.cursor() as cursor:
            cursor.executemany("INSERT INTO hazard_search (id, text, words, pairs) VALUES (%s, %s, %s, %s)", rows)
            for digest, size in source.execute("SELECT DISTINCT sha256, size FROM attachments"):
                data = (files / digest[:2] / digest).read_bytes() if files else b""
                cursor.execute("INSERT INTO files (sha256, size, data) VALUES (%s, %s, %s)", (digest, size, data))


def _counter(source: sqlite3.Connection, table: str) -> int:
    row = source.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return row[0] if row else 0


# -- the same answers on both engines ------------------------------------------------------------


def typed(value: Any) -> Any:
    """A value with the type of every part spelled out: 1 and True, "1" and 1 differ."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [typed(v) for v in value]
        return (type(value).__name__, sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items)
    return (type(value).__name__, value)


def calls(lite: Any) -> list[tuple[str, Any]]:
    """(what, a call taking a store) of every query the three mixins answer, with arguments that
    reach each branch of their SQL."""
    ids = {t: [r[0] for r in lite.conn.execute(f"SELECT id FROM {t} ORDER BY id")] for t in TABLES if t not in
           ("history", "settings", "weekly_computed", "unit_industries", "calendar_days")}
    uids = {t: (row or ["none"])[0] for t in ("supervisions", "extensions", "attachments", "escalations", "actions",
                                              "inspections", "hazards")
            for row in [lite.conn.execute(f"SELECT uid FROM {t} ORDER BY id DESC LIMIT 1").fetchone()]}
    out: list[tuple[str, Any]] = []
    for table in ("campaigns", "leaders", "inspectors"):
        out.append((f"all_listed {table}", lambda s, t=table: s.all_listed(t)))
        for record_id in [*ids[table], 99]:
            out.append((f"listed {table} {record_id}", lambda s, t=table, i=record_id: s.listed(t, i)))
    out += [("listed by name", lambda s: s.listed("campaigns", name="消防专项")),
            ("listed by name, none", lambda s: s.listed("inspectors", name="nobody")),
            ("listed by name, NFC", lambda s: s.listed("inspectors", name="赵敏"))]
    for record_id in [*ids["inspections"], 99]:
        out.append((f"inspection {record_id}", lambda s, i=record_id: s.inspection(i)))
    for row in lite.conn.execute("SELECT unit_id, inspected_on, inspectors, leader FROM inspections"):
        import json

        people = json.loads(row[2])
        out.append((f"inspection_like {tuple(row)}", lambda s, r=row, p=people: s.inspection_like(r[0], r[1], p, r[3])))
        out.append(("inspection_like, other leader", lambda s, r=row, p=people: s.inspection_like(r[0], r[1], p, "某人")))
    filters = [
        InspectionFilter(), InspectionFilter(unit_ids=[1, 2]), InspectionFilter(since=date(2026, 11, 21)),
        InspectionFilter(until=date(2026, 11, 21)), InspectionFilter(campaign_id=1), InspectionFilter(draw_id=1),
        InspectionFilter(leader="张副区长"), InspectionFilter(modes=["unannounced"]),
        InspectionFilter(industries=["fire"], localities=["临江街道", "青山镇"]),
        InspectionFilter(changed_between=("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")),
        InspectionFilter(changed_between=("2030-01-01T00:00:00Z", "2030-02-01T00:00:00Z")),
    ]
    for n, f in enumerate(filters):
        out.append((f"inspections {n}", lambda s, f=f: s.inspections(f)))
        out.append((f"inspections {n} limit 2", lambda s, f=f: s.inspections(f, 2)))
        out.append((f"iter_inspections {n}", lambda s, f=f: list(s.iter_inspections(f))))
    autumn = (date(2026, 10, 1), date(2026, 11, 30))
    for n, scope in enumerate([Scope(), Scope(["fire"]), Scope([], ["青山镇", "桃源镇"]), Scope(["construction"], ["临江街道"])]):
        out.append((f"coverage_counts {n}", lambda s, sc=scope: s.coverage_counts(sc, *autumn)))
        out.append((f"coverage_gaps {n}", lambda s, sc=scope: s.coverage_gaps(sc, date(2026, 11, 1), date(2026, 11, 30))))
        out.append((f"draw_candidates {n}", lambda s, sc=scope: s.draw_candidates(sc, None)))
        out.append((f"draw_candidates {n} recent", lambda s, sc=scope: s.draw_candidates(sc, date(2026, 11, 21))))
    out.append(("leader_days", lambda s: s.leader_days(*autumn)))
    out.append(("leader_days, none", lambda s: s.leader_days(date(2026, 1, 1), date(2026, 1, 31))))
    for record_id in [*ids["draws"], 99]:
        out.append((f"draw {record_id}", lambda s, i=record_id: s.draw(i)))
        out.append((f"units_inspected_in_draw {record_id}", lambda s, i=record_id: s.units_inspected_in_draw(i)))
    out += [("draws", lambda s: s.draws()), ("units_by_ids", lambda s: s.units_by_ids([3, 1, 99, 2])),
            ("units_by_ids, none", lambda s: s.units_by_ids([]))]
    # supervision
    for hazard_id in [*ids["hazards"], 99]:
        out.append((f"supervision_in_force {hazard_id}", lambda s, i=hazard_id: s.supervision_in_force(i)))
        out.append((f"evidence {hazard_id}", lambda s, i=hazard_id: s.evidence(i)))
    out.append(("escalations_done", lambda s: s.escalations_done([*ids["hazards"], 99])))
    for n, af in enumerate([ActionFilter(), ActionFilter(types=["fine"]), ActionFilter(since=date(2026, 11, 23)),
                            ActionFilter(until=date(2026, 11, 22)), ActionFilter(unit_ids=[4]),
                            ActionFilter(hazard_ids=[1], types=["fine", "suspend"])]):
        out.append((f"actions {n}", lambda s, af=af: s.actions(af)))
        out.append((f"actions {n} limit 1", lambda s, af=af: s.actions(af, 1)))
    for table, uid in uids.items():
        out.append((f"row_by_uid {table}", lambda s, t=table, u=uid: s.row_by_uid(t, u)))
        out.append((f"row_by_uid {table} none", lambda s, t=table: s.row_by_uid(t, "nope")))
        if table not in ("inspections", "hazards"):
            out.append((f"iter_evidence {table}", lambda s, t=table: list(s.iter_evidence(t))))
    for record_id in [*ids["attachments"], 99]:
        out.append((f"attachment {record_id}", lambda s, i=record_id: s.attachment(i)))
    out.append(("stored_files", lambda s: s.stored_files()))
    # integrity
    for record_type, table in (("unit", "units"), ("hazard", "hazards"), ("inspection", "inspections"),
                               ("campaign", "campaigns"), ("leader", "leaders"), ("inspector", "inspectors"),
                               ("draw", "draws")):
        out.append((f"identity {record_type}", lambda s, r=record_type, t=table: [s.identity(r, i) for i in [*ids[t], 99]]))
    out += [("identity, no table", lambda s: s.identity("settings", 0)),
            ("child_entries", lambda s: list(s.child_entries())), ("setting_entries", lambda s: list(s.setting_entries())),
            ("settings_rows", lambda s: s.settings_rows()), ("search_index_problems", lambda s: s.search_index_problems()),
            ("migrations_applied", lambda s: s.migrations_applied()),
            ("integrity_problems", lambda s: s.integrity_problems()),
            ("foreign_key_problems", lambda s: s.foreign_key_problems()),
            ("sequence problems", lambda s: [t for t, counter, top in s.sequences() if counter != top])]
    return out


def open_pg(url: str) -> Any:
    """PostgreSQL's store on the database at `url`, as hazreg opens it."""
    from psycopg.rows import dict_row

    from hazreg.storage.postgres.store import Store

    return Store(psycopg.connect(url, autocommit=True, row_factory=dict_row), url)


def write(store: Any, *statements: tuple[str, Any] | str) -> None:
    """Run SQL behind the register's back, in one write of its own."""
    with store.transaction():
        for statement in statements:
            sql, params = (statement, None) if isinstance(statement, str) else statement
            store.conn.execute(sql, params)


@pytest.fixture
def both(reg: Register, tmp_path: Path) -> Any:
    """(the SQLite store, the PostgreSQL store) holding the same register."""
    fill(reg, tmp_path)
    with pg.pg_database() as url:
        with psycopg.connect(url) as target:
            copy_rows(reg.store.conn, target, reg.store.files_dir)
        store = open_pg(url)
        try:
            yield reg.store, store
        finally:
            store.close()


def test_every_query_gives_what_sqlite_gives(both):
    lite, server = both
    checked = 0
    for what, call in calls(lite):
        expected, got = call(lite), call(server)
        assert typed(got) == typed(expected), what
        checked += 1
    assert checked > 150


@pytest.fixture
def twins(reg: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """(the SQLite register, the PostgreSQL one) after the same commands, with the same uids."""
    import itertools

    from hazreg.register import base, campaigns, draws, hazards, supervision, units

    def fill_with_known_uids(register: Register) -> None:
        numbers = itertools.count(1)
        for module in (base, campaigns, draws, hazards, supervision, units):
            monkeypatch.setattr(module, "new_uid", lambda: f"00000000-0000-7000-8000-{next(numbers):012d}")
        fill(register, tmp_path)

    fill_with_known_uids(reg)
    with pg.pg_database() as url:
        shared = Register(open_pg(url), "tester")
        try:
            fill_with_known_uids(shared)
            yield reg, shared
        finally:
            shared.store.close()


def test_a_register_written_through_the_register_layer_reads_alike(twins):
    """The same commands on each engine give the same register (ids, uids, history and its
    hashes) and the same answers to every query."""
    from hazreg.register.integrity import check_register

    reg, shared = twins
    server = shared.store
    assert server.chain_head() == reg.store.chain_head()  # the same history, hash for hash
    for what, call in calls(reg.store):
        assert typed(call(server)) == typed(call(reg.store)), what
    for digest, _ in reg.store.stored_files():  # the files themselves, kept in the database
        assert server.blob(digest) == reg.supervision.blob_path(digest).read_bytes()
    assert shared.supervision.check_files() == reg.supervision.check_files() == []
    checked = check_register(shared)
    assert checked == check_register(reg) and checked["ok"]  # `check` passes, finding the same


def test_check_finds_the_same_tampering_on_both_engines(twins):
    """Rows changed behind hazreg's back (a fine, a listing, an escalation, a setting, the search
    index): `check` says the same on PostgreSQL as on SQLite."""
    from hazreg.register.integrity import check_register

    reg, shared = twins
    tampering = ["UPDATE actions SET amount_fen = 100 WHERE id = 1",
                 "UPDATE supervisions SET delisted_on = NULL WHERE id = 1",
                 "UPDATE escalations SET step = 'interview' WHERE id = 2",
                 "INSERT INTO extensions (uid, hazard_id, to_deadline, reason, created_at)"
                 " VALUES ('x', 3, '2027-01-01', 'no entry', '2026-11-29T04:00:00Z')",
                 "UPDATE settings SET value = '[]' WHERE key = 'escalation'"]
    with reg.store.transaction():
        for sql in [*tampering, "UPDATE hazard_search SET text = '' WHERE rowid = 2"]:
            reg.store.conn.execute(sql)
    write(shared.store, *tampering, "UPDATE hazard_search SET text = '' WHERE id = 2")
    expected, found = check_register(reg), check_register(shared)
    assert not found["ok"] and found == expected
    assert found["records"]["mismatched"] >= 4 and {"problem": "index_stale", "count": 1, "first": "H2"} in found["tables"]


def test_draws_take_turns_under_the_write_lock_and_stay_reproducible():
    """A draw reads the candidates, then writes: while another officer's write holds the
    register's lock, a draw waits for it, then gets the next id and the next link of the chain."""
    import threading
    import time

    from hazreg.register.integrity import verify_chain

    with pg.pg_database() as url:
        first = Register(open_pg(url), "王建国")
        for n, locality in enumerate(LOCALITIES):
            first.units.add({"name": f"{locality}企业{n}", "industry": "fire", "locality": locality, "risk": "red"})
        second = Register(open_pg(url), "李明")  # another officer's command, started now
        try:
            done: list[dict[str, Any]] = []
            with first.store.transaction():
                held = first.store.insert_draw({"uid": "held", "seed": 1, "params": {}, "pool": {}, "result": [],
                                                "campaign_id": None, "created_at": "2026-11-29T04:00:00Z",
                                                "operator": "王建国"})
                first.ctx.log("draw", held, "create", None, {"seed": 1})
                waiting = threading.Thread(target=lambda: done.append(second.draws.run(count=2, seed=99, inspectors=0)))
                waiting.start()
                time.sleep(0.5)
                assert waiting.is_alive() and not done  # waiting for the lock
            waiting.join(10)
            assert done and done[0]["id"] == held + 1
            assert [d["id"] for d in second.draws.all()] == [held + 1, held]
            assert second.draws.verify(done[0]["id"])[0]
            again = first.draws.details(done[0]["id"])
            assert [r["unit_id"] for r in again["rows"]] == [r["unit_id"] for r in done[0]["rows"]]
            assert verify_chain(second)["ok"]
        finally:
            first.store.close()
            second.store.close()


# -- what PostgreSQL keeps differently ------------------------------------------------------------


def test_attached_files_are_kept_in_the_database_and_checked_there(both):
    lite, server = both
    assert server.blob_problems() == []
    (photo, size), (notice, _), *_ = sorted(lite.stored_files(), key=lambda f: -f[1])  # and the evaluation report
    assert server.blob(photo) == (lite.files_dir / photo[:2] / photo).read_bytes()
    assert server.blob("0" * 64) is None
    data = b"a new photo"
    digest = hashlib.sha256(data).hexdigest()
    with server.transaction():
        assert server.put_blob(digest, data) and not server.put_blob(digest, data)  # kept once
    assert server.blob(digest) == data
    write(server, ("UPDATE files SET data = %s WHERE sha256 = %s", (b"\xff\xd8\xff edited", photo)))
    assert server.blob_problems() == [(photo, "altered")]
    write(server, ("UPDATE files SET data = %s, size = %s WHERE sha256 = %s", (b"x" * size, 3, photo)))
    assert server.blob_problems() == [(photo, "altered")]  # the size recorded with it no longer fits
    write(server, ("DELETE FROM files WHERE sha256 = %s", (notice,)))
    assert sorted(server.blob_problems()) == sorted([(photo, "altered"), (notice, "missing")])


def test_the_search_index_check_reads_every_column_of_the_pairs_index(both):
    _, server = both
    assert server.search_index_problems() == (True, 0, None)
    tampering = [
        ("UPDATE hazard_search SET text = 'x' WHERE id = 2", 2),
        ("UPDATE hazard_search SET words = 'x' WHERE id = 3", 3),
        ("UPDATE hazard_search SET pairs = array_remove(pairs, '消防') WHERE id = 1", 1),  # 消防 not found any more
        ("DELETE FROM hazard_search WHERE id = 2", 2),
        ("INSERT INTO hazard_search (id, text, words, pairs) VALUES (0, '', '', '{}')", 0),
        ("INSERT INTO hazard_search (id, text, words, pairs) VALUES (99, '', '', '{}')", 99),
    ]
    spoilt: set[int] = set()
    for sql, hazard_id in tampering:
        write(server, sql)
        spoilt.add(hazard_id)
        assert server.search_index_problems() == (True, len(spoilt), min(spoilt)), sql
    with server.transaction():
        assert server.rebuild_search_index() == 4
    assert server.search_index_problems() == (True, 0, None)
    write(server, "DROP TABLE hazard_search")
    assert server.search_index_problems() == (False, 0, None)
    with server.transaction():
        server.conn.execute("CREATE TABLE hazard_search (id bigint PRIMARY KEY, text text, words text, pairs text[])")
        server.rebuild_search_index()
    assert server.search_index_problems() == (True, 0, None)


def test_id_counters_are_checked_where_postgresql_gives_them_a_meaning(both):
    _, server = both
    assert [t for t, counter, top in server.sequences() if counter != top] == []
    with pytest.raises(psycopg.errors.UniqueViolation), server.transaction():
        for name in ("x", "y"):  # the same uid twice
            server.conn.execute('INSERT INTO campaigns (uid, name, start, "end", created_at, updated_at)'
                                " VALUES ('u', %s, '2026-01-01', '2026-01-02', 'now', 'now')", (name,))
    # Two ids were taken and given back by the rollback: the counter is past the last row, as it may be.
    assert [t for t, counter, top in server.sequences() if counter != top] == []
    write(server, "SELECT setval(pg_get_serial_sequence('units', 'id'), 5)")  # the next unit would be U6: taken
    assert [(t, counter, top) for t, counter, top in server.sequences() if counter != top] == [("units", 5, 9)]  # nine units (fill)
    assert server.integrity_problems() == [] and server.foreign_key_problems() == []



def test_verify_detects_a_tampered_draw_on_postgresql(twins):
    """test_campaigns' tampering, on the server: a changed result or seed no longer verifies."""
    import json

    _, shared = twins
    draw = shared.campaigns.draw_record(1)
    assert shared.draws.verify("D1")[0]
    tampered = [dict(e) for e in draw["result"]]
    tampered[0]["unit_id"] = next(u for u in range(1, 9) if u not in {e["unit_id"] for e in draw["result"]})
    write(shared.store, ("UPDATE draws SET result = %s WHERE id = 1", (json.dumps(tampered),)))
    assert not shared.draws.verify("D1")[0]
    write(shared.store, ("UPDATE draws SET seed = seed + 1, result = %s WHERE id = 1", (json.dumps(draw["result"]),)))
    assert not shared.draws.verify("D1")[0]
    write(shared.store, "UPDATE draws SET seed = seed - 1 WHERE id = 1")
    assert shared.draws.verify("D1")[0]
