"""Where a register is: a file path (SQLite) or a PostgreSQL server, told apart by the address.

- `postgresql://…` and `postgres://…` URLs, and libpq connection strings (`service=hazreg`,
  `host=db.example dbname=hazreg`) name a PostgreSQL database;
- anything else that looks like a URL or a scheme (`mysql://…`, `http://…`, `sqlite:…`) is
  refused, naming what is supported; a Windows drive (`C:\\…`) is a path;
- the rest is a file path.

Passwords never leave this module in text meant for people: `display` is the address without
one (libpq also takes them from PGPASSWORD, ~/.pgpass or the service file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hazreg.errors import InvalidInput

_PG_SCHEMES = ("postgresql://", "postgres://")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]+:")  # two letters at least: C:\ is a drive
_REFUSED_SCHEMES = {"file", "sqlite", "sqlite3", "jdbc", "odbc", "mysql", "mariadb", "http", "https", "ftp",
                    "sftp", "smb", "mongodb", "redis", "oracle", "mssql", "sqlserver", "opengauss", "gaussdb",
                    "kingbase", "dm"}
# The keywords of libpq's "key=value" strings (libpq's documentation, 34.1.2).
_LIBPQ_KEYS = {
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth", "channel_binding",
    "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    "replication", "gssencmode", "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey",
    "sslpassword", "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer",
    "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib", "gssdelegation",
    "service", "target_session_attrs", "load_balance_hosts",
}
_PAIR = re.compile(r"\s*([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)")


@dataclass(frozen=True)
class Address:
    """A parsed register address: `engine` is "sqlite" or "postgresql"; `target` what the engine
    opens (a Path, or the libpq address as given); `display` the address for people."""

    engine: str
    target: Path | str
    display: str

    def __str__(self) -> str:
        return self.display


def _conninfo_pairs(text: str) -> list[tuple[str, str]] | None:
    """The key=value pairs of a libpq string, or None if `text` is not one."""
    pairs: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _PAIR.match(text, pos)
        if m is None or m.group(1).lower() not in _LIBPQ_KEYS:
            return None
        pairs.append((m.group(1).lower(), m.group(2)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return pairs or None


def _url_display(url: str) -> str:
    """A postgresql:// URL without its password (in the user part or as a parameter)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, hosts = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}@{hosts}"
    query = parts.query
    if "password" in query.lower():
        query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() != "password"],
                          safe="/")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def parse_address(text: str | Path) -> Address:
    """What `--db` or HAZREG_DB names; InvalidInput (exit 2) for an address no engine here opens."""
    if isinstance(text, Path):
        return Address("sqlite", text, str(text))
    stripped = text.strip()
    if stripped.lower().startswith(_PG_SCHEMES):
        return Address("postgresql", stripped, _url_display(stripped))
    pairs = _conninfo_pairs(stripped) if "=" in stripped else None
    if pairs is not None:
        shown = " ".join(f"{k}={v}" for k, v in pairs if k != "password")
        return Address("postgresql", stripped, shown)
    scheme = _SCHEME.match(stripped)
    if scheme and (stripped[scheme.end():].startswith("//") or scheme.group()[:-1].lower() in _REFUSED_SCHEMES):
        shown = _url_display(stripped) if "://" in stripped else stripped
        raise InvalidInput("err.address", "db", address=shown)
    path = Path(text).expanduser()
    return Address("sqlite", path, str(path))
