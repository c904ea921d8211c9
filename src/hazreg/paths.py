"""Where registers live: --db, else HAZREG_DB, else the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("hazreg", appauthor=False)


def register_path(option: str | None) -> Path:
    """The register file a command uses (it need not exist yet)."""
    chosen = option or os.environ.get("HAZREG_DB")
    return Path(chosen).expanduser() if chosen else data_dir() / "register.db"


def demo_path() -> Path:
    """The demo register: its own file, never the user's register."""
    return data_dir() / "demo.db"
