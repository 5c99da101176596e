"""Working days in Finland, for the statutory deadlines of welfare services.

§ 15 (OHL): a student who asks gets a discussion with a psychologist or a social worker no
later than on the seventh working day after asking; in an urgent case the same or the next
working day. Working days are Monday to Friday except Finnish public holidays and the
days off the calendar treats as holidays (Midsummer Eve, Christmas Eve), as the well-kept
``holidays`` package lists them; no hand-written list to go stale.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

__all__ = ["DISCUSSION_WORKING_DAYS", "discussion_deadline", "is_working_day", "working_days_after"]

DISCUSSION_WORKING_DAYS = 7
"""§ 15(1): at the latest on the seventh working day after the student asked."""


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("FI", years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, and not a Finnish public holiday or holiday eve."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_days_after(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted).

    >>> working_days_after(dt.date(2026, 12, 23), 1)  # Christmas Eve to Boxing Day are off
    datetime.date(2026, 12, 28)
    """
    if count < 0:
        raise ValueError("count must be 0 or more")
    while count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def discussion_deadline(asked_on: dt.date, *, urgent: bool = False) -> dt.date:
    """The last day a discussion with a psychologist or social worker may be held (§ 15):
    the seventh working day after asking, or in an urgent case the next working day (the
    same day is better, and also in time)."""
    return working_days_after(asked_on, 1 if urgent else DISCUSSION_WORKING_DAYS)
