"""Dates as clerks write them, and deadlines computed from time limits.

Pure functions: no clock. Working days follow the official Chinese calendar
(`chinese-calendar`: public holidays off, adjusted working weekends on); for a year the
package does not know yet, weekends only, and the caller is told which years those were.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from automation import messages
from automation.config import TimeLimit

EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_SERIAL = 2958465  # 9999-12-31
PLAUSIBLE_YEARS = range(1990, 2101)
EMPTY_MARKERS = frozenset({"", "-", "--", "—", "——", "/", "无", "暂无", "空"})

_FULL_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[ T]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?"
)
_MONTH_DAY = re.compile(r"(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def fold_text(value: str) -> str:
    """Fold full-width characters to half-width (NFKC) and trim surrounding spaces."""
    return unicodedata.normalize("NFKC", value).strip()


def from_serial(serial: float) -> dt.date:
    """An Excel (1900 system) serial day number as a date; Excel's phantom 1900-02-29 skipped."""
    whole = int(serial)
    if whole < 61:
        return EXCEL_EPOCH + dt.timedelta(days=whole + 1)
    return EXCEL_EPOCH + dt.timedelta(days=whole)


def to_serial(day: dt.date) -> int:
    """A date as an Excel (1900 system) serial number."""
    serial = (day - EXCEL_EPOCH).days
    return serial if serial >= 61 else serial - 1


@dataclass(frozen=True)
class ParsedDate:
    """The outcome of reading one cell as a date: a date, nothing (blank), or a problem."""

    value: dt.date | None
    problem: str | None = None


BLANK = ParsedDate(None)


def _checked(year: int, month: int, day: int) -> ParsedDate:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return ParsedDate(None, messages.BAD_DATE)
    if value.year not in PLAUSIBLE_YEARS:
        return ParsedDate(None, messages.DATE_OUT_OF_RANGE)
    return ParsedDate(value)


@lru_cache(maxsize=65536, typed=True)  # typed: True, 1 and 1.0 are equal keys but different cells
def parse_date(value: object, default_year: int) -> ParsedDate:
    """Read a cell as a date.

    Accepts real dates and datetimes, Excel serial numbers, yyyymmdd numbers, and text such as
    2024-3-5, 2024/03/05, 2024.3.5, 2024年3月5日, 20240305 and 3月5日 (year = default_year).
    """
    if value is None:
        return BLANK
    if isinstance(value, dt.date):  # a real date or datetime: valid by construction, only the year is checked
        if value.year not in PLAUSIBLE_YEARS:
            return ParsedDate(None, messages.DATE_OUT_OF_RANGE)
        return ParsedDate(value.date() if isinstance(value, dt.datetime) else value)
    if isinstance(value, bool):
        return ParsedDate(None, messages.BAD_DATE)
    if isinstance(value, (int, float)):
        try:
            return _parse_number(float(value))
        except OverflowError:  # an int too large for a float
            return ParsedDate(None, messages.BAD_DATE)
    if not isinstance(value, str):
        return ParsedDate(None, messages.BAD_DATE)
    text = fold_text(value)
    if text in EMPTY_MARKERS:
        return BLANK
    match = _FULL_DATE.fullmatch(text)
    if match:
        return _checked(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _COMPACT.fullmatch(text)
    if match:
        return _checked(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _MONTH_DAY.fullmatch(text)
    if match:
        return _checked(default_year, int(match.group(1)), int(match.group(2)))
    try:
        return _parse_number(float(text))
    except ValueError:
        return ParsedDate(None, messages.BAD_DATE)


def _parse_number(number: float) -> ParsedDate:
    if number != number or number in (float("inf"), float("-inf")):
        return ParsedDate(None, messages.BAD_DATE)
    if number.is_integer() and 19000101 <= number <= 29991231:
        whole = int(number)
        return _checked(whole // 10000, whole // 100 % 100, whole % 100)
    if 1 <= number <= MAX_SERIAL:
        day = from_serial(number)
        return _checked(day.year, day.month, day.day)
    return ParsedDate(None, messages.BAD_DATE)


@lru_cache(maxsize=8192)  # a folder's units share assignment dates: each step computed once per process
def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar-month step like Excel's EDATE: 2024-03-31 + 1 month = 2024-04-30."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass
class WorkdayCalendar:
    """Chinese working days; remembers the years it had to guess (weekends only)."""

    unknown_years: set[int] = field(default_factory=set)

    def is_workday(self, day: dt.date) -> bool:
        return _is_workday(day, self.unknown_years)

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The count-th working day after start (start itself not counted)."""
        return _add_workdays(start, count, self)


def _is_workday(day: dt.date, unknown_years: set[int]) -> bool:
    known, workday = official_workday(day)
    if not known:
        unknown_years.add(day.year)
    return workday


@lru_cache(maxsize=8192)
def official_workday(day: dt.date) -> tuple[bool, bool]:
    """(whether the official calendar knows the day's year, whether it is a working day);
    for an unknown year, Monday to Friday are working days."""
    import chinese_calendar

    try:
        return True, chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False, day.weekday() < 5


def _add_workdays(start: dt.date, count: int, workdays: WorkdayCalendar) -> dt.date:
    day = start
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if workdays.is_workday(day):
            remaining -= 1
    return day


def add_limit(start: dt.date, limit: TimeLimit, workdays: WorkdayCalendar) -> dt.date:
    """The deadline reached from start by a time limit in its own unit."""
    if limit.unit == "months":
        return add_months(start, limit.amount)
    if limit.unit == "days":
        return start + dt.timedelta(days=limit.amount)
    return workdays.add_workdays(start, limit.amount)
