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
