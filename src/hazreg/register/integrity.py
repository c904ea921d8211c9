"""Can the register be trusted as evidence? SQLite's own checks, the history's hash chain,
every record equal to what its history replays to, and every attached file unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hazreg.chain import FIELDS, GENESIS, entry_hash
from hazreg.money import from_fen

if TYPE_CHECKING:
    from hazreg.register import Register

# The fields a record's history carries; the register's row must say the same.
HAZARD_FIELDS = (
    "unit_id", "description", "industry", "locality", "level", "status", "source", "found_on", "found_by",
    "basis", "deadline", "owner", "measures", "funds", "contingency", "inspection_id", "rectified_on",
    "verified_by", "verified_on", "verify_note", "closed_on", "void_reason",
)
UNIT_FIELDS = ("name", "credit_code", "industry", "locality", "address", "contact", "phone", "risk")
# Records written once and never changed: (record type, table, prefix, fields as in history, columns).
_WRITTEN_ONCE = (
    ("inspection", "inspections", "I", ("unit_id", "on", "inspectors", "leader", "mode", "campaign_id", "draw_id", "note"),
     ("unit_id", "inspected_on", "inspectors", "leader", "mode", "campaign_id", "draw_id", "note")),
    ("campaign", "campaigns", "C", ("name", "start", "end", "industries", "localities"),
     ("name", "start", "end", "industries", "localities")),
    ("leader", "leaders", "L", ("name", "industries", "localities"), ("name", "industries", "localities")),
    ("inspector", "inspectors", "P", ("name", "cert", "localities"), ("name", "cert", "localities")),
)
_LIST_FIELDS = {"inspectors", "industries", "localities"}
_CHANGES = {"create", "import", "edit", "plan", "start", "done", "verify", "verify_fail", "void", "extend"}
_SHOWN = 20  # record mismatches listed; the count says how many there are


def verify_chain(reg: Register, stop_at: str | None = None) -> dict[str, Any]:
    """Walk the chain from the first entry; the first entry whose link or hash is wrong, if any.
    With `stop_at`, stop at the entry of that hash (an anchor) and say whether it was reached."""
    prev = GENESIS
    count = 0
    for row in reg.store.chain_rows():
        values, effective, link, digest = row[: len(FIELDS)], *row[len(FIELDS):]
        count += 1
        if link != prev:
            return {"ok": False, "entries": count, "broken_at": values[0], "problem": "link"}
        if entry_hash(prev, values, effective) != digest:
            return {"ok": False, "entries": count, "broken_at": values[0], "problem": "hash"}
        prev = digest
        if stop_at is not None and digest == stop_at:
            return {"ok": True, "entries": count, "head": digest, "anchor_found": True}
    result: dict[str, Any] = {"ok": True, "entries": count, "head": prev}
    if stop_at is not None:
        result["anchor_found"] = False
        result["ok"] = False
    return result


def _plain(field: str, value: Any) -> Any:
    if field in _LIST_FIELDS and isinstance(value, str):
        return json.loads(value)  # stored as JSON text, kept in history as a list
    if field == "funds" and isinstance(value, int):
        amount = from_fen(value)
        return None if amount is None else f"{amount:.2f}"
    return None if value == "" else value


def replay_mismatches(reg: Register) -> tuple[int, list[dict[str, Any]]]:
    """Records whose fields differ from what their history says, and how many there are."""
    states: dict[tuple[str, int], dict[str, Any]] = {}
    for record_type, record_id, action, after in reg.store.record_changes():
        if action not in _CHANGES or not after:
            continue
        states.setdefault((record_type, record_id), {}).update(json.loads(after))
    found: list[dict[str, Any]] = []
    count = 0
    checked = [
        ("hazard", "H", HAZARD_FIELDS,
         reg.store.rows_for_check("hazards", ("id", *HAZARD_FIELDS[:13], "funds_fen", *HAZARD_FIELDS[14:]))),
        ("unit", "U", UNIT_FIELDS, reg.store.rows_for_check("units", ("id", *UNIT_FIELDS))),
    ]
    checked += [(kind, prefix, fields, reg.store.rows_for_check(table, ("id", *columns)))
                for kind, table, prefix, fields, columns in _WRITTEN_ONCE]
    for record_type, prefix, fields, rows in checked:
        for row in rows:
            record_id, values = row[0], dict(zip(fields, row[1:], strict=True))
            state = states.get((record_type, record_id))
            for field in fields:
                now = _plain(field, values[field])
                then = None if state is None else _plain(field, state.get(field))
                if now != then:
                    count += 1
                    if len(found) < _SHOWN:
                        found.append({"record": f"{prefix}{record_id}", "field": field, "register": now, "history": then})
                    break
    return count, found


def check_register(reg: Register) -> dict[str, Any]:
    """Every check, each with what it found; `ok` only if all of them hold."""
    integrity = reg.store.integrity_problems()
    foreign = reg.store.foreign_key_problems()
    chain = verify_chain(reg)
    count, records = replay_mismatches(reg)
    files = reg.check_files()
    from hazreg.register.lifecycle import closed_incomplete

    return {
        "ok": not integrity and not foreign and chain["ok"] and not count and not files,
        "sqlite": integrity, "foreign_keys": foreign, "chain": chain,
        "records": {"mismatched": count, "first": records}, "attachments": files,
        # Warnings: the register is sound, but these must not be mistaken for properly closed hazards.
        "closed_incomplete": [f"H{r['id']}" for r in reg.store.closed_majors() if closed_incomplete(r)],
    }


def backup(reg: Register, dest: Path) -> dict[str, Any]:
    """A consistent copy of the register at `dest` (taken while others may write), checked.

    The copy is written beside `dest` and renamed into place only once it passes every
    check; attached files are copied into `dest`'s own files folder.
    """
    import shutil

    from hazreg.errors import Refused
    from hazreg.register import open_register

    dest = dest.expanduser()
    if reg.store.path is not None and dest.resolve() == reg.store.path.resolve():
        raise Refused("err.backup_onto_itself", path=str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(f".{dest.name}.part")
    part.unlink(missing_ok=True)
    reg.store.backup_to(part)
    copy = open_register(part, write=False)
    try:
        source_files = reg.store.files_dir
        copy_files = part.parent / f"{dest.stem}.files"
        if source_files is not None and source_files.is_dir():
            shutil.copytree(source_files, copy_files, dirs_exist_ok=True)
        copy.store.files_dir_override = copy_files
        report = check_register(copy)
    finally:
        copy.store.close()
    if not report["ok"]:
        part.unlink(missing_ok=True)
        raise Refused("err.backup_failed", path=str(dest))
    part.chmod(0o600)
    part.replace(dest)
    return report


def restore(reg: Register, source: Path) -> Path:
    """Replace the register with the checked copy at `source`; the current file is kept aside.

    Returns where the replaced register now is."""
    import shutil

    from hazreg import dates
    from hazreg.errors import InvalidInput, Refused
    from hazreg.register import open_register

    target = reg.store.path
    if target is None:
        raise Refused("err.no_register_file")
    source = source.expanduser()
    if not source.is_file():
        raise InvalidInput("err.no_file", "file", path=str(source))
    part = target.with_name(f".{target.name}.restore")
    part.unlink(missing_ok=True)
    shutil.copyfile(source, part)
    copy = open_register(part, write=False)  # brings an older copy up to this schema
    try:
        copy.store.files_dir_override = source.parent / f"{source.stem}.files"
        report = check_register(copy)
    finally:
        copy.store.close()
    if not report["ok"]:
        part.unlink(missing_ok=True)
        raise Refused("err.restore_refused", path=str(source))
    stamp = dates.now_utc().strftime("%Y%m%dT%H%M%SZ")
    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
    reg.store.checkpoint_and_close()
    if target.exists():
        target.replace(aside)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    part.chmod(0o600)
    part.replace(target)
    files = source.parent / f"{source.stem}.files"
    if files.is_dir():
        shutil.copytree(files, target.parent / f"{target.stem}.files", dirs_exist_ok=True)
    return aside
