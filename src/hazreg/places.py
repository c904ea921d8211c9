"""Locality names: their kind guessed from the name, the closest names to a typed one, and
names on a list that may be one place written twice (青山 / 青山镇).

Pure functions on names, shared by the register (register/places.py) and the migration that
turns the names already in a register into its list (m008, both engines).

The similarity rule, in one place: a name's *core* is the name without one kind word at its
end (镇, 乡, 街道, 街道办事处, 管委会, 管理委员会, 园区, 社区, 村, 网格). Two names are near
duplicates when their cores are equal (青山 / 青山镇, 临江 / 临江街道), or when difflib's
ratio of the two whole names is at least 0.8 (经开区管委会 / 开发区管委会: 0.83). The second
half may pair two real places (青山村 / 青石村 is 0.67, not paired; 青山镇青山村 / 青山镇青石村
is 0.83, paired): the list is a list to look at, and only `locality merge` changes anything.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Longest first: 街道办事处 before 街道. (suffix, kind key)
_SUFFIXES = (
    ("街道办事处", "subdistrict"), ("管理委员会", "zone"), ("街道", "subdistrict"), ("管委会", "zone"),
    ("园区", "zone"), ("开发区", "zone"), ("社区", "community"), ("网格", "grid"), ("镇", "town"), ("乡", "town"),
    ("村", "village"),
)
RATIO = 0.8  # near duplicates: whole names at least this alike (difflib.SequenceMatcher.ratio)
SUGGEST = 0.5  # "did you mean": names at least this alike to the one typed


def norm(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip()


def core(name: str) -> str:
    """The name without one kind word at its end (青山镇 -> 青山); a bare kind word stays itself."""
    text = norm(name)
    for suffix, _ in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def kind_of(name: str) -> str:
    """The kind a name says it is by its last word (镇 -> town); a town when it says none."""
    text = norm(name)
    for suffix, kind in _SUFFIXES:
        if text.endswith(suffix):
            return kind
    return "town"


def alike(a: str, b: str) -> bool:
    """Whether two different names may be one place (the rule in this module's docstring)."""
    import difflib  # only when names are compared: not on every command's start

    if a == b:
        return False
    return core(a) == core(b) or difflib.SequenceMatcher(None, a, b).ratio() >= RATIO


def near_duplicates(names: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of names on a list that may be one place, each pair in code point order."""
    listed = sorted(set(names))
    return [(a, b) for i, a in enumerate(listed) for b in listed[i + 1:] if alike(a, b)]


def closest(name: str, names: Iterable[str], n: int = 3) -> list[str]:
    """The names on a list closest to one typed: those of the same core first, then by likeness."""
    import difflib

    typed = norm(name)
    listed = sorted(set(names))
    same = [x for x in listed if core(x) == core(typed) or x.startswith(typed)]
    rest = difflib.get_close_matches(typed, [x for x in listed if x not in same], n=n, cutoff=SUGGEST)
    return (same + rest)[:n]
