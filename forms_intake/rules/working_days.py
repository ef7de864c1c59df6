"""Working days (工作日) in mainland China, for the receipt's promise "在10个工作日内".

Public holidays and the adjusted working weekends (调休) come from the ``chinese-calendar`` package
(``chinesecalendar`` on PyPI, pinned in requirements.txt). Its data covers the years the State Council
has published; for a later year it has no data, and this module falls back to Monday to Friday
(``holiday_data_covers`` says whether a day is covered, so the admin can tell its administrators to
upgrade the package). Pure: no database.

The working days an item has waited are the working days after the day it was submitted, up to and
including today: an item submitted on a Monday has waited 0 days that Monday and 1 day on Tuesday;
one submitted during the National Day holiday starts counting on the first working day after it.
"""

from __future__ import annotations

import bisect
import datetime
from functools import lru_cache

import chinese_calendar

#: The receipt's promise: the township checks a registration within 10 working days.
PROMISED_WORKING_DAYS = 10


@lru_cache(maxsize=1)
def _data_range():
    """(first, last) day that the installed chinese-calendar knows about."""
    years = [day.year for day in chinese_calendar.holidays] + [day.year for day in chinese_calendar.workdays]
    return datetime.date(min(years), 1, 1), datetime.date(max(years), 12, 31)


def holiday_data_last_year() -> int:
    """The last year with public-holiday data (2026 for chinese-calendar 1.11.0)."""
    return _data_range()[1].year


def holiday_data_covers(day: datetime.date) -> bool:
    """Whether holidays and adjusted weekends are known for this day (else Monday–Friday counts)."""
    first, last = _data_range()
    return first <= day <= last


def is_working_day(day: datetime.date) -> bool:
    if holiday_data_covers(day):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


@lru_cache(maxsize=1)
def _working_days_table():
    """The sorted working days of the covered years (about 5,500 dates), for counting by bisection."""
    first, last = _data_range()
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)
            if chinese_calendar.is_workday(first + datetime.timedelta(days=n))]


def _weekdays_up_to(day: datetime.date) -> int:
    """Monday–Friday days from 0001-01-01 up to and including day (the fallback's count)."""
    weeks, rest = divmod(day.toordinal(), 7)  # ordinal 1 (0001-01-01) is a Monday
    return weeks * 5 + min(rest, 5)


def _number(day: datetime.date) -> int:
    """A running count of working days up to and including day (differences are what matter)."""
    first, last = _data_range()
    table = _working_days_table()
    if day < first:
        return _weekdays_up_to(day) - _weekdays_up_to(first)
    if day <= last:
        return bisect.bisect_right(table, day)
    return len(table) + _weekdays_up_to(day) - _weekdays_up_to(last)


def working_days_waiting(submitted: datetime.date, today: datetime.date) -> int:
    """Working days after the submission day, up to and including today (0 on the day itself)."""
    return max(0, _number(today) - _number(submitted))


def is_overdue(submitted: datetime.date, today: datetime.date) -> bool:
    """More working days have passed than the receipt promised."""
    return working_days_waiting(submitted, today) > PROMISED_WORKING_DAYS


def last_day_not_overdue(today: datetime.date) -> datetime.date:
    """The earliest submission day that is not overdue today: anything submitted before it is overdue.

    Working days waiting only grow as the submission day moves back, so "overdue" is one comparison
    on the submission time (an index range in the database, never a per-row computation).
    """
    day = today
    while working_days_waiting(day - datetime.timedelta(days=1), today) <= PROMISED_WORKING_DAYS:
        day -= datetime.timedelta(days=1)
    return day
