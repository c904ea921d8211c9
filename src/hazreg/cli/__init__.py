"""The command line. `main` picks the language before the commands (and their help) load."""

from __future__ import annotations

import sys


def main() -> None:
    import os

    from hazreg.i18n import detect_lang, set_lang

    # hazreg uses no Pydantic plugins; looking them up reads the metadata of every
    # installed package, which costs more than the rest of `hazreg add` together.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

    set_lang(detect_lang(sys.argv[1:]))
    from hazreg.cli.app import app

    app(prog_name="hazreg")
