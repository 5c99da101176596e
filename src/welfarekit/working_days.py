"""Working days in Finland, for the statutory deadlines of welfare services.

§ 15 (OHL): a student who asks gets a discussion with a psychologist or a social worker no
later than on the seventh working day after asking; in an urgent case the same or the next
working day. Working days are Monday to Friday except Finnish public holidays
(*pyhäpäivät*) and the two eves the working calendar keeps as days off, Midsummer Eve
(*juhannusaatto*) and Christmas Eve (*jouluaatto*).

The calendar is computed, not listed: the fixed dates, the days that hang on Easter and the
two holidays that fall on a Saturday within a set week (Midsummer Day, All Saints' Day).
These rules have stood since 1991, when Epiphany and Ascension Day returned to their own
dates; earlier years are computed by the same rules. The tests check every year from 1991
to 2100 against the ``holidays`` package.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

__all__ = [
    "DISCUSSION_WORKING_DAYS",
    "discussion_deadline",
    "finnish_days_off",
    "is_working_day",
    "working_days_after",
]

DISCUSSION_WORKING_DAYS = 7
"""§ 15(1): at the latest on the seventh working day after the student asked."""


def _easter_sunday(year: int) -> dt.date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _saturday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


@lru_cache(maxsize=64)
def finnish_days_off(year: int) -> frozenset[dt.date]:
    """The Finnish public holidays of ``year`` with Midsummer Eve and Christmas Eve.

    >>> sorted(d for d in finnish_days_off(2026) if d.month == 6)
    [datetime.date(2026, 6, 19), datetime.date(2026, 6, 20)]
    """
    easter = _easter_sunday(year)
    midsummer_day = _saturday_on_or_after(dt.date(year, 6, 20))
    return frozenset(
        {
            dt.date(year, 1, 1),  # uudenvuodenpäivä
            dt.date(year, 1, 6),  # loppiainen
            easter - dt.timedelta(days=2),  # pitkäperjantai
            easter,  # pääsiäispäivä
            easter + dt.timedelta(days=1),  # toinen pääsiäispäivä
            dt.date(year, 5, 1),  # vappu
            easter + dt.timedelta(days=39),  # helatorstai
            easter + dt.timedelta(days=49),  # helluntaipäivä
            midsummer_day - dt.timedelta(days=1),  # juhannusaatto
            midsummer_day,  # juhannuspäivä
            _saturday_on_or_after(dt.date(year, 10, 31)),  # pyhäinpäivä
            dt.date(year, 12, 6),  # itsenäisyyspäivä
            dt.date(year, 12, 24),  # jouluaatto
            dt.date(year, 12, 25),  # joulupäivä
            dt.date(year, 12, 26),  # tapaninpäivä
        }
    )


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, and not a Finnish public holiday or holiday eve."""
    return day.weekday() < 5 and day not in finnish_days_off(day.year)


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
