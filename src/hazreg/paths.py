"""Where registers live: --db, else HAZREG_DB, else the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("hazreg", appauthor=False)


def register_path(option: str | None) -> Path:
    """The register file a command uses (it need not exist yet)."""
    chosen = option or os.environ.get("HAZREG_DB")
    return Path(chosen).expanduser() if chosen else data_dir() / "register.db"


def register_address(option: str | None) -> Any:
    """The register a command uses, parsed (hazreg.storage.address): a file path, or a
    PostgreSQL database named by a postgresql:// URL or a libpq string. InvalidInput for any
    other kind of address (`mysql://…`), which is never taken for a file name."""
    from hazreg.storage.address import parse_address

    chosen = option or os.environ.get("HAZREG_DB")
    return parse_address(chosen) if chosen else parse_address(data_dir() / "register.db")


def demo_path() -> Path:
    """The demo register: its own file, never the user's register."""
    return data_dir() / "demo.db"


def private_folders(folder: Path) -> None:
    """`folder` and any of its parents that do not exist yet, created readable by their owner
    only (0700). Folders that already exist are left as they are."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)


def private_copy(source: Path, target: Path) -> None:
    """`source` copied to `target`, which is readable by its owner only (0600) from its first byte
    (shutil.copyfile would create it world-readable under the usual umask). `target` is replaced."""
    import shutil

    target.unlink(missing_ok=True)
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as out, source.open("rb") as inp:
        shutil.copyfileobj(inp, out, 1 << 20)
