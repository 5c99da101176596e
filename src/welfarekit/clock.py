"""The calendar welfarekit reasons in: Finnish local dates.

Ages, deadlines and validity periods are days in Finland, so "today" is today in
Europe/Helsinki, whatever the server's time zone. Operations take a ``today`` argument so
that tests (and batch jobs replaying a day) can move the clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["FINLAND", "today_in_finland"]

FINLAND = ZoneInfo("Europe/Helsinki")


def today_in_finland(now: dt.datetime | None = None) -> dt.date:
    """The date in Finland at ``now`` (default: this moment)."""
    moment = now if now is not None else dt.datetime.now(dt.UTC)
    return moment.astimezone(FINLAND).date()
