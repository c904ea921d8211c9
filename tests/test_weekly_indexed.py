"""The weekly report's count of the hazards unchanged since the week before the asked one, read
from the indexes of m017 (every hazard by status, level, industry and locality, less the changed
ones; those found since the earliest week began; those overdue by its end): every figure at a
week's edge must be what taking every hazard back gives, on both engines. The hazards here are
entered day by day across week ends, found, due and rectified on Sundays and Mondays, and left
alone, so the fast path counts them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hazreg.register import Register, weekly
from hazreg.storage.base import HazardFilter

START = date(2026, 10, 25)  # a Sunday: the hazards are entered from here to DAYS days later
DAYS = 24
MONDAYS = [date(2026, 10, 19) + timedelta(weeks=n) for n in range(7)]  # W43 to W49 (the current week)


def _entered_day_by_day(reg: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each day from START, at noon, hazards found that day in two industries and localities,
    some major: due that day, on the coming Sunday, on the Monday after it or a week later; started; most
    rectified on their deadline, the day before it or the day after (some of those in the future
    are rectified the same day); some verified, one voided, one listed for supervision. Then one
    hazard changed after the weeks asked (so it is replayed, and taken out of the counts)."""
    monkeypatch.setenv("TZ", "UTC")
    hotel = reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})["id"]
    site = reg.units.add({"name": "桃源安置房项目部", "industry": "construction", "locality": "青山镇"})["id"]
    plan = {"owner": "李四", "measures": "停产整改", "funds": "12000", "contingency": "专项预案"}
    due: dict[date, list[tuple[int, int]]] = {}  # day -> (hazard, n + k) rectified that day
    for n in range(DAYS):
        day = START + timedelta(days=n)
        monkeypatch.setenv("HAZREG_NOW", f"{day.isoformat()}T04:00:00+00:00")
        sunday = day + timedelta(days=6 - day.weekday())
        for k, deadline in enumerate((day, sunday, sunday + timedelta(days=1), sunday + timedelta(days=7))):
            major = (n + k) % 4 == 0
            h = reg.hazards.add({"unit": hotel if (n + k) % 2 else site, "description": f"隐患 {n}-{k}",
                                 "found_on": day.isoformat(), "deadline": deadline.isoformat(),
                                 **({"level": "major", **plan} if major else {})})["id"]
            if (n + k) % 5 == 4:
                continue  # left open
            reg.hazards.start(h)
            if (n + k) % 7 != 6:  # else left rectifying
                rectified = max(deadline + timedelta(days=(n + k) % 3 - 1), day)
                due.setdefault(rectified, []).append((h, n + k))
        for h, m in due.pop(day, []):
            reg.hazards.done(h, on=day.isoformat())
            if m % 3 == 0:
                reg.hazards.verify(h, by="李明")
        if n == 5:
            reg.hazards.void(11, reason="重复录入")
        if n == 6:
            reg.supervision.supervise("H8", "区安委办", "district", due="2026-12-31", notice="督1号")
    monkeypatch.setenv("HAZREG_NOW", "2026-12-02T04:00:00+00:00")
    reg.supervision.extend("H14", "2026-12-20", "等待设备到货")


def _same(reg: Register, mondays: list[date]) -> dict[str, dict]:
    split = weekly.replayed_weeks(reg, mondays)
    assert split == weekly.replayed_weeks(reg, mondays, split=False)
    return split


def test_every_week_at_its_edges_counts_as_the_full_replay(reg, monkeypatch):
    _entered_day_by_day(reg, monkeypatch)
    for monday in MONDAYS[1:]:
        _same(reg, [monday])
    _same(reg, MONDAYS[1:])
    _same(reg, [MONDAYS[1], MONDAYS[4]])


def test_the_counted_hazards_are_most_of_the_register_and_the_figures_are_not_empty(reg, monkeypatch):
    """The test above means something: for W46 most hazards are counted, not replayed, and the
    figures at the edges (found on the Sunday, rectified on the deadline, overdue since it) are
    there to be got wrong."""
    _entered_day_by_day(reg, monkeypatch)
    since = weekly.dates.local_day_bounds(MONDAYS[3] + timedelta(days=7), reg.timezone)[0]
    changed = {h for h, *_ in reg.store.hazard_chains(since, changed_only=True)}
    assert reg.store.count("hazards") - len(changed) > 40
    week = _same(reg, [MONDAYS[3]])[MONDAYS[3].isoformat()]
    figures, rates = week["figures"], week["rates"]
    assert figures["found"] == 28 and figures["overdue"] > 0 and figures["major_open"] > 0
    assert figures["major_supervised"] == 1
    assert 0 < rates["on_time_cumulative"] < 100 and 0 < rates["rectification_cumulative"] < 100
    assert {g["industry"] for g in week["by_industry"]} == {"fire", "construction"}


def test_rows_no_command_writes_count_as_the_full_replay(reg, monkeypatch):
    """As an older register or an import --legacy may hold them: a rectification date on a hazard
    still open, a hazard found on a week's Sunday with no deadline, an empty locality."""
    _entered_day_by_day(reg, monkeypatch)
    conn = reg.store.conn
    conn.execute("UPDATE hazards SET rectified_on = deadline WHERE status IN ('open', 'rectifying') AND id % 2 = 0")
    conn.execute("UPDATE hazards SET found_on = '2026-11-08', deadline = NULL WHERE id % 5 = 3")
    conn.execute("UPDATE hazards SET locality = '' WHERE id % 7 = 5")
    if hasattr(conn, "commit"):
        conn.commit()
    for monday in MONDAYS[1:]:
        _same(reg, [monday])
    _same(reg, MONDAYS[2:5])


def test_hazards_created_after_the_replay_ends_are_not_read(reg, monkeypatch):
    """A replay of the changes since W45 began, back to the moment W45 ended, does not read the
    hazards entered after W45 (found on or after W46's Monday, each entered on the day found) at
    all: their creation is undone before the replay looks at them. Those entered before and changed since
    (H14, extended in W49) are read, with every change since. One entered at the very moment the
    replay ends is not read either."""
    _entered_day_by_day(reg, monkeypatch)
    since, until = (weekly.dates.local_day_bounds(m, reg.timezone)[0] for m in (MONDAYS[2], MONDAYS[3]))
    monkeypatch.setenv("HAZREG_NOW", until)  # one entered at the very moment the replay ends
    reg.hazards.add({"unit": 1, "description": "零点录入的隐患", "found_on": MONDAYS[3].isoformat()})
    every = {h: (fields, changes) for h, fields, _, changes in reg.store.hazard_chains(since, changed_only=True)}
    read = {h: (fields, changes) for h, fields, _, changes in reg.store.hazard_chains(since, True, until)}
    entered_after = {h["id"] for h in reg.store.hazards(HazardFilter(found_since=MONDAYS[3]), date(2026, 12, 2))[0]}
    assert len(entered_after) > 20 and entered_after <= set(every)
    assert set(read) == set(every) - entered_after and 14 in read
    assert all(read[h] == every[h] for h in read)
