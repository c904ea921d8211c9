"""Calendar dates as officers type them, and the clock.

Dates are calendar dates in the register's time zone (default Asia/Shanghai), so
"today" is today in Shanghai even when cron runs with TZ=UTC. Timestamps are
stored in UTC and shown in the register's time zone.
"""

from __future__ import annotations

import calendar
import os
import re
import unicodedata
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hazreg.errors import InvalidInput

DEFAULT_TIMEZONE = "Asia/Shanghai"

_RELATIVE = re.compile(r"([+-])\s*(\d{1,4})\s*(wd|工作日|d|w|m|天|日|周|星期|个月|月)?", re.ASCII)
_NUMERIC = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", re.ASCII)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_CHINESE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?", re.ASCII)
_DURATION = re.compile(r"(\d{1,4})\s*(d|w|m|天|日|周|星期|个月|月)?", re.ASCII)
_WORDS = {
    "today": 0, "今天": 0, "今日": 0,
    "yesterday": -1, "昨天": -1, "昨日": -1,
    "tomorrow": 1, "明天": 1, "明日": 1,
}


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or InvalidInput naming the setting."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("err.timezone", "timezone", value=name) from None


_clock: list[datetime] = []


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Within this block, the current instant is `moment` (the demo builds a past this way)."""
    _clock.append(moment)
    try:
        yield
    finally:
        _clock.pop()


def now_utc() -> datetime:
    """The current instant. HAZREG_NOW (ISO, UTC if naive) fixes it for tests and demos."""
    if _clock:
        return _clock[-1]
    fixed = os.environ.get("HAZREG_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def today(tz: str = DEFAULT_TIMEZONE) -> date:
    """Today's date in the register's time zone."""
    return now_utc().astimezone(zone(tz)).date()


_today = today  # parse_date's `today` argument shadows the function


def timestamp() -> str:
    """The current instant as stored: ISO 8601 in UTC with a Z."""
    return now_utc().astimezone(UTC).isoformat(timespec="microseconds").replace(
        "+00:00", "Z"
    )


def local_time(stamp: str, tz: str = DEFAULT_TIMEZONE) -> str:
    """A stored UTC timestamp as the register's local time, to the minute (naive means UTC)."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M")


def local_day_bounds(day: date, tz: str = DEFAULT_TIMEZONE) -> tuple[str, str]:
    """The UTC timestamps at which local `day` starts and the next day starts."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone(tz))
    end = start + timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    return (start.astimezone(UTC).strftime(fmt), end.astimezone(UTC).strftime(fmt))


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, kept within the target month (Jan 31 + 1m = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class CalendarEstimate(UserWarning):
    """Working days were counted Monday to Friday: the calendar has no data for `year` yet."""

    def __init__(self, year: int, first: int, last: int) -> None:
        super().__init__(f"no working-day calendar for {year}")
        self.year, self.first, self.last = year, first, last


# The register's own calendar (`hazreg calendar import`): for each year it has, the days that
# differ from Monday to Friday, True for an adjusted working day (调休上班), False for a holiday.
# Set by the register's Context when it opens (one read), so every working-day count in the
# process (`+10wd` in any date option, the models' dates) uses the open register's calendar.
_NO_CALENDAR: Mapping[int, Mapping[date, bool]] = {}
_register_calendar: ContextVar[Mapping[int, Mapping[date, bool]]] = ContextVar("register_calendar",
                                                                              default=_NO_CALENDAR)


def use_calendar(years: Mapping[int, Mapping[date, bool]]) -> None:
    """Working days of these years are counted from the register's calendar from now on."""
    _register_calendar.set(years)


def calendar_years() -> Mapping[int, Mapping[date, bool]]:
    """The register's calendar now in use, by year."""
    return _register_calendar.get()


def package_years() -> tuple[int, int]:
    """The first and last years the chinesecalendar package knows."""
    from chinese_calendar.constants import holidays

    years = sorted({d.year for d in holidays})
    return years[0], years[-1]


def is_working_day(day: date) -> bool:
    """China's official working days: weekdays that are not public holidays, plus the
    weekends made working days to bridge a holiday (调休): from the register's own calendar for
    the years it has (`hazreg calendar import`), else from the chinesecalendar package.
    For a year neither covers, Monday to Friday, with a CalendarEstimate warning."""
    own = _register_calendar.get().get(day.year)
    if own is not None:
        return own.get(day, day.weekday() < 5)
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        first, last = package_years()
        warnings.warn(CalendarEstimate(day.year, first, last), stacklevel=2)
        return day.weekday() < 5


def add_working_days(base: date, count: int) -> date:
    """The day `count` working days after `base` (before it, if negative)."""
    step = 1 if count >= 0 else -1
    day, left = base, abs(count)
    while left:
        day += timedelta(days=step)
        if is_working_day(day):
            left -= 1
    return day


def _shift(base: date, amount: int, unit: str | None) -> date:
    if unit in ("wd", "工作日"):
        return add_working_days(base, amount)
    if unit in ("w", "周", "星期"):
        return base + timedelta(weeks=amount)
    if unit in ("m", "月", "个月"):
        return add_months(base, amount)
    return base + timedelta(days=amount)


def parse_date(text: str | date, today: date | None = None, field: str = "date") -> date:
    """A date from ISO, 2026/12/1, 20261201, 2026年12月1日, 12月1日, today, +7d, -2w, +1m."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # ISO, as stored and exported
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raw = text
    s = unicodedata.normalize("NFKC", text).strip().lower()
    base = today if today is not None else _today()  # the register's day, not the process's
    try:
        if s in _WORDS:
            return base + timedelta(days=_WORDS[s])
        if m := _RELATIVE.fullmatch(s):
            sign, amount, unit = m.groups()
            return _shift(base, int(amount) * (-1 if sign == "-" else 1), unit)
        if m := _NUMERIC.fullmatch(s) or _COMPACT.fullmatch(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _CHINESE.fullmatch(s):
            return date(int(m[1]) if m[1] else base.year, int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})[t ].*", s, re.ASCII):
            return date(int(m[1]), int(m[2]), int(m[3]))
    except (ValueError, OverflowError):  # no such day, or beyond year 9999
        raise InvalidInput("err.date_impossible", field, value=raw) from None
    raise InvalidInput("err.date", field, value=raw)


EARLIEST = date(2000, 1, 1)  # no register holds an earlier date: a year typed wrong, or an attack
YEARS_AHEAD = 5  # the furthest a deadline, or a window looked at, may lie ahead


def check_day(day: date, today: date, field: str = "date", *, happened: bool) -> date:
    """`day` if it is a sane date for the register, else InvalidInput naming the range: never
    before 2000-01-01; for something that happened (found, done, verified, inspected, escalated,
    action taken, listed, delisted) never after today; for anything else (a deadline, a
    campaign, the dates of a listing or an export) never more than five years ahead."""
    latest = today if happened else add_months(today, 12 * YEARS_AHEAD)
    if happened and day > today:
        raise InvalidInput("err.future", field, value=day, today=today)
    if not EARLIEST <= day <= latest:
        raise InvalidInput("err.date_range", field, value=day, earliest=EARLIEST, latest=latest)
    return day


def not_future(day: date, today: date, field: str = "date") -> date:
    """`day` if it is the date of something that happened: not after `today`, not before 2000."""
    return check_day(day, today, field, happened=True)


def parse_days(text: str, field: str = "days") -> int:
    """A span in days: 7, 7d, 2w, 1m (30 days), 7天, 2周."""
    s = unicodedata.normalize("NFKC", text).strip().lower()
    m = _DURATION.fullmatch(s)
    if not m:
        raise InvalidInput("err.duration", field, value=text)
    amount, unit = int(m[1]), m[2]
    if unit in ("w", "周", "星期"):
        return amount * 7
    if unit in ("m", "月", "个月"):
        return amount * 30
    return amount


_WEEK = re.compile(r"(?:(\d{4})\s*-?\s*)?w\s*(\d{1,2})", re.ASCII)


def parse_week(text: str, today: date, field: str = "week") -> tuple[date, date]:
    """An ISO week (Monday to Sunday): 2026-W48, 2026W48, W48 (this year), this, last."""
    s = unicodedata.normalize("NFKC", text).strip().lower()
    if s in ("this", "本周"):
        monday = today - timedelta(days=today.weekday())
    elif s in ("last", "上周"):
        monday = today - timedelta(days=today.weekday() + 7)
    else:
        m = _WEEK.fullmatch(s)
        if not m:
            raise InvalidInput("err.week", field, value=text)
        year = int(m[1]) if m[1] else today.isocalendar().year
        try:
            monday = date.fromisocalendar(year, int(m[2]), 1)
        except ValueError:
            raise InvalidInput("err.week", field, value=text) from None
    latest = add_months(today, 12 * YEARS_AHEAD)
    if not EARLIEST <= monday <= latest:  # the same window as any date looked at (check_day)
        raise InvalidInput("err.date_range", field, value=text, earliest=EARLIEST, latest=latest)
    return monday, monday + timedelta(days=6)
