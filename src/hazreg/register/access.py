"""Who may open a register on a server, as whom, and how it is prepared.

On PostgreSQL the operator recorded in history is the login role (`current_user`): a name
the server has checked, not one anyone can type. Acting for someone else (`--operator`,
HAZREG_OPERATOR) is allowed only to members of the role `hazreg_act_for_others`. A password
is never taken from the command line or the environment variable that names the register:
libpq reads it from PGPASSWORD, ~/.pgpass or a service file.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from hazreg.errors import InvalidInput, Refused

if TYPE_CHECKING:
    pass

ACT_FOR_OTHERS = "hazreg_act_for_others"
_CONNINFO_PASSWORD = re.compile(r"(?:^|\s)password\s*=", re.IGNORECASE)
_URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)


def is_server(address: str) -> bool:
    """A PostgreSQL URL or libpq conninfo (service=…, host=… dbname=…), not a file path
    (hazreg.storage.address decides; an address of no supported kind is refused there)."""
    from hazreg.storage.address import parse_address

    return parse_address(address).engine == "postgresql"


def has_password(address: str) -> bool:
    text = address.strip()
    if _URL.match(text):
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(text)
        return bool(parts.password) or "password" in {k.lower() for k in parse_qs(parts.query)}
    return is_server(text) and bool(_CONNINFO_PASSWORD.search(text))


def refuse_password(address: str | None) -> None:
    """A server address that carries a password is refused (exit 2), before anything connects."""
    if address and has_password(address):
        raise InvalidInput("err.password_in_address", "db")


def shown_address(address: str) -> str:
    """An address as messages show it: without a password."""
    from hazreg.errors import HazregError
    from hazreg.storage.address import parse_address

    try:
        return parse_address(address).display
    except HazregError:
        return address


def acting_operator(store: Any, wanted: str | None, write: bool) -> str:
    """Who the history will name. On a file: `wanted` (--operator), else HAZREG_OPERATOR, else
    the OS user. On a server: the login role (current_user); another name (--operator or
    HAZREG_OPERATOR) only on a write by a role that may act for others (a member of
    hazreg_act_for_others, or a superuser), else refused. A read records nothing: it is never
    refused for it."""
    import os

    if getattr(store, "engine", "sqlite") != "postgresql":
        from hazreg.register import default_operator

        return wanted or default_operator()
    wanted = wanted or os.environ.get("HAZREG_OPERATOR") or None
    role, allowed = next(iter(store._tuples(
        "SELECT current_user::text, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"
        " OR CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)"
        " THEN pg_has_role(current_user, %s, 'MEMBER') ELSE false END",
        (ACT_FOR_OTHERS, ACT_FOR_OTHERS))))
    if wanted is None or wanted == role or not write:
        return str(role)
    if not allowed:
        raise Refused("err.operator_on_server", role=role, operator=wanted)
    return wanted


def init_database(address: str) -> tuple[bool, int]:
    """Prepare the register at `address`: (whether its schema was created or brought up to
    date now, its schema version).

    A file is created with its schema as on a first write. An empty PostgreSQL database gets
    the schema in one transaction; one that already is a register at this version is left as
    it is (an older one is migrated, as on SQLite); tables of another program, or a newer
    schema, are refused untouched."""
    from pathlib import Path

    from hazreg.storage import SCHEMA_VERSION

    refuse_password(address)
    if not is_server(address):
        from hazreg.register import open_register

        path = Path(address).expanduser()
        existed = path.is_file() and path.stat().st_size > 0
        open_register(path, write=True).store.close()
        return not existed, SCHEMA_VERSION
    from hazreg.storage.address import parse_address
    from hazreg.storage.postgres.connect import connect
    from hazreg.storage.postgres.schema import init_schema

    where = parse_address(address)
    conn = connect(where)
    with conn:
        applied = init_schema(conn, where.display)
    return bool(applied), SCHEMA_VERSION
