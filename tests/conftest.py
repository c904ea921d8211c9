"""Every test runs on its own temporary register, never the user's, in English, at a fixed time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hazreg.i18n import set_lang
from hazreg.register import Register, open_register

# Noon in Shanghai on Sunday 29 November 2026 (04:00 UTC).
NOW = "2026-11-29T04:00:00+00:00"
VALID_CODES = ("91330100716105852F", "9144030071526726XG", "914403001922038216")


ENGINES = ("sqlite", "postgresql")
# Fixtures that work on the register through its address: a test using one (directly or through
# another fixture) runs on both engines, unless it or a fixture it uses asks for `isolated` by
# name (it wants the register's file) or it is marked sqlite_only.
_REGISTER_USERS = {"cli", "reg"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: opens the register's SQLite file itself (tampers with it, reads its "
        "journal or mode, backs the file up): runs on SQLite only")
    config.addinivalue_line("markers", "postgresql: runs on the PostgreSQL engine")
    config.addinivalue_line("markers", "own_addresses: the test names its registers itself (--db): runs once")


def _wants_file(metafunc: pytest.Metafunc) -> bool:
    info = metafunc.definition._fixtureinfo
    if "isolated" in info.argnames:
        return True
    for name, defs in info.name2fixturedefs.items():
        if name not in ("isolated", "reg") and any("isolated" in d.argnames for d in defs):
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames:
        on_both = (_REGISTER_USERS & set(metafunc.fixturenames)
                   and metafunc.definition.get_closest_marker("sqlite_only") is None
                   and metafunc.definition.get_closest_marker("own_addresses") is None
                   and not _wants_file(metafunc))
        if on_both:  # else the engine fixture's default, SQLite, and the test's id unchanged
            metafunc.parametrize(
                "engine", [pytest.param(e, marks=[pytest.mark.postgresql] if e == "postgresql" else [])
                           for e in ENGINES], indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine this test's register is on: "sqlite" (a file), or "postgresql" (a database of
    its own on the session's test server, tests/pg.py)."""
    return getattr(request, "param", "sqlite")


_roles_made: list[bool] = []


def _server_roles() -> None:
    """The role that may act for others (see register/access.py), once per test server: the
    tests connect as its superuser, which is a member of every role."""
    if _roles_made:
        return
    import psycopg
    from tests.pg import url

    with psycopg.connect(url(), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'hazreg_act_for_others'").fetchone():
            admin.execute("CREATE ROLE hazreg_act_for_others NOLOGIN")
    _roles_made.append(True)


@pytest.fixture(autouse=True)
def isolated(engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path | str]:
    """Point the register, the data folder and the clock at this test alone.

    On SQLite the register is a file in the test's folder (its path is returned); on PostgreSQL
    a fresh database with the schema (its address is returned)."""
    monkeypatch.setenv("HAZREG_LANG", "en")
    monkeypatch.setenv("HAZREG_OPERATOR", "tester")
    monkeypatch.setenv("HAZREG_NOW", NOW)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("NO_COLOR", raising=False)
    set_lang("en")
    if engine == "postgresql":
        from tests.pg import pg_database

        _server_roles()
        with pg_database() as address:
            monkeypatch.setenv("HAZREG_DB", address)
            yield address
    else:
        db = tmp_path / "register.db"
        monkeypatch.setenv("HAZREG_DB", str(db))
        yield db
    set_lang("en")


@pytest.fixture
def reg(isolated: Path | str) -> Iterator[Register]:
    """An empty register (a file, or a database), opened for writing, without the CLI."""
    register = open_register(isolated, write=True, operator="tester")
    yield register
    register.store.close()


@pytest.fixture
def unit(reg: Register) -> dict:
    return reg.units.add(
        {"name": "临江市宏达化工有限公司", "industry": "hazardous_chemicals", "locality": "青山镇",
         "credit_code": VALID_CODES[0], "risk": "red", "phone": "13957162318"}
    )


class Cli:
    """Runs hazreg commands in-process, as a user would type them."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None):
        from hazreg.cli.app import app

        result = self.runner.invoke(app, list(args), input=input)
        if code is not None:
            assert result.exit_code == code, (
                f"hazreg {' '.join(args)} exited {result.exit_code}, expected {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\n{result.exception!r}"
            )
        return result


@pytest.fixture
def cli() -> Cli:
    return Cli()


def read_terminal(leader: int) -> bytes:
    """Everything a program wrote to a pseudo-terminal, read from its leader until it closes."""
    import os

    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side is closed: the program has ended
            break
        if not chunk:
            break
        out += chunk
    return out


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A PostgreSQL test never passes by being skipped for want of PostgreSQL: CI must run it
    (psycopg or pgserver missing is a failure, not a skip; a server that cannot start fails by
    itself). Skips for other reasons (no LibreOffice) stay skips."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    about_the_server = any(word in str(report.longrepr).lower() for word in ("psycopg", "pgserver", "postgres", "'pg'"))
    if report.skipped and item.get_closest_marker("postgresql") and about_the_server and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"a PostgreSQL test may not be skipped: {report.longrepr}"
