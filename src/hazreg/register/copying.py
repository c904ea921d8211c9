"""`hazreg copy`: a whole register from one address to another (file or server), unchanged.

Everything moves: records with their ids and uids, history with its hash chain, settings, the
stored weekly reports and the attached files. The source must pass `check` first; the
destination must be empty; the copy is written in one transaction on the destination and
checked there (every check, and the same chain head as the source) before it is committed.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hazreg.errors import NotFound, Refused
from hazreg.storage import copying

if TYPE_CHECKING:
    from hazreg.register import Register


def problems_of(report: dict[str, Any]) -> str:
    """The checks that failed in a report of check_register, named in a few words."""
    found = []
    if report["sqlite"] or report["foreign_keys"]:
        found.append("database")
    if not report["chain"]["ok"]:
        found.append(f"chain (entry {report['chain'].get('broken_at')})")
    if report["records"]["mismatched"]:
        first = report["records"]["first"][0] if report["records"]["first"] else {}
        found.append(f"records ({report['records']['mismatched']}, first {first.get('record', '?')})")
    if report["tables"]:
        found.append(", ".join(sorted({p["problem"] for p in report["tables"]})))
    if report["attachments"]:
        found.append(f"attached files ({len(report['attachments'])})")
    return "; ".join(found) or "?"


def address_of(reg: Register) -> str:
    """Where a register is, as messages show it (a server's address without its password)."""
    shown = getattr(reg.store, "display", None)
    return str(shown if shown is not None else reg.store.path)


def is_empty(reg: Register) -> bool:
    """No record, no history, no setting: a register nothing was ever written to."""
    return all(copying.count(reg.store, table) == 0 for table in copying.TABLES)


def _blob(reg: Register, digest: str) -> bytes:
    """The bytes of an attached file, wherever the register keeps them."""
    getter = getattr(reg.store, "blob", None)
    if getter is not None:  # kept in the database
        data = getter(digest)
        if data is None:
            raise Refused("err.attachment_missing", id=digest[:12])
        return bytes(data)
    return reg.supervision.blob_path(digest).read_bytes()


def _put_blob(reg: Register, digest: str, data: bytes) -> None:
    putter = getattr(reg.store, "put_blob", None)
    if putter is not None:
        putter(digest, data)
        return
    from hazreg.paths import private_folders

    target = reg.supervision.blob_path(digest)
    if target.is_file() and target.stat().st_size == len(data):
        from hazreg.register.supervision import sha256_of

        if sha256_of(target) == digest:
            return
    private_folders(target.parent)
    part = target.with_name(f".{target.name}.part")
    import os

    fd = os.open(part, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    part.replace(target)


def copy_into(source: Register, dest: Register) -> dict[str, Any]:
    """Copy the register `source` into the empty register `dest` (opened for writing).

    Returns {"entries", "head", "counts"}: the chain's length and head (the same on both),
    and the rows copied per table."""

    if not source.store.on_disk:
        raise NotFound("err.no_register", path=address_of(source))
    with copying.one_snapshot(source.store):
        return _copy_checked(source, dest)


def _copy_checked(source: Register, dest: Register) -> dict[str, Any]:
    from hazreg.register.integrity import check_register

    report = check_register(source)
    if not report["ok"]:
        raise Refused("err.copy_source_bad", path=address_of(source), problems=problems_of(report))
    entries, head = source.store.chain_head()
    counts: dict[str, int] = {}
    with dest.store.transaction():
        if not is_empty(dest):
            raise Refused("err.copy_not_empty", path=address_of(dest))
        for table in copying.TABLES:
            theirs = copying.columns(source.store, table)
            ours = set(copying.columns(dest.store, table))
            names = [c for c in theirs if c in ours]
            counts[table] = copying.load(dest.store, table, names, copying.rows(source.store, table, names))
        for digest, _size in source.store.stored_files():
            _put_blob(dest, digest, _blob(source, digest))
        dest.store.rebuild_search_index()
        dest.store.recount_tally()
        dest.timezone = source.timezone
        after = check_register(dest)
        if not after["ok"] or dest.store.chain_head() != (entries, head):
            raise Refused("err.copy_failed", path=address_of(dest), problems=problems_of(after))
    return {"entries": entries, "head": head, "counts": counts}


def copy_register(source: str, dest: str) -> dict[str, Any]:
    """`hazreg copy SRC DEST` between two addresses; a new destination file left behind by a
    refused copy is removed."""
    from hazreg.register import open_register
    from hazreg.register.access import is_server, refuse_password

    for address in (source, dest):
        refuse_password(address)

    def where(address: str) -> Any:
        return address if is_server(address) else Path(address).expanduser()

    if not is_server(source) and not is_server(dest) and where(dest).exists() \
            and where(dest).resolve() == where(source).resolve():
        raise Refused("err.copy_onto_itself", path=dest)
    src = open_register(where(source), write=False)
    try:
        if not src.store.on_disk:
            raise NotFound("err.no_register", path=address_of(src))
        new_file = _new_file(dest)
        try:
            from hazreg.register import Register
            from hazreg.storage import open_store

            # The copy writes no history of its own: no operator to check.
            target = Register(open_store(where(dest), create=True), src.operator)
        except BaseException:
            _remove(new_file)
            raise
        try:
            return copy_into(src, target)
        except BaseException:
            target.store.close()
            _remove(new_file)
            raise
        finally:
            with suppress(Exception):
                target.store.close()
    finally:
        src.store.close()


def _new_file(address: str) -> Path | None:
    """The file an SQLite destination will create (None: it exists already, or is a server)."""
    from hazreg.register.access import is_server

    if is_server(address):
        return None
    path = Path(address).expanduser()
    return None if path.exists() else path


def _remove(path: Path | None) -> None:
    if path is None:
        return
    import shutil

    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with suppress(OSError):
            p.unlink(missing_ok=True)
    files = path.with_name(f"{path.stem}.files")
    if files.is_dir():
        shutil.rmtree(files, ignore_errors=True)


# -- backup and restore of a register on a server: through a copy ---------------------------------


def backup_to_file(reg: Register, dest: str | Path, force: bool) -> tuple[Path, dict[str, Any]]:
    """`backup` of a register on a server: an SQLite snapshot file (the register as a file anyone
    can open), with its attached files in the folder beside it, written beside `dest` and put in
    place only once it passes every check. Returns the file and {"chain": entries and head}."""
    import os

    from hazreg.paths import private_folders
    from hazreg.register import Register
    from hazreg.register.integrity import (
        _files_of,
        _quietly_remove,
        _reason,
        _stamp,
        _with_journals,
    )
    from hazreg.storage import open_store

    text = str(dest)
    target = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or target.is_dir():
        target = target / f"register-{_stamp()}.db"
    dest = target
    if dest.exists() and not force:
        raise Refused("err.backup_exists", path=str(dest))
    part = dest.with_name(f".{dest.name}.part")
    files = _files_of(dest)
    new_files = not files.exists()
    kept = False
    try:
        private_folders(dest.parent)
        _quietly_remove(*_with_journals(part))
        store = open_store(part, create=True)
        store.files_dir_override = files  # type: ignore[attr-defined]
        try:
            result = copy_into(reg, Register(store, reg.operator))
        finally:
            store.close()
        _quietly_remove(*_with_journals(part)[1:])
        part.chmod(0o600)
        part.replace(dest)
        kept = True
    except OSError as error:
        raise Refused("err.cannot_write", path=str(dest), reason=_reason(error, dest)) from None
    finally:
        if not kept:
            _quietly_remove(*_with_journals(part), *([files] if new_files else []))
    return dest, {"chain": {"entries": result["entries"], "head": result["head"]}}


def restore_from_file(reg: Register, source: Path) -> dict[str, Any]:
    """`restore FILE` into a register on a server: a copy of the file's register (checked first,
    with its attached files) into the database, which must be empty: a register that others are
    using is never replaced in place (restore into a new database, then point the office at it)."""
    from hazreg.errors import InvalidInput
    from hazreg.register import open_register
    from hazreg.register.integrity import _files_of

    source = source.expanduser()
    if not source.is_file():
        raise InvalidInput("err.no_file", "file", path=str(source))
    if not is_empty(reg):
        raise Refused("err.restore_not_empty", path=address_of(reg))
    src = open_register(source, write=False)
    try:
        if not src.store.on_disk:
            raise Refused("err.not_register", path=str(source))
        src.store.files_dir_override = _files_of(source)  # type: ignore[attr-defined]
        return copy_into(src, reg)
    finally:
        src.store.close()
