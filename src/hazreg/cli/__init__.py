"""The command line. `main` picks the language before the commands (and their help) load."""

from __future__ import annotations

import os
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
    if os.environ.get("_HAZREG_COMPLETE"):  # a shell asking for completions: only now load that machinery
        from hazreg.cli.completion import prepare

        prepare(app)(prog_name="hazreg")
    app(prog_name="hazreg")
