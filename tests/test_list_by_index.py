"""A listing by status (and level) alone, `hazreg list` as officers run it all day, reads its page
from the index in parts (each status, level and span of deadlines in the index's own order)
instead of sorting every match: the same page as sorting them all (both engines), and work that
does not grow with the register (SQLite, where SQLite's own counter measures it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hazreg.storage import HazardFilter, open_store
from hazreg.storage.portable import listing
from pg import pg_database

TODAY = date(2026, 12, 3)
STATUSES = ("open", "rectifying", "rectified", "closed", "void")
# Values another tool may have written: below, between and above the known levels ("general",
# "major"), and a status no command writes.
ODD_LEVELS = ("", "a-level", "high", "zz")
DEADLINES = [None, *((TODAY + timedelta(days=d)).isoformat() for d in (-400, -3, -1, 0, 1, 5, 90)), "", "soon"]

_hazards = st.lists(st.tuples(st.sampled_from((*STATUSES, "pending")),
                              st.sampled_from(("general", "major", "general", "major", *ODD_LEVELS)),
                              st.sampled_from(DEADLINES), st.sampled_from(("fire", "construction"))), max_size=40)
_filters = st.tuples(st.lists(st.sampled_from((*STATUSES, "pending")), min_size=1, max_size=4),
                     st.lists(st.sampled_from(("general", "major", "high")), max_size=2),
                     st.integers(min_value=1, max_value=12),
                     st.lists(st.sampled_from(("fire", "construction")), max_size=1))


@pytest.fixture(params=("sqlite", "postgresql"))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """An empty register with one unit, on each engine."""
    if request.param == "sqlite":
        opened = open_store(str(tmp_path / "list.db"), create=True)
        yield _with_unit(opened)
        opened.close()
    else:
        with pg_database() as url:
            opened = open_store(url, create=True)
            yield _with_unit(opened)
            opened.close()


def _with_unit(store: Any) -> Any:
    now = "2026-12-01T04:00:00.000000Z"
    with store.transaction():
        store.insert_unit({"uid": "u-1", "name": "临江大酒店", "industry": "fire", "locality": "青山镇",
                           "created_at": now, "updated_at": now})
    return store


def _fill(store: Any, hazards: list[tuple[str, ...]]) -> None:
    """Only hazards of these statuses, levels, deadlines (and industries), written as rows (no
    command writes the odd ones)."""
    now = "2026-12-01T04:00:00.000000Z"
    with store.transaction():
        store.conn.execute("DELETE FROM hazard_search")
        store.conn.execute("DELETE FROM hazards")
        for n, (status, level, deadline, *rest) in enumerate(hazards):
            store.insert_hazard({
                "uid": f"h-{n}", "unit_id": 1, "description": "消防通道堵塞", "industry": (*rest, "fire")[0],
                "locality": "青山镇", "level": level, "status": status, "source": "inspection",
                "found_on": "2026-11-20", "deadline": deadline, "created_at": now, "updated_at": now})


def _page(store: Any, f: HazardFilter, limit: int, by_index: bool) -> tuple[list[int], int]:
    saved, listing.BY_INDEX = listing.BY_INDEX, by_index
    try:
        rows, total = store.hazards(f, TODAY, limit=limit)
    finally:
        listing.BY_INDEX = saved
    return [r["id"] for r in rows], total


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hazards=_hazards, asked=st.lists(_filters, min_size=1, max_size=4))
def test_a_page_read_from_the_index_is_the_page_sorting_every_match_gives(store, hazards, asked):
    _fill(store, hazards)
    for statuses, levels, limit, industries in asked:  # with an industry, sorted as before
        f = HazardFilter(statuses=statuses, levels=levels, industries=industries)
        assert _page(store, f, limit, by_index=True) == _page(store, f, limit, by_index=False)


def test_every_kind_of_hazard_twice_over_gives_the_same_pages(store):
    """Every status, level and deadline together, twice, then three times with parts more crowded
    than a page (open majors with no deadline or due tomorrow, rectified majors with none): every
    page of every listing as sorting every match gives it, cut at every length up to 60."""
    kinds = [(status, level, deadline) for status in (*STATUSES, "pending")
             for level in ("general", "major", *ODD_LEVELS) for deadline in DEADLINES]
    tomorrow = DEADLINES[5]
    crowded = [("open", "major", None), ("open", "major", tomorrow), ("rectified", "major", None)]
    for hazards in (kinds + kinds[::-1], crowded[:1] * 30 + kinds * 3 + crowded[1:] * 30):
        _fill(store, hazards)
        for statuses in (["open"], ["rectified"], ["open", "rectifying", "rectified"], ["rectified", "closed"],
                         [*STATUSES, "pending"]):
            for levels in ([], ["major"], ["general", "high"]):
                for limit in (*range(1, 61), 1000):
                    f = HazardFilter(statuses=statuses, levels=levels)
                    assert _page(store, f, limit, by_index=True) == _page(store, f, limit, by_index=False)


def test_the_default_page_is_the_most_urgent_across_every_part(store):
    """Overdue before due, major before general within each, nearest deadline first, none last;
    a level no command writes sorts with the general ones; closed hazards are not listed."""
    yesterday, tomorrow = (TODAY - timedelta(days=1)).isoformat(), (TODAY + timedelta(days=1)).isoformat()
    _fill(store, [("open", "general", None), ("rectifying", "general", yesterday), ("open", "major", tomorrow),
                  ("open", "general", tomorrow), ("rectified", "major", yesterday), ("open", "major", yesterday),
                  ("closed", "major", yesterday), ("open", "high", yesterday), ("rectifying", "major", None)])
    active = HazardFilter(statuses=["open", "rectifying", "rectified"])
    first = min(_page(store, active, 1000, by_index=False)[0]) - 1  # ids go on after earlier rows (PostgreSQL)
    expected = [first + n for n in (6, 2, 8, 5, 3, 9, 4, 1)]
    assert _page(store, active, 20, by_index=True) == (expected, 8)
    assert _page(store, active, 3, by_index=True) == (expected[:3], 8)


def _steps(store: Any, f: HazardFilter) -> int:
    """How much work SQLite does for the first page (its virtual machine's steps, in hundreds)."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    store.conn.set_progress_handler(count, 100)
    try:
        store.hazards(f, TODAY, limit=50)
    finally:
        store.conn.set_progress_handler(None, 0)
    return steps


def test_the_first_page_costs_about_the_same_on_a_register_ten_times_bigger(tmp_path):
    store = _with_unit(open_store(str(tmp_path / "big.db"), create=True))  # SQLite: its own counter of work
    """The count of matches grows with the register (it is shown); the page's own work must not.
    Sorting every match, as before, makes the whole about ten times the work."""
    kinds = [(status, level, (TODAY + timedelta(days=d)).isoformat())
             for status in ("open", "rectifying", "rectified", "closed") for level in ("general", "major")
             for d in (-30, -2, 3, 40)]
    active = HazardFilter(statuses=["open", "rectifying", "rectified"])
    _fill(store, kinds * 25)  # 800 hazards
    small = _steps(store, active)
    _fill(store, kinds * 250)  # 8,000
    big = _steps(store, active)
    listing.BY_INDEX = False
    try:
        sorted_all = _steps(store, active)
    finally:
        listing.BY_INDEX = True
    assert big < 3 * small  # the count of 6,000 matches is most of it
    assert sorted_all > 2 * big
    store.close()
