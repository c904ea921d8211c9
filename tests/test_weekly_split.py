"""The weekly report's fast path for a past week: the hazards unchanged since the week before it
are counted and listed in SQL (only the first LIST_LIMIT entries of each list fetched, the
incomplete plans counted there), the others taken back one by one. Every figure and list must be
what taking every hazard back gives, on both engines, whatever changed after the week."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hazreg.register import Register, weekly

W47, W48 = date(2026, 11, 16), date(2026, 11, 23)
PLAN = {"owner": "李四", "measures": "停产整改", "funds": "12000", "contingency": "专项预案"}
HEADERS = ["单位名称", "隐患描述", "隐患级别", "发现日期", "整改期限", "状态", "整改完成日期", "复查人", "复查日期", "销号日期",
           "整改责任人", "整改措施", "整改资金", "应急预案"]


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("HAZREG_NOW", moment)


def _register(reg: Register, monkeypatch: pytest.MonkeyPatch) -> Register:
    """Hazards entered in week 45 and left alone (counted in SQL for week 48), and a few changed
    after week 48 ended: one closed, one closed with its rectification backdated into week 48,
    one edited, and a locality merged into another.

    Overdue at the end of week 48 (deadline, id): H1 11-01, H2 11-01, H3 11-02, H4 11-02, H5 11-03,
    H7 11-05, H16 11-26 (H3 closed in week 49; H6 rectified on 11-25, recorded in week 49; H7's
    deadline moved in week 49; H16's locality merged in week 49)."""
    monkeypatch.setenv("TZ", "UTC")
    at(monkeypatch, "2026-11-02T02:00:00+00:00")
    for name in ("临江街道", "青山镇", "青山"):
        reg.places.add_locality(name)
    hotel = reg.units.add({"name": "临江大酒店", "industry": "fire", "locality": "临江街道"})["id"]
    site = reg.units.add({"name": "桃源安置房项目部", "industry": "construction", "locality": "青山镇"})["id"]
    mill = reg.units.add({"name": "临江木业有限公司", "industry": "fire", "locality": "青山"})["id"]
    for n, deadline in enumerate(["01", "01", "02", "02", "03", "04", "05"]):
        h = reg.hazards.add({"unit": site if n % 2 else hotel, "description": f"逾期隐患{n + 1}", "found_on": "2026-10-01",
                            "deadline": f"2026-11-{deadline}"})
        if n % 3 == 0 or n == 5:
            reg.hazards.start(h["id"])
    # Majors (H8–H11): deadlines out of id order, some plans incomplete, one rectified.
    for n, (deadline, missing) in enumerate([("2026-12-20", ()), ("2026-12-10", ("contingency",)),
                                              ("2026-12-10", ("measures", "owner")), ("2027-01-05", ())]):
        reg.hazards.add({"unit": site, "description": f"重大隐患{n + 1}", "level": "major", "found_on": "2026-10-20",
                        "deadline": deadline, **{k: v for k, v in PLAN.items() if k not in missing}})
    reg.hazards.start(11)
    reg.hazards.done(11, on="2026-11-02")
    reg.supervision.supervise("H9", "区安委办", "district", due="2026-12-31", notice="督1号")
    # Majors closed without their full plan (H12–H15), taken in from an old ledger with --legacy.
    rows = [(2 + n, ["桃源安置房项目部", f"历史重大隐患{n + 1}", "重大", "2026-09-0" + str(n + 1), "2026-10-01", "已销号",
                     "2026-09-20", "李明" if n % 2 else "", "2026-09-25", "2026-09-25",
                     *(["" if n == k else v for k, v in enumerate(PLAN.values())])])
            for n in range(4)]
    reg.imports.hazards(HEADERS, iter(rows), legacy=True)
    # Week 48: a general hazard found and rectified.
    at(monkeypatch, "2026-11-24T02:00:00+00:00")
    h = reg.hazards.add({"unit": mill, "description": "本周发现", "found_on": "2026-11-24", "deadline": "2026-11-26"})
    reg.hazards.start(h["id"])
    # Week 49, after the week: changes that must not alter week 48, or alter it as backdated.
    at(monkeypatch, "2026-12-01T02:00:00+00:00")
    reg.hazards.start(3)
    reg.hazards.done(3)
    reg.hazards.verify(3, by="李明")
    reg.hazards.done(6, on="2026-11-25")  # recorded in week 49, took effect in week 48
    reg.supervision.extend("H7", "2026-12-30", "等待设备到货")
    reg.hazards.plan(10, {"owner": "王五", "measures": "更换设备"})
    reg.places.merge("青山", "青山镇")
    at(monkeypatch, "2026-12-02T04:00:00+00:00")
    return reg


def _ids(items: list[dict[str, Any]]) -> list[int]:
    return [h["id"] for h in items]


def test_a_past_week_with_later_changes_lists_and_counts_as_the_full_replay(reg, monkeypatch):
    monkeypatch.setattr(weekly, "LIST_LIMIT", 3)
    _register(reg, monkeypatch)
    split = weekly.replayed_weeks(reg, [W48])["2026-11-23"]
    assert split == weekly.replayed_weeks(reg, [W48], split=False)["2026-11-23"]
    # Capped lists in the report's order: deadline then id (H1 and H2 share a deadline, so do H3 and
    # H4), the changed H3 among the unchanged; the majors by deadline then id; the incomplete by id.
    assert _ids(split["overdue"]) == [1, 2, 3]
    assert [h["status"] for h in split["overdue"]] == ["rectifying", "open", "open"]  # H3 as it stood then
    assert _ids(split["majors"]) == [9, 10, 8]
    assert split["majors"][1]["missing"] == ["owner", "measures"]  # H10's plan as it stood then
    assert split["majors"][0]["supervised"] is True
    assert _ids(split["closed_incomplete"]) == [12, 13, 14]
    assert split["lists"] == {"limit": 3, "capped": True,
                              "totals": {"overdue": 7, "majors": 4, "closed_incomplete": 4}}
    figures = split["figures"]
    assert (figures["overdue"], figures["major_open"], figures["major_supervised"]) == (7, 4, 1)
    assert figures["major_incomplete_plan"] == 2  # H9 and H10, H10 completed only after the week
    assert figures["rectified"] == 1  # H6, backdated into the week
    # The merged locality is named as it was at the week's end.
    assert {g["locality"]: g["open"] for g in split["by_locality"]} == {"临江街道": 4, "青山镇": 7, "青山": 1}
    everything = weekly.replayed_weeks(reg, [W48], everything=True)["2026-11-23"]
    assert everything == weekly.replayed_weeks(reg, [W48], split=False, everything=True)["2026-11-23"]
    assert _ids(everything["overdue"]) == [1, 2, 3, 4, 5, 7, 16]
    assert _ids(everything["majors"]) == [9, 10, 8, 11]
    assert _ids(everything["closed_incomplete"]) == [12, 13, 14, 15]


def test_weeks_replayed_together_equal_the_full_replay_at_every_cap(reg, monkeypatch):
    _register(reg, monkeypatch)
    for limit in (1, 2, 5, 50):
        monkeypatch.setattr(weekly, "LIST_LIMIT", limit)
        for weeks in ([W47], [W48], [W47, W48], [date(2026, 11, 30)]):
            assert weekly.replayed_weeks(reg, weeks) == weekly.replayed_weeks(reg, weeks, split=False), (limit, weeks)


def test_the_unchanged_hazards_lists_are_fetched_first_n_in_sql(reg, monkeypatch):
    """The fast path reads at most LIST_LIMIT rows per list of the hazards counted in SQL, not every
    hazard a list may hold (at 1M hazards, hundreds of thousands)."""
    monkeypatch.setattr(weekly, "LIST_LIMIT", 2)
    _register(reg, monkeypatch)
    read: list[int] = []
    real = reg.store.weekly_unchanged_first

    def first(*args: Any, **kwargs: Any) -> Any:
        total, rows = real(*args, **kwargs)
        read.append(len(rows))
        return total, rows

    monkeypatch.setattr(reg.store, "weekly_unchanged_first", first)
    weekly.replayed_weeks(reg, [W48])
    assert read and max(read) <= 2


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from test_scale import apply_more  # noqa: E402


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["add", "major", "start", "done", "verify", "fail",
                                                                      "void", "edit", "plan", "supervise", "delist"]),
                                st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=30).map(sorted),
       asked=st.lists(st.integers(0, 8), min_size=1, max_size=3, unique=True), limit=st.integers(1, 3))
def test_capped_lists_of_the_split_replay_equal_the_full_replay(steps, asked, limit):
    """test_scale's split-equals-replay property with lists short enough to be cut: the first
    entries SQL hands over merge with the walked hazards' into the same first `limit` entries."""
    import os
    import tempfile
    from datetime import timedelta
    from pathlib import Path

    from conftest import NOW
    from hazreg.register import open_register

    with tempfile.TemporaryDirectory() as folder:
        reg = open_register(Path(folder) / "r.db", write=True, operator="tester")
        saved = weekly.LIST_LIMIT
        try:
            unit = reg.units.add({"name": "临江市宏达化工有限公司", "industry": "fire", "locality": "青山镇"})["id"]
            try:
                for step in steps:
                    apply_more(reg, unit, step)
            finally:
                os.environ["HAZREG_NOW"] = NOW
            weekly.LIST_LIMIT = limit
            mondays = [date(2026, 9, 28) + timedelta(weeks=i) for i in asked]
            assert weekly.replayed_weeks(reg, mondays) == weekly.replayed_weeks(reg, mondays, split=False)
        finally:
            weekly.LIST_LIMIT = saved
            reg.store.close()
