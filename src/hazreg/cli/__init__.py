"""The command line. `main` picks the language before the commands (and their help) load."""

from __future__ import annotations

import os
import sys


def _utf8_or_restart() -> None:
    """Under LC_ALL=C with UTF-8 mode turned off (PYTHONUTF8=0), Python reads the command line,
    file names and the terminal as ASCII: a Chinese argument would be stored as escaped bytes
    and printing a table would fail. hazreg runs itself again in UTF-8 mode (-X utf8) instead,
    once; the register and its exports are UTF-8 whatever the locale."""
    import codecs

    if sys.flags.utf8_mode or os.name != "posix" or os.environ.get("_HAZREG_UTF8"):
        return
    if codecs.lookup(sys.getfilesystemencoding()).name != "ascii":
        return
    os.environ["_HAZREG_UTF8"] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(sys.executable, [sys.executable, "-X", "utf8", *sys.orig_argv[1:]])
    except OSError:  # cannot run Python again: go on, non-ASCII text is then escaped on output
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        sys.stderr.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]


def main() -> None:
    _utf8_or_restart()
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
