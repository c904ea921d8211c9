"""Typer's and Click's own words in the interface language, through gettext.

Click and Typer mark their words for gettext (`from gettext import gettext as _`, the default
domain "messages"). For Chinese, hazreg binds that domain to its catalogue
(zh/LC_MESSAGES/messages.po, compiled to messages.mo) and puts zh first in LANGUAGE, the
variable that chooses the language of messages; English leaves both as they were, so an
English session loads nothing. Nothing here imports Typer: `hazreg.cli.chrome` uses the same
catalogue for the words Typer's copy of Click prints without gettext.
"""

from __future__ import annotations

import gettext
import os
import sys

DOMAIN = "messages"
LOCALEDIR = os.path.dirname(os.path.abspath(__file__))  # not pathlib: start-up is not paid for it

# Typer's Rich help reads these module constants, computed through gettext when
# typer.rich_utils is imported: name -> msgid.
RICH_WORDS = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}

_before: list[str | None] = []  # LANGUAGE as it was, while Chinese is in force


def activate(lang: str) -> None:
    """Make gettext's default domain answer in `lang` ("zh"), or as before hazreg ("en")."""
    if lang == "zh" and not _before:
        _before.append(os.environ.get("LANGUAGE"))
        gettext.bindtextdomain(DOMAIN, LOCALEDIR)
        os.environ["LANGUAGE"] = "zh"
    elif lang != "zh" and _before:
        previous = _before.pop()
        if previous is None:
            del os.environ["LANGUAGE"]
        else:
            os.environ["LANGUAGE"] = previous
        if gettext.find(DOMAIN, LOCALEDIR):
            # The domain stays bound (gettext cannot unbind it) and the locale says Chinese.
            os.environ["LANGUAGE"] = "en"
    else:
        return
    # Typer computed its Rich help words when first imported; when the language changes after
    # that (tests switch languages in one process), compute them again.
    rich = sys.modules.get("typer.rich_utils")
    if rich is not None:
        for name, msgid in RICH_WORDS.items():
            setattr(rich, name, gettext.gettext(msgid))


_loaded: list[gettext.NullTranslations] = []


def catalogue() -> gettext.NullTranslations:
    """The Chinese catalogue itself, for the words hazreg.cli.chrome fills in (read once)."""
    if not _loaded:
        _loaded.append(gettext.translation(DOMAIN, LOCALEDIR, languages=["zh"]))
    return _loaded[0]
