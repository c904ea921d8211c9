"""Every test runs on its own temporary register, never the user's, in English, at a fixed time."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hazreg.i18n import set_lang
from hazreg.register import Register, open_register

# Noon in Shanghai on Sunday 29 November 2026 (04:00 UTC).
NOW = "2026-11-29T04:00:00+00:00"
VALID_CODES = ("91330100716105852F", "9144030071526726XG", "914403001922038216")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the register, the data folder and the clock at this test alone."""
    db = tmp_path / "register.db"
    monkeypatch.setenv("HAZREG_DB", str(db))
    monkeypatch.setenv("HAZREG_LANG", "en")
    monkeypatch.setenv("HAZREG_OPERATOR", "tester")
    monkeypatch.setenv("HAZREG_NOW", NOW)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("NO_COLOR", raising=False)
    set_lang("en")
    yield db
    set_lang("en")


@pytest.fixture
def reg(isolated: Path) -> Register:
    """An empty register on disk, opened for writing, without the CLI."""
    register = open_register(isolated, write=True, operator="tester")
    yield register
    register.store.close()


@pytest.fixture
def unit(reg: Register) -> dict:
    return reg.add_unit(
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
