"""Dates as officers type them, and the clock in the register's time zone."""

from __future__ import annotations

import calendar
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hazreg import dates
from hazreg.dates import add_months, local_day_bounds, local_time, parse_date, parse_days
from hazreg.errors import InvalidInput

TODAY = date(2026, 11, 29)


@pytest.fixture
def process_tz() -> Iterator[Callable[[str], None]]:
    """Set the process's own time zone (TZ) for one test, and put it back afterwards."""
    before = os.environ.get("TZ")

    def set_tz(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_tz
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026/12/1", date(2026, 12, 1)),
        ("2026.12.01", date(2026, 12, 1)),
        ("20261201", date(2026, 12, 1)),
        ("  2026-12-01  ", date(2026, 12, 1)),
        ("2026-12-01T08:30:00", date(2026, 12, 1)),
        ("2026年12月1日", date(2026, 12, 1)),
        ("2026 年 12 月 1 日", date(2026, 12, 1)),
        ("2026年12月1号", date(2026, 12, 1)),
        ("12月1日", date(2026, 12, 1)),
        ("3月5日", date(2026, 3, 5)),  # the year of today, even if already past
        ("２０２６年１２月１日", date(2026, 12, 1)),
        ("２０２６－１２－０１", date(2026, 12, 1)),
        ("１２月１日", date(2026, 12, 1)),
        ("today", TODAY),
        ("Today", TODAY),
        ("yesterday", date(2026, 11, 28)),
        ("tomorrow", date(2026, 11, 30)),
        ("今天", TODAY),
        ("昨天", date(2026, 11, 28)),
        ("明天", date(2026, 11, 30)),
        ("+7d", date(2026, 12, 6)),
        ("+7", date(2026, 12, 6)),
        ("-2w", date(2026, 11, 15)),
        ("+1m", date(2026, 12, 29)),
        ("+3天", date(2026, 12, 2)),
        ("+2周", date(2026, 12, 13)),
        ("+1个月", date(2026, 12, 29)),
        ("＋７ｄ", date(2026, 12, 6)),
    ],
)
def test_parse_date_accepts(typed: str, expected: date) -> None:
    assert parse_date(typed, TODAY) == expected


def test_date_objects_pass_through() -> None:
    assert parse_date(date(2026, 1, 2), TODAY) == date(2026, 1, 2)


@pytest.mark.parametrize(
    ("start", "typed", "expected"),
    [
        (date(2026, 1, 31), "+1m", date(2026, 2, 28)),
        (date(2028, 1, 31), "+1m", date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), "-1m", date(2026, 2, 28)),
        (date(2026, 12, 15), "+1m", date(2027, 1, 15)),
        (date(2026, 1, 15), "-1m", date(2025, 12, 15)),
        (date(2026, 8, 31), "+13m", date(2027, 9, 30)),
    ],
)
def test_months_stay_within_the_target_month(start: date, typed: str, expected: date) -> None:
    assert parse_date(typed, start) == expected


@given(st.dates(min_value=date(100, 1, 1), max_value=date(9000, 1, 1)), st.integers(-600, 600))
def test_add_months_lands_in_the_right_month_without_overflowing_it(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    last = calendar.monthrange(moved.year, moved.month)[1]
    assert moved.day == min(day.day, last)


def test_words_without_today_use_the_register_clock(monkeypatch: pytest.MonkeyPatch, process_tz) -> None:
    """Without an explicit today, 'today' and '12月1日' are read on the register's clock."""
    monkeypatch.setenv("HAZREG_NOW", "2031-06-30T17:00:00Z")  # 1 July 2031 in Shanghai
    process_tz("America/Los_Angeles")  # where it is still 30 June
    assert parse_date("today") == date(2031, 7, 1)
    assert parse_date("tomorrow") == date(2031, 7, 2)
    assert parse_date("+1m") == date(2031, 8, 1)
    assert parse_date("12月1日") == date(2031, 12, 1)


@pytest.mark.parametrize("typed", ["garbage", "", "   ", "2026-12", "12/1", "next week", "+7x", "2026-12-01-03",
                                   "2026年", "++7d", "2026/12/1/", "明后天"])
def test_garbage_is_not_a_date(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date(typed, TODAY, field="deadline")
    assert caught.value.key == "err.date"
    assert caught.value.field == "deadline"
    assert caught.value.params["value"] == typed
    assert str(caught.value).startswith("Deadline")


@pytest.mark.parametrize("typed", ["2026-02-30", "2026-13-01", "2026-00-10", "20260230", "2026年2月30日",
                                   "2月30日", "2027/2/29", "2026-04-31"])
def test_impossible_days_are_named_as_such(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date(typed, TODAY, field="found_on")
    assert caught.value.key == "err.date_impossible"
    assert caught.value.field == "found_on"
    assert "not a day of the calendar" in str(caught.value)


@pytest.mark.parametrize(("start", "typed"), [(date(9999, 12, 1), "+9999w"), (date(9999, 12, 1), "+1m"),
                                               (date(1, 1, 5), "-1m"), (date(1, 1, 5), "-9999d")])
def test_shifts_past_the_calendar_are_invalid_input_not_a_crash(start: date, typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date(typed, start)
    assert caught.value.key == "err.date_impossible"


def test_leap_day_exists_in_leap_years() -> None:
    assert parse_date("2028-02-29", TODAY) == date(2028, 2, 29)
    assert parse_date("2月29日", date(2028, 1, 1)) == date(2028, 2, 29)


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_iso_and_chinese_forms_round_trip(day: date) -> None:
    assert parse_date(day.isoformat(), TODAY) == day
    assert parse_date(f"{day.year:04d}年{day.month}月{day.day}日", TODAY) == day
    assert parse_date(day.strftime("%Y%m%d") if day.year >= 1000 else day.isoformat(), TODAY) == day


# -- the clock ------------------------------------------------------------------------------


@pytest.mark.parametrize("tz_name", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati", "Asia/Shanghai"])
def test_today_is_the_register_day_whatever_the_process_tz(
    monkeypatch: pytest.MonkeyPatch, process_tz, tz_name: str
) -> None:
    monkeypatch.setenv("HAZREG_NOW", "2026-11-29T17:00:00Z")
    process_tz(tz_name)
    moment = datetime(2026, 11, 29, 17, tzinfo=UTC)
    # the process itself really runs in tz_name now
    assert time.localtime(moment.timestamp()).tm_gmtoff == ZoneInfo(tz_name).utcoffset(moment).total_seconds()
    assert dates.today("Asia/Shanghai") == date(2026, 11, 30)
    assert dates.today() == date(2026, 11, 30)  # Shanghai is the default
    assert dates.today("UTC") == date(2026, 11, 29)
    assert dates.today("America/New_York") == date(2026, 11, 29)


def test_naive_hazreg_now_means_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAZREG_NOW", "2026-11-29T16:00:00")
    assert dates.today("Asia/Shanghai") == date(2026, 11, 30)
    assert dates.timestamp() == "2026-11-29T16:00:00.000000Z"


def test_conftest_clock_is_noon_in_shanghai() -> None:
    assert dates.today() == date(2026, 11, 29)
    assert dates.timestamp() == "2026-11-29T04:00:00.000000Z"


def test_unknown_time_zone_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        dates.today("Mars/Olympus")
    assert caught.value.key == "err.timezone"
    assert caught.value.field == "timezone"


@pytest.mark.parametrize("tz_name", ["UTC", "America/Los_Angeles"])
def test_local_time(process_tz, tz_name: str) -> None:
    process_tz(tz_name)
    assert local_time("2026-11-29T16:30:00.000000Z") == "2026-11-30 00:30"
    assert local_time("2026-11-29T16:30:00Z", "UTC") == "2026-11-29 16:30"
    assert local_time("2026-11-29T16:30:00+00:00", "Asia/Shanghai") == "2026-11-30 00:30"
    assert local_time("2026-07-01T12:00:00Z", "America/New_York") == "2026-07-01 08:00"  # EDT
    assert local_time("2026-12-01T12:00:00Z", "America/New_York") == "2026-12-01 07:00"  # EST
    assert local_time("2026-11-29T16:30:00") == "2026-11-30 00:30"  # naive stored stamps are UTC


def test_local_time_of_a_stored_timestamp_round_trips_through_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAZREG_NOW", "2026-11-29T17:05:00Z")
    assert local_time(dates.timestamp()) == "2026-11-30 01:05"


def test_local_day_bounds_shanghai() -> None:
    start, end = local_day_bounds(date(2026, 11, 30))
    assert (start, end) == ("2026-11-29T16:00:00.000000Z", "2026-11-30T16:00:00.000000Z")
    # stored timestamps compare as text against the bounds
    assert start <= "2026-11-29T17:00:00.000000Z" < end
    assert not (start <= "2026-11-29T15:59:59.999999Z" < end)
    assert not (start <= end < end)


def test_local_day_bounds_utc_and_dst_days() -> None:
    assert local_day_bounds(date(2026, 11, 30), "UTC") == ("2026-11-30T00:00:00.000000Z", "2026-12-01T00:00:00.000000Z")
    # New York springs forward on 8 March 2026: a 23-hour day.
    assert local_day_bounds(date(2026, 3, 8), "America/New_York") == (
        "2026-03-08T05:00:00.000000Z", "2026-03-09T04:00:00.000000Z")
    # and falls back on 1 November 2026: a 25-hour day.
    assert local_day_bounds(date(2026, 11, 1), "America/New_York") == (
        "2026-11-01T04:00:00.000000Z", "2026-11-02T05:00:00.000000Z")


@given(st.dates(min_value=date(1971, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["Asia/Shanghai", "UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe"]))
def test_consecutive_days_tile_time(day: date, tz: str) -> None:
    start, end = local_day_bounds(day, tz)
    next_start, _ = local_day_bounds(day + timedelta(days=1), tz)
    assert start < end == next_start
    assert local_time(start, tz).startswith(day.isoformat())


# -- spans of days --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "days"),
    [("7", 7), ("7d", 7), ("2w", 14), ("1m", 30), ("7天", 7), ("2周", 14), (" 10 D ", 10), ("０", 0), ("３天", 3),
     ("1个月", 30)],
)
def test_parse_days(typed: str, days: int) -> None:
    assert parse_days(typed) == days


@pytest.mark.parametrize("typed", ["", "-7", "+7d", "seven", "7x", "1.5w", "7d7"])
def test_parse_days_rejects(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_days(typed, field="due_within")
    assert caught.value.key == "err.duration"
    assert caught.value.field == "due_within"
