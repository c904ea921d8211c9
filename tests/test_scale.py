"""A province-sized register: `check` and the weekly report hold one record's chain at a time,
not the whole register, so their memory does not grow with the number of records."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from typing import Any

from hazreg.register import Register


def fill(reg: Register, n: int) -> None:
    """`n` general hazards over a few units, each started, many rectified and some verified."""
    with reg.store.transaction():
        first = reg.store.count("units")
        units = [reg.units.add({"name": f"宏达{first + i}号厂", "industry": "fire", "locality": "青山镇"})["id"]
                 for i in range(5)]
        for i in range(n):
            h = reg.hazards.add({"unit": units[i % 5], "description": f"灭火器过期 {i}", "found_on": "2026-10-01",
                                "deadline": "2026-11-20"})
            reg.hazards.start(h["id"])
            if i % 2:
                reg.hazards.done(h["id"], on="2026-11-10")
            if i % 4 == 1:
                reg.hazards.verify(h["id"], by="张三")


def peak(call: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def grows(reg: Register, call: Callable[[Register], Any]) -> tuple[int, int]:
    """Python's peak memory for `call` on a register of 150 hazards, then of 1,200."""
    fill(reg, 150)
    small = peak(lambda: call(reg))
    fill(reg, 1050)
    return small, peak(lambda: call(reg))


def test_check_holds_one_record_at_a_time(reg, monkeypatch):
    from hazreg.register.integrity import check_register

    # PostgreSQL's chain bytes come in batches of 2,000 entries (about 2 MB, whatever the register's
    # size); these registers hold 500 and 4,000 entries, so batches as small as the other streamed
    # reads' show that memory is bounded by the batch, not by the records.
    from hazreg.storage.postgres import integrity as pg_integrity
    from hazreg.storage.postgres.store import STREAM_BATCH

    monkeypatch.setattr(pg_integrity, "BATCH", STREAM_BATCH)
    # The search index's check remembers up to REMEMBERED index texts (descriptions and names
    # met again); every hazard here has a description of its own, so with fewer remembered than
    # there are hazards, memory is seen bounded by that number, not by the records.
    import hazreg.search

    monkeypatch.setattr(hazreg.search, "REMEMBERED", 100)
    assert check_register(reg)["ok"]
    small, large = grows(reg, check_register)
    assert check_register(reg)["ok"]
    # Eight times the records; a replay that held every record's state would need about eight times the memory.
    assert large < small * 1.5 + 50_000, (small, large)


def test_the_weekly_report_holds_one_hazard_at_a_time(reg):
    from hazreg.register.weekly import replayed_weeks, trend, week_of

    def both(r: Register) -> None:
        replayed_weeks(r, [week_of(None, r.today())])  # the replay itself, not a stored week
        trend(r)

    small, large = grows(reg, both)
    assert large < small * 1.5 + 50_000, (small, large)


# -- stored weeks: equal to the replay after any sequence of commands, and checked --------

import sqlite3  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

WEEKS = [f"2026-W{n}" for n in range(40, 48)]  # the eight weeks before 29 November 2026
DAYS = [f"2026-{m}-{d:02d}" for m, d in [("09", 28), ("10", 5), ("10", 12), ("10", 19), ("10", 26), ("11", 2),
                                          ("11", 9), ("11", 16), ("11", 23), ("11", 27)]]
STEPS = st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["add", "start", "done", "verify", "fail", "void", "edit",
                                                                 "report"]),
                           st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=30).map(sorted)


def apply(reg: Register, unit: int, step: tuple[int, str, int, int]) -> None:
    """One command, written on day `when` (the clock moves on; `--on` and dates found reach back)."""
    import os

    from hazreg.errors import HazregError
    from hazreg.register.weekly import weekly_report

    when, kind, a, b = step
    os.environ["HAZREG_NOW"] = f"{DAYS[when]}T04:00:00+00:00"
    a, b = min(a, when), min(b, when)  # nothing is found or done after the day it is written
    n = reg.store.count("hazards")
    target = 1 + a % n if n else None
    try:
        if kind == "add" or target is None:
            found = DAYS[min(a, b)]
            reg.hazards.add({"unit": unit, "description": f"隐患 {n}", "found_on": found, "deadline": DAYS[max(a, b)],
                            "level": "general"})
        elif kind == "start":
            reg.hazards.start(target)
        elif kind == "done":
            reg.hazards.done(target, on=DAYS[b])  # a date in the past changes past weeks' figures
        elif kind == "verify":
            reg.hazards.verify(target, by="张三", on=DAYS[b])
        elif kind == "fail":
            reg.hazards.verify(target, by="张三", fail=True, on=DAYS[b])
        elif kind == "void":
            reg.hazards.void(target, "录入错误")
        elif kind == "edit":
            reg.hazards.edit(target, {"deadline": DAYS[b]})
        else:
            weekly_report(reg, WEEKS[a % len(WEEKS)])  # computes the week and stores it
    except HazregError:
        pass  # a move the lifecycle refuses changes nothing


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, asked=st.sampled_from(WEEKS))
def test_stored_weeks_equal_the_replay(steps, asked):
    import os

    from conftest import NOW
    from hazreg.register import open_register
    from hazreg.register.integrity import check_register
    from hazreg.register.weekly import replayed_weeks, week_of, weekly_report

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.db"
        reg = open_register(path, write=True, operator="tester")
        try:
            unit = reg.units.add({"name": "临江市宏达化工有限公司", "industry": "fire", "locality": "青山镇"})["id"]
            try:
                for step in steps:
                    apply(reg, unit, step)
            finally:
                os.environ["HAZREG_NOW"] = NOW
            report = weekly_report(reg, asked)  # from the stored week, if one still holds
            assert check_register(reg)["ok"]  # every stored week equals the replay
            # Weeks replayed together in one walk (as `check` does) are each the week replayed alone.
            mondays = [week_of(w, reg.today()) for w in WEEKS]
            together = replayed_weeks(reg, mondays)
            assert together == {m.isoformat(): replayed_weeks(reg, [m])[m.isoformat()] for m in mondays}
            reg.store.conn.execute("DELETE FROM weekly_computed")
            assert weekly_report(reg, asked) == report  # computed afresh from the history
        finally:
            reg.store.close()


def test_a_stored_week_is_read_not_replayed_until_a_change_reaches_back_into_it(reg, monkeypatch):
    from conftest import NOW
    from hazreg.register import weekly

    monkeypatch.setenv("HAZREG_NOW", "2026-11-10T04:00:00+00:00")  # recorded early in week 46
    fill(reg, 20)
    monkeypatch.setenv("HAZREG_NOW", NOW)
    first = weekly.weekly_report(reg, "2026-W46")
    replays: list[object] = []
    real = weekly.replayed_weeks
    monkeypatch.setattr(weekly, "replayed_weeks", lambda *a, **k: replays.append(a) or real(*a, **k))
    assert weekly.weekly_report(reg, "2026-W46") == first
    assert replays == []  # read from the stored week
    reg.hazards.start(reg.hazards.add({"unit": 1, "description": "今天发现的隐患"})["id"])  # took effect after the week
    assert weekly.weekly_report(reg, "2026-W46") == first and replays == []
    reg.hazards.done(1, on="2026-11-12")  # recorded today, took effect in week 46: reaches back into it
    again = weekly.weekly_report(reg, "2026-W46")
    assert len(replays) == 1
    assert again["figures"]["rectified"] == first["figures"]["rectified"] + 1


def test_the_trend_reads_the_weeks_kept_and_replays_only_the_others(reg, monkeypatch):
    """`report trend` takes a week the weekly report keeps from it, while it holds; a week a
    change reaches back into, and the weeks never kept, are replayed (from the earliest of them,
    the unchanged hazards counted in SQL): the same trend as taking every hazard back, each time."""
    from datetime import date, timedelta

    from conftest import NOW
    from hazreg.register import weekly

    for n, day in enumerate(("2026-09-08", "2026-10-13", "2026-11-10")):  # weeks 37, 42, 46
        monkeypatch.setenv("HAZREG_NOW", f"{day}T04:00:00+00:00")
        unit = reg.units.add({"name": f"宏达{n}号厂", "industry": "fire", "locality": "青山镇"})["id"]
        for i in range(6 + n):
            deadline = date.fromisoformat(day) + timedelta(weeks=i % 3)
            h = reg.hazards.add({"unit": unit, "description": f"灭火器过期 {n}-{i}", "found_on": day,
                                 "deadline": deadline.isoformat()})["id"]
            reg.hazards.start(h)
    monkeypatch.setenv("HAZREG_NOW", NOW)
    reg.hazards.done(3, on="2026-10-14")
    reg.hazards.verify(3, by="张三")
    full = weekly.trend(reg, split=False)
    assert weekly.trend(reg) == full  # nothing kept: replayed, split
    assert [w["found"] for w in full] != [0] * 12 and any(w["closed"] for w in full)
    mondays = [date(2026, 11, 23) - timedelta(weeks=n) for n in range(12)]  # weeks 37 to 48 (NOW is in 48)
    for monday in mondays:
        weekly.replayed_week(reg, monday)
    walks: list[object] = []
    real = weekly._walk
    monkeypatch.setattr(weekly, "_walk", lambda *a, **k: walks.append(a[1]) or real(*a, **k))
    assert weekly.trend(reg) == full and walks == []  # every week read from those kept
    seq, digest, text = reg.store.weekly_stored("2026-09-28", reg.timezone)  # week 40, changed behind hazreg's back
    data = json.loads(text)
    data["figures"]["found"] += 100
    with reg.store.transaction():
        reg.store.store_weekly("2026-09-28", reg.timezone, seq, digest, json.dumps(data))
    assert [w["found"] for w in weekly.trend(reg)] == [w["found"] + 100 * (n == 3) for n, w in enumerate(full)]
    assert weekly.trend(reg, split=False) == full  # the reference never reads what is kept (check compares them)
    with reg.store.transaction():
        reg.store.store_weekly("2026-09-28", reg.timezone, seq, digest, text)
    reg.hazards.done(5, on="2026-10-15")  # recorded today, took effect in week 42: weeks 42 to 48 no longer hold
    full = weekly.trend(reg, split=False)
    walks.clear()
    assert weekly.trend(reg) == full
    assert walks == [[date(2026, 10, 12) + timedelta(weeks=n) for n in range(7)]]  # replayed from week 42 alone
    assert weekly.trend(reg, weeks=20) == weekly.trend(reg, weeks=20, split=False)  # and weeks never kept


def test_a_tampered_stored_week_is_caught_by_check(cli, isolated):
    import json

    cli("demo", "--path", str(isolated))
    before = json.loads(cli("report", "weekly", "-f", "json").stdout)
    cli("check")
    conn = sqlite3.connect(isolated)
    data = json.loads(conn.execute("SELECT data FROM weekly_computed").fetchone()[0])
    data["figures"]["overdue"] += 5
    conn.execute("UPDATE weekly_computed SET data = ?", (json.dumps(data, ensure_ascii=False),))
    conn.commit()
    conn.close()
    result = cli("check", code=1)
    assert f"The stored figures of week {before['week']} differ from what the history replays to" in result.stderr


def test_check_names_the_one_tampered_week_among_those_recomputed_together(reg, monkeypatch):
    """`check` recomputes the thirteen weeks kept in one walk; it names the week that differs,
    and no other."""
    import json

    from hazreg.register import weekly
    from hazreg.register.integrity import check_register

    unit = reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})["id"]
    for n in range(6):
        reg.hazards.add({"unit": unit, "description": f"隐患{n}", "found_on": f"2026-0{n + 4}-1{n}",
                         "deadline": f"2026-0{n + 4}-2{n}"})
    weeks = [f"2026-W{n}" for n in range(36, 49)]  # the thirteen weeks kept today (week 48)
    for week in weeks:
        weekly.weekly_report(reg, week)
    replays = []
    real = weekly.replayed_weeks
    monkeypatch.setattr(weekly, "replayed_weeks", lambda r, mondays, **k: replays.append(mondays) or real(r, mondays, **k))
    assert check_register(reg)["ok"]
    for tampered in ("2026-W36", "2026-W48"):  # the oldest and the newest
        monday = weekly.week_of(tampered, reg.today()).isoformat()
        seq, digest, text = reg.store.weekly_stored(monday, reg.timezone)
        data = json.loads(text)
        data["figures"]["open"] += 1
        assert reg.store.store_weekly(monday, reg.timezone, seq, digest, json.dumps(data))
        assert check_register(reg)["tables"] == [{"problem": "weekly_stored", "week": tampered}]
        assert reg.store.store_weekly(monday, reg.timezone, seq, digest, text)
    assert [len(mondays) for mondays in replays] == [13, 13, 13]  # each check: one walk


def test_only_the_trends_weeks_and_the_one_before_are_kept(reg, monkeypatch):
    """A week's report keeps the week only if it is one of the thirteen up to the current one (the
    trend's twelve and the week before them): an older week is computed each time, never read
    from what is kept nor recomputed by `check`, and keeping a week forgets the older ones. So
    `check` does not grow with the weeks an office has reported over the years."""
    import json

    from hazreg.register import weekly
    from hazreg.register.integrity import check_register

    unit = reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})["id"]
    reg.hazards.add({"unit": unit, "description": "消防通道堵塞", "found_on": "2026-05-11", "deadline": "2026-05-20"})
    week35, week36 = weekly.week_of("2026-W35", reg.today()), weekly.week_of("2026-W36", reg.today())
    weekly.weekly_report(reg, "2026-W35")
    assert reg.store.weekly_stored(week35.isoformat(), reg.timezone) is None  # computed, not kept
    weekly.weekly_report(reg, "2026-W36")
    seq, digest, text = reg.store.weekly_stored(week36.isoformat(), reg.timezone)
    data = json.loads(text)
    data["figures"]["open"] += 1  # as kept by an earlier hazreg, or changed behind its back
    assert reg.store.store_weekly(week35.isoformat(), reg.timezone, seq, digest, json.dumps(data))
    assert weekly.weekly_report(reg, "2026-W35")["figures"]["open"] == 0  # not read (1): computed
    assert check_register(reg)["ok"]  # not recomputed: never read
    monkeypatch.setenv("HAZREG_NOW", "2026-12-07T04:00:00+00:00")  # a week on: week 36 is no longer kept
    weekly.weekly_report(reg, "2026-W49")
    assert reg.store.weekly_stored(week35.isoformat(), reg.timezone) is None  # forgotten
    assert reg.store.weekly_stored(week36.isoformat(), reg.timezone) is None
    assert reg.store.weekly_stored(weekly.week_of("2026-W49", reg.today()).isoformat(), reg.timezone)
    weekly.weekly_report(reg, "2026-W51")  # a week to come: its figures would change as it comes
    assert reg.store.weekly_stored(weekly.week_of("2026-W51", reg.today()).isoformat(), reg.timezone) is None


# -- the weekly replay split: hazards unchanged since the replay's start counted in SQL -----

SPLIT_STEPS = st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["add", "major", "start", "done", "verify", "fail",
                                                                       "void", "edit", "plan", "supervise", "delist"]),
                                 st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=30).map(sorted)


def _eve(day: str) -> str:
    """The day before `day`: a Sunday for the Mondays of DAYS, the last day of a week."""
    from datetime import date, timedelta

    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def apply_more(reg: Register, unit: int, step: tuple[int, str, int, int]) -> None:
    """`apply`, with major hazards (some plans incomplete), plans, listing and delisting, and
    dates on the last day of a week (found, deadlines, rectified)."""
    import os

    from hazreg.errors import HazregError

    when, kind, a, b = step
    if kind not in ("major", "plan", "supervise", "delist") and not (kind in ("edit", "done") and a % 2):
        apply(reg, unit, step)
        return
    os.environ["HAZREG_NOW"] = f"{DAYS[when]}T04:00:00+00:00"
    later = _eve(DAYS[max(a, b, 1)])  # a deadline may lie ahead
    a, b = min(a, when), min(b, when)
    n = reg.store.count("hazards")
    target = 1 + a % n if n else None
    try:
        if kind == "major" or target is None:
            plan = {"owner": "李四", "measures": "停产整改", "funds": "12000", "contingency": "专项预案"}
            found = DAYS[min(a, b)] if b % 2 else _eve(DAYS[max(min(a, b), 1)])
            reg.hazards.add({"unit": unit, "description": f"重大隐患 {n}", "found_on": found, "level": "major",
                            "deadline": later if a % 3 else None,
                            **{k: v for i, (k, v) in enumerate(plan.items()) if (a + i) % 4}})
        elif kind == "edit":
            reg.hazards.edit(target, {"deadline": later})
        elif kind == "done":
            reg.hazards.done(target, on=_eve(DAYS[max(b, 1)]))
        elif kind == "plan":
            reg.hazards.plan(target, {"owner": "王五", "measures": "更换设备", "funds": "0" if b % 2 else "800",
                              "contingency": "应急预案"})
        elif kind == "supervise":
            reg.supervision.supervise(f"H{target}", "区安委办", "district", on=DAYS[b], due="2027-12-31", notice="督1号")
        else:
            reg.supervision.delist(f"H{target}", "已销号", on=DAYS[when])
    except HazregError:
        pass


def apply_to_two_units(reg: Register, steps: list[tuple[int, str, int, int]]) -> None:
    """Two units in two industries and localities, then `steps` by apply_more (every third on the
    second unit); the clock put back to the tests' own."""
    import os

    from conftest import NOW

    unit = reg.units.add({"name": "临江市宏达化工有限公司", "industry": "fire", "locality": "青山镇"})["id"]
    other = reg.units.add({"name": "临江市恒泰建设有限公司", "industry": "construction", "locality": "白沙镇"})["id"]
    try:
        for n, step in enumerate(steps):
            apply_more(reg, other if n % 3 == 2 else unit, step)
    finally:
        os.environ["HAZREG_NOW"] = NOW


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=SPLIT_STEPS, asked=st.lists(st.integers(0, len(WEEKS)), min_size=1, max_size=3, unique=True),
       legacy=st.booleans())
def test_the_split_replay_equals_taking_every_hazard_back(steps, asked, legacy):
    """Counting the hazards unchanged since the week before the asked one in SQL gives the same
    report, to the last list entry, as taking every hazard back one by one. With `legacy`, some
    rows say what no command writes (as an import --legacy or an older register may): found on
    the asked week's last day, a deadline then, a closed major without its measures."""
    from datetime import date, timedelta

    from hazreg.register import open_register
    from hazreg.register.weekly import replayed_week, replayed_weeks, trend

    with tempfile.TemporaryDirectory() as folder:
        reg = open_register(Path(folder) / "r.db", write=True, operator="tester")
        try:
            apply_to_two_units(reg, steps)
            mondays = [date(2026, 9, 28) + timedelta(weeks=i) for i in asked]  # weeks 40 to 48 (the current one)
            if legacy:
                sunday = (mondays[0] + timedelta(days=6)).isoformat()
                reg.store.conn.execute("UPDATE hazards SET found_on = ?, deadline = ? WHERE id % 3 = 0", (sunday, sunday))
                reg.store.conn.execute("UPDATE hazards SET measures = NULL WHERE level = 'major' AND status = 'closed'")
            for monday in mondays:
                assert replayed_weeks(reg, [monday]) == replayed_weeks(reg, [monday], split=False)
            assert replayed_weeks(reg, mondays) == replayed_weeks(reg, mondays, split=False)
            assert trend(reg) == trend(reg, split=False)
            for monday in mondays:  # kept, as the weekly report keeps them, and read by the trend
                replayed_week(reg, monday)
            assert trend(reg) == trend(reg, split=False)
            # A week whose week before is kept takes that week's figures and closings from it, and
            # takes back only the hazards changed since its own end: the same report.
            for monday in mondays:
                replayed_week(reg, monday - timedelta(weeks=1))
                reg.store.conn.execute("DELETE FROM weekly_computed WHERE week = ?", (monday.isoformat(),))
                assert replayed_week(reg, monday) == replayed_weeks(reg, [monday], split=False)[monday.isoformat()]
        finally:
            reg.store.close()


def test_weeks_replayed_together_each_list_their_own_first_entries(reg, monkeypatch):
    """Weeks replayed in one walk (as `check` recomputes the weeks kept) share the SQL of the
    hazards unchanged since: each week still lists its own first entries, in its own order, and
    its own totals (the overdue list grows week by week as deadlines pass; with the lists cut
    short, a later week's first entries are not an earlier week's). Each week as replayed alone,
    and as taking every hazard back."""
    from datetime import date, timedelta

    from conftest import NOW
    from hazreg.register import weekly

    monkeypatch.setattr(weekly, "LIST_LIMIT", 2)
    monkeypatch.setenv("HAZREG_NOW", "2026-09-15T04:00:00+00:00")  # week 38: unchanged since the weeks asked
    plan = {"owner": "李四", "measures": "停产整改", "funds": "12000", "contingency": "专项预案"}
    with reg.store.transaction():
        unit = reg.units.add({"name": "临江市宏达化工有限公司", "industry": "fire", "locality": "青山镇"})["id"]
        other = reg.units.add({"name": "临江市恒泰建设有限公司", "industry": "construction", "locality": "白沙镇"})["id"]
        for i in range(14):  # deadlines from week 41 to week 47, two a week, latest first
            deadline = (date(2026, 11, 22) - timedelta(days=4 * i)).isoformat()
            reg.hazards.add({"unit": (unit, other)[i % 2], "description": f"灭火器过期 {i}", "found_on": "2026-09-14",
                            "deadline": deadline, **({"level": "major", **plan} if i % 3 == 0 else {})})
    reg.store.conn.execute("UPDATE hazards SET status = 'closed', measures = NULL WHERE id IN (4, 10, 13)")
    monkeypatch.setenv("HAZREG_NOW", NOW)
    reg.hazards.start(2)  # changed in week 48: taken back, the others counted in SQL
    mondays = [date(2026, 9, 28), date(2026, 10, 12), date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 16)]
    walked = _walked(reg, monkeypatch)
    together = weekly.replayed_weeks(reg, mondays)
    assert walked == [2]
    assert together == weekly.replayed_weeks(reg, mondays, split=False)
    assert together == {m.isoformat(): weekly.replayed_weeks(reg, [m])[m.isoformat()] for m in mondays}
    overdue = [([h["id"] for h in together[m.isoformat()]["overdue"]],
                together[m.isoformat()]["lists"]["totals"]["overdue"]) for m in mondays]
    # Deadlines 1 October (H14), 5 (H13, closed), 9 (H12), 13 (H11), ...: week 40 has one overdue.
    assert overdue == [([14], 1), ([14, 12], 3), ([14, 12], 6), ([14, 12], 8), ([14, 12], 11)]
    assert [[h["days_overdue"] for h in together[m.isoformat()]["overdue"]] for m in mondays] == [
        [3], [17, 9], [31, 23], [38, 30], [52, 44]]
    assert [h["id"] for h in together["2026-11-16"]["majors"]] == [7, 1]  # 4, 10 and 13 closed
    assert [h["id"] for h in together["2026-11-16"]["closed_incomplete"]] == [4, 10]


def _walked(reg: Register, monkeypatch) -> list[int]:
    """The ids of the hazards the replays take back one by one, in order, as they are taken."""
    walked: list[int] = []
    real = reg.store.hazard_chains

    def chains(since, changed_only=False, until=None):
        for item in real(since, changed_only, until):
            walked.append(item[0])
            yield item

    monkeypatch.setattr(reg.store, "hazard_chains", chains)
    return walked


def test_the_split_replay_takes_back_only_the_hazards_changed_since_the_week_before(reg, monkeypatch):
    """A past week's report walks the hazards changed since the week before it ended (the asked
    week began), not the register: hazards untouched since then are counted in SQL, and the week
    before's events are counted in the history."""
    from datetime import date

    from conftest import NOW
    from hazreg.register import weekly

    monkeypatch.setenv("HAZREG_NOW", "2026-11-11T04:00:00+00:00")
    fill(reg, 30)  # written in week 46, untouched since
    monkeypatch.setenv("HAZREG_NOW", NOW)
    reg.hazards.add({"unit": 1, "description": "新发现的隐患", "found_on": "2026-11-16"})  # H31, added since
    reg.hazards.verify(4, by="张三", on="2026-11-18")  # H4 (rectified in week 46) verified in week 47
    walked = _walked(reg, monkeypatch)
    split = weekly.replayed_weeks(reg, [date(2026, 11, 23)])
    assert sorted(walked) == [31]  # the one added since (H4 was verified in the week before)
    walked.clear()
    assert weekly.replayed_weeks(reg, [date(2026, 11, 23)], split=False) == split
    assert len(walked) == 31
    assert split["2026-11-23"]["figures"]["open"] == 22  # 30 less the 8 verified in week 46 and H4, and H31
    assert split["2026-11-23"]["trend"][-2]["closed"] == 1  # H4, in week 47


def test_with_the_week_before_kept_a_week_takes_back_only_the_hazards_changed_since_it_ended(reg, monkeypatch):
    """An office runs its weekly report each week: last week's report then reads the week before's
    figures and closings from what that report kept, and takes back only the hazards changed since
    last week ended (not those changed during it); its rectified and on-time figures come from the
    history. The same report as taking every hazard back."""
    from datetime import date

    from conftest import NOW
    from hazreg.register import weekly

    monkeypatch.setenv("HAZREG_NOW", "2026-11-11T04:00:00+00:00")
    fill(reg, 30)  # written in week 46
    monkeypatch.setenv("HAZREG_NOW", "2026-11-18T04:00:00+00:00")  # in week 47
    reg.hazards.done(1, on="2026-11-18")  # H1 (rectifying, deadline 20 November): on time
    reg.supervision.extend("H3", "2026-11-27", "设备到货延迟")  # H3: then rectified on time, in week 48
    monkeypatch.setenv("HAZREG_NOW", "2026-11-24T04:00:00+00:00")  # in week 48
    weekly.replayed_week(reg, date(2026, 11, 16))  # week 47 again, kept
    reg.hazards.done(3, on="2026-11-24")  # on time
    reg.hazards.done(5, on="2026-11-24")  # late (deadline 20 November) ...
    reg.hazards.void(7, "录入错误")
    monkeypatch.setenv("HAZREG_NOW", NOW)  # 29 November, still in week 48
    reg.hazards.verify(5, by="张三", fail=True, on="2026-11-25")  # ... and sent back: no date rectified now
    reg.hazards.verify(1, by="张三", on="2026-11-29")
    monkeypatch.setenv("HAZREG_NOW", "2026-12-01T04:00:00+00:00")  # week 49: week 48 is the last complete one
    h = reg.hazards.add({"unit": 1, "description": "新发现的隐患", "found_on": "2026-11-30"})["id"]  # since it ended
    reg.supervision.extend("H9", "2026-12-20", "设备到货延迟")  # changed since, so taken back
    walked = _walked(reg, monkeypatch)
    counted: list[int] = []  # how many weeks each count of entries in the history spans
    count_entries = reg.store.hazard_action_counts
    monkeypatch.setattr(reg.store, "hazard_action_counts",
                        lambda actions, bounds: counted.append(len(bounds) - 1) or count_entries(actions, bounds))
    last = weekly.replayed_week(reg, date(2026, 11, 23))
    assert counted == [1]  # closings, rectified, voided, reopened, in one read of week 48's alone
    assert sorted(walked) == [9]  # the one created since stood nowhere then; H1, H3, H5 and H7 are not walked
    walked.clear()
    full = weekly.replayed_weeks(reg, [date(2026, 11, 23)], split=False)["2026-11-23"]
    assert last == full and len(walked) == h
    assert [full["figures"][k] for k in ("rectified", "voided", "closed", "reopened")] == [2, 1, 1, 1]
    assert full["rates"]["on_time_week"] == 50.0  # H3 on time, H5 late (as it stood when rectified)
    assert full["change"]["voided"] == 1 and full["trend"][-2]["closed"] == 0


def test_a_week_built_on_a_tampered_week_before_is_caught_by_check_with_it(reg, monkeypatch):
    """A week's report reads the week before's figures from what was kept: if that was changed
    behind hazreg's back, `check` names both weeks (each recomputed from the history alone). A kept
    week without the trend rows needed is not read for them: the week is replayed as before."""
    from datetime import date

    from conftest import NOW
    from hazreg.register import weekly
    from hazreg.register.integrity import check_register

    monkeypatch.setenv("HAZREG_NOW", "2026-11-11T04:00:00+00:00")
    fill(reg, 12)
    monkeypatch.setenv("HAZREG_NOW", NOW)
    reg.hazards.done(1, on="2026-11-24")
    week47, week48 = date(2026, 11, 16), date(2026, 11, 23)
    reference = weekly.replayed_weeks(reg, [week48], split=False)["2026-11-23"]
    weekly.replayed_week(reg, week47)
    seq, digest, text = reg.store.weekly_stored(week47.isoformat(), reg.timezone)
    data = json.loads(text)
    del data["trend"][3:]  # kept by some other program: the trend is not all there
    assert reg.store.store_weekly(week47.isoformat(), reg.timezone, seq, digest, json.dumps(data))
    assert weekly.replayed_week(reg, week48) == reference  # replayed back to week 47's end, as before
    reg.store.conn.execute("DELETE FROM weekly_computed")
    weekly.replayed_week(reg, week47)
    seq, digest, text = reg.store.weekly_stored(week47.isoformat(), reg.timezone)
    data = json.loads(text)
    data["figures"]["open"] += 3
    assert reg.store.store_weekly(week47.isoformat(), reg.timezone, seq, digest, json.dumps(data))
    tampered = weekly.replayed_week(reg, week48)
    assert tampered["change"]["open"] == reference["change"]["open"] - 3  # read from the week before
    assert check_register(reg)["tables"] == [{"problem": "weekly_stored", "week": "2026-W47"},
                                             {"problem": "weekly_stored", "week": "2026-W48"}]


def test_the_benchmarks_big_register_is_copies_that_pass_check(tmp_path, monkeypatch):
    """bench_scale's 1M register is the 100k one copied in bulk SQL: the copies must be a register
    `check` passes (new uids, names and credit codes, one history chain hashed afresh)."""
    import sys
    from datetime import UTC, datetime

    from hazreg.register import open_register
    from hazreg.register.integrity import check_register

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import bench_cli

    now = datetime(2026, 11, 29, 4, tzinfo=UTC)
    base, copied = tmp_path / "base.db", tmp_path / "copies.db"
    bench_cli.build(base, 40, 6, 1, now)
    bench_cli.replicate(base, copied, 3, 1)
    monkeypatch.setenv("HAZREG_NOW", "2026-11-29T04:00:00+00:00")
    reg = open_register(copied, write=False)
    try:
        report = check_register(reg)
        assert report["ok"], report
        conn = reg.store.conn
        assert tuple(conn.execute("SELECT count(*), count(DISTINCT uid) FROM hazards").fetchone()) == (120, 120)
        assert tuple(conn.execute("SELECT count(*), count(DISTINCT name) FROM units").fetchone()) == (18, 18)
        assert conn.execute("SELECT count(*) FROM history").fetchone()[0] == 3 * sqlite3.connect(base).execute(
            "SELECT count(*) FROM history").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM units WHERE id > 6 AND name LIKE '%临江市%'").fetchone()[0] == 0
    finally:
        reg.store.close()


def test_a_stored_week_written_out_differently_but_saying_the_same_passes_check(reg, monkeypatch):
    """check compares what a stored week says, not how its JSON is spaced: the same figures
    written with other spacing and key order pass; one figure changed does not."""
    import json

    from hazreg.register.integrity import check_register
    from hazreg.register.weekly import weekly_report

    fill(reg, 12)
    weekly_report(reg, "2026-W47")
    weekly_report(reg, "2026-W48")
    stored = reg.store._all("SELECT week, data FROM weekly_computed ORDER BY week LIMIT 1")[0]
    week, data = stored["week"], stored["data"]

    def rewrite(text: str) -> None:  # behind hazreg's back, on either engine
        if reg.store.engine == "postgresql":
            with reg.store.transaction():
                reg.store._execute("UPDATE weekly_computed SET data = %s WHERE week = %s", (text, week))
        else:
            reg.store.conn.execute("UPDATE weekly_computed SET data = ? WHERE week = ?", (text, week))

    rewrite(json.dumps(json.loads(data), indent=2))
    assert check_register(reg)["ok"]
    changed = json.loads(data)
    changed["figures"]["open"] += 1
    rewrite(json.dumps(changed))
    report = check_register(reg)
    assert not report["ok"]
    assert report["tables"] == [{"problem": "weekly_stored", "week": "2026-W47"}]
