"""Validity periods of guardianships and memberships."""

from __future__ import annotations

import datetime as dt

import attrs

from welfarekit.model._validate import calendar_date, fail, optional_calendar_date

__all__ = ["Period"]


@attrs.frozen(kw_only=True)
class Period:
    """A span of days: from ``start`` (inclusive) until ``end`` (exclusive), or open-ended.

    >>> p = Period(start=dt.date(2026, 8, 1), end=dt.date(2027, 8, 1))
    >>> p.contains(dt.date(2027, 7, 31)), p.contains(dt.date(2027, 8, 1))
    (True, False)
    """

    start: dt.date = attrs.field(validator=calendar_date)
    end: dt.date | None = attrs.field(default=None, validator=optional_calendar_date)

    @end.validator
    def _end_after_start(self, attribute: attrs.Attribute[dt.date | None], value: object) -> None:
        if isinstance(value, dt.date) and value <= self.start:
            raise fail(self, attribute, f"must be after start ({self.start.isoformat()})")

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def ended(self, day: dt.date) -> Period:
        """The same period cut to end on ``day`` (history is kept by ending, not deleting)."""
        return Period(start=self.start, end=day)
