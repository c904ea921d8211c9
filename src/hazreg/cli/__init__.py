"""The command line. `main` picks the language before the commands (and their help) load."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from hazreg.i18n import detect_lang, set_lang

        set_lang(detect_lang(sys.argv[1:]))
        from hazreg.cli.app import command_of, make_app

        app = make_app(command_of(sys.argv[1:]))
    except KeyboardInterrupt:  # Ctrl-C while starting up, before any command ran
        from hazreg.i18n import t

        print(t("msg.interrupted"), file=sys.stderr)
        sys.exit(130)
    app(prog_name="hazreg")
