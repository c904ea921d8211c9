"""The interface language: which one is in force, and looking up a message in it.

The language comes from `--lang`, else HAZREG_LANG, else the locale (zh_* means
Chinese). Messages live in `hazreg.messages`, each key with an English and a
Chinese text; a test keeps the two complete.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

LANGUAGES = ("en", "zh")
_current = "en"


def normalise_lang(value: str | None) -> str | None:
    """'zh_CN.UTF-8', 'zh-Hans', '中文' -> 'zh'; 'en_US' -> 'en'; anything else -> None."""
    if not value:
        return None
    v = value.strip().lower()
    if v.startswith("zh") or v in ("中文", "cn", "chinese"):
        return "zh"
    if v.startswith(("en", "c.")) or v in ("c", "posix", "english"):
        return "en"
    return None


def detect_lang(argv: Sequence[str] = (), env: Mapping[str, str] | None = None) -> str:
    """The language a command line asks for: --lang, HAZREG_LANG, then the locale."""
    env = os.environ if env is None else env
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            found = normalise_lang(argv[i + 1])
        elif arg.startswith("--lang="):
            found = normalise_lang(arg.split("=", 1)[1])
        else:
            continue
        if found:
            return found
    for source in (env.get("HAZREG_LANG"), env.get("LC_ALL"), env.get("LC_MESSAGES"), env.get("LANG")):
        found = normalise_lang(source)
        if found:
            return found
    return "en"


def set_lang(lang: str) -> None:
    global _current
    changed = (lang if lang in LANGUAGES else "en") != _current
    _current = lang if lang in LANGUAGES else "en"
    if changed or _current == "zh":
        # Typer's and Click's own words follow (a gettext catalogue, loaded only for Chinese).
        from hazreg.locale import activate

        activate(_current)


def get_lang() -> str:
    return _current


def t(key: str, /, default: str | None = None, **params: Any) -> str:
    """The message `key` in the current language, formatted with `params`."""
    from hazreg.messages import MESSAGES

    entry = MESSAGES.get(key)
    if entry is None:
        if default is not None:
            return default
        raise KeyError(f"message {key!r} is missing from hazreg.messages")
    text = entry[1] if _current == "zh" else entry[0]
    return text.format(**params) if params else text
