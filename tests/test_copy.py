"""`hazreg copy SRC DEST` and `hazreg db init`: a whole register moved between addresses, unchanged."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
# Each test names its registers' addresses itself (files, and databases on the test server).
pytestmark = pytest.mark.own_addresses


def anchor(cli, address) -> dict:
    return json.loads(cli("--db", str(address), "check", "--anchor", "-f", "json").stdout)


def everything(cli, address) -> dict:
    """What a user sees of a register: every record, the history, the settings, the files."""
    db = str(address)
    seen = {kind: json.loads(cli("--db", db, "export", kind, "-f", "json").stdout)
            for kind in ("units", "hazards", "inspections")}
    seen["history"] = json.loads(cli("--db", db, "history", "-f", "json").stdout)
    seen["config"] = cli("--db", db, "config").stdout
    seen["H1"] = json.loads(cli("--db", db, "show", "H1", "-f", "json").stdout)
    return seen


@pytest.fixture
def source(cli, tmp_path) -> Path:
    """The demo register, the test roster and legacy hazards imported, an attached file, a setting."""
    path = tmp_path / "source.db"
    cli("demo", "--path", str(path))
    cli("--db", str(path), "import", "units", str(FIXTURES / "roster.csv"), "--skip-invalid", code=None)
    cli("--db", str(path), "import", "hazards", str(FIXTURES / "hazards.csv"), "--legacy", "--skip-invalid", code=None)
    evidence = tmp_path / "整改前.jpg"
    evidence.write_bytes(b"\xff\xd8photo of the blocked exit\xff\xd9")
    cli("--db", str(path), "attach", "H1", str(evidence), "--stage", "before")
    cli("--db", str(path), "config", "timezone", "Asia/Urumqi")
    cli("--db", str(path), "report", "weekly", "--week", "2026-W47", "-f", "json")  # a stored week
    return path


def test_copy_to_a_new_file_is_the_same_register(cli, source, tmp_path):
    dest = tmp_path / "copy.db"
    out = cli("copy", str(source), str(dest)).stdout
    assert "checked" in out and anchor(cli, source)["head"] in out
    assert anchor(cli, dest) == anchor(cli, source)
    assert everything(cli, dest) == everything(cli, source)
    cli("--db", str(dest), "check")
    stored = cli("--db", str(dest), "attachment", "export", "A1", "-o", str(tmp_path / "out.jpg"))
    assert stored.exit_code == 0
    assert (tmp_path / "out.jpg").read_bytes() == b"\xff\xd8photo of the blocked exit\xff\xd9"
    # the copy goes on: new records take the next ids, and the chain continues
    cli("--db", str(dest), "add", "新发现：消防通道堵塞", "--unit", "U1", "--deadline", "+7d")
    hazards = json.loads(cli("--db", str(source), "export", "hazards", "-f", "json").stdout)
    new = json.loads(cli("--db", str(dest), "list", "--search", "新发现", "-f", "json").stdout)
    assert new[0]["id"] == f"H{max(int(h['id'][1:]) for h in hazards) + 1}"
    cli("--db", str(dest), "check")


def test_a_register_that_is_not_empty_is_never_copied_into(cli, source, tmp_path):
    dest = tmp_path / "other.db"
    cli("--db", str(dest), "unit", "add", "另一单位", "--industry", "fire", "--locality", "青山镇")
    before = anchor(cli, dest)
    refused = cli("copy", str(source), str(dest), code=1)
    assert "already holds a register" in refused.stderr and str(dest) in refused.stderr
    assert anchor(cli, dest) == before


def test_a_source_that_fails_its_check_is_not_copied(cli, source, tmp_path):
    conn = sqlite3.connect(source)
    conn.execute("UPDATE hazards SET description = 'tampered' WHERE id = 1")
    conn.commit()
    conn.close()
    dest = tmp_path / "copy.db"
    refused = cli("copy", str(source), str(dest), code=1)
    assert "does not pass the checks" in refused.stderr and "records" in refused.stderr
    assert not dest.exists() and not (tmp_path / "copy.files").exists()


def test_copy_refuses_itself_a_missing_source_and_passwords(cli, source, tmp_path):
    assert "is the source itself" in cli("copy", str(source), str(source), code=1).stderr
    assert "no register at" in cli("copy", str(tmp_path / "none.db"), str(tmp_path / "x.db"), code=1).stderr
    assert not (tmp_path / "x.db").exists()
    refused = cli("copy", str(source), "postgresql://officer:s3cret@db.example/hazreg", code=2)
    assert "PGPASSWORD" in refused.stderr and "s3cret" not in refused.stderr


def test_copy_messages_in_chinese(cli, source, tmp_path):
    out = cli("--lang", "zh", "copy", str(source), str(tmp_path / "c.db")).stdout
    assert "复制" in out and "检查通过" in out


def test_db_init_creates_a_file_register_and_then_changes_nothing(cli, tmp_path):
    path = tmp_path / "new.db"
    assert "Created an empty register" in cli("--db", str(path), "db", "init").stdout
    assert path.is_file()
    assert "already a register" in cli("--db", str(path), "db", "init").stdout
    assert json.loads(cli("--db", str(path), "info", "-f", "json").stdout)["hazards"] == 0


def test_a_password_on_the_command_line_is_refused(cli, monkeypatch):
    refused = cli("--db", "postgresql://officer:s3cret@db.example/hazreg", "list", code=2)
    assert "~/.pgpass" in refused.stderr and "s3cret" not in refused.stderr
    monkeypatch.setenv("HAZREG_DB", "host=db.example dbname=hazreg password=s3cret")
    assert "PGPASSWORD" in cli("list", code=2).stderr


# -- on a PostgreSQL server ---------------------------------------------------------------------

pg = pytest.mark.postgresql


@pg
def test_round_trip_sqlite_postgresql_sqlite(cli, source, tmp_path):
    from tests.pg import pg_database

    with pg_database(schema=False) as server:
        cli("copy", str(source), server)
        assert anchor(cli, server) == anchor(cli, source)
        cli("--db", server, "check")
        back = tmp_path / "back.db"
        cli("copy", server, str(back))
        assert anchor(cli, back) == anchor(cli, source)
        assert everything(cli, back) == everything(cli, source)
        assert everything(cli, server) == everything(cli, source)
        cli("--db", str(back), "check")
        again = cli("copy", str(source), server, code=1)
        assert "already holds a register" in again.stderr


@pg
def test_db_init_on_an_empty_database_then_refuses_what_is_not_hazreg(cli):
    import psycopg
    from tests.pg import pg_database

    with pg_database(schema=False) as server:
        assert "Created an empty register" in cli("--db", server, "db", "init").stdout
        assert "already a register" in cli("--db", server, "db", "init").stdout
        cli("--db", server, "unit", "add", "单位", "--industry", "fire", "--locality", "青山镇")
        cli("--db", server, "check")
    with pg_database(schema=False) as server:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("CREATE TABLE payroll (id int)")
        refused = cli("--db", server, "db", "init", code=1)
        assert "another program" in refused.stderr
        with psycopg.connect(server, autocommit=True) as conn:
            assert conn.execute("SELECT to_regclass('hazards')").fetchone()[0] is None
    with pg_database() as server:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("INSERT INTO hazreg_schema VALUES (99, 'm099_future', '2030-01-01')")
        refused = cli("--db", server, "db", "init", code=1)
        assert "newer" in refused.stderr


@pg
def test_on_a_server_the_operator_is_the_login_role(cli, tmp_path, monkeypatch):
    import psycopg
    from tests.pg import pg_database

    with pg_database() as server:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("DO $$ BEGIN CREATE ROLE hazreg_act_for_others NOLOGIN;"
                         " EXCEPTION WHEN duplicate_object THEN NULL; END $$")
            conn.execute("DO $$ BEGIN CREATE ROLE hazreg_officers NOLOGIN;"
                         " EXCEPTION WHEN duplicate_object THEN NULL; END $$")
            conn.execute("DROP ROLE IF EXISTS officer_li")
            conn.execute("CREATE ROLE officer_li LOGIN IN ROLE hazreg_officers")
            for statement in readme_grants():  # the README's own grants are enough for an officer
                conn.execute(statement)
        as_li = server.replace("postgres@", "officer_li@")
        monkeypatch.delenv("HAZREG_OPERATOR")
        cli("--db", as_li, "unit", "add", "单位", "--industry", "fire", "--locality", "青山镇")
        history = json.loads(cli("--db", as_li, "history", "-f", "json").stdout)
        assert history[-1]["operator"] == "officer_li"
        refused = cli("--db", as_li, "--operator", "王局长", "unit", "add", "单位二", "--industry", "fire",
                      "--locality", "青山镇", code=1)
        assert "officer_li" in refused.stderr and "hazreg_act_for_others" in refused.stderr
        monkeypatch.setenv("HAZREG_OPERATOR", "王局长")
        cli("--db", as_li, "unit", "list")  # reading records no operator
        cli("--db", as_li, "unit", "add", "单位三", "--industry", "fire", "--locality", "青山镇", code=1)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("GRANT hazreg_act_for_others TO officer_li")
        cli("--db", as_li, "unit", "add", "单位二", "--industry", "fire", "--locality", "青山镇")
        assert json.loads(cli("--db", as_li, "history", "-f", "json").stdout)[-1]["operator"] == "王局长"
        info = cli("--db", as_li, "info", "-f", "json").stdout
        assert "officer_li@" in info
        cli("--db", as_li, "add", "疏散通道堆放杂物", "--unit", "U1", "--deadline", "+7d")
        cli("--db", as_li, "start", "H1")
        cli("--db", as_li, "config", "timezone", "Asia/Urumqi")
        cli("--db", as_li, "report", "weekly")
        cli("--db", as_li, "check")
        with psycopg.connect(as_li, autocommit=True) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE history SET operator = 'someone else'")  # officers never rewrite history


@pg
def test_an_officer_without_delete_on_the_kept_weeks_still_keeps_a_week(cli, monkeypatch):
    """Servers set up from the README's grants before old weeks were forgotten gave officers no
    DELETE on weekly_computed: their weekly report still keeps its week (the forgetting is its
    own transaction, refused alone), and `check` passes with the old week left behind."""
    import psycopg
    from tests.pg import pg_database

    with pg_database() as server:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute("DO $$ BEGIN CREATE ROLE hazreg_officers NOLOGIN;"
                         " EXCEPTION WHEN duplicate_object THEN NULL; END $$")
            conn.execute("DROP ROLE IF EXISTS officer_wang")
            conn.execute("CREATE ROLE officer_wang LOGIN IN ROLE hazreg_officers")
            for statement in readme_grants():
                conn.execute(statement)
            conn.execute("REVOKE DELETE ON weekly_computed FROM hazreg_officers")
        as_wang = server.replace("postgres@", "officer_wang@")
        monkeypatch.delenv("HAZREG_OPERATOR")
        cli("--db", as_wang, "unit", "add", "单位", "--industry", "fire", "--locality", "青山镇")
        cli("--db", as_wang, "add", "疏散通道堆放杂物", "--unit", "U1", "--found", "2026-08-03", "--deadline", "2026-08-10")
        with psycopg.connect(server, autocommit=True) as conn:  # a week long out of the thirteen, kept before
            conn.execute("INSERT INTO weekly_computed (week, timezone, seq, hash, data)"
                         " SELECT '2026-08-03', 'Asia/Shanghai', seq, hash, '{}' FROM history ORDER BY seq DESC LIMIT 1")
        cli("--db", as_wang, "report", "weekly", "--week", "2026-W47")
        with psycopg.connect(server, autocommit=True) as conn:
            weeks = [row[0] for row in conn.execute("SELECT week FROM weekly_computed ORDER BY week")]
        assert weeks == ["2026-08-03", "2026-11-16"]  # week 47 kept; the old one not forgotten (no DELETE)
        cli("--db", as_wang, "check")


def readme_grants() -> list[str]:
    """The GRANT statements of the README's "Sharing a register"."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("-- psql -U hazreg_admin hazreg\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.startswith("GRANT")]


@pg
def test_backup_of_a_server_register_is_a_file_and_restores_into_an_empty_database(cli, source, tmp_path):
    from tests.pg import pg_database

    with pg_database(schema=False) as server:
        cli("copy", str(source), server)
        out = cli("--db", server, "backup", str(tmp_path / "snap") + "/").stdout
        [snapshot] = (tmp_path / "snap").glob("register-*.db")
        assert str(snapshot) in out and anchor(cli, source)["head"] in out
        assert oct(snapshot.stat().st_mode & 0o777) == "0o600"
        assert anchor(cli, snapshot) == anchor(cli, source)
        assert everything(cli, snapshot) == everything(cli, source)
        cli("--db", str(snapshot), "check")  # its attached files are in the folder beside it
        assert "already exists" in cli("--db", server, "backup", str(snapshot), code=1).stderr
        refused = cli("--db", server, "restore", str(snapshot), code=1)
        assert "already holds a register" in refused.stderr and "empty database" in refused.stderr
    with pg_database() as empty:
        out = cli("--db", empty, "restore", str(snapshot)).stdout
        assert "Restored" in out and anchor(cli, source)["head"] in out
        assert everything(cli, empty) == everything(cli, source)
        cli("--db", empty, "check")
