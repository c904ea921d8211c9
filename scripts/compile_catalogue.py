"""Compile hazreg's gettext catalogues (.po) into the .mo files gettext reads.

    python scripts/compile_catalogue.py

Pure Python, no GNU gettext needed: reads every src/hazreg/locale/*/LC_MESSAGES/*.po and
writes the .mo beside it. A test fails when a .mo does not match its .po.
"""

from __future__ import annotations

import ast
import struct
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "src" / "hazreg" / "locale"


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (the header under ""), without fuzzy or empty entries."""
    catalog: dict[str, str] = {}
    entry: dict[str, str] = {}
    key = ""
    fuzzy = False

    def finish() -> None:
        nonlocal entry, fuzzy
        if "msgid" in entry and entry.get("msgstr") and not fuzzy:
            catalog[entry["msgid"]] = entry["msgstr"]
        entry, fuzzy = {}, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        if not line or line.startswith("#"):
            continue
        if line.startswith(("msgid ", "msgstr ")):
            key, _, line = line.partition(" ")
            if key == "msgid" and "msgid" in entry:
                finish()
            entry[key] = ""
        if not line.startswith('"'):
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
        entry[key] += ast.literal_eval(line)
    finish()
    return catalog


def mo_bytes(catalog: dict[str, str]) -> bytes:
    """The GNU .mo file for `catalog` (the layout CPython's msgfmt.py writes)."""
    keys = sorted(catalog)
    ids = b"".join(k.encode() + b"\0" for k in keys)
    strs = b"".join(catalog[k].encode() + b"\0" for k in keys)
    start = 7 * 4 + 16 * len(keys)  # header, then two tables of (length, offset)
    offsets = []
    id_at, str_at = 0, 0
    for k in keys:
        offsets.append((len(k.encode()), start + id_at, len(catalog[k].encode()), start + len(ids) + str_at))
        id_at += len(k.encode()) + 1
        str_at += len(catalog[k].encode()) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    originals = b"".join(struct.pack("ii", n, at) for n, at, _, _ in offsets)
    translations = b"".join(struct.pack("ii", n, at) for _, _, n, at in offsets)
    return header + originals + translations + ids + strs


def main() -> None:
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(mo_bytes(read_po(po)))
        print(f"{mo.relative_to(LOCALE.parents[2])}: {len(read_po(po)) - 1} messages")


if __name__ == "__main__":
    main()
