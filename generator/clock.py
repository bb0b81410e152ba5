"""When payments happen: Baghdad banking hours, converted to UTC.

Iraqi banks work Sunday to Thursday; payment departments release transfers from about 08:00 to
15:00 Baghdad time (UTC+3, no daylight saving since 2008). A generated file spreads its payments
over that business time, so a day's traffic starts at 05:00Z and a weekend has none. A live feed
(created_at following the wall clock) does not use this clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo


def _baghdad() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Baghdad")
    except Exception:  # no tz database on the machine: Iraq is UTC+3 all year
        return timezone(timedelta(hours=3), "Asia/Baghdad")


BAGHDAD = _baghdad()
OPENS = time(8, 0)
CLOSES = time(15, 0)
BUSINESS_DAY = timedelta(hours=7)
WEEKEND = frozenset({4, 5})
"""Friday and Saturday (datetime.weekday numbers)."""


def _business(day: date) -> bool:
    return day.weekday() not in WEEKEND


def _next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while not _business(day):
        day += timedelta(days=1)
    return day


class BusinessClock:
    """Maps "business time since the start" to a UTC instant inside Baghdad banking hours."""

    def __init__(self, start: datetime) -> None:
        local = start.astimezone(BAGHDAD)
        day, at = local.date(), local.timetz().replace(tzinfo=None)
        if not _business(day) or at >= CLOSES:
            day, at = _next_business_day(day), OPENS
        elif at < OPENS:
            at = OPENS
        self._first_day = day
        self._offset = datetime.combine(day, at) - datetime.combine(day, OPENS)
        self._days: list[date] = [day]

    def _day(self, n: int) -> date:
        while len(self._days) <= n:
            self._days.append(_next_business_day(self._days[-1]))
        return self._days[n]

    @staticmethod
    def opening(moment: datetime) -> datetime:
        """When the banking day of `moment` opened (UTC)."""
        day = moment.astimezone(BAGHDAD).date()
        return datetime.combine(day, OPENS, tzinfo=BAGHDAD).astimezone(UTC)

    def at(self, elapsed: timedelta) -> datetime:
        """The UTC instant `elapsed` business time after the start."""
        total = self._offset + elapsed
        days, within = divmod(total, BUSINESS_DAY)
        day = self._day(int(days))
        local = datetime.combine(day, OPENS, tzinfo=BAGHDAD) + within
        return local.astimezone(UTC)
