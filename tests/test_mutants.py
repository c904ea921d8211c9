"""Rules a mutation run showed could break unnoticed (benchmarks/mutation-survivors.md).

Each test names the survivor it kills; each asserts what a user, an auditor or a script
relying on hazreg would check.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

# -- chain.py: the hash chain's format is a promise ---------------------------------------------------


def _documented_hash(prev: str, row: sqlite3.Row) -> str:
    """The chain as README describes it, written out without hazreg's code: SHA-256 of the
    compact UTF-8 JSON array [prev, seq, at, operator, record_type, record_id, action, before,
    after, note], with effective_at appended only when it differs from at."""
    values = [prev, *(row[k] for k in ("seq", "at", "operator", "record_type", "record_id", "action", "before",
                                       "after", "note"))]
    if row["effective_at"] != row["at"]:
        values.append(row["effective_at"])
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_an_auditor_can_verify_the_chain_without_hazreg(cli, isolated, monkeypatch):
    """Kills chain.py mutants 1, 3, 4 (another genesis), 17, 18 (effective_at hashed on every
    entry), 22-24 (ASCII escapes, other separators): each still verifies against itself, so
    `check` passed, but every anchor already written down or sent upward would stop matching
    and a register written by an earlier version would fail its check."""
    monkeypatch.setenv("HAZREG_NOW", "2026-11-20T02:00:00+00:00")
    cli("unit", "add", "临江市宏达化工有限公司", "--industry", "hazardous_chemicals", "--locality", "青山镇")
    cli("add", "储罐区静电接地线断开", "--unit", "U1", "--deadline", "2026-11-27")
    cli("start", "H1")
    monkeypatch.setenv("HAZREG_NOW", "2026-11-29T04:00:00+00:00")
    cli("done", "H1", "--on", "2026-11-25")  # took effect before it was written
    conn = sqlite3.connect(isolated)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM history ORDER BY seq").fetchall()
    conn.close()
    assert rows[-1]["effective_at"] == "2026-11-24T16:00:00.000000Z" != rows[-1]["at"]
    prev = "0" * 64
    for row in rows:
        assert (row["seq"], row["prev"]) == (row["seq"], prev)
        assert (row["seq"], row["hash"]) == (row["seq"], _documented_hash(prev, row))
        prev = row["hash"]
    assert cli("check", "--anchor").stdout.split()[-1] == prev


# -- register/lifecycle.py: a ledger's moves are the commands' moves -----------------------------------

LIFECYCLE_ACTIONS = ("start", "done", "verify", "verify_fail", "void")


def _moves(cli, db: str) -> dict[str, list[tuple[str, dict]]]:
    """Each hazard's lifecycle entries as `history` shows them: the action and what it set."""
    entries = json.loads(cli("--db", db, "history", "--format", "json").stdout)
    moves: dict[str, list] = {}
    for e in entries:
        if e["record_type"] == "hazard" and e["action"] in LIFECYCLE_ACTIONS:
            moves.setdefault(e["record_id"], []).append((e["action"], e["after"]))
    return moves


def test_an_imported_ledgers_moves_record_what_the_commands_would(cli, tmp_path):
    """Kills lifecycle.py mutants that rename a move or a field in MOVE_FIELDS (the import's only
    source for what each move sets): the register and `check` stayed right, but the imported
    history said a hazard was rectified (整改完成日期) when it was created, not when it was done."""
    from test_import_past import HEADERS, LEDGER, _by_commands, _csv, _units

    imported, typed = str(tmp_path / "imported.db"), str(tmp_path / "typed.db")
    _units(cli, imported)
    cli("--db", imported, "import", "hazards", str(_csv(tmp_path / "台账.csv", HEADERS, LEDGER)))
    _units(cli, typed)
    _by_commands(cli, typed)
    assert _moves(cli, imported) == _moves(cli, typed)


# -- register/integrity.py: the counts an office writes down ------------------------------------------


def test_check_and_the_anchor_count_the_entries_the_register_holds(cli, isolated):
    """Kills integrity.py mutants of verify_chain's count (start at 1, add 2): the chain still held,
    but `check` and `check --since-anchor` told the office a number of entries it does not have."""
    cli("demo", "--path", str(isolated))
    conn = sqlite3.connect(isolated)
    (held,) = conn.execute("SELECT count(*) FROM history").fetchone()
    conn.close()
    anchor = json.loads(cli("check", "--anchor", "--format", "json").stdout)
    assert anchor["entries"] == held
    assert f"{held} history entries chained (head {anchor['head']})" in cli("check").stdout
    cli("add", "锚点之后登记", "--unit", "U1")
    since = cli("check", "--since-anchor", anchor["head"]).stdout
    assert f"Nothing up to that anchor has changed: {held} entries, head {anchor['head']}." in since


def _failed_recheck(cli, tmp_path) -> tuple[dict, dict]:
    """The last history entry of a rectified hazard sent back (复查不合格): by `verify --fail`, and
    by re-importing a ledger row that says 整改中 with the re-check's 复查人, 复查日期, 复查意见."""
    from test_reimport import HOTEL, UNIT_HEADERS, write_csv

    units = write_csv(tmp_path / "u.csv", UNIT_HEADERS, [HOTEL])
    typed, imported = str(tmp_path / "typed.db"), str(tmp_path / "imported.db")
    for db in (typed, imported):
        cli("--db", db, "import", "units", str(units))
        cli("--db", db, "add", "疏散指示灯损坏", "--unit", "U1", "--found", "2026-11-02", "--deadline", "2026-11-20")
        cli("--db", db, "start", "H1")
        cli("--db", db, "done", "H1", "--on", "2026-11-15")
    cli("--db", typed, "verify", "H1", "--fail", "--by", "王芳", "--note", "仍有两处不亮", "--on", "2026-11-20")
    row = ["疏散指示灯损坏", "临江大酒店", "2026-11-02", "整改中", "王芳", "2026-11-20", "仍有两处不亮"]
    ledger = write_csv(tmp_path / "h.csv", ["隐患描述", "单位名称", "发现日期", "状态", "复查人", "复查日期", "复查意见"], [row])
    cli("--db", imported, "import", "hazards", str(ledger))
    return tuple(json.loads(cli("--db", db, "history", "H1", "--format", "json").stdout)[-1] for db in (typed, imported))


def test_a_reimported_failed_recheck_is_recorded_as_verify_fail_would(cli, tmp_path):
    """Kills lifecycle.py mutants of MOVE_FIELDS["verify --fail"] and HISTORY_ACTION: the history
    must say verify_fail, with who re-checked, when and what they said, as the command does."""
    typed, imported = _failed_recheck(cli, tmp_path)
    assert typed["action"] == imported["action"] == "verify_fail"
    fields = ("status", "verified_by", "verified_on", "verify_note")
    assert {k: imported["after"].get(k) for k in fields} == {k: typed["after"][k] for k in fields} == {
        "status": "rectifying", "verified_by": "王芳", "verified_on": "2026-11-20", "verify_note": "仍有两处不亮"}


def test_a_reimported_failed_recheck_clears_the_rectified_date_as_verify_fail_does(cli, tmp_path):
    typed, imported = _failed_recheck(cli, tmp_path)
    assert typed["after"]["rectified_on"] is None and typed["note"] == "仍有两处不亮"
    assert (imported["before"], imported["after"], imported["note"]) == (typed["before"], typed["after"], typed["note"])


def test_check_json_names_where_the_chain_breaks_in_stable_fields(cli, isolated):
    """Kills integrity.py mutants renaming the keys of a broken chain's report: scripts read
    `check --format json`, whose field names are stable."""
    cli("demo", "--path", str(isolated))
    conn = sqlite3.connect(isolated)
    conn.execute("DELETE FROM history WHERE seq = 5")  # entry 6 now links to a hash no entry has
    conn.commit()
    conn.close()
    report = json.loads(cli("check", "--format", "json", code=1).stdout)
    assert report["ok"] is False
    assert report["chain"] == {"ok": False, "entries": 5, "broken_at": 6, "problem": "link"}
    conn = sqlite3.connect(isolated)
    conn.execute("UPDATE history SET note = 'x' WHERE seq = 3")
    conn.commit()
    conn.close()
    report = json.loads(cli("check", "--format", "json", code=1).stdout)
    assert report["chain"] == {"ok": False, "entries": 3, "broken_at": 3, "problem": "hash"}


def test_an_unknown_anchor_is_false_in_json(cli, isolated):
    """Kills integrity.py mutants that leave `anchor_found` or `ok` null or unnamed when the anchor
    is not in the chain: a script tests them as booleans."""
    cli("demo", "--path", str(isolated))
    head = json.loads(cli("check", "--anchor", "--format", "json").stdout)
    report = json.loads(cli("check", "--since-anchor", "ab" * 32, "--format", "json", code=1).stdout)
    assert report == {"ok": False, "entries": head["entries"], "head": head["head"], "anchor_found": False}


# -- render/export.py: the count a cron job's log shows ------------------------------------------------


def test_an_export_reports_the_number_of_records_in_its_file(cli, isolated, tmp_path):
    """Kills export.py mutants of write_csv's count (start at 1, add 2, set 1, subtract) in the
    Chinese and the English CSV: the file was right, but `Exported N records` in the cron log
    was not N, and it is what an office checks against the register."""
    import csv

    cli("demo", "--path", str(isolated))
    for lang in ("en", "zh"):
        for fmt in ("csv", "json", "jsonl"):
            out = tmp_path / f"{lang}.{fmt}"
            result = cli("--lang", lang, "export", "hazards", "-f", fmt, "-o", str(out))
            text = out.read_text(encoding="utf-8-sig")
            if fmt == "csv":
                count = len(list(csv.reader(text.splitlines()))) - 1
            elif fmt == "json":
                count = len(json.loads(text))
            else:
                count = len(text.splitlines())
            assert count > 1
            said = f"Exported {count} records to {out}." if lang == "en" else f"已导出 {count} 条记录到 {out}。"
            assert said in result.stderr, (lang, fmt, result.stderr)


def test_the_english_csv_writes_yes_no_fields_as_true_and_false(cli, isolated, tmp_path):
    """Kills export.py mutants in the English CSV's conversion of non-text cells (skipped, made
    Chinese, emptied): `plan_complete` and `overdue` read true/false, as in the JSON export."""
    import csv

    cli("demo", "--path", str(isolated))
    out = tmp_path / "h.csv"
    cli("export", "hazards", "-f", "csv", "-o", str(out))
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    as_json = {h["id"]: h for h in json.loads(cli("export", "hazards", "-f", "json").stdout)}
    for field in ("plan_complete", "overdue"):
        assert {r[field] for r in rows} == {"true", "false"}, field
        assert all(r[field] == json.dumps(as_json[r["id"]][field]) for r in rows), field
