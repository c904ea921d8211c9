"""Can the register be trusted as evidence? SQLite's own checks, the history's hash chain,
every record equal to what its history replays to, and every attached file unchanged."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hazreg.chain import GENESIS, entry_hash
from hazreg.money import from_fen
from hazreg.register.accidents import FIELDS as ACCIDENT_FIELDS
from hazreg.register.cases import FIELDS as CASE_FIELDS
from hazreg.register.cases import LINK_FIELDS, PAYMENT_FIELDS, PENALTY_FIELDS, STEP_FIELDS

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
    ("inspection", "inspections", "I",
     ("unit_id", "on", "inspectors", "leader", "mode", "campaign_id", "draw_id", "note", "department_id"),
     ("unit_id", "inspected_on", "inspectors", "leader", "mode", "campaign_id", "draw_id", "note", "department_id")),
    ("campaign", "campaigns", "C", ("name", "start", "end", "industries", "localities"),
     ("name", "start", "end", "industries", "localities")),
    ("leader", "leaders", "L", ("name", "industries", "localities"), ("name", "industries", "localities")),
    ("inspector", "inspectors", "P", ("name", "cert", "localities"), ("name", "cert", "localities")),
    # (accidents are edited: their entries are replayed like a unit's, every field as stored)
    ("accident", "accidents", "E", ACCIDENT_FIELDS, ACCIDENT_FIELDS),
    # enforcement cases (edited, stepped, decided: replayed like accidents) and their rows
    ("case", "cases", "C-", CASE_FIELDS, CASE_FIELDS),
    ("case_link", "case_links", "case link ", LINK_FIELDS, LINK_FIELDS),
    ("case_step", "case_steps", "case step ", STEP_FIELDS, STEP_FIELDS),
    ("case_penalty", "case_penalties", "case penalty ", PENALTY_FIELDS, PENALTY_FIELDS),
    ("case_payment", "case_payments", "case payment ", PAYMENT_FIELDS, PAYMENT_FIELDS),
)
_LIST_FIELDS = {"inspectors", "industries", "localities"}
_CHANGES = {"create", "import", "edit", "merge_locality", "plan", "start", "done", "verify", "verify_fail", "void", "extend",
            "step", "decide"}
_SHOWN = 20  # record mismatches listed; the count says how many there are
# Whether a record equal to its history at once is passed without comparing field by field (a
# test turns it off to hold the two ways to the same findings).
_FAST = True


def verify_chain(reg: Register, stop_at: str | None = None) -> dict[str, Any]:
    """Walk the chain from the first entry; the first entry whose link or hash is wrong, if any.
    With `stop_at`, stop at the entry of that hash (an anchor) and say whether it was reached.

    The engine gives each entry's bytes (SQLite writes them in SQL, where it writes them as
    hazreg's encoder does); an entry whose bytes do not hash to its hash, or that the engine
    could not write, is judged by hazreg's encoder on the entry itself, as it always was."""
    prev = GENESIS
    count = 0
    sha256 = hashlib.sha256
    for seq, link, digest, data in reg.store.chain_texts():
        count += 1
        if link != prev:
            return {"ok": False, "entries": count, "broken_at": seq, "problem": "link"}
        if data is None or sha256(data).hexdigest() != digest:
            values, effective = reg.store.chain_entry(seq)
            try:
                held = entry_hash(prev, values, effective) == digest
            except (TypeError, ValueError):  # a value no hazreg entry holds (a blob): never hashed
                held = False
            if not held:
                return {"ok": False, "entries": count, "broken_at": seq, "problem": "hash"}
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


def _by_key(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, list[tuple[Any, ...]]]]:
    """Rows sorted by their first value, as (that value, its rows)."""
    for key, group in groupby(rows, itemgetter(0)):
        yield key, list(group)


def _side_by_side(*streams: Iterator[tuple[Any, list[Any]]]) -> Iterator[tuple[Any, list[list[Any]]]]:
    """Streams of (key, group) in ascending key order, read together: every key once, with each
    stream's group for it ([] where a stream has none). One key's groups are in memory at a time."""
    heads = [next(stream, None) for stream in streams]
    while True:
        keys = [head[0] for head in heads if head is not None]
        if not keys:
            return
        key = min(keys)
        groups: list[list[Any]] = []
        for i, head in enumerate(heads):
            if head is not None and head[0] == key:
                groups.append(head[1])
                heads[i] = next(streams[i], None)
            else:
                groups.append([])
        yield key, groups


def _decoder() -> Callable[[str], Any]:
    """json.loads for the history's own JSON text, without its per-call overhead: the C scanner
    reads an object that starts the text and ends it; anything else goes through json.loads
    (which says what is wrong with it, as it always did)."""
    scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set by its __init__

    def loads(text: str) -> Any:
        try:
            value, end = scan(text, 0)
        except StopIteration:
            return json.loads(text)
        return value if end == len(text) else json.loads(text)

    return loads


_loads = _decoder()


def replay_mismatches(reg: Register) -> tuple[int, list[dict[str, Any]]]:
    """Records whose fields differ from what their history says, and how many there are.

    A record's uid and created_at are compared where its creation entry names them (entries
    written since `check` proves them; older ones do not), its other fields always. Each
    record's rows and its history are read side by side, so one record's chain is in memory."""
    found: list[dict[str, Any]] = []
    count = 0
    checked = [
        ("hazard", "H", HAZARD_FIELDS,
         reg.store.rows_for_check("hazards", ("id", *HAZARD_FIELDS[:13], "funds_fen", *HAZARD_FIELDS[14:], *_IDENTITY))),
        ("unit", "U", UNIT_FIELDS, reg.store.rows_for_check("units", ("id", *UNIT_FIELDS, *_IDENTITY))),
    ]
    checked += [(kind, prefix, fields, reg.store.rows_for_check(table, ("id", *columns, *_IDENTITY)))
                for kind, table, prefix, fields, columns in _WRITTEN_ONCE]
    loads, changes_of, fast = _loads, _CHANGES, _FAST
    industries_then: dict[int, list[str] | None] = {}  # each unit's industries, as its history has them
    for record_type, prefix, fields, rows in checked:
        names = (*fields, *_IDENTITY)
        width = len(fields)
        uid, created = _IDENTITY
        uid_at, created_at = width + 1, width + 2
        funds = fields.index("funds") if "funds" in fields else None
        # (record id, action, after), by record: one group per record
        chains = groupby(reg.store.record_changes(record_type), itemgetter(0))
        chain = next(chains, None)
        for row in rows:
            record_id = row[0]
            while chain is not None and chain[0] < record_id:  # history of a record with no row
                chain = next(chains, None)
            state: dict[str, Any] | None = None
            if chain is not None and chain[0] == record_id:
                for _, action, after in chain[1]:
                    if after and action in changes_of:
                        if state is None:
                            state = loads(after)
                        else:
                            state.update(loads(after))
                chain = next(chains, None)
            if record_type == "unit":  # entries before a unit could have several industries name one
                industries_then[record_id] = None if state is None else (
                    state.get("industries") or ([state["industry"]] if state.get("industry") else None))
            if fast and state is not None:
                # The usual case at once: every field exactly as history has it (the uid and
                # creation time as its creation entry names them, where it does: get's default
                # is the row's own value where the entry does not).
                get = state.get
                if (record_id, *map(get, fields), get(uid, row[uid_at]), get(created, row[created_at])) == row:
                    continue
            values = row[1:]
            if fast and state is not None and funds is not None and values[funds] is not None:
                # Funds are kept in fen, and in yuan in history: the same once written as history
                # writes them (equal here implies equal field by field below).
                get = state.get
                if (*map(get, fields), get(uid, values[width]), get(created, values[width + 1])) == (
                        *values[:funds], _plain("funds", values[funds]), *values[funds + 1:]):
                    continue
            # Compared field by field, each as history keeps it (funds in yuan, lists as lists).
            named = tuple(f for f in _IDENTITY if state is not None and f in state)
            by_name = dict(zip(names, values, strict=True))
            for field in (*fields, *named):
                now = _plain(field, by_name[field])
                then_value = None if state is None else _plain(field, state.get(field))
                if now != then_value:
                    count += 1
                    if len(found) < _SHOWN:
                        found.append({"record": f"{prefix}{record_id}", "field": field, "register": now,
                                      "history": then_value})
                    break
    for unit_id, industries in reg.store.unit_industry_lists():
        then_list = industries_then.pop(unit_id, None)
        if then_list is not None and list(industries) != then_list:
            count += 1
            if len(found) < _SHOWN:
                found.append({"record": f"U{unit_id}", "field": "industries", "register": list(industries),
                              "history": then_list})
    for unit_id, then_list in industries_then.items():  # a unit with no industry rows at all
        if then_list is not None:
            count += 1
            if len(found) < _SHOWN:
                found.append({"record": f"U{unit_id}", "field": "industries", "register": [], "history": then_list})
    return count, found


_IDENTITY = ("uid", "created_at")
# Rows a change to a hazard adds (delist changes one): table, kind, the action that adds a row,
# and (column, where history keeps it: "after.KEY", "before.KEY" or "note"). A key ending in ?
# is compared only where the entry has it (uid, size and stage are in entries since this check).
_CHILDREN: tuple[tuple[str, str, str | tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    ("actions", "action", "action",
     (("type", "after.type"), ("amount_fen", "after.amount"), ("against", "after.against"),
      ("taken_on", "after.on"), ("note", "note"), ("uid", "after.uid?"))),
    ("escalations", "escalation", "escalate",
     (("step", "after.step"), ("done_on", "after.done_on"), ("note", "note"), ("uid", "after.uid?"))),
    ("supervisions", "supervision", "supervise",
     (("body", "after.supervised_by"), ("level", "after.supervision_level"), ("listed_on", "after.listed_on"),
      ("due", "after.due"), ("note", "note"), ("uid", "after.uid?"), ("notice_no", "after.notice_no?"))),
    ("supervision_steps", "supervision step", ("apply", "accept", "accept_fail"),
     (("step", "after.step"), ("done_by", "after.step_by"), ("done_on", "after.step_on"), ("note", "note"),
      ("attachment_id", "after.attachment?"), ("uid", "after.uid"))),
    ("extensions", "extension", "extend",
     (("from_deadline", "before.deadline"), ("to_deadline", "after.deadline"), ("reason", "note"))),
    ("attachments", "attachment", "attach",
     (("id", "after.attachment"), ("sha256", "after.sha256"), ("name", "after.file"), ("note", "note"),
      ("size", "after.size?"), ("stage", "after.stage?"), ("uid", "after.uid?"))),
)
_DELIST = (("delisted_on", "after.delisted_on"), ("delist_note", "note"))
# The same rows brought in by `hazreg import supervisions|…`: the entry names the action whose
# row it adds, and holds the file's own fields (a delisting included).
_IMPORTED: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "import_action": ("action", (("type", "after.type"), ("amount_fen", "after.amount"), ("against", "after.against"),
                                 ("taken_on", "after.taken_on"), ("note", "after.note"))),
    "import_escalation": ("escalate", (("step", "after.step"), ("done_on", "after.done_on"), ("note", "after.note"))),
    "import_supervision": ("supervise", (("body", "after.body"), ("level", "after.supervision_level"),
                                         ("listed_on", "after.listed_on"), ("due", "after.due"), ("note", "after.note"),
                                         ("delisted_on", "after.delisted_on"), ("delist_note", "after.delist_note"),
                                         ("notice_no", "after.notice_no?"))),
    "import_extension": ("extend", (("from_deadline", "after.from_deadline"), ("to_deadline", "after.to_deadline"),
                                    ("reason", "after.reason"))),
    "import_attachment": ("attach", (("id", "after.id"), ("sha256", "after.sha256"), ("name", "after.file_name"),
                                     ("note", "after.note"), ("size", "after.size"), ("stage", "after.stage"))),
    # a closing step of any kind (apply, accept, accept_fail): their entries are read in history's order
    "import_step": ("apply", (("step", "after.step"), ("done_by", "after.done_by"), ("done_on", "after.done_on"),
                              ("note", "after.note"), ("attachment_id", "after.attachment?"), ("uid", "after.uid"))),
}
_Entry = tuple[int, dict[str, Any], dict[str, Any], str | None]


def _child_label(kind: str, record_id: int) -> str:
    return f"A{record_id}" if kind == "attachment" else f"{kind} {record_id}"


def _from_entry(where: str, entry: _Entry) -> tuple[bool, Any]:
    """(whether the entry holds it, the value) for a place named as in _CHILDREN."""
    _, before, after, note = entry
    if where == "note":
        return True, note
    part, _, key = where.partition(".")
    source = after if part == "after" else before
    if key.endswith("?") and key[:-1] not in source:
        return False, None
    return True, source.get(key.rstrip("?"))


def _child_value(column: str, value: Any) -> Any:
    if column == "amount_fen" and isinstance(value, int):
        amount = from_fen(value)
        return None if amount is None else f"{amount:.2f}"
    if column in ("id", "attachment_id") and isinstance(value, int):
        return f"A{value}"
    return None if value == "" else value


def replay_children(reg: Register) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]]:
    """Supervisions, extensions, escalations, enforcement actions and attachments against the
    hazard history entries that added them: a hazard's n-th such entry is its n-th such row.
    Returns (rows whose fields differ, the first of them, rows missing or never recorded).
    The entries and every table are read hazard by hazard, side by side."""
    counts = [0 for _ in _CHILDREN]
    found: list[list[dict[str, Any]]] = [[] for _ in _CHILDREN]
    rows_wrong: list[list[dict[str, Any]]] = [[] for _ in _CHILDREN]

    def compare(t: int, kind: str, row: dict[str, Any], spec: tuple[tuple[str, str], ...], entry: _Entry) -> None:
        for column, where in spec:
            held, then = _from_entry(where, entry)
            now = _child_value(column, row[column])
            if held and now != (None if then == "" else then):
                counts[t] += 1
                if len(found[t]) < _SHOWN:
                    found[t].append({"record": _child_label(kind, row["id"]), "field": column.removesuffix("_fen"),
                                     "register": now, "history": then})
                return

    columns_of = [sorted({"id", "hazard_id", *(c for c, _ in spec), *(c for c, _ in _DELIST if table == "supervisions")})
                  for table, _, _, spec in _CHILDREN]
    streams = [_by_key((r[1], r) for r in reg.store.child_entries())]

    def by_hazard(table: str, columns: list[str]) -> Iterator[tuple[Any, list[tuple[Any, ...]]]]:
        at = columns.index("hazard_id")
        return _by_key((values[at], values) for values in reg.store.rows_for_check(table, columns, by="hazard_id"))

    streams += [by_hazard(table, columns) for (table, *_), columns in zip(_CHILDREN, columns_of, strict=True)]
    for hazard_id, (history, *tables) in _side_by_side(*streams):
        # action -> the entries that add its rows, each with the spec it is read by (in order)
        entries: dict[str, list[tuple[_Entry, tuple[tuple[str, str], ...] | None]]] = {}
        for _, (seq, _h, action, before, after, note) in history:
            entry = (seq, json.loads(before) if before else {}, json.loads(after) if after else {}, note)
            adds, spec_of = _IMPORTED.get(action, (action, None))
            entries.setdefault(adds, []).append((entry, spec_of))
        for t, ((table, kind, action, spec), columns, held) in enumerate(zip(_CHILDREN, columns_of, tables, strict=True)):
            rows = [dict(zip(columns, values, strict=True)) for _, values in held]
            if isinstance(action, tuple):  # one table, several actions: their entries in history's order
                added = sorted((e for a in action for e in entries.get(a, [])), key=lambda e: e[0][0])
            else:
                added = entries.get(action, [])
            for n, (entry, imported) in enumerate(added):
                if n < len(rows):
                    compare(t, kind, rows[n], imported or spec, entry)
                else:
                    rows_wrong[t].append({"problem": "row_missing", "record": f"{kind} {n + 1}",
                                          "hazard": f"H{hazard_id}", "seq": entry[0]})
            rows_wrong[t] += [{"problem": "row_unrecorded", "record": _child_label(kind, row["id"])}
                              for row in rows[len(added):]]
            if table == "supervisions":
                # each listing not delisted in the file it was imported from is delisted by the next delist
                delists = iter(entry for entry, _ in entries.get("delist", []))
                for n, row in enumerate(rows):
                    by_import = n < len(added) and added[n][1] is not None and "delisted_on" in added[n][0][2]
                    if not by_import:
                        compare(t, kind, row, _DELIST, next(delists, (0, {}, {}, None)))
    return sum(counts), [f for part in found for f in part][:_SHOWN], [r for part in rows_wrong for r in part]


def replay_settings(reg: Register) -> list[dict[str, Any]]:
    """Settings whose value differs from the last change of it recorded in history."""
    recorded: dict[str, Any] = {}
    for _, key, after in reg.store.setting_entries():
        if after:
            recorded.update({k: v for k, v in json.loads(after).items() if k == key})
    stored = reg.store.settings_rows()
    return [{"record": "settings", "field": key, "register": stored.get(key), "history": recorded.get(key)}
            for key in sorted(set(stored) | set(recorded)) if stored.get(key) != recorded.get(key)]


def structure_problems(reg: Register) -> list[dict[str, Any]]:
    """What the chain and the replay cannot see: a counter past the last row (rows removed from
    the end), the search index and the weekly report's count against the hazards, and the
    record of migrations applied."""
    from hazreg.storage.sqlite.migrations import migrations

    problems: list[dict[str, Any]] = []
    for table, counter, top in reg.store.sequences():
        if counter != top:
            key = "history_tail" if table == "history" and counter > top else "sequence"
            problems.append({"problem": key, "table": table, "counter": counter, "top": top})
    present, stale, first = reg.store.search_index_problems()
    if not present:
        problems.append({"problem": "index_missing"})
    elif stale:
        problems.append({"problem": "index_stale", "count": stale, "first": f"H{first}"})
    differing, kept = reg.store.tally_problems()  # the weekly report's count of the hazards (SQLite's)
    if differing:
        problems.append({"problem": "tally", "count": differing})
    if not kept:
        problems.append({"problem": "tally_triggers"})
    if reg.store.migrations_applied() != [m.name for m in migrations._migrations]:
        problems.append({"problem": "migrations", "path": str(reg.store.address)})
    return problems


# From this many history entries, records, stored weeks and the structure (the search index)
# are checked by three more processes while this one checks the chain and the rest (a few tenths of a second to start it: not
# worth it below). Tests set it to 0 to check every register so.
BESIDE_FROM = 200_000


def check_register(reg: Register) -> dict[str, Any]:
    """Every check, each with what it found; `ok` only if all of them hold.

    SQLite's own check of the file runs beside the others (in SQLite, on a connection of its
    own); on a big register the records, the stored weeks and the structure (counters, search
    index, migrations) are checked beside them too, each by a child process reading the same
    file (see _beside), so the cores there are share the work."""
    integrity_found = reg.store.integrity_started()
    beside: dict[str, _Beside] = {}
    try:
        beside = _beside(reg)
        report = _other_checks(reg, beside)
    except BaseException:
        for child in beside.values():
            child.cancel()
        with suppress(Exception):  # stopped: what it says now (interrupted) is not the news
            integrity_found(cancel=True)
        raise
    integrity = integrity_found()
    report["ok"] = report["ok"] and not integrity
    return {"ok": report.pop("ok"), "sqlite": integrity, **report}


def _records(reg: Register) -> Any:
    count, records = replay_mismatches(reg)
    return [count, records]


def _weeks(reg: Register) -> Any:
    from hazreg.register.weekly import stored_weeks_problems

    return stored_weeks_problems(reg)


# The checks a child process can take, by name: each gives what it found, as JSON values.
_PARTS: dict[str, Callable[[Register], Any]] = {"records": _records, "weeks": _weeks, "structure": structure_problems}


class _Beside:
    """One of _PARTS of the same register file, computed by a child process."""

    def __init__(self, path: Path, part: str) -> None:
        import subprocess
        import sys

        code = ("import json, sys; sys.path[:0] = json.loads(sys.argv[3]);"
                " from hazreg.register.integrity import _child; _child(sys.argv[1], sys.argv[2])")
        self.proc = subprocess.Popen([sys.executable, "-c", code, str(path), part, json.dumps(sys.path)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def result(self) -> tuple[bool, Any]:
        """(whether the child could say, what it found); if it could not, the caller checks itself."""
        out, _ = self.proc.communicate()
        if self.proc.returncode != 0:
            return False, None
        try:
            return True, json.loads(out)
        except ValueError:
            return False, None

    def cancel(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


def _child(path: str, part: str) -> None:
    """In the child process: what one of _PARTS finds, as JSON on standard output."""
    import sys

    from hazreg.register import open_register

    reg = open_register(Path(path), write=False)
    json.dump(_PARTS[part](reg), sys.stdout, ensure_ascii=False)


def _beside(reg: Register) -> dict[str, _Beside]:
    """Child processes checking the _PARTS of this register's file, one each, where the
    register is a file another process sees as this one does (not one brought up to date in
    memory, nor one inside a write not yet committed, nor PostgreSQL) and big enough for them
    to pay."""
    shared = getattr(reg.store, "shared_file", None)  # SQLite's: a PostgreSQL register is checked here
    if shared is None or shared() is None or reg.store.path is None:
        return {}
    if reg.store.count("history") < BESIDE_FROM:
        return {}
    path = reg.store.path
    started: dict[str, _Beside] = {}
    for part in _PARTS:
        try:
            started[part] = _Beside(path, part)
        except OSError:  # no process to start (no interpreter to run): checked here instead
            break
    return started


def _found(reg: Register, beside: dict[str, _Beside], part: str) -> Any:
    """What one of _PARTS finds: from its child process, or (none, or it could not say) here."""
    if part in beside:
        said, found = beside[part].result()
        if said:
            return found
    return _PARTS[part](reg)


def _other_checks(reg: Register, beside: dict[str, _Beside]) -> dict[str, Any]:
    foreign = reg.store.foreign_key_problems()
    chain = verify_chain(reg)
    child_count, child_records, rows = replay_children(reg)
    settings = replay_settings(reg)
    files = reg.supervision.check_files()
    count, records = _found(reg, beside, "records")
    count += child_count + len(settings)
    records = (records + child_records + settings)[:_SHOWN]
    problems = rows + _found(reg, beside, "structure") + _found(reg, beside, "weeks")
    from hazreg.register.lifecycle import closed_incomplete

    return {
        "ok": not foreign and chain["ok"] and not count and not files and not problems,
        "foreign_keys": foreign, "chain": chain,
        "records": {"mismatched": count, "first": records}, "tables": problems, "attachments": files,
        # Warnings: the register is sound, but these must not be mistaken for properly closed hazards.
        "closed_incomplete": [f"H{r['id']}" for r in reg.store.closed_majors() if closed_incomplete(r)],
    }


def repair_index(reg: Register) -> tuple[int, int | None]:
    """Rebuild the search index, and the weekly report's count of the hazards where the engine
    keeps one, from the hazards they are derived from: (hazards indexed, groups counted or
    None); the repair is kept in history."""
    require_register(reg)
    with reg.store.transaction():
        count = reg.store.rebuild_search_index()
        groups = reg.store.recount_tally()
        reg.ctx.log("register", 0, "repair_index", None,
                    {"hazards": count, **({} if groups is None else {"tally_groups": groups})})
    return count, groups


def require_register(reg: Register) -> None:
    """Checks and backups need a register file: a path with none (or an empty file) is an error."""
    from hazreg.errors import NotFound

    if not reg.store.on_disk:
        raise NotFound("err.no_register", path=str(reg.store.address))


def _stamp() -> str:
    from hazreg import dates

    return dates.now_utc().strftime("%Y%m%dT%H%M%SZ")


def _files_of(path: Path) -> Path:
    """The folder of attached files that goes with a register file (register.db: register.files)."""
    return path.with_name(f"{path.stem}.files")


def _reason(error: OSError, path: Path) -> str:
    """What the system said, naming the file it was about when that is not `path` itself."""
    text = error.strerror or str(error)
    about = error.filename
    return text if about is None or str(about) in (str(path), f"{path.parent}/.{path.name}.part") else f"{about}: {text}"


def _quietly_remove(*paths: Path) -> None:
    import shutil

    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with suppress(OSError):
                path.unlink(missing_ok=True)


def backup(reg: Register, dest: str | Path, force: bool = False) -> tuple[Path, dict[str, Any]]:
    """A consistent copy of the register at `dest` (taken while others may write), checked.

    `dest` ending in a slash, or an existing folder, gets a dated file inside it. An existing
    file is replaced only with `force`. The copy is written beside `dest` and renamed into place
    only once it passes every check; attached files are copied into `dest`'s own files folder.
    Returns the file written and the check's report.
    """
    import shutil

    from hazreg.errors import Refused
    from hazreg.interrupts import held
    from hazreg.paths import private_folders
    from hazreg.register import open_register

    require_register(reg)
    if reg.store.engine == "postgresql":  # a snapshot file, through `copy`
        from hazreg.register.copying import backup_to_file

        return backup_to_file(reg, dest, force)
    source = reg.store.path
    assert source is not None
    text = str(dest)
    dest = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or dest.is_dir():
        dest = dest / f"{source.stem}-{_stamp()}{source.suffix or '.db'}"
    # Never the register, its journal files or its attached files: a backup there would be a
    # copy overwriting what it copies, or would be copied into every later backup.
    if dest.resolve() in {p.resolve() for p in _with_journals(source)}:
        raise Refused("err.backup_onto_itself", path=str(dest))
    files = reg.store.files_dir
    if files is not None and (dest.resolve().is_relative_to(files.resolve())
                              or _files_of(dest).resolve() == files.resolve()):
        raise Refused("err.backup_into_files", path=str(dest), files=str(files))
    if dest.exists() and not force:
        raise Refused("err.backup_exists", path=str(dest))
    part = dest.with_name(f".{dest.name}.part")
    copy_files = _files_of(dest)
    new_files = not copy_files.exists()
    kept = False
    try:
        private_folders(dest.parent)
        part.unlink(missing_ok=True)
        reg.store.backup_to(part)
        copy = open_register(part, write=False)
        try:
            source_files = reg.store.files_dir
            if source_files is not None and source_files.is_dir():
                shutil.copytree(source_files, copy_files, dirs_exist_ok=True)
            copy.store.files_dir_override = copy_files
            report = check_register(copy)
        finally:
            copy.store.close()
        if not report["ok"]:
            raise Refused("err.backup_failed", path=str(dest))
        part.chmod(0o600)
        with held():
            part.replace(dest)
            kept = True
            reg.store.writes += 1
    except OSError as error:
        raise Refused("err.cannot_write", path=str(dest), reason=_reason(error, dest)) from None
    finally:
        if not kept:
            _quietly_remove(part, *([copy_files] if new_files else []))
    return dest, report


def _free(path: Path) -> Path:
    """`path`, or the first of path-2, path-3, … that is not taken (two restores in one second)."""
    candidate, n = path, 1
    while candidate.exists() or _files_of(candidate).exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def restore(reg: Register, source: Path) -> Path:
    """Replace the register with the checked copy at `source`; the current one is kept aside.

    The copy is checked first. Then, holding the register's write lock throughout, the
    register as it is is copied aside (with its attached files, so it is itself a whole
    register that passes `check` and can be restored), the copy's attached files are added
    to the register's (they are named by their hash: adding never changes one), and the
    register is refilled from the copy in one transaction. Other commands wait meanwhile; a
    kill at any point leaves the old register or the new one. Returns where the old one is."""
    import shutil

    from hazreg.errors import InvalidInput, Refused
    from hazreg.interrupts import fault
    from hazreg.paths import private_copy
    from hazreg.register import open_register

    target = reg.store.path
    if target is None:
        raise Refused("err.no_register_file")
    source = source.expanduser()
    if not source.is_file():
        raise InvalidInput("err.no_file", "file", path=str(source))
    if target.exists() and source.resolve() == target.resolve():
        raise Refused("err.restore_onto_itself", path=str(source))
    part = target.with_name(f".{target.name}.restore")
    staged = target.with_name(f".{target.name}.restore-staged")
    temporary = [part, staged]
    try:
        _quietly_remove(*_with_journals(part, staged))
        private_copy(source, part)
        try:
            copy = open_register(part, write=False)  # an older copy is read brought up to this schema
        except Refused as refusal:
            if refusal.params.get("path") == str(part):
                refusal.params["path"] = str(source)  # name the file the user gave, not our copy of it
            raise
        try:
            if not copy.store.on_disk:  # an empty file: SQLite would take it for an empty register
                raise Refused("err.not_register", path=str(source))
            copy.store.files_dir_override = _files_of(source)
            report = check_register(copy)
            if not report["ok"]:
                raise Refused("err.restore_refused", path=str(source))
            blobs = [(digest, copy.supervision.blob_path(digest)) for digest, _ in copy.store.stored_files()]
            copy.store.backup_to(staged)  # at this schema, as the file the register is refilled from
        finally:
            copy.store.close()
        fault("restore:checked")
        aside = _free(target.with_name(f"{target.stem}.before-restore-{_stamp()}{target.suffix}"))
        aside_part = aside.with_name(f".{aside.name}.part")
        aside_files = _files_of(aside)
        aside_files_part = aside_files.with_name(f".{aside_files.name}.part")
        temporary += [aside_part, aside_files_part]

        def move_files() -> None:
            live_files = reg.store.files_dir
            assert live_files is not None
            if live_files.is_dir():
                shutil.copytree(live_files, aside_files_part, symlinks=True)
                aside_files_part.replace(aside_files)
            aside_part.replace(aside)
            for digest, blob in blobs:
                _add_blob(blob, live_files / digest[:2] / digest, digest)

        reg.store.replace_from(staged, aside_part, move_files)
    except OSError as error:
        raise Refused("err.cannot_write", path=str(target), reason=_reason(error, target)) from None
    finally:
        _quietly_remove(*_with_journals(*temporary))
    return aside


def _with_journals(*paths: Path) -> list[Path]:
    return [p for path in paths for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"))]


def _add_blob(source: Path, target: Path, digest: str) -> None:
    """An attached file added to a register's folder under its hash, unless it is there whole."""
    from hazreg.errors import Refused
    from hazreg.paths import private_copy
    from hazreg.register.supervision import sha256_of

    if target.is_file() and not target.is_symlink() and sha256_of(target) == digest:
        return
    target.parent.parent.mkdir(mode=0o700, exist_ok=True)
    target.parent.mkdir(mode=0o700, exist_ok=True)
    part = target.with_name(f".{target.name}.part")
    private_copy(source, part)
    if sha256_of(part) != digest:  # the copy's file changed after it was checked
        part.unlink()
        raise Refused("err.file_changed", path=str(source))
    part.replace(target)
