"""A province-sized register: `check` and the weekly report hold one record's chain at a time,
not the whole register, so their memory does not grow with the number of records."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

from hazreg.register import Register


def fill(reg: Register, n: int) -> None:
    """`n` general hazards over a few units, each started, many rectified and some verified."""
    with reg.store.transaction():
        first = reg.store.count("units")
        units = [reg.add_unit({"name": f"宏达{first + i}号厂", "industry": "fire", "locality": "青山镇"})["id"]
                 for i in range(5)]
        for i in range(n):
            h = reg.add_hazard({"unit": units[i % 5], "description": f"灭火器过期 {i}", "found_on": "2026-10-01",
                                "deadline": "2026-11-20"})
            reg.start(h["id"])
            if i % 2:
                reg.done(h["id"], on="2026-11-10")
            if i % 4 == 1:
                reg.verify(h["id"], by="张三")


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


def test_check_holds_one_record_at_a_time(reg):
    from hazreg.register.integrity import check_register

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
            reg.add_hazard({"unit": unit, "description": f"隐患 {n}", "found_on": found, "deadline": DAYS[max(a, b)],
                            "level": "general"})
        elif kind == "start":
            reg.start(target)
        elif kind == "done":
            reg.done(target, on=DAYS[b])  # a date in the past changes past weeks' figures
        elif kind == "verify":
            reg.verify(target, by="张三", on=DAYS[b])
        elif kind == "fail":
            reg.verify(target, by="张三", fail=True, on=DAYS[b])
        elif kind == "void":
            reg.void(target, "录入错误")
        elif kind == "edit":
            reg.edit_hazard(target, {"deadline": DAYS[b]})
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
    from hazreg.register.weekly import weekly_report

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.db"
        reg = open_register(path, write=True, operator="tester")
        try:
            unit = reg.add_unit({"name": "临江市宏达化工有限公司", "industry": "fire", "locality": "青山镇"})["id"]
            try:
                for step in steps:
                    apply(reg, unit, step)
            finally:
                os.environ["HAZREG_NOW"] = NOW
            report = weekly_report(reg, asked)  # from the stored week, if one still holds
            assert check_register(reg)["ok"]  # every stored week equals the replay
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
    monkeypatch.setattr(weekly, "replayed_weeks", lambda *a: replays.append(a) or real(*a))
    assert weekly.weekly_report(reg, "2026-W46") == first
    assert replays == []  # read from the stored week
    reg.start(reg.add_hazard({"unit": 1, "description": "今天发现的隐患"})["id"])  # took effect after the week
    assert weekly.weekly_report(reg, "2026-W46") == first and replays == []
    reg.done(1, on="2026-11-12")  # recorded today, took effect in week 46: reaches back into it
    again = weekly.weekly_report(reg, "2026-W46")
    assert len(replays) == 1
    assert again["figures"]["rectified"] == first["figures"]["rectified"] + 1


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
