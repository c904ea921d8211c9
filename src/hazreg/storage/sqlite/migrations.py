"""The register's schema, as sqlite-utils migrations applied in order.

Each migration ends by setting PRAGMA user_version to its number, so opening an
up-to-date register costs one pragma read and never imports sqlite-utils (whose
import alone takes longer than a whole `hazreg add`). A register whose
user_version is above `hazreg.storage.sqlite.store.SCHEMA_VERSION` was written by a newer hazreg and is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlite_utils.migrations import Migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

migrations = Migrations("hazreg")


@migrations()
def m001_units_hazards_history(db: Database) -> None:
    # AUTOINCREMENT: short ids (U12, H123) are never reused, even after a rollback.
    db.execute(
        """CREATE TABLE units (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            credit_code TEXT,
            industry TEXT NOT NULL,
            locality TEXT NOT NULL,
            address TEXT,
            contact TEXT,
            phone TEXT,
            risk TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "CREATE UNIQUE INDEX units_credit_code ON units(credit_code) WHERE credit_code IS NOT NULL"
    )
    db.execute("CREATE INDEX units_name ON units(name)")
    db.execute(
        """CREATE TABLE hazards (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            description TEXT NOT NULL,
            industry TEXT NOT NULL,
            locality TEXT NOT NULL,
            level TEXT NOT NULL,
            status TEXT NOT NULL,
            source TEXT NOT NULL,
            found_on TEXT NOT NULL,
            found_by TEXT,
            basis TEXT,
            deadline TEXT,
            owner TEXT,
            measures TEXT,
            funds_fen INTEGER,
            contingency TEXT,
            inspection_id INTEGER,
            rectified_on TEXT,
            verified_by TEXT,
            verified_on TEXT,
            verify_note TEXT,
            closed_on TEXT,
            void_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    # Covers the default listing: filter by status, sort by level and deadline, from the index alone.
    db.execute("CREATE INDEX hazards_status_level_deadline ON hazards(status, level, deadline)")
    # A unit's hazards, and an import's match of a ledger row (unit, date found, words).
    db.execute("CREATE INDEX hazards_unit_found ON hazards(unit_id, found_on)")
    db.execute("CREATE INDEX hazards_found_on ON hazards(found_on)")
    # Pairs of characters, see hazreg.search; rowid is the hazard id.
    db.execute("CREATE VIRTUAL TABLE hazard_search USING fts5(text, tokenize='unicode61')")
    db.execute(
        """CREATE TABLE history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            action TEXT NOT NULL,
            before TEXT,
            after TEXT,
            note TEXT
        )"""
    )
    db.execute("CREATE INDEX history_record ON history(record_type, record_id)")
    db.execute("CREATE INDEX history_at ON history(at)")
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("PRAGMA user_version = 1")


@migrations()
def m002_inspections_campaigns_draws(db: Database) -> None:
    db.execute(
        """CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            start TEXT NOT NULL,
            end TEXT NOT NULL,
            industries TEXT NOT NULL DEFAULT '[]',
            localities TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE leaders (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            industries TEXT NOT NULL DEFAULT '[]',
            localities TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE inspectors (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            cert TEXT,
            localities TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE draws (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            seed INTEGER NOT NULL,
            params TEXT NOT NULL,
            pool TEXT NOT NULL,
            result TEXT NOT NULL,
            campaign_id INTEGER REFERENCES campaigns(id),
            created_at TEXT NOT NULL,
            operator TEXT NOT NULL
        )"""
    )
    # `on` is a date (the register's calendar); the column avoids the SQL keyword.
    db.execute(
        """CREATE TABLE inspections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            inspected_on TEXT NOT NULL,
            inspectors TEXT NOT NULL,
            leader TEXT,
            mode TEXT NOT NULL,
            campaign_id INTEGER REFERENCES campaigns(id),
            draw_id INTEGER REFERENCES draws(id),
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    # Coverage asks "which units were inspected between two dates"; leader reports ask by leader.
    db.execute("CREATE INDEX inspections_on_unit ON inspections(inspected_on, unit_id)")
    db.execute("CREATE INDEX inspections_unit ON inspections(unit_id, inspected_on)")
    # Leader checks are a few in a hundred inspections: a covering partial index answers
    # the weekly leader report without reading the table.
    db.execute(
        "CREATE INDEX inspections_led ON inspections(inspected_on, leader, mode, unit_id) WHERE leader IS NOT NULL"
    )
    db.execute("CREATE INDEX inspections_draw ON inspections(draw_id) WHERE draw_id IS NOT NULL")
    db.execute("CREATE INDEX hazards_inspection ON hazards(inspection_id) WHERE inspection_id IS NOT NULL")
    db.execute("PRAGMA user_version = 2")


@migrations()
def m003_supervision_enforcement_evidence(db: Database) -> None:
    # Listing supervision (挂牌督办): at most one listing in force per hazard.
    db.execute(
        """CREATE TABLE supervisions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            hazard_id INTEGER NOT NULL REFERENCES hazards(id),
            body TEXT NOT NULL,
            level TEXT NOT NULL,
            listed_on TEXT NOT NULL,
            due TEXT,
            note TEXT,
            delisted_on TEXT,
            delist_note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE UNIQUE INDEX supervisions_in_force ON supervisions(hazard_id) WHERE delisted_on IS NULL")
    db.execute("CREATE INDEX supervisions_hazard ON supervisions(hazard_id)")
    db.execute(
        """CREATE TABLE extensions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            hazard_id INTEGER NOT NULL REFERENCES hazards(id),
            from_deadline TEXT,
            to_deadline TEXT NOT NULL,
            reason TEXT NOT NULL,
            approved_by TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX extensions_hazard ON extensions(hazard_id)")
    db.execute(
        """CREATE TABLE escalations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            hazard_id INTEGER NOT NULL REFERENCES hazards(id),
            step TEXT NOT NULL,
            done_on TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (hazard_id, step)
        )"""
    )
    db.execute(
        """CREATE TABLE actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            hazard_id INTEGER NOT NULL REFERENCES hazards(id),
            type TEXT NOT NULL,
            amount_fen INTEGER,
            against TEXT,
            taken_on TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX actions_hazard ON actions(hazard_id)")
    db.execute("CREATE INDEX actions_taken_on ON actions(taken_on)")
    # Evidence: the file itself lives beside the register, named by its SHA-256.
    db.execute(
        """CREATE TABLE attachments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            hazard_id INTEGER NOT NULL REFERENCES hazards(id),
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            name TEXT NOT NULL,
            stage TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX attachments_hazard ON attachments(hazard_id)")
    db.execute("PRAGMA user_version = 3")


@migrations()
def m004_history_hash_chain(db: Database) -> None:
    from hazreg.chain import FIELDS, GENESIS, entry_hash

    db.execute("ALTER TABLE history ADD COLUMN prev TEXT")
    db.execute("ALTER TABLE history ADD COLUMN hash TEXT")
    prev = GENESIS
    rows = db.execute(f"SELECT {', '.join(FIELDS)} FROM history ORDER BY seq").fetchall()
    for row in rows:
        digest = entry_hash(prev, row)
        db.execute("UPDATE history SET prev = ?, hash = ? WHERE seq = ?", (prev, digest, row[0]))
        prev = digest
    db.execute("CREATE INDEX history_hash ON history(hash)")
    db.execute("PRAGMA user_version = 4")


@migrations()
def m005_void_draws(db: Database) -> None:
    # A mistaken draw is voided with a reason, never deleted: it stays, marked void.
    db.execute("ALTER TABLE draws ADD COLUMN void_reason TEXT")
    db.execute("ALTER TABLE draws ADD COLUMN voided_at TEXT")
    db.execute("PRAGMA user_version = 5")


@migrations()
def m006_history_effective_at(db: Database) -> None:
    # When a change took effect, beside when it was written (`at`): an officer's
    # `done --on`, or an imported ledger's dates. Reports and export windows use it;
    # the chain keeps `at` order. Entries written before have taken effect when written.
    db.execute("ALTER TABLE history ADD COLUMN effective_at TEXT")
    db.execute("UPDATE history SET effective_at = at")
    db.execute("CREATE INDEX history_effective ON history(record_type, effective_at)")
    db.execute("PRAGMA user_version = 6")


@migrations()
def m007_weekly_computed(db: Database) -> None:
    # The replayed part of a week's report, kept once computed so a past week is read, not
    # replayed again. Derived data: `seq` and `hash` name the last history entry when it was
    # computed; it is used only while no hazard change written since took effect before the
    # week's end, and `check` recomputes every stored week from the history.
    db.execute(
        """CREATE TABLE weekly_computed (
            week TEXT NOT NULL,
            timezone TEXT NOT NULL,
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (week, timezone)
        )"""
    )
    db.execute("PRAGMA user_version = 7")


@migrations()
def m008_localities_departments(db: Database) -> None:
    # Localities and departments as managed lists; the names already in the register become
    # the list (see hazreg.places for the kind guessed from a name), and an inspection may name
    # the member department (安委会成员单位) that did it.
    from hazreg.storage.seed import M008_TABLES, locality_rows

    for sql in M008_TABLES:
        db.execute(sql)
    db.execute("ALTER TABLE inspections ADD COLUMN department_id INTEGER REFERENCES departments(id)")
    names = [r[0] for r in db.execute("SELECT locality FROM units UNION SELECT locality FROM hazards").fetchall()]
    for table in ("inspectors", "leaders", "campaigns"):
        names += [r[0] for r in db.execute(f"SELECT value FROM {table}, json_each({table}.localities)").fetchall()]
    for row in locality_rows(names):
        db.execute("INSERT INTO localities (uid, name, kind, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", row)
    db.execute("PRAGMA user_version = 8")


@migrations()
def m009_unit_industries(db: Database) -> None:
    # A unit may belong to several industries (a hotel is 消防 and 特种设备): one row each, in the
    # order given; `position` 0 is the unit's first industry, which units.industry keeps too (the
    # default industry of its hazards, and the column every export and older script reads).
    db.execute(
        """CREATE TABLE unit_industries (
            unit_id INTEGER NOT NULL REFERENCES units(id),
            industry TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (unit_id, industry)
        )"""
    )
    db.execute("CREATE INDEX unit_industries_industry ON unit_industries(industry, unit_id)")
    db.execute("INSERT INTO unit_industries (unit_id, industry, position) SELECT id, industry, 0 FROM units")
    db.execute("PRAGMA user_version = 9")


@migrations()
def m010_register_calendar(db: Database) -> None:
    # The official calendar for years the chinesecalendar package does not know yet, typed from
    # the State Council's notice: a public holiday (放假) or an adjusted working day (调休上班).
    db.execute(
        """CREATE TABLE calendar_days (
            day TEXT PRIMARY KEY,
            year INTEGER NOT NULL,
            kind TEXT NOT NULL,
            notice TEXT NOT NULL,
            name TEXT
        )"""
    )
    db.execute("CREATE INDEX calendar_days_year ON calendar_days(year)")
    db.execute("PRAGMA user_version = 10")


@migrations()
def m011_supervision_closing(db: Database) -> None:
    # The supervision notice's number (督办文号), and the steps that close a supervised major
    # hazard, each with who and when: the unit's application (销号申请, its evaluation report
    # attached) and the supervising body's on-site acceptance (验收, passed or failed).
    db.execute("ALTER TABLE supervisions ADD COLUMN notice_no TEXT")
    db.execute(
        """CREATE TABLE supervision_steps (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            hazard_id INTEGER NOT NULL REFERENCES hazards(id),
            supervision_id INTEGER NOT NULL REFERENCES supervisions(id),
            step TEXT NOT NULL,
            done_by TEXT NOT NULL,
            done_on TEXT NOT NULL,
            attachment_id INTEGER REFERENCES attachments(id),
            note TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX supervision_steps_hazard ON supervision_steps(hazard_id, id)")
    db.execute("PRAGMA user_version = 11")


@migrations()
def m012_documents(db: Database) -> None:
    # Enforcement documents issued (执法文书): numbered gapless per type and year (`seq`, with
    # `number` the full text such as 宁江应急责改〔2026〕12号), with the records they cover, the
    # fields and template they were made from, and the file itself with its SHA-256, so a
    # reprint gives the same bytes. A voided document keeps its number.
    db.execute(
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            year INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            number TEXT NOT NULL UNIQUE,
            issued_on TEXT NOT NULL,
            unit_id INTEGER REFERENCES units(id),
            inspection_id INTEGER REFERENCES inspections(id),
            hazard_ids TEXT NOT NULL,
            officers TEXT NOT NULL,
            fields TEXT NOT NULL,
            template TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            data BLOB NOT NULL,
            void_reason TEXT,
            voided_at TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (type, year, seq)
        )"""
    )
    db.execute("CREATE INDEX documents_unit ON documents(unit_id)")
    db.execute("CREATE INDEX documents_inspection ON documents(inspection_id)")
    db.execute("PRAGMA user_version = 12")


@migrations()
def m013_accidents(db: Database) -> None:
    # Production safety accidents (生产安全事故): when, whose (a unit, or a party named in
    # `party`), where and in which industry, the GB 6441-86 class, the casualties, the direct
    # loss in fen, the grade computed from them (条例第三条) and the investigation's status; and
    # the year's control indicators (控制指标) for the district, a locality or an industry.
    db.execute(
        """CREATE TABLE accidents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            occurred_at TEXT NOT NULL,
            occurred_on TEXT NOT NULL,
            unit_id INTEGER REFERENCES units(id),
            party TEXT,
            locality TEXT,
            industry TEXT NOT NULL,
            type TEXT NOT NULL,
            deaths INTEGER NOT NULL,
            serious_injuries INTEGER NOT NULL,
            injuries INTEGER NOT NULL,
            direct_loss_fen INTEGER NOT NULL,
            grade TEXT NOT NULL,
            investigation TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX accidents_occurred ON accidents(occurred_on)")
    db.execute("CREATE INDEX accidents_unit ON accidents(unit_id)")
    db.execute(
        """CREATE TABLE accident_targets (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            year INTEGER NOT NULL,
            scope TEXT NOT NULL,
            name TEXT NOT NULL,
            deaths INTEGER,
            accidents INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (year, scope, name)
        )"""
    )
    db.execute("PRAGMA user_version = 13")


@migrations()
def m014_inspection_focus(db: Database) -> None:
    # Why an inspection was made (恶劣天气重点监管): the focus profile's name, such as 暴雨.
    # The profiles themselves are a setting (focus_profiles), so no table is needed.
    db.execute("ALTER TABLE inspections ADD COLUMN focus TEXT")
    db.execute("PRAGMA user_version = 14")


@migrations()
def m015_cases(db: Database) -> None:
    # Administrative enforcement cases (行政执法案件): against a unit on the roster or a party not
    # on it, moving 立案 → 调查取证 → 告知 → 决定 → 执行 → 结案 (`step`, each step a row of
    # case_steps with its date and who); the decision's violation (打非治违 category, free text,
    # clause) on the case, its penalties one row per penalty per party (双罚: two rows), and the
    # payments of each money penalty (the principal and any 加处罚款 part), in fen. Links to
    # hazards and inspections are rows of case_links; an accident names its case (accidents.case_id).
    db.execute(
        """CREATE TABLE cases (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            case_no TEXT UNIQUE,
            unit_id INTEGER REFERENCES units(id),
            party TEXT,
            party_id TEXT,
            address TEXT,
            principal TEXT,
            locality TEXT,
            industry TEXT,
            cause TEXT NOT NULL,
            step TEXT NOT NULL,
            opened_on TEXT NOT NULL,
            closed_on TEXT,
            category TEXT,
            violation TEXT,
            clause TEXT,
            decided_on TEXT,
            served_on TEXT,
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX cases_unit ON cases(unit_id)")
    db.execute("CREATE INDEX cases_opened ON cases(opened_on)")
    db.execute(
        """CREATE TABLE case_links (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            kind TEXT NOT NULL,
            target_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (case_id, kind, target_id)
        )"""
    )
    db.execute("CREATE INDEX case_links_target ON case_links(kind, target_id)")
    db.execute(
        """CREATE TABLE case_steps (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            step TEXT NOT NULL,
            done_on TEXT NOT NULL,
            done_by TEXT NOT NULL,
            hearing TEXT,
            document_id INTEGER REFERENCES documents(id),
            note TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX case_steps_case ON case_steps(case_id, id)")
    db.execute(
        """CREATE TABLE case_penalties (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            party_kind TEXT NOT NULL,
            party_name TEXT NOT NULL,
            type TEXT NOT NULL,
            amount_fen INTEGER,
            discretion TEXT NOT NULL,
            clause TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX case_penalties_case ON case_penalties(case_id, id)")
    db.execute(
        """CREATE TABLE case_payments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            penalty_id INTEGER NOT NULL REFERENCES case_penalties(id),
            paid_on TEXT NOT NULL,
            amount_fen INTEGER NOT NULL,
            late_fen INTEGER NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX case_payments_case ON case_payments(case_id, id)")
    # (no REFERENCES: a column in a foreign key could not be dropped again by SQLite; the service checks it)
    db.execute("ALTER TABLE accidents ADD COLUMN case_id INTEGER")
    db.execute("PRAGMA user_version = 15")


@migrations()
def m016_drop_unused_history_indexes(db: Database) -> None:
    # No query looks history up by its hash or its write time (`history --since`, the weekly
    # report and the filters read effective_at; an anchor is found by walking the chain in seq
    # order), so these two indexes only cost: every write inserts into both (the hash's keys at
    # random), and SQLite's integrity check in `check` looks every entry up in each, at random
    # in the hash's: two thirds of that check's time on a big register.
    db.execute("DROP INDEX IF EXISTS history_hash")
    db.execute("DROP INDEX IF EXISTS history_at")
    db.execute("PRAGMA user_version = 16")


@migrations()
def m017_weekly_indexes(db: Database) -> None:
    # The weekly report counts the hazards unchanged since its week (all but the few replayed)
    # from two narrow indexes, never the wide rows (a scan of those is seconds at a million
    # hazards): hazards_weekly holds every field the counts group or compare by, so one pass
    # over it counts them all; hazards_found_on now also holds what a hazard found in a range of
    # days is counted by (its old use, a range of days found, is the same index's prefix).
    db.execute("CREATE INDEX hazards_weekly ON hazards(status, level, industry, locality, found_on, deadline,"
               " rectified_on)")
    db.execute("DROP INDEX IF EXISTS hazards_found_on")
    db.execute("CREATE INDEX hazards_found_on ON hazards(found_on, status, level, industry, locality)")
    db.execute("PRAGMA user_version = 17")


@migrations()
def m018_hazard_tally(db: Database) -> None:
    # Every hazard counted by (status, level, industry, locality) in a table kept by triggers
    # (storage/sqlite/tally.py): the weekly report read the whole of hazards_weekly for that
    # count in every report computed (0.7 s at a million hazards); now a few hundred rows.
    from hazreg.storage.sqlite import tally

    tally.create(db.conn)
    db.execute("PRAGMA user_version = 18")


def number(name: str) -> int:
    """A migration's number, from its name (m011_… is 11): the numbers may have gaps."""
    return int(name[1:4])
